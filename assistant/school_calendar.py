"""The school's working time: school days (no weekends, bank holidays or days out of term)
and school hours, in UK local time, for reminders and escalation.

Read from the ``[school]`` and ``[escalation]`` tables of ``assistant.toml``::

    [school]
    hours = ["08:00", "17:00"]           # reminders are sent only between these, UK time
    bank_holidays = "england"            # england (England and Wales), wales, scotland,
                                         # northern_ireland, or "" for none
    terms = [["2026-09-02", "2026-12-18"], ["2027-01-05", "2027-03-26"]]  # none: all year
    closed = ["2026-11-06"]              # INSET or other closure days

    [escalation]
    after_reminders = 2                  # a stage reminded this often is escalated
    slack = "C0OFFICE"                   # where: a channel per platform ...
    people = ["slack:U0DEPUTY"]          # ... or people told directly where there is none
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

import holidays

from assistant.messages import Identity
from assistant.uktime import uk

_REGIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}


@dataclass(frozen=True)
class SchoolCalendar:
    """Which days are school days and which hours are school hours."""

    opens: time = time(8, 0)
    closes: time = time(17, 0)
    bank_holidays: str = "england"
    terms: tuple[tuple[date, date], ...] = ()
    closed: frozenset[date] = frozenset()

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | None:
        region = _REGIONS.get(self.bank_holidays)
        return holidays.country_holidays("GB", subdiv=region) if region else None

    def is_school_day(self, day: date) -> bool:
        """A weekday in term that is neither a bank holiday nor a closure day."""
        if day.weekday() >= 5 or day in self.closed:
            return False
        if self._holidays is not None and day in self._holidays:
            return False
        return not self.terms or any(start <= day <= end for start, end in self.terms)

    def in_school_hours(self, moment: datetime) -> bool:
        """True on a school day between opening and closing, UK time."""
        local = uk(moment)
        return self.is_school_day(local.date()) and self.opens <= local.time() < self.closes

    def school_days_between(self, since: datetime, now: datetime) -> int:
        """School days that have ended or begun since ``since``: the days after its UK date up
        to and including ``now``'s (a request sent on Friday has waited 1 day on Monday)."""
        first, last = uk(since).date(), uk(now).date()
        days = 0
        day = first + timedelta(days=1)
        while day <= last:
            days += self.is_school_day(day)
            day += timedelta(days=1)
        return days


@dataclass(frozen=True)
class Escalation:
    """Where a stage goes after ``after_reminders`` reminders with no decision (0: never)."""

    after_reminders: int = 0
    channels: Mapping[str, str] = field(default_factory=dict)  # platform -> channel
    people: tuple[Identity, ...] = ()


def _clock(text: Any, key: str, problems: list[str]) -> time | None:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        problems.append(f'{key}: not a time like "08:00": {text!r}')
        return None


def _day(text: Any, key: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        problems.append(f'{key}: not a date like "2026-09-02": {text!r}')
        return None


def parse_school(raw: Any) -> tuple[SchoolCalendar, list[str]]:
    """The ``[school]`` table as a calendar, and every problem with it."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return SchoolCalendar(), ["school: must be a table"]
    known = {"hours", "bank_holidays", "terms", "closed"}
    problems += [f"school.{k}: unknown key" for k in sorted(set(raw) - known)]
    calendar = SchoolCalendar()
    hours = raw.get("hours", ["08:00", "17:00"])
    opens, closes = calendar.opens, calendar.closes
    if not isinstance(hours, list) or len(hours) != 2:
        problems.append('school.hours: must be ["HH:MM", "HH:MM"]')
    else:
        opens = _clock(hours[0], "school.hours[0]", problems) or opens
        closes = _clock(hours[1], "school.hours[1]", problems) or closes
        if opens >= closes:
            problems.append("school.hours: the school must open before it closes")
    region = str(raw.get("bank_holidays", "england"))
    if region and region not in _REGIONS:
        problems.append(f'school.bank_holidays: expected one of {", ".join(_REGIONS)} or ""')
    terms: list[tuple[date, date]] = []
    raw_terms = raw.get("terms", [])
    for i, term in enumerate(raw_terms if isinstance(raw_terms, list) else [None]):
        if not isinstance(term, list | tuple) or len(term) != 2:
            problems.append(f'school.terms[{i}]: must be ["first day", "last day"]')
            continue
        start = _day(term[0], f"school.terms[{i}][0]", problems)
        end = _day(term[1], f"school.terms[{i}][1]", problems)
        if start and end:
            if start > end:
                problems.append(f"school.terms[{i}]: ends before it starts")
            terms.append((start, end))
    raw_closed = raw.get("closed", [])
    closed = [
        _day(d, f"school.closed[{i}]", problems)
        for i, d in enumerate(raw_closed if isinstance(raw_closed, list) else [None])
    ]
    return (
        SchoolCalendar(
            opens=opens,
            closes=closes,
            bank_holidays=region,
            terms=tuple(terms),
            closed=frozenset(d for d in closed if d is not None),
        ),
        problems,
    )


def parse_escalation(raw: Any, platforms: Sequence[str]) -> tuple[Escalation, list[str]]:
    """The ``[escalation]`` table, and every problem with it."""
    if not isinstance(raw, dict):
        return Escalation(), ["escalation: must be a table"]
    problems: list[str] = []
    known = {"after_reminders", "people", *platforms}
    problems += [f"escalation.{k}: unknown key" for k in sorted(set(raw) - known)]
    after = raw.get("after_reminders", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        problems.append("escalation.after_reminders: must be a whole number, 0 for never")
        after = 0
    channels = {p: str(raw[p]).strip() for p in platforms if p in raw and str(raw[p]).strip()}
    people: list[Identity] = []
    for i, who in enumerate(raw.get("people", []) or []):
        try:
            people.append(Identity.parse(str(who)))
        except ValueError as exc:
            problems.append(f"escalation.people[{i}]: {exc}")
    if after and not channels and not people:
        problems.append("escalation: give a channel (slack = ..., teams = ...) or people")
    return Escalation(after_reminders=after, channels=channels, people=tuple(people)), problems
