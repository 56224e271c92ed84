"""Who may have signed a deposit: the signing keys the audit chain trusts, for the session's sealer.

A signed deposit (hrclinic/vault/sealing.py, format 0x05) opens only when its signing key is one the
audit chain trusts, never one the users table merely lists (anyone holding the registry key can write
that table). ``walk_key_trust`` gives those keys from the chain's trust rows alone, so it is cheap:
it runs once when a holder of the clinical vault logs in, and again only when a deposit names a key
the last walk did not know and the chain has grown since (a colleague added after this log-in).
Keys retired since still count: a deposit made before its depositor left stays theirs.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hrclinic.domain.audit_trust import TrustedKey
from hrclinic.services.key_trust import walk_key_trust
from hrclinic.store.engine import read_snapshot
from hrclinic.store.records import AuditEventRecord

if TYPE_CHECKING:  # services.clinic imports this module
    from hrclinic.services.clinic import UnlockedClinic


class TrustedSigners:
    """``DepositSigners`` of one unlocked session: key id -> (holder's user id, Ed25519 public key)."""

    def __init__(self, clinic: UnlockedClinic) -> None:
        self._clinic = clinic
        self._lock = threading.Lock()
        self._keys: dict[uuid.UUID, tuple[uuid.UUID, bytes]] | None = None
        self._trusted: dict[str, TrustedKey] = {}
        self._walked_at = -1  # the chain's last row when the keys were walked

    def refresh(self) -> None:
        """Walk the audit chain's trust rows now (at log-in)."""
        with self._lock:
            self._walk()

    def get(self, key_id: uuid.UUID, /) -> tuple[uuid.UUID, bytes] | None:
        """The holder and public key of ``key_id`` when the chain trusts it, else None."""
        with self._lock:
            if self._keys is None:
                self._walk()
            assert self._keys is not None
            found = self._keys.get(key_id)
            if found is None and self._chain_end() != self._walked_at:
                self._walk()
                found = self._keys.get(key_id)
            return found

    def trusted_key(self, key_id: str) -> TrustedKey | None:
        """The key as the last walk trusts it (holder, public half, role), or None."""
        with self._lock:
            if self._keys is None:
                self._walk()
            return self._trusted.get(key_id)

    # Both read in a snapshot of their own: a deposit is opened inside a unit of work, which holds the
    # write lock (a second unit of work on this thread would wait for it until "database is locked").

    def _chain_end(self) -> int:
        with read_snapshot(self._clinic.engine) as session:
            return session.scalar(select(func.max(AuditEventRecord.seq))) or 0

    def _walk(self) -> None:
        keys = self._clinic.keys
        with read_snapshot(self._clinic.engine) as session:
            end = session.scalar(select(func.max(AuditEventRecord.seq))) or 0
            trust = walk_key_trust(session, keys.anchors.recovery_signing_public, keys.witness)
        found: dict[uuid.UUID, tuple[uuid.UUID, bytes]] = {}
        for key_id, key in trust.keys.items():
            if key.owner_id is None:
                continue  # the recovery root signs recovery rows, never deposits
            try:
                found[uuid.UUID(key_id)] = (uuid.UUID(key.owner_id), key.public_key)
            except ValueError:
                continue
        self._keys, self._trusted, self._walked_at = found, dict(trust.keys), end
