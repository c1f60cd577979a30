"""Display names of Slack users, from users.info, cached; a failed look-up is not fatal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason

log = logging.getLogger(__name__)


class People:
    """A cache of user id -> display name."""

    def __init__(self, client: AsyncWebClient, *, max_entries: int = 10_000) -> None:
        self._client = client
        self._names: dict[str, str] = {}
        self._max_entries = max_entries

    async def name(self, user_id: str) -> str:
        """The user's display name, or "" when Slack cannot tell us."""
        if user_id in self._names:
            return self._names[user_id]
        try:
            response = await self._client.users_info(user=user_id)
        except WEB_API_ERRORS as exc:
            log.warning("users.info failed: %s", failure_reason(exc))
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
        if len(self._names) >= self._max_entries:
            self._names.clear()
        self._names[user_id] = name
        return name

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of several users (missing ones are left out)."""
        ids = list(dict.fromkeys(u for u in user_ids if u))
        found = await asyncio.gather(*(self.name(u) for u in ids))
        return {u: n for u, n in zip(ids, found, strict=True) if n}
