"""Alembic environment: hrclinic passes its own keyed connection (SQLCipher or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from hrclinic.store.records import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("hrclinic runs migrations through its own keyed connection (hrclinic.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
