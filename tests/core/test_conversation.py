"""Whole conversations through the core: questions, the form, and every approval stage."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.conversation import Assistant
from assistant.messages import (
    Action,
    Effect,
    Identity,
    Incoming,
    Kind,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)
from tests.core.conftest import BYSTANDER, LINE_MANAGER, PRINCIPAL, SENIOR, TEACHER
from tests.form.form_helpers import FULL_ANSWERS


def say(core: Assistant, who: Identity, text: str) -> list[Effect]:
    return core.handle(Incoming(user=who, text=text))


def press(
    core: Assistant, who: Identity, action: Action, value: str, text: str = ""
) -> list[Effect]:
    return core.handle(Incoming(user=who, action=action, value=value, text=text))


def of_type(effects: Sequence[Effect], kind: type) -> list:
    return [e for e in effects if isinstance(e, kind)]


def fill_form(core: Assistant) -> list[Effect]:
    """Start the form, answer every question and submit; returns the submit's effects."""
    effects = say(core, TEACHER, "I want to set up a Facebook page for the PE department")
    assert of_type(effects, Reply)[-1].message.field == "department"
    for _ in range(40):
        question = of_type(effects, Reply)[-1].message
        if question.kind is Kind.REVIEW:
            break
        effects = say(core, TEACHER, FULL_ANSWERS[question.field])
        errors = [e for e in of_type(effects, Reply) if e.message.kind is Kind.ERROR]
        assert not errors, errors
    else:
        raise AssertionError("the form never reached its review")
    return press(core, TEACHER, Action.FORM_SUBMIT, "")


def posted(effects: Sequence[Effect], channel: str) -> PostToChannel:
    (post,) = [e for e in of_type(effects, PostToChannel) if e.channel == channel]
    return post


def test_a_question_is_answered_with_quotes_and_feedback_is_recorded(make_core):
    core = make_core()
    (reply,) = say(core, TEACHER, "what does 6.3 say?")
    assert reply.message.kind is Kind.ANSWER
    assert reply.message.citations[0].clause_id == "6.3"
    assert "On leaving Wootton Academy Trust's service" in reply.message.citations[0].quote
    helpful = next(b for b in reply.message.buttons if b.action is Action.HELPFUL)
    (thanks,) = press(core, TEACHER, Action.HELPFUL, helpful.value)
    assert isinstance(thanks, PrivateReply)
    assert core.store.feedback_counts().helpful == 1


def test_the_whole_approval_from_form_to_principal(make_core):
    core = make_core()
    effects = fill_form(core)
    first = posted(effects, "#line-managers")
    assert first.message.kind is Kind.APPROVAL
    approve = next(b for b in first.message.buttons if b.action is Action.APPROVE)
    assert core.store.load_draft(TEACHER) is None

    # Someone else's click changes nothing.
    (refused,) = press(core, BYSTANDER, Action.APPROVE, approve.value)
    assert isinstance(refused, PrivateReply)
    # Nor may the requester approve their own request.
    (own,) = press(core, TEACHER, Action.APPROVE, approve.value)
    assert isinstance(own, PrivateReply)

    effects = press(core, LINE_MANAGER, Action.APPROVE, approve.value)
    assert of_type(effects, UpdatePost)[0].anchor == first.anchor
    assert of_type(effects, SendDirect)[0].user == TEACHER
    second = posted(effects, "#senior-managers")

    # A double click is told it was decided already, and nothing is recorded twice.
    (again,) = press(core, LINE_MANAGER, Action.APPROVE, approve.value)
    assert isinstance(again, PrivateReply) and "already" in again.message.text

    value = next(b.value for b in second.message.buttons if b.action is Action.APPROVE)
    effects = press(core, SENIOR, Action.APPROVE, value)
    third = posted(effects, "#principal")
    value = next(b.value for b in third.message.buttons if b.action is Action.APPROVE)
    effects = press(core, PRINCIPAL, Action.APPROVE, value)
    record = [e for e in of_type(effects, SendDirect) if e.user == TEACHER]
    assert record and "approved" in record[-1].message.text.lower()

    request_id = int(value.split(":")[0])
    assert core.approvals.get(request_id).status.value == "APPROVED"
    assert len(core.approvals.decisions(request_id)) == 3
    markdown = core.approvals.export_markdown(request_id)
    assert "Pat Principal" in markdown and "Sam Smith" in markdown
    # Audience and contributors as Appendix B's tick boxes, every option listed.
    assert "- [x] Pupils from other schools (schools: Hillside Academy)" in markdown
    assert "- [ ] External organisations" in markdown


def test_a_rejection_needs_a_reason_and_tells_the_requester(make_core):
    core = make_core()
    first = posted(fill_form(core), "#line-managers")
    value = next(b.value for b in first.message.buttons if b.action is Action.REJECT)
    (ask,) = press(core, LINE_MANAGER, Action.REJECT, value)
    assert isinstance(ask, PrivateReply)
    effects = press(core, LINE_MANAGER, Action.REJECT, value, text="Use the school website.")
    told = [e for e in of_type(effects, SendDirect) if e.user == TEACHER]
    assert "Use the school website." in told[0].message.text
    assert not of_type(effects, PostToChannel)


