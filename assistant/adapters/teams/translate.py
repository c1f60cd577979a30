"""Bot Framework activity -> :class:`~assistant.messages.Incoming`, and conversation keys."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference, Mention

from assistant.adapters.teams.cards import ANSWER_FIELD, ANSWER_INPUT
from assistant.messages import Action, Identity, Incoming

log = logging.getLogger(__name__)

PLATFORM = "teams"
CONVERSATION_KIND = "teams_conversation"
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def is_personal(activity: Activity) -> bool:
    """True in a one-to-one chat with the bot (the emulator sends no conversation type)."""
    kind = (
        getattr(activity.conversation, "conversation_type", None) if activity.conversation else None
    )
    return kind in (None, "", "personal")


TEAMS_CHANNEL = "msteams"
# The local trial's stand-in tenant and identity prefix: a trial identity (chosen by whoever
# drives the Emulator) can never equal a real Entra object id, nor its stored chat a real one.
TRIAL = "trial"


def user_id(activity: Activity, *, trial: bool = False) -> str:
    """The sender's Entra (AAD) object id, "" without one.

    Only Teams vouches for ``aadObjectId``; ``from.id`` is chosen by the client on other
    channels, so it is never taken for a person, except as a ``trial:`` identity in the
    local trial (which changes nothing).
    """
    sender = activity.from_property
    if sender is None:
        return ""
    if trial:
        return f"{TRIAL}:{sender.aad_object_id or sender.id or ''}" if sender.id else ""
    return sender.aad_object_id or ""


def tenant_of(activity: Activity) -> str:
    """The activity's Entra tenant; "" when it names none or names two different ones."""
    conversation = activity.conversation
    from_conversation = (getattr(conversation, "tenant_id", None) or "") if conversation else ""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    from_data = str(tenant.get("id") or "") if isinstance(tenant, dict) else ""
    if from_conversation and from_data and from_conversation != from_data:
        return ""
    return from_conversation or from_data


def origin_problem(activity: Activity, allowed_tenants: frozenset[str]) -> str:
    """Why an authenticated activity is not from Teams in our tenant, or "" when it is."""
    if activity.channel_id != TEAMS_CHANNEL:
        return f"channel {activity.channel_id!r} is not Teams"
    if tenant_of(activity) not in allowed_tenants:
        return "the activity's tenant is not one this bot serves"
    return ""


def personal_key(tenant: str, aad: str) -> str:
    """The key a person's personal-chat reference is kept under."""
    return f"user:{tenant}:{aad}"


def channel_id(activity: Activity) -> str | None:
    """The Teams channel id (``19:...@thread.tacv2``) of a channel activity, else None."""
    data = activity.channel_data
    if isinstance(data, dict):
        channel = data.get("channel")
        if isinstance(channel, dict) and channel.get("id"):
            return str(channel["id"])
    return None


def mentions(activity: Activity) -> list[Mention]:
    """The activity's mention entities."""
    found: list[Mention] = []
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "mention":
            continue
        if isinstance(entity, dict):
            raw = entity
        else:  # msrest keeps the unknown fields of an Entity in additional_properties
            raw = {**(getattr(entity, "additional_properties", None) or {}), "type": "mention"}
        found.append(Mention().deserialize(raw))
    return found


def mentions_bot(activity: Activity) -> bool:
    """True when the bot (the activity's recipient) is @mentioned."""
    bot_id = activity.recipient.id if activity.recipient else None
    return any(m.mentioned and m.mentioned.id == bot_id for m in mentions(activity))


def people_mentioned(activity: Activity) -> list[tuple[str, str]]:
    """(channel account id, aad object id or "") of every mentioned person but the bot, in order."""
    bot_id = activity.recipient.id if activity.recipient else None
    people: list[tuple[str, str]] = []
    for mention in mentions(activity):
        who = mention.mentioned
        if who is None or not who.id or who.id == bot_id:
            continue
        people.append((who.id, who.aad_object_id or ""))
    return people


