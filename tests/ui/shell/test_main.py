"""Starting the app: first run when the folder is empty, the log-in (with demo hint) otherwise."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.conftest import ClinicFixture
from tests.ui.conftest import wait_for
from ui import main as ui_main
from ui.first_run import FirstRunDialog
from ui.shell import ShellWindow


def test_an_empty_folder_opens_first_run_and_cancel_creates_nothing(
    qapp, tmp_path: Path, monkeypatch
) -> None:
    seen = []
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: seen.append(self) or 0)
    assert ui_main.run_app(tmp_path / "new") == 0
    assert len(seen) == 1
    assert not (tmp_path / "new" / "keyring.json").exists()


def test_the_demo_opens_on_the_log_in_with_the_demo_users_listed(
    qapp, qtbot, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    shown: list[ShellWindow] = []

    def fake_exec() -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, ShellWindow) and w.isVisible()
        )
        wait_for(qtbot, window.naming)  # the clinic's name is read on the worker
        shown.append(window)
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert ui_main.run_app(clinic_dir.data_dir, demo=True) == 0
    window = shown[0]
    assert window.stack.currentWidget() is window.login
    assert window.login.demo_hint.isVisibleTo(window)
    assert "maya / demo-owner-1" in window.login.demo_hint.text()
    assert window.login.clinic_label.text() == "Test Clinic"
