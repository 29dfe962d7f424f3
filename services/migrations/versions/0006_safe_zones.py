"""safe zones drawn on the map: an elder's polygon (it replaces home + radius while it exists)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safe_zones",
        sa.Column("elder", sa.String(length=128), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(length=128), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("elder"),
    )


def downgrade() -> None:
    op.drop_table("safe_zones")
