"""the desk's own log (alarm tests, check-ins, sound failures)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_desk_log_at", "desk_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_desk_log_at", table_name="desk_log")
    op.drop_table("desk_log")
