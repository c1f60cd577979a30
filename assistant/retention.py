"""How long personal data is kept: the ``[retention]`` table of the configuration.

The defaults are what a school's data protection officer would expect of a staff tool:

- a question's text and its asker are removed after ``questions_days`` (90); which clauses
  were quoted and whether the asker found it helpful are kept, with nobody attached, for the
  answer statistics;
- an abandoned form draft is deleted after ``drafts_days`` (30);
- the keys that de-duplicate platform retries go after ``deliveries_days`` (7);
- the bot's record that it answered in a Slack thread (so follow-ups there need no mention)
  goes after ``threads_days`` (30);
- a decided or withdrawn request is anonymised ``requests_years`` (6) after its last change:
  people's identities and names, the form's name fields and reasons are replaced by
  tombstones, while what the site was and how each stage was decided stay as the record.

The earlier question a follow-up is read with lasts ``followup_minutes`` and is purged too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Retention:
    """Retention periods; see the module's documentation for what each one removes."""

    questions_days: float = 90
    drafts_days: float = 30
    deliveries_days: float = 7
    threads_days: float = 30
    requests_years: float = 6

    def period(self, name: str) -> timedelta:
        """The period of ``name`` ("questions", "drafts", ... "requests") as a timedelta."""
        if name == "requests":
            return timedelta(days=self.requests_years * DAYS_PER_YEAR)
        return timedelta(days=float(getattr(self, f"{name}_days")))

    def describe(self) -> list[str]:
        """One line per period, for ``assistant data purge --dry-run`` and the README."""
        return [
            f"questions: text and asker removed after {self.questions_days:g} days",
            f"abandoned drafts: deleted after {self.drafts_days:g} days",
            f"delivery keys: deleted after {self.deliveries_days:g} days",
            f"Slack thread memberships: forgotten after {self.threads_days:g} days",
            f"decided requests: anonymised {self.requests_years:g} years after their decision",
        ]


# The shortest period a school may set: a day (a purge must not race the reply it serves).
_MINIMUM = {"questions_days": 1, "drafts_days": 1, "deliveries_days": 1, "threads_days": 1}


def parse_retention(raw: object) -> tuple[Retention, list[str]]:
    """The ``[retention]`` table, with a sentence for every key at fault."""
    if raw is None or raw == {}:
        return Retention(), []
    if not isinstance(raw, Mapping):
        return Retention(), ["retention: must be a table"]
    names = [f.name for f in fields(Retention)]
    problems = [
        f"retention.{key}: unknown key (expected one of {', '.join(names)})"
        for key in sorted(set(raw) - set(names))
    ]
    values: dict[str, float] = {}
    for name in names:
        if name not in raw:
            continue
        value = raw[name]
        lowest = _MINIMUM.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < lowest:
            unit = "years" if name.endswith("_years") else "days"
            problems.append(f"retention.{name}: must be a number of {unit}, at least {lowest}")
            continue
        values[name] = float(value)
    return Retention(**values), problems
