"""End to end with the real core (tiny deterministic embedder, SQLite in a temp dir)."""

from __future__ import annotations

import json

from slack_helpers import event_payload, real_core_server


async def test_a_dm_question_is_answered_in_thread_by_the_real_core(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, sender):
        question = "<!channel> Can I use personal social media during working hours?"
        data = event_payload("message_im", "EvReal1", text=question)
        assert (await sender.event(data))[0] == 200
        assert (await sender.event(data, headers={"X-Slack-Retry-Num": "1"}))[0] == 200
        [call] = await fake_slack.wait_for("chat.postMessage", timeout=60)
    assert call.args["thread_ts"] == data["event"]["ts"]
    blocks = json.dumps(call.args["blocks"])
    assert "*Clause " in blocks
    assert "<!channel>" not in blocks + call.args["text"]
    assert len(fake_slack.called("chat.postMessage")) == 1
