"""The outbox table: effects waiting for a platform, claimed by one worker at a time.

A worker claims a row with a conditional UPDATE (still pending, due, and nobody's lease
running), so two workers never deliver the same row at once; a worker that dies mid-way
loses its lease and the row is delivered again (at least once). A failed attempt waits
``RETRY_AFTER_S[n]`` before the next; after the last, or a failure no retry can mend (the
bot is not in the channel), the row is ``failed`` and its problem kept (a log-safe reason,
never message text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.effect_codec import decode, encode
from assistant.messages import Effect
from assistant.storage.models import OutboxRow
from assistant.storage.request_repository import utcnow

# Seconds before attempts 2, 3, ... (about 2.5 hours in all); then the row has failed.
RETRY_AFTER_S = (15.0, 60.0, 300.0, 1800.0, 7200.0)
LEASE = timedelta(seconds=120)


@dataclass(frozen=True)
class Outgoing:
    """One effect to add to the outbox."""

    platform: str
    effect: Effect
    target: str = ""  # the identity or channel it goes to (for erasure and the CLI)
    request_id: int | None = None
    purpose: str = ""  # "ask:<stage>" when it asks a stage to decide ``request_id``


@dataclass(frozen=True)
class Delivery:
    """A claimed row: deliver ``effect`` on ``platform``, then report how it went."""

    id: int
    platform: str
    effect: Effect
    request_id: int | None
    purpose: str
    attempts: int  # including this one


@dataclass(frozen=True)
class OutboxEntry:
    """A row as ``assistant outbox list`` shows it (no message text)."""

    id: int
    platform: str
    kind: str
    target: str
    request_id: int | None
    purpose: str
    state: str
    attempts: int
    problem: str
    created_at: datetime


class OutboxRepository:
    """Storage of the outbox; what to send and who to tell live in :mod:`assistant.outbox`."""

    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        *,
        retry_after: Sequence[float] = RETRY_AFTER_S,
    ) -> None:
        self.engine = engine
        self._sessions = sessions
        self.retry_after = tuple(retry_after)

    def add(self, items: Sequence[Outgoing], *, now: datetime | None = None) -> list[int]:
        """Store ``items`` as pending, due now; their ids in order."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            rows = [
                OutboxRow(
                    platform=item.platform,
                    effect=encode(item.effect),
                    target=item.target,
                    request_id=item.request_id,
                    purpose=item.purpose,
                    state="pending",
                    attempts=0,
                    next_at=now,
                    problem="",
                    created_at=now,
                )
                for item in items
            ]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def due(self, *, limit: int = 50, now: datetime | None = None) -> list[int]:
        """Ids of pending rows that are due and not being delivered, oldest first."""
        now = now or utcnow()
        query = (
            select(OutboxRow.id)
            .where(OutboxRow.state == "pending", OutboxRow.next_at <= now, _free(now))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        with self._sessions() as session:
            return list(session.scalars(query))

    def claim(self, row_id: int, *, now: datetime | None = None) -> Delivery | None:
        """Take row ``row_id`` for delivery, or None when it is not pending, not due or
        another worker holds it."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            taken = session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == row_id,
                    OutboxRow.state == "pending",
                    OutboxRow.next_at <= now,
                    _free(now),
                )
                .values(claimed_until=now + LEASE, attempts=OutboxRow.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = session.get(OutboxRow, row_id)
            assert row is not None
            return Delivery(
                id=row.id,
                platform=row.platform,
                effect=decode(row.effect),
                request_id=row.request_id,
                purpose=row.purpose,
                attempts=row.attempts,
            )

    def sent(self, row_id: int, *, now: datetime | None = None) -> None:
        """The platform took row ``row_id``."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id)
                .values(state="sent", claimed_until=None, done_at=now, problem="")
            )

    def not_sent(
        self, row_id: int, problem: str, *, final: bool, now: datetime | None = None
    ) -> bool:
        """An attempt at row ``row_id`` failed; True when it will not be tried again."""
        now = now or utcnow()
        with self._sessions.begin() as session:
            row = session.get(OutboxRow, row_id)
            if row is None:
                return True
            final = final or row.attempts > len(self.retry_after)
            row.problem = problem[:200]
            row.claimed_until = None
            if final:
                row.state, row.done_at = "failed", now
            else:
                wait = self.retry_after[max(0, row.attempts - 1)]
                row.next_at = now + timedelta(seconds=wait)
            return final

    def states(self, request_id: int, purpose: str) -> dict[str, int]:
        """How many rows of this request and purpose are pending, sent and failed."""
        query = (
            select(OutboxRow.state, func.count())
            .where(OutboxRow.request_id == request_id, OutboxRow.purpose == purpose)
            .group_by(OutboxRow.state)
        )
        with self._sessions() as session:
            found = {state: int(n) for state, n in session.execute(query)}
        return {state: found.get(state, 0) for state in ("pending", "sent", "failed")}

    def entries(self, *, states: Iterable[str] | None = None) -> list[OutboxEntry]:
        """Rows for the command line, oldest first."""
        query = select(OutboxRow).order_by(OutboxRow.id)
        if states is not None:
            query = query.where(OutboxRow.state.in_(list(states)))
        with self._sessions() as session:
            return [
                OutboxEntry(
                    id=row.id,
                    platform=row.platform,
                    kind=decode(row.effect).__class__.__name__,
                    target=row.target,
                    request_id=row.request_id,
                    purpose=row.purpose,
                    state=row.state,
                    attempts=row.attempts,
                    problem=row.problem,
                    created_at=row.created_at,
                )
                for row in session.scalars(query)
            ]

    def retry(self, row_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> int:
        """Make failed rows (these, or all) pending and due again; how many."""
        now = now or utcnow()
        statement = update(OutboxRow).where(OutboxRow.state == "failed")
        if row_ids is not None:
            statement = statement.where(OutboxRow.id.in_(list(row_ids)))
        with self._sessions.begin() as session:
            result = session.execute(
                statement.values(state="pending", attempts=0, next_at=now, done_at=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def counts(self) -> dict[str, int]:
        """Rows per state (for /metrics)."""
        with self._sessions() as session:
            found = dict(
                session.execute(
                    select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
                ).all()
            )
        return {state: int(found.get(state, 0)) for state in ("pending", "sent", "failed")}

    def purge(self, older_than: datetime, *, session: Session | None = None) -> int:
        """Delete rows whose delivery ended before ``older_than`` (they hold message text)."""
        statement = delete(OutboxRow).where(
            OutboxRow.state != "pending", OutboxRow.done_at < older_than
        )
        if session is not None:
            return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
        with self._sessions.begin() as own:
            return int(own.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now)
