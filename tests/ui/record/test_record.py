"""A person's record as people use it: who sees what, writing notes, the status, values that do not
open; and what a save costs (the new note only, one audit row)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox
from sqlalchemy import select, text

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.vaults import UNOPENABLE_TEXT
from hrclinic.services import clients, intake, notes, registry
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.intake import IntakeForm
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.ui.conftest import activate, log_in, settle, type_text, wait_for
from ui.shell import ShellWindow
from ui.views.record.dialog import RecordDialog


def _open(qtbot, shell: ShellWindow, person) -> RecordDialog:
    """Open the record as Enter in a list does, and wait for what it loads (details, notes, consents)."""
    record = RecordDialog.of(shell.workspace.ctx, person, shell)
    qtbot.addWidget(record)
    view = record.view
    clinical = view.clinical
    wait_for(
        qtbot,
        view.loading,
        view.consents.loading,
        clinical.loading if clinical else None,
        clinical.editor.loading if clinical else None,
    )
    return record


def _texts(record: RecordDialog, name: str) -> list[str]:
    return [w.text() for w in record.findChildren(QLabel, name)]


def _audit_actions(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return list(uow.session.scalars(select(AuditEventRecord.action).order_by(AuditEventRecord.seq)))


def _seed(clinic_dir: ClinicFixture, *names: str) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    for name in names:
        clients.register_client(clinic, name)
    lock(clinic)


def test_a_clinician_writes_a_note_and_front_desk_cannot_see_it(
    qtbot, shell: ShellWindow, clinic_dir
) -> None:
    _seed(clinic_dir, "Zoë")
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("clients")
    wait_for(qtbot, view.refresh())
    person = view.list.visible_rows()[0]
    record = _open(qtbot, shell, person)
    activate(qtbot, record)
    editor = record.view.clinical.editor
    assert record.findChild(QLabel, "no_notes").isVisibleTo(record)
    type_text(editor.input, "Talked about Friday nights <b>& naloxone</b>.")
    with qtbot.waitSignal(editor.saved):
        QTest.keyClick(record, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _texts(record, "note_body") == ["Talked about Friday nights <b>& naloxone</b>."]
    assert editor.input.toPlainText() == "" and not record.findChild(QLabel, "no_notes").isVisibleTo(record)
    assert shell.statusBar().currentMessage() == "Note saved."
    caseload = shell.workspace.open("caseload")
    settle(qtbot, shell.runner)
    assert [r.preferred_name for r in caseload.list.visible_rows()] == ["Zoë"]
    record.close()

    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, FRONT_DESK)
    desk_record = _open(qtbot, shell, person)
    assert desk_record.view.clinical is None
    assert desk_record.findChild(QLabel, "clinical_hidden") is not None
    assert not _texts(desk_record, "note_body")


def test_saving_a_note_shows_that_note_only_and_audits_only_the_save(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    seed = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(
        seed, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),))
    )
    lock(seed)
    therapist = clinic_dir.login(CLINICIAN)
    for i in range(3):
        notes.write_clinical_note(therapist, person.id, f"Session {i}.")
    lock(therapist)
    log_in(qtbot, shell, CLINICIAN)
    record = _open(qtbot, shell, person)
    activate(qtbot, record)
    earlier = record.findChildren(QFrame, "note_card")
    before = _audit_actions(shell.session)
    opened = {AuditAction.CLIENT_VIEWED, AuditAction.SCREENING_VIEWED, AuditAction.NOTE_VIEWED}
    assert set(before[-3:]) == {action.value for action in opened}  # opening the record: one view each

    editor = record.view.clinical.editor
    type_text(editor.input, "Walked through the naloxone kit.")
    wait_for(qtbot, editor.save())
    settle(qtbot, shell.runner)

    assert _audit_actions(shell.session)[len(before) :] == [AuditAction.NOTE_WRITTEN.value]
    shown = [card.findChild(QLabel, "note_body").text() for card in record.view.clinical.cards()]
    assert shown == [
        "Walked through the naloxone kit.",
        "Session 2.",
        "Session 1.",
        "Session 0.",
    ]
    assert all(shiboken6.isValid(card) for card in earlier)  # the earlier notes were not drawn again
    assert len(record.findChildren(QFrame, "note_card")) == len(earlier) + 1


def test_closing_a_record_with_an_unsaved_note_asks_first(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    _seed(clinic_dir, "Zoë")
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("clients")
    wait_for(qtbot, view.refresh())
    record = _open(qtbot, shell, view.list.visible_rows()[0])
    activate(qtbot, record)
    type_text(record.view.clinical.editor.input, "half a thought")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    QTest.keyClick(record, Qt.Key.Key_Escape)
    assert record.isVisible() and record.view.clinical.editor.input.toPlainText() == "half a thought"


def test_a_long_history_opens_a_page_of_notes_at_a_time(qtbot, shell: ShellWindow, clinic_dir) -> None:
    seed = clinic_dir.login(CLINICIAN)
    person = clients.register_client(seed, "Zoë")
    for i in range(25):
        notes.write_clinical_note(seed, person.id, f"Session note {i:02d}")
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    record = _open(qtbot, shell, person)
    bodies = _texts(record, "note_body")
    assert len(bodies) == 10 and bodies[0] == "Session note 24"  # newest first
    more = record.view.clinical.more_notes
    assert more.isVisibleTo(record) and "15 more" in more.text()
    more.click()
    more.click()
    assert len(_texts(record, "note_body")) == 25 and not more.isVisibleTo(record)


def test_front_desk_sees_details_but_not_clinical_parts_of_a_record(
    qtbot, shell: ShellWindow, clinic_dir
) -> None:
    seed = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(
        seed,
        IntakeForm(
            preferred_name="Sam",
            phone="555 0100",
            reason_own_words="Private words",
            screening=(("uses_alone", "yes", ""),),
        ),
    )
    lock(seed)
    log_in(qtbot, shell, FRONT_DESK)
    record = _open(qtbot, shell, person)
    texts = [w.text() for w in record.findChildren(QLabel)]
    assert "555 0100" in texts
    assert not any("Private words" in t for t in texts)
    assert record.findChild(QLabel, "clinical_hidden") is not None

    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, CLINICIAN)
    seen = _open(qtbot, shell, person).view.clinical
    assert "Private words" in seen.own_words.text()
    assert seen.proposal.isVisibleTo(seen) and "overdose-risk flag" in seen.proposal_text.text()


def test_lost_contact_is_welcomed_back_in_one_step(qtbot, shell: ShellWindow, clinic_dir) -> None:
    seed = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(seed, IntakeForm(preferred_name="Sam"))
    registry.change_status(seed, person.id, "lost_contact", reason="No reply")
    lock(seed)
    log_in(qtbot, shell, FRONT_DESK)
    record = _open(qtbot, shell, person)
    details = record.view.details
    assert details.reengage_button.isVisibleTo(record)
    with qtbot.waitSignal(details.person_changed):
        details.reengage_button.click()
    assert record.view.detail.status == "active" and not details.reengage_button.isVisibleTo(record)
    assert record.view.history.list.count() == 3  # registered, lost contact, back
    assert "Active" in record.view.meta.text()


def test_the_record_shows_an_altered_note_as_unopenable_among_the_others(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    seed = clinic_dir.login(CLINICIAN)
    person = clients.register_client(seed, "Zoë")
    written = [notes.write_clinical_note(seed, person.id, f"Session {i}.") for i in range(3)]
    with seed.engine.begin() as conn:
        conn.execute(
            text("UPDATE clinical_notes SET body = :b WHERE id = :id"),
            {"b": b"junk" * 20, "id": written[1].id.hex},
        )
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    record = _open(qtbot, shell, person)
    assert not record.view.message.isVisible() and not record.view.clinical.notes_message.isVisible()
    assert _texts(record, "note_body") == ["Session 2.", "Session 0."]
    [marker] = record.findChildren(QLabel, "note_unopenable")
    assert UNOPENABLE_TEXT in marker.text() and marker.property("role") == "muted"
