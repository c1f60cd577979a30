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


async def test_an_approval_channel_the_bot_is_not_in_is_reported_to_the_requester(
    serve, connector, payload, tmp_path
):
    """The bot was never added to the Line Manager's channel, so nothing there can be posted:
    the requester is told so in their personal chat, not left believing it went."""
    from assistant.adapters.server import deliver_elsewhere
    from assistant.adapters.teams.translate import TRIAL
    from assistant.messages import Identity
    from assistant.policy.embedder import HashingEmbedder
    from tests.workflow.conftest import answers

    settings = dataclasses.replace(
        make_settings(tmp_path), corpus_dir=CORPUS, index_dir=tmp_path / "index"
    )
    core = app.build_core(settings, embedder=HashingEmbedder())
    fake, url = connector
    hello = {**payload("personal_message"), "serviceUrl": url}
    # The local trial's identity of the sender (the trial itself may not submit: the
    # request is made straight through the core, as a signed-in user's would be).
    requester = Identity("teams", f"{TRIAL}:{hello['from']['aadObjectId']}")
    async with serve(core, settings) as bot:
        assert await bot.post(hello) == 200  # the personal chat is known from now on
        await wait_for(lambda: len(fake.sent("reply")) >= 1, timeout=30)
        effects = core.approvals.submit(requester, "Alex Teacher", answers(), platform="teams")
        await deliver_elsewhere(bot.server.app, effects)
    told = [str(c.body.get("text")) for c in fake.sent()]
    assert any(
        "I could not deliver your request #1 to the Line Manager: the assistant has not been "
        "added to the approval channel's team. Your request is kept; please tell the school "
        "office" in text
        for text in told
    ), told
    [row] = [e for e in core.store.outbox.entries() if e.purpose == "ask:line_manager"]
    assert (row.state, row.problem) == ("failed", "no_channel_reference")
