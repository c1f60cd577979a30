"""Helpers for the Slack adapter's tests: payload fixtures, signed requests, settings."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from slack_sdk.signature import SignatureVerifier

from assistant.adapters.server import build_app
from assistant.app import build_core
from assistant.config import Settings, load_settings
from assistant.messages import Identity
from assistant.policy.embedder import HashingEmbedder

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "slack"
CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"
APPROVAL_CHANNELS = {
    "line_manager": "CAPPROVE1",
    "senior_manager": "CAPPROVE2",
    "principal": "CAPPROVE3",
}


def payload(name: str, **changes: Any) -> dict[str, Any]:
    """A documented Slack payload from tests/payloads/slack, with top-level changes."""
    data = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def event_payload(name: str, event_id: str, **event_changes: Any) -> dict[str, Any]:
    """An Events API payload with a new event_id and changed event fields."""
    data = payload(name, event_id=event_id)
    data["event"] = {**copy.deepcopy(data["event"]), **event_changes}
    return data


def slack_settings(tmp_path: Path, api_url: str) -> Settings:
    """Settings with Slack on, pointed at the fake Web API."""
    return load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "ASSISTANT_CONFIG": "",
        },
        root=tmp_path,
    )


class SlackSender:
    """Sends signed requests to /slack/events the way Slack does."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.verifier = SignatureVerifier(SIGNING_SECRET)

    async def post(
        self,
        body: str,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = (
            signature
            if signature is not None
            else self.verifier.generate_signature(timestamp=ts, body=body)
        )
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            return response.status, await response.text()

    async def event(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(json.dumps(data), content_type="application/json", **kwargs)

    async def interaction(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(data)})
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)

    async def command(self, fields: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        """A slash command: its fields form-encoded at the top level, as Slack sends them."""
        body = urllib.parse.urlencode(fields)
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)


def hmac_signature(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """The v0 signature computed by hand, as Slack documents it."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def find_button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The button labelled ``label`` in posted blocks."""
    for block in blocks:
        for element in block.get("elements", ()):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no button {label!r} in {json.dumps(blocks)[:500]}")


_action_counter = iter(range(1, 1_000_000))


def click(
    call: Any,
    label: str,
    *,
    user: str,
    channel: str | None = None,
    state: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload for pressing ``label`` on a message the fake received."""
    posted = call.args
    button = find_button(posted["blocks"], label)
    channel = channel or posted["channel"]
    ts = call.result.get("ts") or posted.get("ts") or "1700000999.000001"
    data = payload("block_actions_button")
    data["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"}
    data["container"] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    data["channel"] = {"id": channel, "name": "directmessage" if channel.startswith("D") else "c"}
    data["message"] = {
        "type": "message",
        "user": "UBOT",
        "bot_id": "BBOT",
        "ts": ts,
        "text": posted.get("text", ""),
        "blocks": posted["blocks"],
    }
    data["state"] = {"values": state or {}}
    data["actions"] = [
        {
            **{k: button[k] for k in ("action_id", "value", "text", "type")},
            "block_id": "buttons|0",
            "action_ts": f"1700001000.{next(_action_counter):06d}",
        }
    ]
    return data


async def start_server(core: Any, settings: Settings) -> TestServer:
    """The shared server (build_app) with ``core``, listening on 127.0.0.1."""
    server = TestServer(build_app(core, settings, reminders=False), host="127.0.0.1", port=0)
    await server.start_server()
    return server


def real_core_settings(tmp_path: Path, api_url: str, **changes: Any) -> Settings:
    """Slack settings for the real core: the Wootton policy, a fresh SQLite file, approvers
    by role (line managers ULINEROLE, senior USENIOR1, principal UPRINCIPAL1) and channels."""
    values: dict[str, Any] = {
        "corpus_dir": CORPUS,
        "index_dir": tmp_path / "index",
        "database_url": f"sqlite:///{tmp_path / 'assistant.db'}",
        "roles": {
            "line_manager": (Identity("slack", "ULINEROLE"),),
            "senior_manager": (Identity("slack", "USENIOR1"),),
            "principal": (Identity("slack", "UPRINCIPAL1"),),
        },
        "channels": {stage: {"slack": channel} for stage, channel in APPROVAL_CHANNELS.items()},
    }
    return dataclasses.replace(slack_settings(tmp_path, api_url), **{**values, **changes})


def to(channel: str) -> Any:
    """A check on recorded Web API calls: posted to ``channel``."""
    return lambda args: args.get("channel") == channel


async def wait_until(check: Any, timeout: float = 30.0) -> None:
    """Poll ``check`` until it is true; AssertionError after ``timeout`` seconds."""
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


@asynccontextmanager
async def real_core_server(
    tmp_path: Path, api_url: str, *, today: Callable[[], date] | None = None, **changes: Any
) -> AsyncIterator[tuple[Any, SlackSender]]:
    """The real core (``real_core_settings`` with ``changes``, a hashing embedder) behind the
    real server, and a sender of signed Slack requests to it; the server closes on exit."""
    settings = real_core_settings(tmp_path, api_url, **changes)
    core = build_core(settings, embedder=HashingEmbedder())
    if today is not None:
        core.today = today
    server = await start_server(core, settings)
    try:
        async with aiohttp.ClientSession() as session:
            yield core, SlackSender(session, str(server.make_url("/slack/events")))
    finally:
        await server.close()
