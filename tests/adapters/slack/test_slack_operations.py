"""The running server as an operator sees it: /metrics, /healthz and new index builds taken
over without a restart, with the real core over the Slack wire (signed events, fake Web API)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from slack_helpers import SlackSender, event_payload, real_core_settings, to, wait_until

from assistant.adapters.server import build_app
from assistant.app import Service, build_service
from assistant.messages import Identity
from assistant.policy.embedder import HashingEmbedder
from assistant.policy.index import ensure_index
from assistant.policy.live import record_build
from assistant.workflow.stages import Stage, Status

CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"
NEW_POLICY = """# Oakridge Academy Staff Travel Policy

## 1. Cycling to work

1.1 Staff who cycle to work must lock bicycles in the covered shelter behind the sports hall.

1.2 Electric bicycles may be charged only at the marked sockets in the caretaker's store.
"""
NEW_CLAUSE = "covered shelter behind the sports hall"
WOOTTON_QUESTIONS = (
    "can I friend a former pupil?",
    "what does 6.3 say?",
    "may I post photos of pupils on my own account?",
)


def policy_copy(folder: Path) -> Path:
    """The Wootton policy without its labelled questions (so a build takes a second)."""
    folder.mkdir()
    for name in ("wootton-social-media-policy.txt", "wootton-social-media-policy.toml"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


@asynccontextmanager
async def operated_server(
    tmp_path: Path, api_url: str
) -> AsyncIterator[tuple[Service, SlackSender, aiohttp.ClientSession, str]]:
    settings = dataclasses.replace(
        real_core_settings(tmp_path, api_url), corpus_dir=policy_copy(tmp_path / "corpus")
    )
    service = build_service(settings, embedder=HashingEmbedder(), batching=True)
    app = build_app(service.core, settings, reminders=False, operations=service)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            base = str(server.make_url("/"))
            yield service, SlackSender(session, base + "slack/events"), session, base
    finally:
        await server.close()
        service.core.store.close()


_events = iter(range(1, 1_000_000))


async def ask(slack: SlackSender, text: str, user: str = "USTAFF1") -> str:
    """Send a signed DM event; returns its channel, which the reply is posted to."""
    n = next(_events)
    channel = f"D0OPS{n:05d}"
    data = event_payload(
        "message_im", f"EvOps{n}", text=text, user=user, channel=channel, ts=f"1700003000.{n:06d}"
    )
    status, _ = await slack.event(data)
    assert status == 200
    return channel


def reply_text(fake: Any, channel: str) -> str:
    calls = fake.called("chat.postMessage", to(channel))
    return json.dumps([c.args for c in calls])


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_real_questions_and_the_workflow_without_text(
    tmp_path: Path, fake_slack: Any
) -> None:
    async with operated_server(tmp_path, fake_slack.url) as (service, slack, session, base):
        questions = [*WOOTTON_QUESTIONS, "zebracorn quokka marmalade?"]
        channels = [await ask(slack, q) for q in questions]
        for channel in channels:
            await fake_slack.wait_for("chat.postMessage", to(channel))
        store = service.core.store
        now = datetime.now(UTC)
        anna = Identity("slack", "USTAFF1")
        old = store.create_request(
            requester=anna, requester_name="Sam Staff", answers={"department": "Art"},
            platform="slack", at=now - timedelta(days=5),
        )  # fmt: skip
        fresh = store.create_request(
            requester=anna, requester_name="Sam Staff", answers={"department": "PE"},
            platform="slack", at=now - timedelta(hours=2),
        )  # fmt: skip
        store.record_decision(
            fresh, Stage.LINE_MANAGER, Status.PENDING_SENIOR_MANAGER, approved=True,
            decided_by=Identity("slack", "ULINEROLE"), decided_by_name="Lee Line", at=now,
        )  # fmt: skip

        async with session.get(base + "metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
            text = await response.text()
    found = samples(text)
    answered = found[("assistant_questions_total", (("outcome", "answered"),))]
    refused = found[("assistant_questions_total", (("outcome", "refused"),))]
    assert answered >= 2 and answered + refused == len(questions)
    assert found[("assistant_answer_seconds_count", ())] == len(questions)
    assert found[("assistant_form_submissions_total", ())] == 2
    assert (
        found[("assistant_decisions_total", (("outcome", "approved"), ("stage", "line_manager")))]
        == 1
    )
    assert found[("assistant_requests_waiting", (("age", "7d"), ("stage", "line_manager")))] == 1
    assert found[("assistant_requests_waiting", (("age", "1d"), ("stage", "senior_manager")))] == 1
    assert (
        found[("assistant_requests_waiting_oldest_seconds", (("stage", "line_manager"),))]
        > 4 * 86400
    )
    assert found[("assistant_index_documents", ())] == 1
    assert found[("assistant_index_clauses", ())] > 50
    assert abs(found[("assistant_index_built_timestamp_seconds", ())] - time.time()) < 3600
    assert old.id != fresh.id
    for secret in (*questions, "zebracorn", "USTAFF1", "Sam Staff", "Lee Line", "ULINEROLE", "Art"):
        assert secret not in text, secret


async def test_healthz_reports_each_part_and_is_503_when_one_is_down(
    tmp_path: Path, fake_slack: Any
) -> None:
    async with operated_server(tmp_path, fake_slack.url) as (service, slack, session, base):
        async with session.get(base + "healthz") as response:
            assert response.status == 200
            health = await response.json()
        assert health["ok"] is True
        assert health["index"]["documents"] == 1 and health["index"]["built_at"]
        assert health["database"] == {"ok": True}
        assert health["answerer"]["ok"] is True
        assert health["slack"] == {"ok": True, "auth": "ok"}
        assert health["teams"]["ok"] is True
        assert fake_slack.called("auth.test")

        service.core.store.engine.dispose()
        Path(service.core.settings.database_url.removeprefix("sqlite:///")).unlink()
        async with session.get(base + "healthz") as response:
            assert response.status == 503
            health = await response.json()
        assert health["ok"] is False and health["database"]["ok"] is False
        assert health["index"]["ok"] is True


async def test_a_new_build_is_answered_from_without_a_restart_while_questions_flow(
    tmp_path: Path, fake_slack: Any
) -> None:
    async with operated_server(tmp_path, fake_slack.url) as (service, slack, session, base):
        settings = service.core.settings
        question = "where must staff lock bicycles?"
        before = await ask(slack, question)
        await fake_slack.wait_for("chat.postMessage", to(before))
        assert NEW_CLAUSE not in reply_text(fake_slack, before)

        # Questions keep arriving all through the build and the swap.
        asked: list[str] = []
        stop = asyncio.Event()

        async def keep_asking() -> None:
            while not stop.is_set():
                asked.append(await ask(slack, WOOTTON_QUESTIONS[len(asked) % 3]))
                await asyncio.sleep(0.05)

        background = asyncio.create_task(keep_asking())
        (settings.corpus_dir / "oakridge-travel.md").write_text(NEW_POLICY, encoding="utf-8")
        await asyncio.to_thread(
            ensure_index, settings.corpus_dir, settings.index_dir, HashingEmbedder, force=True
        )
        built = time.monotonic()
        await wait_until(lambda: service.watcher.reloads == 1, timeout=10)
        took = time.monotonic() - built
        after = await ask(slack, question)
        await fake_slack.wait_for("chat.postMessage", to(after))
        stop.set()
        await background
        assert NEW_CLAUSE in reply_text(fake_slack, after)
        assert service.watcher.state.loaded.documents == 2
        for channel in asked:  # every question asked meanwhile was answered, none failed
            [reply] = await fake_slack.wait_for("chat.postMessage", to(channel))
            assert "went wrong" not in json.dumps(reply.args).lower()
        print(f"new index answering {took:.1f} s after the build; {len(asked)} asked meanwhile")


async def test_a_broken_build_keeps_the_working_index_and_is_reported(
    tmp_path: Path, fake_slack: Any, caplog: Any
) -> None:
    from assistant.cli import main
    from assistant.cli.teams import _index_build_report

    async with operated_server(tmp_path, fake_slack.url) as (service, slack, session, base):
        settings = service.core.settings
        (settings.corpus_dir / "minutes.md").write_text("Notes from the meeting.\n", "utf-8")
        code = await asyncio.to_thread(
            main,
            [
                "index",
                "build",
                "--corpus",
                str(settings.corpus_dir),
                "--out",
                str(settings.index_dir),
            ],
        )
        assert code == 2
        await wait_until(lambda: bool(service.watcher.state.problem), timeout=10)
        assert "no numbered clauses" in service.watcher.state.problem
        assert any("failed" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
        async with session.get(base + "healthz") as response:
            health = await response.json()
        assert response.status == 200 and "no numbered clauses" in health["index"]["problem"]
        channel = await ask(slack, "what does 6.3 say?")
        [reply] = await fake_slack.wait_for("chat.postMessage", to(channel))
        assert "leaving" in json.dumps(reply.args)  # still answered from the working index
        assert _index_build_report(settings) == 1

        # A corrupt index written over the working one does not replace it either.
        (settings.index_dir / "minutes.md").unlink(missing_ok=True)
        (settings.corpus_dir / "minutes.md").unlink()
        manifest = json.loads((settings.index_dir / "manifest.json").read_text())
        (settings.index_dir / "manifest.json").write_text(
            json.dumps({**manifest, "clause_count": 3})
        )
        await wait_until(lambda: "does not load" in service.watcher.state.problem, timeout=10)
        assert service.watcher.reloads == 0
        record_build(settings.index_dir, None)
