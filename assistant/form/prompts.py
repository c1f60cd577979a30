"""The messages the form shows: a question with its hint and choices, and the review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.form.fields import HOSTS, PARTIES, FieldKind, Step, kind_of, section_of
from assistant.form.flow import is_optional, path
from assistant.form.summary import display, summary_rows
from assistant.messages import Action, Button, ChoiceSet, Kind, Message, Option
from assistant.texts import form as texts

_CANCEL = Button(label=texts.BUTTON_CANCEL, action=Action.FORM_CANCEL, style="danger")


def choices_for(step: Step) -> ChoiceSet | None:
    """The choices offered with a question (None for typed answers)."""
    kind = kind_of(step)
    if kind is FieldKind.PARTIES:
        options = tuple(Option(label=texts.PARTY_OPTIONS[v], value=v) for v in PARTIES)
        return ChoiceSet(options=options, multiple=True)
    if kind is FieldKind.HOST:
        options = tuple(Option(label=texts.HOST_OPTIONS[v], value=v) for v in HOSTS)
        return ChoiceSet(options=options, multiple=False)
    return None


def question(step: Step, answers: Mapping[str, Any], *, can_go_back: bool) -> Message:
    """Ask for ``step``: the section and question, the current answer if any, and a hint."""
    wording, hint = texts.QUESTIONS[step.value]
    lines = [f"{section_of(step)}: {wording}"]
    if step.value in answers:
        lines.append(texts.CURRENT_ANSWER.format(value=display(step, answers[step.value])))
    buttons: list[Button] = []
    if can_go_back:
        buttons.append(Button(label=texts.BUTTON_BACK, action=Action.FORM_BACK))
    if is_optional(step, answers):
        lines.append(texts.OPTIONAL_NOTE)
        buttons.append(Button(label=texts.BUTTON_SKIP, action=Action.FORM_SKIP))
    buttons.append(_CANCEL)
    return Message(
        text="\n".join(lines),
        kind=Kind.QUESTION,
        choices=choices_for(step),
        buttons=tuple(buttons),
        context=hint,
        field=step.value,
        people=kind_of(step) in (FieldKind.PERSON, FieldKind.PEOPLE),
    )


def review(answers: Mapping[str, Any]) -> Message:
    """All answers in Appendix B's order, with Submit / Edit / Cancel."""
    return Message(
        text=texts.REVIEW,
        kind=Kind.REVIEW,
        facts=tuple(summary_rows(answers)),
        buttons=(
            Button(label=texts.BUTTON_SUBMIT, action=Action.FORM_SUBMIT, style="primary"),
            Button(label=texts.BUTTON_EDIT, action=Action.FORM_EDIT),
            _CANCEL,
        ),
        context=texts.REVIEW_CONTEXT,
    )


def edit_names(answers: Mapping[str, Any]) -> list[Step]:
    """The answered fields a person may change, in form order."""
    return [s for s in path(answers) if s.value in answers]


def edit_menu(text: str, answers: Mapping[str, Any]) -> Message:
    """Which answer to change: the list in words and one button per answer."""
    steps = edit_names(answers)
    names = ", ".join(texts.SHORT_NAMES[s.value] for s in steps)
    buttons = tuple(
        Button(label=texts.SHORT_NAMES[s.value], action=Action.FORM_EDIT, value=s.value)
        for s in steps
    )
    return Message(text=text.format(names=names), kind=Kind.NOTICE, buttons=buttons)


def notice(text: str) -> Message:
    """A short notice."""
    return Message(text=text, kind=Kind.NOTICE)


def error(text: str, clause: str | None = None) -> Message:
    """A refused answer; the clause behind the rule goes in the footer."""
    return Message(
        text=text,
        kind=Kind.ERROR,
        context=texts.CLAUSE_FOOTER.format(clause=clause) if clause else "",
    )
