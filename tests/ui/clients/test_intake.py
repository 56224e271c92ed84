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
