"""The App Home tab: the person's requests and what waits for their decision."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason
from assistant.adapters.slack.render import home_view
from assistant.adapters.slack.translate import identity
from assistant.core import Core

log = logging.getLogger(__name__)


async def publish_home(*, client: AsyncWebClient, core: Core, user_id: str) -> None:
    """Publish ``core.home(user)`` as the user's App Home (failures are logged)."""
    messages = await asyncio.to_thread(core.home, identity(user_id))
    try:
        await client.views_publish(user_id=user_id, view=home_view(messages))
    except WEB_API_ERRORS as exc:
        log.warning("Slack: views.publish failed: %s", failure_reason(exc))
