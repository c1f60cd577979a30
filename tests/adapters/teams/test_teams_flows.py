"""Conversation flows through TeamsBot on botbuilder's TestAdapter (approvals need authentication)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity
from teams_fakes import STAGES, ScriptedCore
from teams_settings import APPROVERS, CHANNELS

from assistant.adapters.teams.bot import TeamsBot
from assistant.adapters.teams.delivery import RetryPolicy, TeamsDelivery
from assistant.messages import Action, Identity

REQUESTER = "aad-requester-0001"


class Harness:
    """A TeamsBot on a TestAdapter whose proactive sends land in the same adapter."""

    def __init__(self, core: ScriptedCore, payload, *, authenticated: bool = True) -> None:
        self.core = core
        self.payload = payload
        self.adapter = TestAdapter()
        delivery = TeamsDelivery(
            adapter=self.adapter, core=core, app_id="", tenants=("tenant-0001",)
        )
        self.bot = TeamsBot(
            core=core,
            delivery=delivery,
            deliver_elsewhere=delivery.deliver,
            authenticated=authenticated,
            policy=RetryPolicy(attempts=2, base_delay=0.01),
        )
        self.adapter.logic = self.bot.on_turn
        self._n = 0

    async def send(self, data: dict[str, Any]) -> list[Activity]:
        self.adapter.activity_buffer.clear()
        self._n += 1
        data.setdefault("id", f"act-{self._n}")
        await self.adapter.receive_activity(Activity().deserialize(data))
        return list(self.adapter.activity_buffer)

    async def say(self, text: str, **changes: Any) -> list[Activity]:
        changes.setdefault("id", None)
        return await self.send(self.payload("personal_message", text=text, **changes))

    async def click(self, value: dict[str, Any], aad: str, *, channel: str = "") -> list[Activity]:
        data = self.payload("card_submit", id=None, value=value)
        data["from"] = {"id": f"29:{aad}", "name": f"Person {aad}", "aadObjectId": aad}
        if channel:
            data["conversation"] = {"conversationType": "channel", "id": f"{channel};messageid=9"}
            data["channelData"] = {"channel": {"id": channel}}
        return await self.send(data)

    async def add_to_channels(self) -> None:
        for channel in CHANNELS.values():
            data = self.payload("bot_added_to_team")
            data["conversation"]["id"] = channel
            data["channelData"]["channel"]["id"] = channel
            await self.send(data)

    async def open_personal_chat(self, aad: str) -> None:
        data = self.payload("installation_update_personal")
        data["from"]["aadObjectId"] = aad
        data["conversation"]["id"] = f"a:chat-{aad}"
        await self.send(data)


def card(activity: Activity) -> dict[str, Any]:
    return activity.attachments[0].content


@pytest.fixture
def harness(scripted_core, payload) -> Harness:
    return Harness(scripted_core, payload)


async def submitted(h: Harness) -> list[Activity]:
    await h.add_to_channels()
    await h.say("the form")
    return await h.click({"action": Action.FORM_SUBMIT.value}, REQUESTER)


async def test_each_stage_approved(harness: Harness):
    await harness.open_personal_chat(REQUESTER)
    sent = await submitted(harness)
    assert sent[1].conversation.id == CHANNELS["line_manager"]
    assert sent[1].reply_to_id is None  # a new post in the channel, not a reply
    for i, stage in enumerate(STAGES):
        anchor = f"R1:{stage}"
        post = harness.core.recall("post", anchor)
        assert post is not None and post["conversation"]["conversation"]["id"] == CHANNELS[stage]
        approve = {"action": Action.APPROVE.value, "value": anchor}
        sent = await harness.click(approve, APPROVERS[stage].user_id, channel=CHANNELS[stage])
        assert harness.core.handled[-1].user == Identity("teams", APPROVERS[stage].user_id)
        updated = harness.adapter.updated_activities[-1]
        assert updated.id == post["activity_id"]
        assert "actions" not in card(updated)
        if i + 1 < len(STAGES):
            assert sent[0].conversation.id == CHANNELS[STAGES[i + 1]]
    assert sent[-1].conversation.id == "a:1personalChatWithAlex"  # the latest reference
    assert sent[-1].text == "Your request was approved."


async def test_a_rejection_needs_a_reason(harness: Harness):
    await harness.open_personal_chat(REQUESTER)
    await harness.open_personal_chat(APPROVERS["line_manager"].user_id)
    await submitted(harness)
    approval = harness.adapter.activity_buffer[-1]
    reject = next(a for a in card(approval)["actions"] if a["type"] == "Action.ShowCard")
    reason_input = reject["card"]["body"][0]
    assert reason_input["id"] == "reason" and reason_input["isRequired"] is True

    lm = APPROVERS["line_manager"].user_id
    value = {"action": Action.REJECT.value, "value": "R1:line_manager", "reason": "  "}
    sent = await harness.click(value, lm, channel=CHANNELS["line_manager"])
    # the private reply goes to the approver's personal chat, not the channel thread
    assert [a.conversation.id for a in sent] == [f"a:chat-{lm}"]
    assert sent[0].text == "Please give a reason."
    assert harness.adapter.updated_activities == []

    value["reason"] = "Use the school's page instead"
    sent = await harness.click(value, lm, channel=CHANNELS["line_manager"])
    assert harness.core.handled[-1].text == "Use the school's page instead"
    assert len(harness.adapter.updated_activities) == 1
    assert sent[-1].conversation.id == "a:1personalChatWithAlex"  # the latest reference


async def test_an_unauthorised_click_is_answered_privately_in_thread(harness: Harness):
    await submitted(harness)
    approve = {"action": Action.APPROVE.value, "value": "R1:line_manager"}
    sent = await harness.click(approve, "aad-somebody-else", channel=CHANNELS["line_manager"])
    # no personal chat with the clicker is known: the reply stays in the thread
    assert [a.conversation.id for a in sent] == [f"{CHANNELS['line_manager']};messageid=9"]
    assert "not an approver" in sent[0].text
    assert harness.adapter.updated_activities == []


async def test_without_authentication_approvals_never_reach_the_core(scripted_core, payload):
    h = Harness(scripted_core, payload, authenticated=False)
    await submitted(h)
    handled = len(scripted_core.handled)
    lm = APPROVERS["line_manager"].user_id
    approve = {"action": Action.APPROVE.value, "value": "R1:line_manager"}
    sent = await h.click(approve, lm, channel=CHANNELS["line_manager"])
    assert len(scripted_core.handled) == handled
    assert "register" in sent[0].text


async def test_a_redelivered_activity_is_not_handled_twice(harness: Harness):
    first = await harness.say("what about TikTok?", id="same-id")
    again = await harness.say("what about TikTok?", id="same-id")
    assert len(first) == 1 and again == []
    assert len(harness.core.handled) == 1


async def test_user_markdown_is_escaped(harness: Harness):
    sent = await harness.say("what's the **password** <b>policy</b>?")
    assert harness.core.handled[0].text == "what's the **password** policy ?"
    assert sent[0].text == "The policy does not cover that. Ask the Data Protection Officer."


async def test_direct_message_without_personal_chat_is_logged(harness: Harness, caplog):
    await submitted(harness)
    del harness.core.store[("teams_conversation", f"user:tenant-0001:{REQUESTER}")]  # removed
    for stage in STAGES:
        approve = {"action": Action.APPROVE.value, "value": f"R1:{stage}"}
        await harness.click(approve, APPROVERS[stage].user_id, channel=CHANNELS[stage])
    assert "no personal chat with teams:aad-requester-0001" in caplog.text
