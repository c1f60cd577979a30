"""When the bot says hello: installed in a person's personal scope, once per chat."""

from __future__ import annotations

from botbuilder.schema import Activity

from assistant.adapters.teams.translate import is_personal
from assistant.messages import Message
from assistant.texts import teams as texts


def installs_bot_personally(activity: Activity) -> bool:
    """True for the bot installed in a personal chat: an ``installationUpdate`` "add", or a
    ``conversationUpdate`` whose ``membersAdded`` names the bot (Teams may send both)."""
    if not is_personal(activity):
        return False
    if activity.type == "installationUpdate":
        return activity.action == "add"
    if activity.type == "conversationUpdate":
        bot_id = activity.recipient.id if activity.recipient else None
        return bool(bot_id) and any(m.id == bot_id for m in activity.members_added or [])
    return False


def welcome_key(activity: Activity) -> str:
    """The delivery key that lets one personal chat be welcomed once, whichever event came."""
    conversation = activity.conversation.id if activity.conversation else ""
    return f"teams:welcome:{conversation}"


def welcome_message() -> Message:
    """What the bot says on install: the three things it does, and how to start."""
    return Message(text=texts.WELCOME)
