"""The Today view, driven by keyboard the way the front desk and clinicians use it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox

from hrclinic.domain.scheduling import AppointmentStatus
from hrclinic.services import appointments, clients
from hrclinic.services.clinic import lock
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.ui.conftest import activate, log_in, settle, type_text
from ui.shell import ShellWindow
from ui.views.today import TodayView
from ui.views.today.dialogs import BookDialog, OutreachDoneDialog, UndoDialog, WalkInDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def _today_view(qtbot, shell: ShellWindow) -> TodayView:
    view = shell.workspace.open("today")
    settle(qtbot, shell.runner)
    activate(qtbot, shell)
    return view


def _seed_started_appointment(clinic_dir: ClinicFixture, name: str) -> None:
    """A person booked with Theo for an appointment that began a few minutes ago (today)."""
    desk = clinic_dir.login(FRONT_DESK)
    person = clients.register_client(desk, name)
    theo = next(c.id for c in appointments.list_clinicians(desk) if c.display_name == "Theo Therapist")
    now = datetime.now().astimezone()
    midnight = datetime.combine(now.date(), time.min).astimezone()
    appointments.book_appointment(desk, person.id, theo, max(now - timedelta(minutes=10), midnight))
    lock(desk)


def test_an_empty_day_says_what_to_do(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)
    assert view.list.stack.currentWidget() is view.list.empty
    assert view.list.empty.heading.text() == "No one scheduled today."
    assert "Book an appointment (Ctrl+B)" in view.list.empty.hint.text()
    assert view.outreach is None  # front desk has no outreach list
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, shell.runner)
    assert view.day_title.text().startswith("Tomorrow")
    assert view.list.empty.heading.text().startswith("No one scheduled on ")


def test_front_desk_books_zoe_by_typing_zoe_and_checks_her_in(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    for name in ("Zoë Łukasiewicz-Şahin", "Zola", "Алексей Смирнов"):
        clients.register_client(desk, name)
    lock(desk)
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)

    def fake_exec(dialog: BookDialog) -> int:
        activate(qtbot, dialog)
        qtbot.waitUntil(lambda: dialog.person.loaded, timeout=20_000)
        QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)  # nothing chosen yet: refused at the field
        assert "Find the person" in dialog.person_error.text()
        type_text(dialog.person.search, "zoe")
        assert dialog.person.chosen().preferred_name == "Zoë Łukasiewicz-Şahin"
        QTest.keyClick(dialog.person.search, Qt.Key.Key_Return)  # keeps Zoë, moves on; does not save
        assert dialog.isVisible() and dialog.clinician.hasFocus()
        dialog.clinician.setCurrentIndex(dialog.clinician.findText("Theo Therapist"))
        dialog.when.time.clear()
        type_text(dialog.when.time, "25:61")
        QTest.keyClick(dialog.when.time, Qt.Key.Key_Tab)  # leaving the field shows the problem
        assert "There is no time 25:61" in dialog.when.time_error.text()
        dialog.when.time.clear()
        type_text(dialog.when.time, f"{datetime.now():%H:%M}")
        type_text(dialog.note, "needs the ground-floor room")
        QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: dialog.result_row is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(BookDialog, "exec", fake_exec)
    QTest.keyClick(view, Qt.Key.Key_B, CTRL)
    settle(qtbot, shell.runner)
    rows = view.list.visible_rows()
    assert [(r.preferred_name, r.clinician_name, r.status, r.note) for r in rows] == [
        ("Zoë Łukasiewicz-Şahin", "Theo Therapist", AppointmentStatus.BOOKED, "needs the ground-floor room")
    ]
    assert "Booked Zoë" in shell.statusBar().currentMessage()
    assert view.selected() is not None and view.check_in_action.isEnabled()

    activate(qtbot, shell)
    QTest.keyClick(view.list.table, Qt.Key.Key_I, CTRL)
    settle(qtbot, shell.runner)
    row = view.list.visible_rows()[0]
    assert row.status is AppointmentStatus.CHECKED_IN
    status_cell = view.list.proxy.index(0, 4).data()
    assert status_cell.startswith("Checked in ")
    assert "Checked in Zoë" in shell.statusBar().currentMessage()
    assert not view.check_in_action.isEnabled() and view.undo_action.isEnabled()


def test_booking_over_someone_else_asks_first(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    _seed_started_appointment(clinic_dir, "Avi")
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)
    asked: list[str] = []

    def answer_no(_parent, _title, text, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)

    def fake_exec(dialog: BookDialog) -> int:
        qtbot.waitUntil(lambda: dialog.person.loaded, timeout=20_000)
        type_text(dialog.person.search, "avi")
        dialog.clinician.setCurrentIndex(dialog.clinician.findText("Theo Therapist"))
        dialog.when.time.setText(view.list.visible_rows()[0].starts_at.astimezone().strftime("%H:%M"))
        dialog.save.click()
        qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
        settle(qtbot, shell.runner)
        assert "Theo Therapist already has Avi" in dialog.when.time_error.text()
        return 0

    monkeypatch.setattr(BookDialog, "exec", fake_exec)
    view.book_button.click()
    settle(qtbot, shell.runner)
    assert len(view.list.visible_rows()) == 1 and "Book anyway?" in asked[0]


def test_escape_asks_before_losing_a_half_made_booking(qtbot, shell: ShellWindow, monkeypatch) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)
    dialog = BookDialog(view._ctx, [], day=view.day, clinician_id=None, parent=view)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    type_text(dialog.person.search, "zo")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.person.search.text() == "zo"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    settle(qtbot, shell.runner)


def test_a_no_show_lands_on_the_clinicians_outreach_list_and_nothing_else_changes(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    _seed_started_appointment(clinic_dir, "Nguyễn Văn An")
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)
    view.list.table.selectRow(0)
    assert view.no_show_action.isEnabled()
    view.list.table.setFocus()
    QTest.keyClick(view.list.table, Qt.Key.Key_Tab)  # the action buttons are reachable by keyboard too
    view.findChild(type(view.previous_button), "no_show").click()
    settle(qtbot, shell.runner)
    assert view.list.visible_rows()[0].status is AppointmentStatus.NO_SHOW
    assert "Theo Therapist has an outreach task" in shell.statusBar().currentMessage()

    # a mistake is undone with Ctrl+Z and a reason; doing it again leaves exactly one task
    def undo_exec(dialog: UndoDialog) -> int:
        activate(qtbot, dialog)
        QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: dialog.result_row is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(UndoDialog, "exec", undo_exec)
    activate(qtbot, shell)
    QTest.keyClick(view.list.table, Qt.Key.Key_Z, CTRL)
    settle(qtbot, shell.runner)
    assert view.list.visible_rows()[0].status is AppointmentStatus.BOOKED
    view.no_show_action.trigger()
    settle(qtbot, shell.runner)

    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, CLINICIAN)
    mine = _today_view(qtbot, shell)
    assert mine.clinician_filter.currentText() == "Theo Therapist"  # a clinician starts on their own day
    assert mine.outreach is not None
    tasks = mine.outreach.tasks()
    assert [t.preferred_name for t in tasks] == ["Nguyễn Văn An"]
    assert tasks[0].reason.startswith("Missed the session on")
    shown = [w.text() for w in mine.outreach.findChildren(QLabel, "outreach_reason")]
    assert len(shown) == 1 and "safe-contact preferences" in shown[0]
    person = next(p for p in clients.list_clients(shell.session) if p.preferred_name.startswith("Ng"))
    assert person.status == "active"  # a missed appointment never changes the person's status

    def done_exec(dialog: OutreachDoneDialog) -> int:
        activate(qtbot, dialog)
        type_text(dialog.outcome, "Texted; coming Thursday 🙂")
        QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: dialog.result_row is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(OutreachDoneDialog, "exec", done_exec)
    mine.outreach.done_buttons()[0].click()
    settle(qtbot, shell.runner)
    assert mine.outreach.tasks() == [] and mine.outreach.empty.isVisible()


def test_walk_in_check_in_by_keyboard(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    clients.register_client(desk, "O'Brien <Sam> & Co")
    lock(desk)
    log_in(qtbot, shell, FRONT_DESK)
    view = _today_view(qtbot, shell)

    def fake_exec(dialog: WalkInDialog) -> int:
        activate(qtbot, dialog)
        qtbot.waitUntil(lambda: dialog.person.loaded, timeout=20_000)
        type_text(dialog.person.search, "<sam>")
        type_text(dialog.note, "came for a naloxone kit")
        QTest.keyClick(dialog, Qt.Key.Key_S, CTRL)
        qtbot.waitUntil(lambda: dialog.result_row is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(WalkInDialog, "exec", fake_exec)
    QTest.keyClick(view, Qt.Key.Key_W, CTRL | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, shell.runner)
    [row] = view.list.visible_rows()
    assert (row.preferred_name, row.kind.label, row.status) == (
        "O'Brien <Sam> & Co",
        "Walk-in",
        AppointmentStatus.CHECKED_IN,
    )
    assert row.checked_in_at is not None and row.checked_in_at <= datetime.now(UTC)
