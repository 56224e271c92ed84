"""Log-in, the growing delay after failures, idle lock, Ctrl+L, and each role's navigation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit

from hrclinic.services import clients, passwords
from hrclinic.services.clinic import lock
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.ui.conftest import FakeClock, log_in, settle, type_text
from ui.shell import ShellWindow


def visible_text(window: ShellWindow) -> str:
    """Every piece of text a person could see in the window's widgets and tables."""
    parts = []
    for widget in window.findChildren(QLabel):
        parts.append(widget.text())
    for widget in window.findChildren(QLineEdit):
        parts.append(widget.text())
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # list models keep columnCount private: one column
            columns = 1
        for row in range(model.rowCount(QModelIndex())):
            for column in range(columns):
                parts.append(str(model.index(row, column).data() or ""))
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (OWNER, ["today", "clients", "caseload", "flags", "users", "settings"]),
        (CLINICIAN, ["today", "clients", "caseload", "flags"]),
        (FRONT_DESK, ["today", "clients"]),
    ],
)
def test_each_role_sees_only_its_navigation(qtbot, shell: ShellWindow, who, expected) -> None:
    log_in(qtbot, shell, who)
    assert shell.workspace is not None
    assert shell.workspace.destination_keys() == expected
    labels = [shell.workspace.nav.item(i).text() for i in range(shell.workspace.nav.count())]
    assert "Users" in labels if "users" in expected else "Users" not in labels
    assert shell.user_label.text().endswith(
        {"owner": "Owner", "therapist": "Clinician", "frontdesk": "Front desk"}[who[0]]
    )


def test_ctrl_number_moves_between_destinations(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, OWNER)
    QTest.keyClick(shell.workspace, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert shell.workspace.current_key() == "clients"
    QTest.keyClick(shell.workspace, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert shell.workspace.current_key() == "settings"


def test_wrong_password_gets_a_clear_message_and_nothing_opens(qtbot, shell: ShellWindow) -> None:
    log_in_attempt(qtbot, shell, ("owner", "not my password"))
    assert shell.workspace is None
    assert shell.login.error.isVisible()
    assert "not right" in shell.login.error.text()
    assert shell.login.password.text() == ""  # the wrong password is not kept


def log_in_attempt(qtbot, shell: ShellWindow, who: tuple[str, str]) -> None:
    page = shell.login
    page.username.clear()
    type_text(page.username, who[0])
    type_text(page.password, who[1])
    QTest.keyClick(page.password, Qt.Key.Key_Return)
    settle(qtbot, shell.runner)


def test_repeated_failures_bring_a_growing_wait_then_a_real_attempt(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from hrclinic.services import failed_logins

    now = [datetime.now(UTC)]
    monkeypatch.setattr(failed_logins, "utc_now", lambda: now[0])
    page = shell.login
    for _ in range(3):
        assert page.wait_left == 0
        log_in_attempt(qtbot, shell, ("owner", "guessing again"))
    assert page.wait_left == 2
    assert not page.login_button.isEnabled()
    assert page.error.text() == "The user name or password is not right. You can try again in 2 s."

    # Enter during the wait starts nothing (and says nothing new)
    type_text(page.password, OWNER[1])
    QTest.keyClick(page.password, Qt.Key.Key_Return)
    assert not shell.runner.busy and shell.workspace is None
    assert page.error.text().endswith("You can try again in 2 s.")

    page._on_countdown_timeout()
    assert page.error.text() == "The user name or password is not right. You can try again in 1 s."
    page._on_countdown_timeout()
    assert page.wait_left == 0 and page.login_button.isEnabled()
    assert page.error.text() == "The user name or password is not right. You can try again now."

    # once the wait has passed, the next attempt is really tried: a fourth failure doubles the wait
    now[0] += timedelta(seconds=2)
    log_in_attempt(qtbot, shell, ("owner", "still guessing"))
    assert page.wait_left == 4
    assert page.error.text() == "The user name or password is not right. You can try again in 4 s."

    # a fresh page (the app restarted) learns the wait from the core, which tries nothing
    page.reset(username="")
    log_in_attempt(qtbot, shell, OWNER)
    assert shell.workspace is None
    assert page.error.text() == "Several attempts did not match. You can try again in 4 s."
    while page.wait_left:
        page._on_countdown_timeout()
    assert page.error.text() == "Several attempts did not match. You can try again now."

    now[0] += timedelta(seconds=4)
    log_in_attempt(qtbot, shell, OWNER)  # the right password, really tried
    assert shell.workspace is not None


def test_the_wait_belongs_to_one_account(qtbot, shell: ShellWindow, clinic_dir: ClinicFixture) -> None:
    page = shell.login
    for _ in range(3):
        log_in_attempt(qtbot, shell, ("owner", "guessing again"))
    assert page.wait_left > 0 and not page.login_button.isEnabled()
    page.username.clear()
    type_text(page.username, FRONT_DESK[0])  # someone else steps up to the computer
    assert page.wait_left == 0 and page.login_button.isEnabled() and not page.error.isVisible()
    type_text(page.password, FRONT_DESK[1])
    QTest.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.workspace is not None, timeout=20_000)


def test_idle_lock_hides_every_record(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, clock: FakeClock
) -> None:
    seed = clinic_dir.login(CLINICIAN)
    clients.register_client(seed, "Zoë Łukasiewicz-Şahin")
    lock(seed)
    log_in(qtbot, shell, CLINICIAN)
    shell.workspace.open("clients")
    settle(qtbot, shell.runner)
    assert "Zoë Łukasiewicz-Şahin" in visible_text(shell)

    clock.advance(9)
    shell.idle.check()
    assert shell.workspace is not None  # not yet
    QTest.keyClick(
        shell.workspace.views["clients"].list.filter, Qt.Key.Key_Shift
    )  # activity resets the count
    clock.advance(2)
    shell.idle.check()
    assert shell.workspace is not None

    clock.advance(10)
    shell.idle.check()
    assert shell.workspace is None
    assert "Zoë" not in visible_text(shell)
    assert "idle minutes" in shell.login.state.text()
    assert shell.login.username.text() == "therapist"
    settle(qtbot, shell.runner)
    assert shell._app.session is None  # the keys are gone, not just hidden


def test_ctrl_l_locks_and_another_user_can_log_in(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, OWNER)
    assert shell.lock_action.isEnabled()
    QTest.keyClick(shell, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.workspace is None
    assert shell.stack.currentWidget() is shell.login
    settle(qtbot, shell.runner)
    log_in(qtbot, shell, FRONT_DESK)
    assert shell.workspace.destination_keys() == ["today", "clients"]


def test_log_out_clears_the_user_name(qtbot, shell: ShellWindow) -> None:
    log_in(qtbot, shell, CLINICIAN)
    shell.logout_action.trigger()
    assert shell.workspace is None and shell.login.username.text() == ""


def test_a_temporary_password_must_be_changed_before_the_workspace_opens(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    from hrclinic.services import users

    owner = clinic_dir.login(OWNER)
    desk_id = next(u.id for u in users.list_users(owner) if u.username == "frontdesk")
    passwords.reset_password(owner, desk_id, "temporary word 55")
    lock(owner)
    asked = []
    monkeypatch.setattr(ShellWindow, "_forced_password_change", lambda self, clinic: asked.append(1) or False)
    log_in_attempt(qtbot, shell, ("frontdesk", "temporary word 55"))
    assert asked == [1]
    assert shell.workspace is None and shell.login.state.text() == "Logged out."
