"""The messages the workflow sends: approval requests, decided posts and the final record."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.errors import InputError
from assistant.messages import Action, Button, Kind, Message
from assistant.storage.records import ApprovalRequest, Decision
from assistant.texts import workflow as texts
from assistant.workflow.stages import Stage

Rows = list[tuple[str, str]]
Facts = tuple[tuple[str, str], ...]


def anchor(request_id: int, stage: Stage) -> str:
    """The anchor of the channel post asking ``stage`` to decide a request."""
    return f"request:{request_id}:{stage.value}"


def parse_decision_value(value: str) -> tuple[int, Stage]:
    """Read an approval button's value ``"<request id>:<stage>"``; raises InputError."""
    number, _, stage = value.strip().partition(":")
    try:
        return int(number), Stage(stage)
    except ValueError:
        raise InputError(
            f"bad approval value {value!r}",
            user_message=texts.BAD_DECISION_VALUE.format(value=value),
        ) from None


def request_facts(request: ApprovalRequest, rows: Sequence[tuple[str, str]]) -> Facts:
    """The request's id, requester and date, then its answers."""
    head = [
        (texts.FACT_REQUEST, texts.REQUEST_REF.format(id=request.id)),
        (texts.FACT_REQUESTED_BY, request.requester_name),
        (texts.FACT_SUBMITTED, texts.when(request.created_at)),
    ]
    return tuple(head + list(rows))


def approval_message(request: ApprovalRequest, stage: Stage, facts: Facts) -> Message:
    """Ask ``stage`` to approve or reject, with the two buttons."""
    value = f"{request.id}:{stage.value}"
    text = texts.APPROVAL_REQUEST.format(
        id=request.id,
        requester=request.requester_name,
        stage=texts.STAGE_TITLES[stage.value],
        statement=texts.STAGE_STATEMENTS[stage.value],
    )
    buttons = (
        Button(texts.BUTTON_APPROVE, Action.APPROVE, value, style="primary"),
        Button(texts.BUTTON_SEND_BACK, Action.SEND_BACK, value, needs_reason=True),
        Button(texts.BUTTON_REJECT, Action.REJECT, value, style="danger", needs_reason=True),
        # However a post had to be shortened to fit the platform, the whole request is a
        # click away, as the Appendix B document (sent privately to the one who asks).
        Button(texts.BUTTON_FULL_REQUEST, Action.DOWNLOAD, str(request.id)),
    )
    return Message(
        text=text, kind=Kind.APPROVAL, facts=facts, buttons=buttons, context=texts.POLICY_CONTEXT
    )


def closed_message(text: str, facts: Facts) -> Message:
    """An approval post after its decision (or withdrawal): no buttons."""
    return Message(text=text, kind=Kind.DECIDED, facts=facts)


def decided_text(decision: Decision) -> str:
    """ "Approved by X at T" or "Rejected by X: reason"."""
    if decision.approved:
        return texts.DECIDED_APPROVED.format(
            name=decision.decided_by_name, when=texts.when(decision.decided_at)
        )
    return texts.DECIDED_REJECTED.format(name=decision.decided_by_name, reason=decision.reason)


def approved_record(
    request: ApprovalRequest, decisions: Sequence[Decision], facts: Facts
) -> Message:
    """The fully approved record for the requester: answers and each stage's name and date."""
    signed = tuple(
        (
            texts.STAGE_TITLES[d.stage.value],
            texts.SIGNED.format(name=d.decided_by_name, date=texts.day(d.decided_at)),
        )
        for d in decisions
    )
    return Message(
        text=texts.FULLY_APPROVED.format(id=request.id),
        kind=Kind.NOTICE,
        facts=facts + signed,
        context=texts.POLICY_CONTEXT,
    )
