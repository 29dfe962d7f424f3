"""the shift: shifts, the shift log (append-only) and signed handover reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("lead", sa.String(length=128), nullable=False),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_to", sa.String(length=128), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shifts_opened_at", "shifts", ["opened_at"])
    op.create_table(
        "shift_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shift_id", sa.Integer(), sa.ForeignKey("shifts.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("feed", sa.String(length=64), nullable=True),
        sa.Column("corrects", sa.Integer(), sa.ForeignKey("shift_log.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shift_log_at", "shift_log", ["at"])
    op.create_table(
        "shift_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shift_id", sa.Integer(), sa.ForeignKey("shifts.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_out_by", sa.String(length=128), nullable=True),
        sa.Column("signed_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_in_by", sa.String(length=128), nullable=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_items_confirmed", sa.Boolean(), nullable=True),
        sa.Column("prev_seal", sa.String(length=64), nullable=True),
        sa.Column("seal", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shift_reports_shift", "shift_reports", ["shift_id"])


def downgrade() -> None:
    op.drop_index("ix_shift_reports_shift", table_name="shift_reports")
    op.drop_table("shift_reports")
    op.drop_index("ix_shift_log_at", table_name="shift_log")
    op.drop_table("shift_log")
    op.drop_index("ix_shifts_opened_at", table_name="shifts")
    op.drop_table("shifts")
