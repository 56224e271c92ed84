"""Starting the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from hrclinic.app import ClinicApp
from ui.bus import AppBus
from ui.first_run import FirstRunDialog
from ui.icons import icon
from ui.shell import ShellWindow
from ui.tasks import TaskRunner
from ui.theme import apply_theme, colours


def make_application() -> QApplication:
    """The QApplication, themed (reused if one exists)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("hrclinic")
    app.setOrganizationName("hrclinic")
    app.setApplicationDisplayName("hrclinic")
    apply_theme(app)
    app.setWindowIcon(icon("heart-handshake", colours().accent))
    return app


def run_app(data_dir: Path, *, demo: bool = False) -> int:
    """Open the clinic in ``data_dir``: first run if it has none, then the log-in."""
    app = make_application()
    clinic_app = ClinicApp(data_dir)
    runner, bus = TaskRunner(), AppBus()
    owner = ""
    if not clinic_app.has_clinic():
        first_run = FirstRunDialog(clinic_app, runner)
        if not first_run.exec():
            return 0
        owner = first_run.username.text().strip().lower()
    hint = None
    if demo:
        from hrclinic.demo.logins import login_hint

        hint = login_hint()
    window = ShellWindow(clinic_app, runner, bus, demo_hint=hint)
    if owner:
        window.login.reset(username=owner, message="Your clinic is ready. Log in with your new password.")
    window.show()
    return app.exec()
