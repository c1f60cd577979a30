"""A third outcome: "Send back for changes", with a note, and the resubmission.

An approver of the waiting stage sends the request back with a required note. The request
keeps its number, status and history; the stage cannot be decided, and nobody is reminded,
until the requester presses "Edit and resubmit", changes what the note asks (the form opens
at its review, filled in with the answers as they were) and submits again. Approval then
restarts at the stage that sent it back; the stages decided before it stand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.errors import IllegalTransition, NotFound
from assistant.form.whole import review_whole
from assistant.messages import (
    Action,
    Button,
    Effect,
    Identity,
    Kind,
    Message,
    PrivateReply,
    Reply,
    SendDirect,
    UpdatePost,
)
from assistant.texts import workflow as texts
from assistant.workflow import approvers as who_decides
from assistant.workflow import notices
from assistant.workflow.notices import anchor
from assistant.workflow.stages import Stage, is_pending

if TYPE_CHECKING:
    from assistant.form.state import FormState
    from assistant.workflow.service import ApprovalService


def _private(text: str) -> list[Effect]:
    return [PrivateReply(Message(text=text, kind=Kind.NOTICE))]


def send_back(
    service: ApprovalService, request_id: int, stage: Stage | str, decider: Identity, note: str
) -> list[Effect]:
    """Send ``request_id`` back from ``stage``: only someone who may decide it, with a note."""
    checked = service.decidable_by(request_id, stage, decider)
    if isinstance(checked, list):
        return checked
    request, stage = checked
    note = note.strip()
    if not note:
        return _private(texts.NOTE_NEEDED.format(id=request.id, requester=request.requester_name))
    name = who_decides.record_name(decider, service.settings, request, stage)
    try:
        service.store.changes.send_back(
            request, stage, by=decider, by_name=name, note=note, at=service.clock()
        )
    except IllegalTransition:
        return _private(
            service.why_not_decidable(request, stage, fresh=True)
            or texts.SENT_BACK_ALREADY.format(id=request.id)
        )
    title = texts.STAGE_TITLES[stage.value]
    closed = texts.DECIDED_SENT_BACK.format(name=name, note=note)
    edit = Button(
        texts.BUTTON_REVISE.format(id=request.id),
        Action.FORM_REVISE,
        str(request.id),
        style="primary",
    )
    told = texts.SENT_BACK_TO_REQUESTER.format(id=request.id, stage=title, name=name, note=note)
    return [
        UpdatePost(
            anchor(request.id, stage), notices.closed_message(closed, service.facts(request))
        ),
        SendDirect(request.requester, Message(text=told, kind=Kind.NOTICE, buttons=(edit,))),
        PrivateReply(
            Message(
                text=texts.SENT_BACK_DONE.format(id=request.id, requester=request.requester_name)
            )
        ),
    ]


def revision(
    service: ApprovalService, requester: Identity, request_id: int
) -> tuple[FormState | None, list[Message]]:
    """The form to edit a sent-back request with (at its review, filled in), and what to say;
    (None, why not) when it is not this person's or not sent back."""
    try:
        request = service.store.get_request(request_id)
    except NotFound:
        return None, [Message(text=texts.NO_SUCH_REQUEST.format(id=request_id), kind=Kind.ERROR)]
    if not service.settings.directory.same(request.requester, requester):
        return None, [
            Message(text=texts.NOT_YOURS_TO_REVISE.format(id=request.id), kind=Kind.ERROR)
        ]
    sent = service.store.changes.open_send_back(request.id)
    if sent is None or not is_pending(request.status):
        return None, [Message(text=texts.NOT_SENT_BACK.format(id=request.id), kind=Kind.ERROR)]
    state, messages = review_whole(request.answers)
    intro = texts.REVISING.format(
        id=request.id, stage=texts.STAGE_TITLES[sent.stage.value], name=sent.by_name, note=sent.note
    )
    return state, [Message(text=intro, kind=Kind.NOTICE), *messages]


def resubmit(
    service: ApprovalService,
    requester: Identity,
    request_id: int,
    answers: dict[str, Any],
    *,
    from_draft: bool = False,
) -> list[Effect]:
    """Replace the answers of a sent-back request and ask the stage that sent it back again."""
    try:
        request = service.store.get_request(request_id)
    except NotFound:
        return _private(texts.NO_SUCH_REQUEST.format(id=request_id))
    if not service.settings.directory.same(request.requester, requester):
        return _private(texts.NOT_YOURS_TO_REVISE.format(id=request.id))
    try:
        sent = service.store.changes.resubmit(
            request, answers, by=requester, from_draft=from_draft, at=service.clock()
        )
    except IllegalTransition:
        return _private(texts.NOT_SENT_BACK.format(id=request.id))
    request = service.store.get_request(request.id)
    title = texts.STAGE_TITLES[sent.stage.value]
    effects: list[Effect] = [
        Reply(Message(text=texts.RESUBMITTED.format(id=request.id, stage=title), kind=Kind.NOTICE))
    ]
    posts, notice = service.ask_stage(request, sent.stage)
    if notice:
        effects.append(Reply(Message(text=notice, kind=Kind.NOTICE)))
    return effects + posts
