"""In a channel the core answers policy questions only: form steps, reviews, home and status
go to the person's direct messages, with a short pointer left in the channel."""

from __future__ import annotations

import json
from collections.abc import Sequence

from assistant.messages import Effect, Incoming, Kind, Reply, SendDirect
from assistant.texts import chat as texts
from tests.core.conftest import TEACHER
from tests.core.test_conversation import fill_form, of_type


def in_channel(core, text: str) -> list[Effect]:
    return core.handle(Incoming(user=TEACHER, text=text, direct=False))


def public(effects: Sequence[Effect]) -> list:
    return [e.message for e in of_type(effects, Reply)]


def dms(effects: Sequence[Effect]) -> list:
    return [e.message for e in of_type(effects, SendDirect) if e.user == TEACHER]


def test_status_in_a_channel_goes_to_a_direct_message(make_core):
    core = make_core()
    fill_form(core)
    effects = in_channel(core, "status")
    assert [m.text for m in public(effects)] == [texts.SENT_PRIVATELY]
    assert all(not m.facts and not m.buttons for m in public(effects))
    mine = dms(effects)
    assert mine[0].text == texts.MY_REQUESTS and mine[0].facts


def test_a_mention_while_a_draft_is_open_keeps_the_draft_out_of_the_channel(make_core):
    core = make_core()
    core.handle(Incoming(user=TEACHER, text="start the approval form"))
    core.handle(Incoming(user=TEACHER, text="PE department"))
    before = core.store.load_draft(TEACHER)
    effects = in_channel(core, "Lena Lowe")  # a form answer typed in a channel
    assert [m.text for m in public(effects)] == [texts.SENT_PRIVATELY]
    assert [m.kind for m in dms(effects)][-1] is Kind.QUESTION
    assert core.store.load_draft(TEACHER) == before  # the channel did not fill the form in
    shown = json.dumps([m.text for m in public(effects)])
    assert "PE department" not in shown


def test_a_policy_question_in_a_channel_is_answered_there_without_the_form(make_core):
    core = make_core()
    core.handle(Incoming(user=TEACHER, text="start the approval form"))
    effects = in_channel(core, "can I friend a former pupil on facebook?")
    assert [m.kind for m in public(effects)] == [Kind.ANSWER]
    assert not dms(effects)


def test_the_form_started_in_a_channel_runs_in_direct_messages(make_core):
    core = make_core()
    effects = in_channel(core, "start the approval form")
    assert [m.text for m in public(effects)] == [texts.SENT_PRIVATELY]
    assert dms(effects)[-1].field == "department"


def test_the_review_and_submission_in_a_channel_stay_private(make_core):
    core = make_core()
    effects = fill_form(core)  # in a DM
    assert of_type(effects, Reply)
    effects = in_channel(core, "help")
    assert [m.text for m in public(effects)] == [texts.HELP]  # about no one: stays public
