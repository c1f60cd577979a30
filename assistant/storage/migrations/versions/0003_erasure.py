"""Let erasure and retention replace people in the audit trail, and nothing else.

The audit trail stays append-only: a row can never be deleted, and an update is refused
unless it only replaces the actor with an ``erased:`` tombstone and/or the comment with one
ending in ``(erased)``, keeping the request, moment and event as they were.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ONLY_ERASURE = (
    "NEW.id = OLD.id AND NEW.request_id = OLD.request_id AND NEW.at = OLD.at "
    "AND NEW.event_type = OLD.event_type "
    "AND (NEW.actor = OLD.actor OR NEW.actor LIKE 'erased:%') "
    "AND (NEW.comment = OLD.comment OR NEW.comment LIKE '%(erased)')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            f"WHEN NOT ({_ONLY_ERASURE}) "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' AND {_ONLY_ERASURE} THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'audit_events is append-only'; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
    )
