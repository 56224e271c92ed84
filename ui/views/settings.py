"""Settings (owner): the clinic, automatic lock, this computer's log-in, and changing the clinic's keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hrclinic.readmodels.clinic import ClinicSummary
from hrclinic.services import computer_login, users
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.settings import clinic_summary, set_idle_lock_minutes
from hrclinic.services.witness import write_anchor
from ui.account_dialogs import ChangePasswordDialog
from ui.operations import Changed, Kind, QueryOp
from ui.rotation import RotationProgressView, SessionRotation
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, label, page_header, primary_button, title


def _settings(clinic: UnlockedClinic) -> tuple[ClinicSummary, int, bool]:
    """The clinic's settings, how many people use it, and whether my computer log-in is on."""
    everyone = [u for u in users.list_users(clinic) if u.active]
    me = next((u for u in everyone if u.id == clinic.actor.user_id), None)
    return clinic_summary(clinic), len(everyone), bool(me and me.computer_login)


def _card(heading: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setProperty("role", "card")
    box = QVBoxLayout(card)
    box.setContentsMargins(16, 12, 16, 12)
    box.addWidget(title(heading, 1.15))
    return card, box


def _text(words: str) -> QWidget:
    return label(words, "muted")


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


class SettingsLayout(QWidget):
    """The settings page's cards: clinic, automatic lock, logging in, recovery key, keys, audit log."""

    def __init__(self, data_dir: str, rotation: SessionRotation) -> None:
        super().__init__()
        self.setObjectName("settings_view")
        self.busy = BusyBar("settings_busy")
        self.message = label("", "error", name="settings_message")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(page_header("Settings", "Changes here apply to everyone in the clinic."))
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        for card in (
            self._clinic_card(data_dir),
            self._lock_card(),
            self._login_card(),
            self._recovery_card(),
            self._keys_card(rotation),
            self._audit_card(),
        ):
            layout.addWidget(card)
        layout.addStretch(1)

    def _clinic_card(self, data_dir: str) -> QFrame:
        card, box = _card("Clinic")
        self.clinic_name = label("", name="settings_clinic_name")
        self.data_dir = label(data_dir, "muted", name="settings_data_dir")
        self.schema = label("", "muted", name="settings_schema")
        form = QFormLayout()
        form.addRow("Name", self.clinic_name)
        form.addRow("Data folder", self.data_dir)
        form.addRow("Database schema", self.schema)
        box.addLayout(form)
        return card

    def _lock_card(self) -> QFrame:
        card, box = _card("Automatic lock")
        box.addWidget(
            _text(
                "The app locks itself after this many minutes without keyboard or mouse activity, and "
                "hides every record until someone logs in again."
            )
        )
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idle_lock_minutes")
        self.idle_minutes.setAccessibleName("Minutes before the automatic lock")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(" minutes")
        self.save_idle = primary_button("Save", "save_idle_lock")
        box.addLayout(_row(self.idle_minutes, self.save_idle))
        return card

    def _login_card(self) -> QFrame:
        card, box = _card("Logging in on this computer")
        self.computer_login = QCheckBox("Unlock with my computer log-in (single-user installs only)")
        self.computer_login.setObjectName("computer_login_setting")
        box.addWidget(self.computer_login)
        self.computer_help = label("", "muted", name="computer_login_help")
        box.addWidget(self.computer_help)
        self.change_password = QPushButton("Change my password…")
        self.change_password.setObjectName("change_password")
        box.addLayout(_row(self.change_password))
        return card

    def _recovery_card(self) -> QFrame:
        card, box = _card("Recovery key")
        box.addWidget(
            _text(
                "The recovery key was shown once when the clinic was created, with its Emergency Kit. "
                "hrclinic keeps no copy. With it, an owner can reset any password and restore the clinic "
                "on a new computer."
            )
        )
        return card

    def _keys_card(self, rotation: SessionRotation) -> QFrame:
        card, box = _card("Keys")
        box.addWidget(
            _text(
                "Deactivating someone, or resetting a password with the recovery key, changes every key "
                "they held, so an old copy of their key ring opens nothing. Change them now if you think "
                "a key ring and its password were copied. Everyone keeps working; the others receive "
                "the new keys when they next log in."
            )
        )
        self.rotate_now = QPushButton("Change the keys now…")
        self.rotate_now.setObjectName("rotate_keys_now")
        self.rotate_now.setAccessibleName("Change the clinic's keys now")
        box.addLayout(_row(self.rotate_now))
        self.rotation_progress = RotationProgressView(rotation, "settings_rotation")
        box.addWidget(self.rotation_progress)
        return card

    def _audit_card(self) -> QFrame:
        card, box = _card("Audit log")
        box.addWidget(
            _text(
                "Every log-in, view and change is in a signed, chained audit log. Save an anchor of it "
                "now and then, away from this computer (a USB stick, another computer): `hrclinic verify "
                "--anchor FILE` then shows whether anything was removed from the log since."
            )
        )
        self.save_anchor = QPushButton("Save an audit anchor…")
        self.save_anchor.setObjectName("save_audit_anchor")
        self.save_anchor.setAccessibleName("Save an audit anchor to a file")
        box.addLayout(_row(self.save_anchor))
        return card


class SettingsView(SettingsLayout):
    """Clinic-wide settings an owner changes."""

    def __init__(self, ctx: ViewContext) -> None:
        rotation = SessionRotation.of(ctx.ops)
        super().__init__(str(ctx.ops.data_dir), rotation)
        self._ctx, self.rotation = ctx, rotation
        self.save_idle.clicked.connect(self._on_save_idle_clicked)
        self.computer_login.clicked.connect(self._on_computer_login_clicked)
        self.change_password.clicked.connect(self._on_change_password_clicked)
        self.rotate_now.clicked.connect(self._on_rotate_now_clicked)
        self.save_anchor.clicked.connect(self._on_save_anchor_clicked)
        self.rotation.running_changed.connect(self._on_rotation_running_changed)
        self._on_rotation_running_changed(self.rotation.running)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()

    def refresh(self) -> QueryOp:
        """Load the settings in the background."""
        return (
            self._ctx.ops.query(self, _settings, self._on_loaded)
            .with_busy(self.busy)
            .failure_in(self.message)
            .run_in_background()
        )

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.USER):
            self.refresh()

    def _on_loaded(self, loaded: tuple[ClinicSummary, int, bool]) -> None:
        summary, active_users, computer_on = loaded
        self.clinic_name.setText(isolate(summary.name))
        self.schema.setText(f"revision {summary.schema_revision}")
        self.idle_minutes.setValue(summary.idle_lock_minutes)
        self.computer_login.setChecked(computer_on)
        single = active_users == 1
        self.computer_login.setEnabled(single or computer_on)
        self.computer_help.setText(
            "Your operating system's credential store keeps the secret; the password still works."
            if single
            else f"Not available: {active_users} people use this clinic, and each logs in with a password."
        )

    def _on_save_idle_clicked(self) -> None:
        minutes = self.idle_minutes.value()
        self._ctx.ops.command(
            self, lambda clinic: set_idle_lock_minutes(clinic, minutes), Changed(Kind.SETTINGS)
        ).status(
            lambda summary: f"The app now locks after {summary.idle_lock_minutes} idle minutes."
        ).with_busy(self.busy, self.save_idle).failure_in(self.message).run_in_background()

    def _on_computer_login_clicked(self, checked: bool) -> None:
        action = computer_login.enable_computer_login if checked else computer_login.disable_computer_login
        self._ctx.ops.command(self, action, Changed(Kind.USER)).status(
            "This computer's log-in now unlocks hrclinic."
            if checked
            else "Your password is needed again to log in."
        ).with_busy(self.busy, self.computer_login).failure_in(self.message).on_failure(
            self._on_computer_failed
        ).run_in_background()

    def _on_computer_failed(self, _exc: BaseException) -> None:
        self.computer_login.setChecked(not self.computer_login.isChecked())

    def _on_change_password_clicked(self) -> None:
        if ChangePasswordDialog(self._ctx.ops, parent=self).exec():
            self._ctx.bus.status_message.emit("Your password was changed.")

    def _on_rotate_now_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            "Change the clinic's keys",
            "Change every key of the clinic now?\n\nThe database gets a new key and clinical entries are "
            "sealed again under a new one; this runs in the background. Everyone else receives the "
            "new keys when they next log in.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.rotation.start(rotate_now=True)

    def _on_save_anchor_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save an audit anchor", "hrclinic-audit-anchor.json", "Audit anchor (*.json)"
        )
        if path:
            self.save_anchor_to(Path(path))

    def save_anchor_to(self, path: Path) -> QueryOp:
        """Write a signed anchor of the audit log's end to ``path`` in the background."""
        self.message.hide()
        return (
            self._ctx.ops.command(self, lambda clinic: write_anchor(clinic, path), None)
            .status(lambda anchor: f"Saved an anchor of audit entry {anchor.seq:,}.")
            .with_busy(self.busy, self.save_anchor)
            .failure_in(self.message)
            .run_in_background()
        )

    def _on_rotation_running_changed(self, running: bool) -> None:
        self.rotate_now.setEnabled(not running)
