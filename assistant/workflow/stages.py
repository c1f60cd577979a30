"""Request statuses, approval stages and the transition table between them.

PENDING_LINE_MANAGER --approve--> PENDING_SENIOR_MANAGER --approve--> PENDING_PRINCIPAL
    --approve--> APPROVED
any PENDING_* --reject--> REJECTED
any PENDING_* --withdraw--> WITHDRAWN
APPROVED, REJECTED and WITHDRAWN are final.
"""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import IllegalTransition


class Stage(StrEnum):
    """An approval stage of Appendix B, in order; the value is the role that decides it."""

    LINE_MANAGER = "line_manager"
    SENIOR_MANAGER = "senior_manager"
    PRINCIPAL = "principal"


class Status(StrEnum):
    """Where a site-creation request stands."""

    PENDING_LINE_MANAGER = "PENDING_LINE_MANAGER"
    PENDING_SENIOR_MANAGER = "PENDING_SENIOR_MANAGER"
    PENDING_PRINCIPAL = "PENDING_PRINCIPAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class Event(StrEnum):
    """What can happen to a pending request."""

    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


STAGES: tuple[Stage, ...] = (Stage.LINE_MANAGER, Stage.SENIOR_MANAGER, Stage.PRINCIPAL)
INITIAL: Status = Status.PENDING_LINE_MANAGER
FINAL: frozenset[Status] = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN})

_PENDING: dict[Status, Stage] = {
    Status.PENDING_LINE_MANAGER: Stage.LINE_MANAGER,
    Status.PENDING_SENIOR_MANAGER: Stage.SENIOR_MANAGER,
    Status.PENDING_PRINCIPAL: Stage.PRINCIPAL,
}

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.PENDING_LINE_MANAGER, Event.APPROVE): Status.PENDING_SENIOR_MANAGER,
    (Status.PENDING_SENIOR_MANAGER, Event.APPROVE): Status.PENDING_PRINCIPAL,
    (Status.PENDING_PRINCIPAL, Event.APPROVE): Status.APPROVED,
    (Status.PENDING_LINE_MANAGER, Event.REJECT): Status.REJECTED,
    (Status.PENDING_SENIOR_MANAGER, Event.REJECT): Status.REJECTED,
    (Status.PENDING_PRINCIPAL, Event.REJECT): Status.REJECTED,
    (Status.PENDING_LINE_MANAGER, Event.WITHDRAW): Status.WITHDRAWN,
    (Status.PENDING_SENIOR_MANAGER, Event.WITHDRAW): Status.WITHDRAWN,
    (Status.PENDING_PRINCIPAL, Event.WITHDRAW): Status.WITHDRAWN,
}


def next_status(status: Status, event: Event) -> Status:
    """The status after ``event``; raises IllegalTransition naming the transition if none."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(f"illegal transition: {event.value} from {status.value}") from None


def current_stage(status: Status) -> Stage | None:
    """The stage waiting for a decision, or None once the request is final."""
    return _PENDING.get(status)


def pending_status(stage: Stage) -> Status:
    """The status of a request waiting for ``stage``."""
    return next(status for status, waiting in _PENDING.items() if waiting is stage)


def next_stage(stage: Stage) -> Stage | None:
    """The stage after ``stage``, or None after the Principal."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def is_pending(status: Status) -> bool:
    """True while some stage still has to decide."""
    return status in _PENDING
