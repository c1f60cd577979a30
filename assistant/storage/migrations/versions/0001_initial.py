"""Create every table: drafts, requests, decisions, audit trail, deliveries, references,
answers, feedback and reminders; make the audit trail append-only.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.storage.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = (
    "PENDING_LINE_MANAGER",
    "PENDING_SENIOR_MANAGER",
    "PENDING_PRINCIPAL",
    "APPROVED",
    "REJECTED",
    "WITHDRAWN",
)
STAGES = ("line_manager", "senior_manager", "principal")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("identity", sa.String(200), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("identity", name="pk_drafts"),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_requests_status"),
    )
    op.create_index("ix_requests_requester", "requests", ["requester"])
    op.create_index("ix_requests_status", "requests", ["status"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_by_name", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_decisions_request_id_requests"
        ),
        sa.UniqueConstraint("request_id", "stage", name="uq_decisions_request_stage"),
        sa.CheckConstraint(_in("stage", STAGES), name="ck_decisions_stage"),
        sa.CheckConstraint(_in("decision", ("approved", "rejected")), name="ck_decisions_decision"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_audit_events_request_id_requests"
        ),
    )
    op.create_index("ix_audit_events_request_id", "audit_events", ["request_id"])
    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("seen_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_deliveries"),
    )
    op.create_table(
        "platform_refs",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_platform_refs"),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("asker", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("clause_ids", sa.Text, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
    )
    op.create_table(
        "feedback",
        sa.Column("answer_id", sa.Integer, nullable=False),
        sa.Column("identity", sa.String(200), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("answer_id", "identity", name="pk_feedback"),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name="fk_feedback_answer_id_answers"
        ),
    )
    op.create_table(
        "reminders",
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("request_id", "stage", "period", name="pk_reminders"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_reminders_request_id_requests"
        ),
    )
    _append_only_audit()


def _append_only_audit() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    for table in (
        "reminders",
        "feedback",
        "answers",
        "platform_refs",
        "deliveries",
        "audit_events",
        "decisions",
        "requests",
        "drafts",
    ):
        op.drop_table(table)
