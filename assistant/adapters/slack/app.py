"""Bolt wiring: Slack requests in, Incoming to the core, effects out. No decisions here."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.lanes import CoreLanes
from assistant.adapters.slack.delivery import WEB_API_ERRORS, SlackDelivery, failure_reason
from assistant.adapters.slack.delivery import Elsewhere as Elsewhere
from assistant.adapters.slack.entry_points import EntryPoints
from assistant.adapters.slack.guards import friendly, is_json_object_or_form, ours
from assistant.adapters.slack.home import publish_home
from assistant.adapters.slack.people import People
from assistant.adapters.slack.render import (
    PEOPLE_NEXT_ACTION,
    PEOPLE_SELECT_ACTION,
    REASON_BLOCK,
    REASON_CALLBACK,
    TICK_ACTION_PREFIX,
    action_of,
    needs_reason,
    reason_modal,
)
from assistant.adapters.slack.translate import (
    Where,
    action_incoming,
    action_key,
    conversation_of,
    event_key,
    identity,
    is_from_a_person,
    mentioned_ids,
    message_incoming,
    reason_incoming,
    reason_metadata,
    selected_users,
    where_for_action,
    where_for_event,
)
from assistant.adapters.slack.whole_form import (
    WHOLE_CALLBACK,
    block_errors,
    field_errors,
    picked_users,
    whole_form_incoming,
    whole_form_modal,
)
from assistant.config import SlackSettings
from assistant.core import Core
from assistant.errors import AssistantError
from assistant.messages import Action, Effect, Incoming, Kind, Message
from assistant.texts import slack as texts

log = logging.getLogger(__name__)
AUTH_CHECK_S = 60.0  # /healthz asks Slack whether the token works at most this often
AUTH_TIMEOUT_S = 3.0

EVENTS_PATH = "/slack/events"
MAX_RATE_LIMIT_RETRIES = 3
CORE_ACTIONS = re.compile(r"^(form|approval|feedback)\.")
# Platform references of channel threads the bot has answered in: a reply there is a
# follow-up and needs no new @mention.
THREAD_KIND = "slack_thread"
STATE_ONLY_ACTIONS = re.compile(
    rf"^({re.escape(TICK_ACTION_PREFIX)}\||{re.escape(PEOPLE_SELECT_ACTION)}$)"
)


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL as base, 429s retried after Retry-After."""
    base_url = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=MAX_RATE_LIMIT_RETRIES),
        ],
    )


def quiet_sdk_logs() -> None:
    """Keep the Slack SDK and bolt at INFO whatever the root level: at DEBUG they log every
    request and response body, i.e. what staff asked and were told."""
    level = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    # The SDK and bolt check their own logger's level (not the effective one) before
    # formatting a body, so each logger that does so gets a level of its own.
    for name in (
        "slack_sdk",
        "slack_sdk.web.async_base_client",
        "slack_sdk.web.base_client",
        "slack_bolt",
    ):
        logging.getLogger(name).setLevel(level)


