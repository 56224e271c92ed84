"""First run end to end, by keyboard: a weak password is refused at the field, then the clinic is
created and the recovery key shown once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hrclinic.app import ClinicApp
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import recover_keys
from tests.conftest import FAST_KDF
from tests.ui.conftest import type_text
from ui.first_run import FirstRunDialog, RecoveryKeyDialog, suggest_username


def test_suggested_user_names_are_plain() -> None:
    assert suggest_username("Maya Rivera, LCSW") == "maya.rivera"
    assert suggest_username("Zoë Łukasiewicz-Şahin") == "zoe.ukasiewicz"
    assert suggest_username("王小明") == ""


def test_first_run_by_keyboard(qtbot, tmp_path: Path, runner, monkeypatch) -> None:
    app = ClinicApp(tmp_path / "clinic", kdf=FAST_KDF)
    dialog = FirstRunDialog(app, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # focus moves (and fields are left) only in an active window
    shown: list[RecoveryKeyDialog] = []

    def fake_exec(kit: RecoveryKeyDialog) -> int:
        shown.append(kit)
        assert not kit.done_button.isEnabled()  # cannot continue before confirming
        kit.reject()  # Escape does not lose the key either
        assert "Tick the box" in kit.status.text()
        QTest.keyClick(kit.confirmed, Qt.Key.Key_Space)
        assert kit.done_button.isEnabled()
        kit.done_button.click()
        return 1

    monkeypatch.setattr(RecoveryKeyDialog, "exec", fake_exec)

    type_text(dialog.clinic_name, "Zoë's Harm Reduction Practice")
    QTest.keyClick(dialog.clinic_name, Qt.Key.Key_Tab)
    type_text(dialog.display_name, "Алексей Смирнов")
    QTest.keyClick(dialog.display_name, Qt.Key.Key_Tab)
    dialog.username.clear()
    type_text(dialog.username, "alexei")
    QTest.keyClick(dialog.username, Qt.Key.Key_Tab)
    type_text(dialog.password, "short")
    QTest.keyClick(dialog.password, Qt.Key.Key_Tab)  # leaving the field shows why it is refused
    assert dialog.errors["password"].isVisible()
    assert "at least 10" in dialog.errors["password"].text()
    assert dialog.meter.score == 0

    QTest.keyClick(dialog.create_button, Qt.Key.Key_Space)  # Create refuses, nothing is made
    assert not app.has_clinic()
    assert dialog.form_error.isVisible()

    dialog.password.clear()
    type_text(dialog.password, "river stones at dawn")
    assert not dialog.errors["password"].isVisible()
    assert dialog.meter.score >= 2
    type_text(dialog.confirm, "river stones at dawn")
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)

    assert app.has_clinic()
    assert dialog.result() == 1
    key_text = shown[0].key_label.text().replace("\n", "-")
    recovered = recover_keys(KeyRingFile.load(app.paths.keyring), RecoveryKey.parse(key_text))
    assert recovered.clinic.registry_key  # the key shown is the clinic's real recovery key
    opened = app.unlock("alexei", "river stones at dawn")
    assert opened.actor.display_name == "Алексей Смирнов"
    app.lock()


def test_the_emergency_kit_can_be_saved_as_pdf(qtbot, tmp_path: Path, runner, monkeypatch) -> None:
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    key = RecoveryKey.generate().text
    target = tmp_path / "kit"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF (*.pdf)"))
    # the clinic folder is beside the kit: a kit inside the folder it unlocks is refused
    kit = RecoveryKeyDialog(
        key,
        clinic_name="O'Brien <Sam> & Co",
        owner_username="maya",
        data_dir=tmp_path / "clinic",
        runner=runner,
    )
    qtbot.addWidget(kit)
    kit.save_kit.click()
    qtbot.waitUntil(lambda: "saved to" in kit.status.text(), timeout=20_000)
    text = PdfReader(str(target.with_suffix(".pdf"))).pages[0].extract_text()
    assert "O'Brien <Sam> & Co" in text
    for group in key.split("-"):
        assert group in text
