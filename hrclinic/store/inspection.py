"""Looking at a database file itself (SQL text the ORM cannot express): what it holds, whether it is whole.

The store is the only layer that runs SQL text; services ask these questions and decide what the
answers mean for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text


@dataclass(frozen=True)
class StoredClinic:
    """What a database file says about the clinic in it, read before anything is written."""

    complete: bool  # the clinic and alembic_version tables exist (False: empty or never finished)
    clinic_id: str | None  # the id in the clinic table (None when there is no row)


@dataclass(frozen=True)
class DatabaseHealth:
    """SQLite's and SQLCipher's own checks of every page, and the schema revision the file is at."""

    integrity: list[str]  # ["ok"] when whole
    cipher: list[str]  # empty when every encrypted page authenticates
    revision: str | None


def stored_clinic(engine: Engine) -> StoredClinic:
    """Which clinic this database holds, without writing anything."""
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
        if "clinic" not in tables or "alembic_version" not in tables:
            return StoredClinic(complete=False, clinic_id=None)
        stored = conn.execute(text("SELECT id FROM clinic")).scalar_one_or_none()
    return StoredClinic(complete=True, clinic_id=None if stored is None else str(stored))


def database_health(engine: Engine) -> DatabaseHealth:
    """Run the integrity checks over the whole file (driver errors propagate: the file is damaged)."""
    with engine.connect() as conn:
        integrity = [str(row[0]) for row in conn.execute(text("PRAGMA integrity_check"))]
        cipher = [str(row[0]) for row in conn.execute(text("PRAGMA cipher_integrity_check"))]
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    return DatabaseHealth(integrity, cipher, None if revision is None else str(revision))
