"""The Clients view as the front desk uses it: filter as you type, the empty state, registering by
keyboard, and merging two records of one person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hrclinic.services import clients, intake, registry
from hrclinic.services.clinic import lock
from hrclinic.services.intake import IntakeForm
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.ui.conftest import activate, log_in, settle, type_text
from ui.shell import ShellWindow
from ui.views.intake import IntakeDialog


def _seed(clinic_dir: ClinicFixture, *names: str) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    for name in names:
        clients.register_client(clinic, name)
    lock(clinic)


def test_clients_filter_as_you_type_accent_and_case_insensitive(
    qtbot, shell: ShellWindow, clinic_dir
) -> None:
    _seed(clinic_dir, "Zoë Łukasiewicz-Şahin", "Алексей Смирнов", "Nguyễn Văn An", "O'Brien <Sam> & Co")
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    assert len(view.list.visible_rows()) == 4
    type_text(view.list.filter, "zoe")
    assert [r.preferred_name for r in view.list.visible_rows()] == ["Zoë Łukasiewicz-Şahin"]
    view.list.filter.clear()
    type_text(view.list.filter, "<sam>")
    assert [r.preferred_name for r in view.list.visible_rows()] == ["O'Brien <Sam> & Co"]
    view.list.filter.clear()
    type_text(view.list.filter, "nobody like this")
    assert view.list.stack.currentWidget() is view.list.no_match
    QTest.keyClick(view.list.filter, Qt.Key.Key_Escape)
    assert view.list.filter.text() == "" and len(view.list.visible_rows()) == 4


def test_empty_registry_says_what_to_do(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    assert view.list.stack.currentWidget() is view.list.empty
    assert "Ctrl+N" in view.list.empty.hint.text()


def test_register_a_person_by_keyboard(qtbot, shell: ShellWindow, monkeypatch) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)

    def fake_exec(dialog: IntakeDialog) -> int:
        activate(qtbot, dialog)
        settle(qtbot, shell.runner)
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # empty: refused
        assert "Enter the name" in dialog.errors["preferred_name"].text()
        type_text(dialog.name, "Nguyễn Văn An 🙂")
        QTest.keyClick(dialog.name, Qt.Key.Key_Tab)
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.saved is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(IntakeDialog, "exec", fake_exec)
    QTest.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, shell.runner)
    assert [r.preferred_name for r in view.list.visible_rows()] == ["Nguyễn Văn An 🙂"]
    assert "Registered Nguyễn Văn An" in shell.statusBar().currentMessage()


def test_the_owner_merges_a_duplicate_from_the_clients_view(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    from ui.views.merge import MergeDialog

    seed = clinic_dir.login(FRONT_DESK)
    keep = intake.register_person(seed, IntakeForm(preferred_name="Sam Okoye", phone="555 0100"))
    dup = intake.register_person(seed, IntakeForm(preferred_name="Samuel Okoye", birth="1984"))
    lock(seed)

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
    merged = registry.person_detail(shell.session, keep.id, audit=False)
    assert "Samuel Okoye" in merged.aliases and merged.birth_year == 1984
    assert registry.person_detail(shell.session, dup.id, audit=False).status == "merged"


def test_front_desk_has_no_merge_button(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, FRONT_DESK)
    view = shell.workspace.open("clients")
    assert not view.merge_button.isVisibleTo(view)
