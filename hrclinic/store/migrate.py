"""Bringing a clinic's database to the current schema, with a copy taken before any upgrade."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from hrclinic.paths import migrations_dir


@dataclass(frozen=True)
class MigrationResult:
    """What opening the database did to its schema."""

    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def upgraded(self) -> bool:
        """True when the schema changed."""
        return self.from_revision != self.to_revision


def _config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this version of hrclinic knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations are installed")
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(
    engine: Engine, *, database: Path | None, backups: Path | None, target: str = "head"
) -> MigrationResult:
    """Upgrade to ``target``; copy the database file into ``backups`` first when it has data."""
    from alembic import command

    before = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if before == wanted:
        return MigrationResult(before, wanted, None)
    backup = None
    if before is not None and database is not None and backups is not None:
        backup = _copy_before_upgrade(engine, database, backups, before)
    with engine.begin() as conn:
        command.upgrade(_config(conn), target)
    return MigrationResult(before, wanted, backup)


def _copy_before_upgrade(engine: Engine, database: Path, backups: Path, revision: str) -> Path:
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backups / f"clinic-before-upgrade-from-{revision}-{stamp}.db"
    with engine.connect() as conn:
        # outside any transaction (the driver connection is in autocommit mode), so the checkpoint
        # can fold the whole WAL into the file before it is copied
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(database, target)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    return target
