"""The whole Appendix B form at once (a dialog): every field checked by the conversation's rules.

:func:`check_whole` turns every field's raw input into the answers the step-by-step form
stores, or into one error per field; :func:`review_whole` puts valid answers at the same
review the conversation ends with, so submission still goes through Submit.
:func:`whole_fields` describes the fields for adapters that draw the dialog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.errors import ValidationError
from assistant.form import prompts
from assistant.form.fields import FIELD_STEPS, FieldKind, Step, kind_of
from assistant.form.flow import CONDITIONS, applies, is_optional, path
from assistant.form.machine import active_warnings, current_question
from assistant.form.parsing import REQUIRED_REASONS, clean, parse_answer
from assistant.form.state import FormState, prune
from assistant.messages import FieldInput, Identity, Kind, Message, Option
from assistant.texts import form as texts

# Free-text fields that take more than a line.
_MULTILINE = frozenset(
    {
        Step.AIMS,
        Step.CONTENT,
        Step.AUDIENCE_OTHERS,
        Step.CONTRIBUTORS_OTHERS,
        Step.VETTING,
        Step.ADVERTISING,
        Step.CONSENT,
        Step.SECURITY,
    }
)
# Kinds whose empty input is "not answered" rather than something to parse.
_BLANKABLE = (FieldKind.TEXT, FieldKind.DATE, FieldKind.AGE_RANGE)


@dataclass(frozen=True)
class WholeField:
    """One field of the whole-form dialog: what to ask, how, and whether it may stay blank."""

    key: str
    label: str
    hint: str
    kind: FieldKind
    options: tuple[Option, ...] = ()
    optional: bool = False  # needed only in some cases (the rules decide on submit)
    multiline: bool = False
    initial: FieldInput = FieldInput()  # the draft's answer, as the dialog would send it back


@dataclass(frozen=True)
class WholeForm:
    """The outcome of checking a whole form: the answers, or an error per field key."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def whole_fields(answers: Mapping[str, Any] | None = None) -> tuple[WholeField, ...]:
    """Every field of Appendix B in order, as the dialog asks for it, each with the answer
    ``answers`` (a draft's) already gives it."""
    answers = answers or {}
    fields = []
    for step in FIELD_STEPS:
        wording, hint = texts.QUESTIONS[step.value]
        optional = step in CONDITIONS or step in (Step.VETTING, Step.ADVERTISING)
        if optional:
            hint = f"{texts.WHOLE_FORM_WHEN[step.value]} {hint}"
        choices = prompts.choices_for(step)
        fields.append(
            WholeField(
                key=step.value,
                label=wording,
                hint=hint,
                kind=kind_of(step),
                options=choices.options if choices else (),
                optional=optional,
                multiline=step in _MULTILINE,
                initial=initial_input(step, answers.get(step.value)),
            )
        )
    return tuple(fields)


def initial_input(step: Step, answer: Any) -> FieldInput:
    """A stored answer as the dialog's input for its field (nothing for no answer)."""
    if answer is None or answer == "":
        return FieldInput()
    kind = kind_of(step)
    if kind in (FieldKind.PERSON, FieldKind.PEOPLE):
        # Picked people as "@Name" beside their identities, in order; others by name alone.
        mentions, parts = [], []
        for person in (p for p in answer if isinstance(p, Mapping)):
            name = str(person.get("name") or "")
            try:
                mentions.append(Identity.parse(str(person.get("identity") or "")))
                parts.append("@" + name)
            except ValueError:
                parts.append(name)
        return FieldInput(text=", ".join(p for p in parts if p), mentions=tuple(mentions))
    if kind is FieldKind.PARTIES:
        return FieldInput(values=tuple(str(v) for v in answer))
    if kind is FieldKind.HOST:
        return FieldInput(values=(str(answer),))
    if kind is FieldKind.AGE_RANGE and isinstance(answer, Mapping):
        low, high = answer.get("low"), answer.get("high")
        return FieldInput(text=str(low) if low == high else f"{low}-{high}")
    return FieldInput(text=str(answer))


def check_whole(
    fields: Mapping[str, FieldInput], *, me: Identity | None, my_name: str = "", today: date
) -> WholeForm:
    """Every field checked in form order by the conversation's rules; inputs to follow-up
    fields that do not apply (e.g. an age range without pupils ticked) are ignored."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for step in FIELD_STEPS:
        # Follow-ups are judged on the answers before them; a refused parent asks for none.
        if not applies(step, answers):
            continue
        given = fields.get(step.value, FieldInput())
        try:
            answers.update(_one(step, given, answers, me=me, my_name=my_name, today=today))
        except ValidationError as exc:
            errors[step.value] = _with_clause(str(exc), exc.clause)
    if errors:
        return WholeForm(errors=errors)
    return WholeForm(answers=prune(answers))


def review_whole(answers: Mapping[str, Any]) -> tuple[FormState, list[Message]]:
    """A form at its review with these answers: the warnings that apply, then the review."""
    warnings = tuple(active_warnings(answers))
    state = FormState(
        step=Step.REVIEW,
        answers=dict(answers),
        history=tuple(path(answers)),
        warnings_shown=warnings,
    )
    notes = [prompts.notice(texts.WARNINGS[w]) for w in warnings]
    return state, [*notes, current_question(state)]


def errors_message(errors: Mapping[str, str]) -> Message:
    """A refused whole form: each field's error (adapters show them under the fields)."""
    return Message(
        text=texts.WHOLE_FORM_ERRORS.format(count=len(errors)),
        kind=Kind.ERROR,
        facts=tuple((texts.SHORT_NAMES[key].capitalize(), error) for key, error in errors.items()),
        field_errors=tuple(errors.items()),
    )


# ---- one field ---------------------------------------------------------------------------


def _one(
    step: Step,
    given: FieldInput,
    answers: Mapping[str, Any],
    *,
    me: Identity | None,
    my_name: str,
    today: date,
) -> dict[str, Any]:
    blank = not clean(given.text) and not given.values and not given.mentions
    if blank and step.value in answers:
        return {}  # e.g. the host's name, already read from the host answer
    if blank and kind_of(step) in _BLANKABLE:
        if is_optional(step, answers):
            return {step.value: ""}
        raise _required(step)
    return parse_answer(
        step,
        text=given.text,
        values=given.values,
        mentions=given.mentions,
        me=me,
        my_name=my_name,
        answers=answers,
        today=today,
    )


def _required(step: Step) -> ValidationError:
    if step in REQUIRED_REASONS:
        reason, clause = REQUIRED_REASONS[step]
        name = texts.SHORT_NAMES[step.value]
        message = texts.WHOLE_FORM_REQUIRED_CLAUSE.format(name=name, reason=reason)
        return ValidationError(message, clause=clause)
    return ValidationError(texts.WHOLE_FORM_FOLLOW_UP_REQUIRED.get(step.value, texts.EMPTY))


def _with_clause(message: str, clause: str | None) -> str:
    """The error with its clause, unless the sentence already quotes it."""
    if not clause or clause in message:
        return message
    return f"{message} ({texts.CLAUSE_FOOTER.format(clause=clause)})"
