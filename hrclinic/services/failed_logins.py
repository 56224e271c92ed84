"""Failed log-ins happen while the database is locked: they wait in a small file beside it and
enter the audit chain at the next successful unlock (signed by the person who unlocks).

The same file slows down guessing: after a few failures an account waits a little longer before
each further attempt is tried. Anyone who can write the clinic folder can write this file, so it
is read as untrusted input: a line that is not exactly what ``note_failed_login`` writes is
skipped and counted (the count is audited), and nothing in it can stop anyone logging in or make
a wait longer than the longest one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from hrclinic.domain.accounts import normalise_username, seconds_until_next_attempt, username_problem
from hrclinic.domain.audit import AuditAction
from hrclinic.services.audit import append_event
from hrclinic.vault.signing import AuditSigner

MAX_PENDING = 10_000  # entries kept (the newest); older ones were long since imported or are junk
MAX_LINE_BYTES = 1_024  # a real entry is ~150 bytes; anything longer is not one of ours
MAX_READ_BYTES = 4 * 1024 * 1024  # a larger file is read from its end
FAILURE_WINDOW = timedelta(minutes=15)  # failures older than this no longer slow anyone down
CLOCK_SKEW = timedelta(minutes=1)  # entries dated further ahead than this never slow anyone down
_LOCK_WAIT_SECONDS = 2.0
_REASON_RE = re.compile(r"^[a-z_]{1,40}$")


def utc_now() -> datetime:
    """The time every failed-log-in rule measures against (tests replace it with a fake clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class FailedLogin:
    """One readable line of the file."""

    key: str  # a digest of the line as stored: how a later rewrite finds it again
    at: datetime
    username: str  # "" for a name that is not an account (the typed name is never kept)
    reason: str
    imported: bool  # already in the audit chain; kept only while it still counts for the wait
    cleared: bool  # the account logged in successfully afterwards: no longer counts for the wait


@dataclass(frozen=True)
class FailedLoginFile:
    """What the file holds: readable entries, and the digests of lines that could not be read."""

    entries: tuple[FailedLogin, ...] = ()
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ImportedFailures:
    """What one unlock moved into the audit chain (entries) and reported as unreadable (lines)."""

    keys: frozenset[str] = frozenset()
    unreadable: frozenset[str] = frozenset()


def note_failed_login(path: Path, username: str, reason: str, *, at: datetime | None = None) -> None:
    """Remember a failed attempt for a known account; an unknown name is not recorded as typed
    (people sometimes type their password into the user-name box)."""
    line = json.dumps(
        {"at": (at or utc_now()).astimezone(UTC).isoformat(), "username": username[:64], "reason": reason}
    )
    try:
        with _locked(path):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    except OSError:
        pass  # a full or read-only disk must not stop the person from trying again


def login_wait(path: Path, username: str, *, now: datetime | None = None) -> int:
    """Seconds ``username`` must still wait before an attempt is tried (0: try it now).

    The wait grows with the failures since the account's last successful log-in within
    ``FAILURE_WINDOW`` and runs from the last of them; nothing in the file can make it longer
    than ``MAX_LOGIN_DELAY_SECONDS``.
    """
    if not username:
        return 0
    now = now or utc_now()
    failures, last = recent_failures(path, username, now=now)
    return seconds_until_next_attempt(failures, last, now)


def recent_failures(path: Path, username: str, *, now: datetime | None = None) -> tuple[int, datetime | None]:
    """How many failures of ``username`` count for the wait now, and when the last one was."""
    now = now or utc_now()
    earliest, latest = now - FAILURE_WINDOW, now + CLOCK_SKEW
    times = [
        entry.at
        for entry in read_failed_logins(path).entries
        if entry.username == username and not entry.cleared and earliest <= entry.at <= latest
    ]
    return len(times), max(times, default=None)


def read_failed_logins(path: Path) -> FailedLoginFile:
    """Every line that reads as one of ours; anything else is counted, never trusted, never fatal."""
    entries: list[FailedLogin] = []
    unreadable: set[str] = set()
    for raw in _raw_lines(path):
        entry = _parse(raw)
        if entry is None:
            unreadable.add(_digest(raw))
        else:
            entries.append(entry)
    return FailedLoginFile(tuple(entries[-MAX_PENDING:]), frozenset(unreadable))


def import_failed_logins(path: Path, session: Session, signer: AuditSigner) -> ImportedFailures:
    """Add the failed attempts not yet audited to the audit chain, and one row counting the lines
    that could not be read; ``settle_failed_logins`` marks them once the transaction committed."""
    content = read_failed_logins(path)
    pending = [entry for entry in content.entries if not entry.imported]
    for entry in pending:
        append_event(
            session,
            signer,
            AuditAction.LOGIN_FAILED,
            details={
                "username_tried": entry.username,
                "reason": entry.reason,
                "recorded_at": entry.at.isoformat(),
            },
        )
    if content.unreadable:
        append_event(
            session,
            signer,
            AuditAction.FAILED_LOGINS_UNREADABLE,
            details={"unreadable_lines": len(content.unreadable)},
        )
    return ImportedFailures(frozenset(entry.key for entry in pending), content.unreadable)


def settle_failed_logins(
    path: Path,
    imported: ImportedFailures | None,
    *,
    cleared_user: str | None,
    now: datetime | None = None,
) -> None:
    """After a successful unlock: mark what was audited, end ``cleared_user``'s own wait, and drop
    what no longer matters. Other people's failures keep counting: their wait is theirs."""
    imported = imported or ImportedFailures()
    now = now or utc_now()
    try:
        with _locked(path):
            raws = _raw_lines(path)
            kept: list[str] = []
            changed = False
            for raw in raws:
                entry = _parse(raw)
                if entry is None:
                    if _digest(raw) in imported.unreadable:
                        changed = True  # reported in the audit chain; no need to report it again
                    else:
                        kept.append(raw.decode("utf-8", "replace"))
                    continue
                done = entry.imported or entry.key in imported.keys
                cleared = entry.cleared or entry.username == cleared_user
                if done and (cleared or not entry.username or entry.at < now - FAILURE_WINDOW):
                    changed = True
                    continue
                if (done, cleared) != (entry.imported, entry.cleared):
                    changed = True
                    kept.append(_line(entry, imported=done, cleared=cleared))
                else:
                    kept.append(raw.decode("utf-8"))
            if len(kept) > MAX_PENDING:
                kept, changed = kept[-MAX_PENDING:], True
            if changed or len(raws) != len(kept):
                _replace(path, kept)
    except OSError:
        pass  # the counts stay as they were; the next successful unlock tries again


def _line(entry: FailedLogin, *, imported: bool, cleared: bool) -> str:
    value: dict[str, object] = {
        "at": entry.at.isoformat(),
        "username": entry.username,
        "reason": entry.reason,
    }
    if imported:
        value["imported"] = True
    if cleared:
        value["cleared"] = True
    return json.dumps(value)


def _parse(raw: bytes) -> FailedLogin | None:
    """The entry a line holds, or None when it is not exactly what ``note_failed_login`` writes."""
    if len(raw) > MAX_LINE_BYTES:
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    at, username, reason = value.get("at"), value.get("username"), value.get("reason")
    imported, cleared = value.get("imported", False), value.get("cleared", False)
    if not (isinstance(at, str) and isinstance(username, str) and isinstance(reason, str)):
        return None
    if not (isinstance(imported, bool) and isinstance(cleared, bool)):
        return None
    if username and (username_problem(username) is not None or normalise_username(username) != username):
        return None  # a user name that no account can have (a line break, control characters ...)
    if not _REASON_RE.match(reason):
        return None
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return FailedLogin(_digest(raw), when.astimezone(UTC), username, reason, imported, cleared)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _raw_lines(path: Path) -> list[bytes]:
    """The file's non-empty lines as bytes; at most its last ``MAX_READ_BYTES``."""
    try:
        # O_NONBLOCK: a FIFO planted under this name must not hang every log-in; only a regular
        # file is read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return []
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return []
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - MAX_READ_BYTES))
            data = handle.read(MAX_READ_BYTES)
    except OSError:
        return []
    finally:
        if fd >= 0:
            os.close(fd)
    return [line for line in data.split(b"\n") if line.strip()]


def _replace(path: Path, lines: list[str]) -> None:
    """Write the file anew, atomically (a crash leaves the old file or the new one)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the file's lock (a sibling ``.lock`` file) so a rewrite never loses an appended line.

    Best effort: where the lock cannot be had within a moment (or the platform has no ``flock``)
    the work goes ahead anyway, because nothing here may keep a person from logging in.
    """
    if sys.platform == "win32":
        yield
        return
    import fcntl

    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock
