"""Which keys the audit chain trusts, from a cheap walk of its trust rows only.

Key rotation must never take a key from the users table (anyone holding the registry key can plant
rows there). This walk reads only the rows that introduce, retire or re-role keys, introduce exchange
keys or record rotations, checks each one's hash, signature and the signer's authority (the
``TrustTable`` of ``hrclinic verify``), and that each is still linked to its neighbours; rows that fail
change nothing. A full ``hrclinic verify`` checks every row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrclinic.domain.audit import (
    KEY_INTRODUCTIONS,
    KEY_RETIREMENTS,
    KEY_ROLE_CHANGES,
    OWNER_SIGNED,
    RECOVERY_SIGNED,
    AuditAction,
    DetailValue,
    chain_hash,
)
from hrclinic.domain.audit_trust import TrustedKey, TrustTable
from hrclinic.domain.roles import Role, holds_clinical_vault
from hrclinic.services.audit import content_of
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.keys import Witness
from hrclinic.vault.recovery import recovery_signer_id
from hrclinic.vault.signing import signature_valid

ROTATION_ACTIONS = frozenset(
    {
        AuditAction.EXCHANGE_KEY_INTRODUCED,
        AuditAction.KEYS_ROTATION_STARTED,
        AuditAction.KEYS_ROTATION_COMPLETED,
    }
)
TRUST_ACTIONS = KEY_INTRODUCTIONS | KEY_RETIREMENTS | KEY_ROLE_CHANGES | OWNER_SIGNED | RECOVERY_SIGNED
# rows after which the keys of the user they name must be rotated
ROTATION_CAUSES = frozenset({AuditAction.USER_DEACTIVATED, AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY})
EXCHANGE_PUBLIC_BYTES = 32


@dataclass(frozen=True)
class ExchangeKey:
    """A user's exchange public key as a trusted row introduced it."""

    key_id: uuid.UUID
    public: bytes


@dataclass(frozen=True)
class StartedRotation:
    """A rotation's start as the chain records it."""

    seq: int
    epoch: int
    by_owner: bool  # signed by a key the chain trusted as an owner's at that point


