"""``assistant serve --workers 2`` on PostgreSQL, the real server over the Slack wire: signed
questions and approval clicks reach both workers, every request is decided exactly once,
every question answered once, a background job runs once per slot across the workers, and
/metrics on either worker gives the questions of both. The index is built once, before the
workers start."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_helpers import to, wait_until
from test_slack_operations import policy_copy, samples

from assistant.adapters.server import WORKER_HEADER
from assistant.adapters.slack import served
from assistant.config import load_settings
from assistant.messages import Identity
from assistant.storage import Store
from tests.storage.databases import pg_schema_url

pytestmark = [pytest.mark.postgres, pytest.mark.model]
REQUESTS = 12
QUESTIONS = ("can I friend a former pupil?", "what does 6.3 say?", "zebracorn quokka?")


def seed_overdue(url: str) -> int:
    """A request that has waited a week at the line manager stage: its reminder is due."""
    store = Store.open(url)
    try:
        request = store.create_request(
            requester=Identity("slack", served.REQUESTER),
            requester_name="Bench Requester",
            answers=served.ANSWERS,
            platform="slack",
            at=datetime.now(UTC) - timedelta(days=7),
        )
    finally:
        store.close()
    return request.id


async def test_two_workers_decide_each_click_once_and_run_each_job_once(
    fake_slack: Any, tmp_path: Path
) -> None:
    with pg_schema_url() as url:
        env = served.environment(
            database_url=url,
            api_url=fake_slack.url,
            workdir=tmp_path,
            index_dir=tmp_path / "index",  # none yet: the supervisor builds it, once
            corpus_dir=policy_copy(tmp_path / "corpus"),
        )
        overdue = await asyncio.to_thread(seed_overdue, url)
        began = time.time()
        server = await served.start(workers=2, env=env, workdir=tmp_path)
        try:
            ids = await asyncio.to_thread(served.seed_requests, url, REQUESTS)
            answered_by = await drive(server, ids)
            await settle(fake_slack, ids)
            scrapes = await scrape_each_worker(server)
        finally:
            assert await served.stop(server) == 0
        ended = time.time()
        lines = server.log_lines()

        store = Store.open(url, migrate=False)
        try:
            for request_id in ids:
                decisions = store.decisions(request_id)
                assert len(decisions) == 1, (request_id, decisions)
                assert decisions[0].decided_by.user_id in served.LINE_MANAGERS
                audit = [e.event_type for e in store.audit(request_id)]
                assert audit == ["submitted", "approved"], audit
        finally:
            store.close()

    assert sum("building the clause index" in line for line in lines) == 1
    # Both workers answered clicks and questions (each on a new connection).
    assert answered_by["click"] == {"0", "1"} and answered_by["event"] == {"0", "1"}
    # Each decision updated its post once and asked the next stage once; each second click
    # was told it came too late, privately.
    updates = fake_slack.called("chat.update", to(served.CHANNELS["line_manager"]))
    assert sorted(c.args["ts"] for c in updates) == sorted(
        served.post_ts(n) for n in range(REQUESTS)
    )
    asked = fake_slack.called("chat.postMessage", to(served.CHANNELS["senior_manager"]))
    assert sorted(int(re.search(r"#(\d+)", c.args["text"])[1]) for c in asked) == sorted(ids)
    late = fake_slack.called("chat.postEphemeral")
    assert len(late) == REQUESTS
    assert all("already approved" in c.args["text"] for c in late)
    # Every question was answered once, though Slack's retry went to the other worker.
    for n in range(len(QUESTIONS) * 4):
        replies = fake_slack.called("chat.postMessage", to(f"DUASK{n:04d}"))
        assert len(replies) == 1, (n, [json.dumps(r.args)[:200] for r in replies])

    # /metrics on either worker counts the questions both answered.
    for worker, found in scrapes.items():
        asked = sum(v for (name, _), v in found.items() if name == "assistant_questions_total")
        assert asked == len(QUESTIONS) * 4, (worker, asked)
        assert found[("assistant_answer_seconds_count", ())] == len(QUESTIONS) * 4
        assert found[("assistant_index_documents", ())] == 1

    # The reminders job ran once a slot, in one worker or the other, never in both.
    slots = [int(m[1]) for line in lines if (m := re.search(r"reminders job of slot (\d+)", line))]
    assert slots and len(slots) == len(set(slots)), slots
    assert set(slots) <= set(range(int(began // 3600), int(ended // 3600) + 1))
    settings = load_settings({"ASSISTANT_CONFIG": str(tmp_path / "assistant.toml")})
    reminders = fake_slack.called(
        "chat.postMessage", lambda a: a.get("text", "").startswith(f"Reminder: request #{overdue}")
    )
    assert len(reminders) == (1 if settings.school.in_school_hours(datetime.now(UTC)) else 0)


async def drive(server: served.Served, ids: list[int]) -> dict[str, set[str]]:
    """At once: both line managers press Approve on every request, and questions arrive,
    each delivered twice (the second as Slack's retry). Returns which workers acked what."""
    answered_by: dict[str, set[str]] = {"click": set(), "event": set()}
    connector = aiohttp.TCPConnector(force_close=True)  # new connections: shared by the kernel
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(kind: str, body: str, content_type: str, headers: dict[str, str]) -> None:
            url = server.url + "slack/events"
            all_headers = {**served.signed(body, content_type), **headers}
            async with session.post(url, data=body.encode(), headers=all_headers) as response:
                assert response.status == 200, await response.text()
                answered_by[kind].add(response.headers[WORKER_HEADER])

        sends = []
        for n, request_id in enumerate(ids):
            for user in served.LINE_MANAGERS:
                body = served.interaction_body(served.approve_click(request_id, n, user))
                sends.append(send("click", body, "application/x-www-form-urlencoded", {}))
        for n in range(len(QUESTIONS) * 4):
            body = json.dumps(served.question_event(n, f"UASK{n:04d}", QUESTIONS[n % 3]))
            sends.append(send("event", body, "application/json", {}))
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            sends.append(send("event", body, "application/json", retry))
        await asyncio.gather(*sends)
    return answered_by


async def settle(fake: Any, ids: list[int]) -> None:
    """Until every decision and answer has gone out, then a moment for any duplicate."""
    await wait_until(
        lambda: (
            len(fake.called("chat.update")) >= len(ids)
            and len(fake.called("chat.postEphemeral")) >= len(ids)
            and all(
                fake.called("chat.postMessage", to(f"DUASK{n:04d}"))
                for n in range(len(QUESTIONS) * 4)
            )
        ),
        timeout=120,
    )
    await asyncio.sleep(2.0)


async def scrape_each_worker(server: served.Served) -> dict[str, Any]:
    """/metrics from each worker (new connections until both have answered), parsed."""
    scrapes: dict[str, Any] = {}
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(200):
            async with session.get(server.url + "metrics") as response:
                assert response.status == 200
                scrapes[response.headers[WORKER_HEADER]] = samples(await response.text())
            if len(scrapes) == 2:
                return scrapes
    raise AssertionError(f"only worker(s) {sorted(scrapes)} answered /metrics")
