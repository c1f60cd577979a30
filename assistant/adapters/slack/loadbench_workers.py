"""The load bench against ``assistant serve --workers N`` on PostgreSQL, with approval clicks.

    python -m assistant.adapters.slack.loadbench --workers 1,2 --database URL

Each worker count gets a fresh schema in the database named, the real server started as an
operator starts it, and requests waiting for the line manager stage. While the questions
arrive, both line managers press Approve on every request; afterwards each request must
have exactly one decision, one update of its post and one "too late" to the other clicker.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from assistant.adapters.slack import served
from assistant.adapters.slack.fake_api import FakeSlackApi
from assistant.storage.db import normalise_url


@contextmanager
def fresh_schema(database_url: str) -> Iterator[str]:
    """``database_url`` with its connections in a new schema, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    url = normalise_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit("--workers needs --database, a PostgreSQL URL")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    joiner = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{joiner}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def build_index(out: Path, env: dict[str, str]) -> None:
    """``assistant index build`` into ``out`` (once: the workers must not race to build)."""
    command = [sys.executable, "-m", "assistant", "index", "build", "--out", str(out)]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Workers:
    """One run's server, its waiting requests and the clicks sent to them."""

    server: served.Served
    database_url: str
    requests: list[int]
    memory_mb: dict[str, float]
    click_acks: list[float] = field(default_factory=list)
    click_failures: int = 0
    clicked_by: dict[str, int] = field(default_factory=dict)

    def clicks(self) -> list[tuple[str, str]]:
        """Every click's body and content type: both line managers, request by request."""
        return [
            (
                served.interaction_body(served.approve_click(request_id, n, user)),
                "application/x-www-form-urlencoded",
            )
            for n, request_id in enumerate(self.requests)
            for user in served.LINE_MANAGERS
        ]


async def start(
    *, count: int, requests: int, database_url: str, fake: FakeSlackApi, workdir: Path, index: Path
) -> Workers:
    """The server with ``count`` workers, warmed up, and ``requests`` requests waiting."""
    env = served.environment(
        database_url=database_url,
        api_url=fake.url,
        workdir=workdir,
        index_dir=index,
        corpus_dir=Path(served.__file__).resolve().parents[3] / "policy_corpus",
    )
    env["LOG_LEVEL"] = "WARNING"
    if not (index / "manifest.json").exists():
        await asyncio.to_thread(build_index, index, env)
    server = await served.start(workers=count, env=env, workdir=workdir)
    ids = await asyncio.to_thread(served.seed_requests, database_url, requests)
    rss = served.rss_mb(server.process.pid)
    # One worker is the whole server; several are children of the supervisor.
    each = [v for k, v in rss.items() if k.startswith("worker ")] if count > 1 else [rss["total"]]
    memory = {"total": rss["total"], "supervisor": rss["supervisor"] if count > 1 else 0.0}
    memory |= {f"worker {n}": mb for n, mb in enumerate(each)}
    return Workers(server=server, database_url=database_url, requests=ids, memory_mb=memory)


def decided_once(workers: Workers, fake: FakeSlackApi) -> dict[str, Any]:
    """How the clicks were decided: each request's decisions, post updates and late notes."""
    from assistant.storage import Store

    store = Store.open(workers.database_url, migrate=False)
    try:
        decisions = [len(store.decisions(request_id)) for request_id in workers.requests]
    finally:
        store.close()
    updates: dict[str, int] = {}
    for call in fake.called("chat.update"):
        updates[call.args.get("ts", "")] = updates.get(call.args.get("ts", ""), 0) + 1
    late = fake.called("chat.postEphemeral")
    once = (
        all(n == 1 for n in decisions)
        and sorted(updates) == sorted(served.post_ts(n) for n in range(len(workers.requests)))
        and all(n == 1 for n in updates.values())
        and len(late) == len(workers.requests)
    )
    return {
        "requests": len(workers.requests),
        "clicks_acked": len(workers.click_acks),
        "clicks_failed": workers.click_failures,
        "acked_by_worker": dict(sorted(workers.clicked_by.items())),
        "requests_with_one_decision": sum(n == 1 for n in decisions),
        "requests_with_more": sum(n > 1 for n in decisions),
        "post_updates": sum(updates.values()),
        "told_too_late": len(late),
        "every_click_decided_once": once,
    }


async def settle(workers: Workers, fake: FakeSlackApi, timeout: float) -> None:
    """Until every request's decision has updated its post and the late clicks were told."""
    wanted = len(workers.requests)
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if (
            len(fake.called("chat.update")) >= wanted
            and len(fake.called("chat.postEphemeral")) >= wanted
        ):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # room for a duplicate to show itself


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The bench's options for runs with workers."""
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        help="run `assistant serve --workers N` for each N of a list (e.g. 1,2); needs --database",
    )
    parser.add_argument("--database", help="a PostgreSQL URL (each run gets a fresh schema)")
    parser.add_argument(
        "--requests", type=int, default=100, help="requests clicked, twice each (default 100)"
    )


def click_check(clicks: dict[str, Any]) -> tuple[bool, str]:
    """The clicks beside the goal: every one acked, every request decided exactly once."""
    good = clicks["every_click_decided_once"] and not clicks["clicks_failed"]
    return good, (
        f"clicks: {clicks['clicks_acked']} acked (p99 {clicks['ack_ms']['p99']} ms), "
        f"{clicks['requests_with_one_decision']}/{clicks['requests']} requests decided once, "
        f"{clicks['requests_with_more']} more than once, {clicks['post_updates']} post updates, "
        f"{clicks['told_too_late']} told too late"
    )


def side_by_side(runs: dict[int, dict[str, Any]]) -> str:
    """The figures of each worker count of one run, in columns."""
    rows = [
        ("", lambda f: f"{f['workers']} worker(s)"),
        ("acks/s", lambda f: f["acks_per_s"]),
        ("ack p99 ms", lambda f: f["ack_ms"]["p99"]),
        ("answers/s", lambda f: f["answers_per_s"]),
        ("answer p50 ms", lambda f: f["answer_ms"]["p50"]),
        ("answer p95 ms", lambda f: f["answer_ms"]["p95"]),
        ("answered", lambda f: f"{f['answered']}/{f['acked']}"),
        ("click ack p99 ms", lambda f: f["clicks"]["ack_ms"]["p99"]),
        ("clicks by worker", lambda f: f["clicks"]["acked_by_worker"]),
        ("decided once", lambda f: f["clicks"]["every_click_decided_once"]),
        ("load average", lambda f: f["load_average"]),
        ("memory MB, total", lambda f: f["memory_mb"]["total"]),
        ("memory MB, workers", lambda f: [v for k, v in f["memory_mb"].items() if "worker" in k]),
    ]
    lines = []
    for label, value in rows:
        lines.append(f"{label:<20}" + "".join(f"{str(value(f)):<24}" for f in runs.values()))
    return "\n".join(lines)
