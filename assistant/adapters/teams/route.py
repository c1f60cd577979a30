"""``POST /api/messages``: authenticate fast, answer 200, do the work in a background task."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import Bot, CloudAdapterBase
from botbuilder.schema import Activity

from assistant.adapters.teams.auth import AuthMode, has_bearer_token, is_loopback_url

log = logging.getLogger(__name__)


class MessagesRoute:
    """The aiohttp handler for Bot Framework activities."""

    def __init__(self, *, adapter: CloudAdapterBase, bot: Bot, mode: AuthMode) -> None:
        self._adapter = adapter
        self._bot = bot
        self._mode = mode
        self.tasks: set[asyncio.Task[Any]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        if self._mode is AuthMode.AUTHENTICATED and not has_bearer_token(header):
            log.warning("Teams: request without a Bot Framework token refused (401)")
            return web.Response(status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        try:
            body = await request.json()
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
