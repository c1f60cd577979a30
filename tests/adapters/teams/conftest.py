"""Fixtures for the Teams adapter: payloads, a scripted core, a fake connector and the server."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from teams_fakes import FakeConnector, ScriptedCore
from teams_settings import APPROVERS, CHANNELS

from assistant.adapters.server import build_app
from assistant.config import Settings

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "teams"


@pytest.fixture
def payload() -> Callable[..., dict[str, Any]]:
    """Load a payload fixture from tests/payloads/teams, with top-level fields replaced."""

    def load(name: str, **changes: Any) -> dict[str, Any]:
        data = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
        data = copy.deepcopy(data)
        data.update(changes)
        return data

    return load


@pytest.fixture
def scripted_core() -> ScriptedCore:
    return ScriptedCore(channels=CHANNELS, approvers=APPROVERS)


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    """The fake connector and its serviceUrl (with the trailing slash Teams uses)."""
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("/"))
    finally:
        await server.close()


class BotServer:
    """The shared aiohttp server with the Teams route, and a client that posts activities."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        url = self.server.make_url("/api/messages")
        async with self.session.post(url, json=activity, headers=headers or {}) as response:
            await response.read()
            return response.status


@pytest.fixture
def serve() -> Callable[..., Any]:
    """Start the real server for a core and settings: ``async with serve(core, settings)``."""
    import contextlib

    @contextlib.asynccontextmanager
    async def start(core: Any, settings: Settings) -> AsyncIterator[BotServer]:
        app = build_app(core, settings, reminders=False)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                yield BotServer(server, session)
        finally:
            await server.close()

    return start
