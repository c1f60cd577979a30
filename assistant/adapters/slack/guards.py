"""Checks at the Slack adapter's edge: whose request it is, and what staff see on failure."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from assistant.adapters.slack.translate import from_our_workspace
from assistant.errors import InputError, WorkflowError
from assistant.messages import Kind, Message
from assistant.texts import slack as texts

log = logging.getLogger(__name__)


def installed_team(context: Any) -> str | None:
    """The workspace the app is installed in (bolt's auth.test result), if known."""
    result = getattr(context, "authorize_result", None) if context is not None else None
    return getattr(result, "team_id", None) or None


def ours(body: dict[str, Any], event: dict[str, Any] | None, context: Any) -> bool:
    """True when the sender is staff of the installed workspace (logged when not)."""
    if from_our_workspace(body, event, installed_team(context)):
        return True
    # Slack Connect: someone from another workspace in a shared channel is not staff.
    log.info("Slack: ignored a request from outside the installed workspace")
    return False


def friendly(exc: BaseException) -> Message:
    """What staff see when the core failed: its own words for their mistakes, else sorry."""
    if isinstance(exc, InputError | WorkflowError):
        return Message(text=exc.user_message, kind=Kind.ERROR)
    return Message(text=texts.SOMETHING_WENT_WRONG, kind=Kind.ERROR)


async def is_json_object_or_form(request: web.Request) -> bool:
    """False for a JSON body that is not an object (``null``, a list): bolt would fail on it."""
    if "json" not in request.headers.get("Content-Type", ""):
        return True  # interactivity is form-encoded; bolt parses and checks it
    try:
        body = json.loads(await request.read())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return True  # bolt answers a body that is not JSON at all itself
    return isinstance(body, dict)
