"""position history indexed by time, not by subject

A (subject, at) index put each of a batch's positions on another page (one per elder): two
hundred page writes to every commit's log, half of all the ingest wrote. An (at, subject) index
grows at its end, still finds one subject's last hour for the map's trail, and serves the
retention purge (positions older than so many days) that had to read the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:00:00.000000
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_positions_subject_at", table_name="positions")
    op.create_index("ix_positions_at_subject", "positions", ["at", "subject"])


def downgrade() -> None:
    op.drop_index("ix_positions_at_subject", table_name="positions")
    op.create_index("ix_positions_subject_at", "positions", ["subject", "at"])
