"""Immediate needs (hierarchy of needs): housing, food, money ... helped with regardless of drug use."""

from __future__ import annotations

import uuid

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.intake import NEEDS
from hrclinic.domain.roles import Permission
from hrclinic.domain.text import clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.readmodels.people import NeedRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.registry import live_record
from hrclinic.store.records import (
    ClientNeedRecord,
)


def add_need(clinic: UnlockedClinic, client_id: uuid.UUID, need: str, note: str = "") -> NeedRow:
    """Record an immediate need (housing, food, money ...)."""
    with clinic.acting(Permission.EDIT_REGISTRY, "record needs", AuditAction.NEED_RECORDED) as act:
        if need not in NEEDS:
            raise ValidationError(f"Unknown need {need!r}.", field="need")
        text = clean_text(note, field="note", what="note", limit=2000)
        live_record(act.uow, client_id)
        row = ClientNeedRecord(client_id=client_id, need=need, note=text, created_by=clinic.actor.user_id)
        act.session.add(row)
        act.flush()
        act.audit(target_type="need", target_id=row.id, details={"client_id": str(client_id), "need": need})
    return NeedRow(row.id, row.need, NEEDS[need], row.note, row.status, row.created_at)


def set_need_status(clinic: UnlockedClinic, need_id: uuid.UUID, status: str) -> None:
    """Mark a need helped, no longer needed, or open again."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "update needs",
        AuditAction.NEED_UPDATED,
        target_type="need",
        target_id=need_id,
        details={"status": status},
    ) as act:
        if status not in ("open", "helped", "no_longer_needed"):
            raise ValidationError(f"Unknown need status {status!r}.", field="status")
        row = act.session.get(ClientNeedRecord, need_id)
        if row is None:
            raise NotFound("That need does not exist.")
        row.status = status
