"""The client registry (the front-desk issue grows this) and sealed clinical notes."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.domain.text import clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.models import ClientSummary, NoteDetail
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.records import ClientRecord, ClinicalNoteRecord, UserRecord

MAX_NOTE = 200_000


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


def write_clinical_note(clinic: UnlockedClinic, client_id: uuid.UUID, text: str) -> NoteDetail:
    """Write a clinical note; its text is sealed in the clinical vault before it reaches the disk."""
    with clinic.acting(Permission.WRITE_CLINICAL, "write clinical notes", AuditAction.NOTE_WRITTEN) as act:
        body = clean_text(text, field="body", what="note", limit=MAX_NOTE)
        if not body.strip():
            raise ValidationError("The note is empty.", field="body")
        if act.session.get(ClientRecord, client_id) is None:
            raise NotFound("That record does not exist.")
        note = ClinicalNoteRecord(id=uuid.uuid4(), client_id=client_id, author_id=clinic.actor.user_id)
        note.body = body
        act.session.add(note)
        act.audit(target_type="clinical_note", target_id=note.id, details={"client_id": str(client_id)})
    return NoteDetail(
        note.id, client_id, clinic.actor.user_id, clinic.actor.display_name, note.written_at, body
    )


def read_clinical_notes(clinic: UnlockedClinic, client_id: uuid.UUID) -> list[NoteDetail]:
    """Every clinical note of one person, newest first, opened (audited as a view)."""
    with clinic.acting(
        Permission.READ_CLINICAL,
        "read clinical notes",
        AuditAction.NOTE_VIEWED,
        target_type="client",
        target_id=client_id,
    ) as act:
        rows = act.session.execute(
            select(ClinicalNoteRecord, UserRecord.display_name)
            .join(UserRecord, UserRecord.id == ClinicalNoteRecord.author_id)
            .where(ClinicalNoteRecord.client_id == client_id)
            .order_by(ClinicalNoteRecord.written_at.desc())
        ).all()
        bad = UnopenableValues()  # one altered or moved note stays one marked note
        notes = []
        for n, author in rows:
            body = bad.read(n, "body")
            notes.append(
                NoteDetail(n.id, n.client_id, n.author_id, author, n.written_at, body.text, body.unopenable)
            )
        bad.audit(act.session, clinic.signer)
        act.audit(details={"notes": len(notes)})
    return notes
