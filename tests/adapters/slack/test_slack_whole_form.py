"""The "Fill in the whole form" modal with the real core: errors under their fields, then the
review in the DM, and Submit reaches the line managers' channel."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_helpers import (
    APPROVAL_CHANNELS,
    click,
    event_payload,
    payload,
    real_core_server,
    to,
    wait_until,
)

from assistant.adapters.slack.whole_form import NAMES_SUFFIX, whole_form_modal
from assistant.form.whole import whole_fields
from assistant.messages import Identity
from assistant.texts import form as form_texts

STAFF = Identity("slack", "USTAFF1")
TODAY = date(2026, 3, 2)


def with_button(label: str):
    return lambda args: label in json.dumps(args.get("blocks", []))


def submission(modal: dict[str, Any], **changes: dict[str, Any]) -> dict[str, Any]:
    """The documented view_submission of the whole form, as the opened modal, with some
    blocks' element state replaced."""
    data = payload("view_submission_whole_form")
    data["view"]["blocks"] = modal["blocks"]
    values = data["view"]["state"]["values"]
    for block_id, element in changes.items():
        values[block_id] = {"input": element}
    return data


async def test_whole_form_modal_errors_then_review_then_submit(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url, today=lambda: TODAY) as (core, slack):
        started = event_payload(
            "message_im", "EvWhole1", text="I want to set up a Facebook page for PE"
        )
        assert (await slack.event(started))[0] == 200
        button = form_texts.BUTTON_WHOLE_FORM
        [opening] = await fake_slack.wait_for("chat.postMessage", with_button(button))
        draft_before = core.store.load_draft(STAFF)
        assert json.loads(draft_before or "{}")["step"] == "department"

        pressed = click(opening, button, user="USTAFF1")
        await slack.interaction(pressed)
        [opened] = await fake_slack.wait_for("views.open")
        assert opened.args["trigger_id"] == pressed["trigger_id"]
        modal = opened.args["view"]
        inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
        assert len(modal["blocks"]) <= 100
        assert set(submission(modal)["view"]["state"]["values"]) == set(inputs)
        assert len(inputs["audience"]["element"]["options"]) == 7
        assert inputs["administrators"]["element"]["type"] == "multi_users_select"
        assert inputs["administrators" + NAMES_SUFFIX]["optional"] is True
        assert inputs["author"]["element"]["initial_user"] == "USTAFF1"
        assert inputs["consent"]["optional"] and not inputs["security"]["optional"]
        assert all(b["hint"]["text"] for b in inputs.values())

        # One administrator, a past go-live date and no name for the third-party host.
        wrong = submission(
            modal,
            administrators={"type": "multi_users_select", "selected_users": ["UADMIN1"]},
            go_live={"type": "datepicker", "selected_date": "2026-01-05"},
            host_name={"type": "plain_text_input", "value": None},
        )
        status, text = await slack.interaction(wrong)
        assert status == 200
        answer = json.loads(text)
        assert answer["response_action"] == "errors"
        errors = answer["errors"]
        assert list(errors) == ["administrators", "host_name", "go_live"]
        assert "A.5.4" in errors["administrators"] and "A.3.6" in errors["go_live"]
        assert errors["host_name"] == form_texts.HOST_NAME_REQUIRED
        assert core.store.load_draft(STAFF) == draft_before  # nothing saved
        assert not core.approvals.list_requests()
        assert not fake_slack.called("chat.postMessage", with_button(form_texts.BUTTON_SUBMIT))

        status, text = await slack.interaction(submission(modal))
        assert (status, text) == (200, "")  # the modal closes
        [review] = await fake_slack.wait_for(
            "chat.postMessage", with_button(form_texts.BUTTON_SUBMIT)
        )
        assert review.args["channel"] == "DUSTAFF1"  # the person's DM with the app
        shown = json.dumps(review.args["blocks"])
        for name in ("Sam Staff", "Lee Line", "Ada Admin", "Carol Cole", "Facebook"):
            assert name in shown
        await wait_until(
            lambda: json.loads(core.store.load_draft(STAFF) or "{}").get("step") == "review"
        )
        assert not core.approvals.list_requests()  # only Submit sends it

        await slack.interaction(click(review, form_texts.BUTTON_SUBMIT, user="USTAFF1"))
        [posted] = await fake_slack.wait_for(
            "chat.postMessage", to(APPROVAL_CHANNELS["line_manager"])
        )
        assert "Ada Admin" in json.dumps(posted.args["blocks"])

    [request] = core.approvals.list_requests()
    answers = request.answers
    assert answers["line_manager"] == [{"name": "Lee Line", "identity": "slack:ULINE1"}]
    assert answers["moderators"] == [
        {"name": "Ada Admin", "identity": "slack:UADMIN1"},
        {"name": "Carol Cole", "identity": None},
    ]
    assert (answers["go_live"], answers["closure"]) == ("2026-09-01", "2027-07-31")
    assert "vetting" in answers and answers["vetting"] == ""
    assert core.store.load_draft(STAFF) is None


