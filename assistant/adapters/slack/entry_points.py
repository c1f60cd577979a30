"""Slack's other ways in: ``/policy``, the two shortcuts and App Home's Ask button.

``/policy`` and "Check against the policy" answer privately through the request's
``response_url`` (it works in any conversation, including those the bot is not in), always as
a policy question (``direct=False``): no form step or request detail is shown there. "Share in
channel" asks the core again with the question the button carries and posts only a policy
answer, once, then removes the private copy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason
from assistant.adapters.slack.guards import friendly, ours
from assistant.adapters.slack.home import ASK_ACTION
from assistant.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    Block,
    blocks_for,
    escape,
    fallback_text,
    text_modal,
)
from assistant.adapters.slack.translate import (
    Where,
    identity,
    mentioned_ids,
    plain_text,
)
from assistant.messages import Effect, Incoming, Kind, Message, PrivateReply, Reply
from assistant.texts import slack as texts

if TYPE_CHECKING:
    from slack_bolt.app.async_app import AsyncApp

    from assistant.adapters.slack.app import SlackAdapter

log = logging.getLogger(__name__)

POLICY_COMMAND = "/policy"
SHARE_ACTION = "policy.share"
CHECK_CALLBACK = "policy.check"  # the message shortcut
REQUEST_CALLBACK = "form.request"  # the global shortcut
ASK_CALLBACK = "policy.ask"  # App Home's question modal
ASK_BLOCK = "question"
ASK_INPUT = "question_input"
SHAREABLE = (Kind.ANSWER, Kind.REFUSAL)
MAX_SHOWN_QUESTION = 1800  # within a context element's 2,000 characters, with the names
_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")


class ResponseFailed(Exception):
    """Slack did not accept a message sent to a response_url."""


def share_block(question: str) -> Block:
    """The "Share in channel" button, carrying the question to ask again."""
    return {
        "type": "actions",
        "block_id": "share",
        "elements": [
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "text": {"type": "plain_text", "text": texts.SHARE_BUTTON},
                "value": question,
            }
        ],
    }


def shared_by(user_id: str, question: str) -> Block:
    """The context line under a shared answer: who shared it (a Slack mention) and what they
    asked, so the channel sees the question too."""
    who = f"<@{user_id}>" if _SLACK_USER.fullmatch(user_id) else escape(user_id)
    if len(question) > MAX_SHOWN_QUESTION:
        question = question[: MAX_SHOWN_QUESTION - 1] + "…"
    before, _, after = texts.SHARED_BY.partition("{user}")
    text = escape(before) + who + escape(after.format(question=question))
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}


def ask_modal() -> Block:
    """App Home's "Ask a question" modal: one multiline box."""
    return text_modal(
        callback_id=ASK_CALLBACK,
        title=texts.ASK_TITLE,
        submit=texts.ASK_SUBMIT,
        close=texts.ASK_CLOSE,
        input_ids=(ASK_BLOCK, ASK_INPUT),
        label=texts.ASK_LABEL,
        hint=texts.ASK_HINT,
    )


def asked(view: dict[str, Any]) -> str:
    """The question typed in the ask modal ("" when none)."""
    block = ((view.get("state") or {}).get("values") or {}).get(ASK_BLOCK) or {}
    return str((block.get(ASK_INPUT) or {}).get("value") or "").strip()


def replies(effects: Sequence[Effect]) -> list[Message]:
    """The messages meant for the person who asked."""
    return [e.message for e in effects if isinstance(e, Reply | PrivateReply)]


