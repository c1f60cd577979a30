"""A third outcome: a stage sends the request back for changes; the requester edits it and
resubmits; approval restarts at that stage, the request keeps its number and history.
The real core on SQLite and PostgreSQL."""

from __future__ import annotations

from assistant.conversation import Assistant
from assistant.messages import Action, Kind, PrivateReply, Reply, SendDirect, UpdatePost
from assistant.workflow.stages import Stage, Status
from tests.core.conftest import BYSTANDER, LINE_MANAGER, SENIOR, TEACHER
from tests.core.test_conversation import fill_form, of_type, posted, press, say


def _send_back_from_senior(core: Assistant) -> tuple[int, str]:
    first = posted(fill_form(core), "#line-managers")
    approve = next(b.value for b in first.message.buttons if b.action is Action.APPROVE)
    second = posted(press(core, LINE_MANAGER, Action.APPROVE, approve), "#senior-managers")
    value = next(b.value for b in second.message.buttons if b.action is Action.SEND_BACK)
    return int(value.split(":")[0]), value


def test_send_back_needs_a_note_and_only_the_stage_may_do_it(make_core) -> None:
    core = make_core()
    request_id, value = _send_back_from_senior(core)
    (no_note,) = press(core, SENIOR, Action.SEND_BACK, value)
    assert isinstance(no_note, PrivateReply) and "what should change" in no_note.message.text
    (not_theirs,) = press(core, BYSTANDER, Action.SEND_BACK, value, text="change it")
    assert isinstance(not_theirs, PrivateReply)
    (own,) = press(core, TEACHER, Action.SEND_BACK, value, text="mine")
    assert isinstance(own, PrivateReply)
    assert core.store.changes.open_send_back(request_id) is None  # nothing happened


def test_sent_back_then_edited_and_resubmitted_restarts_at_that_stage(make_core) -> None:
    core = make_core()
    request_id, value = _send_back_from_senior(core)
    note = "Moderators must include a second member of staff (A.4.2)."

    effects = press(core, SENIOR, Action.SEND_BACK, value, text=note)

    [update] = of_type(effects, UpdatePost)
    assert update.anchor == f"request:{request_id}:senior_manager"
    assert update.message.kind is Kind.DECIDED and not update.message.buttons
    assert note in update.message.text
    [told] = [e for e in of_type(effects, SendDirect) if e.user == TEACHER]
    assert note in told.message.text
    [edit] = told.message.buttons
    assert (edit.action, edit.value) == (Action.FORM_REVISE, str(request_id))
    # While it is with the requester, nobody can decide the stage, and it shows as theirs.
    (refused,) = press(core, SENIOR, Action.APPROVE, value)
    assert "sent back for changes" in refused.message.text
    assert core.approvals.get(request_id).status is Status.PENDING_SENIOR_MANAGER
    home = core.home(TEACHER)[0]
    assert ("sent back to you for changes") in [v for _k, v in home.facts]
    assert any(b.action is Action.FORM_REVISE for b in home.buttons)

    # Edit: the form opens at its review with the answers as they were; change one; submit.
    opened = press(core, TEACHER, Action.FORM_REVISE, str(request_id))
    assert note in of_type(opened, Reply)[0].message.text
    assert of_type(opened, Reply)[-1].message.kind is Kind.REVIEW
    before = core.approvals.get(request_id).answers
    say(core, TEACHER, "edit moderators")
    say(core, TEACHER, "Sam Smith and Lena Lowe")
    effects = press(core, TEACHER, Action.FORM_SUBMIT, "")

    assert f"Request #{request_id} is resubmitted" in of_type(effects, Reply)[0].message.text
    again = posted(effects, "#senior-managers")  # the stage that sent it back, asked again
    assert again.anchor == f"request:{request_id}:senior_manager"
    request = core.approvals.get(request_id)
    assert request.answers["moderators"] != before["moderators"]
    assert request.status is Status.PENDING_SENIOR_MANAGER
    assert len(core.approvals.list_requests(requester=TEACHER)) == 1  # the same request
    assert core.store.load_draft(TEACHER) is None
    events = [e.event_type for e in core.approvals.audit(request_id)]
    assert events[-2:] == ["sent_back", "resubmitted"]
    # The Line Manager's approval stands; the senior manager can decide now.
    assert [d.stage for d in core.approvals.decisions(request_id)] == [Stage.LINE_MANAGER]
    approve = next(b.value for b in again.message.buttons if b.action is Action.APPROVE)
    posted(press(core, SENIOR, Action.APPROVE, approve), "#principal")
    # A second Submit, or pressing Edit again, changes nothing.
    (twice,) = press(core, TEACHER, Action.FORM_SUBMIT, "")
    assert isinstance(twice, PrivateReply)
    (gone,) = press(core, TEACHER, Action.FORM_REVISE, str(request_id))
    assert "nothing to edit" in gone.message.text


def test_only_the_requester_may_edit_and_another_form_is_not_overwritten(make_core) -> None:
    core = make_core()
    request_id, value = _send_back_from_senior(core)
    press(core, SENIOR, Action.SEND_BACK, value, text="Add a closure date.")
    (not_yours,) = press(core, BYSTANDER, Action.FORM_REVISE, str(request_id))
    assert "not yours" in not_yours.message.text
    say(core, TEACHER, "I want to set up a Facebook page for the PE department")  # a new form
    (busy,) = press(core, TEACHER, Action.FORM_REVISE, str(request_id))
    assert "another approval form in progress" in busy.message.text


def test_nobody_is_reminded_while_a_request_is_back_with_its_requester(make_core) -> None:
    from datetime import UTC, datetime

    core = make_core()
    request_id, value = _send_back_from_senior(core)
    weeks_later = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)  # a Wednesday, in school hours
    press(core, SENIOR, Action.SEND_BACK, value, text="Add a closure date.")
    assert core.approvals.due_reminders(now=weeks_later) == []
    events = [e.event_type for e in core.approvals.audit(request_id)]
    assert "reminded" not in events
