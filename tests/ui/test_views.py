"""The views of the work area, driven as people use them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from hrclinic.domain.roles import Role
from hrclinic.services import clients, intake, notes, users
from hrclinic.services.clinic import lock
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.ui.conftest import activate, log_in, settle, type_text
from ui.help_dialogs import AboutDialog
from ui.shell import ShellWindow
from ui.views.clients import ClientRecordDialog
from ui.views.intake import IntakeDialog
from ui.views.users import AddUserDialog, ResetPasswordDialog


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


def test_a_clinician_writes_a_note_and_front_desk_cannot_see_it(
    qtbot, shell: ShellWindow, clinic_dir
) -> None:
    _seed(clinic_dir, "Zoë")
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    person = view.list.visible_rows()[0]
    record = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(record)
    activate(qtbot, record)
    settle(qtbot, shell.runner)
    assert record.findChild(type(record.meta), "no_notes") is not None
    type_text(record.note_input, "Talked about Friday nights <b>& naloxone</b>.")
    QTest.keyClick(record, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, shell.runner)
    bodies = [w.text() for w in record.findChildren(type(record.meta), "note_body")]
    assert bodies == ["Talked about Friday nights <b>& naloxone</b>."]
    assert record.note_input.toPlainText() == ""
    caseload = shell.workspace.open("caseload")
    settle(qtbot, shell.runner)
    assert [r.preferred_name for r in caseload.list.visible_rows()] == ["Zoë"]
    record.close()

    shell.lock()
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, FRONT_DESK)
    desk_record = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(desk_record)
    settle(qtbot, shell.runner)
    assert desk_record.note_input is None
    assert desk_record.findChild(type(desk_record.meta), "clinical_hidden") is not None
    assert not desk_record.findChildren(type(desk_record.meta), "note_body")


def test_closing_a_record_with_an_unsaved_note_asks_first(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    _seed(clinic_dir, "Zoë")
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    record = ClientRecordDialog(shell.workspace.ctx, view.list.visible_rows()[0], shell)
    qtbot.addWidget(record)
    activate(qtbot, record)
    settle(qtbot, shell.runner)
    type_text(record.note_input, "half a thought")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    QTest.keyClick(record, Qt.Key.Key_Escape)
    assert record.isVisible() and record.note_input.toPlainText() == "half a thought"


def test_owner_adds_resets_and_deactivates_users(qtbot, shell: ShellWindow, monkeypatch) -> None:
    log_in(qtbot, shell, OWNER)
    view = shell.workspace.open("users")
    settle(qtbot, shell.runner)
    assert len(view.list.visible_rows()) == 3

    def add_exec(dialog: AddUserDialog) -> int:
        activate(qtbot, dialog)
        type_text(dialog.display_name, "Nguyễn Văn An")
        assert dialog.username.text() == "nguyen.van"
        QTest.keyClick(dialog.display_name, Qt.Key.Key_Tab)
        dialog.role.setCurrentIndex(dialog.role.findText(Role.FRONT_DESK.label))
        type_text(dialog.password.password, "weak")
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert dialog.password.error.isVisible()  # refused at the field, nothing sent
        dialog.password.password.clear()
        type_text(dialog.password.password, "first day password")
        type_text(dialog.password.confirm, "first day password")
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.result() == 1, timeout=20_000)
        return 1

    monkeypatch.setattr(AddUserDialog, "exec", add_exec)
    QTest.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, shell.runner)
    added = next(u for u in view.list.visible_rows() if u.username == "nguyen.van")
    assert added.role is Role.FRONT_DESK and added.must_change_password

    view.list.table.selectRow(
        next(i for i, u in enumerate(view.list.visible_rows()) if u.username == "nguyen.van")
    )
    assert view.reset_button.isEnabled() and view.deactivate_button.isEnabled()

    def reset_exec(dialog: ResetPasswordDialog) -> int:
        type_text(dialog.password.password, "another temp phrase")
        type_text(dialog.password.confirm, "another temp phrase")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: dialog.result() == 1, timeout=20_000)
        return 1

    monkeypatch.setattr(ResetPasswordDialog, "exec", reset_exec)
    view.reset_button.click()
    settle(qtbot, shell.runner)
    assert "temporary password" in shell.statusBar().currentMessage()

    view.list.table.selectRow(
        next(i for i, u in enumerate(view.list.visible_rows()) if u.username == "nguyen.van")
    )
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    view.deactivate_button.click()
    settle(qtbot, shell.runner)
    settle(qtbot, shell.runner)
    deactivated = next(u for u in view.list.visible_rows() if u.username == "nguyen.van")
    assert not deactivated.active
    # the owner cannot act on their own account from here
    view.list.table.selectRow(
        next(i for i, u in enumerate(view.list.visible_rows()) if u.username == "owner")
    )
    assert not view.deactivate_button.isEnabled()


def test_user_management_is_refused_for_other_roles(qtbot, shell: ShellWindow) -> None:
    import pytest

    from hrclinic.errors import PermissionDenied

    log_in(qtbot, shell, CLINICIAN)
    assert "users" not in shell.workspace.destination_keys()
    QTest.keyClick(shell.workspace, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # no 5th destination
    assert shell.workspace.current_key() == "today"
    with pytest.raises(PermissionDenied):
        users.add_user(
            shell.workspace.ctx.clinic,
            username="x1",
            display_name="X",
            role=Role.OWNER,
            password="long enough 12",
        )


def test_settings_change_the_idle_lock(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, OWNER)
    view = shell.workspace.open("settings")
    settle(qtbot, shell.runner)
    assert view.clinic_name.text() == "Test Clinic"
    assert not view.computer_login.isEnabled()  # three users: not a single-user install
    view.idle_minutes.setValue(3)
    view.save_idle.click()
    settle(qtbot, shell.runner)
    settle(qtbot, shell.runner)
    assert shell.idle.minutes == 3
    assert "3 idle" in shell.lock_label.text()


def test_about_lists_versions(qtbot, tmp_path) -> None:
    about = AboutDialog(tmp_path)
    qtbot.addWidget(about)
    from PySide6.QtWidgets import QLabel

    texts = [w.text() for w in about.findChildren(QLabel)]
    assert "SQLCipher" in texts and "hrclinic" in texts and str(tmp_path) in texts


def test_a_long_history_opens_a_page_of_notes_at_a_time(qtbot, shell: ShellWindow, clinic_dir) -> None:
    seed = clinic_dir.login(CLINICIAN)
    person = clients.register_client(seed, "Zoë")
    for i in range(25):
        notes.write_clinical_note(seed, person.id, f"Session note {i:02d}")
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    record = ClientRecordDialog(shell.workspace.ctx, person, shell)
    qtbot.addWidget(record)
    settle(qtbot, shell.runner)
    bodies = [w.text() for w in record.findChildren(type(record.meta), "note_body")]
    assert len(bodies) == 10 and bodies[0] == "Session note 24"  # newest first
    assert record.more_notes.isVisibleTo(record) and "15 more" in record.more_notes.text()
    record.more_notes.click()
    record.more_notes.click()
    bodies = [w.text() for w in record.findChildren(type(record.meta), "note_body")]
    assert len(bodies) == 25 and not record.more_notes.isVisibleTo(record)


def test_the_flags_view_lists_proposals_and_opens_the_record(
    qtbot, shell: ShellWindow, clinic_dir, monkeypatch
) -> None:
    from hrclinic.services.intake import IntakeForm

    seed = clinic_dir.login(FRONT_DESK)
    intake.register_person(seed, IntakeForm(preferred_name="Zoë", screening=(("past_overdose", "yes", ""),)))
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    view = shell.workspace.open("flags")
    settle(qtbot, shell.runner)
    [row] = view.list.visible_rows()
    assert row.preferred_name == "Zoë" and row.reasons == ("Past overdose",)
    opened = []
    monkeypatch.setattr(
        ClientRecordDialog,
        "exec",
        lambda dialog: opened.append(dialog.tabs.tabText(dialog.tabs.currentIndex())) or 0,
    )
    view.list.table.setFocus()
    view.list.table.selectRow(0)
    QTest.keyClick(view.list.table, Qt.Key.Key_Return)
    assert opened == ["Clinical"]
