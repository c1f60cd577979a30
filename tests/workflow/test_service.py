"""The approval service end to end on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from assistant.messages import (
    Action,
    Identity,
    Kind,
    PostToChannel,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)
from assistant.workflow.service import ApprovalService
from assistant.workflow.stages import Stage, Status
from tests.workflow.conftest import (
    ANNA,
    BEN,
    EVE,
    LINDA,
    PAT,
    SIMON,
    SUE,
    Clock,
    answers,
    make_settings,
)


def _submit(service: ApprovalService, **kwargs) -> int:
    effects = service.submit(ANNA, "Anna Adams", answers(**kwargs), platform="slack")
    return service.list_requests(requester=ANNA)[-1].id if effects else -1


def _private_text(effects) -> str:
    assert len(effects) == 1 and isinstance(effects[0], PrivateReply), effects
    return effects[0].message.text


def test_submit_confirms_and_asks_the_line_manager(service: ApprovalService) -> None:
    effects = service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    request = service.list_requests()[0]
    assert request.status is Status.PENDING_LINE_MANAGER
    reply, post, direct = effects
    assert isinstance(reply, Reply) and f"#{request.id}" in reply.message.text
    assert isinstance(post, PostToChannel)
    assert (post.platform, post.channel) == ("slack", "C-LM")
    assert post.anchor == f"request:{request.id}:line_manager"
    message = post.message
    assert message.kind is Kind.APPROVAL
    assert "I approve the aims and content of the proposed site." in message.text
    assert ("Department", "Art") in message.facts
    approve, send_back, reject, full = message.buttons
    assert (full.action, full.value) == (Action.DOWNLOAD, str(request.id))
    assert (send_back.action, send_back.value, send_back.needs_reason) == (
        Action.SEND_BACK,
        f"{request.id}:line_manager",
        True,
    )
    assert (approve.action, approve.value, approve.style) == (
        Action.APPROVE,
        f"{request.id}:line_manager",
        "primary",
    )
    assert (reject.action, reject.value, reject.style, reject.needs_reason) == (
        Action.REJECT,
        f"{request.id}:line_manager",
        "danger",
        True,
    )
    # The named line manager may not be in the channel, so is asked directly as well.
    assert isinstance(direct, SendDirect) and direct.user == BEN
    assert [e.event_type for e in service.audit(request.id)] == ["submitted"]


def test_without_a_channel_the_request_is_kept_and_approvers_asked_directly(
    store, clock: Clock, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, channels={})
    service = ApprovalService(store=store, settings=settings, clock=clock)
    unknown = {"name": "Mr Nobody", "identity": None}
    effects = service.submit(ANNA, "Anna Adams", answers(unknown), platform="slack")
    assert len(service.list_requests()) == 1
    confirm, notice, *directs = effects
    assert isinstance(confirm, Reply) and isinstance(notice, Reply)
    assert "No approval channel" in notice.message.text
    assert all(isinstance(d, SendDirect) and d.message.buttons for d in directs)
    assert {d.user for d in directs} == {LINDA, BEN}


def test_nobody_reachable_is_said_and_the_request_kept(store, clock, tmp_path) -> None:
    settings = make_settings(tmp_path, channels={}, roles={})
    service = ApprovalService(store=store, settings=settings, clock=clock)
    effects = service.submit(ANNA, "Anna", answers({"name": "X"}), platform="teams")
    assert [type(e) for e in effects] == [Reply, Reply, Reply]
    assert "Nobody who can approve" in effects[1].message.text
    # the later stages are named at once too, not left to stall when they are reached
    assert "Other Senior Manager and Principal role" in effects[2].message.text
    assert service.list_requests()[0].status is Status.PENDING_LINE_MANAGER


def test_a_requester_who_is_the_only_approver_of_a_stage_is_told_at_once(
    store, clock: Clock, tmp_path: Path
) -> None:
    # Sue is the only Senior Manager; her request reaches that stage with nobody to decide it.
    roles = {"line_manager": (LINDA,), "senior_manager": (SUE,), "principal": (PAT,)}
    service = ApprovalService(
        store=store, settings=make_settings(tmp_path, roles=roles), clock=clock
    )
    unknown = {"name": "Mr Nobody", "identity": None}
    service.submit(SUE, "Sue Smith", answers(unknown), platform="slack")
    request = service.list_requests(requester=SUE)[0]
    effects = service.decide(request.id, Stage.LINE_MANAGER, LINDA, "Linda Lee", approve=True)
    told = [e.message.text for e in effects if isinstance(e, SendDirect) and e.user == SUE]
    assert any("only approver set up for the Other Senior Manager stage" in t for t in told), told
    # The request is still posted and kept; nobody's click can decide it.
    assert any(isinstance(e, PostToChannel) and e.channel == "C-SM" for e in effects)
    assert service.get(request.id).status is Status.PENDING_SENIOR_MANAGER
    refused = service.decide(request.id, Stage.SENIOR_MANAGER, SUE, "Sue Smith", approve=True)
    assert isinstance(refused[0], PrivateReply)
    assert service.get(request.id).status is Status.PENDING_SENIOR_MANAGER


def test_a_stage_with_a_channel_but_no_approvers_is_said(store, clock, tmp_path) -> None:
    roles = {"line_manager": (LINDA,), "principal": (PAT,)}
    settings = make_settings(tmp_path, roles=roles)
    service = ApprovalService(store=store, settings=settings, clock=clock)
    service.submit(ANNA, "Anna Adams", answers(), platform="slack")
    request = service.list_requests()[0]
    effects = service.decide(request.id, Stage.LINE_MANAGER, LINDA, "Linda Lee", approve=True)
    told = [e.message.text for e in effects if isinstance(e, SendDirect) and e.user == ANNA]
    assert any("Nobody who can approve the Other Senior Manager stage" in t for t in told), told


def test_only_the_named_line_manager_decides_stage_one(service: ApprovalService) -> None:
    request_id = _submit(service)
    for outsider in (LINDA, SUE, EVE):
        text = _private_text(service.decide(request_id, "line_manager", outsider, "X", True))
        assert "not yours to decide" in text
    assert "own request" in _private_text(
        service.decide(request_id, "line_manager", ANNA, "A", True)
    )
    assert service.get(request_id).status is Status.PENDING_LINE_MANAGER
    assert service.decisions(request_id) == []
    effects = service.decide(request_id, Stage.LINE_MANAGER, BEN, "Ben", True)
    assert isinstance(effects[0], UpdatePost)
    assert service.get(request_id).status is Status.PENDING_SENIOR_MANAGER


def test_a_typed_name_matching_a_known_person_counts(service: ApprovalService) -> None:
    request_id = _submit(service, line_manager={"name": "  ben BROWN ", "identity": None})
    assert "not yours" in _private_text(
        service.decide(request_id, "line_manager", LINDA, "L", True)
    )
    assert service.decide(request_id, "line_manager", BEN, "Ben", True)[0].anchor.endswith(
        ":line_manager"
    )


def test_an_unknown_line_manager_falls_back_to_the_role(service: ApprovalService) -> None:
    request_id = _submit(service, line_manager={"name": "Mr Nobody", "identity": None})
    assert "not yours" in _private_text(service.decide(request_id, "line_manager", EVE, "E", True))
    assert isinstance(service.decide(request_id, "line_manager", LINDA, "L", True)[0], UpdatePost)


def test_full_approval_runs_through_three_stages(service: ApprovalService, clock: Clock) -> None:
    request_id = _submit(service)
    clock.advance(hours=2)
    update, told, post, *_ = service.decide(request_id, "line_manager", BEN, "Ben", True)
    assert update.anchor == f"request:{request_id}:line_manager"
    assert update.message.kind is Kind.DECIDED and not update.message.buttons
    assert update.message.text == "Approved by Ben Brown at 03 Mar 2025 11:00 GMT"
    assert isinstance(told, SendDirect) and told.user == ANNA
    assert "Other Senior Manager" in told.message.text
    assert isinstance(post, PostToChannel) and post.channel == "C-SM"
    assert post.anchor == f"request:{request_id}:senior_manager"
    assert "use of school brand and logo" in post.message.text
    clock.advance(days=1)
    service.decide(request_id, "senior_manager", SUE, "Sue", True)
    clock.advance(days=1)
    effects = service.decide(request_id, "principal", PAT, "Pat", True)
    assert service.get(request_id).status is Status.APPROVED
    update, record, confirmed = effects
    assert update.anchor == f"request:{request_id}:principal"
    assert isinstance(record, SendDirect) and record.user == ANNA
    assert isinstance(confirmed, SendDirect) and confirmed.user == PAT
    document = record.message.attachment
    assert document is not None and document.filename == f"appendix-b-request-{request_id}.docx"
    assert confirmed.message.attachment == document and document.content.startswith(b"PK")
    facts = dict(record.message.facts)
    assert facts["Line Manager"] == "Ben Brown, 03 Mar 2025"
    assert facts["Other Senior Manager"] == "Sue Smith, 04 Mar 2025"
    assert facts["Principal"] == "Pat Patel, 05 Mar 2025"
    events = [e.event_type for e in service.audit(request_id)]
    assert events == ["submitted", "approved", "approved", "approved"]


def test_a_second_click_is_told_who_decided(service: ApprovalService) -> None:
    request_id = _submit(service, line_manager={"name": "Mr Nobody", "identity": None})
    service.decide(request_id, "line_manager", LINDA, "Linda", True)
    text = _private_text(service.decide(request_id, "line_manager", LINDA, "Linda", True))
    assert text == (
        f"Request #{request_id} was already approved at the Line Manager stage by Linda Lee"
        " at 03 Mar 2025 09:00 GMT."
    )
    assert len(service.decisions(request_id)) == 1


def test_reject_needs_a_reason_and_ends_the_request(service: ApprovalService) -> None:
    request_id = _submit(service)
    assert "give a reason" in _private_text(
        service.decide(request_id, "line_manager", BEN, "Ben", False, "  ")
    )
    assert service.get(request_id).status is Status.PENDING_LINE_MANAGER
    update, told = service.decide(request_id, "line_manager", BEN, "Ben", False, "Too risky")
    assert update.message.text == "Rejected by Ben Brown: Too risky"
    assert told.user == ANNA and "Too risky" in told.message.text
    assert service.get(request_id).status is Status.REJECTED
    text = _private_text(service.decide(request_id, "senior_manager", SUE, "Sue", True))
    assert "rejected" in text and "Nothing was changed" in text


def test_a_stage_that_is_not_current_cannot_be_decided(service: ApprovalService) -> None:
    request_id = _submit(service)
    text = _private_text(service.decide(request_id, "principal", PAT, "Pat", True))
    assert "not waiting for the Principal" in text
    assert "can't find request #999" in _private_text(
        service.decide(999, "principal", PAT, "P", True)
    )
    assert "can't find" in _private_text(service.decide(request_id, "janitor", PAT, "P", True))


def test_withdraw_only_by_the_requester_while_pending(service: ApprovalService) -> None:
    request_id = _submit(service)
    assert "Only the person" in _private_text(service.withdraw(request_id, BEN))
    service.decide(request_id, "line_manager", BEN, "Ben", True)
    update, reply = service.withdraw(request_id, ANNA)
    assert update.anchor == f"request:{request_id}:senior_manager"
    assert update.message.kind is Kind.DECIDED and "Withdrawn by Anna Adams" in update.message.text
    assert isinstance(reply, Reply)
    assert service.get(request_id).status is Status.WITHDRAWN
    assert "can no longer be withdrawn" in _private_text(service.withdraw(request_id, ANNA))
    assert "no longer be decided" in _private_text(
        service.decide(request_id, "senior_manager", SUE, "Sue", True)
    )
    assert [e.event_type for e in service.audit(request_id)][-1] == "withdrawn"


def test_next_stage_on_teams_goes_to_the_teams_channel(store, clock, tmp_path) -> None:
    service = ApprovalService(store=store, settings=make_settings(tmp_path), clock=clock)
    sam = Identity("teams", "sam-aad")
    service.submit(sam, "Sam", answers({"name": "Linda Lee", "identity": None}), platform="teams")
    request_id = service.list_requests()[0].id
    effects = service.decide(request_id, "line_manager", LINDA, "Linda", True)
    posts = [e for e in effects if isinstance(e, PostToChannel)]
    assert [(p.platform, p.channel) for p in posts] == [("teams", "19:sm@thread")]
    assert [r.id for r in service.pending_for(SIMON)] == [request_id]


def test_pending_for_lists_what_someone_may_decide(service: ApprovalService) -> None:
    first = _submit(service)
    second = _submit(service, line_manager={"name": "Mr Nobody", "identity": None})
    assert [r.id for r in service.pending_for(BEN)] == [first, second]
    assert [r.id for r in service.pending_for(LINDA)] == [second]
    assert service.pending_for(ANNA) == [] and service.pending_for(SUE) == []
    service.decide(first, "line_manager", BEN, "Ben", True)
    assert [r.id for r in service.pending_for(SUE)] == [first]


def test_reminders_go_once_a_period(service: ApprovalService, clock: Clock) -> None:
    request_id = _submit(service)
    clock.advance(days=2)
    assert service.due_reminders() == []
    clock.advance(days=1, minutes=1)
    (reminder,) = service.due_reminders()
    assert isinstance(reminder, PostToChannel) and reminder.channel == "C-LM"
    assert reminder.anchor == f"request:{request_id}:line_manager:reminder:1"
    assert "waited 3 school days" in reminder.message.text
    assert service.due_reminders() == []
    clock.advance(days=3)  # Sunday: school days only (see test_reminders.py)
    assert service.due_reminders() == []
    clock.advance(days=2)  # Tuesday, the sixth school day
    (again,) = service.due_reminders()
    assert again.anchor.endswith(":reminder:2")
    # A decision restarts the wait for the next stage.
    service.decide(request_id, "line_manager", BEN, "Ben", True)
    assert service.due_reminders() == []
    clock.advance(days=3)
    (senior,) = service.due_reminders(now=clock.now)
    assert senior.channel == "C-SM"


def test_audit_trail_cannot_be_changed_through_the_service(service: ApprovalService) -> None:
    request_id = _submit(service)
    verbs = ("update", "delete", "edit", "remove", "change_audit", "set_audit")
    for target in (service, service.store):
        names = [n for n in dir(target) if "audit" in n]
        assert names and not [n for n in names if n.startswith(verbs)], names
    events = service.audit(request_id)
    with pytest.raises(FrozenInstanceError):
        events[0].comment = "edited"  # type: ignore[misc]
    assert service.audit(request_id) == events and events[0].comment == ""


def test_export_is_laid_out_like_appendix_b(service: ApprovalService, clock: Clock) -> None:
    request_id = _submit(service)
    pending = service.export_markdown(request_id)
    headings = [line for line in pending.splitlines() if line.startswith("## ")]
    assert headings == [
        "## TEAM DETAILS",
        "## PURPOSE OF SETTING UP SOCIAL MEDIA SITE",
        "## PROPOSED AUDIENCE OF THE SITE",
        "## PROPOSED CONTRIBUTORS TO THE SITE",
        "## ADMINISTRATION OF THE SITE",
        "## APPROVAL",
    ]
    assert "| Department | Art |" in pending
    assert (
        "| **Line Manager**<br>I approve the aims and content of the proposed site. |   |"
        in pending
    )
    service.decide(request_id, "line_manager", BEN, "Ben", True)
    done = service.export_markdown(request_id)
    assert "| Ben Brown (slack:UBEN) | 03 Mar 2025 | approved |" in done
    assert "submitted by Anna Adams (slack:UANNA) on 03 Mar 2025" in done
    assert done.index("Ben Brown (slack:UBEN) | 03") > done.index("## APPROVAL")