class EntryPoints:
    """The listeners for /policy, Share, the shortcuts and the ask modal."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(POLICY_COMMAND)(self.on_policy)
        bolt.action(SHARE_ACTION)(self.on_share)
        bolt.shortcut(CHECK_CALLBACK)(self.on_check)
        bolt.shortcut(REQUEST_CALLBACK)(self.on_request)
        bolt.action(ASK_ACTION)(self.on_ask)
        bolt.view(ASK_CALLBACK)(self.on_asked)

    # ---- /policy and the message shortcut --------------------------------------------------

    async def on_policy(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        """``/policy <question>``: acknowledged at once, answered privately just after."""
        raw = str(body.get("text") or "")
        if not raw.strip():
            await ack(text=texts.POLICY_USAGE)  # Slack shows an ack's text to the asker only
            return
        await ack()
        user_id = str(body.get("user_id") or "")
        if not ours(body, {"team": str(body.get("team_id") or "")}, context):
            return
        key = f"slack:command:{user_id}:{body.get('trigger_id')}"
        if not await asyncio.to_thread(self.adapter.core.first_delivery, key):
            return
        await self._answer_privately(raw, user_id=user_id, body=body, context=context)

    async def on_check(
        self, ack: Any, body: dict[str, Any], shortcut: dict[str, Any], context: Any
    ) -> None:
        """The message shortcut: the message's text answered as a private question."""
        await ack()
        if not ours(body, None, context):
            return
        user_id = str(body["user"]["id"])
        raw = str((shortcut.get("message") or {}).get("text") or "")
        if not raw.strip():
            await self._respond(body, Message(text=texts.CHECK_EMPTY), public=False)
            return
        await self._answer_privately(raw, user_id=user_id, body=body, context=context)

    async def _answer_privately(
        self, raw: str, *, user_id: str, body: dict[str, Any], context: Any
    ) -> None:
        bot_user_id = context.get("bot_user_id")
        names = await self.adapter.people.names(
            [user_id, *mentioned_ids(raw, bot_user_id=bot_user_id)]
        )
        question = plain_text(raw, names=names, bot_user_id=bot_user_id)
        incoming = Incoming(
            user=identity(user_id),
            text=question,
            display_name=names.get(user_id, ""),
            direct=False,  # a policy question only, whatever conversation it came from
        )
        try:
            effects = await self.adapter.effects(incoming)
        except Exception as exc:
            log.exception("core failed on a private question")
            await self._respond(body, friendly(exc), public=False)
            return
        for message in replies(effects):
            extra = [share_block(question)] if self._shareable(message, question) else []
            await self._respond(body, message, public=False, extra=extra)
        # The rest (a form question sent to the DM) leaves through the usual delivery.
        rest = [e for e in effects if not isinstance(e, Reply | PrivateReply)]
        if rest:
            await self.adapter.delivery.carry_out(rest, Where(user_id=user_id))

    @staticmethod
    def _shareable(message: Message, question: str) -> bool:
        return message.kind in SHAREABLE and 0 < len(question) <= MAX_BUTTON_VALUE

    # ---- Share in channel ----------------------------------------------------------------

    async def on_share(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any
    ) -> None:
        """Post the policy's answer to the question publicly, once, then drop the private one."""
        await ack()
        if not ours(body, None, context):
            return
        user_id = str(body["user"]["id"])
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        key = f"slack:share:{channel}:{container.get('message_ts')}:{user_id}"
        if not await asyncio.to_thread(self.adapter.core.first_delivery, key):
            return  # a second click on the same answer
        question = str(action.get("value") or "")[:MAX_BUTTON_VALUE]
        incoming = Incoming(user=identity(user_id), text=question, direct=False)
        try:
            effects = await self.adapter.effects(incoming)
        except Exception:
            log.exception("core failed on a shared question")
            effects = []
        answers = [m for m in replies(effects) if m.kind in SHAREABLE]
        if not answers:  # never anything but the policy's answer in public
            await self._respond(body, Message(text=texts.SHARE_FAILED), public=False)
            return
        try:
            for message in answers:
                public = dataclasses.replace(message, buttons=())
                await self._post(body, public, public=True, extra=[shared_by(user_id, question)])
            await self._post_raw(body, {"delete_original": True})
        except (ResponseFailed, *WEB_API_ERRORS) as exc:
            log.warning("Slack: sharing an answer failed: %s", _reason(exc))

    # ---- opening modals ------------------------------------------------------------------

    async def on_request(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        """The global shortcut "New social media site": the whole-form modal."""
        await ack()
        if ours(body, None, context):
            await self.adapter.open_whole_form(body, Where(user_id=str(body["user"]["id"])))

    async def on_ask(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        """App Home's "Ask a question": the question modal."""
        await ack()
        if ours(body, None, context):
            await self.adapter.open_modal(body, ask_modal(), Where(user_id=str(body["user"]["id"])))

    async def on_asked(
        self, ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any
    ) -> None:
        """The question modal was submitted: answered in the person's DM with the app, as if
        typed there (follow-ups in the DM read with it)."""
        question = asked(view)
        if not ours(body, None, context):
            await ack()
            return
        if not question:
            await ack(response_action="errors", errors={ASK_BLOCK: texts.ASK_REQUIRED})
            return
        await ack()
        if not await asyncio.to_thread(
            self.adapter.core.first_delivery, f"slack:view:{view.get('id')}"
        ):
            return
        user_id = str(body["user"]["id"])
        delivery = self.adapter.delivery
        try:
            channel = await delivery.dm_channel(user_id)
            await delivery.send_direct(
                user_id, Message(text=texts.YOU_ASKED.format(question=question))
            )
        except WEB_API_ERRORS as exc:
            log.warning("Slack: opening the DM for a question failed: %s", failure_reason(exc))
            return
        names = await self.adapter.people.names([user_id])
        incoming = Incoming(
            user=identity(user_id),
            text=question,
            display_name=names.get(user_id, ""),
            direct=True,
            conversation=f"slack:{channel}",
        )
        await self.adapter.handle(incoming, Where(user_id=user_id, channel=channel, direct=True))

    # ---- response_url ----------------------------------------------------------------------

    async def _respond(
        self, body: dict[str, Any], message: Message, *, public: bool, extra: Sequence[Block] = ()
    ) -> None:
        """Best effort: a message through the response_url (failures are logged)."""
        try:
            await self._post(body, message, public=public, extra=extra)
        except (ResponseFailed, *WEB_API_ERRORS) as exc:
            log.warning("Slack: answering through response_url failed: %s", _reason(exc))

    async def _post(
        self, body: dict[str, Any], message: Message, *, public: bool, extra: Sequence[Block]
    ) -> None:
        blocks = blocks_for(message, limit=MAX_BLOCKS - len(extra)) + list(extra)
        await self._post_raw(
            body,
            {
                "response_type": "in_channel" if public else "ephemeral",
                "replace_original": False,
                "text": fallback_text(message),
                "blocks": blocks,
                "unfurl_links": False,
                "unfurl_media": False,
            },
        )

    async def _post_raw(self, body: dict[str, Any], payload: dict[str, Any]) -> None:
        url = str(body.get("response_url") or "")
        if not url:
            raise ResponseFailed("no response_url")
        client = AsyncWebhookClient(url, session=self.adapter.client.session)
        response = await client.send_dict(payload)
        if response.status_code != 200:
            raise ResponseFailed(str(response.status_code))


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ResponseFailed) else failure_reason(exc)
