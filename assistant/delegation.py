"""Absence: an approver's stages may be decided by a named colleague for a date range.

A delegation says that ``to`` may decide whatever ``frm`` may decide (every stage of every
role they hold, and the line manager stage of the staff they manage) from ``start`` to
``end`` inclusive, UK dates. ``frm`` keeps their own right to decide. Records say "Sue
Senior acting for Pat Principal". Delegations come from the configuration
(``[[delegations]]``) and from ``assistant delegate add``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from assistant.people import Person


@dataclass(frozen=True)
class Delegation:
    """``to`` decides for ``frm`` (person keys) from ``start`` to ``end``, inclusive."""

    frm: str
    to: str
    start: date
    end: date
    id: int | None = None  # the database's id; None for one from the configuration

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def describe(self, names: Mapping[str, str]) -> str:
        """One line for the command line."""
        source = f"#{self.id}" if self.id is not None else "config"
        return (
            f"{source:>7}  {names.get(self.to, self.to)} acting for "
            f"{names.get(self.frm, self.frm)}, {self.start:%d %b %Y} to {self.end:%d %b %Y}"
        )


def problems_of(
    frm: str, to: str, start: date, end: date, persons: Mapping[str, Person]
) -> list[str]:
    """What is wrong with a delegation, as sentences ([] when it is fine)."""
    found = []
    for role, key in (("from", frm), ("to", to)):
        if key not in persons:
            found.append(f"{role}: {key!r} is not a configured person ([people.<key>])")
    if frm == to:
        found.append("from and to are the same person")
    if end < start:
        found.append("it ends before it starts")
    return found


def parse_delegations(
    raw: object, persons: Mapping[str, Person]
) -> tuple[tuple[Delegation, ...], list[str]]:
    """The ``[[delegations]]`` array of the configuration, with every problem named."""
    if raw is None or raw == []:
        return (), []
    if not isinstance(raw, list):
        return (), ["delegations: must be an array of tables ([[delegations]])"]
    found: list[Delegation] = []
    problems: list[str] = []
    for i, item in enumerate(raw):
        where = f"delegations[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a table with from, to, start and end")
            continue
        unknown = sorted(set(item) - {"from", "to", "start", "end"})
        problems += [f"{where}.{key}: unknown key" for key in unknown]
        start, end = item.get("start"), item.get("end")
        if not isinstance(start, date) or not isinstance(end, date):
            problems.append(f"{where}: start and end must be dates (e.g. 2026-12-01)")
            continue
        frm, to = str(item.get("from", "")), str(item.get("to", ""))
        wrong = problems_of(frm, to, start, end, persons)
        if wrong:
            problems += [f"{where}: {w}" for w in wrong]
            continue
        found.append(Delegation(frm=frm, to=to, start=start, end=end))
    return tuple(found), problems


def acting_for(
    person: Person, candidates: Iterable[Person], delegations: Iterable[Delegation]
) -> Person | None:
    """The candidate ``person`` stands in for under one of ``delegations`` (already the
    active ones), or None when they decide as themselves or not at all."""
    by_key = {c.key: c for c in candidates}
    if person.key in by_key:
        return None
    for delegation in delegations:
        if delegation.to == person.key and delegation.frm in by_key:
            return by_key[delegation.frm]
    return None


def delegates(
    candidates: Iterable[Person], delegations: Iterable[Delegation], persons: Mapping[str, Person]
) -> list[Person]:
    """The people standing in for any of ``candidates`` under ``delegations``."""
    keys = {c.key for c in candidates}
    return [persons[d.to] for d in delegations if d.frm in keys and d.to in persons]
