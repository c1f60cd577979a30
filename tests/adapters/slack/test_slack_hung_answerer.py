"""A hung answer process over the real server (signed Slack requests, fake Web API, the real
core on SQLite and PostgreSQL): the form and approvals go on while questions wait for it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from slack_helpers import (
    APPROVAL_CHANNELS,
    SlackSender,
    click,
    event_payload,
    real_core_settings,
    to,
    wait_until,
)
from test_slack_whole_form import submission, with_button

from assistant.adapters.lanes import ANSWER_THREADS
from assistant.adapters.server import build_app
from assistant.app import Service, build_service
from assistant.texts import form as form_texts
from assistant.texts.policy import TOO_SLOW
from assistant.workflow.stages import Status
from tests.core.stalling import STALLING_QUESTION, StallingEmbedder

TODAY = date(2026, 3, 2)
HUNG = ANSWER_THREADS + 8  # more questions than there are threads to answer them


@asynccontextmanager
async def stalling_server(
    tmp_path: Path, api_url: str, db_url: str, timeout_s: float
) -> AsyncIterator[tuple[Service, SlackSender, aiohttp.ClientSession, str]]:
    """The server with its answer child, whose embedder hangs on STALLING_QUESTION."""
    settings = dataclasses.replace(
        real_core_settings(tmp_path, api_url, database_url=db_url), answer_timeout_s=timeout_s
    )
    service = build_service(settings, child_embedder=StallingEmbedder, batching=True)
    service.core.today = lambda: TODAY
    server = TestServer(
        build_app(service.core, settings, reminders=False, operations=service),
        host="127.0.0.1",
        port=0,
    )
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            base = str(server.make_url("/"))
            yield service, SlackSender(session, base + "slack/events"), session, base
    finally:
        service.close()  # kills the hung child: the questions waiting on it finish
        await server.close()


def answer_threads() -> int:
    return sum(t.name.startswith("core-answers") for t in threading.enumerate())


async def test_with_the_answerer_hung_the_form_and_an_approval_go_through(
    fake_slack: Any, tmp_path: Path, db_url: str
) -> None:
    async with stalling_server(tmp_path, fake_slack.url, db_url, 600.0) as (service, slack, *_):
        core = service.core
        started = event_payload("message_im", "EvHung0", text="I want to set up a Facebook page")
        assert (await slack.event(started))[0] == 200
        button = form_texts.BUTTON_WHOLE_FORM
        [opening] = await fake_slack.wait_for("chat.postMessage", with_button(button))

        # Questions that hang the answerer, more than there are threads to wait for answers.
        for n in range(1, HUNG + 1):
            data = event_payload(
                "message_im",
                f"EvHung{n}",
                text=STALLING_QUESTION,
                user=f"UASKER{n:03d}",
                channel=f"DASKER{n:03d}",
                ts=f"1700004000.{n:06d}",
            )
            assert (await slack.event(data))[0] == 200
        await wait_until(lambda: answer_threads() == ANSWER_THREADS, timeout=30)

        # The whole form, its Submit and the line manager's Approve are all decided meanwhile.
        await slack.interaction(click(opening, button, user="USTAFF1"))
        [opened] = await fake_slack.wait_for("views.open")
        status, text = await slack.interaction(submission(opened.args["view"]))
        assert (status, text) == (200, "")
        [review] = await fake_slack.wait_for(
            "chat.postMessage", with_button(form_texts.BUTTON_SUBMIT)
        )
        await slack.interaction(click(review, form_texts.BUTTON_SUBMIT, user="USTAFF1"))
        [posted] = await fake_slack.wait_for(
            "chat.postMessage", to(APPROVAL_CHANNELS["line_manager"])
        )
        await slack.interaction(click(posted, "Approve", user="ULINEROLE"))
        await wait_until(
            lambda: (
                [r.status for r in core.approvals.list_requests()]
                == [Status.PENDING_SENIOR_MANAGER]
            ),
            timeout=10,
        )
        await fake_slack.wait_for("chat.postMessage", to(APPROVAL_CHANNELS["senior_manager"]))
        # ... while every question is still waiting for the hung answerer.
        asked = {f"DASKER{n:03d}" for n in range(1, HUNG + 1)}
        assert not [c for c in fake_slack.called("chat.postMessage") if c.args["channel"] in asked]
        [decided] = fake_slack.called("chat.update", to(APPROVAL_CHANNELS["line_manager"]))
        assert not [b for b in decided.args["blocks"] if b["type"] == "actions"]  # decided


async def healthz(session: aiohttp.ClientSession, base: str) -> tuple[int, dict[str, Any]]:
    async with session.get(base + "healthz") as response:
        return response.status, await response.json()


async def test_healthz_says_the_answerer_is_down_while_it_hangs_and_up_once_replaced(
    fake_slack: Any, tmp_path: Path, db_url: str
) -> None:
    timeout_s = 10.0
    async with stalling_server(tmp_path, fake_slack.url, db_url, timeout_s) as (
        service,
        slack,
        session,
        base,
    ):
        process = service.process
        assert process is not None
        status, health = await healthz(session, base)
        assert status == 200 and health["answerer"]["ok"] is True

        hung = event_payload("message_im", "EvHealth1", text=STALLING_QUESTION, channel="DHUNG1")
        assert (await slack.event(hung))[0] == 200
        await wait_until(lambda: process.waiting == 1)  # the question is in the child
        status, health = await healthz(session, base)
        assert status == 503 and health["ok"] is False
        assert health["answerer"]["ok"] is False and health["answerer"]["waiting"] == 1
        assert health["database"]["ok"] is True and health["index"]["ok"] is True

        # Past the answer timeout the child is replaced: the asker is told, and health is up.
        [told] = await fake_slack.wait_for("chat.postMessage", to("DHUNG1"), timeout=60)
        assert TOO_SLOW in json.dumps(told.args)
        for _ in range(300):
            status, health = await healthz(session, base)
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200 and health["answerer"]["ok"] is True
        assert health["answerer"]["restarts"] == 1 and process.restarts["timeout"] == 1
        asked = event_payload("message_im", "EvHealth2", text="what does 6.3 say?", channel="DOK1")
        assert (await slack.event(asked))[0] == 200
        [answered] = await fake_slack.wait_for("chat.postMessage", to("DOK1"), timeout=30)
        assert "6.3" in json.dumps(answered.args)
