"""A real ``assistant serve [--workers N]`` in a child process, driven the way Slack drives it.

For the load bench and the tests of several workers: the settings (environment and a small
TOML file naming approvers by role and a channel per stage), a wait until every worker
answers, approval requests waiting to be clicked and signed clicks on them, and the memory
each worker holds.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from assistant.adapters.server import WORKER_HEADER

SIGNING_SECRET = "served-signing-secret"
LINE_MANAGERS = ("ULMBENCH1", "ULMBENCH2")  # both hold the role: either may decide
CHANNELS = {"line_manager": "CLMBENCH", "senior_manager": "CSMBENCH", "principal": "CPRBENCH"}
REQUESTER = "UREQBENCH"
START_TIMEOUT_S = 600.0
STOP_TIMEOUT_S = 60.0
CONFIG = f"""
reminder_days = 1

[school]
hours = ["00:00", "23:59"]
terms = [["2020-01-01", "2039-12-31"]]

[escalation]
after_reminders = 1000
people = ["slack:UESCBENCH"]

[roles]
line_manager = ["slack:{LINE_MANAGERS[0]}", "slack:{LINE_MANAGERS[1]}"]
senior_manager = ["slack:USMBENCH"]
principal = ["slack:UPRBENCH"]

[stages.line_manager]
slack = "{CHANNELS["line_manager"]}"

[stages.senior_manager]
slack = "{CHANNELS["senior_manager"]}"

[stages.principal]
slack = "{CHANNELS["principal"]}"
"""
# A submitted request as the form stores it; the line manager named holds no identity, so
# the stage is for everyone in the role.
ANSWERS: dict[str, Any] = {
    "department": "Bench",
    "author": [{"name": "Bench Requester", "identity": f"slack:{REQUESTER}"}],
    "line_manager": [{"name": "Any Line Manager", "identity": None}],
    "aims": "Share fixtures with families.",
    "content": "Fixture lists.",
    "audience": ["families", "staff"],
    "contributors": ["staff"],
    "administrators": [{"name": "Bench Requester", "identity": f"slack:{REQUESTER}"}],
    "moderators": [{"name": "Bench Requester", "identity": f"slack:{REQUESTER}"}],
    "vetting": "Bench Requester",
    "host": "school",
    "go_live": "2031-09-01",
    "closure": "2032-07-31",
    "advertising": "Not advertised",
    "consent": "Not applicable: no pupils contribute",
    "security": "Comments off.",
}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """The running server: its process, base URL, worker count and log file."""

    process: asyncio.subprocess.Process
    url: str
    workers: int
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()


def environment(
    *, database_url: str, api_url: str, workdir: Path, index_dir: Path, corpus_dir: Path
) -> dict[str, str]:
    """The server's environment: Slack at ``api_url``, the database, index and approvers."""
    config = workdir / "assistant.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-served",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "ASSISTANT_CONFIG": str(config),
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_CORPUS_DIR": str(corpus_dir),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LOG_LEVEL": "INFO",
    }


async def start(
    *, workers: int, env: dict[str, str], workdir: Path, extra: tuple[str, ...] = ()
) -> Served:
    """``assistant serve --workers N`` on a free loopback port, once every worker answers."""
    port = free_port()
    log_path = workdir / f"serve-{workers}.log"
    with open(log_path, "wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "assistant",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            *extra,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=env,
            cwd=workdir,
        )
    served = Served(process, f"http://127.0.0.1:{port}/", workers, log_path)
    try:
        await _wait_for_every_worker(served)
    except BaseException:
        await stop(served)
        raise
    return served


