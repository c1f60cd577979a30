"""End to end with the real core (tiny deterministic embedder, SQLite in a temp dir)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import aiohttp
import pytest
from slack_helpers import SlackSender, event_payload, slack_settings, start_server

app = pytest.importorskip("assistant.app")
CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"


async def test_a_dm_question_is_answered_in_thread_by_the_real_core(fake_slack, tmp_path):
    from assistant.policy.embedder import HashingEmbedder

    settings = dataclasses.replace(
        slack_settings(tmp_path, fake_slack.url),
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        database_url=f"sqlite:///{tmp_path / 'assistant.db'}",
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    server = await start_server(core, settings)
    try:
        async with aiohttp.ClientSession() as session:
            sender = SlackSender(session, str(server.make_url("/slack/events")))
            question = "<!channel> Can I use personal social media during working hours?"
            data = event_payload("message_im", "EvReal1", text=question)
            assert (await sender.event(data))[0] == 200
            assert (await sender.event(data, headers={"X-Slack-Retry-Num": "1"}))[0] == 200
            [call] = await fake_slack.wait_for("chat.postMessage", timeout=60)
    finally:
        await server.close()
    assert call.args["thread_ts"] == data["event"]["ts"]
    blocks = json.dumps(call.args["blocks"])
    assert "*Clause " in blocks
    assert "<!channel>" not in blocks + call.args["text"]
    assert len(fake_slack.called("chat.postMessage")) == 1
