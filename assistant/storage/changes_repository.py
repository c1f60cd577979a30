"""Requests sent back for changes, and their resubmission, each in one transaction.

Sending back records the stage, who, the note and the answers as they were, with an audit
line; the request keeps its number and status (the stage stays the one to decide). A
resubmission replaces the answers only if the request is still pending, still sent back
and unchanged since it was read, closes the send-back, deletes the requester's draft and
adds its audit line, all together, so a double click resubmits once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import IllegalTransition
from assistant.messages import Identity
from assistant.storage.models import AuditEventRow, RequestRow, SentBackRow
from assistant.storage.records import ApprovalRequest
from assistant.storage.request_repository import consume_draft, utcnow
from assistant.workflow.stages import Stage


@dataclass(frozen=True)
class SentBack:
    """An open (or closed) send-back of one request."""

    request_id: int
    stage: Stage
    by: Identity
    by_name: str
    note: str
    previous_answers: dict[str, Any]
    at: datetime
    resubmitted_at: datetime | None


def _sent_back(row: SentBackRow) -> SentBack:
    return SentBack(
        request_id=row.request_id,
        stage=Stage(row.stage),
        by=Identity.parse(row.by),
        by_name=row.by_name,
        note=row.note,
        previous_answers=json.loads(row.previous_answers),
        at=row.at,
        resubmitted_at=row.resubmitted_at,
    )


def _touch(session: Session, request: ApprovalRequest, at: datetime, **values: Any) -> None:
    """Bump the request's version (and set ``values``) if nobody changed it since it was
    read; IllegalTransition otherwise."""
    touched = session.execute(
        update(RequestRow)
        .where(
            RequestRow.id == request.id,
            RequestRow.status == request.status.value,
            RequestRow.version == request.version,
        )
        .values(version=RequestRow.version + 1, updated_at=at, **values)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount != 1:  # type: ignore[attr-defined]
        raise IllegalTransition(f"request #{request.id} changed meanwhile")


class ChangesRepository:
    """Storage of send-backs; who may send back and what people are told live in the workflow."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def send_back(
        self,
        request: ApprovalRequest,
        stage: Stage,
        *,
        by: Identity,
        by_name: str,
        note: str,
        at: datetime | None = None,
    ) -> SentBack:
        """Open a send-back of ``request`` at ``stage``; IllegalTransition when the request
        changed since it was read or is sent back already."""
        at = at or utcnow()
        with self._sessions.begin() as session:
            if self._open(session, request.id) is not None:
                raise IllegalTransition(f"request #{request.id} is sent back already")
            _touch(session, request, at)
            row = SentBackRow(
                request_id=request.id,
                stage=stage.value,
                by=str(by),
                by_name=by_name,
                note=note,
                previous_answers=json.dumps(request.answers, sort_keys=True),
                at=at,
            )
            session.add(row)
            session.add(
                AuditEventRow(
                    request_id=request.id,
                    at=at,
                    actor=str(by),
                    event_type="sent_back",
                    comment=f"{stage.value}: {note}",
                )
            )
            session.flush()
            return _sent_back(row)

    def open_send_back(self, request_id: int) -> SentBack | None:
        """The request's send-back waiting for the requester, if any."""
        with self._sessions() as session:
            row = self._open(session, request_id)
            return _sent_back(row) if row is not None else None

    def resubmit(
        self,
        request: ApprovalRequest,
        answers: dict[str, Any],
        *,
        by: Identity,
        from_draft: bool,
        at: datetime | None = None,
    ) -> SentBack:
        """Replace the answers of a sent-back request and close its send-back; the closed
        send-back. AlreadySubmitted when the draft is gone (a second click), IllegalTransition
        when the request is no longer sent back or changed meanwhile."""
        at = at or utcnow()
        with self._sessions.begin() as session:
            row = self._open(session, request.id)
            if row is None:
                raise IllegalTransition(f"request #{request.id} is not sent back for changes")
            if from_draft:
                consume_draft(session, by)
            _touch(session, request, at, answers=json.dumps(answers, sort_keys=True))
            row.resubmitted_at = at
            session.add(
                AuditEventRow(
                    request_id=request.id,
                    at=at,
                    actor=str(by),
                    event_type="resubmitted",
                    comment=row.stage,
                )
            )
            session.flush()
            return _sent_back(row)

    @staticmethod
    def _open(session: Session, request_id: int) -> SentBackRow | None:
        return session.scalars(
            select(SentBackRow).where(
                SentBackRow.request_id == request_id, SentBackRow.resubmitted_at.is_(None)
            )
        ).first()
