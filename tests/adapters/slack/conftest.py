"""Fixtures for the Slack adapter: a fake Web API, a real server, signed requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_helpers import SlackSender, slack_settings
from slack_scripted_core import ScriptedCore

from assistant.adapters.server import build_app
from assistant.adapters.slack.fake_api import FakeSlackApi
from assistant.config import Settings


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    fake.users.update({"USTAFF1": "Sam Staff", "ULINE1": "Lee Line", "UADMIN1": "Ada Admin"})
    await fake.start()
    yield fake
    await fake.stop()


async def start_server(core: Any, settings: Settings) -> TestServer:
    server = TestServer(build_app(core, settings, reminders=False), host="127.0.0.1", port=0)
    await server.start_server()
    return server


@pytest.fixture
def scripted_core() -> Any:
    return ScriptedCore()


@pytest.fixture
async def slack(scripted_core: Any, fake_slack: FakeSlackApi, tmp_path: Path) -> AsyncIterator[SlackSender]:
    """A running server with the scripted core, and a sender of signed Slack requests."""
    server = await start_server(scripted_core, slack_settings(tmp_path, fake_slack.url))
    async with aiohttp.ClientSession() as session:
        yield SlackSender(session, str(server.make_url("/slack/events")))
    await server.close()
