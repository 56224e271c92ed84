"""A name that holds direction controls (a record made before the text rule refused them) is shown
as a unit: it can never turn the words around it right-to-left, in a list, a record header, a
window title or the status bar."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from PySide6.QtTest import QTest

from hrclinic.services import appointments, clients
from hrclinic.services.clinic import lock
from hrclinic.store.records import ClientRecord, UserRecord
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.ui.conftest import activate, log_in, settle
from ui.shell import ShellWindow
from ui.text import FSI, PDI, isolate
from ui.views.record.dialog import RecordDialog

# Shown raw, "Evil\u202eenohp.exe" reads "Evilexe.phone", and the right-to-left override runs on
# to the end of whatever sentence it sits in.
EVIL = "Evil\u202eenohp.exe"


def _x_positions(text: str) -> list[float]:
    """Where Qt draws the cursor before each character of ``text`` in a left-to-right line."""
    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    return [line.cursorToX(i)[0] for i in range(len(text) + 1)]


def _reads_left_to_right_after(text: str, name: str) -> bool:
    """True when the app's words after ``name`` (up to the next name) are still drawn left to right,
    after the name."""
    x = _x_positions(text)
    start = text.index(name) + len(name)
    while start < len(text) and text[start] == PDI:
        start += 1
    end = text.find(FSI, start)
    after = x[start : len(text) + 1 if end < 0 else end + 1]
    return len(after) > 1 and all(a < b for a, b in pairwise(after))


def _seed(clinic_dir: ClinicFixture) -> None:
    """Zoë, booked with Theo a few minutes ago; then her name (and Theo's) changed in the
    database to what a record made before the rule may hold."""
    desk = clinic_dir.login(FRONT_DESK)
    person = clients.register_client(desk, "Zoë")
    theo = next(c.id for c in appointments.list_clinicians(desk) if c.display_name == "Theo Therapist")
    now = datetime.now().astimezone()
    midnight = datetime.combine(now.date(), time.min).astimezone()
    appointments.book_appointment(desk, person.id, theo, max(now - timedelta(minutes=10), midnight))
    lock(desk)
    owner = clinic_dir.login(OWNER)
    with owner.uow() as uow:
        uow.session.get(ClientRecord, person.id).preferred_name = EVIL
        uow.session.get(UserRecord, theo).display_name = "Theo \u202eTherapist"
        uow.commit()
    lock(owner)


def test_the_check_itself_sees_an_unisolated_name_reorder_the_sentence(qapp) -> None:
    assert not _reads_left_to_right_after(f"Registered {EVIL} (No. 12).", EVIL)
    assert _reads_left_to_right_after(f"Registered {isolate(EVIL)} (No. 12).", EVIL)
    assert isolate("Zoë Łukasiewicz") == "Zoë Łukasiewicz"  # nothing to reorder: shown exactly
    assert isolate("محمد") == f"{FSI}محمد{PDI}"
    # a stray PDI in the name cannot close the isolate early and let the override escape it
    assert _reads_left_to_right_after(f"Booked {isolate('x' + PDI + EVIL)} today.", EVIL)


def test_a_reordering_name_is_isolated_in_the_list_the_record_and_the_title(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    _seed(clinic_dir)
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    model = view.list.model
    cell = model.index(0, 1).data()
    assert cell.startswith(FSI) and cell.endswith(PDI) and isolate(EVIL) in cell
    assert [r.preferred_name for r in view.list.visible_rows()] == [EVIL]  # the data is unchanged

    record = RecordDialog.of(shell.workspace.ctx, view.list.visible_rows()[0], shell)
    qtbot.addWidget(record)
    activate(qtbot, record)
    settle(qtbot, shell.runner)
    assert record.view.name_label.text() == f"{FSI}{EVIL}{PDI}"
    assert record.windowTitle() == f"{FSI}{EVIL}{PDI}"
    record.close()


def test_the_status_bar_and_the_user_line_keep_their_words_in_order(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    _seed(clinic_dir)
    log_in(qtbot, shell, CLINICIAN)
    assert _reads_left_to_right_after(shell.user_label.text(), "Theo \u202eTherapist")
    assert shell.user_label.text().endswith("· Clinician")
    assert shell.windowTitle().endswith(f" · {FSI}Theo \u202eTherapist{PDI}")
    view = shell.workspace.open("today")
    settle(qtbot, shell.runner)
    activate(qtbot, shell)
    view.list.table.selectRow(0)
    QTest.keyClick(view.list.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, shell.runner)
    message = shell.statusBar().currentMessage()
    assert message.startswith(f"Checked in {FSI}{EVIL}{PDI}")
    assert _reads_left_to_right_after(message, EVIL)
    assert message.endswith(f"for {FSI}Theo \u202eTherapist{PDI}.")
