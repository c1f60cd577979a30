"""Who a Slack request is from: our workspace only, and typed mention syntax is only text."""

from __future__ import annotations

import asyncio
import copy

from slack_helpers import event_payload, payload

from assistant.adapters.slack.fake_api import FakeSlackApi
from assistant.adapters.slack.translate import message_incoming
from assistant.form.parsing import parse_people

OTHER_TEAM = "T0OTHER"


async def _settle(fake_slack: FakeSlackApi) -> None:
    """Give the server time to act on what it acknowledged (it acks before the work)."""
    for _ in range(25):
        await asyncio.sleep(0.02)


async def test_a_slack_connect_user_from_another_workspace_is_ignored(
    slack, fake_slack: FakeSlackApi, scripted_core
) -> None:
    dm = event_payload("message_im", "EvOther1", team=OTHER_TEAM, user_team=OTHER_TEAM)
    mention = event_payload(
        "app_mention", "EvOther2", text="<@UBOT> can I post photos?", user_team=OTHER_TEAM
    )
    assert (await slack.event(dm))[0] == 200
    assert (await slack.event(mention))[0] == 200
    click = payload("block_actions_approval")
    click["user"] = {**click["user"], "team_id": OTHER_TEAM}
    assert (await slack.interaction(click))[0] == 200
    await _settle(fake_slack)
    assert scripted_core.incoming == []
    assert not fake_slack.called("chat.postMessage") and not fake_slack.called("views.open")
    # The same message from our own workspace is answered: the refusal was the workspace's.
    assert (await slack.event(event_payload("message_im", "EvOurs1")))[0] == 200
    await fake_slack.wait_for("chat.postMessage")
    assert len(scripted_core.incoming) == 1


async def test_a_reason_from_another_workspace_decides_nothing(
    slack, fake_slack: FakeSlackApi, scripted_core
) -> None:
    submitted = copy.deepcopy(payload("view_submission_reason"))
    submitted["user"] = {**submitted["user"], "team_id": OTHER_TEAM}
    assert (await slack.interaction(submitted))[0] == 200
    await _settle(fake_slack)
    assert scripted_core.incoming == []


def test_typed_mention_syntax_is_not_a_mention() -> None:
    # Slack escapes what a person types: "<@UEVE|Linda Lee>" typed arrives as entities.
    event = {
        "type": "message",
        "user": "UEVE",
        "channel_type": "im",
        "text": "&lt;@UEVE|Linda Lee&gt; and <@ULINE1>",
    }
    incoming = message_incoming(event, bot_user_id="UBOT", names={"ULINE1": "Lee Line"})
    assert [str(m) for m in incoming.mentions] == ["slack:ULINE1"]
    people = parse_people(incoming.text, incoming.mentions)
    assert {"name": "Lee Line", "identity": "slack:ULINE1"} in people
    assert not [p for p in people if p["identity"] == "slack:UEVE"]
    assert {"name": "Linda Lee", "identity": None} in people
