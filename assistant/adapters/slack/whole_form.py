"""The "Fill in the whole form" modal: drawn from the core's field list (filled in from the
person's draft), submitted as one Incoming (Action.FORM_WHOLE), and the core's per-field
errors shown under each input."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistant.adapters.slack.render import MAX_VIEW_BLOCKS, Block, escape
from assistant.adapters.slack.translate import identity
from assistant.form.fields import FieldKind
from assistant.form.whole import WholeField
from assistant.messages import Action, Effect, FieldInput, Incoming, PrivateReply, Reply
from assistant.texts import slack as texts

WHOLE_CALLBACK = "form.whole"
INPUT_ACTION = "input"
NAMES_SUFFIX = ".names"  # block_id of the typed names beside a people picker
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_TEXT_INPUT = 2000
_TITLE_LIMIT = 24
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _plain(text: str, limit: int = MAX_LABEL) -> dict[str, str]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _options(field: WholeField) -> list[Block]:
    return [{"text": _plain(o.label, 75), "value": o.value} for o in field.options]


def _slack_users(field: WholeField) -> list[str]:
    return [m.user_id for m in field.initial.mentions if m.platform == "slack"]


def _typed_names(field: WholeField) -> str:
    """The draft's people who have no Slack account to pick (written without "@"), and
    picked people of another platform, by name."""
    initial = field.initial
    names = [p.strip() for p in initial.text.split(",") if p.strip()]
    picked = iter(initial.mentions)
    out = []
    for name in names:
        if not name.startswith("@"):
            out.append(name)
        elif (who := next(picked, None)) is not None and who.platform != "slack":
            out.append(name[1:])
    return ", ".join(out)


def _element(field: WholeField, user_id: str) -> Block:
    """The input element of a field, holding the draft's answer where it has one."""
    kind, initial = field.kind, field.initial
    chosen = [o for o in _options(field) if o["value"] in initial.values]
    if kind is FieldKind.PARTIES:
        element: Block = {
            "type": "checkboxes",
            "action_id": INPUT_ACTION,
            "options": _options(field),
        }
        if chosen:
            element["initial_options"] = chosen
        return element
    if kind is FieldKind.HOST:
        element = {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": _options(field)}
        if chosen:
            element["initial_option"] = chosen[0]
        return element
    if kind is FieldKind.DATE:
        element = {"type": "datepicker", "action_id": INPUT_ACTION}
        if _ISO_DATE.fullmatch(initial.text):
            element["initial_date"] = initial.text
        return element
    if kind is FieldKind.PERSON:
        element = {"type": "users_select", "action_id": INPUT_ACTION}
        picked = _slack_users(field)
        if picked:
            element["initial_user"] = picked[0]
        elif field.key == "author" and not initial.text:
            element["initial_user"] = user_id  # usually the person filling in the form
        return element
    if kind is FieldKind.PEOPLE:
        element = {
            "type": "multi_users_select",
            "action_id": INPUT_ACTION,
            "placeholder": _plain(texts.PEOPLE_PLACEHOLDER, MAX_PLACEHOLDER),
        }
        if _slack_users(field):
            element["initial_users"] = _slack_users(field)
        return element
    element = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": field.multiline,
        "max_length": MAX_TEXT_INPUT,
    }
    if initial.text:
        element["initial_value"] = initial.text[:MAX_TEXT_INPUT]
    return element


def _input(block_id: str, label: str, hint: str, element: Block, *, optional: bool) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def field_blocks(field: WholeField, user_id: str) -> list[Block]:
    """The input block(s) of one field: people get a picker and a box for other names."""
    blocks = [
        _input(
            field.key, field.label, field.hint, _element(field, user_id), optional=field.optional
        )
    ]
    if field.kind is FieldKind.PEOPLE:
        names: Block = {
            "type": "plain_text_input",
            "action_id": INPUT_ACTION,
            "max_length": MAX_TEXT_INPUT,
        }
        typed = _typed_names(field)
        if typed:
            names["initial_value"] = typed[:MAX_TEXT_INPUT]
        blocks.append(
            _input(
                field.key + NAMES_SUFFIX,
                texts.WHOLE_NAMES_LABEL,
                texts.WHOLE_NAMES_HINT,
                names,
                optional=True,
            )
        )
    return blocks


