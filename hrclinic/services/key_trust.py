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
from hrclinic.domain.roles import Role
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
    """A rotation's start as the chain records it (signed by an owner at that point, or the recovery
    root: starts signed by anyone else are not rotations)."""

    seq: int
    epoch: int


@dataclass
class KeyTrust:
    """The outcome of the walk."""

    keys: dict[str, TrustedKey] = field(default_factory=dict)
    exchange: dict[uuid.UUID, ExchangeKey] = field(default_factory=dict)  # active users only
    started: dict[uuid.UUID, StartedRotation] = field(default_factory=dict)  # by an owner or the root
    completed: set[uuid.UUID] = field(default_factory=set)  # of those, completed by an owner or the root
    last_cause: int = 0  # seq of the newest deactivation, recovery reset or trusted rotation start
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
        """True when a deactivation, recovery reset or rotation start came after the start of the newest
        rotation that completed or is ``under_way`` (one the asking ring takes part in). Only starts and
        completions signed by an owner (at that point) or the recovery root count: a colleague cannot
        mark an owed rotation done."""
        covered = max(
            (r.seq for rid, r in self.started.items() if rid in self.completed or rid in under_way),
            default=0,
        )
        return self.last_cause > covered

    def newest_epoch(self) -> int:
        """The highest epoch any recorded rotation used."""
        return max((r.epoch for r in self.started.values()), default=0)


def walk_key_trust(
    session: Session,
    recovery_signing_public: bytes,
    witness: Witness | None = None,
    *,
    check_links: bool = True,
) -> KeyTrust:
    """Walk the trust rows in order (``recovery_signing_public`` and ``witness`` from the user's
    authenticated ring). Rows missing from the chain, or a chain cut before the row the ring witnessed,
    make every trust row untrusted: a deleted row may have retired or re-roled a key. Without
    ``check_links`` (only ``vouched_role`` on a damaged chain) each row is judged on its own."""
    result = KeyTrust()
    trust = TrustTable(str(recovery_signer_id(recovery_signing_public)), recovery_signing_public)
    actions = [str(a) for a in TRUST_ACTIONS | ROTATION_ACTIONS]
    rows = session.scalars(
        select(AuditEventRecord).where(AuditEventRecord.action.in_(actions)).order_by(AuditEventRecord.seq)
    ).all()
    unlinked = _unlinked(session, rows) if check_links else set()
    if check_links and rows and len(unlinked) == len(rows) and _rows_missing(session):
        result.problems.append("rows are missing from the audit log (deleted)")
    if check_links and witness is not None and witness.seq > 0:
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


def vouched_role(
    session: Session, recovery_signing_public: bytes, user_id: uuid.UUID, witness: Witness | None = None
) -> tuple[Role | None, list[str]]:
    """The role the audit chain gives ``user_id`` now (None: it vouches for no active role of theirs),
    and what the walk found damaged. A new key ring for someone (a password reset) follows this, never
    the users table, which anyone holding the registry key can write.

    When the chain is damaged so that it vouches for nobody (rows deleted, a cut), the role its signed,
    authorised rows give the user, each judged on its own, is used: a damaged log still never gives
    anyone a role that no owner (or the recovery key) signed for them, and resets keep working (the
    rotation after a recovery reset is how an owner gets past a damaged log)."""
    trust = walk_key_trust(session, recovery_signing_public, witness)
    role = trust.active_roles().get(user_id)
    if role is None and trust.problems:
        lenient = walk_key_trust(session, recovery_signing_public, check_links=False)
        role = lenient.active_roles().get(user_id)
    return role, trust.problems


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
    elif action == AuditAction.KEYS_ROTATION_STARTED and target_id and _rotates(signer):
        epoch = details.get("epoch")
        if isinstance(epoch, int) and not isinstance(epoch, bool) and target_id not in result.started:
            result.started[target_id] = StartedRotation(seq, epoch)
            result.last_cause = seq
    elif action == AuditAction.KEYS_ROTATION_COMPLETED and target_id in result.started and _rotates(signer):
        result.completed.add(target_id)


def _rotates(signer: TrustedKey) -> bool:
    """True when ``signer`` may start or complete a rotation: an owner at that point, or the recovery root
    (``TrustTable`` already refused the row otherwise; this keeps the walk safe on its own)."""
    return signer.is_recovery_root or (signer.role is Role.OWNER and not signer.retired)


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


def _rows_missing(session: Session) -> bool:
    """True when the chain's sequence numbers have a gap or do not start at 1."""
    total, first, last = session.execute(
        select(func.count(), func.min(AuditEventRecord.seq), func.max(AuditEventRecord.seq))
    ).one()
    return bool(total) and (first != 1 or last != total)


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
