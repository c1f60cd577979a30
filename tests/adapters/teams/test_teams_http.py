"""POST Bot Framework activities to /api/messages of a real server; a fake connector records replies."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from conftest import APPROVERS, CHANNELS, make_settings
from teams_fakes import card_of, card_text, wait_for

from assistant.messages import Action


def at(activity: dict[str, Any], service_url: str, **changes: Any) -> dict[str, Any]:
    """The activity pointed at the fake connector."""
    return {**activity, "serviceUrl": service_url, **changes}


def clicker(aad: str) -> dict[str, str]:
    return {"id": f"29:{aad}", "name": f"Person {aad}", "aadObjectId": aad}


async def test_a_question_gets_a_card_with_quotes(serve, scripted_core, connector, payload, tmp_path):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        status = await bot.post(at(payload("personal_message"), url))
        assert status == 200
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    reply = fake.sent("reply")[0]
    assert reply.conversation == "a:1personalChatWithAlex"
    assert reply.activity_id == "1712345678901"
    card = card_of(reply.body)
    assert card["version"] in ("1.4", "1.5")
    assert card["body"][1]["items"][0]["text"] == "Clause 6\\.3 · Personal use of social media"
    assert card["body"][1]["items"][0]["weight"] == "Bolder"
    assert "Staff must not accept pupils as friends\\." in card_text(card)
    assert "reviewed 2024\\-09" in card_text(card)
    assert [a["data"] for a in card["actions"]] == [
        {"action": "feedback.helpful", "value": "A1"},
        {"action": "feedback.not_helpful", "value": "A1"},
    ]
    assert scripted_core.handled[0].text == "Can I use my personal Instagram to talk to pupils?"
    assert scripted_core.handled[0].direct is True
    assert scripted_core.recall("teams_conversation", "user:aad-requester-0001") is not None
