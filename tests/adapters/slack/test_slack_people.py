"""users.info look-ups: capped per message, misses remembered, and never before the whole
form's acknowledgement."""

from __future__ import annotations

import asyncio

from slack_helpers import event_payload, payload, real_core_server, wait_until

from assistant.adapters.slack.people import MAX_LOOKUPS_PER_MESSAGE


async def test_a_message_naming_many_people_costs_a_capped_number_of_lookups(
    slack, fake_slack, scripted_core
):
    many = " ".join(f"<@U{n:04d}X>" for n in range(30))
    data = event_payload("message_im", "EvMany1", text=f"who can approve {many}?")
    assert (await slack.event(data))[0] == 200
    await wait_until(lambda: bool(scripted_core.incoming))
    assert len(fake_slack.called("users.info")) <= MAX_LOOKUPS_PER_MESSAGE


async def test_a_user_slack_cannot_find_is_not_asked_about_again(slack, fake_slack, scripted_core):
    fake_slack.unknown_users.add("UGHOST1")
    for n in (1, 2, 3):
        data = event_payload("message_im", f"EvGhost{n}", text=f"ask <@UGHOST1> {n}", ts=f"1.{n}")
        assert (await slack.event(data))[0] == 200
        await wait_until(lambda n=n: len(scripted_core.incoming) == n)
    ghost = fake_slack.called("users.info", lambda args: args.get("user") == "UGHOST1")
    assert len(ghost) == 1


async def test_the_whole_form_is_acknowledged_before_any_lookup(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url) as (core, slack):
        release = fake_slack.hold("users.info")
        data = payload("view_submission_whole_form")
        picked = [
            element.get("selected_users") or [element.get("selected_user")]
            for block in data["view"]["state"]["values"].values()
            for element in block.values()
            if element.get("selected_users") or element.get("selected_user")
        ]
        assert picked, "the payload picks people"
        # Slack waits 3 s for the ack; users.info does not answer at all until released.
        status, _ = await asyncio.wait_for(slack.interaction(data), timeout=30)
        assert status == 200
        release.set()
