"""A :class:`~assistant.messages.Message` -> an Adaptive Card (v1.4) or escaped plain text.

Everything the core says is plain text. In a card it goes into RichTextBlocks, whose TextRuns
Teams shows exactly as written (no Markdown), so a clause reads as the policy words it on
every client; only FactSets and text messages, which Teams reads as Markdown, are escaped
(:mod:`assistant.adapters.teams.markdown`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity

from assistant.adapters.teams.markdown import escape_markdown, escape_text
from assistant.form.fields import MAX_ANSWER_CHARS, FieldKind, Step, kind_of
from assistant.form.parsing import format_date
from assistant.messages import Action, Button, Kind, Message
from assistant.texts import form as form_texts
from assistant.texts import teams as texts

CARD_VERSION = "1.4"
CARD_KINDS = frozenset({Kind.ANSWER, Kind.QUESTION, Kind.REVIEW, Kind.APPROVAL, Kind.DECIDED})
MAX_ACTION_BUTTONS = 5  # Teams shows at most six actions on a card; keep one spare
__all__ = ["activity_for", "card", "escape_markdown", "escape_text", "needs_card", "plain_text"]
# A typed form answer's submit: ``{ANSWER_FIELD: <field key>, ANSWER_INPUT: <what was entered>}``,
# handed to the core as if it had been typed into the chat.
ANSWER_FIELD = "form_answer"
ANSWER_INPUT = "answer"
_BLOCK_KEYS = frozenset({"spacing", "separator", "horizontalAlignment"})


def _text_block(text: str, **style: Any) -> dict[str, Any]:
    """Plain text shown as written: one RichTextBlock per line (a TextRun reads no Markdown).

    Each line is its own block because a line break inside a TextRun is not kept by every
    client; an empty line becomes space above the next block.
    """
    block_style = {k: v for k, v in style.items() if k in _BLOCK_KEYS}
    run_style = {k: v for k, v in style.items() if k not in _BLOCK_KEYS}
    blocks: list[dict[str, Any]] = []
    gap = False
    for line in text.split("\n"):
        if not line.strip():
            gap = bool(blocks)
            continue
        block: dict[str, Any] = {
            "type": "RichTextBlock",
            "inlines": [{"type": "TextRun", "text": line, **run_style}],
        }
        if blocks:
            block["spacing"] = "Medium" if gap else "None"
        else:
            block.update(block_style)
        blocks.append(block)
        gap = False
    if not blocks:
        return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}
    if len(blocks) == 1:
        return blocks[0]
    return {"type": "Container", "items": blocks, **block_style}


def plain_text(element: dict[str, Any]) -> str:
    """The text a block made by :func:`_text_block` shows, lines joined with newlines."""
    if element.get("type") == "RichTextBlock":
        return "".join(run["text"] for run in element["inlines"])
    return "\n".join(plain_text(item) for item in element.get("items", []))


def _submit(title: str, data: dict[str, Any], style: str = "") -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    return action


def _button(button: Button) -> dict[str, Any]:
    style = {"primary": "positive", "danger": "destructive"}.get(button.style, "")
    data = {"action": button.action.value, "value": button.value}
    if not button.needs_reason:
        return _submit(button.label, data, style)
    back = button.action is Action.SEND_BACK
    reason = {
        "type": "Input.Text",
        "id": "reason",
        "label": texts.NOTE_LABEL if back else texts.REASON_LABEL,
        "placeholder": texts.NOTE_PLACEHOLDER if back else texts.REASON_PLACEHOLDER,
        "isMultiline": True,
        "isRequired": True,
        "errorMessage": texts.REASON_REQUIRED,
        "maxLength": 1000,
    }
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": [reason],
            "actions": [
                _submit(texts.SEND_BACK, data, "positive")
                if back
                else _submit(texts.SEND_REJECTION, data, style or "destructive")
            ],
        },
    }


def _citations(message: Message) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for citation in message.citations:
        title = texts.CLAUSE_TITLE.format(clause_id=citation.clause_id, section=citation.section)
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    _text_block(title, weight="Bolder"),
                    _text_block(citation.quote, isSubtle=False),
                ],
            }
        )
    sources = {(c.document, c.reviewed) for c in message.citations if c.document}
    for document, reviewed in sorted(sources):
        line = texts.REVIEWED.format(document=document, reviewed=reviewed) if reviewed else document
        body.append(_text_block(line, isSubtle=True, size="Small", spacing="Medium"))
    return body


def _choices(message: Message) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(body elements, actions) for a form question's choices."""
    choices = message.choices
    if choices is None:
        return [], []
    options = [{"title": o.label, "value": o.value} for o in choices.options]
    if choices.multiple:
        element = {
            "type": "Input.ChoiceSet",
            "id": "choices",
            "isMultiSelect": True,
            "style": "expanded",
            "choices": options,
        }
        # The value names the question, so an old card's Next cannot answer a later one.
        next_data = {"action": choices.action.value, "value": message.field}
        return [element], [_submit(texts.NEXT, next_data)]
    if len(choices.options) <= MAX_ACTION_BUTTONS:
        actions = [
            _submit(o.label, {"action": choices.action.value, "value": o.value})
            for o in choices.options
        ]
        return [], actions
    element = {
        "type": "Input.ChoiceSet",
        "id": "choice",
        "style": "compact",
        "placeholder": texts.CHOOSE_ONE,
        "isRequired": True,
        "choices": options,
    }
    return [element], [_submit(texts.NEXT, {"action": choices.action.value})]


