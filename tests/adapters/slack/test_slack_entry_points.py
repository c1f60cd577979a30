"""/policy, Share in channel, the two shortcuts and App Home's buttons, with the real core over
signed requests to /slack/events and the fake Web API (response_urls included)."""

from __future__ import annotations

import asyncio
import html
import json
from typing import Any

import pytest
from slack_helpers import CORPUS, payload, real_core_server

from assistant.adapters.slack.entry_points import ASK_BLOCK, ASK_CALLBACK, ASK_INPUT
from assistant.adapters.slack.whole_form import WHOLE_CALLBACK
from assistant.messages import Identity
from assistant.texts import form as form_texts
from assistant.texts import slack as texts

QUESTION = "Can I use personal social media during working hours?"
SOURCE = " ".join((CORPUS / "wootton-social-media-policy.txt").read_text(encoding="utf-8").split())


def in_channel(args: dict[str, Any]) -> bool:
    return args.get("response_type") == "in_channel"


def quote_lines(blocks: list[dict[str, Any]]) -> list[str]:
    """Every quoted line (Slack's "> ") of the blocks, unescaped."""
    lines = []
    for block in blocks:
        for line in str((block.get("text") or {}).get("text") or "").splitlines():
            if line.startswith("> "):
                lines.append(html.unescape(line[2:]))
    return lines


def assert_verbatim(blocks: list[dict[str, Any]]) -> None:
    lines = quote_lines(blocks)
    assert lines, json.dumps(blocks)[:500]
    for line in lines:
        for piece in line.split("…"):  # the core marks what it leaves out of a clause
            assert " ".join(piece.split()) in SOURCE, piece


def command(fake_slack: Any, hook: str, text: str) -> dict[str, Any]:
    return {
        **payload("slash_command"),
        "text": text,
        "response_url": fake_slack.response_url(hook),
        "trigger_id": f"1700001100.{hook}",
    }


def buttons_of(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        e["text"]["text"]: e
        for b in blocks
        for e in b.get("elements", ())
        if e.get("type") == "button"
    }


def share_click(fake_slack: Any, answer: Any, hook: str, n: int) -> dict[str, Any]:
    """Pressing "Share in channel" on the ephemeral answer ``answer`` (a response_url call)."""
    button = buttons_of(answer.args["blocks"])[texts.SHARE_BUTTON]
    data = payload("block_actions_button")
    data["container"] = {
        "type": "message",
        "message_ts": "1700001101.000200",
        "channel_id": "CSTAFFROOM",
        "is_ephemeral": True,
    }
    data["channel"] = {"id": "CSTAFFROOM", "name": "staffroom"}
    data["message"] = {"type": "message", "ts": "1700001101.000200", "blocks": []}
    data["response_url"] = fake_slack.response_url(hook)
    data["actions"] = [
        {
            **{k: button[k] for k in ("action_id", "value", "text", "type")},
            "block_id": "share",
            "action_ts": f"1700001102.00000{n}",
        }
    ]
    return data


def home_click(view: dict[str, Any], label: str, *, user: str = "USTAFF1") -> dict[str, Any]:
    """Pressing ``label`` on a published App Home."""
    button = buttons_of(view["blocks"])[label]
    data = payload("block_actions_button")
    data["user"]["id"] = user
    data["container"] = {"type": "view", "view_id": "VHOME1"}
    data.pop("channel")
    data.pop("message")
    data["view"] = {"id": "VHOME1", "type": "home", "blocks": view["blocks"]}
    data["trigger_id"] = f"1700001400.{label.replace(' ', '')}"
    data["actions"] = [
        {
            **{k: button[k] for k in ("action_id", "text", "type") if k in button},
            "value": button.get("value", ""),
            "block_id": "home",
            "action_ts": "1700001401.000001",
        }
    ]
    return data


async def test_policy_answers_privately_and_share_posts_the_answer_once(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, slack):
        status, text = await slack.command(command(fake_slack, "cmd1", QUESTION))
        assert (status, text) == (200, "")
        [answer] = await fake_slack.wait_for("response_url", timeout=60)
        assert answer.args["response_type"] == "ephemeral"
        assert answer.args["hook"] == "cmd1"
        assert_verbatim(answer.args["blocks"])
        assert "*Clause " in json.dumps(answer.args["blocks"])
        # Nothing went to the channel itself: only the asker sees the answer.
        assert not fake_slack.called("chat.postMessage")
        assert not fake_slack.called("chat.postEphemeral")

        clicks = [share_click(fake_slack, answer, f"share{n}", n) for n in (1, 2)]
        sent = await asyncio.gather(*(slack.interaction(c) for c in clicks))
        assert [status for status, _ in sent] == [200, 200]
        await fake_slack.wait_for("response_url", lambda a: a.get("delete_original"))
        with pytest.raises(AssertionError):  # the other click posts nothing, however long
            await fake_slack.wait_for("response_url", in_channel, count=2, timeout=5)
        public = fake_slack.called("response_url", in_channel)

    [shared] = public
    blocks = shared.args["blocks"]
    assert blocks[-1]["elements"][0]["text"] == f"Shared by <@USTAFF1>, who asked: {QUESTION}"
    assert quote_lines(blocks) == quote_lines(answer.args["blocks"])
    assert not buttons_of(blocks)  # no feedback or share buttons in public
    [deleted] = fake_slack.called("response_url", lambda a: a.get("delete_original"))
    assert deleted.args["hook"] == shared.args["hook"]  # the click that shared removes it


