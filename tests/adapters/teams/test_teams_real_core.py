"""End to end with the real core (tiny deterministic embedder): a question over HTTP gets quotes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from teams_fakes import card_of, card_text, wait_for
from teams_settings import make_settings

from assistant.adapters.teams.cards import plain_text

app = pytest.importorskip("assistant.app")
CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"


async def test_a_question_is_answered_by_the_real_core(serve, connector, payload, tmp_path):
    from assistant.policy.embedder import HashingEmbedder

    settings = dataclasses.replace(
        make_settings(tmp_path), corpus_dir=CORPUS, index_dir=tmp_path / "index"
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    fake, url = connector
    activity = {**payload("personal_message"), "serviceUrl": url}
    async with serve(core, settings) as bot:
        assert await bot.post(activity) == 200
        await wait_for(lambda: len(fake.sent("reply")) >= 1, timeout=30)
    reply = fake.sent("reply")[0]
    card = card_of(reply.body)
    blocks = [b for b in card["body"] if b["type"] == "Container"]
    assert blocks and plain_text(blocks[0]["items"][0]).startswith("Clause ")
    assert blocks[0]["items"][0]["inlines"][0]["weight"] == "Bolder"
    assert "feedback.helpful" in {a["data"]["action"] for a in card["actions"]}
    assert "Clause" in card_text(card)
