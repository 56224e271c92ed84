"""Engines: the SQLCipher file of an embedded clinic (and, for comparison, plain SQLite)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from hrclinic.errors import DatabaseDamaged, NotAClinic, StorageFull

KEY_BYTES = 32


def _pragmas(conn: Any) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 5000")
    cur.close()


def open_sqlcipher(path: Path, key: bytes) -> Any:
    """A raw SQLCipher connection keyed with a raw 256-bit key, checked at once."""
    if len(key) != KEY_BYTES:
        raise ValueError("the database key must be 32 bytes")
    conn = sqlcipher3.connect(str(path), check_same_thread=False)
    try:
        cur = conn.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        cur.close()
        _pragmas(conn)
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise DatabaseDamaged(
            f"The database {path} does not open with this clinic's key: it belongs to another "
            f"clinic or is damaged ({exc})."
        ) from None
    return conn


def sqlcipher_engine(path: Path, key: bytes, *, create: bool = False, pool_size: int = 4) -> Engine:
    """The engine of an embedded clinic. ``create`` allows making a new file."""
    if not create and not path.is_file():
        raise NotAClinic(f"There is no clinic database at {path}.")
    if create and path.exists():
        raise NotAClinic(f"A file already exists at {path}; not overwriting it.")
    open_sqlcipher(path, key).close()  # fail here, with a clear message, on a wrong key
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,
        creator=lambda: open_sqlcipher(path, key),
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=2,
    )
    _install_transaction_handling(engine)
    return engine


def plain_sqlite_engine(path: Path) -> Engine:
    """An unencrypted SQLite engine with the same settings (benchmark comparisons and tests)."""

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), check_same_thread=False)
        _pragmas(conn)
        return conn

    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool, pool_size=4, max_overflow=2)
    _install_transaction_handling(engine)
    return engine


def _install_transaction_handling(engine: Engine) -> None:
    """Let SQLAlchemy, not the driver, begin transactions (SQLAlchemy's documented pysqlite recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_READ_SNAPSHOT):
            conn.exec_driver_sql("BEGIN DEFERRED")  # a reader (``read_snapshot``) takes no write lock
            return
        # IMMEDIATE takes the write lock at the start (waiting up to busy_timeout), so two units of
        # work that both append to the audit chain queue up instead of failing with "locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_READ_SNAPSHOT = "hrclinic_read_snapshot"


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Session]:
    """A session that only reads (its transaction takes no write lock; WAL gives it the last committed
    state). Safe while this thread's own unit of work holds the write lock, where a second unit of
    work would wait for itself until "database is locked"."""
    with engine.connect().execution_options(**{_READ_SNAPSHOT: True}) as conn, Session(bind=conn) as session:
        yield session


def is_disk_full(exc: BaseException) -> bool:
    """True when a driver error means the disk or quota is full."""
    text = str(exc).lower()
    return "database or disk is full" in text or "disk i/o error" in text or "no space" in text


def storage_full_error() -> StorageFull:
    """The message for a failed write because of a full disk."""
    return StorageFull("The disk is full, so nothing was saved. Free some space, then save again.")


def sqlcipher_versions() -> tuple[str, str]:
    """(SQLCipher version, SQLite version) of the bundled driver."""
    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        return (str(cipher[0]) if cipher else "unknown", sqlcipher3.sqlite_version)
    finally:
        conn.close()
