"""Load benchmark of ``assistant serve --workers N`` on PostgreSQL: questions and approval clicks.

    python -m assistant.adapters.slack.workerbench --database-url postgresql://... \\
        --workers 1 2 --questions 1500 --rate 100 --requests 100 --index-dir index

For each worker count, the real server runs as ``assistant serve --workers N`` (real MiniLM in
every worker) against the fake Web API. Signed question events arrive at ``--rate`` a second
while each of ``--requests`` waiting requests gets two Approve clicks at once (a double click,
on separate connections, so often on separate workers). It reports ack p50/p95/p99 of every
request, answer p50/p95 and whether every request was decided exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from assistant.adapters.slack.fake_api import FakeSlackApi
from assistant.adapters.slack.loadbench import REQUEST_TIMEOUT_S, _event, _percentile
from assistant.adapters.slack.render import action_id
from assistant.messages import Action, Identity

SECRET = "workerbench-signing-secret"
APPROVER = "UWBLINE01"
CHANNEL = "CWBAPPROVE"
START_TIMEOUT_S = 300.0
CONFIG = f"""
[roles]
line_manager = ["slack:{APPROVER}"]
senior_manager = ["slack:UWBSENIOR1"]
principal = ["slack:UWBPRINCIPAL1"]

[stages.line_manager]
slack = "{CHANNEL}"
[stages.senior_manager]
slack = "CWBSENIOR"
[stages.principal]
slack = "CWBPRINCIPAL"
"""


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and every process under it, in MB (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(proc.name)] = int(fields[1])
            rss[int(proc.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return round(sum(rss.get(pid, 0) for pid in tree) / 1e6, 1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(fake: FakeSlackApi, args: argparse.Namespace, config: Path, port: int) -> dict:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-workerbench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": args.database_url,
        "ASSISTANT_CONFIG": str(config),
        "ASSISTANT_INDEX_DIR": str(args.index_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "LOG_LEVEL": "INFO",
    }


def _click(request_id: int, n: int) -> dict[str, Any]:
    ts = f"1800001000.{request_id:06d}"
    return {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "school"},
        "user": {"id": APPROVER, "username": "line", "name": "line", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "x",
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL},
        "trigger_id": f"1337.{request_id}.{n}",
        "channel": {"id": CHANNEL, "name": "approvals"},
        "message": {"type": "message", "user": "UBOT", "ts": ts, "text": "", "blocks": []},
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id(Action.APPROVE, 0),
                "block_id": "buttons|0",
                "value": f"{request_id}:line_manager",
                "text": {"type": "plain_text", "text": "Approve"},
                "type": "button",
                "action_ts": f"1800001001.{n:06d}",
            }
        ],
    }


def _waiting_requests(store: Any, count: int) -> list[int]:
    ids = []
    for i in range(count):
        request = store.create_request(
            requester=Identity("slack", f"UWBSTAFF{i:04d}"),
            requester_name="Bench Staff",
            answers={"department": "Bench", "line_manager": f"slack:{APPROVER}"},
            platform="slack",
        )
        ids.append(request.id)
    return ids


async def _start(env: dict, workers: int) -> tuple[Any, list[str]]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "assistant", "serve", "--workers", str(workers),
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env,
        start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    ready: set[str] = set()
    assert child.stderr is not None

    async def read() -> None:
        assert child.stderr is not None
        async for raw in child.stderr:
            line = raw.decode(errors="replace").rstrip()
            lines.append(line)
            if " ready" in line and "worker " in line:
                ready.add(line.split("worker ", 1)[1].split()[0])

    child.reader = asyncio.create_task(read())  # type: ignore[attr-defined]
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(ready) < workers:
        if child.returncode is not None or time.monotonic() > deadline:
            raise SystemExit("the server did not start:\n" + "\n".join(lines[-30:]))
        await asyncio.sleep(0.2)
    return child, lines


async def _stop(child: Any) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(child.wait(), timeout=60)
    except TimeoutError:
        os.killpg(child.pid, signal.SIGKILL)
        await child.wait()
    child.reader.cancel()


async def run_once(args: argparse.Namespace, workers: int, store: Any) -> dict[str, Any]:
    """One run with ``workers`` processes; the figures."""
    fake = FakeSlackApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "assistant.toml"
        config.write_text(CONFIG, encoding="utf-8")
        port = _free_port()
        child, log_lines = await _start(_environment(fake, args, config, port), workers)
        request_ids = _waiting_requests(store, args.requests)
        url = f"http://127.0.0.1:{port}/slack/events"
        verifier = SignatureVerifier(SECRET)
        sent: dict[str, float] = {}
        acks: dict[str, list[float]] = {"question": [], "click": []}
        failed = 0
        # A new connection a request, so the kernel spreads them over the workers.
        connector = aiohttp.TCPConnector(limit=args.connections, force_close=True)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

                async def post(kind: str, body: str, content_type: str) -> None:
                    nonlocal failed
                    stamp = str(int(time.time()))
                    headers = {
                        "Content-Type": content_type,
                        "X-Slack-Request-Timestamp": stamp,
                        "X-Slack-Signature": str(
                            verifier.generate_signature(timestamp=stamp, body=body)
                        ),
                    }
                    start = time.perf_counter()
                    try:
                        async with session.post(url, data=body, headers=headers) as response:
                            await response.read()
                            ok = response.status == 200
                    except (TimeoutError, aiohttp.ClientError):
                        ok = False
                    if ok:
                        acks[kind].append(time.perf_counter() - start)
                    else:
                        failed += 1

                async def question(i: int) -> None:
                    data = _event(i + workers * 10_000_000, args.users)
                    sent[data["event"]["ts"]] = time.perf_counter()
                    await post("question", json.dumps(data), "application/json")

                async def double_click(request_id: int) -> None:
                    bodies = [
                        urllib.parse.urlencode({"payload": json.dumps(_click(request_id, n))})
                        for n in (1, 2)
                    ]
                    form = "application/x-www-form-urlencoded"
                    await asyncio.gather(*(post("click", b, form) for b in bodies))

                began = time.perf_counter()
                tasks = []
                click_every = max(1, args.questions // max(1, len(request_ids)))
                pending = list(request_ids)
                for i in range(args.questions):
                    delay = began + i / args.rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(question(i)))
                    if pending and i % click_every == 0:
                        tasks.append(asyncio.create_task(double_click(pending.pop())))
                tasks += [asyncio.create_task(double_click(r)) for r in pending]
                await asyncio.gather(*tasks)
                deadline = time.monotonic() + args.answer_timeout
                while time.monotonic() < deadline:
                    answered = [
                        c
                        for c in fake.called("chat.postMessage")
                        if c.args.get("thread_ts") in sent
                    ]
                    if len(answered) >= len(acks["question"]):
                        break
                    await asyncio.sleep(0.1)
            memory_mb = _tree_rss_mb(child.pid)
        finally:
            await _stop(child)
        answers = [
            c.at - sent[c.args["thread_ts"]]
            for c in fake.called("chat.postMessage")
            if c.args.get("thread_ts") in sent
        ]
    await fake.stop()
    decided = [len(store.decisions(r)) for r in request_ids]
    approvals = [sum(1 for e in store.audit(r) if e.event_type == "approved") for r in request_ids]
    ms = 1000.0
    every = acks["question"] + acks["click"]
    return {
        "workers": workers,
        "questions": args.questions,
        "rate": args.rate,
        "clicks": 2 * len(request_ids),
        "failed_requests": failed,
        "ack_ms": {p: round(_percentile(every, q) * ms, 1) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))},
        "click_ack_p99_ms": round(_percentile(acks["click"], 99) * ms, 1),
        "answered": len(answers),
        "answer_ms": {p: round(_percentile(answers, q) * ms, 1) for p, q in (("p50", 50), ("p95", 95))},
        "requests_decided_exactly_once": sum(1 for n in decided if n == 1),
        "requests": len(request_ids),
        "double_decisions": sum(1 for n in decided if n > 1) + sum(1 for n in approvals if n > 1),
        "server_rss_mb": memory_mb,
        "server_errors": [line for line in log_lines if " ERROR " in line][:5],
    }  # fmt: skip


async def _main(args: argparse.Namespace) -> list[dict[str, Any]]:
    from assistant.storage import Store

    store = Store.open(args.database_url)
    try:
        return [await run_once(args, workers, store) for workers in args.workers]
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.adapters.slack.workerbench",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to use")
    parser.add_argument("--index-dir", required=True, type=Path, help="a built index")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--questions", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--requests", type=int, default=100, help="requests clicked twice each")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--answer-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    runs = asyncio.run(_main(args))
    print(json.dumps(runs, indent=2))
    good = all(
        r["requests_decided_exactly_once"] == r["requests"]
        and not r["double_decisions"]
        and r["answered"] == r["questions"]
        for r in runs
    )
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
