"""Conversations with the form: start to submit, validation, commands, buttons, resume."""

from __future__ import annotations

from datetime import date

import pytest
from form_helpers import FULL_ANSWERS, TODAY, Conversation, pressed, said

from assistant.form import (
    EventKind,
    FormState,
    Step,
    current_question,
    start_form,
    step,
    summary_rows,
)
from assistant.messages import Action, Kind
from assistant.texts import form as texts


def test_opening_names_the_clauses_that_require_the_form():
    state, messages = start_form(today=TODAY)
    opening, first = messages
    assert [c.clause_id for c in opening.citations] == ["8.1", "A.3.2", "A.3.6"]
    for clause in ("8.1", "A.3.2", "A.3.6"):
        assert clause in opening.text
    assert state.step is Step.DEPARTMENT
    assert first.kind is Kind.QUESTION and first.field == "department" and first.context


def test_full_conversation_from_start_to_submit():
    chat = Conversation()
    asked = []
    while chat.state.step is not Step.REVIEW:
        question = chat.messages[-1]
        assert question.kind is Kind.QUESTION and question.field == chat.state.step.value
        assert question.context, "every question has a hint"
        asked.append(question.field)
        chat.send(FULL_ANSWERS[question.field])
    assert asked == [k for k in FULL_ANSWERS]  # every branch, in Appendix B order
    review = chat.messages[-1]
    assert review.kind is Kind.REVIEW
    assert {b.action for b in review.buttons} >= {Action.FORM_SUBMIT, Action.FORM_EDIT}
    assert review.facts == tuple(summary_rows(chat.state.answers))
    result = chat.send(pressed(Action.FORM_SUBMIT))
    assert result.event is not None and result.event.kind is EventKind.SUBMITTED
    answers = result.event.answers
    assert answers["author"] == [{"name": "Lena Lowe", "identity": "slack:U0AUTHOR"}]
    assert answers["go_live"] == "2026-09-01" and answers["closure"] == "2027-07-31"
    assert answers["audience_age_range"] == {"low": 11, "high": 16}
    assert answers["host_name"] == "Facebook"
    assert result.state.step is Step.SUBMITTED
    after = chat.send("hello")
    assert after.event is None and "already submitted" in chat.text


def test_questions_offer_choices_and_people_pickers():
    chat = Conversation()
    chat.answer_until("line_manager")
    assert chat.messages[-1].people is True
    chat.answer_until("audience")
    audience = chat.messages[-1].choices
    assert audience is not None and audience.multiple and len(audience.options) == 7
    assert audience.action is Action.FORM_CHOICES
    chat.answer_until("administrators")
    assert chat.messages[-1].people is True
    chat.answer_until("moderators")
    assert chat.messages[-1].people is True
    chat.answer_until("host")
    host = chat.messages[-1].choices
    assert (
        host is not None
        and not host.multiple
        and [o.value for o in host.options]
        == [
            "school",
            "third_party",
        ]
    )


def test_summary_rows_follow_appendix_b_wording_and_order():
    chat = Conversation()
    chat.answer_until("review")
    labels = [label for label, _ in summary_rows(chat.state.answers)]
    assert labels == list(texts.LABELS.values())
    rows = dict(summary_rows(chat.state.answers))
    assert rows["Names of moderators"] == "Carol Cole, Dan Dale"
    assert rows["Who will host the site?"] == "Third party: Facebook"
    assert "ages 11-16" in rows["Proposed audience of the site"]
    assert "Hillside Academy" in rows["Proposed audience of the site"]


# ---- validation rules, each with its clause ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "answer", "clause", "says"),
    [
        ("administrators", "Alice Adams", "A.5.4", "at least two"),
        ("administrators", "Alice, alice, ALICE", "A.5.4", "at least two"),
        ("moderators", "Carol Cole", "A.5.4", "at least two"),
        ("closure", "1/9/2026", "A.1.6", "exit strategy"),
        ("closure", "1/1/2026", "A.1.6", "after the go-live date"),
        ("go_live", "1/1/2026", "A.3.6", "in the past"),
    ],
)
def test_rules_quote_their_clause(field, answer, clause, says):
    chat = Conversation()
    chat.answer_until(field)
    chat.send(answer)
    error = chat.messages[0]
    assert error.kind is Kind.ERROR and says in error.text
    assert clause in error.text and clause in error.context
    assert chat.state.step.value == field and field not in chat.state.answers


