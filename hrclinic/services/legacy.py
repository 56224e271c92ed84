"""Closing earlier versions' sealed-value formats once the clinic holds none of them.

Values written before the sealed-value binding (0x01, 0x02: table, column and row only) and unsigned
deposits (0x04: anyone holding the public deposit key can make one for any row) still open until they
are re-sealed (hrclinic/services/reseal.py). Once they are, a copy of one kept from before and written
back into a row must not open again. A re-seal run that ends (not cancelled) has converted every such
value that opens (one that does not open stays unopenable either way, so junk planted in an old
format cannot keep the formats open): its audit row says ``legacy_closed``, and the ring of the user
who ran it is marked ``legacy_closed`` (inside its authenticated wrap, so no file edit clears it).
Every other holder of the clinical vault marks their ring at their next log-in, on finding that
signed row (signed by a key the audit chain trusts as a holder's) or no such value left. A marked
ring's sealer refuses these formats as altered from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction, chain_hash
from hrclinic.domain.roles import holds_clinical_vault
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import HrclinicError
from hrclinic.services.audit import content_of
from hrclinic.services.sealed_values import sealed_columns
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.sealing import UNSIGNED_LEGACY_FORMATS
from hrclinic.vault.signing import signature_valid

if TYPE_CHECKING:  # services.clinic imports this module
    from hrclinic.services.clinic import UnlockedClinic

CLOSED_DETAIL = "legacy_closed"  # in the audit row of a re-seal run that ended


def legacy_values_left(session: Session) -> int:
    """How many sealed clinical values are in an earlier version's format (0x01, 0x02, 0x04)."""
    formats = [bytes([fmt]) for fmt in sorted(UNSIGNED_LEGACY_FORMATS)]
    total = 0
    for column in sealed_columns(VaultKind.CLINICAL):
        first = func.substr(column.blob, 1, 1)
        query = (
            select(func.count())
            .select_from(column.model)
            .where(column.blob.is_not(None), or_(*(first == f for f in formats)))
        )
        total += session.scalar(query) or 0
    return total


def close_legacy_formats(clinic: UnlockedClinic, *, save: bool = True, resealed: bool = False) -> bool:
    """Mark this holder's ring ``legacy_closed`` when a re-seal run has ended (``resealed``: this
    session's, just now; otherwise a trusted audit row of one) or no clinical value in an earlier
    format is left; returns whether it is closed. With ``save`` the ring is re-wrapped now (best
    effort, like the audit witness: a full disk leaves it open until the next log-in tries again);
    without, the caller's re-wrap (``witness_head`` at log-in) stores it."""
    keys = clinic.keys
    if keys.legacy_closed:
        return True
    if not keys.holds_clinical:
        return False
    if not resealed and not _closed_in_the_chain(clinic):
        with clinic.uow() as uow:
            if legacy_values_left(uow.session):
                return False
    keys.legacy_closed = True
    if save and clinic.rewrap is not None:
        try:
            with clinic.editing_ring() as ring:
                entry = ring.user_by_id(clinic.actor.user_id)
                if entry is not None:
                    clinic.rewrap.apply(entry, keys)
        except (HrclinicError, OSError):
            pass  # kept in this session; stored by the next re-wrap
    return True


def _closed_in_the_chain(clinic: UnlockedClinic) -> bool:
    """True when an audit row of an ended re-seal run is signed, as its actor, by a key the audit chain
    trusts as a clinical-vault holder's (front desk can write rows, but not such a signature)."""
    with clinic.uow() as uow:
        rows = uow.session.scalars(
            select(AuditEventRecord)
            .where(AuditEventRecord.action == str(AuditAction.SEALED_VALUES_RESEALED))
            .order_by(AuditEventRecord.seq.desc())
        ).all()
        for row in rows:
            try:
                content = content_of(row)
            except ValueError:
                continue
            if content.details.get(CLOSED_DETAIL) is not True:
                continue
            key = clinic.deposit_signers.trusted_key(content.signer_key_id)
            if (
                key is None
                or key.role is None
                or not holds_clinical_vault(key.role)
                or key.owner_id != content.actor_id
            ):
                continue
            if chain_hash(bytes(row.prev_hash), content) == bytes(row.row_hash) and signature_valid(
                key.public_key, bytes(row.signature), bytes(row.row_hash)
            ):
                return True
    return False
