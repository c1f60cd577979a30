"""Fixtures for the Slack adapter: a fake Web API, a real server, signed requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_helpers import SlackSender, slack_settings, start_server
from slack_scripted_core import ScriptedCore

from assistant.adapters.slack.fake_api import FakeSlackApi


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    fake.users.update({"USTAFF1": "Sam Staff", "ULINE1": "Lee Line", "UADMIN1": "Ada Admin"})
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def scripted_core() -> Any:
    return ScriptedCore()


@pytest.fixture
async def slack(
    scripted_core: Any, fake_slack: FakeSlackApi, tmp_path: Path
) -> AsyncIterator[SlackSender]:
    """A running server with the scripted core, and a sender of signed Slack requests."""
    server = await start_server(scripted_core, slack_settings(tmp_path, fake_slack.url))
    async with aiohttp.ClientSession() as session:
        yield SlackSender(session, str(server.make_url("/slack/events")))
    await server.close()
