"""A :class:`~assistant.messages.Message` -> an Adaptive Card (v1.4) or escaped plain text.

Everything the core says is plain text: it is escaped here so Teams does not read markdown
or HTML that a person typed (and the core echoed) as formatting.
"""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity

from assistant.messages import Action, Button, Kind, Message
from assistant.texts import teams as texts

CARD_VERSION = "1.4"
CARD_KINDS = frozenset({Kind.ANSWER, Kind.QUESTION, Kind.REVIEW, Kind.APPROVAL, Kind.DECIDED})
MAX_ACTION_BUTTONS = 5  # Teams shows at most six actions on a card; keep one spare
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters Teams' card markdown would interpret."""
    return _MARKDOWN.sub(r"\\\1", text)


def escape_text(text: str) -> str:
    """Escape plain text for a Teams message body (markdown and HTML; ``>`` becomes ``&gt;``)."""
    escaped = _MARKDOWN.sub(lambda m: m.group(1) if m.group(1) == ">" else "\\" + m.group(1), text)
    return html.escape(escaped, quote=False).replace("\n", "\n\n")


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": escape_markdown(text), "wrap": True, **extra}


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
    reason = {
        "type": "Input.Text",
        "id": "reason",
        "label": texts.REASON_LABEL,
        "placeholder": texts.REASON_PLACEHOLDER,
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
            "actions": [_submit(texts.SEND_REJECTION, data, style or "destructive")],
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
        return [element], [_submit(texts.NEXT, {"action": choices.action.value})]
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
    if message.people:
        body.append(_text_block(texts.PEOPLE_HINT, isSubtle=True, size="Small"))
    if message.context:
        body.append(_text_block(message.context, isSubtle=True, size="Small"))
    # The whole-form dialog is a Slack modal; here the form is asked one question at a time.
    actions.extend(_button(b) for b in message.buttons if b.action is not Action.FORM_WHOLE_OPEN)
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
    if needs_card(message):
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card(message)))
        activity.summary = message.text[:200]
        return activity
    text = message.text + (f"\n\n{message.context}" if message.context else "")
    return MessageFactory.text(escape_text(text))
