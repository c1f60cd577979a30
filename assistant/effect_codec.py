"""Effects as JSON, so that they can wait in the database's outbox until delivered.

Every effect and message type of :mod:`assistant.messages` round-trips exactly:
``decode(encode(effect)) == effect``. Attachments travel as base64.
"""

from __future__ import annotations

import base64
import json
from dataclasses import fields, is_dataclass
from typing import Any

from assistant.messages import (
    Action,
    Attachment,
    Button,
    ChoiceSet,
    Citation,
    Effect,
    Identity,
    Kind,
    Message,
    Option,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)

_EFFECTS: dict[str, type] = {
    cls.__name__: cls for cls in (Reply, PrivateReply, PostToChannel, UpdatePost, SendDirect)
}


def _plain(value: Any) -> Any:
    if isinstance(value, Identity):
        return str(value)
    if isinstance(value, Attachment):
        return {
            "filename": value.filename,
            "title": value.title,
            "content": base64.b64encode(value.content).decode("ascii"),
        }
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value  # str, int, float, bool, None and StrEnums (which are str)


def encode(effect: Effect) -> str:
    """``effect`` as a JSON text."""
    return json.dumps({"type": type(effect).__name__, **_plain(effect)}, sort_keys=True)


def _message(data: dict[str, Any]) -> Message:
    choices = data.get("choices")
    attachment = data.get("attachment")
    return Message(
        text=data["text"],
        kind=Kind(data["kind"]),
        citations=tuple(Citation(**c) for c in data["citations"]),
        facts=tuple((label, value) for label, value in data["facts"]),
        choices=None
        if choices is None
        else ChoiceSet(
            options=tuple(Option(**o) for o in choices["options"]), multiple=choices["multiple"]
        ),
        buttons=tuple(Button(**{**b, "action": Action(b["action"])}) for b in data["buttons"]),
        context=data["context"],
        field=data["field"],
        people=data["people"],
        field_errors=tuple((key, problem) for key, problem in data["field_errors"]),
        attachment=None
        if attachment is None
        else Attachment(
            filename=attachment["filename"],
            title=attachment["title"],
            content=base64.b64decode(attachment["content"]),
        ),
    )


def decode(text: str) -> Effect:
    """The effect :func:`encode` wrote; ValueError for anything else."""
    try:
        data = json.loads(text)
        kind = data.pop("type")
        cls = _EFFECTS[kind]
        message = _message(data.pop("message"))
        if cls is SendDirect:
            return SendDirect(user=Identity.parse(data["user"]), message=message)
        return cls(message=message, **data)  # type: ignore[no-any-return]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not an encoded effect ({type(exc).__name__}: {exc})") from None
