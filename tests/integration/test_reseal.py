"""Re-sealing: values written by earlier versions open and are converted (after which they are bound
to their person and author), deposits become clinical-vault values, values under an older clinical
key move to the current one, an interrupted run continues, and a bad value never blocks the rest."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import PermissionDenied
from hrclinic.services import clients, flags, intake, notes, registry
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.intake import IntakeForm
from hrclinic.services.reseal import (
    convert_legacy_values,
    pending_legacy_count,
    pending_reseal_count,
    reseal_all,
    reseal_batch,
)
from hrclinic.store.records import AuditEventRecord, ClientRecord, ClinicalNoteRecord, OverdoseScreeningRecord
from hrclinic.store.sealed import SealedText
from hrclinic.vault.primitives import KEY_BYTES, random_bytes
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.legacy_sealing import seal_v1


def _set_blob(clinic: UnlockedClinic, table: str, column: str, row_id: uuid.UUID, blob: bytes) -> None:
    with clinic.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :b WHERE id = :id"), {"b": blob, "id": row_id.hex})


def _as_before_the_upgrade(clinic: UnlockedClinic) -> None:
    """The clinic as an earlier version left it: no ring has closed the earlier formats yet (this
    test's log-in found none left, so it closed them; an upgraded clinic's first log-in finds some)."""
    clinic.keys.legacy_closed = False


def _set_v1_note(clinic: UnlockedClinic, note_id: uuid.UUID, value: str) -> None:
    _as_before_the_upgrade(clinic)
    blob = seal_v1(clinic, ClinicalNoteRecord, "body", note_id, value)
    _set_blob(clinic, "clinical_notes", "body", note_id, blob)


def _blob(clinic: UnlockedClinic, table: str, column: str, row_id: uuid.UUID) -> bytes:
    with clinic.engine.connect() as conn:
        query = text(f"SELECT {column} FROM {table} WHERE id = :id")
        return bytes(conn.execute(query, {"id": row_id.hex}).scalar())


def _audit(clinic: UnlockedClinic, action: AuditAction) -> list[dict[str, Any]]:
    with clinic.uow() as uow:
        rows = uow.session.scalars(select(AuditEventRecord).where(AuditEventRecord.action == action.value))
        return [json.loads(r.details) for r in rows]


def _legacy_chart(clinic_dir: ClinicFixture) -> tuple[UnlockedClinic, uuid.UUID, uuid.UUID, uuid.UUID]:
    """Zoë's chart as an earlier version left it: a note, her own words and her checklist in v1."""
    clinician = clinic_dir.login(CLINICIAN)
    zoe = intake.register_person(
        clinician,
        IntakeForm(
            preferred_name="Zoë",
            reason_own_words="I want to sleep.",
            screening=(("past_overdose", "yes", ""),),
        ),
    )
    note = notes.write_clinical_note(clinician, zoe.id, "placeholder")
    with clinician.uow() as uow:
        screening = uow.session.scalars(select(OverdoseScreeningRecord)).one()
        answers = screening.answers or ""
    _set_v1_note(clinician, note.id, "An old note.")
    _set_blob(
        clinician,
        "clients",
        "reason_own_words",
        zoe.id,
        seal_v1(clinician, ClientRecord, "reason_own_words", zoe.id, "I want to sleep."),
    )
    _set_blob(
        clinician,
        "overdose_screenings",
        "answers",
        screening.id,
        seal_v1(clinician, OverdoseScreeningRecord, "answers", screening.id, answers),
    )
    return clinician, zoe.id, note.id, screening.id


