"""The ActivityHandler: remembers conversations, hands messages to the core, renders effects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ChannelAccount

from assistant.adapters.lanes import CoreLanes
from assistant.adapters.teams.cards import activity_for, answered
from assistant.adapters.teams.delivery import RetryPolicy, TeamsDelivery, with_retries
from assistant.adapters.teams.translate import (
    CONVERSATION_KIND,
    conversation_keys,
    is_personal,
    mentions_bot,
    people_mentioned,
    to_incoming,
    typed_answer,
)
from assistant.adapters.teams.welcome import (
    installs_bot_personally,
    welcome_key,
    welcome_message,
)
from assistant.core import Core
from assistant.errors import AssistantError
from assistant.messages import (
    STATE_CHANGING_ACTIONS,
    Effect,
    Incoming,
    Message,
    PrivateReply,
    Reply,
)
from assistant.texts import teams as texts

log = logging.getLogger(__name__)
ElsewhereDeliverer = Callable[[Sequence[Effect]], Awaitable[None]]


class TeamsBot(ActivityHandler):
    """Translates Teams activities for the core; decides nothing itself."""

    def __init__(
        self,
        *,
        core: Core,
        delivery: TeamsDelivery,
        deliver_elsewhere: ElsewhereDeliverer,
        authenticated: bool,
        policy: RetryPolicy | None = None,
        lanes: CoreLanes | None = None,
    ) -> None:
        self._core = core
        self._lanes = lanes or CoreLanes(core)
        self._delivery = delivery
        self._deliver_elsewhere = deliver_elsewhere
        self._authenticated = authenticated
        self._policy = policy or RetryPolicy()

    async def on_turn(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context.activity)
        await super().on_turn(turn_context)

    async def _remember(self, activity: Activity) -> None:
        """Keep the conversation reference of every channel and personal chat the bot is in."""
        if activity.type not in ("message", "conversationUpdate", "installationUpdate"):
            return
        if not self._authenticated and not is_personal(activity):
            return  # the trial keeps no channel, so it can never stand in for a real one
        for key, reference in conversation_keys(activity, trial=not self._authenticated):
            try:
                await asyncio.to_thread(self._core.remember, CONVERSATION_KIND, key, reference)
            except Exception:
                log.exception("Teams: could not keep the conversation reference %s", key)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: Sequence[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        """Say what the bot does when installed in a personal chat: once per chat.

        A welcome changes nothing, so the trial sends it too. Teams may announce one install
        both as an installationUpdate and as a conversationUpdate, and redeliver either.
        """
        activity = turn_context.activity
        if not installs_bot_personally(activity):
            return
        for key in (f"teams:activity:{activity.id}" if activity.id else "", welcome_key(activity)):
            if key and not await asyncio.to_thread(self._core.first_delivery, key):
                return
        try:
            await self._reply(turn_context, welcome_message())
        except Exception:
            log.exception("Teams: sending the welcome failed")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.id and not await asyncio.to_thread(
            self._core.first_delivery, f"teams:activity:{activity.id}"
        ):
            log.info("Teams: activity %s delivered again; ignored", activity.id)
            return
        if not is_personal(activity) and activity.value is None and not mentions_bot(activity):
            return  # in a channel the bot answers only when @mentioned (or a card is used)
        trial = not self._authenticated
        incoming = to_incoming(activity, await self._resolve_mentions(turn_context), trial=trial)
        if incoming is None:
            return
        if trial:
            if incoming.action in STATE_CHANGING_ACTIONS:
                log.warning(
                    "Teams: %s refused: the route runs without authentication", incoming.action
                )
                await self._reply(turn_context, Message(text=texts.APPROVALS_NEED_REGISTRATION))
                return
            incoming = replace(incoming, verified=False)  # e.g. "submit" typed at the review
        try:
            effects = await self._lanes.handle(incoming)
        except AssistantError as error:
            log.warning("Teams: %s: %s", type(error).__name__, error, exc_info=True)
            await self._reply(turn_context, Message(text=error.user_message))
            return
        except Exception:
            log.exception("Teams: handling activity %s failed", activity.id)
            await self._reply(turn_context, Message(text=texts.SOMETHING_WENT_WRONG))
            return
        field, answer = typed_answer(activity.value)
        if field and activity.reply_to_id:
            await self._retire_question(turn_context, answered(field, answer))
        await self.render(turn_context, incoming, effects)

    async def _retire_question(self, turn_context: TurnContext, message: Message) -> None:
        """Replace the question card just answered in (its reply-to id) by its answer."""
        activity = activity_for(message)
        activity.id = turn_context.activity.reply_to_id
        try:
            await with_retries(lambda: turn_context.update_activity(activity), self._policy)
        except Exception:
            log.info("Teams: an answered question card was not replaced", exc_info=True)

    async def _resolve_mentions(self, turn_context: TurnContext) -> dict[str, str]:
        """Look up the aad object id of mentioned people whose mention entity lacks it."""
        resolved: dict[str, str] = {}
        for account, aad in people_mentioned(turn_context.activity):
            if aad:
                continue
            try:
                member = await TeamsInfo.get_member(turn_context, account)
            except Exception:
                log.info("Teams: could not look up a mentioned member")
                continue
            if member is not None and member.aad_object_id:
                resolved[account] = member.aad_object_id
        return resolved

    async def render(
        self, turn_context: TurnContext, incoming: Incoming, effects: Sequence[Effect]
    ) -> None:
        """Send replies here; private replies to the personal chat; the rest via the server."""
        elsewhere: list[Effect] = []
        for effect in effects:
            try:
                if isinstance(effect, Reply):
                    await self._reply(turn_context, effect.message)
                elif isinstance(effect, PrivateReply):
                    await self._private_reply(turn_context, incoming, effect.message)
                else:
                    elsewhere.append(effect)
            except Exception:
                log.exception("Teams: sending a %s failed", type(effect).__name__)
        if elsewhere:
            await self._deliver_elsewhere(elsewhere)

    async def _reply(self, turn_context: TurnContext, message: Message) -> None:
        activity = activity_for(message)
        await with_retries(lambda: turn_context.send_activity(activity), self._policy)

    async def _private_reply(
        self, turn_context: TurnContext, incoming: Incoming, message: Message
    ) -> None:
        # Teams has no ephemeral messages: use the person's personal chat when we have it.
        if not incoming.direct and await self._delivery.send_direct(
            incoming.user, message, warn=False
        ):
            return
        await self._reply(turn_context, message)
