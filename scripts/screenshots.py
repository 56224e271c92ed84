"""Grab PNGs of the main screens (offscreen) so a person can look at them.

Usage: uv run python scripts/screenshots.py DEMO_DATA_DIR OUT_DIR
(the demo data folder comes from `uv run hrclinic demo --data-dir DIR --no-gui`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from hrclinic.app import ClinicApp
from hrclinic.demo.logins import DEMO_USERS, login_hint
from ui.bus import AppBus
from ui.first_run import FirstRunDialog, RecoveryKeyDialog
from ui.main import make_application
from ui.shell import ShellWindow
from ui.tasks import TaskRunner


def settle(runner: TaskRunner, timeout_ms: int = 10_000) -> None:
    """Wait until the worker is idle and its results are on screen."""
    waited = 0
    QTest.qWait(50)
    while runner.busy and waited < timeout_ms:
        QTest.qWait(20)
        waited += 20
    QTest.qWait(50)


def grab(widget: QWidget, out: Path, name: str) -> None:
    widget.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def main() -> None:
    demo_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    runner, bus = TaskRunner(), AppBus()

    with tempfile.TemporaryDirectory() as tmp:
        first = FirstRunDialog(ClinicApp(Path(tmp) / "new"), runner)
        first.clinic_name.setText("Riverside Counselling")
        first.display_name.setText("Zoë Łukasiewicz")
        first.username.setText("zoe.lukasiewicz")
        first.password.setText("short")
        first.meter.update_for("short", "zoe")
        first._check_password()
        first.show()
        settle(runner)
        grab(first, out, "01-first-run")
        first.close()
    kit = RecoveryKeyDialog(
        "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z2345-67ABC-DEFGH-IJKLM-NOPQR-STUVW",
        clinic_name="Riverside",
        owner_username="zoe",
        data_dir=Path("/tmp"),
        runner=runner,
    )
    kit.show()
    settle(runner)
    grab(kit, out, "02-recovery-key")
    kit.close()

    app = ClinicApp(demo_dir)
    window = ShellWindow(app, runner, bus, demo_hint=login_hint())
    window.show()
    settle(runner)
    grab(window, out, "03-login")
    for user in DEMO_USERS:
        window.enter(app.unlock(user.username, user.password))
        settle(runner)
        grab(window, out, f"04-{user.username}-today")
        assert window.workspace is not None
        window.workspace.open("clients")
        settle(runner)
        grab(window, out, f"05-{user.username}-clients")
        if "caseload" in window.workspace.destination_keys():
            window.workspace.open("caseload")
            settle(runner)
            grab(window, out, f"06-{user.username}-caseload")
        if "flags" in window.workspace.destination_keys():
            window.workspace.open("flags")
            settle(runner)
            grab(window, out, f"06b-{user.username}-flags")
        if "users" in window.workspace.destination_keys():
            window.workspace.open("users")
            settle(runner)
            grab(window, out, f"07-{user.username}-users")
            from ui.views.users import AddUserDialog

            dialog = AddUserDialog(window.workspace.ctx, window)
            dialog.display_name.setText("Nguyễn Văn An")
            dialog._on_display_name_text_edited("Nguyễn Văn An")
            dialog.show()
            settle(runner)
            grab(dialog, out, "08-add-user")
            dialog.close()
            window.workspace.open("settings")
            settle(runner)
            grab(window, out, f"09-{user.username}-settings")
        window.workspace.open("clients")
        settle(runner)
        from ui.views.intake.dialog import IntakeDialog
        from ui.views.record.dialog import RecordDialog

        clients_view = window.workspace.views["clients"]
        row = next(r for r in clients_view.rows if r.preferred_name == "Zoë Łukasiewicz-Şahin")
        record = RecordDialog.of(window.workspace.ctx, row, window)
        record.resize(820, 720)
        record.show()
        settle(runner)
        tabs = record.view.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            settle(runner)
            grab(record, out, f"10-{user.username}-record-{tabs.tabText(index).lower()}")
        record.close()
        if user.username == "jamie":
            intake = IntakeDialog(window.workspace.ctx, clients_view.rows, parent=window)
            intake.resize(760, 900)
            intake.show()
            settle(runner)
            intake.name.setText("Samuel Okoye")
            intake.field("birth").setText("1984")  # type: ignore[attr-defined]
            intake.check_duplicates()
            settle(runner)
            grab(intake, out, "12-intake-duplicate")
            intake._dirty = False
            intake.close()
        window.lock()
        settle(runner)
    grab(window, out, "11-locked")
    window.close()
    runner.wait_for_done()


if __name__ == "__main__":
    main()
