"""``POST /api/messages``: authenticate fast, answer 200, do the work in a background task."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import Bot, CloudAdapterBase
from botbuilder.schema import Activity

from assistant.adapters.teams.auth import (
    AuthMode,
    came_through_a_proxy,
    has_bearer_token,
    is_local_peer,
    is_loopback_url,
)
from assistant.adapters.teams.translate import origin_problem, user_id

log = logging.getLogger(__name__)


class MessagesRoute:
    """The aiohttp handler for Bot Framework activities."""

    def __init__(
        self,
        *,
        adapter: CloudAdapterBase,
        bot: Bot,
        mode: AuthMode,
        tenants: frozenset[str] = frozenset(),
    ) -> None:
        self._adapter = adapter
        self._bot = bot
        self._mode = mode
        self._tenants = tenants
        self.tasks: set[asyncio.Task[Any]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        if self._mode is AuthMode.LOOPBACK_TRIAL and (
            came_through_a_proxy(request.headers) or not is_local_peer(request.remote)
        ):
            # The trial checks no token: it serves only a client on this very machine.
            log.warning("Teams: trial request from another machine or through a proxy (403)")
            return web.Response(status=403)
        header = request.headers.get("Authorization")
        if self._mode is AuthMode.AUTHENTICATED and not has_bearer_token(header):
            log.warning("Teams: request without a Bot Framework token refused (401)")
            return web.Response(status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        try:
            body = await request.json()
            if not isinstance(body, dict):  # null, a list, a number: not an activity
                raise ValueError("not a JSON object")
            activity = Activity().deserialize(body)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, TypeError, AttributeError):
            log.warning("Teams: request body is not a Bot Framework activity (400)")
            return web.Response(status=400)
        if not activity.type:
            return web.Response(status=400)
        if self._mode is AuthMode.LOOPBACK_TRIAL and not is_loopback_url(activity.service_url):
            log.warning(
                "Teams: activity refused: without MICROSOFT_APP_ID the bot answers only a loopback "
                "serviceUrl (this one is not)"
            )
            return web.Response(status=403)
        try:
            # Authentication off: botbuilder gives anonymous claims for a None header.
            auth = await self._adapter.bot_framework_authentication.authenticate_request(
                activity, header if self._mode is AuthMode.AUTHENTICATED else None
            )
        except Exception as error:
            log.warning("Teams: Bot Framework token refused (401): %s", type(error).__name__)
            return web.Response(status=401)
        if self._mode is AuthMode.AUTHENTICATED:
            # A valid token proves the Bot Framework sent it, not that Teams vouches for the
            # sender: Direct Line and Web Chat let the client choose who it is.
            problem = origin_problem(activity, self._tenants)
            if problem:
                log.warning("Teams: activity refused (403): %s", problem)
                return web.Response(status=403)
            if activity.type in ("message", "invoke") and not user_id(activity):
                log.warning("Teams: activity refused (403): the sender has no Entra object id")
                return web.Response(status=403)
        if activity.type == "invoke":  # the caller waits for an invoke response body
            response = await self._adapter.process_activity(auth, activity, self._bot.on_turn)
            if response is None:
                return web.Response(status=200)
            return web.json_response(response.body, status=response.status)
        task = asyncio.create_task(self._process(auth, activity))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return web.Response(status=200)

    async def _process(self, auth: Any, activity: Activity) -> None:
        try:
            await self._adapter.process_activity(auth, activity, self._bot.on_turn)
        except Exception:
            log.exception("Teams: processing activity %s failed", activity.id)

    async def drain(self, timeout: float = 10.0) -> None:
        """Let running turns finish (bounded), then cancel what is left."""
        if not self.tasks:
            return
        _, pending = await asyncio.wait(set(self.tasks), timeout=timeout)
        for task in pending:
            task.cancel()