def _answer_input(message: Message) -> dict[str, Any] | None:
    """A date picker or a text box for a typed form question, else None.

    The answer still reaches the core as typed text: Input.Date gives ``yyyy-mm-dd``, which
    the form reads as a date, and typing the answer into the chat keeps working.
    """
    if message.kind is not Kind.QUESTION or message.choices is not None or message.people:
        return None
    try:
        kind = kind_of(Step(message.field))
    except ValueError:
        return None
    element: dict[str, Any] = {
        "id": ANSWER_INPUT,
        "isRequired": True,
        "errorMessage": texts.ANSWER_REQUIRED,
    }
    if kind is FieldKind.DATE:
        return {"type": "Input.Date", **element, "placeholder": texts.DATE_PLACEHOLDER}
    if kind not in (FieldKind.TEXT, FieldKind.AGE_RANGE):
        return None
    return {
        "type": "Input.Text",
        **element,
        "placeholder": texts.ANSWER_PLACEHOLDER,
        "isMultiline": kind is FieldKind.TEXT,
        "maxLength": MAX_ANSWER_CHARS,
    }


def answered(field: str, answer: str) -> Message:
    """What a question card becomes once answered in it: the question and what was entered,
    with no input left, so an old card cannot answer a later question."""
    question = form_texts.QUESTIONS.get(field, ("", ""))[0]
    try:
        shown = format_date(date.fromisoformat(answer))  # as Input.Date sent it
    except ValueError:
        shown = answer
    entered = texts.YOU_ENTERED.format(answer=shown)
    return Message(text=f"{question}\n{entered}" if question else entered, kind=Kind.QUESTION)


def card(message: Message) -> dict[str, Any]:
    """The Adaptive Card for ``message``."""
    body: list[dict[str, Any]] = []
    if message.text:
        body.append(_text_block(message.text))
    body.extend(_citations(message))
    if message.facts:
        facts = [
            {"title": escape_markdown(label), "value": escape_markdown(value)}
            for label, value in message.facts
        ]
        body.append({"type": "FactSet", "facts": facts})
    choice_body, actions = _choices(message)
    body.extend(choice_body)
    answer = _answer_input(message)
    if answer is not None:
        body.append(answer)
        actions.append(_submit(texts.NEXT, {ANSWER_FIELD: message.field}, "positive"))
    if message.people:
        body.append(_text_block(texts.PEOPLE_HINT, isSubtle=True, size="Small"))
    if message.context:
        body.append(_text_block(message.context, isSubtle=True, size="Small"))
    # The whole-form dialog is a Slack modal; here the form is asked one question at a time.
    buttons = [_button(b) for b in message.buttons if b.action is not Action.FORM_WHOLE_OPEN]
    if answer is not None:  # Back, Skip and Cancel work with the answer box left empty
        buttons = [{**b, "associatedInputs": "none"} for b in buttons]
    actions.extend(buttons)
    result: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        result["actions"] = actions
    return result


def needs_card(message: Message) -> bool:
    """True when plain text cannot carry the message."""
    return message.kind in CARD_KINDS or bool(
        message.citations or message.facts or message.choices or message.buttons or message.people
    )


def activity_for(message: Message) -> Activity:
    """The outgoing activity for ``message``: an Adaptive Card, or escaped text."""
    if message.attachment is not None:
        # A bot sends files only through a consent card, which this adapter does not do yet.
        note = texts.NO_FILE_HERE.format(title=message.attachment.title)
        message = replace(message, text=f"{message.text}\n{note}", attachment=None)
    if needs_card(message):
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card(message)))
        activity.summary = message.text[:200]
        return activity
    text = message.text + (f"\n\n{message.context}" if message.context else "")
    return MessageFactory.text(escape_text(text))
