"""Translate Slack payloads (Events API, block_actions, view_submission) into Incoming."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.adapters.slack.render import (
    PEOPLE_NEXT_ACTION,
    REASON_BLOCK,
    REASON_INPUT,
    action_of,
)
from assistant.messages import Action, Identity, Incoming

PLATFORM = "slack"
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_LINK = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(\w+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^|>]*)(?:\|([^>]*))?>")
# Message subtypes a person sends; everything else (bot_message, message_changed,
# message_deleted, channel_join, ...) is not a question.
_PERSON_SUBTYPES = {None, "", "thread_broadcast", "file_share"}


@dataclass(frozen=True)
class Where:
    """The conversation an Incoming came from, so replies go back there."""

    user_id: str
    channel: str | None = None  # None: from the App Home or a modal, i.e. no conversation
    ts: str | None = None  # the message asked (events) or the message clicked (actions)
    thread_ts: str | None = None  # the thread it was in, if any
    direct: bool = True
    question: bool = False  # True when ``ts`` is a question someone asked (not a click)

    @property
    def in_channel(self) -> bool:
        return self.channel is not None and not self.direct


def identity(user_id: str) -> Identity:
    """The core's identity of a Slack user."""
    return Identity(PLATFORM, user_id)


def mentioned_ids(text: str, *, bot_user_id: str | None = None) -> tuple[str, ...]:
    """The users a message mentions, in order, once each, without the bot itself."""
    seen: dict[str, None] = {}
    for match in USER_MENTION.finditer(text):
        if match.group(1) != bot_user_id:
            seen.setdefault(match.group(1), None)
    return tuple(seen)


