"""Settings (owner): the clinic, automatic lock, and this computer's log-in."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hrclinic.services import users
from hrclinic.services.clinic import clinic_summary, set_idle_lock_minutes
from hrclinic.services.models import ClinicSummary
from ui.account_dialogs import ChangePasswordDialog
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, label, page_header, primary_button, title


def _card(heading: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setProperty("role", "card")
    box = QVBoxLayout(card)
    box.setContentsMargins(16, 12, 16, 12)
    box.addWidget(title(heading, 1.15))
    return card, box


class SettingsView(QWidget):
    """Clinic-wide settings an owner changes."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("settings_view")
        self._ctx = ctx
        self.busy = BusyBar("settings_busy")
        self.message = label("", "error", name="settings_message")
        self.message.hide()

        clinic_card, clinic_box = _card("Clinic")
        self.clinic_name = label("", name="settings_clinic_name")
        self.data_dir = label(str(ctx.clinic.paths.root), "muted", name="settings_data_dir")
        self.schema = label("", "muted", name="settings_schema")
        form = QFormLayout()
        form.addRow("Name", self.clinic_name)
        form.addRow("Data folder", self.data_dir)
        form.addRow("Database schema", self.schema)
        clinic_box.addLayout(form)

        lock_card, lock_box = _card("Automatic lock")
        lock_box.addWidget(
            label(
                "The app locks itself after this many minutes without keyboard or mouse activity, and "
                "hides every record until someone logs in again.",
                "muted",
            )
        )
        row = QHBoxLayout()
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idle_lock_minutes")
        self.idle_minutes.setAccessibleName("Minutes before the automatic lock")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(" minutes")
        self.save_idle = primary_button("Save", "save_idle_lock")
        row.addWidget(self.idle_minutes)
        row.addWidget(self.save_idle)
        row.addStretch(1)
        lock_box.addLayout(row)

        login_card, login_box = _card("Logging in on this computer")
        self.computer_login = QCheckBox("Unlock with my computer log-in (single-user installs only)")
        self.computer_login.setObjectName("computer_login_setting")
        login_box.addWidget(self.computer_login)
        self.computer_help = label("", "muted", name="computer_login_help")
        login_box.addWidget(self.computer_help)
        self.change_password = QPushButton("Change my password…")
        self.change_password.setObjectName("change_password")
        password_row = QHBoxLayout()
        password_row.addWidget(self.change_password)
        password_row.addStretch(1)
        login_box.addLayout(password_row)

        recovery_card, recovery_box = _card("Recovery key")
        recovery_box.addWidget(
            label(
                "The recovery key was shown once when the clinic was created, with its Emergency Kit. "
                "hrclinic keeps no copy. With it, an owner can reset any password and restore the clinic "
                "on a new computer.",
                "muted",
            )
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(page_header("Settings", "Changes here apply to everyone in the clinic."))
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        for card in (clinic_card, lock_card, login_card, recovery_card):
            layout.addWidget(card)
        layout.addStretch(1)

        self.save_idle.clicked.connect(self._on_save_idle_clicked)
        self.computer_login.clicked.connect(self._on_computer_login_clicked)
        self.change_password.clicked.connect(self._on_change_password_clicked)
        ctx.bus.users_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Load the settings in the background."""
        self.busy.set_busy(True)
        clinic = self._ctx.clinic

        def load() -> tuple[ClinicSummary, int, bool]:
            everyone = [u for u in users.list_users(clinic) if u.active]
            me = next((u for u in everyone if u.id == clinic.actor.user_id), None)
            return clinic_summary(clinic), len(everyone), bool(me and me.computer_login)

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed, owner=self)

    def _on_loaded(self, loaded: tuple[ClinicSummary, int, bool]) -> None:
        summary, active_users, computer_on = loaded
        self.busy.set_busy(False)
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

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.set_busy(False)
        self.message.setText(error_message(exc))
        self.message.show()

    def _on_save_idle_clicked(self) -> None:
        minutes, clinic = self.idle_minutes.value(), self._ctx.clinic
        self._ctx.runner.submit(
            lambda: set_idle_lock_minutes(clinic, minutes), self._on_idle_saved, self._on_failed, owner=self
        )

    def _on_idle_saved(self, summary: ClinicSummary) -> None:
        self._ctx.bus.settings_changed.emit()
        self._ctx.bus.status_message.emit(
            f"The app now locks after {summary.idle_lock_minutes} idle minutes."
        )

    def _on_computer_login_clicked(self, checked: bool) -> None:
        clinic = self._ctx.clinic
        action = users.enable_computer_login if checked else users.disable_computer_login
        self._ctx.runner.submit(
            lambda: action(clinic),
            lambda _r: self._on_computer_changed(checked),
            self._on_computer_failed,
            owner=self,
        )

    def _on_computer_changed(self, enabled: bool) -> None:
        self._ctx.bus.users_changed.emit()
        self._ctx.bus.status_message.emit(
            "This computer's log-in now unlocks hrclinic."
            if enabled
            else "Your password is needed again to log in."
        )

    def _on_computer_failed(self, exc: BaseException) -> None:
        self.computer_login.setChecked(not self.computer_login.isChecked())
        self._on_failed(exc)

    def _on_change_password_clicked(self) -> None:
        clinic = self._ctx.clinic
        dialog = ChangePasswordDialog(
            lambda cur, new: users.change_own_password(clinic, cur, new),
            clinic.actor.username,
            self._ctx.runner,
            parent=self,
        )
        if dialog.exec():
            self._ctx.bus.status_message.emit("Your password was changed.")
