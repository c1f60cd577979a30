"""A follow-up in a Teams personal chat, over HTTP, read with the question before it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from teams_fakes import card_of, card_text, wait_for
from teams_settings import make_settings

app = pytest.importorskip("assistant.app")
CORPUS = Path(__file__).resolve().parents[3] / "policy_corpus"
LEAD = "Reading this with your earlier question"


async def test_a_personal_chat_follow_up_is_read_with_the_question_before(
    serve, connector, payload, tmp_path
):
    from assistant.policy.embedder import HashingEmbedder

    settings = dataclasses.replace(
        make_settings(tmp_path), corpus_dir=CORPUS, index_dir=tmp_path / "index"
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    fake, url = connector
    first = {
        **payload("personal_message"),
        "serviceUrl": url,
        "text": "how many administrators does a school site need?",
    }
    follow = {**first, "id": "1712345678902", "text": "and moderators?"}
    # The same words from someone else, in their own chat, are asked alone.
    other = {
        **first,
        "id": "1712345678903",
        "text": "and moderators?",
        "from": {**first["from"], "id": "29:other", "aadObjectId": "aad-other-0002"},
        "conversation": {**first["conversation"], "id": "a:1personalChatWithOther"},
    }
    async with serve(core, settings) as bot:
        assert await bot.post(first) == 200
        await wait_for(lambda: len(fake.sent("reply")) >= 1, timeout=60)
        assert await bot.post(follow) == 200
        await wait_for(lambda: len(fake.sent("reply")) >= 2, timeout=60)
        assert await bot.post(other) == 200
        await wait_for(lambda: len(fake.sent("reply")) >= 3, timeout=60)
    texts = [card_text(card_of(r.body)) for r in fake.sent("reply")]
    assert LEAD not in texts[0]
    assert LEAD in texts[1] and "how many administrators does a school site need?" in texts[1]
    assert "Clause " in texts[1]  # quoted as usual, under the lead
    assert LEAD not in texts[2]
