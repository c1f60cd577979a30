"""Mounts ``POST /api/messages`` on the shared server, or explains why it stays off."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants

from assistant.adapters.server import DELIVERERS, LANES, deliver_elsewhere
from assistant.adapters.teams.auth import AuthMode, decide_mode, is_loopback_url
from assistant.adapters.teams.bot import TeamsBot
from assistant.adapters.teams.delivery import RetryPolicy, TeamsDelivery
from assistant.adapters.teams.route import MessagesRoute
from assistant.adapters.teams.translate import TRIAL
from assistant.config import Settings, TeamsSettings
from assistant.core import Core
from assistant.errors import ConfigError
from assistant.messages import Effect

log = logging.getLogger(__name__)
ROUTE: web.AppKey[MessagesRoute] = web.AppKey("teams_route", MessagesRoute)


# What botbuilder's built-in public cloud uses; a partial override keeps the rest of these.
PUBLIC_CLOUD: dict[str, str] = {
    "TO_CHANNEL_FROM_BOT_LOGIN_URL": AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
    "OAUTH_URL": AuthenticationConstants.OAUTH_URL,
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": (
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    ),
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": (
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    ),
    "CALLER_ID": CallerIdConstants.public_azure_channel.value,
}


@dataclass(frozen=True)
class BotConfig:
    """The attribute names botbuilder's configuration factory reads."""

    APP_ID: str  # noqa: N815
    APP_PASSWORD: str  # noqa: N815
    APP_TYPE: str  # noqa: N815
    APP_TENANTID: str  # noqa: N815
    # None everywhere below: botbuilder's built-in public cloud (the production default).
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None  # noqa: N815
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None  # noqa: N815
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None  # noqa: N815
    OAUTH_URL: str | None = None  # noqa: N815
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None  # noqa: N815
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None  # noqa: N815
    CALLER_ID: str | None = None  # noqa: N815

    @classmethod
    def of(cls, teams: TeamsSettings) -> BotConfig:
        unknown = sorted(set(teams.endpoints) - set(PUBLIC_CLOUD))
        if unknown:
            raise ConfigError(
                f"teams endpoints: unknown {', '.join(unknown)} "
                f"(expected some of {', '.join(PUBLIC_CLOUD)})"
            )
        # Any one endpoint switches botbuilder to its parameterized mode, which needs them all.
        endpoints = {**PUBLIC_CLOUD, **teams.endpoints} if teams.endpoints else {}
        return cls(
            APP_ID=teams.app_id,
            APP_PASSWORD=teams.app_password,
            APP_TYPE=teams.app_type or "MultiTenant",
            APP_TENANTID=teams.tenant_id,
            **endpoints,
        )


def tenant_order(teams: TeamsSettings) -> tuple[str, ...]:
    """The tenants the bot serves, its own first."""
    return tuple(dict.fromkeys(t for t in (teams.tenant_id, *teams.tenants) if t))


def channels_without_bot(settings: Settings, core: Core) -> list[tuple[str, str]]:
    """(stage, channel id) of configured Teams channels the bot has not been added to."""
    return [
        (stage, platforms["teams"])
        for stage, platforms in sorted(settings.channels.items())
        if platforms.get("teams") and core.recall("teams_conversation", platforms["teams"]) is None
    ]


def mount(
    app: web.Application, core: Core, settings: Settings, *, policy: RetryPolicy | None = None
) -> AuthMode:
    """Add the Teams route and deliverer when allowed; log why not otherwise."""
    mode = decide_mode(settings)
    if mode is AuthMode.OFF:
        log.info(
            "Teams: off (set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID "
            "to turn it on; ASSISTANT_TEAMS_TRIAL=1 with HOST=127.0.0.1 gives a local trial)"
        )
        return mode
    if mode is AuthMode.LOOPBACK_TRIAL:
        log.warning(
            "Teams: ASSISTANT_TEAMS_TRIAL=1 and no MICROSOFT_APP_ID: authentication is OFF. "
            "/api/messages answers only on %s, only requests from this machine that came "
            "through no proxy, for a local Bot Framework Emulator trial; it replies only to a "
            "loopback serviceUrl and refuses to submit, withdraw, record feedback or decide. "
            "Register the bot before using it in Teams.",
            settings.host,
        )
    else:
        log.info("Teams: on at POST /api/messages (app id %s)", settings.teams.app_id)
    for stage, channel in channels_without_bot(settings, core):
        log.warning(
            "Teams: the bot has not been added to the %s channel %s yet, so approvals can't be "
            "posted there: add the app to that team and send it a message in the channel",
            stage,
            channel,
        )
    # msrest logs request bodies at DEBUG; staff messages must never reach the logs.
    logging.getLogger("msrest").setLevel(logging.WARNING)

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(BotConfig.of(settings.teams)))
    trial = mode is AuthMode.LOOPBACK_TRIAL
    delivery = TeamsDelivery(
        adapter=adapter,
        core=core,
        app_id=settings.teams.app_id,
        policy=policy,
        allow_service_url=is_loopback_url if trial else (lambda url: True),
        tenants=(TRIAL,) if trial else tenant_order(settings.teams),
    )

    async def elsewhere(effects: Sequence[Effect]) -> None:
        await deliver_elsewhere(app, effects)

    bot = TeamsBot(
        core=core,
        delivery=delivery,
        deliver_elsewhere=elsewhere,
        authenticated=not trial,
        policy=policy,
        lanes=app[LANES],
    )
    route = MessagesRoute(
        adapter=adapter, bot=bot, mode=mode, tenants=settings.teams.allowed_tenants
    )
    app.router.add_post("/api/messages", route.handle)
    app[DELIVERERS]["teams"] = delivery.send
    app[ROUTE] = route

    async def drain(_: web.Application) -> None:
        await route.drain()

    app.on_shutdown.append(drain)
    return mode
