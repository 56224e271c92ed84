"""The Flags view (clinicians): what the overdose-risk checklist proposes, a checklist that does not
open shown as such among the others, and Enter opening the record at its Clinical tab."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import text

from hrclinic.domain.vaults import UNOPENABLE_TEXT
from hrclinic.services import intake
from hrclinic.services.clinic import lock
from hrclinic.services.intake import IntakeForm
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.ui.conftest import log_in, settle
from ui.shell import ShellWindow
from ui.views.record.dialog import RecordDialog


def test_the_flags_view_lists_proposals_and_opens_the_record(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    from hrclinic.services.intake import IntakeForm

    seed = clinic_dir.login(FRONT_DESK)
    intake.register_person(
        seed, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),))
    )
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("flags")
    settle(qtbot, shell.runner)
    [row] = view.list.visible_rows()
    assert row.preferred_name == "Zoë" and row.reasons == ("Past overdose",)
    opened = []
    monkeypatch.setattr(
        RecordDialog,
        "exec",
        lambda dialog: opened.append(dialog.view.tabs.tabText(dialog.view.tabs.currentIndex())) or 0,
    )
    view.list.table.setFocus()
    view.list.table.selectRow(0)
    QTest.keyClick(view.list.table, Qt.Key.Key_Return)
    assert opened == ["Clinical"]


def test_the_flags_view_lists_a_moved_checklist_as_unopenable_and_the_rest_as_usual(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    zoe = intake.register_person(
        desk, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),))
    )
    alex = intake.register_person(desk, IntakeForm(preferred_name="Alex"))
    intake.register_person(desk, IntakeForm(preferred_name="Sam", screening=(("uses_alone", "yes", ""),)))
    with desk.engine.begin() as conn:
        conn.execute(
            text("UPDATE overdose_screenings SET client_id = :to WHERE client_id = :from"),
            {"to": alex.id.hex, "from": zoe.id.hex},
        )
    lock(desk)
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("flags")
    settle(qtbot, shell.runner)
    rows = {r.preferred_name: r for r in view.list.visible_rows()}
    assert set(rows) == {"Alex", "Sam"} and rows["Alex"].unopenable and rows["Sam"].reasons
    why = view.list.table.model()
    texts = [why.index(r, 3).data() for r in range(why.rowCount())]
    assert any(UNOPENABLE_TEXT in t for t in texts) and "Uses alone" in texts
