"""Failed log-ins happen while the database is locked: they wait in a small file beside it and
enter the audit chain at the next successful unlock (signed by the person who unlocks)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction
from hrclinic.services.audit import append_event
from hrclinic.vault.signing import AuditSigner

MAX_PENDING = 10_000


def note_failed_login(path: Path, username: str, reason: str) -> None:
    """Remember a failed attempt for a known account; an unknown name is not recorded as typed
    (people sometimes type their password into the user-name box)."""
    line = json.dumps({"at": datetime.now(UTC).isoformat(), "username": username[:64], "reason": reason})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        pass  # a full or read-only disk must not stop the person from trying again


def recent_failures(path: Path, username: str, within: timedelta) -> int:
    """How many failed attempts for ``username`` in the last ``within`` (for throttling)."""
    cutoff = datetime.now(UTC) - within
    count = 0
    for entry in _read(path):
        try:
            at = datetime.fromisoformat(str(entry["at"]))
        except (KeyError, ValueError):
            continue
        if entry.get("username") == username and at >= cutoff:
            count += 1
    return count


def _read(path: Path) -> list[dict[str, object]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[-MAX_PENDING:]
    except (OSError, UnicodeDecodeError):
        return []
    entries = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            entries.append(value)
    return entries


def import_failed_logins(path: Path, session: Session, signer: AuditSigner) -> int:
    """Move pending failed attempts into the audit chain; returns how many."""
    entries = _read(path)
    for entry in entries:
        try:
            at = datetime.fromisoformat(str(entry["at"]))
        except (KeyError, ValueError):
            at = datetime.now(UTC)
        append_event(
            session,
            signer,
            AuditAction.LOGIN_FAILED,
            details={
                "username_tried": str(entry.get("username", ""))[:64],
                "reason": str(entry.get("reason", ""))[:40],
                "recorded_at": at.isoformat(),
            },
        )
    return len(entries)


def clear_failed_logins(path: Path) -> None:
    """Forget attempts that are now in the audit chain."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
