"""Carry out the core's effects with the Slack Web API (429s are retried by the client).

Replies go straight to the conversation they answer. Posts, direct messages and updates
go through the server's outbox (``elsewhere``), which calls :meth:`SlackDelivery.send` for
each and retries it when Slack fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.slack.render import blocks_for, fallback_text
from assistant.adapters.slack.translate import PLATFORM, Where
from assistant.core import Core
from assistant.messages import (
    Effect,
    Kind,
    Message,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)
from assistant.outbox import DeliveryFailed
from assistant.texts import slack as texts

log = logging.getLogger(__name__)

WEB_API_ERRORS = (SlackApiError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
Elsewhere = Callable[[Sequence[Effect]], Awaitable[None]]
_THREADED_IN_DM = (Kind.ANSWER, Kind.REFUSAL)
# Slack errors that no retry can mend: the people concerned are told at once.
FINAL_ERRORS = frozenset(
    {
        "not_in_channel", "channel_not_found", "is_archived", "msg_too_long",
        "msg_blocks_too_long", "invalid_blocks", "no_text", "user_not_found",
        "user_disabled", "account_inactive", "cannot_dm_bot", "invalid_auth", "not_authed",
        "missing_scope", "restricted_action", "team_access_not_granted",
    }
)  # fmt: skip


def failure_reason(exc: BaseException) -> str:
    """A log-safe reason for a failed Web API call (never the message text)."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__


def thread_for(where: Where, message: Message) -> str | None:
    """The thread a reply goes in: the question's thread in channels, answers' in DMs."""
    if where.thread_ts:
        return where.thread_ts
    if where.in_channel:
        return where.ts
    if where.question and message.kind in _THREADED_IN_DM:
        return where.ts
    return None


class SlackDelivery:
    """Sends, posts and updates Slack messages on behalf of the core."""

    def __init__(self, *, client: AsyncWebClient, core: Core, elsewhere: Elsewhere) -> None:
        self._client = client
        self._core = core
        self._elsewhere = elsewhere

    async def carry_out(self, effects: Sequence[Effect], where: Where | None = None) -> None:
        """Carry out effects in order; replies go to ``where`` (a DM when it has no channel)."""
        for effect in effects:
            try:
                await self._one(effect, where)
            except WEB_API_ERRORS as exc:
                log.warning("Slack: %s failed: %s", type(effect).__name__, failure_reason(exc))
                if where is not None and isinstance(effect, Reply | PrivateReply):
                    await self.tell(where, Message(text=texts.COULD_NOT_SEND, kind=Kind.ERROR))

    async def send(self, effect: Effect) -> None:
        """Deliver one post, direct message or update (the outbox's deliverer for Slack);
        DeliveryFailed says why not, and whether a retry could help."""
        try:
            await self._deliver(effect)
        except SlackApiError as exc:
            reason = failure_reason(exc)
            raise DeliveryFailed(reason, final=reason in FINAL_ERRORS) from None
        except WEB_API_ERRORS as exc:
            raise DeliveryFailed(failure_reason(exc)) from None

    async def tell(self, where: Where, message: Message) -> bool:
        """Best effort: show the person a message privately; False if that failed too."""
        try:
            await self._private(where, message)
        except WEB_API_ERRORS as exc:
            log.warning("Slack: telling the user failed: %s", failure_reason(exc))
            return False
        return True

    async def _one(self, effect: Effect, where: Where | None) -> None:
        if isinstance(effect, Reply):
            if where is None:
                log.warning("Slack: a reply without a conversation was dropped")
            elif where.channel:
                await self._post(
                    where.channel, effect.message, thread_ts=thread_for(where, effect.message)
                )
            else:
                await self.send_direct(where.user_id, effect.message)
        elif isinstance(effect, PrivateReply):
            if where is None:
                log.warning("Slack: a private reply without a conversation was dropped")
            else:
                await self._private(where, effect.message)
        else:  # posts, direct messages and updates leave through the outbox
            await self._elsewhere([effect])

    async def _deliver(self, effect: Effect) -> None:
        if isinstance(effect, PostToChannel):
            response = await self._post(effect.channel, effect.message)
            ref = {"platform": PLATFORM, "channel": response["channel"], "ts": response["ts"]}
            await asyncio.to_thread(self._core.remember, "post", effect.anchor, ref)
        elif isinstance(effect, UpdatePost):
            posted: dict[str, Any] | None = await asyncio.to_thread(
                self._core.recall, "post", effect.anchor
            )
            if posted is None:  # its post may still be on the way
                raise DeliveryFailed("post_not_known")
            await self._client.chat_update(
                channel=posted["channel"],
                ts=posted["ts"],
                text=fallback_text(effect.message),
                blocks=blocks_for(effect.message),
            )
        elif isinstance(effect, SendDirect):
            await self.send_direct(effect.user.user_id, effect.message)

    async def _post(self, channel: str, message: Message, *, thread_ts: str | None = None) -> Any:
        kwargs: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        response = await self._client.chat_postMessage(
            channel=channel,
            text=fallback_text(message),
            blocks=blocks_for(message),
            unfurl_links=False,
            unfurl_media=False,
            **kwargs,
        )
        if message.attachment is not None:
            # files.upload was retired; v2 uploads, then shares into the same conversation.
            await self._client.files_upload_v2(
                channel=str(response["channel"]),
                file=message.attachment.content,
                filename=message.attachment.filename,
                title=message.attachment.title,
                **kwargs,
            )
        return response

    async def _private(self, where: Where, message: Message) -> None:
        if where.in_channel and where.channel:
            kwargs: dict[str, Any] = {"thread_ts": where.thread_ts} if where.thread_ts else {}
            await self._client.chat_postEphemeral(
                channel=where.channel,
                user=where.user_id,
                text=fallback_text(message),
                blocks=blocks_for(message),
                **kwargs,
            )
        elif where.channel:
            await self._post(where.channel, message, thread_ts=where.thread_ts)
        else:
            await self.send_direct(where.user_id, message)

    async def send_direct(self, user_id: str, message: Message) -> None:
        """Post to the user's DM with the app (opened once, then remembered)."""
        await self._post(await self.dm_channel(user_id), message)

    async def dm_channel(self, user_id: str) -> str:
        """The id of the DM channel between the app and ``user_id``."""
        ref: dict[str, Any] | None = await asyncio.to_thread(self._core.recall, "slack_dm", user_id)
        if ref and ref.get("channel"):
            return str(ref["channel"])
        response = await self._client.conversations_open(users=user_id)
        channel = str(response["channel"]["id"])
        await asyncio.to_thread(self._core.remember, "slack_dm", user_id, {"channel": channel})
        return channel
