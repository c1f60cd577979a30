"""Requests, their decisions, audit trail and reminders.

Every change of status is a conditional UPDATE (``WHERE status = :expected AND version
= :version``) in the same transaction as its decision and audit line, so two approvers,
a platform retry or two server processes cannot both win; the UNIQUE(request_id, stage)
constraint backs this up in the database itself. The audit trail has no update or
delete here, and triggers refuse them in the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import (
    AlreadyDecided,
    AlreadySubmitted,
    IllegalTransition,
    NotFound,
    StorageError,
)
from assistant.messages import Identity
from assistant.storage.models import (
    AuditEventRow,
    DecisionRow,
    DraftRow,
    ReminderRow,
    RequestRow,
)
from assistant.storage.records import ApprovalRequest, AuditEvent, Decision
from assistant.workflow.stages import INITIAL, Stage, Status


def utcnow() -> datetime:
    """The current moment in UTC."""
    return datetime.now(UTC)


def consume_draft(session: Session, who: Identity) -> None:
    """Delete ``who``'s form draft in ``session``'s transaction; AlreadySubmitted when there is
    none, so a second click on Submit changes nothing."""
    gone = session.execute(delete(DraftRow).where(DraftRow.identity == str(who)))
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadySubmitted(f"the draft of {who} was submitted already")


class _Conflict(Exception):
    """The conditional update matched no row: someone else changed the request first."""


def _request(row: RequestRow) -> ApprovalRequest:
    return ApprovalRequest(
        id=row.id,
        requester=Identity.parse(row.requester),
        requester_name=row.requester_name,
        answers=json.loads(row.answers),
        status=Status(row.status),
        platform=row.platform,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _decision(row: DecisionRow) -> Decision:
    return Decision(
        request_id=row.request_id,
        stage=Stage(row.stage),
        approved=row.decision == "approved",
        decided_by=Identity.parse(row.decided_by),
        decided_by_name=row.decided_by_name,
        reason=row.reason,
        decided_at=row.decided_at,
    )


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        request_id=row.request_id,
        at=row.at,
        actor=row.actor,
        event_type=row.event_type,
        comment=row.comment,
    )


class RequestRepository:
    """Storage of site-creation requests; the status rules live in the workflow."""

    engine: Engine
    _sessions: sessionmaker[Session]

    def create_request(
        self,
        *,
        requester: Identity,
        requester_name: str,
        answers: dict[str, Any],
        platform: str,
        at: datetime | None = None,
        from_draft: bool = False,
    ) -> ApprovalRequest:
        """Store a new request (pending the line manager) with its "submitted" audit line.

        ``from_draft``: the requester's form draft is deleted in the same transaction, and
        AlreadySubmitted is raised when there is none, so a double click stores one request.
        """
        at = at or utcnow()
        try:
            with self._sessions.begin() as session:
                if from_draft:
                    consume_draft(session, requester)
                row = RequestRow(
                    requester=str(requester),
                    requester_name=requester_name,
                    answers=json.dumps(answers, sort_keys=True),
                    status=INITIAL.value,
                    platform=platform,
                    created_at=at,
                    updated_at=at,
                    version=1,
                )
                session.add(row)
                session.flush()
                session.add(self._audit_row(row.id, requester, "submitted", "", at))
                return _request(row)
        except SQLAlchemyError as exc:
            # The type only: a database's message can quote the row, i.e. the form's answers.
            raise StorageError(f"could not store the request ({type(exc).__name__})") from None

    def get_request(self, request_id: int) -> ApprovalRequest:
        """The request with this id; raises NotFound."""
        with self._sessions() as session:
            row = session.get(RequestRow, request_id)
            if row is None:
                raise NotFound(f"no request #{request_id}")
            return _request(row)

    def find_requests(
        self,
        *,
        requester: Identity | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[ApprovalRequest]:
        """Requests, oldest first, optionally of one requester and/or in some statuses."""
        query = select(RequestRow).order_by(RequestRow.id)
        if requester is not None:
            query = query.where(RequestRow.requester == str(requester))
        if statuses is not None:
            query = query.where(RequestRow.status.in_([s.value for s in statuses]))
        with self._sessions() as session:
            return [_request(row) for row in session.scalars(query)]

    def decisions(self, request_id: int) -> list[Decision]:
        """The decisions on a request, in stage order."""
        order = {stage.value: i for i, stage in enumerate(Stage)}
        with self._sessions() as session:
            rows = session.scalars(select(DecisionRow).where(DecisionRow.request_id == request_id))
            return sorted((_decision(r) for r in rows), key=lambda d: order[d.stage.value])

    def decision(self, request_id: int, stage: Stage) -> Decision | None:
        """The decision of one stage, if it was made."""
        with self._sessions() as session:
            row = session.scalars(
                select(DecisionRow).where(
                    DecisionRow.request_id == request_id, DecisionRow.stage == stage.value
                )
            ).first()
            return _decision(row) if row else None

    def audit(self, request_id: int) -> list[AuditEvent]:
        """The audit trail of a request, oldest first."""
        query = (
            select(AuditEventRow)
            .where(AuditEventRow.request_id == request_id)
            .order_by(AuditEventRow.id)
        )
        with self._sessions() as session:
            return [_event(row) for row in session.scalars(query)]

    def add_audit(
        self,
        request_id: int,
        actor: Identity | str,
        event_type: str,
        comment: str = "",
        *,
        at: datetime | None = None,
    ) -> None:
        """Append a line to a request's audit trail."""
        with self._sessions.begin() as session:
            session.add(self._audit_row(request_id, actor, event_type, comment, at or utcnow()))

    def change_status(
        self,
        request: ApprovalRequest,
        new_status: Status,
        *,
        actor: Identity,
        event_type: str,
        comment: str = "",
        at: datetime | None = None,
    ) -> ApprovalRequest:
        """Move ``request`` on if nobody changed it since it was read; else IllegalTransition."""
        at = at or utcnow()
        try:
            with self._sessions.begin() as session:
                self._conditional_update(session, request, new_status, at)
                session.add(self._audit_row(request.id, actor, event_type, comment, at))
        except _Conflict:
            current = self.get_request(request.id)
            raise IllegalTransition(
                f"request #{request.id} is {current.status.value}, no longer {request.status.value}"
            ) from None
        return self.get_request(request.id)

    def record_decision(
        self,
        request: ApprovalRequest,
        stage: Stage,
        new_status: Status,
        *,
        approved: bool,
        decided_by: Identity,
        decided_by_name: str,
        reason: str = "",
        at: datetime | None = None,
    ) -> Decision:
        """Record a stage's decision exactly once; raises AlreadyDecided or IllegalTransition."""
        at = at or utcnow()
        verdict = "approved" if approved else "rejected"
        try:
            with self._sessions.begin() as session:
                self._conditional_update(session, request, new_status, at)
                row = DecisionRow(
                    request_id=request.id,
                    stage=stage.value,
                    decision=verdict,
                    decided_by=str(decided_by),
                    decided_by_name=decided_by_name,
                    reason=reason,
                    decided_at=at,
                )
                session.add(row)
                session.flush()
                comment = f"{stage.value}: {reason}" if reason else stage.value
                session.add(self._audit_row(request.id, decided_by, verdict, comment, at))
                return _decision(row)
        except (_Conflict, IntegrityError):
            existing = self.decision(request.id, stage)
            if existing is not None:
                raise self.already_decided(existing) from None
            current = self.get_request(request.id)
            raise IllegalTransition(
                f"request #{request.id} is {current.status.value}, no longer {request.status.value}"
            ) from None

    def claim_reminder(
        self, request_id: int, stage: Stage, period: int, *, at: datetime | None = None
    ) -> bool:
        """True exactly once per (request, stage, period), across processes."""
        at = at or utcnow()
        try:
            with self._sessions.begin() as session:
                session.add(
                    ReminderRow(request_id=request_id, stage=stage.value, period=period, sent_at=at)
                )
                session.flush()
                session.add(self._audit_row(request_id, "assistant", "reminded", stage.value, at))
        except IntegrityError:
            return False
        return True

    @staticmethod
    def already_decided(decision: Decision) -> AlreadyDecided:
        """The error for a second decision on ``decision``'s stage."""
        verdict = "approved" if decision.approved else "rejected"
        return AlreadyDecided(
            f"request #{decision.request_id} {decision.stage.value} already {verdict}",
            decided_by=decision.decided_by_name,
            decision=verdict,
            decided_at=decision.decided_at.isoformat(),
        )

    @staticmethod
    def _conditional_update(
        session: Session, request: ApprovalRequest, new_status: Status, at: datetime
    ) -> None:
        result = session.execute(
            update(RequestRow)
            .where(
                RequestRow.id == request.id,
                RequestRow.status == request.status.value,
                RequestRow.version == request.version,
            )
            .values(status=new_status.value, version=RequestRow.version + 1, updated_at=at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise _Conflict

    @staticmethod
    def _audit_row(
        request_id: int, actor: Identity | str, event_type: str, comment: str, at: datetime
    ) -> AuditEventRow:
        return AuditEventRow(
            request_id=request_id, at=at, actor=str(actor), event_type=event_type, comment=comment
        )
