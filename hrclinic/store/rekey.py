"""Changing the database's key (key rotation) so that a kill at any moment leaves a file that opens.

``PRAGMA rekey`` rewrites the file in place; its crash safety is not established. Instead the
database is exported (``sqlcipher_export``) into a new file beside it under the new key, the new
file is fsynced, every connection is closed, and it replaces the old one with one ``os.replace``
(then the folder is fsynced). A kill before the replace leaves the old file (old key), after it the
new file (new key); whoever holds both keys finishes the job, and the clinic opens with either.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy import Engine

from hrclinic.errors import DatabaseDamaged, HrclinicError
from hrclinic.store.engine import open_sqlcipher, sqlcipher_engine

REKEY_SUFFIX = ".rekey"


class DatabaseInUse(HrclinicError):
    """Another program (or computer) has the clinic's database open, so it cannot be replaced now."""


def _no_checkpoint(_name: str) -> None:
    return None


# Called with a step's name as the rekey passes it ("exported", "replaced"); tests that kill a
# rotation at chosen moments replace it in the child process. Nothing else sets it.
checkpoint: Callable[[str], None] = _no_checkpoint


def opens_with(path: Path, key: bytes) -> bool:
    """True when the database at ``path`` opens with ``key``."""
    try:
        open_sqlcipher(path, key).close()
    except DatabaseDamaged:
        return False
    return True


def engine_with_any_key(path: Path, keys: Sequence[bytes]) -> tuple[Engine, bytes]:
    """The engine of the database with the first of ``keys`` (newest first) it opens with, and that key.

    During a key rotation the file is under the old key until it is replaced, then under the new one;
    a ring that holds both opens it in either state."""
    failure: DatabaseDamaged | None = None
    for key in dict.fromkeys(keys):
        try:
            return sqlcipher_engine(path, key), key
        except DatabaseDamaged as exc:
            failure = failure or exc
    raise failure or DatabaseDamaged(f"No key was given to open {path}.")


def rekey_database(path: Path, old_key: bytes, new_key: bytes) -> bool:
    """Put the database at ``path`` under ``new_key``; returns False when it already was.

    Every connection this process has to the file must be closed first (dispose its engine). Refuses
    with DatabaseInUse, changing nothing, while another program has the database open.
    """
    with _exclusive(path):
        if opens_with(path, new_key):
            return False  # a run killed after its replace, or another session, finished it
        staged = path.with_name(path.name + REKEY_SUFFIX)
        _remove_staged(staged)
        conn = open_sqlcipher(path, old_key)
        conn.isolation_level = None
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy and busy[0]:
                raise _in_use()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\"", (str(staged),))
            conn.execute("SELECT sqlcipher_export('rekeyed')")
            conn.execute(f"PRAGMA rekeyed.user_version = {version}")
            conn.execute("DETACH DATABASE rekeyed")
        except BaseException:
            conn.close()
            _remove_staged(staged)
            raise
        conn.close()
        try:
            check = open_sqlcipher(staged, new_key)  # also turns on WAL mode in the new file's header
            check.close()
            _fsync(staged)
            # the last connection to close removes the -wal and -shm files; still there means that
            # another program has the database open and would keep writing to the replaced file
            if any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm")):
                raise _in_use()
        except BaseException:
            _remove_staged(staged)
            raise
        checkpoint("exported")
        os.replace(staged, path)
        _fsync_folder(path.parent)
        checkpoint("replaced")
        return True


def remove_leftovers(path: Path) -> None:
    """Remove a half-written export left by a killed rekey (never the database itself)."""
    _remove_staged(path.with_name(path.name + REKEY_SUFFIX))


def _in_use() -> DatabaseInUse:
    return DatabaseInUse(
        "Another hrclinic window (or computer) has this clinic open, so its database key cannot be "
        "changed now. Close it; the change finishes the next time an owner or clinician logs in."
    )


def _remove_staged(staged: Path) -> None:
    for name in (staged, *(staged.with_name(staged.name + s) for s in ("-wal", "-shm", "-journal"))):
        name.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One rekey at a time across processes (an advisory lock where the system has one)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one process per clinic is the supported case
        yield
        return
    lock_path = path.with_name(path.name + ".rekey-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