class SlackAdapter:
    """The Slack side of the server: a bolt AsyncApp whose listeners only translate."""

    def __init__(
        self, *, core: Core, settings: SlackSettings, elsewhere: Elsewhere, lanes: CoreLanes
    ) -> None:
        quiet_sdk_logs()
        self.core = core
        self.app_token = settings.app_token
        self.client = web_client(settings)
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret,
            logger=logging.getLogger("slack_bolt"),
        )
        self.delivery = SlackDelivery(client=self.client, core=core, elsewhere=elsewhere)
        self.people = People(self.client)
        self.lanes = lanes
        self._socket_mode: Any = None
        self._auth: tuple[float, str] | None = None  # (when checked, "" or why it failed)
        self._register()

    def _register(self) -> None:
        bolt = self.bolt
        bolt.event("message")(self.on_message)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("app_home_opened")(self.on_home_opened)
        bolt.action(CORE_ACTIONS)(self.on_action)
        bolt.action(PEOPLE_NEXT_ACTION)(self.on_action)
        bolt.action(STATE_ONLY_ACTIONS)(self.on_state_change)
        bolt.view(REASON_CALLBACK)(self.on_reason)
        bolt.view(WHOLE_CALLBACK)(self.on_whole_form)
        EntryPoints(self).register(bolt)  # /policy, the shortcuts and App Home's buttons

    # ---- HTTP -------------------------------------------------------------------------

    async def handle_request(self, request: web.Request) -> web.Response:
        """POST /slack/events: events, interactivity and options (bolt verifies signatures)."""
        if not await is_json_object_or_form(request):
            log.warning("Slack: request body is JSON but not an object (400)")
            return web.Response(status=400)
        bolt_response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def session_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """One HTTP connection pool for every Web API call while the server runs."""
        session = aiohttp.ClientSession()
        self.client.session = session
        yield
        self.client.session = None
        await session.close()

    async def socket_mode_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """With SLACK_APP_TOKEN, also receive Slack's requests over Socket Mode."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(
            self.bolt, app_token=self.app_token, web_client=self.client
        )
        self._socket_mode = handler
        try:
            await handler.connect_async()
            log.info("Slack: connected over Socket Mode")
        except Exception:
            log.exception("Slack: Socket Mode connection failed; /slack/events still answers")
        yield
        await handler.close_async()

    async def health(self) -> dict[str, Any]:
        """For /healthz: the bot token works (``auth.test``, checked at most once a minute)
        and, with an app token, Socket Mode is connected."""
        now = time.monotonic()
        if self._auth is None or now - self._auth[0] > AUTH_CHECK_S:
            try:
                await asyncio.wait_for(self.client.auth_test(), timeout=AUTH_TIMEOUT_S)
                self._auth = (now, "")
            except (TimeoutError, *WEB_API_ERRORS) as exc:
                self._auth = (
                    now,
                    failure_reason(exc) if not isinstance(exc, TimeoutError) else "timed out",
                )
        report: dict[str, Any] = {"ok": not self._auth[1], "auth": self._auth[1] or "ok"}
        if self.app_token:
            handler = self._socket_mode
            connected = handler is not None and await handler.client.is_connected()
            report["socket_mode"] = "connected" if connected else "not connected"
            report["ok"] = report["ok"] and connected
        return report

    # ---- events (bolt has acknowledged them already) -------------------------------------

    async def on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        """A direct message (a question or a typed form answer), or a reply in a channel
        thread the bot has answered in (a follow-up, no @mention needed)."""
        channel_type = event.get("channel_type")
        if channel_type == "im":
            await self._question(body, event, context)
        elif channel_type in ("channel", "group") and event.get("thread_ts"):
            await self._thread_reply(body, event, context)
        # Other channel chatter is not for the bot; questions there come as app_mention.

    async def _thread_reply(
        self, body: dict[str, Any], event: dict[str, Any], context: Any
    ) -> None:
        bot_user_id = context.get("bot_user_id")
        if bot_user_id and f"<@{bot_user_id}" in str(event.get("text") or ""):
            return  # a mention: its app_mention event is answered instead
        if not is_from_a_person(event, bot_user_id=bot_user_id):
            return
        joined = await asyncio.to_thread(self.core.recall, THREAD_KIND, conversation_of(event))
        if joined is None:
            return  # a thread the bot is not part of
        await self._question(body, event, context)

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        """An @mention in a channel: answered in a thread of the question."""
        await self._question(body, event, context)

    async def _question(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        bot_user_id = context.get("bot_user_id")
        if not is_from_a_person(event, bot_user_id=bot_user_id):
            return
        if not ours(body, event, context):
            return
        if not await asyncio.to_thread(self.core.first_delivery, event_key(body)):
            return
        raw = str(event.get("text") or "")
        names = await self.people.names(
            [event["user"], *mentioned_ids(raw, bot_user_id=bot_user_id)]
        )
        incoming = message_incoming(event, bot_user_id=bot_user_id, names=names)
        if event.get("channel_type") != "im" and incoming.conversation:
            # The answer goes in this thread: the bot is part of it from now on.
            await asyncio.to_thread(
                self.core.remember, THREAD_KIND, incoming.conversation, {"joined": True}
            )
        await self.handle(incoming, where_for_event(event))

    async def on_home_opened(self, event: dict[str, Any]) -> None:
        """The App Home tab was opened: publish the person's overview."""
        if event.get("tab", "home") == "home" and event.get("user"):
            await self._safely(
                publish_home(client=self.client, core=self.core, user_id=event["user"])
            )

    # ---- interactivity (ack first, then the work) ----------------------------------------

    async def on_state_change(self, ack: Any) -> None:
        """A checkbox ticked or a person picked: nothing to do until Next is pressed."""
        await ack()

    async def on_action(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any
    ) -> None:
        """A button: open the reason modal, or hand the action to the core."""
        await ack()
        if not ours(body, None, context):
            return
        where = where_for_action(body)
        action_id = str(action.get("action_id", ""))
        core_action = action_of(action_id)
        if core_action is Action.FORM_WHOLE_OPEN:
            await self.open_whole_form(body, where)
            return
        if core_action is not None and needs_reason(action_id):
            metadata = reason_metadata(
                action=core_action, value=str(action.get("value", "")), where=where
            )
            await self.open_modal(body, reason_modal(metadata=metadata), where)
            return
        if not await asyncio.to_thread(self.core.first_delivery, action_key(body, action)):
            return
        names = await self.people.names([where.user_id, *selected_users(body)])
        incoming = action_incoming(body, action, names=names)
        if incoming is None:
            return
        await self.handle(incoming, where)
        if where.channel is None:
            await publish_home(client=self.client, core=self.core, user_id=where.user_id)

    async def on_reason(
        self, ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any
    ) -> None:
        """The reason modal was submitted: an empty reason is refused under the field."""
        if not ours(body, None, context):
            await ack()
            return
        fields: dict[str, Any] = view["state"]["values"].get(REASON_BLOCK) or {}
        first: dict[str, Any] = next(iter(fields.values()), {})
        reason = str(first.get("value") or "")
        if not reason.strip():
            await ack(response_action="errors", errors={REASON_BLOCK: texts.REASON_REQUIRED})
            return
        await ack()
        if not await asyncio.to_thread(self.core.first_delivery, f"slack:view:{view.get('id')}"):
            return
        names = await self.people.names([body["user"]["id"]])
        incoming, where = reason_incoming(body, names=names)
        await self.handle(incoming, where)

    async def on_whole_form(
        self, ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any
    ) -> None:
        """The whole form was submitted: checked by the core before the ack (no model and no
        Slack call is involved, so it is fast); errors go under their fields, else the review
        to the DM. Names not cached yet are looked up after the ack, and the form is handed
        to the core again with them."""
        if not ours(body, None, context):
            await ack()
            return
        user_id = str(body["user"]["id"])
        ids = [user_id, *picked_users(view)]
        cached = self.people.cached(ids)
        where = Where(user_id=user_id)
        effects = await self._whole_form_effects(body, cached, where, ack)
        if effects is None:
            return
        errors = field_errors(effects)
        if errors:
            await ack(response_action="errors", errors=block_errors(errors, view))
            return
        await ack()
        if set(cached) != set(ids):
            names = await self.people.names(ids)
            if names != cached:
                effects = await self._whole_form_effects(body, names, where, None)
                if effects is None:
                    return
        await self.delivery.carry_out(effects, where)

    async def _whole_form_effects(
        self, body: dict[str, Any], names: dict[str, str], where: Where, ack: Any
    ) -> list[Effect] | None:
        """The core's effects for the submitted form, or None when it failed (told)."""
        incoming = whole_form_incoming(body, names=names)
        try:
            return await self.effects(incoming)
        except Exception as exc:
            log.exception("core failed on a whole form")
            if ack is not None:
                await ack()
            await self.delivery.tell(where, friendly(exc))
            return None

    async def open_whole_form(self, body: dict[str, Any], where: Where) -> None:
        """Open the whole-form modal, filled in from the person's draft."""
        fields = await asyncio.to_thread(self.core.whole_form, identity(where.user_id))
        await self.open_modal(body, whole_form_modal(fields=fields, user_id=where.user_id), where)

    async def open_modal(self, body: dict[str, Any], modal: dict[str, Any], where: Where) -> None:
        """Open a modal with the click's trigger_id (valid for 3 seconds)."""
        try:
            await self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except WEB_API_ERRORS as exc:
            log.warning("Slack: views.open failed: %s", failure_reason(exc))
            await self.delivery.tell(
                where, Message(text=texts.SOMETHING_WENT_WRONG, kind=Kind.ERROR)
            )

    # ---- the one path to the core ----------------------------------------------------------

    async def effects(self, incoming: Incoming) -> list[Effect]:
        """The core's effects for ``incoming``, computed on its lane's threads."""
        return await self.lanes.handle(incoming)

    async def handle(self, incoming: Incoming, where: Where) -> None:
        """Call the core on its lane's threads and carry out its effects."""
        effects: list[Effect]
        try:
            effects = await self.effects(incoming)
        except AssistantError as exc:
            log.exception("core refused %s", incoming.action or "a message")
            await self.delivery.tell(where, friendly(exc))
            return
        except Exception as exc:
            log.exception("core failed on %s", incoming.action or "a message")
            await self.delivery.tell(where, friendly(exc))
            return
        await self.delivery.carry_out(effects, where)

    async def _safely(self, work: Any) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack: handling an event failed")
