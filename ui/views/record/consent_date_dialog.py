"""A small consent dialog: a date (and optionally how something was received), then one action (revoking
a consent, noting the signed copy)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hrclinic.errors import HrclinicError
from hrclinic.readmodels.consents import ConsentDetail
from ui.operations import CommandOp
from ui.tasks import error_message
from ui.views.record.consent_parts import HOW_RECEIVED, DateField, FormRows
from ui.widgets import BusyBar, FieldError, label, primary_button, title


class ConsentDateDialog(QDialog):
    """A small dialog: a date (and optionally how something was received), then one action."""

    def __init__(self, heading: str, hint: str, what: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(heading)
        self.setMinimumWidth(480)
        self.result_detail: ConsentDetail | None = None
        form = QFormLayout()
        self.fields = FormRows(form)
        self.day: DateField = self.fields.add(
            "day", what[0].upper() + what[1:], lambda e: DateField("", what, e)
        )
        self.day.set_value(date.today())
        self.how: QComboBox | None = None
        self.message = label("", "error", name="date_dialog_error")
        self.message.hide()
        self.busy = BusyBar("date_dialog_busy")
        self.ok = primary_button(action, "date_dialog_ok")
        cancel = QPushButton("Cancel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title(heading, 1.2))
        layout.addWidget(label(hint, "muted"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.ok)
        layout.addLayout(row)
        cancel.clicked.connect(self.reject)

    def add_how(self) -> QComboBox:
        def make(_error: FieldError) -> QComboBox:
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(HOW_RECEIVED)
            return combo

        self.how = self.fields.add("how", "How it was received", make)
        return self.how

    def run(self, op: CommandOp) -> None:
        """Run the dialog's one action: busy meanwhile, problems at the date or below it."""
        self.message.hide()
        op.succeeded.connect(self.done_with)
        op.with_busy(self.busy, self.ok).on_failure(self.failed).run_in_background()

    def failed(self, exc: BaseException) -> None:
        field = exc.field if isinstance(exc, HrclinicError) else None
        target = "how" if field == "revocation_received_how" else "day"
        if field and field != "version":
            self.fields.problem(target, error_message(exc))
        else:
            self.message.setText(error_message(exc))
            self.message.show()

    def done_with(self, detail: ConsentDetail) -> None:
        self.result_detail = detail
        self.accept()
