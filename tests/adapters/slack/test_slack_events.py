"""Events API through the real server: answers, retries, signatures, bots, failures."""

from __future__ import annotations

import json
import time

from slack_helpers import event_payload, hmac_signature, payload

from assistant.adapters.slack.fake_api import FakeSlackApi


def _text_of(blocks: list[dict]) -> str:
    return json.dumps(blocks)


async def test_dm_question_is_answered_in_a_thread_with_the_clause(slack, fake_slack: FakeSlackApi):
    status, _ = await slack.event(payload("message_im"))
    assert status == 200
    [call] = await fake_slack.wait_for("chat.postMessage")
    args = call.args
    assert args["channel"] == "D0STAFF1"
    assert args["thread_ts"] == "1700000100.000200"
    blocks = args["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert any(s.startswith("*Clause 6.3 · Personal use of social media*\n> ") for s in sections)
    # the quote is escaped and quoted verbatim
    assert any("&lt;unless authorised&gt; &amp; must" in s for s in sections)
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert "Wootton Academy Trust Social Media Policy · reviewed December 2012" in contexts
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("feedback.helpful|0", "A1"),
        ("feedback.not_helpful|1", "A1"),
    ]


async def test_mention_in_channel_is_stripped_and_answered_in_thread(
    slack, fake_slack, scripted_core
):
    data = event_payload(
        "app_mention", "EvM1", text="<@UBOT> <@UADMIN1> says I can put pupils on Instagram?"
    )
    assert (await slack.event(data))[0] == 200
    [call] = await fake_slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "CSTAFFROOM"
    assert call.args["thread_ts"] == "1700000200.000300"
    [incoming] = scripted_core.incoming
    assert incoming.text == "@Ada Admin says I can put pupils on Instagram?"
    assert incoming.direct is False
    assert [str(m) for m in incoming.mentions] == ["slack:UADMIN1"]
    assert incoming.display_name == "Sam Staff"


async def test_channel_ping_typed_by_a_person_is_escaped(slack, fake_slack, scripted_core):
    data = event_payload(
        "message_im", "EvPing", text="&lt;!channel&gt; social media <!channel> <!here>"
    )
    await slack.event(data)
    [call] = await fake_slack.wait_for("chat.postMessage")
    everything = _text_of(call.args["blocks"]) + call.args["text"]
    assert "<!channel>" not in everything and "<!here>" not in everything
    assert "&lt;!channel&gt;" in everything


async def test_a_retried_event_is_answered_once(slack, fake_slack, scripted_core):
    data = payload("message_im")
    assert (await slack.event(data))[0] == 200
    assert (
        await slack.event(
            data, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
    )[0] == 200
    await fake_slack.wait_for("chat.postMessage")
    # a later, different event is answered: so the retry had its chance to be answered too
    await slack.event(event_payload("message_im", "EvLater", text="social media again", ts="2.0"))
    calls = await fake_slack.wait_for("chat.postMessage", count=2)
    assert len(calls) == 2 and len(scripted_core.incoming) == 2


async def test_forged_signature_is_refused(slack, fake_slack, scripted_core):
    status, _ = await slack.event(payload("message_im"), signature="v0=" + "0" * 64)
    assert status == 401
    body = json.dumps(payload("message_im"))
    ts = int(time.time())
    status, _ = await slack.post(
        body,
        content_type="application/json",
        timestamp=ts,
        signature=hmac_signature(body, ts, secret="not-the-secret"),
    )
    assert status == 401
    assert scripted_core.incoming == [] and fake_slack.called("chat.postMessage") == []


async def test_missing_signature_is_refused(slack, scripted_core):
    status, _ = await slack.event(payload("message_im"), signature="")
    assert status == 401
    assert scripted_core.incoming == []


async def test_stale_timestamp_is_refused_even_when_signed(slack, scripted_core):
    body = json.dumps(payload("message_im"))
    stale = int(time.time()) - 6 * 60
    status, _ = await slack.post(
        body,
        content_type="application/json",
        timestamp=stale,
        signature=hmac_signature(body, stale),
    )
    assert status == 401
    assert scripted_core.incoming == []


async def test_hand_computed_signature_is_accepted(slack, fake_slack):
    body = json.dumps(payload("url_verification"))
    ts = int(time.time())
    status, text = await slack.post(
        body, content_type="application/json", timestamp=ts, signature=hmac_signature(body, ts)
    )
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


async def test_bot_messages_and_edits_are_ignored(slack, fake_slack, scripted_core):
    await slack.event(payload("message_bot"))
    await slack.event(event_payload("message_im", "EvOwn", user="UBOT", bot_id="BBOT"))
    await slack.event(event_payload("message_im", "EvEdit", subtype="message_changed"))
    await slack.event(event_payload("message_im", "EvLast", text="social media?", ts="9.0"))
    await fake_slack.wait_for("chat.postMessage")
    assert [i.text for i in scripted_core.incoming] == ["social media?"]


async def test_web_api_429_is_retried_after_retry_after(slack, fake_slack):
    fake_slack.rate_limit_next("chat.postMessage")
    await slack.event(payload("message_im"))
    [call] = await fake_slack.wait_for("chat.postMessage", timeout=15)
    assert len(fake_slack.called("chat.postMessage:429")) == 1
    assert call.args["thread_ts"] == "1700000100.000200"


async def test_a_failing_core_gets_a_friendly_message(slack, fake_slack, caplog):
    await slack.event(event_payload("message_im", "EvBoom", text="boom secret words"))
    [call] = await fake_slack.wait_for("chat.postMessage")
    assert "Sorry, something went wrong" in call.args["text"]
    assert "Traceback" not in call.args["text"]
    await slack.event(event_payload("message_im", "EvBad", text="bad input", ts="3.0"))
    calls = await fake_slack.wait_for("chat.postMessage", count=2)
    assert calls[1].args["text"] == "Please say it another way."
    assert "scripted failure" in caplog.text


async def test_a_failed_reply_is_logged_without_the_text_and_the_user_told(
    slack, fake_slack, caplog
):
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    await slack.event(event_payload("message_im", "EvFail", text="social media private words"))
    calls = await fake_slack.wait_for("chat.postMessage", count=2)
    assert "could not send" in calls[1].args["text"]
    assert "channel_not_found" in caplog.text
    assert "private words" not in caplog.text


async def test_users_info_failure_does_not_stop_the_answer(slack, fake_slack, scripted_core):
    fake_slack.fail_next("users.info", "user_not_found")
    await slack.event(payload("message_im"))
    await fake_slack.wait_for("chat.postMessage")
    assert scripted_core.incoming[0].display_name == ""


async def test_app_home_shows_the_core_overview(slack, fake_slack):
    await slack.event(payload("app_home_opened"))
    [call] = await fake_slack.wait_for("views.publish")
    assert call.args["user_id"] == "USTAFF1"
    view = call.args["view"]
    assert view["type"] == "home"
    assert "My requests" in json.dumps(view) and "Waiting for my decision" in json.dumps(view)
