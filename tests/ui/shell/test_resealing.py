"""Values an earlier version sealed are converted in the background after a clinician logs in."""

from __future__ import annotations

from sqlalchemy import select, text

from hrclinic.services import intake, notes
from hrclinic.services.clinic import lock
from hrclinic.services.intake import IntakeForm
from hrclinic.services.reseal import pending_legacy_count
from hrclinic.store.records import ClinicalNoteRecord, OverdoseScreeningRecord
from tests.conftest import CLINICIAN, OWNER, ClinicFixture
from tests.legacy_sealing import seal_v1
from tests.ui.conftest import log_in
from ui.shell import ShellWindow


def test_legacy_values_are_converted_in_the_background_after_a_clinician_logs_in(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    # the owner seeds the clinic as an earlier version left it: the clinician's ring has not closed the
    # earlier formats (a log-in that finds none left closes them for good, services/legacy.py)
    seed = clinic_dir.login(OWNER)
    person = intake.register_person(
        seed, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),))
    )
    note = notes.write_clinical_note(seed, person.id, "placeholder")
    with seed.uow() as uow:
        screening = uow.session.scalars(select(OverdoseScreeningRecord)).one()
        answers = screening.answers or ""
    with seed.engine.begin() as conn:
        conn.execute(
            text("UPDATE clinical_notes SET body = :b WHERE id = :id"),
            {"b": seal_v1(seed, ClinicalNoteRecord, "body", note.id, "An old note."), "id": note.id.hex},
        )
        conn.execute(
            text("UPDATE overdose_screenings SET answers = :b WHERE id = :id"),
            {
                "b": seal_v1(seed, OverdoseScreeningRecord, "answers", screening.id, answers),
                "id": screening.id.hex,
            },
        )
    assert pending_legacy_count(seed) == 2
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    qtbot.waitUntil(lambda: "older entries" in shell.statusBar().currentMessage() and not shell.runner.busy)
    assert "Updated the protection of 2 older entries." in shell.statusBar().currentMessage()
    after = clinic_dir.login(CLINICIAN)
    assert pending_legacy_count(after) == 0
    assert [n.body for n in notes.read_clinical_notes(after, person.id)] == ["An old note."]