def test_a_policy_question_mid_form_is_answered_and_the_form_resumes(make_core):
    core = make_core()
    say(core, TEACHER, "start the approval form")
    say(core, TEACHER, "PE department")
    effects = say(core, TEACHER, "wait, what does A.5.4 say?")
    replies = [e.message for e in of_type(effects, Reply)]
    assert replies[0].citations[0].clause_id == "A.5.4"
    assert replies[-1].field == "author"


def test_a_restart_resumes_the_form_where_it_was(make_core):
    core = make_core()
    say(core, TEACHER, "new site request")
    say(core, TEACHER, "PE department")
    say(core, TEACHER, "me")
    restarted = make_core()
    replies = [e.message for e in of_type(say(restarted, TEACHER, ""), Reply)]
    assert replies[-1].field == "line_manager"
    say(restarted, TEACHER, "back")
    state = restarted._draft(TEACHER)
    assert state is not None and state.answers["department"] == "PE department"


def test_the_requester_can_withdraw_and_home_shows_the_request(make_core):
    core = make_core()
    first = posted(fill_form(core), "#line-managers")
    request_id = first.anchor.split(":")[1]
    mine, waiting, *_ = core.home(TEACHER)
    assert any(f"#{request_id}" in label for label, _ in mine.facts)
    assert len(core.home(LINE_MANAGER)) == 3  # headings plus the one request waiting
    effects = press(core, TEACHER, Action.WITHDRAW, request_id)
    assert of_type(effects, UpdatePost)[0].anchor == first.anchor
    assert core.approvals.get(int(request_id)).status.value == "WITHDRAWN"


def test_an_approved_request_can_be_downloaded_by_its_people_only(make_core):
    core = make_core()
    first = posted(fill_form(core), "#line-managers")
    request_id = int(first.anchor.split(":")[1])
    for stage, who in (
        ("line_manager", LINE_MANAGER),
        ("senior_manager", SENIOR),
        ("principal", PRINCIPAL),
    ):
        press(core, who, Action.APPROVE, f"{request_id}:{stage}")
    assert core.approvals.get(request_id).status.value == "APPROVED"
    mine = core.home(TEACHER)[0]
    [download] = [b for b in mine.buttons if b.action is Action.DOWNLOAD]
    assert download.label == f"Download Appendix B #{request_id}"
    for who in (TEACHER, SENIOR):
        [sent] = press(core, who, Action.DOWNLOAD, download.value)
        assert isinstance(sent, SendDirect) and sent.user == who
        assert sent.message.attachment.filename == f"appendix-b-request-{request_id}.docx"
    [refused] = press(core, BYSTANDER, Action.DOWNLOAD, download.value)
    assert isinstance(refused, PrivateReply) and "Only the person" in refused.message.text


def test_thanks_and_goodbyes_get_a_short_reply_not_a_policy_answer(make_core):
    core = make_core()
    for text, reply in [
        ("thanks!", "You're welcome"),
        ("Ok, thanks.", "You're welcome"),
        ("cheers", "You're welcome"),
        ("quit", "Bye for now"),
        ("Bye!", "Bye for now"),
    ]:
        (effect,) = say(core, TEACHER, text)
        assert effect.message.text.startswith(reply) and not effect.message.citations
    # None was logged as a question: the first real one is answer number 1.
    (answer,) = say(core, TEACHER, "what does 6.3 say?")
    helpful = next(b for b in answer.message.buttons if b.action is Action.HELPFUL)
    assert helpful.value == "1"


def test_a_word_or_two_with_nothing_to_look_up_asks_for_more(make_core):
    core = make_core()
    for text in ("lol", "hmm?", "what?"):
        (effect,) = say(core, TEACHER, text)
        assert effect.message.kind is Kind.REFUSAL and not effect.message.citations
        assert effect.message.text.startswith("I need a little more to go on")
    (answer,) = say(core, TEACHER, "snapchat?")
    assert "I need a little more" not in answer.message.text


def test_bad_input_gets_a_clear_reply_never_a_traceback(make_core):
    core = make_core()
    for text in [
        "",
        "   ",
        "x" * 20000,
        "<!channel> \x00\x07 hi",
        "'; DROP TABLE requests; --",
        "🙂🙂",
    ]:
        effects = say(core, TEACHER, text)
        assert effects and all(isinstance(e, Reply) for e in effects)
        assert all(e.message.text or e.message.citations for e in effects)
        assert all("Traceback" not in e.message.text for e in effects)
    for action in Action:
        effects = press(core, TEACHER, action, "not-a-value")
        assert effects and "Traceback" not in repr(effects)


def test_the_full_request_is_one_click_away_for_whoever_may_decide_it_now(make_core):
    import io

    from docx import Document

    core = make_core()
    first = posted(fill_form(core), "#line-managers")
    [full] = [b for b in first.message.buttons if b.action is Action.DOWNLOAD]
    [sent] = press(core, LINE_MANAGER, Action.DOWNLOAD, full.value)  # the stage's approver
    assert isinstance(sent, SendDirect) and sent.user == LINE_MANAGER
    cells = [c.text for t in Document(io.BytesIO(sent.message.attachment.content)).tables
             for row in t.rows for c in row.cells]  # fmt: skip
    assert "Department" in cells
    for who in (SENIOR, BYSTANDER):  # not their stage yet, or never theirs
        [refused] = press(core, who, Action.DOWNLOAD, full.value)
        assert isinstance(refused, PrivateReply) and "may decide it now" in refused.message.text
