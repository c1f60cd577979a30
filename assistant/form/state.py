"""The form's state (what the draft store keeps) and the result of one step."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from assistant.errors import InputError
from assistant.form.fields import FIELD_KEYS, HOSTS, PARTIES, FieldKind, Step, kind_of
from assistant.form.flow import FIRST_STEP, applies, path
from assistant.messages import Message
from assistant.texts import form as texts

MAX_HISTORY = 64
STATE_VERSION = 1


@dataclass(frozen=True)
class FormState:
    """One person's place in the form; never mutated (every step returns a new one)."""

    step: Step = FIRST_STEP
    answers: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[Step, ...] = ()
    editing: bool = False
    warnings_shown: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The state as JSON (what the draft store keeps)."""
        return json.dumps(
            {
                "version": STATE_VERSION,
                "step": self.step.value,
                "answers": dict(self.answers),
                "history": [s.value for s in self.history],
                "editing": self.editing,
                "warnings_shown": list(self.warnings_shown),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> FormState:
        """Load a draft; unknown keys, fields and steps of older versions are dropped."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise InputError(f"form draft is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InputError("form draft is not a JSON object")
        raw = data.get("answers")
        answers = prune(
            {k: v for k, v in raw.items() if k in FIELD_KEYS and well_formed(Step(k), v)}
            if isinstance(raw, dict)
            else {}
        )
        known = {s.value for s in Step}
        history = tuple(Step(s) for s in data.get("history") or () if s in known)
        step = Step(data["step"]) if data.get("step") in known else first_open(answers)
        if step.is_field and not applies(step, answers):
            step = first_open(answers)
        warnings = tuple(str(w) for w in data.get("warnings_shown") or () if w in texts.WARNINGS)
        return cls(
            step=step,
            answers=answers,
            history=history[-MAX_HISTORY:],
            editing=bool(data.get("editing", False)),
            warnings_shown=warnings,
        )


class EventKind(StrEnum):
    """What the caller must act on after a step."""

    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FormEvent:
    """The form ended: submitted with its final answers, or cancelled (answers empty)."""

    kind: EventKind
    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    """The new state, the messages to show, and an event when the form has ended."""

    state: FormState
    messages: list[Message]
    event: FormEvent | None = None


def prune(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to follow-up questions that no longer apply."""
    pruned = dict(answers)
    while True:
        stale = [k for k in pruned if not applies(Step(k), pruned)]
        if not stale:
            return pruned
        for key in stale:
            del pruned[key]


def first_open(answers: Mapping[str, Any], after: Step | None = None) -> Step:
    """The first unanswered question (after ``after`` if given, else from the start)."""
    steps = path(answers)
    if after is not None and after in steps:
        later = steps[steps.index(after) + 1 :]
        found = next((s for s in later if s.value not in answers), None)
        if found is not None:
            return found
    return next((s for s in steps if s.value not in answers), Step.REVIEW)


def well_formed(step: Step, value: Any) -> bool:
    """True when a stored answer has the shape its field's parser produces."""
    kind = kind_of(step)
    if kind in (FieldKind.PERSON, FieldKind.PEOPLE):
        return isinstance(value, list) and all(
            isinstance(p, dict)
            and bool(p.get("name") or p.get("identity"))
            and isinstance(p.get("name", ""), str)
            and isinstance(p.get("identity"), str | None)
            for p in value
        )
    if kind is FieldKind.PARTIES:
        return isinstance(value, list) and bool(value) and all(v in PARTIES for v in value)
    if kind is FieldKind.HOST:
        return value in HOSTS
    if kind is FieldKind.AGE_RANGE:
        return isinstance(value, dict) and all(
            isinstance(value.get(k), int) for k in ("low", "high")
        )
    if kind is FieldKind.DATE:
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    return isinstance(value, str)