def test_the_modal_holds_the_drafts_answers_in_every_kind_of_input():
    draft = {
        "department": "PE",
        "author": [{"name": "Sam Staff", "identity": "slack:USTAFF1"}],
        "line_manager": [{"name": "Lee Line", "identity": "teams:aad-lee"}],
        "audience": ["staff", "families"],
        "administrators": [
            {"name": "Ada Admin", "identity": "slack:UADMIN1"},
            {"name": "Bo Teams", "identity": "teams:aad-bo"},
            {"name": "Carol Cole", "identity": None},
        ],
        "host": "school",
        "go_live": "2026-09-01",
    }
    modal = whole_form_modal(fields=whole_fields(draft), user_id="USOMEONE")
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["department"]["initial_value"] == "PE"
    assert inputs["author"]["initial_user"] == "USTAFF1"  # the draft's, not the opener
    assert "initial_user" not in inputs["line_manager"]  # a Teams person cannot be picked here
    assert [o["value"] for o in inputs["audience"]["initial_options"]] == ["staff", "families"]
    assert inputs["audience"]["initial_options"][0] in inputs["audience"]["options"]
    assert inputs["administrators"]["initial_users"] == ["UADMIN1"]
    assert inputs["administrators" + NAMES_SUFFIX]["initial_value"] == "Bo Teams, Carol Cole"
    assert inputs["host"]["initial_option"]["value"] == "school"
    assert inputs["go_live"]["initial_date"] == "2026-09-01"
    assert "initial_date" not in inputs["closure"] and "initial_value" not in inputs["aims"]
    # Without a draft only the author is filled in: the person opening the form.
    empty = whole_form_modal(fields=whole_fields(), user_id="USOMEONE")
    first = {b["block_id"]: b["element"] for b in empty["blocks"] if b["type"] == "input"}
    assert first["author"]["initial_user"] == "USOMEONE"
    assert not [
        k for k, e in first.items() if any(n.startswith("initial") for n in e) and k != "author"
    ]


async def test_the_modal_opened_mid_form_shows_what_was_already_answered(fake_slack, tmp_path):
    async with real_core_server(tmp_path, fake_slack.url, today=lambda: TODAY) as (core, slack):
        started = event_payload("message_im", "EvPre1", text="I want to set up a page for PE")
        await slack.event(started)
        button = form_texts.BUTTON_WHOLE_FORM
        [opening] = await fake_slack.wait_for("chat.postMessage", with_button(button))
        await slack.event(event_payload("message_im", "EvPre2", text="PE and Sport"))
        await wait_until(
            lambda: json.loads(core.store.load_draft(STAFF) or "{}").get("step") == "author"
        )
        await slack.interaction(click(opening, button, user="USTAFF1"))
        [opened] = await fake_slack.wait_for("views.open")
        blocks = opened.args["view"]["blocks"]
        inputs = {b["block_id"]: b["element"] for b in blocks if b["type"] == "input"}
        assert inputs["department"]["initial_value"] == "PE and Sport"
