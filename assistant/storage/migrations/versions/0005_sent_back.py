"""Send back for changes: a stage returns a request to its requester with a note.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.storage.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_back",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("by_name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("previous_answers", sa.Text, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("resubmitted_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sent_back"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_sent_back_request_id_requests"
        ),
    )
    op.create_index("ix_sent_back_request_id", "sent_back", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_sent_back_request_id", table_name="sent_back")
    op.drop_table("sent_back")