async def _wait_for_every_worker(served: Served) -> None:
    """Until /healthz is 200 from each worker (on new connections, which the kernel shares
    out between the workers)."""
    seen: set[str] = set()
    wanted = {str(n) for n in range(served.workers)} if served.workers > 1 else {""}
    deadline = time.monotonic() + START_TIMEOUT_S
    while seen != wanted:
        if served.process.returncode is not None:
            tail = "\n".join(served.log_lines()[-30:])
            raise RuntimeError(f"the server stopped (exit {served.process.returncode}):\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers {sorted(wanted - seen)} did not start in time")
        try:
            connector = aiohttp.TCPConnector(force_close=True)
            async with (
                aiohttp.ClientSession(connector=connector) as session,
                session.get(served.url + "healthz") as response,
            ):
                if response.status == 200:
                    seen.add(response.headers.get(WORKER_HEADER, ""))
                    continue
        except aiohttp.ClientError:
            pass  # not listening yet
        await asyncio.sleep(0.2)


async def stop(served: Served) -> int | None:
    """SIGTERM, as a service manager stops it (killed if it does not stop in time)."""
    process = served.process
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode


def seed_requests(database_url: str, count: int) -> list[int]:
    """``count`` requests waiting for the line manager stage, each with its channel post
    known (as if posted to the line managers' channel), so a decision updates that post."""
    from assistant.messages import Identity
    from assistant.storage import Store
    from assistant.workflow.notices import anchor
    from assistant.workflow.stages import Stage

    store = Store.open(database_url)
    ids = []
    try:
        for n in range(count):
            request = store.create_request(
                requester=Identity("slack", REQUESTER),
                requester_name="Bench Requester",
                answers=ANSWERS,
                platform="slack",
            )
            post = {"platform": "slack", "channel": CHANNELS["line_manager"], "ts": post_ts(n)}
            store.remember("post", anchor(request.id, Stage.LINE_MANAGER), post)
            ids.append(request.id)
    finally:
        store.close()
    return ids


def post_ts(n: int) -> str:
    return f"1800000000.{n:06d}"


_clicks = iter(range(1, 10_000_000))


def approve_click(request_id: int, n: int, user: str) -> dict[str, Any]:
    """A block_actions payload: ``user`` presses Approve on the ``n``-th request's post."""
    ts = post_ts(n)
    channel = CHANNELS["line_manager"]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "x",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": f"1800000000.{n}.bench",
        "team": {"id": "T0001", "domain": "bench"},
        "channel": {"id": channel, "name": "line-managers"},
        "message": {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": ts, "text": ""},
        "state": {"values": {}},
        "actions": [
            {
                "action_id": "approval.approve|0",
                "block_id": "buttons|0",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": f"{request_id}:line_manager",
                "type": "button",
                "action_ts": f"1800000001.{next(_clicks):06d}",
            }
        ],
    }


def question_event(i: int, user: str, text: str) -> dict[str, Any]:
    """An Events API delivery: ``user`` asks ``text`` in a DM (``i`` makes it unique)."""
    ts = f"{1800000000 + i}.{i % 1000000:06d}"
    return {
        "token": "x",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": f"EvBench{i:08d}",
        "event_time": 1800000000 + i,
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "team": "T0001",
            "text": text,
            "ts": ts,
            "event_ts": ts,
        },
    }


def signed(body: str, content_type: str) -> dict[str, str]:
    """The headers Slack sends with ``body``: its content type, timestamp and signature."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
    }


def interaction_body(data: dict[str, Any]) -> str:
    """A form-encoded interaction payload, as Slack posts it."""
    return urllib.parse.urlencode({"payload": json.dumps(data)})


def rss_mb(pid: int) -> dict[str, float]:
    """Resident memory in MB of a server: ``total``, the ``supervisor`` process alone, and
    each child with its own children (a worker and its answer process) as ``worker N``
    (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(parent, []).append(int(proc.name))
        rss[int(proc.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024

    def tree(p: int) -> float:
        return rss.get(p, 0.0) + sum(tree(c) for c in children.get(p, []))

    found = {"total": round(tree(pid), 1), "supervisor": round(rss.get(pid, 0.0), 1)}
    workers = [c for c in sorted(children.get(pid, [])) if tree(c) > 200]  # not the tracker
    for number, child in enumerate(workers):
        found[f"worker {number}"] = round(tree(child), 1)
    return found
