"""Helpers for the Slack adapter's tests: payload fixtures, signed requests, settings."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from assistant.config import Settings, load_settings

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "slack"


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
        sig = signature if signature is not None else self.verifier.generate_signature(
            timestamp=ts, body=body
        )
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": sig, **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            return response.status, await response.text()

    async def event(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(json.dumps(data), content_type="application/json", **kwargs)

    async def interaction(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(data)})
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kwargs)


def hmac_signature(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """The v0 signature computed by hand, as Slack documents it."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
