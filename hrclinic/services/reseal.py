"""Re-sealing clinical values: the current format, under the current clinical key, in resumable batches.

A sealed clinical value needs re-sealing when its header (format byte and key id, the blob's first
17 bytes) is not the header the unlocked user writes now: values written by earlier versions
(formats 0x01/0x02, bound to table, column and row only, and unsigned deposits, 0x04), signed
front-desk deposits (0x05; a clinician re-seals them as ordinary clinical-vault values, which open in
deposit-accepting fields too, still bound to the author the row names), and values under an older
clinical key id (key rotation). Candidates are selected in SQL by that
header, so an interrupted run simply continues where the database says it stopped: each batch is
one committed transaction, and there is no progress table.

Every sealed clinical column of every record is found generically (``sealed_columns``), so a new
record with a ``SealedText`` column is covered without touching this module. A value that fails to
open is left exactly as it is, counted, and reported; it never blocks the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, and_, bindparam, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.domain.roles import Permission
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import PermissionDenied, SealedValueInvalid, SealedValueLocked
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.legacy import CLOSED_DETAIL, close_legacy_formats
from hrclinic.services.sealed_values import SealedColumn, UnopenableValue, UnopenableValues, sealed_columns
from hrclinic.vault.sealing import HEADER_BYTES, UNSIGNED_LEGACY_FORMATS

DEFAULT_BATCH = 500


@dataclass
class ResealCursor:
    """How far one run has got, so values that failed to open are not tried again in every batch.

    ``after`` holds, per column, the last row id this run examined: rows at or before it that are still
    pending are exactly the ones in ``unopenable`` and ``locked``. Optional: without a cursor a batch
    scans from the start, which is correct, only slower when many values fail to open."""

    after: dict[str, uuid.UUID] = field(default_factory=dict)
    unopenable: list[UnopenableValue] = field(default_factory=list)  # altered or moved
    locked: list[UnopenableValue] = field(default_factory=list)  # under a key this user does not hold

    @property
    def skipped(self) -> int:
        """Values left as they were."""
        return len(self.unopenable) + len(self.locked)


def _current_header(clinic: UnlockedClinic) -> bytes:
    """The header values are re-sealed to; only a holder of the clinical vault can re-seal."""
    clinic.require(Permission.READ_CLINICAL, "re-seal clinical content")
    header = clinic.sealer.current_header(VaultKind.CLINICAL)
    if header is None or not clinic.sealer.can_open(VaultKind.CLINICAL):
        raise PermissionDenied("Re-sealing clinical content needs the clinical vault, which you do not hold.")
    return header


def _pending(column: SealedColumn, header: bytes) -> ColumnElement[bool]:
    return and_(column.blob.is_not(None), func.substr(column.blob, 1, HEADER_BYTES) != header)


def _legacy(column: SealedColumn) -> ColumnElement[bool]:
    first = func.substr(column.blob, 1, 1)
    return and_(
        column.blob.is_not(None), or_(*(first == bytes([fmt]) for fmt in sorted(UNSIGNED_LEGACY_FORMATS)))
    )


def _count(clinic: UnlockedClinic, where: Callable[[SealedColumn], ColumnElement[bool]]) -> int:
    with clinic.uow() as uow:
        return sum(
            uow.session.scalar(select(func.count()).select_from(column.model).where(where(column))) or 0
            for column in sealed_columns(VaultKind.CLINICAL)
        )


def pending_reseal_count(clinic: UnlockedClinic) -> int:
    """How many sealed clinical values are not in the current format under the current clinical key
    (values that fail to open are counted too: they stay pending)."""
    header = _current_header(clinic)
    return _count(clinic, lambda column: _pending(column, header))


def pending_legacy_count(clinic: UnlockedClinic) -> int:
    """How many sealed clinical values were written by an earlier version (not bound to their owner,
    or unsigned deposits)."""
    _current_header(clinic)
    return _count(clinic, _legacy)


def reseal_batch(
    clinic: UnlockedClinic, *, batch: int = DEFAULT_BATCH, cursor: ResealCursor | None = None
) -> int:
    """Re-seal at most ``batch`` pending values in one committed transaction; returns how many (0 when
    nothing that opens is pending). Writes no audit row: its caller audits the run (``reseal_all``)."""
    header = _current_header(clinic)
    if batch < 1:
        raise ValueError("batch must be at least 1")
    run = cursor or ResealCursor()
    resealed = 0
    reached: dict[str, uuid.UUID] = {}
    skipped = UnopenableValues()
    locked: list[UnopenableValue] = []
    with clinic.uow() as uow:
        s = uow.session
        for column in sealed_columns(VaultKind.CLINICAL):
            descriptor = column.descriptor
            table = column.model.__table__
            keep = {c.name: c for c in table.columns if c.onupdate is not None}  # re-sealing changes nothing
            statement = (
                update(table)
                .where(column.id == bindparam("row_id"), column.blob == bindparam("old_blob"))
                .values({column.blob.name: bindparam("new_blob"), **keep})
            )
            after = run.after.get(column.name)
            while resealed < batch:
                query = select(column.id, column.blob, *column.bound).where(_pending(column, header))
                if after is not None:
                    query = query.where(column.id > after)
                rows = s.execute(query.order_by(column.id).limit(batch - resealed)).all()
                if not rows:
                    break
                changes: list[dict[str, Any]] = []
                for row in rows:
                    row_id, blob, bound = row[0], row[1], column.bound_values(tuple(row[2:]))
                    try:
                        text = descriptor.open_for(row_id, blob, **bound)
                    except SealedValueInvalid:
                        skipped.found.append(UnopenableValue(descriptor.table, descriptor.column, row_id))
                        continue
                    except SealedValueLocked:
                        locked.append(UnopenableValue(descriptor.table, descriptor.column, row_id))
                        continue
                    assert text is not None
                    new_blob = descriptor.seal_for(row_id, text, **bound)
                    changes.append({"row_id": row_id, "old_blob": blob, "new_blob": new_blob})
                if changes:
                    result = cast(CursorResult[Any], s.execute(statement, changes))
                    resealed += result.rowcount if result.rowcount >= 0 else len(changes)
                after = rows[-1][0]
                reached[column.name] = after
            if resealed >= batch:
                break
        uow.commit()
    run.after.update(reached)
    run.unopenable.extend(skipped.found)
    run.locked.extend(locked)
    return resealed


def reseal_all(
    clinic: UnlockedClinic,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = DEFAULT_BATCH,
    reason: str = "reseal",
) -> int:
    """Re-seal every pending value, a committed batch at a time; returns how many were re-sealed.

    ``progress(done, total)`` after each batch (values that failed to open count as done: they are
    left as they are); ``cancelled()`` is asked between batches, and a cancelled run simply continues
    next time. Writes one audit row with the counts, and one per value that failed to open."""
    total = pending_reseal_count(clinic)
    cursor = ResealCursor()
    done = 0
    stopped = False
    if progress is not None:
        progress(0, total)
    while True:
        if cancelled is not None and cancelled():
            stopped = True
            break
        count = reseal_batch(clinic, batch=batch, cursor=cursor)
        done += count
        if progress is not None:
            progress(min(done + cursor.skipped, total), total)
        if count == 0:
            break
    audit_reseal_run(clinic, cursor, resealed=done, reason=reason, cancelled=stopped)
    return done


def audit_reseal_run(
    clinic: UnlockedClinic, cursor: ResealCursor, *, resealed: int, reason: str, cancelled: bool = False
) -> None:
    """The audit of one run of batches: one row with the counts, and one per value that failed to open
    (table, column and row id). ``reason`` is a short identifier (``legacy``, ``rotation`` ...).

    A run that ended (not ``cancelled``) left no value in an earlier version's format that opens: its
    row says so (``legacy_closed``, which closes those formats for every holder of the clinical vault
    at their next log-in) and this user's ring stops opening them now (services/legacy.py)."""
    ended: dict[str, DetailValue] = {CLOSED_DETAIL: True} if not cancelled else {}
    with clinic.uow() as uow:
        UnopenableValues(cursor.unopenable).audit(uow.session, clinic.signer)
        append_event(
            uow.session,
            clinic.signer,
            AuditAction.SEALED_VALUES_RESEALED,
            details={
                "reason": reason,
                "resealed": resealed,
                "unopenable": len(cursor.unopenable),
                "locked": len(cursor.locked),
                "cancelled": cancelled,
                **ended,
            },
        )
        uow.commit()
    if not cancelled:
        close_legacy_formats(clinic, resealed=True)


def convert_legacy_values(
    clinic: UnlockedClinic,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """After unlock: when this user holds the clinical vault and values written by an earlier version
    remain, re-seal them (bound to their owner). Returns how many were re-sealed; 0 otherwise. Once
    none is left, this user's ring stops opening those formats (``close_legacy_formats``)."""
    sealer = clinic.sealer
    if not sealer.can_open(VaultKind.CLINICAL) or sealer.current_header(VaultKind.CLINICAL) is None:
        return 0
    if not pending_legacy_count(clinic):
        close_legacy_formats(clinic, resealed=True)
        return 0
    return reseal_all(clinic, progress=progress, cancelled=cancelled, reason="legacy")
