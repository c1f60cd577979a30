"""Delegations made by command (``assistant delegate``), beside those in the configuration."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.delegation import Delegation
from assistant.errors import NotFound
from assistant.storage.models import DelegationRow
from assistant.storage.request_repository import utcnow


def _delegation(row: DelegationRow) -> Delegation:
    return Delegation(
        frm=row.from_key, to=row.to_key, start=row.start_date, end=row.end_date, id=row.id
    )


class DelegationRepository:
    """Storage of delegations; what they allow lives in :mod:`assistant.workflow.approvers`."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(
        self, frm: str, to: str, start: date, end: date, *, at: datetime | None = None
    ) -> Delegation:
        """Keep a new delegation; its id."""
        with self._sessions.begin() as session:
            row = DelegationRow(
                from_key=frm, to_key=to, start_date=start, end_date=end, created_at=at or utcnow()
            )
            session.add(row)
            session.flush()
            return _delegation(row)

    def current(self, day: date | None = None) -> list[Delegation]:
        """Delegations not ended by command (covering ``day``, when given)."""
        query = select(DelegationRow).where(DelegationRow.ended_at.is_(None))
        if day is not None:
            query = query.where(DelegationRow.start_date <= day, DelegationRow.end_date >= day)
        with self._sessions() as session:
            return [_delegation(r) for r in session.scalars(query.order_by(DelegationRow.id))]

    def end(self, delegation_id: int, *, at: datetime | None = None) -> None:
        """End a delegation now; NotFound when there is no such current one."""
        with self._sessions.begin() as session:
            done = session.execute(
                update(DelegationRow)
                .where(DelegationRow.id == delegation_id, DelegationRow.ended_at.is_(None))
                .values(ended_at=at or utcnow())
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFound(f"no current delegation #{delegation_id}")
