"""Buttons, checkboxes, the people picker and the reject modal through the real server."""

from __future__ import annotations

import json

from slack_helpers import click, event_payload, payload, to, wait_until
from slack_scripted_core import CHANNELS

from assistant.adapters.slack.fake_api import FakeSlackApi
from assistant.messages import Action


async def _fill_in_form(slack, fake: FakeSlackApi):
    """Start the form in a DM and answer every question; returns the review message call."""
    await slack.event(event_payload("message_im", "EvForm", text="start the form", ts="10.0"))
    [platform_q] = await fake.wait_for("chat.postMessage")
    assert "thread_ts" not in platform_q.args  # form questions stay in the DM, not a thread
    assert (await slack.interaction(click(platform_q, "Facebook", user="USTAFF1")))[0] == 200

    [_, audience_q] = await fake.wait_for("chat.postMessage", count=2)
    blocks = audience_q.args["blocks"]
    groups = [e for b in blocks for e in b.get("elements", ()) if e["type"] == "checkboxes"]
    assert [len(g["options"]) for g in groups] == [10, 2]  # Block Kit allows 10 per group
    state = {
        "ticks|0": {
            "tick|0": {"type": "checkboxes", "selected_options": [groups[0]["options"][1]]}
        },
        "ticks|1": {
            "tick|1": {"type": "checkboxes", "selected_options": [groups[1]["options"][0]]}
        },
    }
    await slack.interaction(click(audience_q, "Next", user="USTAFF1", state=state))

    people_q = (await fake.wait_for("chat.postMessage", count=3))[2]
    pickers = [
        e
        for b in people_q.args["blocks"]
        for e in b.get("elements", ())
        if e["type"] == "multi_users_select"
    ]
    assert len(pickers) == 1
    state = {
        "people": {
            "people.select": {
                "type": "multi_users_select",
                "selected_users": ["UADMIN1", "UADMIN2"],
            }
        }
    }
    await slack.interaction(click(people_q, "Next", user="USTAFF1", state=state))
    return (await fake.wait_for("chat.postMessage", count=4))[3]


async def test_form_filled_in_and_submitted_then_each_stage_approved(
    slack, fake_slack, scripted_core
):
    review = await _fill_in_form(slack, fake_slack)
    choose, choices, people = scripted_core.incoming[1:4]
    assert (choose.action, choose.value) == (Action.FORM_CHOOSE, "facebook")
    assert (choices.action, choices.values) == (Action.FORM_CHOICES, ("aud1", "aud10"))
    assert [m.user_id for m in people.mentions] == ["UADMIN1", "UADMIN2"]
    assert people.text == "@Ada Admin, @Person UADMIN2"
    assert "Please check your request." in review.args["text"]

    await slack.interaction(click(review, "Submit", user="USTAFF1"))
    for stage, approver in (
        ("line_manager", "ULINE1"),
        ("senior_manager", "USENIOR1"),
        ("principal", "UPRINCIPAL1"),
    ):
        [post] = await fake_slack.wait_for("chat.postMessage", to(CHANNELS[stage]))
        # The adapter stores the post once the Web API has answered, which may be just after
        # the fake API has seen the call.
        key = f"R1:{stage}"
        await wait_until(lambda key=key: scripted_core.recall("post", key) is not None, 10)
        assert scripted_core.recall("post", key) == {
            "platform": "slack",
            "channel": CHANNELS[stage],
            "ts": post.result["ts"],
        }
        await slack.interaction(click(post, "Approve", user=approver))
        [update] = await fake_slack.wait_for(
            "chat.update", lambda a, ts=post.result["ts"]: a["ts"] == ts
        )
        assert update.args["channel"] == CHANNELS[stage]
        assert "approved" in update.args["text"]
        assert not [b for b in update.args["blocks"] if b["type"] == "actions"]  # buttons gone

    [opened] = await fake_slack.wait_for("conversations.open")
    assert opened.args["users"] == "USTAFF1"
    [done] = await fake_slack.wait_for("chat.postMessage", to("DUSTAFF1"))
    assert done.args["text"] == "Your site is approved."
    await wait_until(lambda: scripted_core.recall("slack_dm", "USTAFF1") is not None, 10)
    assert scripted_core.recall("slack_dm", "USTAFF1") == {"channel": "DUSTAFF1"}
    assert [d[1] for d in scripted_core.decisions] == ["approved"] * 3


