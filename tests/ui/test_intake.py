"""Intake as front desk does it: keyboard only, duplicates offered, drafts survive."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hrclinic.services import intake, registry
from hrclinic.services.clinic import lock
from hrclinic.services.intake import IntakeForm
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.ui.conftest import activate, log_in, settle, type_text
from ui.shell import ShellWindow
from ui.views.intake import IntakeDialog


def _dialog(qtbot, shell: ShellWindow, *, register: bool = True) -> IntakeDialog:
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    dialog = IntakeDialog(shell.workspace.ctx, view.rows, parent=shell)
    if register:  # qtbot closes registered widgets after the test
        qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    settle(qtbot, shell.runner)
    return dialog


def _tab_to(dialog: IntakeDialog, target) -> None:
    """Press Tab until focus reaches ``target`` (proves the field is reachable by keyboard)."""
    for _ in range(80):
        if dialog.focusWidget() is target:
            return
        QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Tab)
    raise AssertionError(f"{target.objectName()} cannot be reached with Tab")


def test_full_intake_by_keyboard_only(qtbot, shell: ShellWindow, clinic_dir: ClinicFixture) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    dialog = _dialog(qtbot, shell)
    dialog.name.setFocus()
    type_text(dialog.name, "Zoë")
    for key, text in (
        ("legal_name", "Zofia Łukasiewicz-Şahin"),
        ("birth", "1990-05-02"),
        ("phone", "555 201 3344"),
        ("safe_contact_notes", "Texts only; no clinic name"),
    ):
        _tab_to(dialog, dialog.field(key))
        type_text(dialog.field(key), text)
    _tab_to(dialog, dialog.field("may_text"))
    QTest.keyClick(dialog.field("may_text"), Qt.Key.Key_Down)  # Not asked -> Yes
    _tab_to(dialog, dialog.field("reason_own_words"))
    type_text(dialog.field("reason_own_words"), "I want to stop waking up sick.")
    QTest.keyClick(dialog.field("reason_own_words"), Qt.Key.Key_Return)
    type_text(dialog.field("reason_own_words"), "Maybe cut down first.")
    _tab_to(dialog, dialog.need_boxes["housing"][0])
    QTest.keyClick(dialog.need_boxes["housing"][0], Qt.Key.Key_Space)
    _tab_to(dialog, dialog.risk_boxes["uses_alone"])
    QTest.keyClick(dialog.risk_boxes["uses_alone"], Qt.Key.Key_Down)  # Not asked -> Yes
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=20_000)

    clinician = clinic_dir.login(CLINICIAN)
    detail = registry.person_detail(clinician, dialog.saved.id)
    assert (detail.preferred_name, detail.legal_name, detail.birth_text, detail.may_text) == (
        "Zoë",
        "Zofia Łukasiewicz-Şahin",
        "1990-05-02",
        True,
    )
    assert detail.reason_own_words == "I want to stop waking up sick.\nMaybe cut down first."
    assert [n.need for n in detail.needs] == ["housing"]
    assert [(a.factor_id, a.answer) for a in detail.screenings[0].answers] == [("uses_alone", "yes")]


def test_an_impossible_date_is_named_at_the_field_and_nothing_is_lost(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    dialog = _dialog(qtbot, shell)
    type_text(dialog.name, "Sam")
    type_text(dialog.field("birth"), "2001-02-30")
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "not a real date" in dialog.errors["birth"].text()
    assert dialog.saved is None and dialog.name.text() == "Sam"


def test_a_possible_duplicate_is_offered_before_saving(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    seed = clinic_dir.login(FRONT_DESK)
    existing = intake.register_person(seed, IntakeForm(preferred_name="Zoe Lukasiewicz", birth="1990"))
    lock(seed)
    log_in(qtbot, shell, FRONT_DESK)
    dialog = _dialog(qtbot, shell)
    opened = []
    dialog.open_existing.connect(opened.append)
    type_text(dialog.name, "Zoë Łukasiewicz")
    type_text(dialog.field("birth"), "1990-05-02")
    qtbot.waitUntil(dialog.duplicates.isVisible, timeout=5000)
    assert "similar name, born 1990" in dialog.duplicates_text.text()
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # not saved until decided
    assert dialog.saved is None and "possible match" in dialog.form_error.text()
    dialog.findChild(type(dialog.save_button), f"open_duplicate_{existing.record_number}").click()
    assert opened == [existing.id]


def test_typing_survives_closing_the_window_and_a_crash(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    dialog = _dialog(qtbot, shell, register=False)  # it will vanish without being closed
    type_text(dialog.name, "Алексей")
    type_text(dialog.field("phone"), "555 0199")
    dialog.save_draft()  # the timer would do this 1.5 s after the last key
    settle(qtbot, shell.runner)
    dialog.deleteLater()  # the window disappears without Save (a crash, a closed laptop)
    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, FRONT_DESK)
    again = _dialog(qtbot, shell)
    qtbot.waitUntil(lambda: again.name.text() == "Алексей", timeout=5000)
    assert again.field("phone").text() == "555 0199"
    assert "Restored what you typed" in again.draft_status.text()


def test_front_desk_sees_details_but_not_clinical_parts_of_a_record(
    qtbot, shell: ShellWindow, clinic_dir
) -> None:
    from ui.views.clients import ClientRecordDialog

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
    record = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(record)
    settle(qtbot, shell.runner)
    texts = [w.text() for w in record.findChildren(type(record.meta))]
    assert "555 0100" in texts
    assert not any("Private words" in t for t in texts)
    assert record.findChild(type(record.meta), "clinical_hidden") is not None

    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, CLINICIAN)
    seen = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(seen)
    settle(qtbot, shell.runner)
    assert "Private words" in seen.own_words.text()
    assert seen.proposal.isVisibleTo(seen) and "overdose-risk flag" in seen.proposal_text.text()


def test_lost_contact_is_welcomed_back_in_one_step(qtbot, shell: ShellWindow, clinic_dir) -> None:
    from ui.views.clients import ClientRecordDialog

    seed = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(seed, IntakeForm(preferred_name="Sam"))
    registry.change_status(seed, person.id, "lost_contact", reason="No reply")
    lock(seed)
    log_in(qtbot, shell, FRONT_DESK)
    record = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(record)
    settle(qtbot, shell.runner)
    assert record.reengage_button.isVisibleTo(record)
    record.reengage_button.click()
    settle(qtbot, shell.runner)
    settle(qtbot, shell.runner)
    assert record.detail.status == "active" and not record.reengage_button.isVisibleTo(record)
    assert record.history_list.count() == 3  # registered, lost contact, back


def test_the_owner_merges_a_duplicate_from_the_clients_view(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    from ui.views.merge import MergeDialog

    seed = clinic_dir.login(FRONT_DESK)
    keep = intake.register_person(seed, IntakeForm(preferred_name="Sam Okoye", phone="555 0100"))
    dup = intake.register_person(seed, IntakeForm(preferred_name="Samuel Okoye", birth="1984"))
    lock(seed)
    from tests.conftest import OWNER

    log_in(qtbot, shell, OWNER)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    assert view.merge_button.isVisibleTo(view)

    def fake_exec(dialog: MergeDialog) -> int:
        activate(qtbot, dialog)
        dialog.ok_button.click()  # nothing chosen: refused with a message
        assert "Choose both records" in dialog.message.text()
        type_text(dialog.keep.lineEdit(), f"{keep.record_number}")
        dialog.keep.setCurrentIndex(0)
        type_text(dialog.duplicate.lineEdit(), "samuel")
        dialog.duplicate.setCurrentIndex(0)
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: dialog.result() == 1, timeout=20_000)
        return 1

    monkeypatch.setattr(MergeDialog, "exec", fake_exec)
    view.merge_button.click()
    settle(qtbot, shell.runner)
    assert [r.preferred_name for r in view.rows] == ["Sam Okoye"]
    merged = registry.person_detail(shell.workspace.ctx.clinic, keep.id, audit=False)
    assert "Samuel Okoye" in merged.aliases and merged.birth_year == 1984
    assert registry.person_detail(shell.workspace.ctx.clinic, dup.id, audit=False).status == "merged"


def test_front_desk_has_no_merge_button(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    assert not view.merge_button.isVisibleTo(view)