def clean_text(activity: Activity, known: frozenset[str] = frozenset()) -> str:
    """The typed text without the bot's ``<at>`` mention, tags or entities, whitespace collapsed.

    A real mention of a person in ``known`` (channel account ids whose identity is known) is
    written "@Name", as the core expects; other mentions become their plain names. Tags typed
    by a person arrive escaped (``&lt;at&gt;``) and never become mentions: they are removed.
    """
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    bot_name = activity.recipient.name if activity.recipient else None
    for mention in mentions(activity):
        who = mention.mentioned
        if who is None or not mention.text:
            continue
        if who.id == bot_id:
            text = text.replace(mention.text, " ")
        else:
            name = html.unescape(_TAG.sub("", mention.text)).strip() or (who.name or "")
            text = text.replace(mention.text, ("@" if who.id in known else "") + name, 1)
    if bot_name:
        text = re.sub(rf"<at>\s*{re.escape(bot_name)}\s*</at>", " ", text, flags=re.IGNORECASE)
    text = _AT_TAG.sub(r"\1", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = _AT_TAG.sub(r"\1", text)  # typed "<at>Name</at>" is only a name
    return _SPACE.sub(" ", text).strip()


def _action(value: Any) -> tuple[Action | None, str, tuple[str, ...], str]:
    """(action, value, values, reason) from an Action.Submit payload."""
    if not isinstance(value, dict):
        return None, "", (), ""
    try:
        action = Action(str(value.get("action", "")))
    except ValueError:
        return None, "", (), ""
    single = str(value.get("value") or value.get("choice") or "")
    raw_choices = value.get("choices")
    if isinstance(raw_choices, list):
        values = tuple(str(v).strip() for v in raw_choices if str(v).strip())
    elif raw_choices:
        values = tuple(v.strip() for v in str(raw_choices).split(",") if v.strip())
    else:
        values = ()
    reason = str(value.get("reason") or "").strip()
    return action, single, values, reason


def typed_answer(value: Any) -> tuple[str, str]:
    """(field, what was entered) from a form question's date picker or text box; ("", "")
    for anything else."""
    if not isinstance(value, dict) or ANSWER_FIELD not in value or "action" in value:
        return "", ""
    return str(value[ANSWER_FIELD]), str(value.get(ANSWER_INPUT) or "").strip()


def to_incoming(
    activity: Activity, resolved: dict[str, str] | None = None, *, trial: bool = False
) -> Incoming | None:
    """The Incoming for a message activity, or None when there is nothing to hand on.

    ``resolved`` maps mentioned channel account ids to aad object ids looked up by the bot.
    """
    sender = user_id(activity, trial=trial)
    if not sender:
        return None
    action, value, values, reason = _action(activity.value)
    resolved = resolved or {}
    found = [(a, aad or resolved.get(a, "")) for a, aad in people_mentioned(activity)]
    known = frozenset(account for account, aad in found if aad)
    if action is not None:
        text = reason
    else:  # a form answer given in a card arrives as if it had been typed
        text = typed_answer(activity.value)[1] or clean_text(activity, known)
    if action is None and not text:
        return None
    people = tuple(Identity(PLATFORM, aad) for _, aad in found if aad)
    name = activity.from_property.name if activity.from_property else ""
    return Incoming(
        user=Identity(PLATFORM, sender),
        text=text,
        action=action,
        value=value,
        values=values,
        display_name=name or "",
        direct=is_personal(activity),
        mentions=people,
        # A personal chat, or a channel reply chain (its id carries ";messageid=").
        conversation=(
            f"teams:{activity.conversation.id}"
            if activity.conversation and activity.conversation.id
            else ""
        ),
    )


def reference_of(activity: Activity) -> dict[str, Any]:
    """The activity's conversation reference as a JSON-ready dict."""
    return TurnContext.get_conversation_reference(activity).serialize()


def conversation_keys(
    activity: Activity, *, trial: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """(key, reference) pairs to remember for this activity: its channel and/or the user's chat.

    A channel's reference points at the channel itself (no thread, no activity id) so that a
    proactive send starts a new post; a personal chat is keyed by tenant and Entra object id
    (:func:`personal_key`), so that no other tenant's user, and no trial, can take it over.
    """
    keys: list[tuple[str, dict[str, Any]]] = []
    reference = TurnContext.get_conversation_reference(activity)
    channel = channel_id(activity)
    if channel:
        data = reference.serialize()
        data["conversation"] = dict(data.get("conversation") or {}, id=channel)
        data.pop("activityId", None)
        data.pop("user", None)
        keys.append((channel, data))
    elif is_personal(activity) and user_id(activity, trial=trial):
        data = reference.serialize()
        data.pop("activityId", None)
        tenant = TRIAL if trial else tenant_of(activity)
        keys.append((personal_key(tenant, user_id(activity, trial=trial)), data))
    return keys


def reference_from(data: dict[str, Any]) -> ConversationReference:
    """A ConversationReference from a remembered dict."""
    return ConversationReference().deserialize(data)
