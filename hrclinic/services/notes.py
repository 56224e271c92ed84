"""Clinical notes: written sealed in the clinical vault, read back (audited as a view). Signing
and addenda come here too; a note is never deleted."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.domain.text import clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.readmodels.notes import NoteDetail
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.records import ClientRecord, ClinicalNoteRecord, UserRecord

MAX_NOTE = 200_000


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
