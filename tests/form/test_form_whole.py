"""The whole form at once: the conversation's rules, one error per field, then the review."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.form import (
    FieldKind,
    FormState,
    Step,
    check_whole,
    errors_message,
    review_whole,
    start_form,
    whole_fields,
)
from assistant.messages import Action, FieldInput, Identity, Incoming, Kind, PostToChannel, Reply
from assistant.texts import form as texts
from tests.form.form_helpers import FULL_ANSWERS, ME, TODAY, Conversation, pressed

ADA, BEN = Identity("slack", "UADA"), Identity("slack", "UBEN")


def typed(**changes: str | FieldInput) -> dict[str, FieldInput]:
    """Every field as typed in FULL_ANSWERS, with some changed (a string is typed text)."""
    fields = {key: FieldInput(text=value) for key, value in FULL_ANSWERS.items()}
    for key, value in changes.items():
        fields[key] = value if isinstance(value, FieldInput) else FieldInput(text=value)
    return fields


def check(fields: dict[str, FieldInput], today: date = TODAY):
    return check_whole(fields, me=ME, my_name="Lena Lowe", today=today)


def test_a_valid_form_gives_the_answers_the_conversation_stores():
    chat = Conversation()
    chat.answer_until("review")
    checked = check(typed())
    assert checked.ok and checked.errors == {}
    assert checked.answers == dict(chat.state.answers)


def test_ticked_options_picked_people_and_iso_dates_as_a_dialog_sends_them():
    checked = check(
        typed(
            author=FieldInput(text="@Lena Lowe", mentions=(ME,)),
            audience=FieldInput(values=("staff", "families")),
            contributors=FieldInput(values=("staff",)),
            administrators=FieldInput(text="@Ada, @Ben", mentions=(ADA, BEN)),
            moderators=FieldInput(text="@Ada, Carol Cole", mentions=(ADA,)),
            host=FieldInput(values=("school",)),
            go_live=FieldInput(text="2026-09-01"),
            closure=FieldInput(text="2027-07-31"),
            vetting="",
            advertising="",
        )
    )
    assert checked.errors == {}
    answers = checked.answers
    assert answers["author"] == [{"name": "Lena Lowe", "identity": "slack:U0AUTHOR"}]
    assert answers["audience"] == ["staff", "families"]
    assert answers["administrators"] == [
        {"name": "Ada", "identity": "slack:UADA"},
        {"name": "Ben", "identity": "slack:UBEN"},
    ]
    assert answers["moderators"][1] == {"name": "Carol Cole", "identity": None}
    assert answers["host"] == "school" and "host_name" not in answers
    # Follow-ups of options not ticked are ignored, whatever was typed into them.
    for key in ("audience_age_range", "audience_schools", "contributors_others", "consent"):
        assert key not in answers
    # Optional when no external contributors: left blank as "skip" leaves them.
    assert answers["vetting"] == "" and answers["advertising"] == ""
    assert (answers["go_live"], answers["closure"]) == ("2026-09-01", "2027-07-31")


@pytest.mark.parametrize(
    ("changes", "key", "expected"),
    [
        ({"administrators": "Alice Adams"}, "administrators", "Policy A.5.4"),
        ({"moderators": "Carol and carol"}, "moderators", "at least two different moderators"),
        ({"line_manager": "Sam Smith, Sue Senior"}, "line_manager", "just one line manager"),
        ({"author": ""}, "author", texts.PEOPLE_NONE),
        ({"department": "  "}, "department", texts.EMPTY),
        ({"go_live": "13/13/2026"}, "go_live", "day first"),
        ({"go_live": "31/2/2027"}, "go_live", "not a real date"),
        ({"go_live": "1/3/2026"}, "go_live", "Policy A.3.6"),
        ({"closure": "1/9/2026"}, "closure", "Policy A.1.6"),
        ({"closure": "1/9/2040"}, "closure", "years away"),
        ({"host_name": ""}, "host_name", texts.HOST_NAME_REQUIRED),
        ({"audience_age_range": "2-30"}, "audience_age_range", "between 3 and 19"),
        ({"contributors_age_range": "16-11"}, "contributors_age_range", "must not be above"),
        ({"audience_age_range": ""}, "audience_age_range", "please give their age range"),
        ({"audience_schools": ""}, "audience_schools", "please name the schools"),
        ({"contributors_others": ""}, "contributors_others", "please say who they are"),
        ({"vetting": ""}, "vetting", "A.2.6"),
        ({"advertising": ""}, "advertising", "A.5.8"),
        ({"consent": ""}, "consent", "consent"),
        ({"audience": "martians"}, "audience", "didn't recognise"),
        ({"host": ""}, "host", "Please choose one option"),
        ({"security": "x" * 2001}, "security", "under 2000 characters"),
    ],
)
def test_each_rule_refuses_its_field_only(changes, key, expected):
    checked = check(typed(**changes))
    assert not checked.ok and checked.answers == {}
    assert list(checked.errors) == [key]
    assert expected in checked.errors[key]


def test_the_same_rule_refuses_the_same_answer_in_the_conversation():
    chat = Conversation()
    chat.answer_until("administrators")
    chat.send("Alice Adams")
    conversation_error = chat.messages[0]
    checked = check(typed(administrators="Alice Adams"))
    assert conversation_error.kind is Kind.ERROR
    assert checked.errors["administrators"] == conversation_error.text


def test_a_clause_not_quoted_in_the_sentence_is_added():
    checked = check(typed(vetting="", consent=""))
    assert checked.errors["vetting"].startswith('"vetting" is required here')
    assert checked.errors["vetting"].count("A.2.6") == 1  # quoted already: not added again
    assert "Policy clause" not in checked.errors["consent"]  # the consent rule cites no clause


def test_every_error_at_once_in_form_order():
    checked = check(typed(department="", administrators="Ada", go_live="yesterday", host_name=""))
    assert list(checked.errors) == ["department", "administrators", "host_name", "go_live"]


def test_the_date_rules_follow_today():
    assert check(typed(go_live="1/9/2026"), today=date(2026, 9, 1)).ok
    assert "go_live" in check(typed(go_live="1/9/2026"), today=date(2026, 9, 2)).errors


def test_follow_ups_of_a_refused_parent_are_not_judged():
    checked = check(typed(audience="martians", audience_age_range="nonsense"))
    assert list(checked.errors) == ["audience"]


def test_a_host_named_in_the_host_answer_needs_no_host_name():
    checked = check(typed(host="Instagram", host_name=""))
    assert checked.answers["host"] == "third_party"
    assert checked.answers["host_name"] == "Instagram"


def test_review_whole_is_the_conversations_review_with_its_warnings():
    answers = check(typed(audience_age_range="5-11")).answers
    state, messages = review_whole(answers)
    *notes, review = messages
    assert state.step is Step.REVIEW and FormState.from_json(state.to_json()) == state
    assert set(state.warnings_shown) == {"A.2.5", "A.5.2"}
    assert [n.text for n in notes] == [texts.WARNINGS["A.2.5"], texts.WARNINGS["A.5.2"]]
    assert review.kind is Kind.REVIEW
    assert {b.action for b in review.buttons} >= {Action.FORM_SUBMIT, Action.FORM_EDIT}
    # Submit from here is the conversation's submit.
    chat = Conversation()
    chat.state = state
    result = chat.send(pressed(Action.FORM_SUBMIT))
    assert result.event is not None and dict(result.event.answers) == answers


def test_errors_message_carries_each_field_error():
    message = errors_message({"department": "empty", "go_live": "past"})
    assert message.kind is Kind.ERROR
    assert message.field_errors == (("department", "empty"), ("go_live", "past"))
    assert message.facts == (("Department", "empty"), ("Go-live date", "past"))
    assert "2" in message.text


def test_whole_fields_describe_every_field_in_order():
    fields = whole_fields()
    assert [f.key for f in fields] == [s.value for s in Step if s.is_field]
    by_key = {f.key: f for f in fields}
    assert [o.value for o in by_key["audience"].options] == list(texts.PARTY_OPTIONS)
    assert by_key["host"].kind is FieldKind.HOST and len(by_key["host"].options) == 2
    assert by_key["administrators"].kind is FieldKind.PEOPLE
    assert not by_key["department"].optional and by_key["consent"].optional
    assert by_key["vetting"].optional and by_key["aims"].multiline
    assert by_key["host_name"].hint.startswith(texts.WHOLE_FORM_WHEN["host_name"])


def test_the_opening_offers_the_whole_form():
    _, (opening, _) = start_form(today=TODAY)
    [button] = opening.buttons
    assert (button.label, button.action) == (texts.BUTTON_WHOLE_FORM, Action.FORM_WHOLE_OPEN)


# ---- through the router ---------------------------------------------------------------------


@pytest.fixture
def core(tmp_path):
    from assistant.app import build_core
    from assistant.policy.embedder import HashingEmbedder
    from tests.core.conftest import core_settings

    settings = core_settings(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "index")
    built = build_core(settings, embedder=HashingEmbedder())
    built.today = lambda: TODAY
    return built


TEACHER = Identity("console", "lena")  # the teacher of tests/core's settings


def whole(fields: dict[str, FieldInput]) -> Incoming:
    pairs = tuple(fields.items())
    return Incoming(user=TEACHER, action=Action.FORM_WHOLE, fields=pairs, display_name="Lena Lowe")


def test_the_router_refuses_with_field_errors_and_saves_nothing(core):
    [reply] = core.handle(whole(typed(administrators="Ada")))
    assert isinstance(reply, Reply) and reply.message.kind is Kind.ERROR
    assert [key for key, _ in reply.message.field_errors] == ["administrators"]
    assert core.store.load_draft(TEACHER) is None


def test_the_router_saves_the_draft_at_review_and_submit_sends_it(core):
    effects = core.handle(whole(typed()))
    assert effects[-1].message.kind is Kind.REVIEW
    state = FormState.from_json(core.store.load_draft(TEACHER))
    assert state.step is Step.REVIEW
    submitted = core.handle(Incoming(user=TEACHER, action=Action.FORM_SUBMIT, display_name="Lena"))
    assert any(isinstance(e, PostToChannel) for e in submitted)
    [request] = core.approvals.list_requests()
    expected = check_whole(typed(), me=TEACHER, my_name="Lena Lowe", today=TODAY).answers
    assert request.answers == expected
    assert core.store.load_draft(TEACHER) is None


def test_without_a_dialog_the_button_carries_on_one_question_at_a_time(core):
    core.handle(Incoming(user=TEACHER, text="start the approval form"))
    for incoming in (
        Incoming(user=TEACHER, action=Action.FORM_WHOLE_OPEN),
        Incoming(user=TEACHER, text=texts.BUTTON_WHOLE_FORM.lower()),  # a console types the label
    ):
        notice, question = core.handle(incoming)
        assert notice.message.text == texts.WHOLE_FORM_NOT_HERE
        assert question.message.field == "department"
    assert "department" not in FormState.from_json(core.store.load_draft(TEACHER)).answers


def test_a_drafts_answers_fill_the_dialog_and_come_back_unchanged():
    chat = Conversation()
    chat.answer_until("review")
    stored = dict(chat.state.answers)
    # Mentioned people as a dialog's picker would give them, beside people named only.
    stored["administrators"] = [
        {"name": "Ada", "identity": "slack:UADA"},
        {"name": "Bob Brown", "identity": None},
    ]
    fields = {f.key: f for f in whole_fields(stored)}
    assert fields["department"].initial == FieldInput(text="PE department")
    assert fields["administrators"].initial == FieldInput(text="@Ada, Bob Brown", mentions=(ADA,))
    assert fields["audience"].initial.values == tuple(stored["audience"])
    assert fields["host"].initial == FieldInput(values=("third_party",))
    assert fields["go_live"].initial == FieldInput(text="2026-09-01")
    assert fields["audience_age_range"].initial == FieldInput(text="11-16")
    # Sent back untouched, the dialog's inputs give the same answers.
    checked = check({key: f.initial for key, f in fields.items()})
    assert checked.errors == {} and checked.answers == stored


def test_a_dialog_without_a_draft_starts_empty():
    assert all(f.initial == FieldInput() for f in whole_fields())
    assert all(f.initial == FieldInput() for f in whole_fields({"department": ""}))
