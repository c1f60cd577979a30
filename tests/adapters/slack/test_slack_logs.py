"""With debug logging on (``assistant -v``), message text still never reaches the log."""

from __future__ import annotations

import logging

from slack_helpers import event_payload, real_core_server

SECRET = "Pupil Zed told me about self-harm on Tuesday"


async def test_debug_logging_does_not_log_questions_or_replies(fake_slack, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with real_core_server(tmp_path, fake_slack.url) as (_, sender):
        data = event_payload("message_im", "EvLog1", text=f"{SECRET}: who do I tell?")
        assert (await sender.event(data))[0] == 200
        [reply] = await fake_slack.wait_for("chat.postMessage", timeout=60)
    assert caplog.records  # debug logging was on
    sent = reply.args["text"]  # the fallback text, in the request body the SDK would log
    assert sent and sent not in caplog.text
    assert SECRET not in caplog.text
    assert "self-harm" not in caplog.text
