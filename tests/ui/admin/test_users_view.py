"""The Users view (owners): adding, resetting and deactivating accounts; refused for other roles."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from hrclinic.domain.roles import Role
from hrclinic.services import users
from tests.conftest import CLINICIAN, OWNER
from tests.ui.conftest import activate, log_in, settle, type_text
from ui.shell import ShellWindow
from ui.views.users import AddUserDialog, ResetPasswordDialog


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
            shell.session,
            username="x1",
            display_name="X",
            role=Role.OWNER,
            password="long enough 12",
        )
