"""Recording a consent: a kind chooser, then only that kind's fields; what is still needed before it
can be in force is said at each field; a draft is kept for later."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
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
    SignedBy,
    date_problems,
    missing,
)
from hrclinic.errors import HrclinicError
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.services import consents
from hrclinic.services.clinic import UnlockedClinic
from ui.drafts import FormDraftKeeper
from ui.operations import Changed, Kind
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.views.record.consent_parts import KIND_FIELDS, DateField, FormRows, line, text_edit, yes_no
from ui.widgets import BusyBar, label, lock_button, primary_button, title


class ConsentLayout(QDialog):
    """The consent form's widgets: the kind chooser, every field (only the kind's are shown), the buttons."""

    def __init__(
        self, ctx: ViewContext, person_name: str, *, finishing: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consent_dialog")
        self.setWindowTitle("Finish a draft consent" if finishing else "Add a consent")
        self.resize(640, 720)
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
        self.fields = FormRows(form_layout)
        self._build_fields(self.fields)
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
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("consent_cancel")
        buttons = QHBoxLayout()
        buttons.addWidget(lock_button(ctx.bus))
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
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

    def _build_fields(self, f: FormRows) -> None:
        self.person_name = f.add("person_name", "Name of the person", line())
        self.may_text = f.add("may_text", "Texts are OK", yes_no)
        self.may_voicemail = f.add("may_voicemail", "Voicemails are OK", yes_no)
        self.discloser = f.add("discloser", "Who may disclose", line("The clinic, or a named clinician"))
        self.information = f.add(
            "information",
            "Information to disclose",
            text_edit("Specific: e.g. medication list and dates seen"),
        )
        self.recipient_class = f.add("recipient_class", "Class of recipients", line())
        self.recipients = f.add(
            "recipients", "Recipients by name", text_edit("One per line: person and organisation")
        )
        self.purpose = f.add("purpose", "Purpose", text_edit("Why the information is shared", 44))
        self.expires_on = f.add("expires_on", "Expires on", lambda e: DateField("", "expiry date", e))
        self.expiry_event = f.add(
            "expiry_event", "Or expires when", line("An event, e.g. when my treatment here ends")
        )
        self.revocation_statement = f.add(
            "revocation_statement", "Right to revoke", text_edit("How to revoke in writing", 72)
        )
        self.signed_by = f.add("signed_by", "Signed by", lambda _e: QComboBox())
        self.signed_by.addItem("The person", SignedBy.PERSON.value)
        self.signed_by.addItem("An authorised representative", SignedBy.REPRESENTATIVE.value)
        self.signed_by.addItem("Not signed yet", "")
        self.representative_name = f.add("representative_name", "Representative's name", line())
        self.representative_authority = f.add(
            "representative_authority", "Authority to sign", line("e.g. legal guardian, health care agent")
        )
        self.signed_on = f.add("signed_on", "Date signed", lambda e: DateField("", "date signed", e))


class ConsentDialog(ConsentLayout):
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
        super().__init__(ctx, person_name, finishing=draft is not None, parent=parent)
        self._ctx, self._client_id, self._draft = ctx, client_id, draft
        self._clinic_name = clinic_name
        self.saved: ConsentDetail | None = None
        self._dirty = False
        f = self.fields
        self._fill(draft, person_name)
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self.signed_by.currentIndexChanged.connect(self._show_rows)
        for widget in f.inputs.values():
            signal = getattr(widget, "textChanged", None) or widget.currentIndexChanged
            signal.connect(self._mark_dirty)
        self.save.clicked.connect(lambda: self._submit(draft=False))
        self.save_draft.clicked.connect(lambda: self._submit(draft=True))
        self.cancel.clicked.connect(self.reject)
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
