"""Settings (owners): the automatic lock, and saving an audit anchor away from the clinic folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from hrclinic.services.verify import verify_clinic
from hrclinic.vault.anchor import SignedAnchor
from tests.conftest import FAST_KDF, OWNER, ClinicFixture
from tests.ui.conftest import log_in, settle
from ui.shell import ShellWindow


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


def test_save_an_audit_anchor_from_settings(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, tmp_path: Path, monkeypatch
) -> None:
    log_in(qtbot, shell, OWNER)
    view = shell.workspace.open("settings")
    out = tmp_path / "usb" / "anchor.json"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    view.save_anchor.click()
    qtbot.waitUntil(lambda: out.exists() and view.save_anchor.isEnabled())
    anchor = SignedAnchor.from_text(out.read_text())
    assert f"Saved an anchor of audit entry {anchor.seq:,}." in shell.statusBar().currentMessage()
    shell.lock()
    report = verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF, anchors=[anchor])
    assert not [p for p in report.problems if "Argon2id" not in p]


def test_an_anchor_inside_the_clinic_folder_is_refused_in_place(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    log_in(qtbot, shell, OWNER)
    view = shell.workspace.open("settings")
    inside = clinic_dir.data_dir / "anchor.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(inside), ""))
    view.save_anchor.click()
    qtbot.waitUntil(lambda: view.message.isVisible())
    assert "outside the clinic folder" in view.message.text()
    assert not inside.exists()