async def test_reject_opens_a_modal_and_needs_a_reason(slack, fake_slack, scripted_core):
    review = await _fill_in_form(slack, fake_slack)
    await slack.interaction(click(review, "Submit", user="USTAFF1"))
    [post] = await fake_slack.wait_for("chat.postMessage", to("CAPPROVE1"))

    pressed = click(post, "Reject", user="ULINE1")
    await slack.interaction(pressed)
    [opened] = await fake_slack.wait_for("views.open")
    assert opened.args["trigger_id"] == pressed["trigger_id"]
    modal = opened.args["view"]
    [field] = modal["blocks"]
    assert field["type"] == "input" and field["element"]["multiline"] is True
    assert all(i.action is not Action.REJECT for i in scripted_core.incoming)  # not yet

    submitted = payload("view_submission_reason")
    submitted["view"]["private_metadata"] = modal["private_metadata"]
    submitted["view"]["state"]["values"]["reason"]["reason_input"]["value"] = "   "
    status, text = await slack.interaction(submitted)
    assert status == 200
    assert json.loads(text) == {
        "response_action": "errors",
        "errors": {"reason": "Please give a reason: the requester needs to know what to change."},
    }
    assert all(i.action is not Action.REJECT for i in scripted_core.incoming)

    reason = "Uses the <school crest> & no privacy settings"
    submitted["view"]["state"]["values"]["reason"]["reason_input"]["value"] = reason
    status, text = await slack.interaction(submitted)
    assert status == 200 and text == ""
    [update] = await fake_slack.wait_for("chat.update")
    assert update.args["ts"] == post.result["ts"]
    assert "&lt;school crest&gt; &amp; no privacy" in json.dumps(update.args["blocks"])
    [reject] = [i for i in scripted_core.incoming if i.action is Action.REJECT]
    assert (reject.value, reject.text, reject.user.user_id) == ("R1:line_manager", reason, "ULINE1")
    [told] = await fake_slack.wait_for("chat.postMessage", to("DUSTAFF1"))
    assert told.args["text"] == "Rejected: Uses the &lt;school crest&gt; &amp; no privacy settings"


async def test_an_unauthorised_click_gets_an_ephemeral_and_changes_nothing(
    slack, fake_slack, scripted_core
):
    review = await _fill_in_form(slack, fake_slack)
    await slack.interaction(click(review, "Submit", user="USTAFF1"))
    [post] = await fake_slack.wait_for("chat.postMessage", to("CAPPROVE1"))
    await slack.interaction(click(post, "Approve", user="USTAFF1"))
    [ephemeral] = await fake_slack.wait_for("chat.postEphemeral")
    assert ephemeral.args["channel"] == "CAPPROVE1" and ephemeral.args["user"] == "USTAFF1"
    assert "Only the approver" in ephemeral.args["text"]
    assert fake_slack.called("chat.update") == [] and scripted_core.decisions == []
    assert scripted_core.stage == 0


async def test_the_same_click_delivered_twice_is_handled_once(slack, fake_slack, scripted_core):
    await slack.event(payload("message_im"))
    [answer] = await fake_slack.wait_for("chat.postMessage")
    pressed = click(answer, "Helpful", user="USTAFF1")
    await slack.interaction(pressed)
    await slack.interaction(pressed)
    await fake_slack.wait_for("chat.postMessage", count=2)
    helpful = [i for i in scripted_core.incoming if i.action is Action.HELPFUL]
    assert [(i.value, i.direct) for i in helpful] == [("A1", True)]


async def test_documented_payloads_translate(slack, fake_slack, scripted_core):
    await slack.interaction(payload("block_actions_checkboxes"))
    await slack.interaction(payload("block_actions_people"))
    await fake_slack.wait_for("chat.postMessage", count=2)
    [ticked] = [i for i in scripted_core.incoming if i.action is Action.FORM_CHOICES]
    [people] = [i for i in scripted_core.incoming if i.action is None]
    assert ticked.values == ("parents", "pupils", "alumni") and ticked.value == "audience"
    assert [m.user_id for m in people.mentions] == ["UADMIN1", "UADMIN2"]


async def test_ticking_a_checkbox_is_acknowledged_and_ignored(slack, scripted_core):
    data = payload("block_actions_checkboxes")
    data["actions"] = [
        {
            "type": "checkboxes",
            "action_id": "tick|0",
            "block_id": "ticks|0",
            "selected_options": [],
            "action_ts": "1.0",
        }
    ]
    status, _ = await slack.interaction(data)
    assert status == 200
    assert scripted_core.incoming == []
