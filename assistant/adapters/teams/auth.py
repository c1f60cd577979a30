"""When the Teams route may run: with a Bot Framework app id, or as a loopback-only local trial.

Without ``MICROSOFT_APP_ID`` botbuilder checks no token at all, so anyone who can reach the
route could speak for any user and name any ``serviceUrl`` for the bot to call. The rules:

* app id set -> ``AUTHENTICATED``: every request needs a valid Bot Framework token. A missing or
  malformed ``Authorization`` header is rejected here (401) before botbuilder sees it, so that
  path needs no network (botbuilder would otherwise try to validate it against OpenID metadata).
* no app id and the server listens on loopback -> ``LOOPBACK_TRIAL``: the route works, replies
  go only to a loopback ``serviceUrl``, and approvals are refused (a forged ``aadObjectId``
  must never decide one).
* no app id and any other host -> ``OFF``: the route is not mounted.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from urllib.parse import urlsplit

from assistant.config import Settings

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
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


def decide_mode(settings: Settings) -> AuthMode:
    """The route's mode for these settings."""
    if settings.teams.app_id:
        return AuthMode.AUTHENTICATED
    if is_loopback_host(settings.host):
        return AuthMode.LOOPBACK_TRIAL
    return AuthMode.OFF
