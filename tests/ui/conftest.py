"""Fixtures for driving the shell offscreen, the way a person would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from hrclinic.app import ClinicApp
from tests.conftest import FAST_KDF, ClinicFixture
from ui.bus import AppBus
from ui.main import make_application
from ui.operations import QueryOp
from ui.shell import ShellWindow
from ui.tasks import TaskRunner


class FakeClock:
    """Monotonic time the test moves by hand (idle lock without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person, one key at a time; safe for non-ASCII (QTest.keyClicks aborts on it)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


@pytest.fixture
def qapp_themed(qapp: QApplication) -> QApplication:
    make_application()
    return qapp


@pytest.fixture
def runner(qapp_themed: QApplication) -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.wait_for_done()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shell(qtbot, clinic_dir: ClinicFixture, runner: TaskRunner, clock: FakeClock) -> Iterator[ShellWindow]:
    window = ShellWindow(ClinicApp(clinic_dir.data_dir, kdf=FAST_KDF), runner, AppBus(), clock=clock)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def activate(qtbot, window: QWidget) -> None:
    """Show a window and make it active: shortcuts and focus changes only happen in the active window."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def log_in(qtbot, window: ShellWindow, who: tuple[str, str]) -> None:
    """Type the user name, Tab, the password, Enter; wait for the workspace and its first view."""
    page = window.login
    page.username.clear()
    type_text(page.username, who[0])
    QTest.keyClick(page.username, Qt.Key.Key_Tab)
    type_text(page.password, who[1])
    with qtbot.waitSignal(window.bus.session_unlocked, timeout=20_000):
        QTest.keyClick(page.password, Qt.Key.Key_Return)
    settle(qtbot, window.runner)


def settle(qtbot, runner: TaskRunner) -> None:
    """Wait until all background work is done and its results delivered (the runner says when)."""
    if runner.busy:
        with qtbot.waitSignal(runner.busy_changed, timeout=20_000, check_params_cb=lambda busy: not busy):
            pass


def wait_for(qtbot, *ops: QueryOp | None) -> None:
    """Wait until each operation has finished (on its ``finished`` signal; one already done counts)."""
    for op in ops:
        if op is not None and op.running:
            with qtbot.waitSignal(op.finished, timeout=20_000):
                pass
