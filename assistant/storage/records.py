"""Plain records the store hands out (never live ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.messages import Identity
from assistant.workflow.stages import Stage, Status


@dataclass(frozen=True)
class ApprovalRequest:
    """A submitted site-creation request and where it stands."""

    id: int
    requester: Identity
    requester_name: str
    answers: dict[str, Any]
    status: Status
    platform: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class Decision:
    """One stage's decision on a request."""

    request_id: int
    stage: Stage
    approved: bool
    decided_by: Identity
    decided_by_name: str
    reason: str
    decided_at: datetime


@dataclass(frozen=True)
class AuditEvent:
    """One line of a request's audit trail."""

    id: int
    request_id: int
    at: datetime
    actor: str
    event_type: str
    comment: str


@dataclass(frozen=True)
class FeedbackCounts:
    """Helpful / not helpful votes in total and per quoted clause."""

    helpful: int = 0
    not_helpful: int = 0
    by_clause: dict[str, tuple[int, int]] = field(default_factory=dict)