async def test_share_never_posts_anything_but_a_policy_answer(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, slack):
        await slack.command(command(fake_slack, "cmd1", QUESTION))
        [answer] = await fake_slack.wait_for("response_url", timeout=60)
        click = share_click(fake_slack, answer, "share1", 1)
        click["actions"][0]["value"] = "hello"  # not a question: the help text
        await slack.interaction(click)
        [told] = await fake_slack.wait_for("response_url", lambda a: a["hook"] == "share1")
    assert told.args["response_type"] == "ephemeral"
    assert told.args["text"] == texts.SHARE_FAILED
    assert not fake_slack.called("response_url", in_channel)


async def test_an_empty_policy_command_gets_the_usage(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, slack):
        status, text = await slack.command(command(fake_slack, "cmd1", "  "))
    assert status == 200
    assert text == texts.POLICY_USAGE  # bolt sends a text-only ack as plain text
    assert not fake_slack.called("response_url")


async def test_the_message_shortcut_answers_privately(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, slack):
        data = payload("message_action", response_url=fake_slack.response_url("check1"))
        data["message"]["text"] = QUESTION
        assert (await slack.interaction(data)) == (200, "")
        [answer] = await fake_slack.wait_for("response_url", timeout=60)
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["hook"] == "check1"
    assert_verbatim(answer.args["blocks"])
    assert not fake_slack.called("chat.postMessage")


async def test_the_global_shortcut_opens_the_whole_form(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (_, slack):
        data = payload("shortcut")
        assert (await slack.interaction(data)) == (200, "")
        [opened] = await fake_slack.wait_for("views.open")
    assert opened.args["trigger_id"] == data["trigger_id"]
    assert opened.args["view"]["callback_id"] == WHOLE_CALLBACK


async def test_app_home_buttons_ask_request_and_whole_form(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (core, slack):
        await slack.event(payload("app_home_opened"))
        [published] = await fake_slack.wait_for("views.publish")
        home = published.args["view"]
        labels = list(buttons_of(home["blocks"]))
        assert labels[:3] == [texts.HOME_ASK, texts.HOME_REQUEST, texts.HOME_WHOLE_FORM]

        whole = home_click(home, texts.HOME_WHOLE_FORM)
        await slack.interaction(whole)
        [opened] = await fake_slack.wait_for("views.open")
        assert opened.args["trigger_id"] == whole["trigger_id"]
        assert opened.args["view"]["callback_id"] == WHOLE_CALLBACK

        ask = home_click(home, texts.HOME_ASK)
        await slack.interaction(ask)
        [_, asking] = await fake_slack.wait_for("views.open", count=2)
        assert asking.args["trigger_id"] == ask["trigger_id"]
        assert asking.args["view"]["callback_id"] == ASK_CALLBACK
        submitted = payload("view_submission_reason")
        submitted["user"]["id"] = "USTAFF1"
        submitted["view"] = {
            **asking.args["view"],
            "id": "VASK1",
            "state": {
                "values": {ASK_BLOCK: {ASK_INPUT: {"type": "plain_text_input", "value": QUESTION}}}
            },
        }
        assert (await slack.interaction(submitted)) == (200, "")
        in_dm = await fake_slack.wait_for(
            "chat.postMessage", lambda a: "*Clause " in json.dumps(a.get("blocks")), timeout=60
        )
        assert in_dm[0].args["channel"] == "DUSTAFF1"
        assert_verbatim(in_dm[0].args["blocks"])

        await slack.interaction(home_click(home, texts.HOME_REQUEST))
        first = form_texts.BUTTON_WHOLE_FORM  # the form's first question offers the modal too
        [started] = await fake_slack.wait_for(
            "chat.postMessage", lambda a: first in json.dumps(a.get("blocks"))
        )
    assert started.args["channel"] == "DUSTAFF1"
    assert core.store.load_draft(Identity("slack", "USTAFF1")) is not None
