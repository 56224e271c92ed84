"""Sealed columns in the real database: bound to row and column, locked for front desk."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from hrclinic.domain.vaults import VaultKind, field_context
from hrclinic.errors import SealedValueInvalid, SealedValueLocked
from hrclinic.services import clients, intake, notes
from hrclinic.store.records import ClinicalNoteRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture


def test_a_sealed_note_copied_onto_another_row_is_shown_as_unopenable(
    clinic_dir: ClinicFixture,
) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinic, "Zoë")
    alex = clients.register_client(clinic, "Алексей")
    secret = notes.write_clinical_note(clinic, zoe.id, "Zoë's own words about her weekend.")
    other = notes.write_clinical_note(clinic, alex.id, "Alex's note.")
    with clinic.engine.begin() as conn:  # someone with file access swaps the ciphertext
        conn.execute(
            text(
                "UPDATE clinical_notes SET body = (SELECT body FROM clinical_notes WHERE id = :src) "
                "WHERE id = :dst"
            ),
            {"src": secret.id.hex, "dst": other.id.hex},
        )
    [moved] = notes.read_clinical_notes(clinic, alex.id)
    assert moved.unopenable and moved.body == ""  # never Zoë's words in Alex's chart
    with clinic.uow() as uow, pytest.raises(SealedValueInvalid, match="does not belong to this record"):
        _ = uow.session.get_one(ClinicalNoteRecord, other.id).body
    assert [n.body for n in notes.read_clinical_notes(clinic, zoe.id)] == [
        "Zoë's own words about her weekend."
    ]


def test_front_desk_cannot_open_sealed_values_even_through_the_records(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Nguyễn")
    note = notes.write_clinical_note(clinician, person.id, "Clinical content.")
    desk = clinic_dir.login(FRONT_DESK)
    with desk.uow() as uow:  # bypass the service's permission check: the cryptography still refuses
        record = uow.session.get_one(ClinicalNoteRecord, note.id)
        assert record.body_sealed and b"Clinical content" not in record.body_sealed
        with pytest.raises(SealedValueLocked, match="does not hold the clinical vault"):
            _ = record.body


def test_sealed_values_need_an_open_unit_of_work(clinic_dir: ClinicFixture) -> None:
    record = ClinicalNoteRecord(id=uuid.uuid4(), client_id=uuid.uuid4(), author_id=uuid.uuid4())
    with pytest.raises(SealedValueLocked, match="locked"):
        record.body = "text"


def test_text_round_trips_exactly(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinic, "O'Brien <Sam> & Co")
    body = "Line 1\n\tindented <b>not bold</b> & 'quotes' — Zoë Алексей Nguyễn 王小明 🙂\n" + "x" * 50_000
    notes.write_clinical_note(clinic, person.id, body)
    assert notes.read_clinical_notes(clinic, person.id)[0].body == body


def test_opening_a_selected_column_is_still_bound_to_its_row(clinic_dir: ClinicFixture) -> None:
    from sqlalchemy import select

    from hrclinic.services.intake import IntakeForm
    from hrclinic.store.records import OverdoseScreeningRecord

    desk = clinic_dir.login(FRONT_DESK)
    intake.register_person(desk, IntakeForm(preferred_name="Zoë", screening=(("uses_alone", "yes", ""),)))
    clinician = clinic_dir.login(CLINICIAN)
    with clinician.uow() as uow:
        row_id, blob, client_id, by = uow.session.execute(
            select(
                OverdoseScreeningRecord.id,
                OverdoseScreeningRecord.answers_sealed,
                OverdoseScreeningRecord.client_id,
                OverdoseScreeningRecord.screened_by,
            )
        ).one()
        answers = OverdoseScreeningRecord.answers
        assert "uses_alone" in (answers.open_for(row_id, blob, client_id=client_id, screened_by=by) or "")
        with pytest.raises(SealedValueInvalid):
            answers.open_for(uuid.uuid4(), blob, client_id=client_id, screened_by=by)
        with pytest.raises(SealedValueInvalid):  # the same row, another person
            answers.open_for(row_id, blob, client_id=uuid.uuid4(), screened_by=by)


def test_front_desk_cannot_plant_text_in_a_clinical_note(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Zoë")
    note = notes.write_clinical_note(clinician, person.id, "The real note.")
    desk = clinic_dir.login(FRONT_DESK)
    forged = desk.sealer.seal(
        b"FORGED",
        vault=VaultKind.CLINICAL,
        deposit=True,
        context=field_context("clinical_notes", "body", str(note.id)),
        author=desk.actor.user_id,
    )
    with desk.engine.begin() as conn:
        conn.execute(
            text("UPDATE clinical_notes SET body = :b WHERE id = :id"), {"b": forged, "id": note.id.hex}
        )
    [shown] = notes.read_clinical_notes(clinician, person.id)
    assert shown.unopenable and "FORGED" not in shown.body
    with clinician.uow() as uow:
        record = uow.session.get_one(ClinicalNoteRecord, note.id)
        assert record.body_sealed == forged
        with pytest.raises(SealedValueInvalid, match="only clinicians may write"):
            _ = record.body
