"""The Appendix B form as a pure state machine: a state and an input in, a state and replies out.

No storage and no I/O: the caller keeps :class:`FormState` (``to_json``/``from_json``)
per person after every step and re-asks :func:`current_question` on resume. Which step
follows which is the transition table in :mod:`assistant.form.flow`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from assistant.errors import ValidationError
from assistant.form import prompts
from assistant.form.fields import CHILD_PARTIES, FIELD_KEYS, HOSTS, FieldKind, Step, kind_of
from assistant.form.flow import applies, is_optional, path
from assistant.form.intents import Command, ParsedCommand, parse_command
from assistant.form.parsing import REQUIRED_REASONS, format_date, parse_answer
from assistant.form.state import (
    MAX_HISTORY,
    EventKind,
    FormEvent,
    FormState,
    StepResult,
    first_open,
    prune,
)
from assistant.form.summary import final_answers
from assistant.messages import Action, Button, Citation, Incoming, Kind, Message
from assistant.texts import form as texts

# ---- public entry points -----------------------------------------------------------------


def start_form(*, today: date) -> tuple[FormState, list[Message]]:
    """A fresh form: the opening (which clauses require it) and the first question."""
    del today  # the first question does not depend on the date
    state = FormState()
    citations = tuple(
        Citation(clause_id=cid, section=sec, quote=quote, score=1.0, document=texts.POLICY_DOCUMENT)
        for cid, sec, quote in texts.OPENING_QUOTES
    )
    opening = Message(
        text=texts.OPENING,
        kind=Kind.NOTICE,
        citations=citations,
        buttons=(Button(label=texts.BUTTON_WHOLE_FORM, action=Action.FORM_WHOLE_OPEN),),
        context=texts.OPENING_CONTEXT,
    )
    return state, [opening, current_question(state)]


def current_question(state: FormState) -> Message:
    """The message to show for where ``state`` is (to re-ask on resume)."""
    if state.step is Step.REVIEW:
        return prompts.review(state.answers)
    if not state.step.is_field:
        return prompts.notice(texts.FINISHED.format(state=texts.FINISHED_STATES[state.step.value]))
    return prompts.question(state.step, state.answers, can_go_back=bool(state.history))


def step(state: FormState, incoming: Incoming, *, today: date) -> StepResult:
    """Handle one typed text or pressed button; never raises for anything a person sends."""
    if not state.step.is_field and state.step is not Step.REVIEW:
        return StepResult(state, [current_question(state)])
    command = _command_of(incoming)
    if command is not None:
        return _COMMANDS[command.command](state, command, today)
    if incoming.action not in (None, Action.FORM_CHOOSE, Action.FORM_CHOICES):
        return StepResult(state, [current_question(state)])
    if state.step is Step.REVIEW:
        return StepResult(state, [prompts.notice(texts.REVIEW_UNCLEAR), current_question(state)])
    return _answer(state, incoming, today)


# ---- answers -----------------------------------------------------------------------------


def _answer(state: FormState, incoming: Incoming, today: date) -> StepResult:
    if not _choice_fits(state.step, incoming):
        return StepResult(state, [prompts.notice(texts.STALE_BUTTON), current_question(state)])
    try:
        updates = parse_answer(
            state.step,
            text=incoming.text,
            values=_values(incoming),
            mentions=incoming.mentions,
            me=incoming.user,
            my_name=incoming.display_name,
            answers=state.answers,
            today=today,
        )
    except ValidationError as exc:
        return StepResult(state, [prompts.error(str(exc), exc.clause), current_question(state)])
    answers = {**state.answers, **updates}
    notes: list[Message] = []
    closure = answers.get("closure")
    if state.step is Step.GO_LIVE and closure and closure <= answers["go_live"]:
        notes.append(
            prompts.notice(
                texts.CLOSURE_CLEARED.format(closure=format_date(date.fromisoformat(closure)))
            )
        )
        del answers["closure"]
    return _advance(state, prune(answers), notes)


def _choice_fits(step: Step, incoming: Incoming) -> bool:
    """True unless a choice button belongs to another question than ``step``.

    Audience and contributors offer the same options, so an old "Next" must say whose it
    is: its value is its field. A single choice's value is one of the host options, which
    no other question offers.
    """
    kind = kind_of(step)
    if incoming.action is Action.FORM_CHOICES:
        return kind is FieldKind.PARTIES and incoming.value.strip() == step.value
    if incoming.action is Action.FORM_CHOOSE:
        return kind is FieldKind.HOST and incoming.value.strip() in HOSTS
    return True


def _values(incoming: Incoming) -> tuple[str, ...]:
    if incoming.action is Action.FORM_CHOICES:
        return incoming.values  # the value names the field, never an option
    if incoming.values:
        return incoming.values
    if incoming.value:
        return tuple(v.strip() for v in incoming.value.split(",") if v.strip())
    return ()


def active_warnings(answers: Mapping[str, Any]) -> list[str]:
    """Clauses to point out (without blocking) given the answers: A.2.5 and A.5.2."""
    found = []
    ages = answers.get("audience_age_range")
    if (
        answers.get("host") == "third_party"
        and "pupils" in (answers.get("audience") or ())
        and isinstance(ages, dict)
        and ages.get("low", 99) < 13
    ):
        found.append("A.2.5")
    if CHILD_PARTIES.intersection(answers.get("contributors") or ()):
        found.append("A.5.2")
    return found


def _push(history: tuple[Step, ...], current: Step) -> tuple[Step, ...]:
    return (*history, current)[-MAX_HISTORY:]


def _advance(state: FormState, answers: dict[str, Any], notes: list[Message]) -> StepResult:
    target = first_open(answers, after=state.step)
    new_warnings = [w for w in active_warnings(answers) if w not in state.warnings_shown]
    notes += [prompts.notice(texts.WARNINGS[w]) for w in new_warnings]
    if target is Step.REVIEW:
        history = tuple(path(answers))
        if state.editing or state.step is not path(answers)[-1]:
            notes.insert(0, prompts.notice(texts.ANSWER_SAVED_REVIEW))
    else:
        history = _push(state.history, state.step)
    new = FormState(
        step=target,
        answers=answers,
        history=history,
        editing=False,
        warnings_shown=(*state.warnings_shown, *new_warnings),
    )
    return StepResult(new, [*notes, current_question(new)])


# ---- commands ----------------------------------------------------------------------------

_ACTION_COMMANDS = {
    Action.FORM_BACK: Command.BACK,
    Action.FORM_SKIP: Command.SKIP,
    Action.FORM_CANCEL: Command.CANCEL,
    Action.FORM_SUBMIT: Command.SUBMIT,
    Action.FORM_EDIT: Command.EDIT,
}


def _command_of(incoming: Incoming) -> ParsedCommand | None:
    if incoming.action is None:
        return parse_command(incoming.text)
    command = _ACTION_COMMANDS.get(incoming.action)
    if command is Command.EDIT:
        name = incoming.value.strip()
        target = Step(name) if name in FIELD_KEYS else None
        return ParsedCommand(Command.EDIT, target, name)
    return ParsedCommand(command) if command else None


def _back(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    history = list(state.history)
    while history:
        target = history.pop()
        usable = target is Step.REVIEW or (target.is_field and applies(target, state.answers))
        if usable and target is not state.step:
            new = replace(state, step=target, history=tuple(history), editing=target.is_field)
            return StepResult(new, [current_question(new)])
    return StepResult(state, [prompts.notice(texts.BACK_AT_START), current_question(state)])


def _skip(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    if state.step is Step.REVIEW:
        return StepResult(state, [prompts.notice(texts.REVIEW_UNCLEAR), current_question(state)])
    if is_optional(state.step, state.answers):
        return _advance(state, {**state.answers, state.step.value: ""}, [])
    name = texts.SHORT_NAMES[state.step.value]
    if state.step in REQUIRED_REASONS:
        reason, clause = REQUIRED_REASONS[state.step]
        refusal = prompts.error(texts.SKIP_REQUIRED_CLAUSE.format(name=name, reason=reason), clause)
    else:
        refusal = prompts.error(texts.SKIP_REQUIRED.format(name=name))
    return StepResult(state, [refusal, current_question(state)])


def _edit(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    target, answers = command.target, state.answers
    if target is None:
        template = texts.EDIT_UNKNOWN if command.name else texts.EDIT_WHICH
        text = template.replace("{name}", command.name[:60])
        return StepResult(state, [prompts.edit_menu(text, answers)])
    name = texts.SHORT_NAMES[target.value]
    if not applies(target, answers):
        message = texts.EDIT_NOT_APPLICABLE.format(name=name)
        return StepResult(state, [prompts.notice(message), current_question(state)])
    if target is state.step:
        return StepResult(state, [current_question(state)])
    if target.value not in answers:
        message = texts.EDIT_NOT_YET.format(name=name)
        return StepResult(state, [prompts.notice(message), current_question(state)])
    new = replace(state, step=target, history=_push(state.history, state.step), editing=True)
    return StepResult(new, [current_question(new)])


def _cancel(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    new = FormState(step=Step.CANCELLED)
    return StepResult(new, [prompts.notice(texts.CANCELLED)], FormEvent(EventKind.CANCELLED))


def _submit(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    if state.step is not Step.REVIEW:
        return StepResult(state, [prompts.notice(texts.SUBMIT_NOT_YET), current_question(state)])
    go_live = state.answers.get("go_live")
    if go_live and date.fromisoformat(go_live) < today:
        new = replace(state, step=Step.GO_LIVE, history=_push(state.history, Step.REVIEW))
        past = texts.DATE_PAST.format(
            date=format_date(date.fromisoformat(go_live)), today=format_date(today)
        )
        return StepResult(new, [prompts.error(past, "A.3.6"), current_question(new)])
    missing = first_open(state.answers)
    if missing is not Step.REVIEW:
        new = replace(state, step=missing, history=_push(state.history, Step.REVIEW))
        return StepResult(new, [prompts.notice(texts.SUBMIT_NOT_YET), current_question(new)])
    answers = final_answers(state.answers)
    new = FormState(step=Step.SUBMITTED, answers=answers, warnings_shown=state.warnings_shown)
    event = FormEvent(EventKind.SUBMITTED, answers)
    # The workflow confirms the submission (with the request number): nothing to say here.
    return StepResult(new, [], event)


def _help(state: FormState, command: ParsedCommand, today: date) -> StepResult:
    return StepResult(state, [prompts.notice(texts.HELP), current_question(state)])


_COMMANDS: dict[Command, Callable[[FormState, ParsedCommand, date], StepResult]] = {
    Command.BACK: _back,
    Command.SKIP: _skip,
    Command.EDIT: _edit,
    Command.CANCEL: _cancel,
    Command.SUBMIT: _submit,
    Command.HELP: _help,
}
