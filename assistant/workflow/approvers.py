"""Who may decide which stage of a request (policy A.3.2, A.3.4, A.3.5, Appendix B).

The rules, always about people (:class:`~assistant.people.Person`), never single identities:

* The requester never chooses their approver. The line manager stage goes to the line manager
  the configuration maps the requester to (``[people.<key>] line_manager``); else to the line
  manager named on the form when that person holds the ``line_manager`` role; else to every
  holder of the role. A name typed on the form only narrows the stage to someone who could
  decide it anyway.
* Three different people: nobody decides their own request, a request naming them as the
  site's author, or a stage after one they have already decided.
* The terminal is unauthenticated: a console identity decides only requests made in the
  terminal.
* Absence: a delegate may decide whatever the person they stand in for may
  (``settings.delegations``, which the workflow narrows to those covering today); the same
  exclusions apply to the delegate, and the record names both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from typing import Any

from assistant.config import Settings
from assistant.delegation import acting_for, delegates
from assistant.messages import Identity
from assistant.people import Directory, Person
from assistant.storage.records import ApprovalRequest, Decision
from assistant.texts import workflow as texts
from assistant.workflow.stages import STAGES, Stage

LINE_MANAGER_FIELD = "line_manager"
AUTHOR_FIELD = "author"
CONSOLE = "console"


def _people_named(value: Any) -> list[Mapping[str, Any]]:
    """The ``{"name", "identity"}`` people of a form answer (a list, one person or a name)."""
    if isinstance(value, str):
        return [{"name": value, "identity": None}]
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list | tuple):
        return [p for item in value for p in _people_named(item)]
    return []


def _identity(person: Mapping[str, Any]) -> Identity | None:
    raw = person.get("identity")
    if isinstance(raw, str) and raw.strip():
        try:
            return Identity.parse(raw)
        except ValueError:
            return None
    return None


def people_on_form(value: Any, directory: Directory) -> list[Person]:
    """The configured people a form answer names: by the identity the form stored (from a
    platform's own mention), or by a name that matches exactly one configured person."""
    found: list[Person] = []
    for named in _people_named(value):
        identity = _identity(named)
        if identity is not None:
            found.append(directory.person(identity))
            continue
        name = named.get("name")
        matches = directory.by_name(name) if isinstance(name, str) and name.strip() else []
        if len(matches) == 1:
            found.append(matches[0])
    return found


def authors(request: ApprovalRequest, settings: Settings) -> list[Person]:
    """The people named as the site's author on the form."""
    return people_on_form(request.answers.get(AUTHOR_FIELD), settings.directory)


def line_manager_person(request: ApprovalRequest, settings: Settings) -> Person | None:
    """The one person the line manager stage goes to, when it goes to one person: the
    requester's mapped line manager, else the one named on the form if they hold the role."""
    directory = settings.directory
    mapped = directory.line_manager_of(request.requester)
    if mapped is not None:
        return mapped
    named = people_on_form(request.answers.get(LINE_MANAGER_FIELD), directory)
    if len(named) == 1 and directory.holds(Stage.LINE_MANAGER.value, named[0]):
        return named[0]
    return None


def _holders(request: ApprovalRequest, stage: Stage, settings: Settings) -> tuple[Person, ...]:
    """Who the stage is for in their own right, before anyone is excluded."""
    if stage is Stage.LINE_MANAGER:
        one = line_manager_person(request, settings)
        if one is not None and one.key not in excluded(request, stage, settings):
            return (one,)
    return settings.directory.role(stage.value)


def _candidates(request: ApprovalRequest, stage: Stage, settings: Settings) -> tuple[Person, ...]:
    """Who the stage is for before anyone is excluded: its holders, then their delegates."""
    holders = _holders(request, stage, settings)
    standing_in = delegates(holders, settings.delegations, settings.persons)
    keys = {p.key for p in holders}
    return holders + tuple(p for p in standing_in if p.key not in keys)


def excluded(
    request: ApprovalRequest, stage: Stage, settings: Settings, decisions: Sequence[Decision] = ()
) -> set[str]:
    """Keys of the people who may not decide ``stage``: the requester, the site's authors and
    whoever decided an earlier stage."""
    directory = settings.directory
    keys = {directory.person(request.requester).key}
    keys |= {p.key for p in authors(request, settings)}
    earlier = STAGES[: STAGES.index(stage)]
    keys |= {directory.person(d.decided_by).key for d in decisions if d.stage in earlier}
    return keys


def _usable(person: Person, request: ApprovalRequest) -> tuple[Identity, ...]:
    """The identities with which ``person`` may decide ``request`` (never a console identity
    for a request made on another platform)."""
    if request.platform == CONSOLE:
        return person.identities
    return tuple(i for i in person.identities if i.platform != CONSOLE)


def stage_people(
    request: ApprovalRequest, stage: Stage, settings: Settings, decisions: Sequence[Decision] = ()
) -> tuple[Person, ...]:
    """Everyone who may decide ``stage`` of ``request`` now."""
    out = excluded(request, stage, settings, decisions)
    return tuple(
        p for p in _candidates(request, stage, settings) if p.key not in out and _usable(p, request)
    )


def approvers(
    request: ApprovalRequest, stage: Stage, settings: Settings, decisions: Sequence[Decision] = ()
) -> tuple[Identity, ...]:
    """Every identity with which someone may decide ``stage`` of ``request``."""
    return tuple(
        i for p in stage_people(request, stage, settings, decisions) for i in _usable(p, request)
    )


def may_decide(
    request: ApprovalRequest,
    stage: Stage,
    who: Identity,
    settings: Settings,
    decisions: Sequence[Decision] = (),
) -> bool:
    """True when ``who`` may approve or reject ``stage`` of ``request``."""
    return who in approvers(request, stage, settings, decisions)


def unfillable(request: ApprovalRequest, settings: Settings) -> list[Stage]:
    """Stages that three different people cannot all be found for, before anyone decides.

    Tries every assignment of people to stages (roles are small) and returns the stages left
    empty by the best one, so that the requester can be told at submit time.
    """
    pools: list[Iterable[Person | None]] = []
    for stage in STAGES:
        people = stage_people(request, stage, settings)
        pools.append([*people, None])
    if all(len(list(pool)) > len(STAGES) for pool in pools):
        return []  # with three or more people for every stage, distinct ones always exist
    best: tuple[Person | None, ...] | None = None
    for choice in product(*pools):
        chosen = [p.key for p in choice if p is not None]
        if len(chosen) != len(set(chosen)):
            continue
        if best is None or len(chosen) > sum(p is not None for p in best):
            best = choice
            if len(chosen) == len(STAGES):
                return []
    assert best is not None  # the all-None choice is always there
    return [stage for stage, person in zip(STAGES, best, strict=True) if person is None]


def refusal(
    request: ApprovalRequest,
    stage: Stage,
    decider: Identity,
    settings: Settings,
    decisions: Sequence[Decision],
) -> str:
    """The sentence telling ``decider`` why they may not decide ``stage``, or "" if they may."""
    directory = settings.directory
    person = directory.person(decider)
    title = texts.STAGE_TITLES[stage.value]
    if person.key == directory.person(request.requester).key:
        return texts.OWN_REQUEST.format(id=request.id)
    if decider.platform == CONSOLE and request.platform != CONSOLE:
        platform = texts.PLATFORM_NAMES.get(request.platform, request.platform)
        return texts.CONSOLE_CANNOT_DECIDE.format(id=request.id, platform=platform)
    for earlier in decisions:
        if earlier.stage is stage:
            break  # the stage itself was decided: the caller says by whom
        if directory.person(earlier.decided_by).key == person.key:
            return texts.DECIDED_EARLIER.format(
                id=request.id, earlier=texts.STAGE_TITLES[earlier.stage.value], stage=title
            )
    if any(p.key == person.key for p in authors(request, settings)):
        return texts.AUTHOR_CANNOT_DECIDE.format(id=request.id, stage=title)
    if not may_decide(request, stage, decider, settings, decisions):
        return texts.NOT_YOURS.format(
            stage=title, id=request.id, deciders=texts.STAGE_DECIDERS[stage.value]
        )
    return ""


def record_name(
    who: Identity,
    settings: Settings,
    request: ApprovalRequest | None = None,
    stage: Stage | None = None,
) -> str:
    """The name a decision is recorded under: the configured name, never a self-chosen one;
    "X acting for Y" when ``who`` decides ``stage`` of ``request`` as someone's delegate."""
    name = settings.directory.name(who) or str(who)
    if request is None or stage is None:
        return name
    person = settings.directory.person(who)
    absent = acting_for(person, _holders(request, stage, settings), settings.delegations)
    return texts.ACTING_FOR.format(name=name, absent=absent.label()) if absent else name


def delegates_of(request: ApprovalRequest, stage: Stage, settings: Settings) -> list[Person]:
    """The people deciding ``stage`` of ``request`` for someone absent (told directly)."""
    holders = _holders(request, stage, settings)
    return delegates(holders, settings.delegations, settings.persons)
