"""POST Bot Framework activities to /api/messages of a real server; a fake connector records replies."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from teams_fakes import card_of, card_text, wait_for
from teams_settings import CHANNELS, make_settings

from assistant.adapters.teams.cards import plain_text
from assistant.messages import Action, Identity


def at(activity: dict[str, Any], service_url: str, **changes: Any) -> dict[str, Any]:
    """The activity pointed at the fake connector."""
    return {**activity, "serviceUrl": service_url, **changes}


def clicker(aad: str) -> dict[str, str]:
    return {"id": f"29:{aad}", "name": f"Person {aad}", "aadObjectId": aad}


async def test_a_question_gets_a_card_with_quotes(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        status = await bot.post(at(payload("personal_message"), url))
        assert status == 200
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    reply = fake.sent("reply")[0]
    assert reply.conversation == "a:1personalChatWithAlex"
    assert reply.activity_id == "1712345678901"
    card = card_of(reply.body)
    assert card["version"] in ("1.4", "1.5")
    title = card["body"][1]["items"][0]
    assert plain_text(title) == "Clause 6.3 · Personal use of social media"
    assert title["inlines"][0]["weight"] == "Bolder"
    assert "Staff must not accept pupils as friends." in card_text(card)
    assert "reviewed 2024-09" in card_text(card)
    assert "\\" not in card_text(card)
    assert [a["data"] for a in card["actions"]] == [
        {"action": "feedback.helpful", "value": "A1"},
        {"action": "feedback.not_helpful", "value": "A1"},
    ]
    assert scripted_core.handled[0].text == "Can I use my personal Instagram to talk to pupils?"
    assert scripted_core.handled[0].direct is True
    # The trial keeps the chat under a trial identity that no real Entra user can have.
    assert scripted_core.handled[0].user == Identity("teams", "trial:aad-requester-0001")
    key = "user:trial:trial:aad-requester-0001"
    assert scripted_core.recall("teams_conversation", key) is not None
    assert scripted_core.recall("teams_conversation", "user:aad-requester-0001") is None


def submit(payload, url: str, activity_id: str, value: dict[str, Any], **changes: Any):
    return at(payload("card_submit"), url, id=activity_id, value=value, **changes)


async def test_the_form_as_a_guided_conversation(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        await bot.post(
            at(payload("personal_message"), url, id="m1", text="I want to fill the form")
        )
        await wait_for(lambda: len(fake.sent("reply")) == 1)
        question = card_of(fake.sent("reply")[0].body)
        assert [a["data"] for a in question["actions"]] == [
            {"action": "form.choose", "value": "facebook"},
            {"action": "form.choose", "value": "x"},
        ]

        await bot.post(submit(payload, url, "m2", {"action": "form.choose", "value": "facebook"}))
        await wait_for(lambda: len(fake.sent("reply")) == 2)
        multi = card_of(fake.sent("reply")[1].body)
        choice_set = next(e for e in multi["body"] if e["type"] == "Input.ChoiceSet")
        assert choice_set["isMultiSelect"] is True and choice_set["id"] == "choices"
        # Next names its question, so an old card's Next cannot answer a later one.
        assert multi["actions"][0]["data"] == {"action": "form.choices", "value": "audience"}

        # Teams sends a multi-select choice set's value as one comma-separated string
        ticked = {"action": "form.choices", "choices": "parents,pupils"}
        await bot.post(submit(payload, url, "m3", ticked))
        await wait_for(lambda: len(fake.sent("reply")) == 3)
        assert "@" in card_text(card_of(fake.sent("reply")[2].body))

        people = at(
            payload("personal_message"),
            url,
            id="m4",
            text="<at>Jo Deputy</at> and <at>Ray Bursar</at>",
            entities=[
                {
                    "type": "mention",
                    "text": "<at>Jo Deputy</at>",
                    "mentioned": {"id": "29:jo", "name": "Jo Deputy", "aadObjectId": "aad-jo"},
                },
                {
                    "type": "mention",
                    "text": "<at>Ray Bursar</at>",
                    "mentioned": {"id": "29:ray", "name": "Ray Bursar"},
                },
            ],
        )
        await bot.post(people)
        await wait_for(lambda: len(fake.sent("reply")) == 4)
        review = card_of(fake.sent("reply")[3].body)
        assert [a["data"]["action"] for a in review["actions"]] == ["form.submit", "form.edit"]
        assert review["body"][1]["type"] == "FactSet"

    assert scripted_core.handled[1].action is Action.FORM_CHOOSE
    assert scripted_core.handled[1].text == ""
    assert scripted_core.handled[2].values == ("parents", "pupils")
    # the second mention carries no aadObjectId: the bot looked it up on the connector
    assert [str(m) for m in scripted_core.handled[3].mentions] == [
        "teams:aad-jo",
        "teams:aad-29:ray",
    ]


async def test_a_channel_mention_is_answered_in_its_thread(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        unmentioned = at(payload("channel_mention"), url, id="c0", text="chatting", entities=[])
        await bot.post(unmentioned)
        await bot.post(at(payload("channel_mention"), url))
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    reply = fake.sent("reply")[0]
    assert reply.conversation == "19:staffroom0001@thread.tacv2;messageid=1712345679000"
    assert [i.text for i in scripted_core.handled] == [
        "may staff accept friend requests from parents?"
    ]
    assert scripted_core.handled[0].direct is False
    # The trial keeps no channel: it could otherwise stand in for an approvers' channel.
    assert scripted_core.recall("teams_conversation", "19:staffroom0001@thread.tacv2") is None


async def test_a_redelivered_activity_is_handled_once(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        assert await bot.post(at(payload("personal_message"), url)) == 200
        await wait_for(lambda: len(fake.sent("reply")) == 1)
        assert await bot.post(at(payload("personal_message"), url)) == 200
        await bot.post(at(payload("personal_message"), url, id="other", text="password rules?"))
        await wait_for(lambda: len(fake.sent("reply")) == 2)
    assert len(scripted_core.handled) == 2


async def test_connector_429_and_503_are_retried(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    fake.fail_next.extend([429, 503])
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        await bot.post(at(payload("personal_message"), url))
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    assert fake.failures == [429, 503]
    assert len(fake.sent("reply")) == 1


async def test_a_non_loopback_service_url_is_refused_without_auth(
    serve, scripted_core, connector, payload, tmp_path, caplog
):
    fake, url = connector
    caplog.set_level(logging.WARNING)
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        status = await bot.post(payload("personal_message"))  # serviceUrl smba.trafficmanager.net
        assert status == 403
        status = await bot.post(at(payload("personal_message"), "http://10.0.0.5:8080/", id="x2"))
        assert status == 403
    assert scripted_core.handled == []
    assert "loopback serviceUrl" in caplog.text
    assert "Instagram" not in caplog.text


async def test_approvals_are_refused_without_auth(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    forged = {"action": Action.APPROVE.value, "value": "R1:line_manager"}
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        await bot.post(submit(payload, url, "a1", forged, **{"from": clicker("aad-line_manager")}))
        await wait_for(lambda: len(fake.sent("reply")) == 1)
    assert scripted_core.handled == []
    assert "register" in fake.sent("reply")[0].body["text"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        # well formed, but issued by someone Bot Framework does not trust
        {
            "Authorization": "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZSIsImF1ZCI6ImFwcC1pZCJ9.c2ln"
        },
    ],
)
async def test_unauthenticated_requests_get_401_when_an_app_id_is_set(
    serve, scripted_core, connector, payload, tmp_path, headers
):
    fake, url = connector
    settings = make_settings(
        tmp_path, app_id="00000000-0000-0000-0000-000000000001", host="0.0.0.0"
    )
    async with serve(scripted_core, settings) as bot:
        assert await bot.post(at(payload("personal_message"), url), headers=headers) == 401
    assert scripted_core.handled == []
    assert scripted_core.store == {}
    assert fake.calls == []


async def test_the_route_is_off_without_app_id_on_a_public_host(
    serve, scripted_core, payload, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    async with serve(scripted_core, make_settings(tmp_path, host="0.0.0.0")) as bot:
        assert await bot.post(payload("personal_message")) in (404, 405)
    assert "MICROSOFT_APP_ID" in caplog.text


async def test_the_trial_warns_at_start_up(serve, scripted_core, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    async with serve(scripted_core, make_settings(tmp_path)):
        pass
    assert "authentication is OFF" in caplog.text


async def test_start_up_names_configured_channels_the_bot_is_not_in(
    serve, scripted_core, tmp_path, caplog
):
    caplog.set_level(logging.WARNING)
    scripted_core.remember("teams_conversation", CHANNELS["line_manager"], {"id": "known"})
    async with serve(scripted_core, make_settings(tmp_path)):
        pass
    assert CHANNELS["line_manager"] not in caplog.text
    for stage in ("senior_manager", "principal"):
        assert f"not been added to the {stage} channel {CHANNELS[stage]}" in caplog.text


@pytest.mark.parametrize(
    "value",
    [
        {"action": "form.submit"},
        {"action": "approval.withdraw", "value": "1"},
        {"action": "feedback.helpful", "value": "A1"},
        {"action": "feedback.not_helpful", "value": "A1"},
        {"action": "approval.approve", "value": "R1:line_manager"},
        {"action": "approval.reject", "value": "R1:line_manager", "reason": "No"},
    ],
)
async def test_the_trial_changes_nothing(serve, scripted_core, connector, payload, tmp_path, value):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        assert await bot.post(submit(payload, url, "t1", value)) == 200
        await wait_for(lambda: len(fake.sent("reply")) == 1)
        # typed words reach the core marked unverified, so "submit" at a review submits nothing
        assert await bot.post(at(payload("personal_message"), url, id="t2", text="submit")) == 200
        await wait_for(lambda: len(scripted_core.handled) == 1)
    assert "without sign-in" in fake.sent("reply")[0].body["text"]  # nothing here Markdown reads
    assert [(i.text, i.verified) for i in scripted_core.handled] == [("submit", False)]
    assert fake.sent("send") == []


@pytest.mark.parametrize(
    "headers",
    [{"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9;proto=https"}],
)
async def test_the_trial_refuses_requests_through_a_proxy(
    serve, scripted_core, connector, payload, tmp_path, headers
):
    fake, url = connector
    async with serve(scripted_core, make_settings(tmp_path)) as bot:
        assert await bot.post(at(payload("personal_message"), url), headers=headers) == 403
    assert scripted_core.handled == [] and scripted_core.store == {} and fake.calls == []


async def test_the_trial_refuses_another_machine(scripted_core, tmp_path):
    from unittest.mock import Mock

    from aiohttp.test_utils import make_mocked_request

    from assistant.adapters.teams.auth import AuthMode
    from assistant.adapters.teams.route import MessagesRoute

    route = MessagesRoute(adapter=Mock(), bot=Mock(), mode=AuthMode.LOOPBACK_TRIAL)
    transport = Mock()
    transport.get_extra_info.return_value = ("192.0.2.7", 50000)
    request = make_mocked_request("POST", "/api/messages", transport=transport)
    assert request.remote == "192.0.2.7"
    assert (await route.handle(request)).status == 403
    assert not route._adapter.method_calls and not route._bot.method_calls


async def test_without_an_app_id_or_the_trial_the_route_is_404(
    serve, scripted_core, connector, payload, tmp_path
):
    fake, url = connector
    # HOST is loopback, as by default: the trial must still be asked for.
    async with serve(scripted_core, make_settings(tmp_path, trial=False)) as bot:
        assert await bot.post(at(payload("personal_message"), url)) == 404
        assert await bot.post(submit(payload, url, "w1", {"action": "approval.withdraw"})) == 404
    assert scripted_core.handled == [] and scripted_core.store == {} and fake.calls == []
