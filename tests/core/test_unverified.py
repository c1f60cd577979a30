"""Someone nobody vouches for (the Teams trial) may ask and fill in, but changes nothing."""

from __future__ import annotations

from dataclasses import replace

from assistant.messages import Action, Incoming, Kind, PrivateReply, Reply
from tests.core.conftest import LINE_MANAGER, TEACHER
from tests.core.test_conversation import fill_form, of_type, press, say
from tests.form.form_helpers import FULL_ANSWERS


def _unverified(core, incoming: Incoming):
    return core.handle(replace(incoming, verified=False))


def test_an_unverified_person_cannot_submit_typed_or_pressed(make_core):
    core = make_core()
    effects = say(core, TEACHER, "I want to set up a Facebook page for the PE department")
    for _ in range(40):
        question = of_type(effects, Reply)[-1].message
        if question.kind is Kind.REVIEW:
            break
        effects = _unverified(core, Incoming(user=TEACHER, text=FULL_ANSWERS[question.field]))
    else:
        raise AssertionError("the form never reached its review")
    for attempt in (
        Incoming(user=TEACHER, text="submit"),
        Incoming(user=TEACHER, action=Action.FORM_SUBMIT),
    ):
        (refused,) = _unverified(core, attempt)
        assert (
            isinstance(refused, PrivateReply) and "can't prove who you are" in refused.message.text
        )
    assert core.approvals.list_requests() == []
    assert core.store.load_draft(TEACHER) is not None  # the form is kept at its review


def test_an_unverified_person_cannot_decide_withdraw_or_vote(make_core):
    core = make_core()
    effects = fill_form(core)
    request = core.approvals.list_requests()[0]
    value = f"{request.id}:line_manager"
    (answer,) = say(core, TEACHER, "what does 6.3 say?")
    vote = next(b.value for b in answer.message.buttons if b.action is Action.HELPFUL)
    for incoming in (
        Incoming(user=LINE_MANAGER, action=Action.APPROVE, value=value),
        Incoming(user=LINE_MANAGER, action=Action.REJECT, value=value, text="No"),
        Incoming(user=TEACHER, action=Action.WITHDRAW, value=str(request.id)),
        Incoming(user=TEACHER, action=Action.HELPFUL, value=vote),
        Incoming(user=TEACHER, action=Action.NOT_HELPFUL, value=vote),
    ):
        (refused,) = _unverified(core, incoming)
        assert isinstance(refused, PrivateReply), incoming
    assert core.approvals.get(request.id).status.value == "PENDING_LINE_MANAGER"
    assert core.approvals.decisions(request.id) == []
    assert core.store.feedback_counts().helpful == 0
    assert effects  # the verified submit itself went through
    # the same click, verified, decides
    assert press(core, LINE_MANAGER, Action.APPROVE, value)
    assert core.approvals.get(request.id).status.value == "PENDING_SENIOR_MANAGER"
