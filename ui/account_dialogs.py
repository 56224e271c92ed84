"""Dialogs about one's own account: change password, reset with the recovery key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hrclinic.domain.accounts import password_problem
from hrclinic.errors import HrclinicError
from hrclinic.services import passwords
from ui.operations import Operations, QueryOp, background
from ui.tasks import TaskRunner, error_message
from ui.widgets import (
    BusyBar,
    FieldError,
    PasswordField,
    StrengthMeter,
    label,
    primary_button,
    set_invalid,
    title,
)


class NewPasswordForm(QWidget):
    """New password + confirmation with a strength meter; checks at the field."""

    def __init__(self, username: str, prefix: str = "new_password") -> None:
        super().__init__()
        self._username = username
        self.password = PasswordField(prefix, "New password")
        self.confirm = PasswordField(f"{prefix}_confirm", "Confirm new password")
        self.meter = StrengthMeter(f"{prefix}_strength")
        self.error = FieldError(f"{prefix}_error")
        self.confirm_error = FieldError(f"{prefix}_confirm_error")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("New password", self.password)
        form.addRow("", self.meter)
        form.addRow("", self.error)
        form.addRow("Confirm", self.confirm)
        form.addRow("", self.confirm_error)
        self.password.textChanged.connect(lambda text: self.meter.update_for(text, self._username))
        self.password.textChanged.connect(lambda _t: self.error.show_problem(None))
        self.password.editingFinished.connect(self.check_password)
        self.confirm.editingFinished.connect(self.check_confirm)
        self.meter.update_for("")

    def check_password(self) -> bool:
        """Show why the new password is refused, if it is."""
        problem = password_problem(self.password.text(), username=self._username)
        self.error.show_problem(problem)
        set_invalid(self.password, problem is not None)
        return problem is None

    def check_confirm(self) -> bool:
        """Show whether the confirmation matches."""
        problem = (
            None if self.confirm.text() == self.password.text() else "The two passwords are not the same."
        )
        self.confirm_error.show_problem(problem)
        set_invalid(self.confirm, problem is not None)
        return problem is None

    def valid(self) -> bool:
        """Both checks, both shown."""
        return all([self.check_password(), self.check_confirm()])


class _FormDialog(QDialog):
    """A dialog with a form, a busy bar, a message line and a primary button."""

    def __init__(self, name: str, heading: str, intro: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(heading)
        self.setMinimumWidth(480)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 16)
        self.layout_.addWidget(title(heading, 1.3))
        if intro:
            self.layout_.addWidget(label(intro, "muted"))
        self.body = QVBoxLayout()
        self.layout_.addLayout(self.body)
        self.message = label("", "error", name="dialog_error")
        self.message.hide()
        self.busy = BusyBar("dialog_busy")
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.ok_button = primary_button(action, "confirm")
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        self.layout_.addLayout(row)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self._on_ok_clicked)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_ok_clicked)

    def _on_ok_clicked(self) -> None:
        raise NotImplementedError

    def run(self, op: QueryOp) -> None:
        """Run ``op`` with this dialog's busy bar and button; its errors show in the dialog."""
        self.message.hide()
        op.with_busy(self.busy, self.ok_button).on_failure(self.show_error).run_in_background()

    def show_error(self, exc: BaseException) -> None:
        """Show an error from the service in the dialog."""
        self.message.setText(error_message(exc))
        self.message.show()


class ChangePasswordDialog(_FormDialog):
    """Change one's own password (the keys are re-wrapped, nothing else changes)."""

    def __init__(self, ops: Operations, *, forced: bool = False, parent: QWidget | None = None) -> None:
        intro = (
            "The owner set a temporary password for you. Choose your own before you continue."
            if forced
            else "Your records stay as they are; only the password that unlocks them changes."
        )
        super().__init__("change_password_dialog", "Change my password", intro, "Change password", parent)
        self._ops = ops
        self.current = PasswordField("current_password", "Current password")
        self.current_error = FieldError("current_password_error")
        form = QFormLayout()
        form.addRow("Current password", self.current)
        form.addRow("", self.current_error)
        self.body.addLayout(form)
        self.new = NewPasswordForm(ops.actor.username)
        self.body.addWidget(self.new)
        if forced:
            self.cancel_button.setText("Log out")

    def _on_ok_clicked(self) -> None:
        if not self.current.text():
            self.current_error.show_problem("Enter your current password.")
            return
        self.current_error.show_problem(None)
        if not self.new.valid():
            return
        current, new = self.current.text(), self.new.password.text()
        self.run(
            self._ops.command(
                self,
                lambda clinic: passwords.change_own_password(clinic, current, new),
                None,
                self._on_changed,
            )
        )

    def _on_changed(self, _result: object) -> None:
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        """Put the error beside the field it is about."""
        if isinstance(exc, HrclinicError) and exc.field == "current_password":
            self.current_error.show_problem(exc.message)
        elif isinstance(exc, HrclinicError) and exc.field == "new_password":
            self.new.error.show_problem(exc.message)
        else:
            super().show_error(exc)


class RecoveryResetDialog(_FormDialog):
    """Set a new password for an account with the clinic's recovery key."""

    def __init__(
        self,
        reset: Callable[[str, str, str], object],
        runner: TaskRunner,
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "recovery_reset_dialog",
            "Reset a password with the recovery key",
            "The recovery key is on the clinic's Emergency Kit. It restores every key of the account, "
            "private notes included.",
            "Reset password",
            parent,
        )
        self._runner = runner
        self._reset = reset
        self.username = QLineEdit(username)
        self.username.setObjectName("recovery_username")
        self.username.setAccessibleName("User name")
        self.key = QLineEdit()
        self.key.setObjectName("recovery_key_input")
        self.key.setAccessibleName("Recovery key")
        self.key.setPlaceholderText("XXXXX-XXXXX-XXXXX-…")
        self.key_error = FieldError("recovery_key_error")
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Recovery key", self.key)
        form.addRow("", self.key_error)
        self.body.addLayout(form)
        self.new = NewPasswordForm(username)
        self.body.addWidget(self.new)
        self.result: object | None = None

    def _on_ok_clicked(self) -> None:
        if not self.key.text().strip():
            self.key_error.show_problem("Enter the recovery key from the Emergency Kit.")
            return
        self.key_error.show_problem(None)
        if not self.new.valid():
            return
        user, key, new, reset = self.username.text(), self.key.text(), self.new.password.text(), self._reset
        self.run(background(self._runner, self, lambda: reset(user, key, new), self._on_done))

    def _on_done(self, result: object) -> None:
        self.result = result
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        """Recovery-key problems go beside the key."""
        if isinstance(exc, HrclinicError) and exc.field == "recovery_key":
            self.key_error.show_problem(exc.message)
        else:
            super().show_error(exc)
