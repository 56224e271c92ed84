"""First run: create the clinic and its owner, then show the recovery key once."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.app import ClinicApp
from hrclinic.domain.accounts import display_name_problem, password_problem, username_problem
from hrclinic.domain.text import TextRefused, check_line
from hrclinic.errors import HrclinicError
from hrclinic.readmodels.clinic import CreatedClinic
from hrclinic.services.clinic import MAX_CLINIC_NAME
from hrclinic.services.emergency_kit import save_emergency_kit
from ui.operations import background
from ui.tasks import TaskRunner, error_message
from ui.theme import heading_font
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


def suggest_username(display_name: str) -> str:
    """A user name from a person's name: 'Maya Rivera, LCSW' -> 'maya.rivera'."""
    plain = unicodedata.normalize("NFKD", display_name.split(",")[0]).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return ".".join(words[:2])[:64]


class FirstRunDialog(QDialog):
    """Creates a clinic. Fields in the order a conversation goes; problems shown at the field."""

    def __init__(self, clinic_app: ClinicApp, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run_dialog")
        self.setWindowTitle("Set up hrclinic")
        self.setMinimumWidth(560)
        self._app = clinic_app
        self._runner = runner
        self._username_edited = False
        self.created: CreatedClinic | None = None

        self.clinic_name = self._field("clinic_name", "Clinic name", "e.g. Riverside Counselling")
        self.display_name = self._field("owner_display_name", "Your name", "As colleagues should see it")
        self.username = self._field("owner_username", "User name", "What you type to log in")
        self.password = PasswordField("owner_password", "Password")
        self.confirm = PasswordField("owner_password_confirm", "Confirm password")
        self.meter = StrengthMeter("password_strength")
        self.errors = {
            key: FieldError(f"{key}_error")
            for key in ("clinic_name", "display_name", "username", "password", "confirm")
        }
        self.form_error = label("", "error", name="form_error")
        self.form_error.hide()
        self.busy = BusyBar("first_run_busy")
        self.create_button = primary_button("Create clinic", "create_clinic")
        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancel")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(8)
        layout.addWidget(title("Welcome to hrclinic", 1.7))
        layout.addWidget(
            label(
                "Everything is kept on this computer, encrypted. You will be the clinic's owner: "
                "you add colleagues and choose what each of them can see.",
                "muted",
            )
        )
        layout.addLayout(self._form())
        layout.addWidget(self.form_error)
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        buttons.addWidget(label(f"Data folder: {clinic_app.data_dir}", "muted"), 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)

        self.display_name.textEdited.connect(self._on_display_name_text_edited)
        self.username.textEdited.connect(self._on_username_text_edited)
        self.password.textChanged.connect(self._on_password_text_changed)
        self.password.textChanged.connect(lambda _t: self.errors["password"].show_problem(None))
        for field, check in (
            (self.clinic_name, self._check_clinic_name),
            (self.display_name, self._check_display_name),
            (self.username, self._check_username),
            (self.password, self._check_password),
            (self.confirm, self._check_confirm),
        ):
            field.editingFinished.connect(check)
        self.create_button.clicked.connect(self._on_create_clicked)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_create_clicked)
        self.meter.update_for("")

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for text, field, error in (
            ("Clinic name", self.clinic_name, "clinic_name"),
            ("Your name", self.display_name, "display_name"),
            ("User name", self.username, "username"),
            ("Password", self.password, None),
        ):
            form.addRow(text, self._with_error(field, error))
        form.addRow("", self.meter)
        form.addRow("", self.errors["password"])
        form.addRow("Confirm password", self._with_error(self.confirm, "confirm"))
        return form

    def _field(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setPlaceholderText(placeholder)
        return field

    def _with_error(self, field: QWidget, error: str | None) -> QWidget:
        if error is None:
            return field
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(self.errors[error])
        return box

    # --- validation at the field, when it is left ------------------------------------------

    def _show(self, key: str, field: QWidget, problem: str | None) -> bool:
        self.errors[key].show_problem(problem)
        set_invalid(field, problem is not None)
        return problem is None

    def _check_clinic_name(self) -> bool:
        try:  # the service's rule for the clinic's name, checked as the field is left
            name = check_line(
                self.clinic_name.text(), field="clinic_name", what="clinic's name", limit=MAX_CLINIC_NAME
            )
            problem = None if name else "Enter the clinic's name."
        except TextRefused as refused:
            problem = refused.message
        return self._show("clinic_name", self.clinic_name, problem)

    def _check_display_name(self) -> bool:
        return self._show("display_name", self.display_name, display_name_problem(self.display_name.text()))

    def _check_username(self) -> bool:
        return self._show("username", self.username, username_problem(self.username.text()))

    def _check_password(self) -> bool:
        problem = password_problem(self.password.text(), username=self.username.text())
        return self._show("password", self.password, problem)

    def _check_confirm(self) -> bool:
        problem = None
        if self.confirm.text() != self.password.text():
            problem = "The two passwords are not the same."
        return self._show("confirm", self.confirm, problem)

    def _on_display_name_text_edited(self, text: str) -> None:
        if not self._username_edited:
            self.username.setText(suggest_username(text))

    def _on_username_text_edited(self, _text: str) -> None:
        self._username_edited = True

    def _on_password_text_changed(self, text: str) -> None:
        self.meter.update_for(text, self.username.text())

    # --- create -------------------------------------------------------------------------

    def _on_create_clicked(self) -> None:
        checks = [
            self._check_clinic_name(),
            self._check_display_name(),
            self._check_username(),
            self._check_password(),
            self._check_confirm(),
        ]
        if not all(checks):
            self.form_error.setText("Some answers need attention (shown in red).")
            self.form_error.show()
            return
        self.form_error.hide()
        self._set_busy(True)
        args = dict(
            clinic_name=self.clinic_name.text(),
            owner_username=self.username.text(),
            owner_display_name=self.display_name.text(),
            owner_password=self.password.text(),
        )
        app = self._app
        background(self._runner, self, lambda: app.create(**args), self._on_created).on_failure(
            self._on_failed
        ).run_in_background()

    def _set_busy(self, busy: bool) -> None:
        self.busy.set_busy(busy)
        self.create_button.setEnabled(not busy)
        self.create_button.setText("Creating the encrypted clinic…" if busy else "Create clinic")

    def _on_created(self, created: CreatedClinic) -> None:
        self._set_busy(False)
        self.created = created
        kit = RecoveryKeyDialog(
            created.recovery_key,
            clinic_name=self.clinic_name.text().strip(),
            owner_username=self.username.text().strip().lower(),
            data_dir=self._app.data_dir,
            runner=self._runner,
            parent=self,
        )
        kit.exec()
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, HrclinicError) and exc.field:
            key = {"owner_username": "username", "password": "password"}.get(exc.field, exc.field)
            if key in self.errors:
                self.errors[key].show_problem(exc.message)
                return
        self.form_error.setText(error_message(exc))
        self.form_error.show()


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once and offers the Emergency Kit; continuing needs a confirmation."""

    def __init__(
        self,
        recovery_key: str,
        *,
        clinic_name: str,
        owner_username: str,
        data_dir: Path,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_key_dialog")
        self.setWindowTitle("Your recovery key")
        self.setMinimumWidth(600)
        self._key = recovery_key
        self._kit_args = dict(
            clinic_name=clinic_name,
            owner_username=owner_username,
            recovery_key=recovery_key,
            data_dir=data_dir,
        )
        self._runner = runner

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title("Keep this recovery key safe", 1.5))
        layout.addWidget(
            label(
                "It is the only way back in if every owner password is forgotten, and it restores the "
                "clinic on a new computer. hrclinic keeps no copy and will not show it again."
            )
        )
        layout.addWidget(self._key_frame(recovery_key))

        actions = QHBoxLayout()
        self.save_kit = QPushButton("Save Emergency Kit (PDF)…")
        self.save_kit.setObjectName("save_kit")
        self.copy = QPushButton("Copy key")
        self.copy.setObjectName("copy_key")
        actions.addWidget(self.save_kit)
        actions.addWidget(self.copy)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.status = label("", "muted", name="kit_status")
        layout.addWidget(self.status)
        layout.addWidget(
            label(
                "Print the kit and keep it locked away from this computer. Do not e-mail it or keep it "
                "in a file beside the clinic's data.",
                "muted",
            )
        )
        self.confirmed = QCheckBox(
            "I have printed or written down the recovery key and put it somewhere safe"
        )
        self.confirmed.setObjectName("confirm_saved")
        layout.addWidget(self.confirmed)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = primary_button("Continue", "continue")
        self.done_button.setEnabled(False)
        row.addWidget(self.done_button)
        layout.addLayout(row)

        self.confirmed.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        self.save_kit.clicked.connect(self._on_save_kit_clicked)
        self.copy.clicked.connect(self._on_copy_clicked)

    def reject(self) -> None:
        """Escape does not lose the key: closing needs the confirmation too."""
        if self.confirmed.isChecked():
            super().reject()
        else:
            self.status.setText("Tick the box once the key is safe; it will not be shown again.")

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._key)
        self.status.setText("Copied. Paste it into your password manager, then clear the clipboard.")

    def _key_frame(self, recovery_key: str) -> QFrame:
        """The key in groups of four, large, selectable."""
        frame = QFrame()
        frame.setProperty("role", "recovery")
        inner = QVBoxLayout(frame)
        groups = recovery_key.split("-")
        self.key_label = QLabel("\n".join("-".join(groups[i : i + 4]) for i in range(0, len(groups), 4)))
        self.key_label.setObjectName("recovery_key")
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.key_label.setFont(heading_font(font, 1.35))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.key_label)
        return frame

    def _on_save_kit_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Emergency Kit", str(Path.home() / "hrclinic-emergency-kit.pdf"), "PDF (*.pdf)"
        )
        if not path:
            return
        self.status.setText("Saving…")
        kit = dict(self._kit_args)
        background(
            self._runner, self, lambda: save_emergency_kit(Path(path), **kit), self._on_kit_saved
        ).on_failure(self._on_kit_failed).run_in_background()

    def _on_kit_saved(self, path: Path) -> None:
        self.status.setText(f"Emergency Kit saved to {path}. Print it, then move the file off this computer.")

    def _on_kit_failed(self, exc: BaseException) -> None:
        self.status.setText(error_message(exc))
