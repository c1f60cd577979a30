"""When the Teams route may run: with a Bot Framework app id, or as an opt-in local trial.

Without ``MICROSOFT_APP_ID`` botbuilder checks no token at all, so anyone who can reach the
route could speak for any user and name any ``serviceUrl`` for the bot to call. The rules:

* app id set -> ``AUTHENTICATED``: every request needs a valid Bot Framework token. A missing or
  malformed ``Authorization`` header is rejected here (401) before botbuilder sees it, so that
  path needs no network (botbuilder would otherwise try to validate it against OpenID metadata).
  Activities must also come from Teams (``channelId`` ``msteams``) in an allowed tenant, from a
  user with an Entra object id.
* no app id, ``ASSISTANT_TEAMS_TRIAL=1`` and the server listens on loopback -> ``LOOPBACK_TRIAL``
  for the Bot Framework Emulator: requests from another machine or through a proxy
  (``Forwarded`` / ``X-Forwarded-For``) are refused, replies go only to a loopback
  ``serviceUrl``, and nothing that changes state (submit, withdraw, feedback, approve,
  reject) is done, since any identity could be forged.
* anything else -> ``OFF``: the route is not mounted, so ``/api/messages`` answers 404.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import urlsplit

from assistant.config import Settings

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Headers a reverse proxy adds: a request carrying one did not come from this machine.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")
_BEARER = re.compile(r"^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class AuthMode(StrEnum):
    """How the Teams route authenticates requests."""

    AUTHENTICATED = "authenticated"
    LOOPBACK_TRIAL = "loopback_trial"
    OFF = "off"


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.1, localhost, ::1 (and any other loopback address)."""
    host = host.strip().lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str | None) -> bool:
    """True when ``url`` is an http(s) URL whose host is a loopback address."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and is_loopback_host(parts.hostname or "")


def has_bearer_token(header: str | None) -> bool:
    """True when ``header`` looks like ``Bearer <jwt>`` (its validity is botbuilder's check)."""
    return bool(header) and _BEARER.match(header or "") is not None


def came_through_a_proxy(headers: Mapping[str, str]) -> bool:
    """True when a reverse proxy forwarded the request (it names the original client)."""
    return any(name in headers for name in PROXY_HEADERS)


def is_local_peer(remote: str | None) -> bool:
    """True when the TCP peer of a request is this machine."""
    return bool(remote) and is_loopback_host(remote or "")


def decide_mode(settings: Settings) -> AuthMode:
    """The route's mode for these settings."""
    if settings.teams.app_id:
        return AuthMode.AUTHENTICATED
    if settings.teams.trial and is_loopback_host(settings.host):
        return AuthMode.LOOPBACK_TRIAL
    return AuthMode.OFF
