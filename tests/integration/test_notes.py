"""Clinical notes (services/notes.py): written sealed, read back newest first, audited, clinicians only."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import NotFound, PermissionDenied, ValidationError
from hrclinic.services import clients, notes
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture


def _audit(clinic: UnlockedClinic) -> list[tuple[str, str | None, dict[str, object]]]:
    with clinic.uow() as uow:
        rows = uow.session.execute(
            select(AuditEventRecord.action, AuditEventRecord.target_type, AuditEventRecord.details).order_by(
                AuditEventRecord.seq
            )
        )
        return [(action, target, json.loads(details)) for action, target, details in rows]


def test_a_clinician_writes_notes_and_reads_them_back_newest_first(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    first = notes.write_clinical_note(clinician, zoe.id, "First session.\nTalked about sleep.")
    second = notes.write_clinical_note(clinician, zoe.id, "Second session.")
    assert (first.author_name, first.body) == ("Theo Therapist", "First session.\nTalked about sleep.")
    opened = notes.read_clinical_notes(clinician, zoe.id)
    assert [n.id for n in opened] == [second.id, first.id]
    assert [n.body for n in opened] == ["Second session.", "First session.\nTalked about sleep."]
    written, viewed = _audit(clinician)[-3], _audit(clinician)[-1]
    assert written[:2] == (AuditAction.NOTE_WRITTEN, "clinical_note")
    assert viewed == (AuditAction.NOTE_VIEWED, "client", {"notes": 2})
    assert "sleep" not in json.dumps(_audit(clinician)).lower()  # ids and counts, never the text


def test_an_empty_note_or_an_unknown_person_is_refused_and_nothing_is_written(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    before = len(_audit(clinician))
    with pytest.raises(ValidationError, match="The note is empty") as empty:
        notes.write_clinical_note(clinician, zoe.id, "  \n ")
    assert empty.value.field == "body"
    with pytest.raises(NotFound):
        notes.write_clinical_note(clinician, uuid.UUID(int=1), "Hello.")
    assert len(_audit(clinician)) == before
    assert notes.read_clinical_notes(clinician, zoe.id) == []


def test_front_desk_can_neither_write_nor_read_notes(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    zoe = clients.register_client(desk, "Zoë")
    before = len(_audit(desk))
    with pytest.raises(PermissionDenied, match="cannot write clinical notes"):
        notes.write_clinical_note(desk, zoe.id, "A note.")
    with pytest.raises(PermissionDenied, match="cannot read clinical notes"):
        notes.read_clinical_notes(desk, zoe.id)
    assert len(_audit(desk)) == before