def test_legacy_values_open_convert_and_are_then_bound_to_their_person(clinic_dir: ClinicFixture) -> None:
    clinician, zoe, note_id, screening_id = _legacy_chart(clinic_dir)
    assert _blob(clinician, "clinical_notes", "body", note_id)[0] == 0x01
    assert _blob(clinician, "clients", "reason_own_words", zoe)[0] == 0x02
    assert [n.body for n in notes.read_clinical_notes(clinician, zoe)] == ["An old note."]
    assert registry.person_detail(clinician, zoe).reason_own_words == "I want to sleep."
    assert [r.reasons for r in flags.flag_proposals(clinician)] == [("Past overdose",)]
    assert pending_legacy_count(clinician) == 3 and pending_reseal_count(clinician) == 3

    assert reseal_all(clinician) == 3
    assert pending_legacy_count(clinician) == 0 and pending_reseal_count(clinician) == 0
    current = bytes([0x03]) + (clinician.keys.clinical_current or uuid.UUID(int=0)).bytes
    for table, column, row in (
        ("clinical_notes", "body", note_id),
        ("clients", "reason_own_words", zoe),
        ("overdose_screenings", "answers", screening_id),
    ):
        assert _blob(clinician, table, column, row)[:17] == current
    assert [n.body for n in notes.read_clinical_notes(clinician, zoe)] == ["An old note."]
    assert registry.person_detail(clinician, zoe).reason_own_words == "I want to sleep."
    assert [r.reasons for r in flags.flag_proposals(clinician)] == [("Past overdose",)]
    [run] = _audit(clinician, AuditAction.SEALED_VALUES_RESEALED)
    assert run == {
        "reason": "reseal",
        "resealed": 3,
        "unopenable": 0,
        "locked": 0,
        "cancelled": False,
        "legacy_closed": True,
    }
    assert clinician.keys.legacy_closed  # the run ended: no earlier format opens for this ring again

    alex = clients.register_client(clinician, "Alex")
    with clinician.engine.begin() as conn:  # converted: re-pointing it no longer moves the words
        conn.execute(
            text("UPDATE clinical_notes SET client_id = :c WHERE id = :id"),
            {"c": alex.id.hex, "id": note_id.hex},
        )
        conn.execute(
            text("UPDATE overdose_screenings SET client_id = :c WHERE id = :id"),
            {"c": alex.id.hex, "id": screening_id.hex},
        )
    assert [(n.unopenable, n.body) for n in notes.read_clinical_notes(clinician, alex.id)] == [(True, "")]
    assert [r.unopenable for r in flags.flag_proposals(clinician)] == [True]


def test_reseal_batch_continues_after_an_interruption(clinic_dir: ClinicFixture, monkeypatch) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    written = [notes.write_clinical_note(clinician, zoe.id, f"placeholder {i}") for i in range(7)]
    for i, note in enumerate(written):
        _set_v1_note(clinician, note.id, f"Old note {i}.")
    assert pending_reseal_count(clinician) == 7

    real = SealedText.seal_for
    calls = {"n": 0}

    def crash_on_the_fifth(self: SealedText, row_id: uuid.UUID, value: str, **bound: object) -> bytes:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("power cut")
        return real(self, row_id, value, **bound)

    monkeypatch.setattr(SealedText, "seal_for", crash_on_the_fifth)
    with pytest.raises(RuntimeError, match="power cut"):
        reseal_all(clinician, batch=3)
    assert pending_reseal_count(clinician) == 4  # the first batch was committed, the second not at all
    monkeypatch.setattr(SealedText, "seal_for", real)

    seen: list[tuple[int, int]] = []
    assert reseal_all(clinician, batch=3, progress=lambda done, total: seen.append((done, total))) == 4
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    assert pending_reseal_count(clinician) == 0 and reseal_batch(clinician) == 0
    assert sorted(n.body for n in notes.read_clinical_notes(clinician, zoe.id)) == [
        f"Old note {i}." for i in range(7)
    ]