def whole_form_modal(*, fields: Sequence[WholeField], user_id: str) -> Block:
    """The modal with every field of the form (within Slack's 100 blocks)."""
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(texts.WHOLE_INTRO)}}
    ]
    for field in fields:
        blocks += field_blocks(field, user_id)
    if len(blocks) > MAX_VIEW_BLOCKS:
        raise ValueError(f"the whole form needs {len(blocks)} blocks; a modal holds 100")
    return {
        "type": "modal",
        "callback_id": WHOLE_CALLBACK,
        "title": _plain(texts.WHOLE_TITLE, _TITLE_LIMIT),
        "submit": _plain(texts.WHOLE_SUBMIT, _TITLE_LIMIT),
        "close": _plain(texts.WHOLE_CLOSE, _TITLE_LIMIT),
        "blocks": blocks,
    }


# ---- submission -----------------------------------------------------------------------------


def _state(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """block_id -> the state of its (one) input element."""
    values = (view.get("state") or {}).get("values") or {}
    return {block_id: next(iter(block.values()), {}) for block_id, block in values.items()}


def picked_users(view: Mapping[str, Any]) -> tuple[str, ...]:
    """Every user picked anywhere in the modal (to look their names up)."""
    found: list[str] = []
    for element in _state(view).values():
        found += element.get("selected_users") or []
        if element.get("selected_user"):
            found.append(element["selected_user"])
    return tuple(dict.fromkeys(found))


def _field_input(element: Mapping[str, Any], names: Mapping[str, str], typed: str) -> FieldInput:
    users = list(element.get("selected_users") or [])
    if element.get("selected_user"):
        users.append(element["selected_user"])
    options = list(element.get("selected_options") or [])
    if element.get("selected_option"):
        options.append(element["selected_option"])
    parts = ["@" + (names.get(u) or u) for u in users]
    text = str(element.get("value") or element.get("selected_date") or "")
    parts += [p for p in (text, typed) if p.strip()]
    return FieldInput(
        text=", ".join(parts),
        values=tuple(str(o.get("value", "")) for o in options),
        mentions=tuple(identity(u) for u in users),
    )


def whole_form_incoming(body: Mapping[str, Any], *, names: Mapping[str, str]) -> Incoming:
    """A submitted modal as one Incoming with every field's input."""
    user_id = str(body["user"]["id"])
    state = _state(body["view"])
    fields = tuple(
        (block_id, _field_input(element, names, str(typed.get("value") or "")))
        for block_id, element in state.items()
        if not block_id.endswith(NAMES_SUFFIX)
        for typed in (state.get(block_id + NAMES_SUFFIX, {}),)
    )
    return Incoming(
        user=identity(user_id),
        action=Action.FORM_WHOLE,
        fields=fields,
        display_name=names.get(user_id, ""),
        direct=True,
    )


def field_errors(effects: Iterable[Effect]) -> tuple[tuple[str, str], ...]:
    """The per-field errors the core answered with (empty when the form was accepted)."""
    for effect in effects:
        if isinstance(effect, Reply | PrivateReply) and effect.message.field_errors:
            return effect.message.field_errors
    return ()


def block_errors(errors: Sequence[tuple[str, str]], view: Mapping[str, Any]) -> dict[str, str]:
    """Slack's ``errors`` (block_id -> message); an error for a field with no input block in
    the view is shown under the first input block, so it is never lost."""
    inputs = [b["block_id"] for b in view.get("blocks") or () if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for key, message in errors:
        block_id = key if key in inputs else (inputs[0] if inputs else key)
        shown[block_id] = f"{shown[block_id]} {message}" if block_id in shown else message
    return shown
