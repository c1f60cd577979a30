"""``assistant doctor`` checks Slack against the fake Web API on loopback: the token, the
scopes the manifest asks for, the bot's membership of every configured channel, and that
each configured approver exists."""

from __future__ import annotations

import dataclasses

from slack_helpers import real_core_settings

from assistant.adapters.slack.doctor import required_scopes, slack_report


async def test_everything_in_order_is_reported_ok(fake_slack, tmp_path) -> None:
    fake_slack.scopes = ",".join(sorted(required_scopes()))
    lines, problems = await slack_report(real_core_settings(tmp_path, fake_slack.url))
    assert problems == 0, lines
    assert lines[0] == "ok    Slack: signed in to Wootton as assistant"
    assert "ok    Slack: the bot is in the line_manager approval channel CAPPROVE1" in lines
    assert "ok    Slack: approver UPRINCIPAL1 exists" in lines


async def test_each_problem_is_named(fake_slack, tmp_path) -> None:
    fake_slack.scopes = "chat:write"
    fake_slack.not_member_of.add("CAPPROVE2")
    fake_slack.channels_missing.add("COFFICE")
    fake_slack.unknown_users.add("USENIOR1")
    settings = dataclasses.replace(
        real_core_settings(tmp_path, fake_slack.url), admin_channels={"slack": "COFFICE"}
    )

    lines, problems = await slack_report(settings)

    assert problems == 4, lines
    text = "\n".join(lines)
    assert "FAIL  Slack: the app lacks the scopes " in text and "files:write" in text
    assert "FAIL  Slack: the bot is not in the senior_manager approval channel CAPPROVE2" in text
    assert "FAIL  Slack: the [admin] channel COFFICE: channel_not_found" in text
    assert "FAIL  Slack: approver USENIOR1: user_not_found" in text


async def test_a_refused_token_is_one_clear_line(fake_slack, tmp_path) -> None:
    fake_slack.fail_next("auth.test", "invalid_auth")
    lines, problems = await slack_report(real_core_settings(tmp_path, fake_slack.url))
    assert (lines, problems) == (
        ["FAIL  Slack: the bot token was refused by auth.test (invalid_auth)"],
        1,
    )
