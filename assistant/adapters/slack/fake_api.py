"""A fake Slack Web API on loopback that records every call (for tests and the benchmark)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Check = Callable[[Mapping[str, Any]], bool]


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    result: dict[str, Any] = field(default_factory=dict)


class FakeSlackApi:
    """Answers auth.test, chat.*, conversations.open, files.*, users.info, views.* and
    response_urls like Slack."""

    def __init__(
        self, *, bot_user_id: str = "UBOT", bot_id: str = "BBOT", team_id: str = "T0001"
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.calls: list[Call] = []
        self.users: dict[str, str] = {}  # user id -> display name; others get "Person <id>"
        self._rate_limited: dict[str, int] = {}
        self._failing: dict[str, str] = {}
        self.failing_channels: dict[str, str] = {}  # channel -> error every post there gets
        self.scopes = "chat:write,im:write"  # what auth.test says the token was granted
        self.not_member_of: set[str] = set()  # channels conversations.info says the bot is not in
        self.channels_missing: set[str] = set()  # channels conversations.info does not know
        self._held: dict[str, asyncio.Event] = {}
        self.unknown_users: set[str] = set()  # users.info answers user_not_found for these
        self._ts = itertools.count(1)
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes posted to its upload URL
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- control -------------------------------------------------------------------------

    def rate_limit_next(self, method: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and Retry-After: 1."""
        self._rate_limited[method] = times

    def fail_next(self, method: str, error: str = "internal_error") -> None:
        """Answer the next call of ``method`` with ok=false and ``error``."""
        self._failing[method] = error

    def hold(self, method: str) -> asyncio.Event:
        """Keep every call of ``method`` waiting until the returned event is set."""
        return self._held.setdefault(method, asyncio.Event())

    def called(self, method: str, check: Check | None = None) -> list[Call]:
        """The recorded calls of ``method`` (that pass ``check``)."""
        return [c for c in self.calls if c.method == method and (check is None or check(c.args))]

    async def wait_for(
        self, method: str, check: Check | None = None, *, count: int = 1, timeout: float = 10.0
    ) -> list[Call]:
        """Poll until ``count`` matching calls arrived; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.called(method, check)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"{count} x {method} not received within {timeout}s; got {seen}"
                )
            await asyncio.sleep(0.01)

    # ---- server ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening; returns the base URL to use as SLACK_API_URL."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._answer)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{hook}", self._response)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.url = f"http://{host}:{sockets[0].getsockname()[1]}/api/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def response_url(self, hook: str) -> str:
        """A response_url for a payload: what is sent to it is recorded as "response_url"."""
        return f"{self.url.removesuffix('api/')}response/{hook}"

    async def _response(self, request: web.Request) -> web.Response:
        """A response_url (slash commands, shortcuts, clicks): records the JSON sent to it."""
        sent = await request.json()
        self.calls.append(
            Call(method="response_url", args={**sent, "hook": request.match_info["hook"]})
        )
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: keeps the file's bytes."""
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call(method="upload", args={"file_id": file_id}))
        return web.Response(text="OK - " + str(len(self.uploads[file_id])))

    async def _answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        for key in ("blocks", "view", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        if self._rate_limited.get(method):
            self._rate_limited[method] -= 1
            self.calls.append(Call(method=f"{method}:429", args=args))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        call = Call(method=method, args=args)
        self.calls.append(call)
        if method in self._held:
            await self._held[method].wait()
        if method == "users.info" and args.get("user") in self.unknown_users:
            return web.json_response({"ok": False, "error": "user_not_found"})
        if method in self._failing:
            return web.json_response({"ok": False, "error": self._failing.pop(method)})
        if method == "chat.postMessage" and args.get("channel") in self.failing_channels:
            error = self.failing_channels[str(args["channel"])]
            return web.json_response({"ok": False, "error": error})
        if method == "conversations.info" and args.get("channel") in self.channels_missing:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        result = self._result(method, args)
        call.result = result
        headers = {"x-oauth-scopes": self.scopes} if method == "auth.test" else {}
        return web.json_response(result, headers=headers)

    def _result(self, method: str, args: Mapping[str, Any]) -> dict[str, Any]:
        ts = f"{1700000000 + next(self._ts)}.000100"
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "team_id": self.team_id,
                "user": "assistant",
                "team": "Wootton",
                "url": "https://wootton.slack.com/",
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"text": args.get("text"), "ts": ts},
            }
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "conversations.info":
            channel = str(args.get("channel", ""))
            member = channel not in self.not_member_of
            return {"ok": True, "channel": {"id": channel, "is_member": member}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method == "users.info":
            user = str(args.get("user", ""))
            name = self.users.get(user, f"Person {user}")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": name.lower().replace(" ", "."),
                    "real_name": name,
                    "profile": {"display_name": name},
                },
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            base = self.url.removesuffix("api/")
            return {"ok": True, "file_id": file_id, "upload_url": f"{base}upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = [{"id": f["id"], "title": f.get("title")} for f in args.get("files") or []]
            if any(f["id"] not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": files}
        if method in ("views.open", "views.publish", "views.update"):
            return {
                "ok": True,
                "view": {"id": f"V{next(self._ts)}", **dict(args.get("view") or {})},
            }
        return {"ok": True}
