"""Tables of the assistant's database (SQLAlchemy 2 declarative mapping).

The schema itself is created by the Alembic revisions in ``migrations/versions``; these
classes describe it for queries and must stay in step with the newest revision.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

STATUSES = (
    "PENDING_LINE_MANAGER",
    "PENDING_SENIOR_MANAGER",
    "PENDING_PRINCIPAL",
    "APPROVED",
    "REJECTED",
    "WITHDRAWN",
)
STAGE_NAMES = ("line_manager", "senior_manager", "principal")
DECISIONS = ("approved", "rejected")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC: stored without zone in SQLite, always read back zone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING)


class DraftRow(Base):
    """One open form draft per person."""

    __tablename__ = "drafts"
    identity: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EarlierQuestionRow(Base):
    """A person's last question in one conversation, kept briefly to read a follow-up with."""

    __tablename__ = "earlier_questions"
    identity: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(300), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class RequestRow(Base):
    """A submitted site-creation request (Appendix B) and where it stands."""

    __tablename__ = "requests"
    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requester: Mapped[str] = mapped_column(String(200), index=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    answers: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DecisionRow(Base):
    """A stage's decision; the unique constraint lets each stage be decided once."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("request_id", "stage", name="uq_decisions_request_stage"),
        CheckConstraint(_in("stage", STAGE_NAMES), name="stage"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    stage: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_by_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEventRow(Base):
    """One line of a request's audit trail; the database refuses updates and deletes."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")


class DeliveryRow(Base):
    """A platform delivery already handled (for retry de-duplication)."""

    __tablename__ = "deliveries"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlatformRefRow(Base):
    """A platform reference: a posted message to update later, a Teams conversation."""

    __tablename__ = "platform_refs"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AnswerRow(Base):
    """A policy question the assistant answered (or declined to)."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asker: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    clause_ids: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class FeedbackRow(Base):
    """One person's vote on one answer; a later vote replaces the earlier one."""

    __tablename__ = "feedback"
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), primary_key=True)
    identity: Mapped[str] = mapped_column(String(200), primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReminderRow(Base):
    """A reminder sent for a stage in one reminder period (so it goes once a period)."""

    __tablename__ = "reminders"
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


OUTBOX_STATES = ("pending", "sent", "failed")


class OutboxRow(Base):
    """An effect waiting to be delivered to a platform, or how its delivery ended.

    ``purpose`` is ``ask:<stage>`` for a post or message asking a stage to decide request
    ``request_id`` (so the requester can be told when it reached someone, or why not).
    ``claimed_until``: a worker is delivering it until then; after that another may.
    """

    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint(_in("state", OUTBOX_STATES), name="state"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    effect: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(String(300), default="")
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    purpose: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    problem: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SentBackRow(Base):
    """A stage's "send back for changes": open until the requester resubmits.

    ``previous_answers`` keeps the answers as they were sent back, so the record shows what
    changed. While one is open the stage cannot be decided and nobody is reminded.
    """

    __tablename__ = "sent_back"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(200))
    by_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    previous_answers: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    resubmitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DelegationRow(Base):
    """A delegation made by command: ``to_key`` decides for ``from_key`` over the dates."""

    __tablename__ = "delegations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_key: Mapped[str] = mapped_column(String(200))
    to_key: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