@dataclass
class KeyTrust:
    """The outcome of the walk."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)
    exchange: dict[uuid.UUID, ExchangeKey] = field(default_factory=dict)  # active users only
    started: dict[uuid.UUID, StartedRotation] = field(default_factory=dict)
    completed: set[uuid.UUID] = field(default_factory=set)
    last_cause: int = 0  # seq of the newest deactivation, recovery reset or owner-started rotation
    problems: list[str] = field(default_factory=list)

    def may_deliver(self, key_id: uuid.UUID) -> bool:
        """True when ``key_id`` may sign key deliveries: the recovery root, or an owner's key that is
        trusted and not retired now."""
        key = self.keys.get(str(key_id))
        if key is None:
            return False
        return key.is_recovery_root or (key.role is Role.OWNER and not key.retired)

    def active_roles(self) -> dict[uuid.UUID, Role]:
        """Every user who holds a trusted key that is not retired, with the role the chain gave them."""
        roles: dict[uuid.UUID, Role] = {}
        for key in self.keys.values():
            if key.owner_id is None or key.retired or key.role is None:
                continue
            try:
                roles[uuid.UUID(key.owner_id)] = key.role
            except ValueError:
                continue
        return roles

    def rotation_owed(self, under_way: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset()) -> bool:
        """True when a deactivation, recovery reset or owner-started rotation came after the start of
        the newest rotation that completed or is ``under_way`` (one the asking ring takes part in)."""
        covered = max(
            (r.seq for rid, r in self.started.items() if rid in self.completed or rid in under_way),
            default=0,
        )
        return self.last_cause > covered

    def newest_epoch(self) -> int:
        """The highest epoch any recorded rotation used."""
        return max((r.epoch for r in self.started.values()), default=0)


def walk_key_trust(
    session: Session, recovery_signing_public: bytes, witness: Witness | None = None
) -> KeyTrust:
    """Walk the trust rows in order (``recovery_signing_public`` and ``witness`` from the user's
    authenticated ring). Rows missing from the chain, or a chain cut before the row the ring witnessed,
    make every trust row untrusted: a deleted row may have retired or re-roled a key."""
    result = KeyTrust()
    trust = TrustTable(str(recovery_signer_id(recovery_signing_public)), recovery_signing_public)
    actions = [str(a) for a in TRUST_ACTIONS | ROTATION_ACTIONS]
    rows = session.scalars(
        select(AuditEventRecord).where(AuditEventRecord.action.in_(actions)).order_by(AuditEventRecord.seq)
    ).all()
    unlinked = _unlinked(session, rows)
    if witness is not None and witness.seq > 0:
        seen = session.scalar(select(AuditEventRecord.row_hash).where(AuditEventRecord.seq == witness.seq))
        if seen is None or bytes(seen) != witness.row_hash:
            result.problems.append(f"the audit log was cut or rewritten at row {witness.seq}, which you saw")
            unlinked = {row.seq for row in rows}
    for row in rows:
        if row.seq in unlinked:
            result.problems.append(f"audit row {row.seq} is not linked to the rows beside it")
            continue
        try:
            content = content_of(row)
        except ValueError:
            result.problems.append(f"audit row {row.seq} has unreadable details")
            continue
        if chain_hash(row.prev_hash, content) != row.row_hash:
            result.problems.append(f"audit row {row.seq} was altered after it was written")
            continue
        refused = trust.signer_problem(content)
        if refused is None and not signature_valid(
            trust.keys[content.signer_key_id].public_key, row.signature, row.row_hash
        ):
            refused = f"audit row {row.seq} has an invalid signature"
        if refused:
            result.problems.append(refused)
            continue
        signer = trust.keys[content.signer_key_id]
        refused = trust.apply(content)
        if refused:
            result.problems.append(refused)
            continue
        # the clinic's creation introduces its first owner, who is the row's actor (its target is the clinic)
        target = content.actor_id if content.action == AuditAction.CLINIC_CREATED else content.target_id
        _rotation_facts(result, content.action, target, content.details, signer, row.seq)
    result.keys = dict(trust.keys)
    retired = {k.owner_id for k in trust.keys.values() if k.retired} - {
        k.owner_id for k in trust.keys.values() if not k.retired
    }
    for user_id in [u for u in result.exchange if str(u) in retired]:
        del result.exchange[user_id]
    return result


def _rotation_facts(
    result: KeyTrust,
    action: str,
    target: str | None,
    details: dict[str, DetailValue],
    signer: TrustedKey,
    seq: int,
) -> None:
    """What an accepted row says about exchange keys and rotations."""
    if action in ROTATION_CAUSES:
        result.last_cause = seq
    target_id = _uuid(target)
    if (action in KEY_INTRODUCTIONS or action == AuditAction.EXCHANGE_KEY_INTRODUCED) and target_id:
        # an introduction by an owner or the root (the trust table checked it), or by the key's holder
        own = action != AuditAction.EXCHANGE_KEY_INTRODUCED or signer.owner_id == target
        exchange = _exchange(details) if own and str(details.get("key_owner")) == target else None
        if exchange is not None:
            result.exchange[target_id] = exchange
    elif action == AuditAction.KEYS_ROTATION_STARTED and target_id:
        by_owner = signer.role is Role.OWNER
        epoch = details.get("epoch")
        if isinstance(epoch, int) and not isinstance(epoch, bool):
            result.started.setdefault(target_id, StartedRotation(seq, epoch, by_owner))
            if by_owner:
                result.last_cause = seq
    elif (
        action == AuditAction.KEYS_ROTATION_COMPLETED
        and target_id in result.started
        and signer.role is not None
        and holds_clinical_vault(signer.role)
    ):
        result.completed.add(target_id)


def _exchange(details: dict[str, DetailValue]) -> ExchangeKey | None:
    key_id, public = _uuid(details.get("exchange_key_id")), details.get("exchange_public")
    try:
        raw = bytes.fromhex(str(public)) if public is not None else b""
    except ValueError:
        return None
    if key_id is None or len(raw) != EXCHANGE_PUBLIC_BYTES:
        return None
    return ExchangeKey(key_id, raw)


def _uuid(value: DetailValue) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _unlinked(session: Session, rows: Sequence[AuditEventRecord]) -> set[int]:
    """Trust rows whose neighbours do not link to them (a trust row deleted and the gap closed, or
    rows renumbered), or every row when rows are missing from the chain."""
    if not rows:
        return set()
    total, first, last = session.execute(
        select(func.count(), func.min(AuditEventRecord.seq), func.max(AuditEventRecord.seq))
    ).one()
    if first != 1 or last != total:
        return {row.seq for row in rows}
    wanted = sorted({s for row in rows for s in (row.seq - 1, row.seq + 1) if s >= 1})
    links: dict[int, tuple[bytes, bytes]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for seq, prev_hash, row_hash in session.execute(
            select(AuditEventRecord.seq, AuditEventRecord.prev_hash, AuditEventRecord.row_hash).where(
                AuditEventRecord.seq.in_(chunk)
            )
        ).tuples():
            links[seq] = (bytes(prev_hash), bytes(row_hash))
    bad = set()
    for row in rows:
        before, after = links.get(row.seq - 1), links.get(row.seq + 1)
        if row.seq > 1 and (before is None or before[1] != row.prev_hash):
            bad.add(row.seq)
        if after is not None and after[0] != row.row_hash:
            bad.add(row.seq)
    return bad
