"""The App Home tab: buttons to ask, to request a site or fill in the whole form, then the
person's requests and what waits for their decision."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from assistant.adapters.slack.delivery import WEB_API_ERRORS, failure_reason
from assistant.adapters.slack.render import Block, button_element, home_view
from assistant.adapters.slack.translate import identity
from assistant.core import Core
from assistant.messages import Action, Button
from assistant.texts import slack as texts

log = logging.getLogger(__name__)

ASK_ACTION = "home.ask"  # the adapter's own button: opens the question modal


def home_buttons() -> Block:
    """Ask a question, Request a site (the step-by-step form in the DM), the whole form."""
    ask: Block = {
        "type": "button",
        "action_id": ASK_ACTION,
        "text": {"type": "plain_text", "text": texts.HOME_ASK},
        "style": "primary",
    }
    request = button_element(Button(texts.HOME_REQUEST, Action.FORM_START), 0)
    whole = button_element(Button(texts.HOME_WHOLE_FORM, Action.FORM_WHOLE_OPEN), 1)
    return {"type": "actions", "block_id": "home", "elements": [ask, request, whole]}


async def publish_home(*, client: AsyncWebClient, core: Core, user_id: str) -> None:
    """Publish the buttons and ``core.home(user)`` as the user's App Home (failures logged)."""
    messages = await asyncio.to_thread(core.home, identity(user_id))
    try:
        await client.views_publish(user_id=user_id, view=home_view(messages, top=[home_buttons()]))
    except WEB_API_ERRORS as exc:
        log.warning("Slack: views.publish failed: %s", failure_reason(exc))
