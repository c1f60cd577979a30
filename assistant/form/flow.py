"""The form's transition table: which step follows which, given the answers so far.

Read a row as "after FROM, if GUARD holds, go to TO"; the first matching row wins and
the last row of every step is ``always``. Follow-up questions (age range, school names,
other details, host name, consent) exist only on the branch that asks for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.form.fields import CHILD_PARTIES, EXTERNAL_PARTIES, FIELD_STEPS, Step

Answers = Mapping[str, Any]

# Words in the contributors' "others" details that mean children or adults with learning
# disabilities are among the contributors (so the consent question applies).
_CHILD_WORDS = re.compile(
    r"\b(child|children|kids?|pupils?|students?|young (people|person)|minors?|under[- ]?18s?|"
    r"learning disabilit\w*|learning difficult\w*|send|sen|special (educational )?needs)\b",
    re.IGNORECASE,
)


def _ticked(answers: Answers, key: str) -> tuple[str, ...]:
    value = answers.get(key)
    return tuple(value) if isinstance(value, list | tuple) else ()


class Guard(StrEnum):
    """A named condition on the answers, used by the transition table."""

    ALWAYS = "always"
    AUDIENCE_PUPILS = "audience includes pupils of the school"
    AUDIENCE_OTHER_SCHOOLS = "audience includes pupils from other schools"
    AUDIENCE_OTHERS = "audience includes others"
    CONTRIBUTORS_PUPILS = "contributors include pupils of the school"
    CONTRIBUTORS_OTHER_SCHOOLS = "contributors include pupils from other schools"
    CONTRIBUTORS_OTHERS = "contributors include others"
    THIRD_PARTY_HOST = "a third party hosts the site"
    CHILD_CONTRIBUTORS = "contributors include children or adults with learning disabilities"

    def holds(self, answers: Answers) -> bool:
        return _GUARDS[self](answers)


def has_external_contributors(answers: Answers) -> bool:
    """True when anyone other than the school's pupils and staff is to contribute."""
    return bool(EXTERNAL_PARTIES.intersection(_ticked(answers, "contributors")))


def has_child_contributors(answers: Answers) -> bool:
    """Pupils (ours or other schools') contribute, or the "others" details mention children
    or adults with learning disabilities."""
    if CHILD_PARTIES.intersection(_ticked(answers, "contributors")):
        return True
    others = answers.get("contributors_others")
    return (
        "others" in _ticked(answers, "contributors")
        and isinstance(others, str)
        and bool(_CHILD_WORDS.search(others))
    )


_GUARDS: dict[Guard, Callable[[Answers], bool]] = {
    Guard.ALWAYS: lambda a: True,
    Guard.AUDIENCE_PUPILS: lambda a: "pupils" in _ticked(a, "audience"),
    Guard.AUDIENCE_OTHER_SCHOOLS: lambda a: "other_schools" in _ticked(a, "audience"),
    Guard.AUDIENCE_OTHERS: lambda a: "others" in _ticked(a, "audience"),
    Guard.CONTRIBUTORS_PUPILS: lambda a: "pupils" in _ticked(a, "contributors"),
    Guard.CONTRIBUTORS_OTHER_SCHOOLS: lambda a: "other_schools" in _ticked(a, "contributors"),
    Guard.CONTRIBUTORS_OTHERS: lambda a: "others" in _ticked(a, "contributors"),
    Guard.THIRD_PARTY_HOST: lambda a: a.get("host") == "third_party",
    Guard.CHILD_CONTRIBUTORS: has_child_contributors,
}


@dataclass(frozen=True)
class Transition:
    """One row of the table: after ``source``, if ``guard`` holds, go to ``target``."""

    source: Step
    guard: Guard
    target: Step