def plain_text(text: str, *, names: Mapping[str, str], bot_user_id: str | None = None) -> str:
    """Slack's formatted text as plain text: mentions become @names, links their labels."""

    def person(match: re.Match[str]) -> str:
        if match.group(1) == bot_user_id:
            return ""
        return "@" + (names.get(match.group(1)) or match.group(2) or match.group(1))

    text = USER_MENTION.sub(person, text)
    text = _CHANNEL_LINK.sub(lambda m: "#" + (m.group(1) or "channel"), text)
    text = _SPECIAL.sub(lambda m: m.group(2) or "@" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def is_from_a_person(event: Mapping[str, Any], *, bot_user_id: str | None) -> bool:
    """False for the bot's own messages, other bots, edits, deletions and joins."""
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    if event.get("subtype") not in _PERSON_SUBTYPES:
        return False
    user = event.get("user")
    return bool(user) and user != bot_user_id


def acting_team(body: Mapping[str, Any], event: Mapping[str, Any] | None = None) -> str:
    """The workspace of the person who sent an event or pressed a button ("" if not given).

    In a Slack Connect channel the sender may belong to another workspace: an event says so
    in ``user_team`` (or ``team``), an interaction in ``user.team_id``.
    """
    if event is not None:
        return str(event.get("user_team") or event.get("team") or "")
    user = body.get("user")
    return str(user.get("team_id") or "") if isinstance(user, Mapping) else ""


def from_our_workspace(
    body: Mapping[str, Any], event: Mapping[str, Any] | None, installed_team: str | None
) -> bool:
    """True when the sender belongs to the workspace the app is installed in.

    Slack Connect users of other workspaces are not staff: they are ignored. A payload that
    names no workspace for its sender is refused too, rather than trusted.
    """
    if not installed_team:
        return False
    return acting_team(body, event) == installed_team


def event_key(body: Mapping[str, Any]) -> str:
    """The de-duplication key of an Events API delivery (the same across Slack's retries)."""
    event = body.get("event", {})
    event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    return f"slack:event:{event_id}"


def action_key(body: Mapping[str, Any], action: Mapping[str, Any]) -> str:
    """The de-duplication key of one button press."""
    user = body.get("user", {}).get("id", "")
    return f"slack:action:{user}:{action.get('action_id')}:{action.get('action_ts')}"


def where_for_event(event: Mapping[str, Any]) -> Where:
    """Where a message event came from."""
    direct = event.get("channel_type") == "im"
    return Where(
        user_id=str(event.get("user", "")),
        channel=event.get("channel"),
        ts=event.get("ts"),
        thread_ts=event.get("thread_ts"),
        direct=direct,
        question=True,
    )


def where_for_action(body: Mapping[str, Any]) -> Where:
    """Where a button was pressed: a message in a channel or DM, or the App Home."""
    user_id = str(body.get("user", {}).get("id", ""))
    container = body.get("container", {})
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("type") == "view" or not channel:
        return Where(user_id=user_id)
    message = body.get("message") or {}
    return Where(
        user_id=user_id,
        channel=channel,
        ts=container.get("message_ts") or message.get("ts"),
        thread_ts=container.get("thread_ts") or message.get("thread_ts"),
        direct=str(channel).startswith("D"),
    )


def message_incoming(
    event: Mapping[str, Any], *, bot_user_id: str | None, names: Mapping[str, str]
) -> Incoming:
    """A DM or an @mention as an Incoming (the bot's own mention stripped)."""
    raw = str(event.get("text") or "")
    user_id = str(event["user"])
    mentions = mentioned_ids(raw, bot_user_id=bot_user_id)
    return Incoming(
        user=identity(user_id),
        text=plain_text(raw, names=names, bot_user_id=bot_user_id),
        display_name=names.get(user_id, ""),
        direct=event.get("channel_type") == "im",
        mentions=tuple(identity(u) for u in mentions),
        conversation=conversation_of(event),
    )


def conversation_of(event: Mapping[str, Any]) -> str:
    """Slack's conversation for a message: the DM, or the thread a channel question starts
    (the bot answers a channel question in a thread of it, so the two are the same)."""
    channel = str(event.get("channel") or "")
    if not channel:
        return ""
    if event.get("channel_type") == "im":
        return f"slack:{channel}"
    return f"slack:{channel}:{event.get('thread_ts') or event.get('ts') or ''}"


def state_values(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every input element's state in a block_actions payload."""
    values = (body.get("state") or {}).get("values") or {}
    return [element for block in values.values() for element in block.values()]


def ticked_values(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The values of every ticked checkbox in the message."""
    return tuple(
        option["value"]
        for element in state_values(body)
        if element.get("type") == "checkboxes"
        for option in element.get("selected_options") or ()
    )


def selected_users(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The users chosen in the message's people picker."""
    return tuple(
        user
        for element in state_values(body)
        if element.get("type") == "multi_users_select"
        for user in element.get("selected_users") or ()
    )


def action_incoming(
    body: Mapping[str, Any], action: Mapping[str, Any], *, names: Mapping[str, str]
) -> Incoming | None:
    """A pressed button as an Incoming; None for controls that only change state."""
    user_id = str(body["user"]["id"])
    where = where_for_action(body)
    user, name, direct = identity(user_id), names.get(user_id, ""), not where.in_channel
    if action.get("action_id") == PEOPLE_NEXT_ACTION:
        people = selected_users(body)
        return Incoming(
            user=user,
            display_name=name,
            direct=direct,
            text=", ".join("@" + (names.get(u) or u) for u in people),
            mentions=tuple(identity(u) for u in people),
        )
    core_action = action_of(str(action.get("action_id", "")))
    if core_action is None or action.get("type") != "button":
        return None
    value = str(action.get("value") or "")
    if core_action is Action.FORM_CHOICES:
        return Incoming(
            user=user,
            display_name=name,
            direct=direct,
            action=core_action,
            value=value,
            values=ticked_values(body),
        )
    return Incoming(user=user, display_name=name, direct=direct, action=core_action, value=value)


def reason_metadata(*, action: Action, value: str, where: Where) -> dict[str, str]:
    """What the reason modal carries, so its submission can be routed back."""
    return {
        "action": action.value,
        "value": value,
        "channel": where.channel or "",
        "ts": where.ts or "",
        "thread_ts": where.thread_ts or "",
    }


def reason_incoming(body: Mapping[str, Any], *, names: Mapping[str, str]) -> tuple[Incoming, Where]:
    """A submitted reason modal as an Incoming (action, value, text = the reason)."""
    view = body["view"]
    meta = json.loads(view.get("private_metadata") or "{}")
    state = view["state"]["values"][REASON_BLOCK][REASON_INPUT]
    user_id = str(body["user"]["id"])
    channel = meta.get("channel") or None
    where = Where(
        user_id=user_id,
        channel=channel,
        ts=meta.get("ts") or None,
        thread_ts=meta.get("thread_ts") or None,
        direct=bool(channel) and str(channel).startswith("D"),
    )
    incoming = Incoming(
        user=identity(user_id),
        action=Action(meta["action"]),
        value=str(meta.get("value", "")),
        text=str(state.get("value") or "").strip(),
        display_name=names.get(user_id, ""),
        direct=not where.in_channel,
    )
    return incoming, where
