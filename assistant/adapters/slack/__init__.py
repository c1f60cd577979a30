"""The Slack adapter: bolt on the shared aiohttp server, translating only."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from assistant.adapters.server import DELIVERERS, HEALTH, LANES, deliver_elsewhere
from assistant.adapters.slack.app import EVENTS_PATH, SlackAdapter
from assistant.config import Settings
from assistant.core import Core
from assistant.messages import Effect

SLACK: web.AppKey[SlackAdapter] = web.AppKey("slack", SlackAdapter)


def mount(app: web.Application, core: Core, settings: Settings) -> SlackAdapter:
    """Serve Slack on POST /slack/events of ``app`` (and over Socket Mode with an app token)
    and register the Slack deliverer."""

    async def elsewhere(effects: Sequence[Effect]) -> None:
        await deliver_elsewhere(app, effects)

    adapter = SlackAdapter(
        core=core, settings=settings.slack, elsewhere=elsewhere, lanes=app[LANES]
    )
    app[SLACK] = adapter
    app[DELIVERERS]["slack"] = adapter.delivery.send
    app[HEALTH]["slack"] = adapter.health
    app.router.add_post(EVENTS_PATH, adapter.handle_request)
    app.cleanup_ctx.append(adapter.session_ctx)
    if settings.slack.app_token:
        app.cleanup_ctx.append(adapter.socket_mode_ctx)
    return adapter


__all__ = ["EVENTS_PATH", "SLACK", "SlackAdapter", "mount"]