def test_a_cancelled_run_stops_between_batches_and_the_next_run_finishes(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    for i in range(5):
        note = notes.write_clinical_note(clinician, zoe.id, "placeholder")
        _set_v1_note(clinician, note.id, f"Note {i}.")
    batches = {"n": 0}

    def after_one_batch() -> bool:
        batches["n"] += 1
        return batches["n"] > 1

    assert reseal_all(clinician, batch=2, cancelled=after_one_batch) == 2
    assert pending_reseal_count(clinician) == 3
    assert _audit(clinician, AuditAction.SEALED_VALUES_RESEALED)[-1]["cancelled"] is True
    assert convert_legacy_values(clinician) == 3 and pending_reseal_count(clinician) == 0
    assert _audit(clinician, AuditAction.SEALED_VALUES_RESEALED)[-1]["reason"] == "legacy"


def test_a_value_that_fails_to_open_is_left_as_it_is_and_never_blocks_the_rest(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    written = [notes.write_clinical_note(clinician, zoe.id, "placeholder") for _ in range(5)]
    for i, note in enumerate(written):
        _set_v1_note(clinician, note.id, f"Note {i}.")
    junk = bytes([0x01]) + (clinician.keys.clinical_current or uuid.UUID(int=0)).bytes + random_bytes(40)
    _set_blob(clinician, "clinical_notes", "body", written[0].id, junk)

    assert reseal_all(clinician, batch=2) == 4
    assert _blob(clinician, "clinical_notes", "body", written[0].id) == junk
    assert pending_reseal_count(clinician) == 1 and reseal_batch(clinician) == 0
    run = _audit(clinician, AuditAction.SEALED_VALUES_RESEALED)[-1]
    assert (run["resealed"], run["unopenable"]) == (4, 1)
    with clinician.uow() as uow:
        audited = uow.session.scalars(
            select(AuditEventRecord.target_id).where(
                AuditEventRecord.action == AuditAction.SEALED_VALUE_UNOPENABLE.value
            )
        ).all()
    assert audited == [str(written[0].id)]


def test_front_desk_deposits_become_clinical_vault_values_when_a_clinician_reseals(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    zoe = intake.register_person(
        desk,
        IntakeForm(
            preferred_name="Zoë", reason_own_words="Sleep.", screening=(("past_overdose", "yes", ""),)
        ),
    )
    assert _blob(desk, "clients", "reason_own_words", zoe.id)[0] == 0x05  # signed by its depositor
    with pytest.raises(PermissionDenied):
        pending_reseal_count(desk)
    with pytest.raises(PermissionDenied):
        reseal_batch(desk)
    with pytest.raises(PermissionDenied):
        reseal_all(desk)
    assert convert_legacy_values(desk) == 0

    clinician = clinic_dir.login(CLINICIAN)
    assert pending_legacy_count(clinician) == 0 and pending_reseal_count(clinician) == 2
    assert convert_legacy_values(clinician) == 0  # no legacy values: deposits wait for a rotation or run
    assert reseal_all(clinician) == 2
    assert _blob(clinician, "clients", "reason_own_words", zoe.id)[0] == 0x03
    assert registry.person_detail(clinician, zoe.id).reason_own_words == "Sleep."
    assert [r.reasons for r in flags.flag_proposals(clinician)] == [("Past overdose",)]


def test_values_under_an_older_clinical_key_move_to_the_current_one(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    note = notes.write_clinical_note(clinician, zoe.id, "Under the first key.")
    old = clinician.keys.clinical_current
    new = uuid.uuid4()  # what a rotation gives every holder (here only in this session's memory)
    clinician.keys.clinical[new] = random_bytes(KEY_BYTES)
    clinician.keys.clinical_current = new
    assert clinician.sealer.current_header(VaultKind.CLINICAL) == bytes([0x03]) + new.bytes
    assert pending_reseal_count(clinician) == 1
    assert reseal_all(clinician) == 1
    assert _blob(clinician, "clinical_notes", "body", note.id)[:17] == bytes([0x03]) + new.bytes
    assert old is not None
    del clinician.keys.clinical[old]  # the old key is gone: the note still opens
    assert [n.body for n in notes.read_clinical_notes(clinician, zoe.id)] == ["Under the first key."]
