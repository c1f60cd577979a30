"""Render the core's Messages as Block Kit, within Block Kit's limits.

All plain text from the core passes through :func:`escape` exactly once, so nothing a
person typed can become a mention, a link or a ``<!channel>`` ping.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.messages import Action, Button, ChoiceSet, Citation, Message
from assistant.texts import slack as texts

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_CHECKBOX_OPTIONS = 10
MAX_ACTION_ELEMENTS = 25
MAX_FALLBACK_TEXT = 3000

# action_id = "<Action value>|<index>": unique within a message, and names the core Action.
ACTION_SEPARATOR = "|"
TICK_ACTION_PREFIX = "tick"  # a checkbox group; its ticks are read when Next is pressed
PEOPLE_SELECT_ACTION = "people.select"
PEOPLE_NEXT_ACTION = "people.next"
REASON_CALLBACK = "approval.reason"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_input"
NEEDS_REASON_SUFFIX = f"{ACTION_SEPARATOR}reason"  # action_id suffix: open the reason modal


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def action_id(action: Action | str, index: int) -> str:
    """The action_id of the ``index``-th control sending ``action``."""
    name = action.value if isinstance(action, Action) else action
    return f"{name}{ACTION_SEPARATOR}{index}"


def needs_reason(action_id_: str) -> bool:
    """True when the button asks for a reason before its action goes to the core."""
    return action_id_.endswith(NEEDS_REASON_SUFFIX)


def action_of(action_id_: str) -> Action | None:
    """The core Action an action_id sends, or None for the adapter's own controls."""
    name = action_id_.split(ACTION_SEPARATOR, 1)[0]
    try:
        return Action(name)
    except ValueError:
        return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split already-escaped text into pieces of at most ``limit``, preferring line breaks."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = _entity_safe(text, limit)
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def _entity_safe(text: str, cut: int) -> int:
    """Move ``cut`` back so that it does not split an entity such as ``&amp;``."""
    amp = text.rfind("&", max(0, cut - 4), cut)
    return amp if amp > 0 and ";" not in text[amp:cut] else cut


def _mrkdwn(escaped: str) -> Block:
    # verbatim: Slack does not turn a typed URL, #channel or @name into a link or mention.
    return {"type": "mrkdwn", "text": escaped, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _sections(escaped: str) -> list[Block]:
    return [_section(piece) for piece in _chunks(escaped, MAX_SECTION_TEXT)]


def _context(escaped: str) -> Block:
    return {
        "type": "context",
        "elements": [_mrkdwn(_clip(escaped, MAX_FIELD_TEXT))],
    }


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in escape(text).splitlines())


def citation_blocks(citation: Citation) -> list[Block]:
    """A section headed with the clause id and title, the verbatim quote, and its source."""
    heading = texts.CLAUSE_HEADING.format(
        clause_id=escape(citation.clause_id), section=escape(citation.section)
    )
    blocks = _sections(heading + "\n" + _quote(citation.quote))
    source = escape(citation.document)
    if citation.reviewed:
        source += " · " + escape(texts.REVIEWED.format(date=citation.reviewed))
    if source:
        blocks.append(_context(source))
    return blocks


def _fact_blocks(facts: Sequence[tuple[str, str]]) -> list[Block]:
    fields = [
        _mrkdwn(_clip(f"*{escape(label)}*\n{escape(value)}", MAX_FIELD_TEXT))
        for label, value in facts
    ]
    return [
        {"type": "section", "fields": fields[i : i + MAX_FIELDS]}
        for i in range(0, len(fields), MAX_FIELDS)
    ]


