"""Merging two records of one person (owners only)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.engagement import Engagement
from hrclinic.domain.roles import Permission
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import PermissionDenied, ValidationError
from hrclinic.readmodels.people import PersonDetail
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.intake import DETAIL_FIELDS
from hrclinic.services.registry import live_record, person_detail
from hrclinic.services.sealed_values import UnopenableValues, sealed_columns
from hrclinic.store.base import utc_now
from hrclinic.store.records import (
    AppointmentRecord,
    ClientNeedRecord,
    ClientStatusChangeRecord,
    ClinicalNoteRecord,
    ConsentRecord,
    OutreachTaskRecord,
    OverdoseScreeningRecord,
)
from hrclinic.store.sealed import SealedText

_MOVABLE = (
    ClinicalNoteRecord,
    ClientNeedRecord,
    ClientStatusChangeRecord,
    OverdoseScreeningRecord,
    AppointmentRecord,
    OutreachTaskRecord,
    ConsentRecord,
)
_FILLABLE = (*DETAIL_FIELDS, "date_of_birth", "birth_year")


def merge_records(clinic: UnlockedClinic, keep_id: uuid.UUID, merge_id: uuid.UUID) -> PersonDetail:
    """Two records of one person become one (owners only): everything of ``merge_id`` moves to
    ``keep_id``, empty details are filled in, its names become aliases; the merged record stays,
    marked merged, so nothing is lost and the audit trail can follow it. Sealed values bound to the
    person are re-sealed for ``keep_id`` as they move (which needs the clinical vault); one that
    cannot be opened moves as it is, still unopenable."""
    with clinic.acting(
        Permission.MERGE_RECORDS,
        "merge records",
        AuditAction.CLIENT_MERGED,
        target_type="client",
        target_id=keep_id,
    ) as act:
        if not clinic.sealer.can_open(VaultKind.CLINICAL):
            raise PermissionDenied("Merging moves clinical content, which needs the clinical vault.")
        if keep_id == merge_id:
            raise ValidationError("Choose two different records to merge.")
        bound_to_person: dict[type[Any], list[SealedText]] = {}
        for sealed_column in sealed_columns(VaultKind.CLINICAL):
            if sealed_column.model in _MOVABLE and "client_id" in sealed_column.descriptor.bind:
                bound_to_person.setdefault(sealed_column.model, []).append(sealed_column.descriptor)
        s = act.session
        keep, gone = live_record(act.uow, keep_id), live_record(act.uow, merge_id)
        moved = resealed = 0
        bad = UnopenableValues()
        for model, descriptors in bound_to_person.items():
            for row in s.scalars(select(model).where(model.client_id == merge_id)):
                opened = [(d, bad.read(row, d.column)) for d in descriptors]  # under the old binding
                row.client_id = keep_id
                for descriptor, value in opened:
                    if not value.unopenable and getattr(row, descriptor.column_attr) is not None:
                        setattr(row, descriptor.column, value.text)  # sealed again for the surviving record
                        resealed += 1
                moved += 1
        s.flush()
        for model in _MOVABLE:
            result = cast(
                CursorResult[Any],
                s.execute(update(model).where(model.client_id == merge_id).values(client_id=keep_id)),
            )
            moved += result.rowcount or 0
        for name in _FILLABLE:
            if getattr(keep, name) in (None, "") and getattr(gone, name) not in (None, ""):
                setattr(keep, name, getattr(gone, name))
        aliases = [a for a in (keep.aliases or "").splitlines() if a]
        for extra in (gone.preferred_name, *(gone.aliases or "").splitlines()):
            if extra and extra != keep.preferred_name and extra not in aliases:
                aliases.append(extra)
        keep.aliases = "\n".join(aliases)
        for sealed in ("reason_own_words_sealed", "change_own_words_sealed"):
            if getattr(keep, sealed) is None and getattr(gone, sealed) is not None:
                column = sealed.removesuffix("_sealed")
                words = bad.read(gone, column)
                if not words.unopenable:  # never copy what cannot be read: it stays on the merged record
                    setattr(keep, f"{column}_by", getattr(gone, f"{column}_by"))  # still who recorded them
                    setattr(keep, column, words.text)
                    resealed += 1
        s.add(
            ClientStatusChangeRecord(
                client_id=merge_id,
                from_status=gone.status,
                to_status=Engagement.MERGED,
                reason=f"Merged into record No. {keep.record_number}",
                changed_by=clinic.actor.user_id,
            )
        )
        gone.status, gone.status_changed_at, gone.merged_into_id = Engagement.MERGED.value, utc_now(), keep_id
        act.audit(
            details={
                "merged_id": str(merge_id),
                "moved_rows": moved,
                "resealed": resealed,
                "unopenable": len(bad.found),
            },
        )
        bad.audit(s, clinic.signer)
    return person_detail(clinic, keep_id, audit=False)
