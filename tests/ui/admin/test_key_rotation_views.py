"""Deactivating a user changes the clinic's keys in the background with progress; Settings offers
"Change the keys now" to owners; a later log-in finishes a rotation that was paused."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from hrclinic.services import clients, notes, users
from hrclinic.services.clinic import lock, unlock
from tests.conftest import CLINICIAN, FAST_KDF, OWNER, ClinicFixture
from tests.ui.conftest import log_in, settle
from ui.shell import ShellWindow


def test_deactivating_a_user_changes_the_keys_in_the_background(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    before = unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    old_registry = before.keys.registry_key
    lock(before)
    log_in(qtbot, shell, OWNER)
    settle(qtbot, shell.runner)
    view = shell.workspace.open("users")
    settle(qtbot, shell.runner)
    row = next(i for i, u in enumerate(view.list.visible_rows()) if u.username == "frontdesk")
    view.list.table.selectRow(row)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(view.rotation.finished, timeout=30_000) as finished:
        view.deactivate_button.click()
    summary = finished.args[0]
    assert summary.completed and summary.waiting is None
    assert "keys were changed" in view.rotation_progress.text.text()
    assert not view.rotation_progress.bar.isVisible()
    settle(qtbot, shell.runner)
    assert shell.session.keys.registry_key != old_registry
    assert "keys were changed" in shell.statusBar().currentMessage()


def test_an_owner_changes_the_keys_now_from_settings(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    clinician = unlock(clinic_dir.data_dir, *CLINICIAN, kdf=FAST_KDF)
    person = clients.register_client(clinician, "Zoë")
    for n in range(7):
        notes.write_clinical_note(clinician, person.id, f"Note {n}.")
    lock(clinician)
    log_in(qtbot, shell, OWNER)
    settle(qtbot, shell.runner)
    view = shell.workspace.open("settings")
    settle(qtbot, shell.runner)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    seen: list[str] = []
    view.rotation.progressed.connect(lambda p: seen.append(p.step))
    with qtbot.waitSignal(view.rotation.finished, timeout=30_000):
        view.rotate_now.click()
        assert not view.rotate_now.isEnabled()  # one rotation at a time
    assert seen[0] == "started" and "resealing" in seen and seen[-1] == "completed"
    assert view.rotate_now.isEnabled()
    settle(qtbot, shell.runner)
    epoch = shell.session.keys.epoch
    assert epoch == 1
    shell.lock()
    again = unlock(clinic_dir.data_dir, *CLINICIAN, kdf=FAST_KDF)
    clinic_dir.opened.append(again)
    assert again.keys.epoch == epoch
    assert all(n.body.startswith("Note") for n in notes.read_clinical_notes(again, person.id))


def test_a_paused_rotation_continues_after_the_next_log_in(
    qtbot, shell: ShellWindow, clinic_dir: ClinicFixture, monkeypatch
) -> None:
    log_in(qtbot, shell, OWNER)
    settle(qtbot, shell.runner)
    view = shell.workspace.open("settings")
    settle(qtbot, shell.runner)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(view.rotation.finished, timeout=30_000) as finished:
        view.rotate_now.click()
        view.rotation_progress.pause_button.click()  # stops after the first step (the start)
    assert finished.args[0].waiting and "paused" in finished.args[0].waiting
    assert shell.session.keys.retiring  # started, not complete
    shell.lock()
    log_in(qtbot, shell, OWNER)  # the check after log-in finishes it
    qtbot.waitUntil(lambda: not shell.session.keys.retiring, timeout=30_000)
    settle(qtbot, shell.runner)
    owner = shell.session
    assert [u.username for u in users.list_users(owner) if u.active]
    assert owner.read_ring().rotation is None
