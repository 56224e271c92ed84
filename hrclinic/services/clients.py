"""A person's record in brief: register with a name alone, open one, list everyone."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.errors import NotFound
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.models import ClientSummary
from hrclinic.store.records import ClientRecord


def _summary(record: ClientRecord) -> ClientSummary:
    return ClientSummary(
        id=record.id,
        record_number=record.record_number,
        preferred_name=record.preferred_name,
        status=record.status,
        created_at=record.created_at,
    )


def register_client(clinic: UnlockedClinic, preferred_name: str) -> ClientSummary:
    """Open a record with the one thing intake needs: the name the person wants to be called."""
    from hrclinic.services.registry import IntakeForm, register_person

    return register_person(clinic, IntakeForm(preferred_name=preferred_name))


def get_client(clinic: UnlockedClinic, client_id: uuid.UUID) -> ClientSummary:
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


def list_clients(clinic: UnlockedClinic, *, limit: int | None = None) -> list[ClientSummary]:
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
        return [ClientSummary(*row) for row in uow.session.execute(query)]
