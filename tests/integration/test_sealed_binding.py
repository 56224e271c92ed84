"""Sealed values are bound to their person and author: attacks with the registry key (which every role
holds) and raw SQL must not show one person's clinical content in another's chart; one value that
fails to open stays one marked value, audited and named by verify, and everything else keeps working."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import SealedValueLocked, ValidationError
from hrclinic.services import clients, flags, intake, merge, notes, registry
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.intake import IntakeForm
from hrclinic.services.verify import VerifyReport, check_sealed_values, verify_clinic
from hrclinic.store.engine import open_sqlcipher
from hrclinic.store.records import (
    AuditEventRecord,
    ClientRecord,
    ClinicalNoteRecord,
    OverdoseScreeningRecord,
    UserRecord,
)
from hrclinic.store.sealed import SealedBindingMissing
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


@contextmanager
def raw_sql(clinic_dir: ClinicFixture) -> Iterator[Any]:
    """What an insider with the registry key has: raw sqlcipher3 on the file (front desk's key will do)."""
    desk = clinic_dir.login(FRONT_DESK)
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", desk.keys.registry_key)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def _unopenable_audited(clinic: UnlockedClinic) -> list[tuple[str | None, str | None, str]]:
    with clinic.uow() as uow:
        action = AuditAction.SEALED_VALUE_UNOPENABLE.value
        rows = uow.session.scalars(select(AuditEventRecord).where(AuditEventRecord.action == action)).all()
        return [(r.target_type, r.target_id, r.details) for r in rows]


def _sealed_problems(clinic: UnlockedClinic) -> list[str]:
    report = VerifyReport()
    check_sealed_values(clinic, report)
    return report.problems


def test_a_note_re_pointed_to_another_person_is_unopenable_there_and_gone_from_the_first_chart(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    alex = clients.register_client(clinician, "Алексей")
    secret = notes.write_clinical_note(clinician, zoe.id, "Zoë talked about her weekend.")
    notes.write_clinical_note(clinician, alex.id, "Alex's own note.")
    with raw_sql(clinic_dir) as conn:
        conn.execute("UPDATE clinical_notes SET client_id = ? WHERE id = ?", (alex.id.hex, secret.id.hex))

    shown = notes.read_clinical_notes(clinician, alex.id)
    assert sorted((n.unopenable, n.body) for n in shown) == [(False, "Alex's own note."), (True, "")]
    assert all("Zoë" not in n.body for n in shown)
    assert notes.read_clinical_notes(clinician, zoe.id) == []
    [(table, row_id, details)] = _unopenable_audited(clinician)
    assert (table, row_id) == ("clinical_notes", str(secret.id)) and "weekend" not in details
    assert _sealed_problems(clinician) == [
        f"clinical_notes.body of row {secret.id} cannot be opened (altered or moved)"
    ]


def test_a_note_re_pointed_to_another_author_is_unopenable(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    note = notes.write_clinical_note(clinician, zoe.id, "Written by Theo.")
    with raw_sql(clinic_dir) as conn:
        owner_id = _user_id(clinician, OWNER[0])
        conn.execute("UPDATE clinical_notes SET author_id = ? WHERE id = ?", (owner_id.hex, note.id.hex))
    [shown] = notes.read_clinical_notes(clinician, zoe.id)
    assert shown.unopenable and shown.author_name == "Olive Owner" and shown.body == ""


def _user_id(clinic: UnlockedClinic, username: str) -> uuid.UUID:
    with clinic.uow() as uow:
        return uow.session.scalars(select(UserRecord.id).where(UserRecord.username == username)).one()


def test_a_checklist_re_pointed_to_another_person_is_unopenable_and_the_flags_view_still_works(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    zoe = intake.register_person(
        desk, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),))
    )
    alex = intake.register_person(desk, IntakeForm(preferred_name="Alex"))
    sam = intake.register_person(
        desk, IntakeForm(preferred_name="Sam", screening=(("uses_alone", "yes", ""),))
    )
    clinician = clinic_dir.login(CLINICIAN)
    with clinician.uow() as uow:
        zoe_checklist = uow.session.scalars(
            select(OverdoseScreeningRecord.id).where(OverdoseScreeningRecord.client_id == zoe.id)
        ).one()
    with raw_sql(clinic_dir) as conn:
        conn.execute(
            "UPDATE overdose_screenings SET client_id = ? WHERE id = ?", (alex.id.hex, zoe_checklist.hex)
        )

    rows = {r.preferred_name: r for r in flags.flag_proposals(clinician)}
    assert set(rows) == {"Alex", "Sam"}
    assert rows["Alex"].unopenable and rows["Alex"].reasons == ()
    assert rows["Sam"].reasons == ("Uses alone",) and not rows["Sam"].unopenable
    detail = registry.person_detail(clinician, alex.id)
    assert [s.unopenable for s in detail.screenings] == [True] and detail.screenings[0].answers == ()
    assert registry.person_detail(clinician, sam.id).screenings[0].answers
    audited = [(table, row) for table, row, _ in _unopenable_audited(clinician)]
    assert ("overdose_screenings", str(zoe_checklist)) in audited


def test_a_note_body_copied_into_another_note_of_the_same_person_is_unopenable(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    first = notes.write_clinical_note(clinician, zoe.id, "First session.")
    second = notes.write_clinical_note(clinician, zoe.id, "Second session.")
    with raw_sql(clinic_dir) as conn:
        conn.execute(
            "UPDATE clinical_notes SET body = (SELECT body FROM clinical_notes WHERE id = ?) WHERE id = ?",
            (first.id.hex, second.id.hex),
        )
    by_id = {n.id: n for n in notes.read_clinical_notes(clinician, zoe.id)}
    assert by_id[first.id].body == "First session." and by_id[second.id].unopenable


def test_one_junk_value_leaves_the_record_and_the_other_notes_working_and_verify_names_it(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = intake.register_person(
        clinician,
        IntakeForm(
            preferred_name="Zoë",
            reason_own_words="I want to sleep again.",
            change_own_words="Less drinking alone.",
            screening=(("injects", "yes", ""),),
        ),
    )
    written = [notes.write_clinical_note(clinician, zoe.id, f"Session {i}.") for i in range(3)]
    junk = written[1]
    with raw_sql(clinic_dir) as conn:
        conn.execute("UPDATE clinical_notes SET body = ? WHERE id = ?", (b"\x03" + bytes(60), junk.id.hex))
        conn.execute("UPDATE clients SET reason_own_words = ? WHERE id = ?", (b"junk", zoe.id.hex))

    detail = registry.person_detail(clinician, zoe.id)
    assert detail.preferred_name == "Zoë" and detail.unopenable == ("reason_own_words",)
    assert detail.reason_own_words == "" and detail.change_own_words == "Less drinking alone."
    assert detail.screenings[0].answers and not detail.screenings[0].unopenable
    shown = {n.id: n for n in notes.read_clinical_notes(clinician, zoe.id)}
    assert shown[junk.id].unopenable
    assert [shown[n.id].body for n in (written[0], written[2])] == ["Session 0.", "Session 2."]
    report = verify_clinic(clinic_dir.data_dir, *CLINICIAN, kdf=FAST_KDF)
    assert f"clinical_notes.body of row {junk.id} cannot be opened (altered or moved)" in report.problems
    assert f"clients.reason_own_words of row {zoe.id} cannot be opened (altered or moved)" in report.problems
    assert not report.sound


def test_a_clinician_saving_the_record_keeps_an_unopenable_entry_unless_replacing_it(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = intake.register_person(clinician, IntakeForm(preferred_name="Zoë", reason_own_words="Sleep."))
    with raw_sql(clinic_dir) as conn:
        conn.execute("UPDATE clients SET reason_own_words = ? WHERE id = ?", (b"junk", zoe.id.hex))
    version = registry.person_detail(clinician, zoe.id).version
    after = intake.update_person(
        clinician, zoe.id, IntakeForm(preferred_name="Zoë"), expected_version=version
    )
    assert after.unopenable == ("reason_own_words",)  # the evidence stays for verify to name
    after = intake.update_person(
        clinician, zoe.id, IntakeForm(preferred_name="Zoë", reason_own_words="Sleep, again."),
        expected_version=after.version,
    )
    assert after.unopenable == () and after.reason_own_words == "Sleep, again."


def test_verify_run_by_front_desk_skips_what_it_cannot_open(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    notes.write_clinical_note(clinician, zoe.id, "Note.")
    assert _sealed_problems(clinic_dir.login(FRONT_DESK)) == []


def test_owner_columns_must_be_set_before_the_sealed_value(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    with clinician.uow():
        note = ClinicalNoteRecord(id=uuid.uuid4(), client_id=uuid.uuid4())
        with pytest.raises(SealedBindingMissing, match="author_id"):
            note.body = "text"
        with pytest.raises(SealedBindingMissing, match="client_id, author_id"):
            ClinicalNoteRecord.body.open_for(note.id, b"x", client_id=note.client_id)


# --- front desk deposits are new entries -----------------------------------------------------------


def test_front_desk_can_never_overwrite_or_erase_existing_own_words(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    zoe = intake.register_person(desk, IntakeForm(preferred_name="Zoë", reason_own_words="Sleep."))
    version = registry.person_detail(desk, zoe.id).version
    with pytest.raises(ValidationError, match="only a clinician can change them") as refused:
        intake.update_person(
            desk,
            zoe.id,
            IntakeForm(preferred_name="Zoë", reason_own_words="Planted words."),
            expected_version=version,
        )
    assert refused.value.field == "reason_own_words"
    # where nothing was recorded yet, front desk's answer is a new entry, readable by clinicians
    form = IntakeForm(preferred_name="Zoë", change_own_words="Less alone.")
    intake.update_person(desk, zoe.id, form, expected_version=version)
    with desk.uow() as uow:  # below the service too: who cannot read a value cannot replace or erase it
        record = uow.session.get_one(ClientRecord, zoe.id)
        with pytest.raises(SealedValueLocked, match="only clinicians can change"):
            record.reason_own_words = "Planted words."
        with pytest.raises(SealedValueLocked, match="only clinicians can change"):
            record.reason_own_words = None
    detail = registry.person_detail(clinic_dir.login(CLINICIAN), zoe.id)
    assert (detail.reason_own_words, detail.change_own_words) == ("Sleep.", "Less alone.")


# --- merge -------------------------------------------------------------------------------------------


def test_a_merge_re_seals_what_it_moves_for_the_surviving_record(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    keep = intake.register_person(owner, IntakeForm(preferred_name="Zoë"))
    gone = intake.register_person(
        owner,
        IntakeForm(
            preferred_name="Zoe L.", reason_own_words="Sleep.", screening=(("past_overdose", "yes", ""),)
        ),
    )
    moved = notes.write_clinical_note(owner, gone.id, "Written on the duplicate record.")
    merged = merge.merge_records(owner, keep.id, gone.id)
    assert merged.reason_own_words == "Sleep." and merged.unopenable == ()
    assert merged.screenings[0].answers and not merged.screenings[0].unopenable
    [note] = notes.read_clinical_notes(owner, keep.id)
    assert note.body == "Written on the duplicate record." and not note.unopenable
    assert {r.preferred_name for r in flags.flag_proposals(owner)} == {"Zoë"}
    assert _sealed_problems(owner) == []
    with raw_sql(clinic_dir) as conn:  # pointing it back is now a move like any other
        conn.execute("UPDATE clinical_notes SET client_id = ? WHERE id = ?", (gone.id.hex, moved.id.hex))
    assert [n.unopenable for n in notes.read_clinical_notes(owner, gone.id)] == [True]
