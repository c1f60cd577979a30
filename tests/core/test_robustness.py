"""Double submissions, stale choice buttons and forged feedback, through the real core
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading

from assistant.messages import Action, Incoming, Kind, PostToChannel, PrivateReply, Reply
from tests.core.conftest import BYSTANDER, TEACHER
from tests.core.test_conversation import of_type, press, say
from tests.form.form_helpers import FULL_ANSWERS


def fill_to_review(core) -> None:
    effects = say(core, TEACHER, "I want to set up a Facebook page for the PE department")
    for _ in range(40):
        question = of_type(effects, Reply)[-1].message
        if question.kind is Kind.REVIEW:
            return
        effects = say(core, TEACHER, FULL_ANSWERS[question.field])
    raise AssertionError("the form never reached its review")


def test_a_second_submit_click_is_told_already_submitted(make_core):
    core = make_core()
    fill_to_review(core)
    first = press(core, TEACHER, Action.FORM_SUBMIT, "")
    assert len(of_type(first, PostToChannel)) == 1
    second = press(core, TEACHER, Action.FORM_SUBMIT, "")
    assert "already submitted" in " ".join(e.message.text for e in second).lower()
    typed = say(core, TEACHER, "submit")
    assert "already submitted" in " ".join(e.message.text for e in typed).lower()
    assert len(core.store.find_requests()) == 1


def test_two_submits_at_once_make_one_request(make_core):
    core = make_core()
    fill_to_review(core)
    # Both read the draft before either stores the request: the race a double click makes.
    barrier = threading.Barrier(2)
    load = core.store.load_draft

    def load_together(identity):
        state = load(identity)
        barrier.wait(timeout=10)
        return state

    core.store.load_draft = load_together  # type: ignore[method-assign]
    results: list = []
    clicks = [
        threading.Thread(
            target=lambda: results.append(press(core, TEACHER, Action.FORM_SUBMIT, ""))
        ),
        threading.Thread(target=lambda: results.append(say(core, TEACHER, "submit"))),
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(timeout=30)
    core.store.load_draft = load  # type: ignore[method-assign]
    assert len(results) == 2
    assert len(core.store.find_requests()) == 1
    told = [" ".join(e.message.text for e in r).lower() for r in results]
    assert sum("already submitted" in t for t in told) == 1, told
    assert core.store.load_draft(TEACHER) is None


def test_a_stale_next_from_the_audience_question_does_not_fill_in_contributors(make_core):
    core = make_core()
    effects = say(core, TEACHER, "I want to set up a Facebook page for the PE department")
    for _ in range(40):
        question = of_type(effects, Reply)[-1].message
        if question.field == "audience":
            break
        effects = say(core, TEACHER, FULL_ANSWERS[question.field])
    audience = question
    assert audience.choices is not None and audience.choices.multiple
    # The Next button of the audience question, as Slack sends it back (value: its field).
    next_audience = Incoming(
        user=TEACHER, action=Action.FORM_CHOICES, value=audience.field, values=("staff",)
    )
    effects = core.handle(next_audience)
    for _ in range(40):
        question = of_type(effects, Reply)[-1].message
        if question.field == "contributors":
            break
        effects = say(core, TEACHER, FULL_ANSWERS[question.field])
    # The old audience message's Next pressed again, now that contributors is asked.
    stale = core.handle(
        Incoming(user=TEACHER, action=Action.FORM_CHOICES, value="audience", values=("pupils",))
    )
    texts = " ".join(e.message.text for e in stale)
    assert "another question" in texts
    assert "contributors" not in draft_answers(core)
    # The same press carrying no field (a forged or old card) is not trusted either.
    core.handle(Incoming(user=TEACHER, action=Action.FORM_CHOICES, values=("pupils",)))
    assert "contributors" not in draft_answers(core)
    # The contributors question's own Next is taken.
    core.handle(
        Incoming(user=TEACHER, action=Action.FORM_CHOICES, value="contributors", values=("staff",))
    )
    assert draft_answers(core)["contributors"] == ["staff"]


def draft_answers(core) -> dict:
    draft = core.store.load_draft(TEACHER)
    assert draft is not None
    return json.loads(draft)["answers"]


def test_only_the_asker_may_vote_on_an_answer(make_core):
    core = make_core()
    (reply,) = say(core, TEACHER, "what does 6.3 say?")
    helpful = next(b for b in reply.message.buttons if b.action is Action.HELPFUL)
    (refused,) = press(core, BYSTANDER, Action.NOT_HELPFUL, helpful.value)
    assert isinstance(refused, PrivateReply)
    assert "couldn't find" in refused.message.text
    assert core.store.feedback_counts().not_helpful == 0
    (thanks,) = press(core, TEACHER, Action.HELPFUL, helpful.value)
    assert core.store.feedback_counts().helpful == 1


def test_a_forged_out_of_range_answer_id_is_not_found(make_core):
    core = make_core()
    for forged in ("99999999999999999999", "-1", "0", "2147483648", "1e3", ""):
        (reply,) = press(core, TEACHER, Action.HELPFUL, forged)
        assert isinstance(reply, PrivateReply), forged
        assert reply.message.kind is not Kind.ERROR or "couldn't find" in reply.message.text
        assert "couldn't find" in reply.message.text, forged
