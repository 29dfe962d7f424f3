"""a stream's seq and a feed's cursor hold 64-bit numbers

CES/1 says only that seq is a positive integer: a server that numbers its events by time
(1733300000000, …) passes 2^31 at once, and PostgreSQL's INTEGER refused every such frame, even
quarantined. SQLite's INTEGER is 64-bit already: nothing changes there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("events", "seq", type_=sa.BigInteger(), existing_type=sa.Integer())
        op.alter_column("feeds", "cursor", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("events", "seq", type_=sa.Integer(), existing_type=sa.BigInteger())
        op.alter_column("feeds", "cursor", type_=sa.Integer(), existing_type=sa.BigInteger())
