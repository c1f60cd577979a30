"""Display names of Slack users, from users.info, cached; a failed look-up is not fatal."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason

log = logging.getLogger(__name__)
MAX_LOOKUPS_PER_MESSAGE = 10
MISS_TTL_S = 600.0  # a user Slack cannot tell us about is asked about again after this


class People:
    """A cache of user id -> display name, misses included, with look-ups capped per message."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        max_entries: int = 10_000,
        max_lookups: int = MAX_LOOKUPS_PER_MESSAGE,
        miss_ttl: float = MISS_TTL_S,
    ) -> None:
        self._client = client
        self._names: dict[str, str] = {}
        self._misses: dict[str, float] = {}  # user id -> when the failed look-up may be retried
        self._max_entries = max_entries
        self._max_lookups = max_lookups
        self._miss_ttl = miss_ttl

    def cached(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names already known, without asking Slack."""
        return {u: self._names[u] for u in dict.fromkeys(user_ids) if self._names.get(u)}

    def _is_known_miss(self, user_id: str) -> bool:
        retry_at = self._misses.get(user_id)
        return retry_at is not None and time.monotonic() < retry_at

    async def name(self, user_id: str) -> str:
        """The user's display name, or "" when Slack cannot tell us (remembered a while)."""
        if user_id in self._names:
            return self._names[user_id]
        if self._is_known_miss(user_id):
            return ""
        try:
            response = await self._client.users_info(user=user_id)
        except WEB_API_ERRORS as exc:
            log.warning("users.info failed: %s", failure_reason(exc))
            self._remember_miss(user_id)
            return ""
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = str(
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or ""
        )
        if not name:
            self._remember_miss(user_id)
            return ""
        if len(self._names) >= self._max_entries:
            self._names.clear()
        self._names[user_id] = name
        return name

    def _remember_miss(self, user_id: str) -> None:
        if len(self._misses) >= self._max_entries:
            self._misses.clear()
        self._misses[user_id] = time.monotonic() + self._miss_ttl

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of several users (missing ones are left out).

        At most ``max_lookups`` users not cached yet are asked about: a message naming fifty
        people must not cost fifty users.info calls (and Slack's rate limit).
        """
        ids = list(dict.fromkeys(u for u in user_ids if u))
        known = self.cached(ids)
        unknown = [u for u in ids if u not in known and not self._is_known_miss(u)]
        if len(unknown) > self._max_lookups:
            log.info("users.info: %d people named; looking up %d", len(unknown), self._max_lookups)
        ask = unknown[: self._max_lookups]
        found = await asyncio.gather(*(self.name(u) for u in ask))
        known.update({u: n for u, n in zip(ask, found, strict=True) if n})
        return {u: known[u] for u in ids if u in known}
