"""A person's record in brief: register with a name alone, open one, list everyone."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.errors import NotFound
from hrclinic.readmodels.people import PersonRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.intake import IntakeForm, register_person
from hrclinic.store.records import ClientRecord


def _summary(record: ClientRecord) -> PersonRow:
    return PersonRow(
        id=record.id,
        record_number=record.record_number,
        preferred_name=record.preferred_name,
        status=record.status,
        created_at=record.created_at,
    )


def register_client(clinic: UnlockedClinic, preferred_name: str) -> PersonRow:
    """Open a record with the one thing intake needs: the name the person wants to be called."""
    return register_person(clinic, IntakeForm(preferred_name=preferred_name))


def get_client(clinic: UnlockedClinic, client_id: uuid.UUID) -> PersonRow:
    """Open one person's record (audited as a view)."""
    with clinic.acting(
        Permission.VIEW_REGISTRY,
        "view the registry",
        AuditAction.CLIENT_VIEWED,
        target_type="client",
        target_id=client_id,
    ) as act:
        record = act.session.get(ClientRecord, client_id)
        if record is None:
            raise NotFound("That record does not exist.")
    return _summary(record)


def list_clients(clinic: UnlockedClinic, *, limit: int | None = None) -> list[PersonRow]:
    """Registered people, newest first, as plain rows (one query; the list view filters in memory)."""
    clinic.require(Permission.VIEW_REGISTRY, "view the registry")
    with clinic.uow() as uow:
        query = select(
            ClientRecord.id,
            ClientRecord.record_number,
            ClientRecord.preferred_name,
            ClientRecord.status,
            ClientRecord.created_at,
        ).order_by(ClientRecord.record_number.desc())
        if limit is not None:
            query = query.limit(limit)
        return [PersonRow(*row) for row in uow.session.execute(query)]
