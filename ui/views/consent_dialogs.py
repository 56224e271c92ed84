"""Consent dialogs: record a consent (only the chosen kind's fields), revoke, and dates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.consents import (
    DEFAULT_REVOCATION_STATEMENT,
    SUD_NOTES_INFORMATION,
    TPO_PURPOSE,
    TPO_RECIPIENT_CLASS,
    ConsentFields,
    ConsentKind,
    ConsentState,
    SignedBy,
    date_problems,
    missing,
    parse_day,
)
from hrclinic.errors import HrclinicError
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.services import consents
from hrclinic.services.clinic import UnlockedClinic
from ui.drafts import FormDraftKeeper
from ui.models import Column
from ui.operations import Changed, CommandOp, Kind
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, FieldError, label, lock_button, primary_button, set_invalid, title

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


class _Form:
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


def _text_edit(placeholder: str, height: int = 58) -> Any:
    def make(_error: FieldError) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(height)
        return edit

    return make


def _line(placeholder: str = "") -> Any:
    def make(_error: FieldError) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return edit

    return make


def _yes_no(_error: FieldError) -> QComboBox:
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


class ConsentDialog(QDialog):
    """Add a consent (or finish a draft): a kind chooser, then only that kind's fields."""

    def __init__(
        self,
        ctx: ViewContext,
        client_id: uuid.UUID,
        person_name: str,
        clinic_name: str,
        draft: ConsentDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consent_dialog")
        self.setWindowTitle("Finish a draft consent" if draft else "Add a consent")
        self.resize(640, 720)
        self._ctx, self._client_id, self._draft = ctx, client_id, draft
        self._clinic_name = clinic_name
        self.saved: ConsentDetail | None = None
        self._dirty = False

        self.kind = QComboBox()
        self.kind.setObjectName("consent_kind")
        self.kind.setAccessibleName("Kind of consent")
        for kind in ConsentKind:
            self.kind.addItem(kind.label, kind)
        self.summary = label("", "error", name="consent_missing")
        self.summary.hide()
        form_layout = QFormLayout()
        form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form_layout.addRow("Kind of consent", self.kind)
        self.fields = f = _Form(form_layout)
        self.person_name = f.add("person_name", "Name of the person", _line())
        self.may_text = f.add("may_text", "Texts are OK", _yes_no)
        self.may_voicemail = f.add("may_voicemail", "Voicemails are OK", _yes_no)
        self.discloser = f.add("discloser", "Who may disclose", _line("The clinic, or a named clinician"))
        self.information = f.add(
            "information",
            "Information to disclose",
            _text_edit("Specific: e.g. medication list and dates seen"),
        )
        self.recipient_class = f.add("recipient_class", "Class of recipients", _line())
        self.recipients = f.add(
            "recipients", "Recipients by name", _text_edit("One per line: person and organisation")
        )
        self.purpose = f.add("purpose", "Purpose", _text_edit("Why the information is shared", 44))
        self.expires_on = f.add("expires_on", "Expires on", lambda e: DateField("", "expiry date", e))
        self.expiry_event = f.add(
            "expiry_event", "Or expires when", _line("An event, e.g. when my treatment here ends")
        )
        self.revocation_statement = f.add(
            "revocation_statement", "Right to revoke", _text_edit("How to revoke in writing", 72)
        )
        self.signed_by = f.add("signed_by", "Signed by", lambda _e: QComboBox())
        self.signed_by.addItem("The person", SignedBy.PERSON.value)
        self.signed_by.addItem("An authorised representative", SignedBy.REPRESENTATIVE.value)
        self.signed_by.addItem("Not signed yet", "")
        self.representative_name = f.add("representative_name", "Representative's name", _line())
        self.representative_authority = f.add(
            "representative_authority", "Authority to sign", _line("e.g. legal guardian, health care agent")
        )
        self.signed_on = f.add("signed_on", "Date signed", lambda e: DateField("", "date signed", e))

        holder = QWidget()
        holder.setLayout(form_layout)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        self.busy = BusyBar("consent_busy")
        self.save = primary_button("Save", "consent_save")
        self.save.setToolTip("Save (Ctrl+S): the consent is in force only when every required part is there")
        self.save_draft = QPushButton("Save as draft")
        self.save_draft.setObjectName("consent_save_draft")
        cancel = QPushButton("Cancel")
        cancel.setObjectName("consent_cancel")
        buttons = QHBoxLayout()
        buttons.addWidget(lock_button(self._ctx.bus))
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_draft)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title(self.windowTitle(), 1.3))
        layout.addWidget(label(f"For {isolate(person_name)}", "muted", name="consent_for"))
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

        self._fill(draft, person_name)
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self.signed_by.currentIndexChanged.connect(self._show_rows)
        for widget in f.inputs.values():
            signal = getattr(widget, "textChanged", None) or widget.currentIndexChanged
            signal.connect(self._mark_dirty)
        self.save.clicked.connect(lambda: self._submit(draft=False))
        self.save_draft.clicked.connect(lambda: self._submit(draft=True))
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self._submit(draft=False))
        self._show_rows()
        self.kind.setFocus()
        # typing survives a lock: kept as a sealed draft, put back when this form opens again
        subject = str(draft.id if draft else client_id)
        self.draft_keeper = FormDraftKeeper(
            self, ctx, "consent", subject, lambda: {"kind": self.kind, **f.inputs}
        )
        self.draft_keeper.restored.connect(self._on_draft_keeper_restored)

    def _on_draft_keeper_restored(self) -> None:
        note = "Restored what you typed before the app locked; it is not saved yet."
        box = self.layout()
        assert isinstance(box, QVBoxLayout)
        box.insertWidget(2, label(note, "muted", name="draft_restored"))

    # --- filling and reading -------------------------------------------------------------

    def _fill(self, draft: ConsentDetail | None, person_name: str) -> None:
        if draft is None:
            self.person_name.setText(person_name)
            self.discloser.setText(self._clinic_name)
            self.revocation_statement.setPlainText(DEFAULT_REVOCATION_STATEMENT)
            self.signed_on.set_value(date.today())
            self._apply_kind_defaults()
            return
        d = draft.fields
        self.kind.setCurrentIndex(self.kind.findData(d.kind))
        for name in ("person_name", "discloser", "recipient_class", "expiry_event"):
            getattr(self, name).setText(getattr(d, name))
        for name in ("representative_name", "representative_authority"):
            getattr(self, name).setText(getattr(d, name))
        for name in ("information", "recipients", "purpose", "revocation_statement"):
            getattr(self, name).setPlainText(getattr(d, name))
        self.expires_on.set_value(d.expires_on)
        self.signed_on.set_value(d.signed_on)
        self.signed_by.setCurrentIndex(max(0, self.signed_by.findData(d.signed_by)))
        self.may_text.setCurrentIndex(self.may_text.findData(d.may_text))
        self.may_voicemail.setCurrentIndex(self.may_voicemail.findData(d.may_voicemail))

    def _apply_kind_defaults(self) -> None:
        kind = self.current_kind()
        if kind is ConsentKind.PART2_TPO:
            if not self.recipient_class.text().strip():
                self.recipient_class.setText(TPO_RECIPIENT_CLASS)
            if not self.purpose.toPlainText().strip():
                self.purpose.setPlainText(TPO_PURPOSE)
        if kind is ConsentKind.SUD_COUNSELLING_NOTES and not self.information.toPlainText().strip():
            self.information.setPlainText(SUD_NOTES_INFORMATION)

    def current_kind(self) -> ConsentKind:
        """The kind chosen."""
        return ConsentKind(self.kind.currentData())

    def _show_rows(self) -> None:
        visible = set(KIND_FIELDS[self.current_kind()])
        if self.signed_by.currentData() != SignedBy.REPRESENTATIVE.value:
            visible -= {"representative_name", "representative_authority"}
        for field in self.fields.rows:
            self.fields.show(field, field in visible)

    def _on_kind_current_index_changed(self, _index: int) -> None:
        self._apply_kind_defaults()
        self._show_rows()
        self.summary.hide()
        self.fields.clear()

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def collect(self) -> ConsentFields | None:
        """The form as a command, or None when a date cannot be read (shown at the field)."""
        ok = self.expires_on.check() & self.signed_on.check()
        if not ok:
            return None
        kind = self.current_kind()
        shown = set(KIND_FIELDS[kind])

        def text(name: str) -> str:
            if name not in shown:
                return ""
            widget = getattr(self, name)
            return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()

        representative = self.signed_by.currentData() == SignedBy.REPRESENTATIVE.value
        return ConsentFields(
            kind=kind,
            person_name=text("person_name"),
            discloser=text("discloser"),
            information=text("information"),
            recipients=text("recipients"),
            recipient_class=text("recipient_class"),
            purpose=text("purpose"),
            revocation_statement=text("revocation_statement"),
            expires_on=self.expires_on.value() if "expires_on" in shown else None,
            expiry_event=text("expiry_event"),
            signed_by=self.signed_by.currentData() if "signed_by" in shown else "",
            representative_name=text("representative_name") if representative else "",
            representative_authority=text("representative_authority") if representative else "",
            signed_on=self.signed_on.value(),
            may_text=self.may_text.currentData() if kind is ConsentKind.CONTACT else None,
            may_voicemail=self.may_voicemail.currentData() if kind is ConsentKind.CONTACT else None,
        )

    # --- saving --------------------------------------------------------------------------

    def _submit(self, *, draft: bool) -> None:
        if self.busy.isVisible():
            return
        self.summary.hide()
        self.fields.clear()
        fields = self.collect()
        if fields is None:
            return
        problems = date_problems(fields, date.today())
        if problems:
            for field, text in problems:
                self.fields.problem(field, text)
            self.fields.inputs[problems[0][0]].setFocus()
            return
        lacking = [] if draft else missing(fields)
        if lacking:
            self._show_missing([(m.field, m.words) for m in lacking])
            return
        client_id, existing = self._client_id, self._draft
        if existing is None:

            def work(clinic: UnlockedClinic) -> ConsentDetail:
                return consents.record_consent(clinic, client_id, fields, save_as_draft=draft)
        else:
            consent_id, version = existing.id, existing.version

            def work(clinic: UnlockedClinic) -> ConsentDetail:
                return consents.update_consent(
                    clinic, consent_id, fields, expected_version=version, save_as_draft=draft
                )

        self._ctx.ops.command(self, work, Changed(Kind.CONSENT, client_id), self._on_saved).with_busy(
            self.busy, self.save, self.save_draft
        ).on_failure(self._on_failed).run_in_background()

    def _show_missing(self, lacking: list[tuple[str, str]]) -> None:
        lines = "\n".join(f"• {words[0].upper()}{words[1:]}" for _, words in lacking)
        self.summary.setText(
            "This consent cannot be in force yet. Still needed:\n"
            f"{lines}\nFill these in, or choose Save as draft to keep it for later."
        )
        self.summary.show()
        for field, words in lacking:
            self.fields.problem(field, f"Needed: {words}.")
        self.fields.inputs[lacking[0][0]].setFocus()

    def _on_saved(self, consent: ConsentDetail) -> None:
        self.saved = consent
        self._dirty = False
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        field = exc.field if isinstance(exc, HrclinicError) else None
        if field in self.fields.errors:
            self.fields.problem(field, exc.message if isinstance(exc, HrclinicError) else str(exc))
            self.fields.inputs[field].setFocus()
        self.summary.setText(error_message(exc) + " What you typed is still here.")
        self.summary.show()

    def reject(self) -> None:
        """Escape or Cancel asks first when typing would be lost."""
        if self._dirty:
            answer = QMessageBox.question(
                self,
                "Unsaved consent",
                "This consent has not been saved. Close and discard it? (Save as draft keeps it.)",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()


class _DateDialog(QDialog):
    """A small dialog: a date (and optionally how something was received), then one action."""

    def __init__(self, heading: str, hint: str, what: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(heading)
        self.setMinimumWidth(480)
        self.result_detail: ConsentDetail | None = None
        form = QFormLayout()
        self.fields = _Form(form)
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