def button_element(button: Button, index: int) -> Block:
    """One Block Kit button sending ``button.action`` with its value."""
    suffix = NEEDS_REASON_SUFFIX if button.needs_reason else ""
    element: Block = {
        "type": "button",
        "action_id": action_id(button.action, index) + suffix,
        "text": {"type": "plain_text", "text": _clip(button.label, MAX_BUTTON_TEXT)},
        "value": button.value[:MAX_BUTTON_VALUE],
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    confirm = texts.CONFIRMS.get(button.action.value)
    if confirm is not None:
        element["confirm"] = confirm_dialog(*confirm, danger=button.style == "danger")
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str, *, danger: bool = False) -> Block:
    """Block Kit's native "Are you sure?" dialog (title 100, text 300, buttons 30 chars)."""
    dialog: Block = {
        "title": {"type": "plain_text", "text": _clip(title, 100)},
        "text": {"type": "plain_text", "text": _clip(text, 300)},
        "confirm": {"type": "plain_text", "text": _clip(yes, 30)},
        "deny": {"type": "plain_text", "text": _clip(no, 30)},
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def _actions(elements: Sequence[Block], block_id: str) -> list[Block]:
    return [
        {
            "type": "actions",
            "block_id": f"{block_id}{ACTION_SEPARATOR}{i // MAX_ACTION_ELEMENTS}",
            "elements": list(elements[i : i + MAX_ACTION_ELEMENTS]),
        }
        for i in range(0, len(elements), MAX_ACTION_ELEMENTS)
    ]


def _option(label: str, value: str) -> Block:
    return {
        "text": {"type": "plain_text", "text": _clip(label, MAX_OPTION_TEXT)},
        "value": value[:MAX_OPTION_VALUE],
    }


def choice_blocks(choices: ChoiceSet, field: str) -> list[Block]:
    """Single choice: one button per option. Multiple: checkbox groups of ten, then Next."""
    if not choices.multiple:
        buttons = [
            button_element(Button(label=o.label, action=Action.FORM_CHOOSE, value=o.value), i)
            for i, o in enumerate(choices.options)
        ]
        return _actions(buttons, "choices")
    groups = [
        {
            "type": "actions",
            "block_id": f"ticks{ACTION_SEPARATOR}{i // MAX_CHECKBOX_OPTIONS}",
            "elements": [
                {
                    "type": "checkboxes",
                    "action_id": f"{TICK_ACTION_PREFIX}{ACTION_SEPARATOR}{i // MAX_CHECKBOX_OPTIONS}",
                    "options": [
                        _option(o.label, o.value)
                        for o in choices.options[i : i + MAX_CHECKBOX_OPTIONS]
                    ],
                }
            ],
        }
        for i in range(0, len(choices.options), MAX_CHECKBOX_OPTIONS)
    ]
    next_button = Button(
        label=texts.CHOICES_NEXT, action=Action.FORM_CHOICES, value=field, style="primary"
    )
    return groups + _actions([button_element(next_button, 0)], "choices_next")


def people_blocks(field: str) -> list[Block]:
    """A people picker (several people allowed) and a Next button that reads it."""
    return [
        {
            "type": "actions",
            "block_id": "people",
            "elements": [
                {
                    "type": "multi_users_select",
                    "action_id": PEOPLE_SELECT_ACTION,
                    "placeholder": {"type": "plain_text", "text": texts.PEOPLE_PLACEHOLDER},
                },
                {
                    "type": "button",
                    "action_id": PEOPLE_NEXT_ACTION,
                    "text": {"type": "plain_text", "text": texts.PEOPLE_NEXT},
                    "style": "primary",
                    "value": field[:MAX_BUTTON_VALUE],
                },
            ],
        }
    ]


def blocks_for(message: Message, *, limit: int = MAX_BLOCKS) -> list[Block]:
    """The Block Kit blocks of one Message, never more than ``limit``."""
    head: list[Block] = []
    if message.text:
        head += _sections(escape(message.text))
    head += _fact_blocks(message.facts)
    for citation in message.citations:
        head += citation_blocks(citation)
    tail: list[Block] = []
    if message.choices is not None and message.choices.options:
        tail += choice_blocks(message.choices, message.field)
    if message.people:
        tail += people_blocks(message.field)
    if message.buttons:
        tail += _actions([button_element(b, i) for i, b in enumerate(message.buttons)], "buttons")
    if message.context:
        tail.append(_context(escape(message.context)))
    if len(head) + len(tail) > limit:
        tail = tail[: limit - 1]
        head = head[: max(0, limit - len(tail) - 1)] + [_context(escape(texts.MORE_OMITTED))]
    return head + tail


def fallback_text(message: Message) -> str:
    """The notification text Slack shows where blocks cannot be shown."""
    text = message.text or (message.citations[0].quote if message.citations else "")
    return _clip(escape(text), MAX_FALLBACK_TEXT)


def view_blocks(messages: Iterable[Message], *, limit: int = MAX_VIEW_BLOCKS) -> list[Block]:
    """Several messages one after another, separated by dividers (App Home, modals)."""
    blocks: list[Block] = []
    for message in messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += blocks_for(message, limit=limit)
    if len(blocks) > limit:
        blocks = blocks[: limit - 1] + [_context(escape(texts.MORE_OMITTED))]
    return blocks


def home_view(messages: Sequence[Message], *, top: Sequence[Block] = ()) -> Block:
    """The App Home tab: ``top`` (the adapter's own buttons), then the messages."""
    limit = MAX_VIEW_BLOCKS - len(top)
    blocks = view_blocks(messages, limit=limit) or [_section(escape(texts.HOME_EMPTY))]
    return {"type": "home", "blocks": [*top, *blocks]}


def text_modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    close: str,
    input_ids: tuple[str, str],
    label: str,
    hint: str,
    metadata: str = "",
) -> Block:
    """A modal with one multiline text box; ``input_ids`` is (block_id, action_id)."""
    modal: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": _clip(title, 24)},
        "submit": {"type": "plain_text", "text": _clip(submit, 24)},
        "close": {"type": "plain_text", "text": _clip(close, 24)},
        "blocks": [
            {
                "type": "input",
                "block_id": input_ids[0],
                "label": {"type": "plain_text", "text": label},
                "hint": {"type": "plain_text", "text": hint},
                "element": {
                    "type": "plain_text_input",
                    "action_id": input_ids[1],
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }
    if metadata:
        modal["private_metadata"] = metadata
    return modal


def reason_modal(*, metadata: dict[str, str]) -> Block:
    """The modal that asks an approver why they reject, or what to change when they send a
    request back; ``metadata`` (with the action) comes back on submit."""
    back = metadata.get("action") == Action.SEND_BACK.value
    return text_modal(
        callback_id=REASON_CALLBACK,
        title=texts.NOTE_MODAL_TITLE if back else texts.REASON_MODAL_TITLE,
        submit=texts.NOTE_MODAL_SUBMIT if back else texts.REASON_MODAL_SUBMIT,
        close=texts.REASON_MODAL_CLOSE,
        input_ids=(REASON_BLOCK, REASON_INPUT),
        label=texts.NOTE_LABEL if back else texts.REASON_LABEL,
        hint=texts.NOTE_HINT if back else texts.REASON_HINT,
        metadata=json.dumps(metadata),
    )
