"""Keep each person's last question per conversation, so a follow-up can be read with it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.storage.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "earlier_questions",
        sa.Column("identity", sa.String(200), nullable=False),
        sa.Column("conversation", sa.String(300), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("asked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("identity", "conversation", name="pk_earlier_questions"),
    )
    op.create_index("ix_earlier_questions_asked_at", "earlier_questions", ["asked_at"])


def downgrade() -> None:
    op.drop_index("ix_earlier_questions_asked_at", table_name="earlier_questions")
    op.drop_table("earlier_questions")
