"""The GUI part of ``hrclinic self-test``: open the main window offscreen, log in, lock, close."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from hrclinic.errors import HrclinicError


class GuiSelfTestFailed(HrclinicError):
    """The window did not behave."""


def run_gui_self_test() -> str:
    """Returns a one-line description of what was checked."""
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest

    from hrclinic.app import ClinicApp
    from ui.bus import AppBus
    from ui.main import make_application
    from ui.shell import ShellWindow
    from ui.tasks import TaskRunner

    make_application()
    with tempfile.TemporaryDirectory(prefix="hrclinic-gui-selftest-") as tmp:
        clinic_app = ClinicApp(Path(tmp) / "clinic")
        clinic_app.create(
            clinic_name="Self-test clinic",
            owner_username="owner",
            owner_display_name="Self Test",
            owner_password="seventeen-lanterns-4",
        )
        runner, bus = TaskRunner(), AppBus()
        window = ShellWindow(clinic_app, runner, bus)
        window.show()
        window.enter(clinic_app.unlock("owner", "seventeen-lanterns-4"))
        waited = 0
        QTest.qWait(50)
        while runner.busy and waited < 20_000:
            QTest.qWait(25)
            waited += 25
        if window.workspace is None or window.workspace.destination_keys() != [
            "today",
            "clients",
            "caseload",
            "flags",
            "users",
            "settings",
        ]:
            raise GuiSelfTestFailed("the main window did not show the owner's navigation")
        window.lock()
        if window.workspace is not None:
            raise GuiSelfTestFailed("locking did not hide the workspace")
        window.close()
        runner.wait_for_done()
        QTest.qWait(10)
    return "main window opened offscreen, owner navigation shown, locked and closed"
