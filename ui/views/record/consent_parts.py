"""The parts of the consent forms: each consent's state, scope and expiry in words (the list's columns),
a date field checked when it is left, rows with a message under each input, and which fields each kind of
consent shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from hrclinic.domain.consents import ConsentKind, ConsentState, parse_day
from hrclinic.readmodels.consents import ConsentDetail
from ui.models import Column
from ui.text import isolate
from ui.widgets import FieldError, set_invalid

STATE_WORDS = {
    ConsentState.ACTIVE: "Active",
    ConsentState.DRAFT: "Draft (not in force)",
    ConsentState.EXPIRED: "Expired",
    ConsentState.REVOKED: "Revoked",
}
HOW_RECEIVED = [
    "Signed letter handed in at the front desk",
    "Signed letter by post",
    "Signed form scanned and e-mailed",
]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def scope_text(c: ConsentDetail) -> str:
    """Who a consent lets the clinic share with, in one line."""
    f = c.fields
    if c.kind is ConsentKind.CONTACT:
        words = {True: "yes", False: "no", None: "not asked"}
        return f"Texts: {words[f.may_text]} · Voicemail: {words[f.may_voicemail]}"
    names = [line.strip() for line in f.recipients.splitlines() if line.strip()]
    if names:
        return isolate(names[0]) + (f" (+{len(names) - 1} more)" if len(names) > 1 else "")
    return f.recipient_class.strip()


def expiry_text(c: ConsentDetail) -> str:
    """The expiry date, or the expiry event as written (never computed)."""
    f = c.fields
    if f.expires_on and f.expiry_event.strip():
        return f"{_day(f.expires_on)} or {f.expiry_event.strip()}"
    return _day(f.expires_on) or f.expiry_event.strip()


def state_text(c: ConsentDetail) -> str:
    """The state as words (with the revocation date), never colour alone."""
    if c.state is ConsentState.REVOKED:
        return f"Revoked {_day(c.revoked_on)}"
    return STATE_WORDS[c.state]


def paper_text(c: ConsentDetail) -> str:
    """Where the paper form stands."""
    if c.signed_copy_received_on:
        return f"Signed copy received {_day(c.signed_copy_received_on)}"
    if c.paper_form_printed_at:
        return f"Printed {c.paper_form_printed_at.astimezone().date().isoformat()}"
    return ""


CONSENT_COLUMNS: list[Column[ConsentDetail]] = [
    Column("Consent", lambda c: c.kind.label),
    Column("State", state_text),
    Column("Recipients or choices", scope_text),
    Column("Signed", lambda c: _day(c.fields.signed_on), lambda c: c.fields.signed_on or date.min),
    Column("Expires", expiry_text),
    Column("Paper form", paper_text, searchable=False),
]


class DateField(QLineEdit):
    """A date typed as YYYY-MM-DD, checked when the field is left."""

    def __init__(self, name: str, what: str, error: FieldError) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaximumWidth(160)
        self.what = what
        self.error = error
        self.editingFinished.connect(self.check)

    def value(self) -> date | None:
        """The date typed, or None; raises ValueError with a sentence."""
        return parse_day(self.text(), self.what)

    def set_value(self, value: date | None) -> None:
        """Show ``value`` (or nothing)."""
        self.setText(value.isoformat() if value else "")

    def check(self) -> bool:
        """Show a problem with what was typed at the field; True when it reads as a date."""
        try:
            self.value()
        except ValueError as exc:
            self.error.show_problem(str(exc))
            set_invalid(self, True)
            return False
        self.error.show_problem(None)
        set_invalid(self, False)
        return True


class FormRows:
    """Rows of a QFormLayout, each with its input and a message under it."""

    def __init__(self, form: QFormLayout) -> None:
        self.form = form
        self.rows: dict[str, QWidget] = {}
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}

    def add(self, field: str, text: str, make: Any) -> Any:
        error = FieldError(f"{field}_error")
        widget = make(error)
        widget.setObjectName(field)
        widget.setAccessibleName(text)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        self.form.addRow(text, holder)
        self.rows[field], self.inputs[field], self.errors[field] = holder, widget, error
        return widget

    def show(self, field: str, visible: bool) -> None:
        self.form.setRowVisible(self.rows[field], visible)

    def problem(self, field: str, text: str | None) -> None:
        if field in self.errors:
            self.errors[field].show_problem(text)
            set_invalid(self.inputs[field], bool(text))

    def clear(self) -> None:
        for field in self.errors:
            self.problem(field, None)


def text_edit(placeholder: str, height: int = 58) -> Any:
    def make(_error: FieldError) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(height)
        return edit

    return make


def line(placeholder: str = "") -> Any:
    def make(_error: FieldError) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return edit

    return make


def yes_no(_error: FieldError) -> QComboBox:
    combo = QComboBox()
    for text, value in (("Not asked yet", None), ("Yes", True), ("No", False)):
        combo.addItem(text, value)
    return combo


# Which fields each kind of consent shows, in the order a conversation goes.
_PART2 = [
    "person_name",
    "discloser",
    "information",
    "recipients",
    "purpose",
    "expires_on",
    "expiry_event",
    "revocation_statement",
    "signed_by",
    "representative_name",
    "representative_authority",
    "signed_on",
]
KIND_FIELDS = {
    ConsentKind.TREATMENT: [
        "person_name",
        "signed_by",
        "representative_name",
        "representative_authority",
        "signed_on",
    ],
    ConsentKind.CONTACT: ["person_name", "may_text", "may_voicemail", "signed_on"],
    ConsentKind.PART2_DISCLOSURE: _PART2,
    ConsentKind.PART2_TPO: [*_PART2[:3], "recipient_class", *_PART2[3:]],
    ConsentKind.SUD_COUNSELLING_NOTES: _PART2,
}