S, G = Step, Guard
TRANSITIONS: tuple[Transition, ...] = tuple(
    Transition(source=a, guard=g, target=b)
    for a, g, b in (
        (S.DEPARTMENT, G.ALWAYS, S.AUTHOR),
        (S.AUTHOR, G.ALWAYS, S.LINE_MANAGER),
        (S.LINE_MANAGER, G.ALWAYS, S.AIMS),
        (S.AIMS, G.ALWAYS, S.CONTENT),
        (S.CONTENT, G.ALWAYS, S.AUDIENCE),
        (S.AUDIENCE, G.AUDIENCE_PUPILS, S.AUDIENCE_AGE_RANGE),
        (S.AUDIENCE, G.AUDIENCE_OTHER_SCHOOLS, S.AUDIENCE_SCHOOLS),
        (S.AUDIENCE, G.AUDIENCE_OTHERS, S.AUDIENCE_OTHERS),
        (S.AUDIENCE, G.ALWAYS, S.CONTRIBUTORS),
        (S.AUDIENCE_AGE_RANGE, G.AUDIENCE_OTHER_SCHOOLS, S.AUDIENCE_SCHOOLS),
        (S.AUDIENCE_AGE_RANGE, G.AUDIENCE_OTHERS, S.AUDIENCE_OTHERS),
        (S.AUDIENCE_AGE_RANGE, G.ALWAYS, S.CONTRIBUTORS),
        (S.AUDIENCE_SCHOOLS, G.AUDIENCE_OTHERS, S.AUDIENCE_OTHERS),
        (S.AUDIENCE_SCHOOLS, G.ALWAYS, S.CONTRIBUTORS),
        (S.AUDIENCE_OTHERS, G.ALWAYS, S.CONTRIBUTORS),
        (S.CONTRIBUTORS, G.CONTRIBUTORS_PUPILS, S.CONTRIBUTORS_AGE_RANGE),
        (S.CONTRIBUTORS, G.CONTRIBUTORS_OTHER_SCHOOLS, S.CONTRIBUTORS_SCHOOLS),
        (S.CONTRIBUTORS, G.CONTRIBUTORS_OTHERS, S.CONTRIBUTORS_OTHERS),
        (S.CONTRIBUTORS, G.ALWAYS, S.ADMINISTRATORS),
        (S.CONTRIBUTORS_AGE_RANGE, G.CONTRIBUTORS_OTHER_SCHOOLS, S.CONTRIBUTORS_SCHOOLS),
        (S.CONTRIBUTORS_AGE_RANGE, G.CONTRIBUTORS_OTHERS, S.CONTRIBUTORS_OTHERS),
        (S.CONTRIBUTORS_AGE_RANGE, G.ALWAYS, S.ADMINISTRATORS),
        (S.CONTRIBUTORS_SCHOOLS, G.CONTRIBUTORS_OTHERS, S.CONTRIBUTORS_OTHERS),
        (S.CONTRIBUTORS_SCHOOLS, G.ALWAYS, S.ADMINISTRATORS),
        (S.CONTRIBUTORS_OTHERS, G.ALWAYS, S.ADMINISTRATORS),
        (S.ADMINISTRATORS, G.ALWAYS, S.MODERATORS),
        (S.MODERATORS, G.ALWAYS, S.VETTING),
        (S.VETTING, G.ALWAYS, S.HOST),
        (S.HOST, G.THIRD_PARTY_HOST, S.HOST_NAME),
        (S.HOST, G.ALWAYS, S.GO_LIVE),
        (S.HOST_NAME, G.ALWAYS, S.GO_LIVE),
        (S.GO_LIVE, G.ALWAYS, S.CLOSURE),
        (S.CLOSURE, G.ALWAYS, S.ADVERTISING),
        (S.ADVERTISING, G.CHILD_CONTRIBUTORS, S.CONSENT),
        (S.ADVERTISING, G.ALWAYS, S.SECURITY),
        (S.CONSENT, G.ALWAYS, S.SECURITY),
        (S.SECURITY, G.ALWAYS, S.REVIEW),
    )
)
FIRST_STEP = Step.DEPARTMENT

# The guard under which a follow-up field exists at all; other fields always exist.
CONDITIONS: dict[Step, Guard] = {
    S.AUDIENCE_AGE_RANGE: G.AUDIENCE_PUPILS,
    S.AUDIENCE_SCHOOLS: G.AUDIENCE_OTHER_SCHOOLS,
    S.AUDIENCE_OTHERS: G.AUDIENCE_OTHERS,
    S.CONTRIBUTORS_AGE_RANGE: G.CONTRIBUTORS_PUPILS,
    S.CONTRIBUTORS_SCHOOLS: G.CONTRIBUTORS_OTHER_SCHOOLS,
    S.CONTRIBUTORS_OTHERS: G.CONTRIBUTORS_OTHERS,
    S.HOST_NAME: G.THIRD_PARTY_HOST,
    S.CONSENT: G.CHILD_CONTRIBUTORS,
}
del S, G


def next_step(step: Step, answers: Answers) -> Step:
    """The step after ``step`` by the transition table."""
    for row in TRANSITIONS:
        if row.source is step and row.guard.holds(answers):
            return row.target
    raise ValueError(f"no transition from {step.value}")


def applies(step: Step, answers: Answers) -> bool:
    """True when ``step`` is asked at all, given the answers."""
    guard = CONDITIONS.get(step)
    return guard is None or guard.holds(answers)


def path(answers: Answers) -> list[Step]:
    """The field steps that apply, in the order they are asked."""
    steps, step = [], FIRST_STEP
    while step.is_field:
        steps.append(step)
        step = next_step(step, answers)
    return steps


def is_optional(step: Step, answers: Answers) -> bool:
    """Vetting and advertising may be skipped when no external contributors are proposed."""
    if step in (Step.VETTING, Step.ADVERTISING):
        return not has_external_contributors(answers)
    return False


def field_steps() -> tuple[Step, ...]:
    """Every field step in Appendix B order."""
    return FIELD_STEPS
