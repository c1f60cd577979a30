"""Follow-ups over the real Slack wire: in a DM, and in a channel thread with no mention."""

from __future__ import annotations

import asyncio
import json

from slack_helpers import event_payload, real_core_server, to

LEAD = "Reading this with your earlier question"


def _posted(call) -> str:
    return call.args.get("text", "") + json.dumps(call.args.get("blocks", []))


async def test_a_dm_follow_up_is_read_with_the_question_before(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, sender):
        first = event_payload(
            "message_im", "EvFirst1", text="how many administrators does a school site need?"
        )
        await sender.event(first)
        await fake_slack.wait_for("chat.postMessage", timeout=60)
        follow = event_payload("message_im", "EvFollow1", text="and moderators?", ts="2.0")
        await sender.event(follow)
        calls = await fake_slack.wait_for("chat.postMessage", count=2, timeout=60)
    assert LEAD not in _posted(calls[0])
    reply = _posted(calls[1])
    assert LEAD in reply and "how many administrators does a school site need?" in reply
    assert "A.5.4" in reply  # at least two approved administrators ... moderators


async def test_a_thread_follow_up_needs_no_mention_once_the_bot_answered_there(
    fake_slack, tmp_path
):
    async with real_core_server(tmp_path, fake_slack.url) as (_, sender):
        mention = event_payload(
            "app_mention",
            "EvMention1",
            text="<@UBOT> how many administrators does a school site need?",
        )
        await sender.event(mention)
        await fake_slack.wait_for("chat.postMessage", timeout=60)
        root = mention["event"]["ts"]
        # A thread the bot is not part of, and a bot in the bot's own thread: both ignored.
        elsewhere = event_payload(
            "message_channel_thread", "EvOther1", thread_ts="1700000000.000001", ts="3.0"
        )
        bot = event_payload(
            "message_channel_thread", "EvBot1", ts="4.0", bot_id="BOTHER", user="UOTHERBOT"
        )
        # A reply that mentions the bot is answered through its app_mention event, not its
        # message copy (else it would be answered twice).
        mentioned = event_payload(
            "message_channel_thread", "EvMentioned1", text="<@UBOT> and moderators?", ts="5.0"
        )
        for data in (elsewhere, bot, mentioned):
            assert (await sender.event(data))[0] == 200
        follow = event_payload("message_channel_thread", "EvThread1", text="and moderators?")
        assert follow["event"]["thread_ts"] == root
        await sender.event(follow)
        calls = await fake_slack.wait_for(
            "chat.postMessage", count=2, timeout=60, check=to("CSTAFFROOM")
        )
        await asyncio.sleep(0.5)  # anything wrongly answered would have been posted by now
    posted = fake_slack.called("chat.postMessage", to("CSTAFFROOM"))
    assert len(posted) == 2
    assert all(call.args.get("thread_ts") == root for call in calls)
    reply = _posted(calls[1])
    assert LEAD in reply and "A.5.4" in reply
