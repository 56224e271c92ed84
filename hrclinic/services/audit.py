"""Writing and checking the audit chain."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrclinic.domain.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditContent,
    DetailValue,
    chain_hash,
    check_details,
)
from hrclinic.domain.audit_trust import TrustedKey, TrustTable
from hrclinic.store.records import AuditEventRecord, AuditHeadRecord
from hrclinic.vault.recovery import recovery_signer_id
from hrclinic.vault.signing import AuditSigner, signature_valid


def append_event(
    session: Session,
    signer: AuditSigner,
    action: AuditAction,
    *,
    target_type: str | None = None,
    target_id: uuid.UUID | str | None = None,
    details: dict[str, DetailValue] | None = None,
    at: datetime | None = None,
) -> AuditEventRecord:
    """Append one signed, hash-chained row in the caller's transaction."""
    head = session.get(AuditHeadRecord, 1, with_for_update=True)
    if head is None:
        head = AuditHeadRecord(id=1, seq=0, row_hash=GENESIS_HASH)
        session.add(head)
    content = AuditContent(
        seq=head.seq + 1,
        at=(at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds"),
        actor_id=str(signer.user_id),
        action=str(action),
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        details=check_details(details),
        signer_key_id=str(signer.key_id),
    )
    row_hash = chain_hash(head.row_hash, content)
    record = AuditEventRecord(
        seq=content.seq,
        at=content.at,
        actor_id=content.actor_id,
        action=content.action,
        target_type=content.target_type,
        target_id=content.target_id,
        details=json.dumps(content.details, sort_keys=True, ensure_ascii=False),
        signer_key_id=content.signer_key_id,
        prev_hash=head.row_hash,
        row_hash=row_hash,
        signature=signer.sign(row_hash),
    )
    session.add(record)
    head.seq, head.row_hash = content.seq, row_hash
    return record


def content_of(row: AuditEventRecord) -> AuditContent:
    """What a stored row's hash and signature cover (ValueError when its details are unreadable)."""
    return AuditContent(
        seq=row.seq,
        at=row.at,
        actor_id=row.actor_id,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        details=json.loads(row.details),
        signer_key_id=row.signer_key_id,
    )


@dataclass
class ChainReport:
    """The result of walking the audit chain.

    ``trusted_keys`` is the trust at the end of the walk (signing key id -> key; the recovery root
    included, with no owner); ``head_seq`` and ``head_hash`` are those of the last row walked
    (0 and the genesis hash for an empty chain), whether or not that row was sound.
    """

    rows: int = 0
    problems: list[str] = field(default_factory=list)
    trusted_keys: dict[str, TrustedKey] = field(default_factory=dict)
    head_seq: int = 0
    head_hash: bytes = GENESIS_HASH

    @property
    def sound(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def verify_chain(session: Session, recovery_signing_public: bytes, *, max_problems: int = 20) -> ChainReport:
    """Recompute every hash and check every signature, in order, streaming the rows.

    Trust starts from the recovery key's signing key (carried in the verifying user's authenticated
    key ring) and grows only through rows that introduce a key and are themselves valid, so keys
    planted in the database by someone with file access are never trusted. A row that introduces,
    retires or re-roles a key without the authority for it is reported and changes no trust.
    """
    report = ChainReport()
    trust = TrustTable(str(recovery_signer_id(recovery_signing_public)), recovery_signing_public)
    previous, expected_seq = GENESIS_HASH, 1

    def problem(text: str) -> None:
        if len(report.problems) < max_problems:
            report.problems.append(text)

    rows = session.scalars(
        select(AuditEventRecord).order_by(AuditEventRecord.seq).execution_options(yield_per=2000)
    )
    for row in rows:
        report.rows += 1
        report.head_seq, report.head_hash = row.seq, row.row_hash
        if row.seq != expected_seq:
            problem(f"audit rows {expected_seq}..{row.seq - 1} are missing (deleted)")
        expected_seq = row.seq + 1
        if row.prev_hash != previous:
            problem(f"audit row {row.seq} does not follow the row before it (chain broken)")
        previous = row.row_hash
        try:
            content = content_of(row)
        except ValueError:
            problem(f"audit row {row.seq} has unreadable details")
            continue
        if chain_hash(row.prev_hash, content) != row.row_hash:
            problem(f"audit row {row.seq} was altered after it was written")
            continue
        refused = trust.signer_problem(content)
        if refused:
            problem(refused)
            continue
        if not signature_valid(trust.keys[row.signer_key_id].public_key, row.signature, row.row_hash):
            problem(f"audit row {row.seq} has an invalid signature")
            continue
        refused = trust.apply(content)
        if refused:
            problem(refused)
    report.trusted_keys = dict(trust.keys)
    head = session.get(AuditHeadRecord, 1)
    if head is None:
        if report.rows:
            problem("the audit chain head is missing")
    elif head.seq != expected_seq - 1 or head.row_hash != previous:
        problem("the audit chain ends before its recorded head (rows removed from the end)")
    return report
