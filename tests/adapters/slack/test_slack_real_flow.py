"""The whole approval in Slack with the real core: form in a DM, three approver channels."""

from __future__ import annotations

import json

from slack_helpers import (
    APPROVAL_CHANNELS,
    click,
    event_payload,
    payload,
    real_core_server,
    to,
    wait_until,
)

from assistant.messages import Identity
from assistant.texts import form as form_texts
from tests.form.form_helpers import FULL_ANSWERS

STAFF = Identity("slack", "USTAFF1")
LINE, SENIOR, PRINCIPAL = "ULINE1", "USENIOR1", "UPRINCIPAL1"


async def test_form_in_a_dm_then_two_approvals_and_a_rejection(fake_slack, tmp_path):
    events = iter(range(1, 1000))
    people = {Identity("slack", LINE): "Lee Line"}
    # Both hold the line manager role; the form names Lee, so the stage is Lee's.
    roles = {
        "line_manager": (Identity("slack", "ULINEROLE"), Identity("slack", LINE)),
        "senior_manager": (Identity("slack", SENIOR),),
        "principal": (Identity("slack", PRINCIPAL),),
    }
    async with real_core_server(tmp_path, fake_slack.url, people=people, roles=roles) as (
        core,
        slack,
    ):

        async def say(text: str) -> None:
            before = core.store.load_draft(STAFF)
            n = next(events)
            data = event_payload("message_im", f"EvFlow{n}", text=text, ts=f"1700000200.{n:06d}")
            assert (await slack.event(data))[0] == 200
            await wait_until(lambda: core.store.load_draft(STAFF) != before)

        await say("I want to set up a Facebook page for the PE department")
        answers = {
            **FULL_ANSWERS,
            "line_manager": f"<@{LINE}>",
            "go_live": "1/9/2031",  # the server checks against today's date
            "closure": "31 July 2032",
        }
        for _ in range(40):
            step = json.loads(core.store.load_draft(STAFF) or "{}").get("step")
            if step == "review":
                break
            await say(answers[step])
        else:
            raise AssertionError("the form never reached its review")

        def reviews() -> list:
            return [
                c
                for c in fake_slack.called("chat.postMessage", to("D0STAFF1"))
                if form_texts.BUTTON_SUBMIT in json.dumps(c.args.get("blocks", []))
            ]

        # The draft is saved before its review is posted: wait for the post itself.
        await wait_until(lambda: bool(reviews()))
        review = reviews()[-1]
        await slack.interaction(click(review, form_texts.BUTTON_SUBMIT, user="USTAFF1"))
        [first] = await fake_slack.wait_for(
            "chat.postMessage", to(APPROVAL_CHANNELS["line_manager"])
        )
        assert "&lt;" not in first.args["text"]

        # Another line manager is not the one named: not theirs to decide.
        await slack.interaction(click(first, "Approve", user="ULINEROLE"))
        [ephemeral] = await fake_slack.wait_for("chat.postEphemeral")
        assert ephemeral.args["user"] == "ULINEROLE"
        assert not fake_slack.called("chat.update")

        await slack.interaction(click(first, "Approve", user=LINE))
        [update] = await fake_slack.wait_for("chat.update")
        assert update.args["ts"] == first.result["ts"]
        assert not [b for b in update.args["blocks"] if b["type"] == "actions"]
        [second] = await fake_slack.wait_for(
            "chat.postMessage", to(APPROVAL_CHANNELS["senior_manager"])
        )
        await slack.interaction(click(second, "Approve", user=SENIOR))
        [third] = await fake_slack.wait_for("chat.postMessage", to(APPROVAL_CHANNELS["principal"]))

        pressed = click(third, "Reject", user=PRINCIPAL)
        await slack.interaction(pressed)
        [opened] = await fake_slack.wait_for("views.open")
        submitted = payload("view_submission_reason")
        submitted["user"] = {**submitted["user"], "id": PRINCIPAL}
        submitted["view"]["private_metadata"] = opened.args["view"]["private_metadata"]
        submitted["view"]["state"]["values"]["reason"]["reason_input"]["value"] = "Use the website"
        status, _ = await slack.interaction(submitted)
        assert status == 200
        await fake_slack.wait_for("chat.update", count=3)
        # The requester is told after the post is updated: wait for that DM too.
        await fake_slack.wait_for(
            "chat.postMessage",
            lambda args: (
                args.get("channel", "").startswith("D")
                and "Use the website" in args.get("text", "")
            ),
        )

    [request] = core.approvals.list_requests()
    assert request.status.value == "REJECTED"
    decisions = core.approvals.decisions(request.id)
    assert [(d.decided_by.user_id, d.approved) for d in decisions] == [
        (LINE, True),
        (SENIOR, True),
        (PRINCIPAL, False),
    ]
    assert decisions[-1].reason == "Use the website"
