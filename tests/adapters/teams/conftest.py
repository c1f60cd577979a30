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
from teams_fakes import STAGES, FakeConnector, ScriptedCore

from assistant.adapters.server import build_app
from assistant.config import Settings, TeamsSettings
from assistant.messages import Identity

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "teams"
CHANNELS = {stage: f"19:{stage.replace('_', '')}@thread.tacv2" for stage in STAGES}
APPROVERS = {stage: Identity("teams", f"aad-{stage}") for stage in STAGES}


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


def make_settings(tmp_path: Path, *, app_id: str = "", host: str = "127.0.0.1") -> Settings:
    teams = TeamsSettings(
        app_id=app_id,
        app_password="secret" if app_id else "",
        app_type="SingleTenant" if app_id else "",
        tenant_id="tenant-0001" if app_id else "",
    )
    return Settings(
        root=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        corpus_dir=tmp_path,
        index_dir=tmp_path,
        config_path=None,
        roles={stage: (who,) for stage, who in APPROVERS.items()},
        channels={stage: {"teams": channel} for stage, channel in CHANNELS.items()},
        host=host,
        teams=teams,
    )


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
