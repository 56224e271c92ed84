"""Locking with dialogs open: Ctrl+L, the Lock button and the idle lock end every dialog's exec()
loop, keep unsaved typing as sealed drafts (offered again after log-in), and leave nothing on the
lock screen that names a person."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QPushButton, QWidget

from hrclinic.services import clients, drafts
from hrclinic.services.clinic import lock
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.ui.conftest import FakeClock, log_in, settle, type_text
from ui.drafts import NOTE_DRAFT
from ui.shell import ShellWindow
from ui.views.clients import ClientsView
from ui.views.intake import IntakeDialog
from ui.views.record.dialog import RecordDialog

NAME = "Jordan Lockhart"


def seed(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    clients.register_client(clinic, NAME)
    lock(clinic)


def clients_view(qtbot, shell: ShellWindow) -> ClientsView:
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    assert isinstance(view, ClientsView)
    return view


def modal_of(kind: type[QWidget]) -> Callable[[], QWidget | None]:
    def find() -> QWidget | None:
        widget = QApplication.activeModalWidget()
        return widget if isinstance(widget, kind) else None

    return find


def while_open(qtbot, open_modal: Callable[[], object], inside: Callable[[], None]) -> list[str]:
    """Run ``inside`` while ``open_modal`` blocks in a dialog's exec(); returns what happened.

    A dialog left open after 20 s is closed by force so a broken lock fails the test instead of
    hanging it.
    """
    events: list[str] = []

    def run_inside() -> None:
        try:
            inside()
            events.append("inside done")
        except BaseException as exc:  # noqa: BLE001 - reported after exec() returns
            events.append(f"inside failed: {exc!r}")

    def force_close() -> None:
        for window in QApplication.topLevelWidgets():
            if isinstance(window, QDialog) and window.isVisible():
                events.append(f"forced {window.objectName() or type(window).__name__}")
                window.done(0)

    QTimer.singleShot(0, run_inside)
    failsafe = QTimer()
    failsafe.setSingleShot(True)
    failsafe.timeout.connect(force_close)
    failsafe.start(20_000)
    open_modal()
    events.append("exec returned")
    failsafe.stop()
    return events


def assert_locked_and_nameless(shell: ShellWindow) -> None:
    assert shell.workspace is None
    assert shell.stack.currentWidget() is shell.login
    assert not [w for w in QApplication.topLevelWidgets() if w is not shell and w.isVisible()]
    assert NAME.split()[0] not in shell.windowTitle()
    assert NAME.split()[0] not in shell.statusBar().currentMessage()


def test_ctrl_l_in_an_open_record_locks_keeps_the_note_and_offers_it_after_log_in(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    seed(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    view = clients_view(qtbot, shell)
    row = view.list.visible_rows()[0]

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(RecordDialog)() is not None)
        record = modal_of(RecordDialog)()
        assert isinstance(record, RecordDialog)
        settle(qtbot, shell.runner)
        type_text(record.view.clinical.editor.input, "Talked about the weekend; naloxone kit given.")
        # through the window system, as a real key press comes (shortcuts and modality apply)
        QTest.keyClick(record.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    events = while_open(qtbot, lambda: view._on_list_activated(row), inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    settle(qtbot, shell.runner)
    assert shell._app.session is None

    log_in(qtbot, shell, CLINICIAN)
    assert "an unsaved note" in shell.statusBar().currentMessage()
    view = clients_view(qtbot, shell)
    record = RecordDialog.of(shell.workspace.ctx, view.list.visible_rows()[0], shell)
    qtbot.addWidget(record)
    record.show()
    settle(qtbot, shell.runner)
    assert record.view.clinical.editor.input.toPlainText() == "Talked about the weekend; naloxone kit given."
    assert "Restored the note you were writing" in record.view.clinical.editor.draft_status.text()

    QTest.keyClick(record, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saved: the draft goes
    settle(qtbot, shell.runner)
    assert record.view.clinical.editor.input.toPlainText() == ""
    assert drafts.list_drafts(shell.session) == []


def test_the_idle_lock_keeps_an_unsaved_note(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, clock: FakeClock
) -> None:
    seed(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    view = clients_view(qtbot, shell)
    row = view.list.visible_rows()[0]

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(RecordDialog)() is not None)
        record = modal_of(RecordDialog)()
        assert isinstance(record, RecordDialog)
        settle(qtbot, shell.runner)
        type_text(record.view.clinical.editor.input, "Half a thought")
        clock.advance(11)
        shell.idle.check()

    events = while_open(qtbot, lambda: view._on_list_activated(row), inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    assert "idle minutes" in shell.login.state.text()
    settle(qtbot, shell.runner)
    therapist = clinic_dir.login(CLINICIAN)
    kept = drafts.load_draft(therapist, NOTE_DRAFT, subject=str(row.id))
    assert kept is not None and kept.payload == "Half a thought"


def test_the_idle_lock_ends_the_intake_form_and_keeps_its_typing(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, clock: FakeClock
) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = clients_view(qtbot, shell)

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(IntakeDialog)() is not None)
        intake = modal_of(IntakeDialog)()
        assert isinstance(intake, IntakeDialog)
        settle(qtbot, shell.runner)
        type_text(intake.name, "Sam Someone")
        clock.advance(11)
        shell.idle.check()

    events = while_open(qtbot, view.register_person, inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    assert "Sam" not in shell.statusBar().currentMessage()
    settle(qtbot, shell.runner)

    log_in(qtbot, shell, FRONT_DESK)
    assert "an unsaved form" in shell.statusBar().currentMessage()
    view = clients_view(qtbot, shell)
    intake = IntakeDialog(shell.workspace.ctx, view.rows, parent=shell)
    qtbot.addWidget(intake)
    settle(qtbot, shell.runner)
    assert intake.name.text() == "Sam Someone"


def test_the_lock_button_ends_nested_dialogs_wherever_they_hang(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    seed(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    row = clients_view(qtbot, shell).list.visible_rows()[0]
    record = RecordDialog.of(shell.workspace.ctx, row, shell)  # a window of the main window itself

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(RecordDialog)() is not None)
        settle(qtbot, shell.runner)
        # closing would ask "discard?": the lock must not
        type_text(record.view.clinical.editor.input, "Unsaved words")

        def in_question() -> None:
            qtbot.waitUntil(lambda: modal_of(QInputDialog)() is not None)
            shell.lock_button.click()

        QTimer.singleShot(0, in_question)
        record.view.details.status_button.click()  # "What happened?": a second exec() inside the first

    events = while_open(qtbot, record.exec, inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    settle(qtbot, shell.runner)
    therapist = clinic_dir.login(CLINICIAN)
    kept = drafts.load_draft(therapist, NOTE_DRAFT, subject=str(row.id))
    assert kept is not None and kept.payload == "Unsaved words"


def test_nothing_on_the_lock_screen_names_a_person(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    shell.bus.status_message.emit(f"Registered {NAME} (No. 1245).")
    assert NAME in shell.statusBar().currentMessage()
    QTest.keyClick(shell, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert_locked_and_nameless(shell)
    assert shell.statusBar().currentMessage() == ""
    assert shell.windowTitle() == "hrclinic · Test Clinic"
    # a message that arrives late (work finishing after the lock) is not shown either
    shell.bus.status_message.emit(f"Registered {NAME} (No. 1245).")
    shell.runner.failed.emit(f"{NAME}'s record changed meanwhile.")
    assert shell.statusBar().currentMessage() == ""


def test_a_half_made_booking_survives_ctrl_l(qtbot, shell: ShellWindow, clinic_dir: ClinicFixture) -> None:
    from ui.views.today.dialogs import BookDialog

    seed(clinic_dir)
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("today")
    settle(qtbot, shell.runner)
    dialog = BookDialog(view._ctx, [], day=view.day, clinician_id=None, parent=view)

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(BookDialog)() is not None)
        settle(qtbot, shell.runner)
        type_text(dialog.person.search, "jord")
        type_text(dialog.note, "needs the ground-floor room")
        QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    events = while_open(qtbot, dialog.exec, inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    settle(qtbot, shell.runner)

    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("today")
    again = BookDialog(view._ctx, [], day=view.day, clinician_id=None, parent=view)
    qtbot.addWidget(again)
    settle(qtbot, shell.runner)
    assert again.note.text() == "needs the ground-floor room"
    assert again.person.search.text() == "jord"
    assert again.findChild(QWidget, "draft_restored") is not None
    assert drafts.list_drafts(shell.session) == []  # the form holds it again


def test_a_consent_being_typed_survives_the_idle_lock(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, clock: FakeClock
) -> None:
    from ui.views.record.consent_form import ConsentDialog

    seed(clinic_dir)
    log_in(qtbot, shell, FRONT_DESK)
    row = clients_view(qtbot, shell).list.visible_rows()[0]

    def open_form() -> ConsentDialog:
        assert shell.workspace is not None
        return ConsentDialog(shell.workspace.ctx, row.id, NAME, "Test Clinic", parent=shell.workspace)

    dialog = open_form()

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(ConsentDialog)() is not None)
        settle(qtbot, shell.runner)
        dialog.kind.setCurrentIndex(2)
        type_text(dialog.information, "Medication list and dates of attendance")
        clock.advance(11)
        shell.idle.check()

    events = while_open(qtbot, dialog.exec, inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)
    settle(qtbot, shell.runner)

    log_in(qtbot, shell, FRONT_DESK)
    again = open_form()
    qtbot.addWidget(again)
    settle(qtbot, shell.runner)
    assert again.kind.currentIndex() == 2
    assert again.information.toPlainText() == "Medication list and dates of attendance"
    assert again.findChild(QWidget, "draft_restored") is not None


def test_the_notice_after_log_in_says_what_was_kept_and_names_no_one() -> None:
    from datetime import UTC, datetime

    from hrclinic.readmodels.drafts import DraftRow
    from ui.drafts import kept_drafts_notice

    at = datetime.now(UTC)
    note, form = DraftRow(NOTE_DRAFT, "3f6c", at), DraftRow("consent", "new", at)
    assert kept_drafts_notice([]) == ""
    assert kept_drafts_notice([note]) == (
        "Kept for you: an unsaved note. It comes back when you open that person's record."
    )
    assert kept_drafts_notice([form, form]) == (
        "Kept for you: 2 unsaved forms. Each comes back when you open the same form again."
    )
    assert kept_drafts_notice([note, form]).startswith("Kept for you: an unsaved note and an unsaved form.")


def test_the_lock_button_inside_an_open_record_locks(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    """The main window's Lock button is blocked by a modal record, so the record carries its own."""
    seed(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    view = clients_view(qtbot, shell)
    row = view.list.visible_rows()[0]

    def inside() -> None:
        qtbot.waitUntil(lambda: modal_of(RecordDialog)() is not None)
        record = modal_of(RecordDialog)()
        assert isinstance(record, RecordDialog)
        button = record.findChild(QPushButton, "dialog_lock")
        assert button is not None and button.isVisible()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # a real click reaches the modal dialog

    events = while_open(qtbot, lambda: view._on_list_activated(row), inside)
    assert events == ["inside done", "exec returned"]
    assert_locked_and_nameless(shell)


def test_the_intake_form_carries_a_lock_button_that_locks(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = clients_view(qtbot, shell)
    intake = IntakeDialog(shell.workspace.ctx, view.rows, parent=shell)
    qtbot.addWidget(intake)
    button = intake.findChild(QPushButton, "dialog_lock")
    assert button is not None and button.toolTip() == "Lock now (Ctrl+L)"
    with qtbot.waitSignal(shell.bus.session_locked):
        button.click()
    assert_locked_and_nameless(shell)
