"""Alembic environment: runs on the connection the desk hands over (see services.db.migrate)."""

from __future__ import annotations

from alembic import context

from services.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the desk runs migrations, always with a connection
    raise RuntimeError("run migrations through services.db.migrate(engine)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