@pytest.mark.parametrize(
    ("field", "answer", "says"),
    [
        ("department", "   ", "required"),
        ("aims", "\x00\x01", "required"),
        ("aims", "x" * 2001, "2000 characters"),
        ("line_manager", "Sam Smith, Pat Price", "just one line manager"),
        ("author", "", "Please give a name"),
        ("audience", "dragons", "didn't recognise"),
        ("audience_age_range", "20-30", "between 3 and 19"),
        ("go_live", "31/02/2027", "not a real date"),
        ("go_live", "1/1/2099", "years away"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(field, answer, says):
    chat = Conversation()
    chat.answer_until(field)
    chat.send(answer)
    assert chat.messages[0].kind is Kind.ERROR and says in chat.messages[0].text
    assert chat.messages[-1].field == field  # the question is asked again


def test_go_live_today_is_allowed():
    chat = Conversation()
    chat.answer_until("go_live")
    chat.send(TODAY.strftime("%d/%m/%Y"))
    assert chat.state.answers["go_live"] == TODAY.isoformat()


def test_third_party_host_name_is_required():
    chat = Conversation()
    chat.answer_until("host")
    chat.send(pressed(Action.FORM_CHOOSE, "third_party"))
    assert chat.state.step is Step.HOST_NAME
    chat.send("skip")
    assert chat.messages[0].kind is Kind.ERROR and chat.state.step is Step.HOST_NAME
    chat.send("")
    assert "required" in chat.messages[0].text


def test_a_school_host_asks_no_host_name():
    chat = Conversation()
    chat.answer_until("host")
    chat.send(pressed(Action.FORM_CHOOSE, "school"))
    assert chat.state.step is Step.GO_LIVE


def test_control_characters_are_stripped_from_answers():
    chat = Conversation()
    chat.send("PE\x00 depart\x07ment")
    assert chat.state.answers["department"] == "PE department"


# ---- warnings ----------------------------------------------------------------------------


def test_warnings_are_shown_once_when_triggered():
    chat = Conversation()
    chat.answer_until("contributors")
    chat.send("pupils, staff")
    assert sum("A.5.2" in m.text for m in chat.messages) == 1
    chat.answer_until("host")
    chat.send("facebook")
    assert any("A.2.5" in m.text for m in chat.messages)
    assert chat.state.step is Step.GO_LIVE  # warnings do not block
    chat.send("edit host")
    chat.send("instagram")
    assert not any("A.2.5" in m.text for m in chat.messages)
    assert chat.state.warnings_shown == ("A.5.2", "A.2.5")


def test_no_age_warning_for_pupils_over_13_or_school_host():
    chat = Conversation()
    chat.answer_until("audience_age_range")
    chat.send("14-18")
    chat.answer_until("host")
    chat.send("facebook")
    assert not any("A.2.5" in m.text for m in chat.messages)


# ---- commands ----------------------------------------------------------------------------


def test_back_returns_to_the_previous_question_keeping_answers():
    chat = Conversation()
    chat.answer_until("aims")
    chat.send("back")
    assert chat.state.step is Step.LINE_MANAGER
    assert "Current answer: Sam Smith" in chat.messages[-1].text
    chat.send(pressed(Action.FORM_BACK))
    assert chat.state.step is Step.AUTHOR
    assert chat.state.answers["line_manager"] == [{"name": "Sam Smith", "identity": None}]
    chat.send("Pat Price")
    assert chat.state.step is Step.AIMS  # the next unanswered question


def test_back_at_the_first_question_says_so():
    chat = Conversation()
    chat.send("back")
    assert chat.state.step is Step.DEPARTMENT and "first question" in chat.messages[0].text


def test_back_from_review_goes_to_the_last_question():
    chat = Conversation()
    chat.answer_until("review")
    chat.send("back")
    assert chat.state.step is Step.SECURITY


def test_skip_optional_and_required_fields():
    chat = Conversation()
    chat.send("skip")
    assert chat.messages[0].kind is Kind.ERROR and "cannot be skipped" in chat.messages[0].text
    chat.answer_until("contributors")
    chat.send("staff")  # no external contributors: vetting and advertising are optional
    chat.answer_until("vetting")
    assert any(b.action is Action.FORM_SKIP for b in chat.messages[-1].buttons)
    chat.send(pressed(Action.FORM_SKIP))
    assert chat.state.step is Step.HOST and chat.state.answers["vetting"] == ""


def test_vetting_cannot_be_skipped_with_external_contributors():
    chat = Conversation()
    chat.answer_until("vetting")
    assert not any(b.action is Action.FORM_SKIP for b in chat.messages[-1].buttons)
    chat.send("skip")
    assert "A.2.6" in chat.messages[0].text and chat.state.step is Step.VETTING


def test_edit_from_review_returns_to_review():
    chat = Conversation()
    chat.answer_until("review")
    chat.send("edit moderators")
    assert chat.state.step is Step.MODERATORS and chat.state.editing
    chat.send("Eve Evans, Fay Ford")
    assert chat.state.step is Step.REVIEW and not chat.state.editing
    assert dict(chat.messages[-1].facts)["Names of moderators"] == "Eve Evans, Fay Ford"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ("edit the closure date", "closure"),
        ("change admins", "administrators"),
        ("edit line manager", "line_manager"),
        ("edit go-live date", "go_live"),
        ("edit host_name", "host_name"),
    ],
)
def test_edit_by_friendly_name(command, field):
    chat = Conversation()
    chat.answer_until("review")
    chat.send(command)
    assert chat.state.step.value == field


def test_edit_button_with_and_without_a_field():
    chat = Conversation()
    chat.answer_until("review")
    chat.send(pressed(Action.FORM_EDIT))
    menu = chat.messages[0]
    assert {b.value for b in menu.buttons} >= {"department", "moderators", "security"}
    chat.send(pressed(Action.FORM_EDIT, "department"))
    assert chat.state.step is Step.DEPARTMENT
    chat.send(pressed(Action.FORM_BACK))
    assert chat.state.step is Step.REVIEW


def test_edit_unknown_not_yet_and_not_applicable():
    chat = Conversation()
    chat.answer_until("aims")
    chat.send("edit flux capacitor")
    assert "flux capacitor" in chat.messages[0].text and chat.state.step is Step.AIMS
    chat.send("edit moderators")
    assert "haven't reached" in chat.messages[0].text
    chat.answer_until("administrators")
    chat.send("edit consent")
    assert chat.state.step is Step.ADMINISTRATORS


def test_editing_audience_asks_new_follow_ups_then_returns_to_review():
    chat = Conversation()
    chat.answer_until("audience")
    chat.send("staff")
    chat.answer_until("review")
    assert "audience_age_range" not in chat.state.answers
    chat.send("edit audience")
    chat.send(pressed(Action.FORM_CHOICES, "audience", values=("pupils", "staff")))
    assert chat.state.step is Step.AUDIENCE_AGE_RANGE
    chat.send("Year 7-8")
    assert chat.state.step is Step.REVIEW


def test_unticking_drops_follow_up_answers():
    chat = Conversation()
    chat.answer_until("review")
    chat.send("edit contributors")
    chat.send("staff")
    assert "contributors_age_range" not in chat.state.answers
    assert "consent" not in chat.state.answers
    assert chat.state.step is Step.REVIEW
    assert dict(summary_rows(chat.state.answers))[texts.LABELS["consent"]] == texts.NOT_APPLICABLE


def test_moving_go_live_past_closure_asks_closure_again():
    chat = Conversation()
    chat.answer_until("review")
    chat.send("edit go live")
    chat.send("1/9/2027")
    assert "closure" not in chat.state.answers and chat.state.step is Step.CLOSURE
    chat.send("1/9/2028")
    assert chat.state.step is Step.REVIEW


@pytest.mark.parametrize("cancel", [said("cancel"), said("Stop"), pressed(Action.FORM_CANCEL)])
def test_cancel_discards_the_draft(cancel):
    chat = Conversation()
    chat.answer_until("aims")
    result = chat.send(cancel)
    assert result.event is not None and result.event.kind is EventKind.CANCELLED
    assert result.state.step is Step.CANCELLED and result.state.answers == {}
    assert len(result.messages) == 1 and result.messages[0].kind is not Kind.QUESTION


@pytest.mark.parametrize("words", ["help", "?", "HELP!"])
def test_help_repeats_the_question(words):
    chat = Conversation()
    chat.answer_until("aims")
    chat.send(words)
    assert chat.messages[-1].field == "aims" and chat.messages[-1].context
    assert chat.state.step is Step.AIMS and "aims" not in chat.state.answers


def test_submit_only_from_review():
    chat = Conversation()
    result = chat.send("submit")
    assert result.event is None and chat.state.step is Step.DEPARTMENT
    chat.answer_until("review")
    chat.send("tell me more")
    assert chat.state.step is Step.REVIEW and chat.messages[-1].kind is Kind.REVIEW
    result = chat.send("submit")
    assert result.event is not None and result.event.kind is EventKind.SUBMITTED


def test_submit_of_a_stale_draft_asks_for_a_new_go_live_date():
    chat = Conversation()
    chat.answer_until("review")
    later = step(chat.state, pressed(Action.FORM_SUBMIT), today=date(2026, 10, 1))
    assert later.event is None and later.state.step is Step.GO_LIVE
    assert "A.3.6" in later.messages[0].text


def test_choice_buttons_on_a_text_question_are_not_taken_as_answers():
    chat = Conversation()
    chat.send(pressed(Action.FORM_CHOOSE, "school"))
    assert chat.state.step is Step.DEPARTMENT and "department" not in chat.state.answers


def test_a_next_press_names_its_question_and_its_ticks_are_the_answer():
    chat = Conversation()
    chat.answer_until("audience")
    chat.send(pressed(Action.FORM_CHOICES, "staff,public"))  # no field: not this question's
    assert "audience" not in chat.state.answers
    chat.send(pressed(Action.FORM_CHOICES, "audience", values=("staff", "public")))
    assert chat.state.answers["audience"] == ["staff", "public"]


def test_mentions_fill_people_fields():
    from assistant.messages import Identity, Incoming

    chat = Conversation()
    chat.answer_until("administrators")
    a, b = Identity("slack", "UA"), Identity("slack", "UB")
    chat.send(Incoming(user=a, text="<@UA> <@UB>", mentions=(a, b)))
    assert [p["identity"] for p in chat.state.answers["administrators"]] == ["slack:UA", "slack:UB"]


# ---- persistence -------------------------------------------------------------------------


def test_resume_from_json_asks_the_same_question():
    chat = Conversation()
    chat.answer_until("host")
    stored = chat.state.to_json()
    resumed = FormState.from_json(stored)
    assert resumed == chat.state
    assert current_question(resumed) == chat.messages[-1]


def test_old_drafts_with_unknown_keys_still_load():
    chat = Conversation()
    chat.answer_until("aims")
    import json

    data = json.loads(chat.state.to_json())
    data["colour"] = "blue"
    data["answers"]["favourite_pet"] = "cat"
    data["history"].append("retired_step")
    data["warnings_shown"].append("Z.9")
    loaded = FormState.from_json(json.dumps(data))
    assert loaded == chat.state


def test_a_draft_at_an_unknown_step_resumes_at_the_first_unanswered_question():
    loaded = FormState.from_json('{"step": "gone", "answers": {"department": "PE"}}')
    assert loaded.step is Step.AUTHOR


def test_unreadable_drafts_raise_input_error():
    from assistant.errors import InputError

    for bad in ("not json", "[1, 2]"):
        with pytest.raises(InputError):
            FormState.from_json(bad)
