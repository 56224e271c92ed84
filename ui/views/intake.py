"""Low-threshold intake: one required field, everything else optional; drafts survive a crash."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.intake import HOUSING_SITUATIONS, NEEDS, parse_aliases, parse_birth
from hrclinic.domain.registry import possible_duplicates
from hrclinic.domain.roles import Permission, may
from hrclinic.errors import ValidationError
from hrclinic.readmodels.people import PersonDetail, PersonRow
from hrclinic.services import drafts, intake
from hrclinic.services.intake import DETAIL_FIELDS, IntakeForm
from hrclinic.services.screening import overdose_checklist
from ui.operations import Changed, Kind
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, FieldError, label, lock_button, primary_button, set_invalid, title

DRAFT_KIND = "intake"
YES_NO = [("Not asked", None), ("Yes", True), ("No", False)]
PRONOUNS = ["", "she/her", "he/him", "they/them", "she/they", "he/they", "ask me"]


def _tristate(name: str, accessible: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    for text, value in YES_NO:
        box.addItem(text, value)
    return box


def _person_changed(saved: PersonRow | PersonDetail) -> Changed:
    return Changed(Kind.PERSON, saved.id)


class OwnWordsEdit(QPlainTextEdit):
    """Free text in the person's own words, shown with an accent bar so it is clear whose words they are."""

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setProperty("ownWords", True)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(64)
        self.setMaximumHeight(110)


class IntakeDialog(QDialog):
    """Register a person (or edit their details). Ctrl+S saves; Escape keeps the typing as a draft."""

    open_existing = Signal(object)  # uuid of a possible duplicate the person chose to open

    def __init__(
        self,
        ctx: ViewContext,
        rows: Sequence[PersonRow],
        *,
        person: PersonDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intake_dialog")
        self._ctx = ctx
        self._rows = rows
        self._person = person
        self._subject = str(person.id) if person else "new"
        self._dirty = False
        self._loading = True
        self.saved: PersonRow | PersonDetail | None = None
        clinician = may(ctx.actor.role, Permission.READ_CLINICAL)
        self.setWindowTitle(f"Edit {isolate(person.preferred_name)}" if person else "Register a person")
        self.resize(720, 760)

        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        body = QWidget()
        form_box = QVBoxLayout(body)
        form_box.setContentsMargins(24, 16, 24, 16)
        form_box.setSpacing(6)
        form_box.addWidget(title("Edit details" if person else "Register a person", 1.5))
        form_box.addWidget(
            label(
                "Only the name they want to be called is needed. Everything else is optional and can be "
                "added later; an alias or a nickname is fine.",
                "muted",
            )
        )

        who = self._section(form_box, "")
        self.name = self._line(who, "preferred_name", "Name they want to be called", required=True)
        self.duplicates = QFrame()
        self.duplicates.setObjectName("duplicates_panel")
        self.duplicates.setProperty("role", "card")
        dup_box = QVBoxLayout(self.duplicates)
        self.duplicates_text = label("", name="duplicates_text")
        dup_box.addWidget(self.duplicates_text)
        self.duplicate_buttons = QHBoxLayout()
        dup_box.addLayout(self.duplicate_buttons)
        self.not_duplicate = QCheckBox("This is a different person: register them anyway")
        self.not_duplicate.setObjectName("not_duplicate")
        dup_box.addWidget(self.not_duplicate)
        self.duplicates.hide()
        who.addRow("", self.duplicates)
        self._line(who, "legal_name", "Legal name")
        self._line(who, "aliases", "Other names or aliases", placeholder="Separate with ;")
        self._line(
            who, "birth", "Date of birth", placeholder="1988-04-17, or just 1988, or an age such as 36"
        )
        pronouns = QComboBox()
        pronouns.setEditable(True)
        pronouns.addItems(PRONOUNS)
        pronouns.setMinimumWidth(180)
        self._add(who, "pronouns", "Pronouns", pronouns)
        self._line(who, "gender", "Gender", placeholder="In their words")
        self._line(who, "language", "Language")

        contact = self._section(form_box, "Contact")
        self._line(contact, "phone", "Phone")
        self._line(contact, "email", "E-mail")
        self._line(contact, "address", "Address")
        self._add(contact, "may_text", "May we text?", _tristate("may_text", "May we text?"))
        self._add(
            contact,
            "may_voicemail",
            "May we leave a voicemail?",
            _tristate("may_voicemail", "May we leave a voicemail?"),
        )
        self._line(
            contact,
            "safe_contact_notes",
            "Safe-contact notes",
            placeholder="e.g. only after 6 pm; do not say the clinic's name",
        )
        self._line(contact, "emergency_contact_name", "Emergency contact")
        self._line(contact, "emergency_contact_relationship", "Their relationship")
        self._line(contact, "emergency_contact_phone", "Their phone")

        life = self._section(form_box, "Circumstances")
        housing = QComboBox()
        housing.setEditable(True)
        housing.addItems(["", *HOUSING_SITUATIONS])
        housing.setMinimumWidth(280)
        self._add(life, "housing_situation", "Housing situation", housing)
        self._line(life, "insurance", "Insurance")
        self._line(life, "referral_source", "How they heard of us")

        self.own_words_shown = clinician or person is None
        if self.own_words_shown:
            words = self._section(form_box, "In their own words")
            words.addRow(
                label(
                    "Write it down exactly as they say it. Once saved, only clinicians can read it."
                    if not clinician
                    else "Kept exactly as said.",
                    "muted",
                )
            )
            self._add(
                words,
                "reason_own_words",
                "What brings you in?",
                OwnWordsEdit("reason_own_words", "What brings you in, in their own words"),
            )
            self._add(
                words,
                "change_own_words",
                "What would you like to change, if anything?",
                OwnWordsEdit("change_own_words", "What they would like to change, in their own words"),
            )

        self.need_boxes: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        self.risk_boxes: dict[str, QComboBox] = {}
        if person is None:
            needs = self._section(form_box, "Immediate needs")
            for code, text in NEEDS.items():
                box = QCheckBox(text)
                box.setObjectName(f"need_{code}")
                note = QLineEdit()
                note.setObjectName(f"need_{code}_note")
                note.setAccessibleName(f"Note about {text.lower()}")
                note.setPlaceholderText("Note (optional)")
                note.setEnabled(False)
                box.toggled.connect(note.setEnabled)
                box.toggled.connect(self._on_changed)
                note.textChanged.connect(self._on_changed)
                row = QHBoxLayout()
                row.addWidget(box, 1)
                row.addWidget(note, 3)
                needs.addRow(row)
                self.need_boxes[code] = (box, note)
            checklist = overdose_checklist()
            risks = self._section(form_box, f"{checklist.title} (unscored)")
            risks.addRow(
                label(checklist.note + " Once saved, only clinicians can read the answers.", "muted")
            )
            for factor in checklist.factors:
                combo = QComboBox()
                combo.setObjectName(f"risk_{factor.id}")
                combo.setAccessibleName(factor.question)
                for code in ("not_asked", "yes", "no", "declined"):
                    combo.addItem(checklist.answer_labels[code], code)
                combo.currentIndexChanged.connect(self._on_changed)
                question = label(factor.question)
                risks.addRow(question, combo)
                self.risk_boxes[factor.id] = combo

        self.form_error = label("", "error", name="intake_error")
        self.form_error.hide()
        form_box.addWidget(self.form_error)
        form_box.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.draft_status = label("", "muted", name="draft_status")
        self.busy = BusyBar("intake_busy")
        self.save_button = primary_button("Save" if person else "Register", "save")
        self.discard_button = QPushButton("Discard draft")
        self.discard_button.setObjectName("discard_draft")
        self.discard_button.hide()
        cancel = QPushButton("Close")
        cancel.setObjectName("close")
        bottom = QHBoxLayout()
        bottom.setContentsMargins(24, 8, 24, 16)
        bottom.addWidget(lock_button(ctx.bus))
        bottom.addWidget(self.draft_status, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(cancel)
        bottom.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.busy)
        outer.addLayout(bottom)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(1500)
        self._draft_timer.timeout.connect(self.save_draft)
        ctx.bus.locking.connect(self._on_bus_locking)
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(250)
        self._dup_timer.timeout.connect(self.check_duplicates)
        self.save_button.clicked.connect(self._on_save_clicked)
        cancel.clicked.connect(self.reject)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_save_clicked)
        self.field("birth").editingFinished.connect(self._check_birth)  # type: ignore[attr-defined]
        self.name.editingFinished.connect(self._check_name)
        if person is not None:
            self._fill_from_person(person)
        self._loading = False
        self._load_draft()

    # --- building ---------------------------------------------------------------------------------

    def _section(self, box: QVBoxLayout, heading: str) -> QFormLayout:
        """One form for every section, so labels line up; a heading is a full-width row."""
        if not hasattr(self, "_form"):
            self._form = QFormLayout()
            self._form.setSpacing(6)
            self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            box.addLayout(self._form)
        if heading:
            spacer = QWidget()
            spacer.setFixedHeight(6)
            self._form.addRow(spacer)
            self._form.addRow(title(heading, 1.15))
        return self._form

    def _add(self, form: QFormLayout, key: str, text: str, widget: QWidget) -> QWidget:
        widget.setObjectName(key)
        if not widget.accessibleName():
            widget.setAccessibleName(text)
        error = FieldError(f"{key}_error")
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        form.addRow(text, holder)
        self.fields[key] = widget
        self.errors[key] = error
        for signal_name in ("textChanged", "currentTextChanged", "currentIndexChanged"):
            signal = getattr(widget, signal_name, None)
            if signal is not None:
                signal.connect(self._on_changed)
        return widget

    def _line(
        self, form: QFormLayout, key: str, text: str, *, placeholder: str = "", required: bool = False
    ) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        self._add(form, key, f"{text} *" if required else text, field)
        if required:
            field.setAccessibleName(f"{text} (required)")
        if key in ("preferred_name", "legal_name", "birth", "phone"):
            field.textChanged.connect(lambda _t: self._dup_timer.start())
        return field

    def field(self, key: str) -> QWidget:
        """The input widget of ``key``."""
        return self.fields[key]

    # --- values ------------------------------------------------------------------------------------

    def _text(self, key: str) -> str:
        widget = self.fields.get(key)
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return widget.currentText()
        return ""

    def _set(self, key: str, value: Any) -> None:
        widget = self.fields.get(key)
        if isinstance(widget, QLineEdit):
            widget.setText(str(value or ""))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value or ""))
        elif isinstance(widget, QComboBox) and key in ("may_text", "may_voicemail"):
            widget.setCurrentIndex(max(0, widget.findData(value)) if value is not None else 0)
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(str(value or ""))

    def state(self) -> dict[str, Any]:
        """Everything typed, as plain data (for drafts)."""
        data: dict[str, Any] = {
            key: self._text(key) for key in self.fields if key not in ("may_text", "may_voicemail")
        }
        for key in ("may_text", "may_voicemail"):
            data[key] = self.fields[key].currentData()  # type: ignore[attr-defined]
        data["needs"] = {
            code: note.text() for code, (box, note) in self.need_boxes.items() if box.isChecked()
        }
        data["risks"] = {
            fid: combo.currentData()
            for fid, combo in self.risk_boxes.items()
            if combo.currentData() != "not_asked"
        }
        return data

    def restore(self, data: dict[str, Any]) -> None:
        """Put a draft back into the form."""
        self._loading = True
        for key in self.fields:
            if key in data:
                self._set(key, data[key])
        for code, note in dict(data.get("needs", {})).items():
            if code in self.need_boxes:
                self.need_boxes[code][0].setChecked(True)
                self.need_boxes[code][1].setText(str(note or ""))
        for fid, answer in dict(data.get("risks", {})).items():
            if fid in self.risk_boxes:
                combo = self.risk_boxes[fid]
                combo.setCurrentIndex(max(0, combo.findData(answer)))
        self._loading = False

    def form(self) -> IntakeForm:
        """The command for the service."""

        def tri(key: str) -> bool | None:
            return self.fields[key].currentData()  # type: ignore[attr-defined,no-any-return]

        return IntakeForm(
            preferred_name=self._text("preferred_name"),
            legal_name=self._text("legal_name"),
            aliases=tuple(parse_aliases(self._text("aliases"))),
            birth=self._text("birth"),
            pronouns=self._text("pronouns"),
            gender=self._text("gender"),
            phone=self._text("phone"),
            email=self._text("email"),
            address=self._text("address"),
            may_text=tri("may_text"),
            may_voicemail=tri("may_voicemail"),
            safe_contact_notes=self._text("safe_contact_notes"),
            emergency_contact_name=self._text("emergency_contact_name"),
            emergency_contact_relationship=self._text("emergency_contact_relationship"),
            emergency_contact_phone=self._text("emergency_contact_phone"),
            language=self._text("language"),
            housing_situation=self._text("housing_situation"),
            insurance=self._text("insurance"),
            referral_source=self._text("referral_source"),
            reason_own_words=self._text("reason_own_words"),
            change_own_words=self._text("change_own_words"),
            needs=tuple(
                (code, note.text()) for code, (box, note) in self.need_boxes.items() if box.isChecked()
            ),
            screening=tuple(
                (fid, combo.currentData(), "")
                for fid, combo in self.risk_boxes.items()
                if combo.currentData() != "not_asked"
            ),
        )

    def _fill_from_person(self, person: PersonDetail) -> None:
        for key in ("preferred_name", *DETAIL_FIELDS, "reason_own_words", "change_own_words"):
            self._set(key, getattr(person, key))
        self._set("aliases", "; ".join(person.aliases))
        self._set("birth", person.birth_text)

    # --- checks at the field ----------------------------------------------------------------------

    def _check_name(self) -> bool:
        problem = None if self.name.text().strip() else "Enter the name the person wants to be called."
        self.errors["preferred_name"].show_problem(problem)
        set_invalid(self.name, problem is not None)
        return problem is None

    def _check_birth(self) -> bool:
        problem = None
        try:
            parse_birth(self._text("birth"), datetime.now().astimezone().date())
        except ValidationError as exc:
            problem = exc.message
        self.errors["birth"].show_problem(problem)
        set_invalid(self.fields["birth"], problem is not None)
        return problem is None

    def check_duplicates(self) -> list[Any]:
        """Show people already registered who may be this person."""
        if self._person is not None:
            return []
        year = None
        try:
            year = parse_birth(self._text("birth"), datetime.now().astimezone().date()).birth_year
        except ValidationError:
            pass
        found = possible_duplicates(
            self._rows,
            preferred_name=self._text("preferred_name"),
            legal_name=self._text("legal_name"),
            birth_year=year,
            phone=self._text("phone"),
        )
        while self.duplicate_buttons.count():
            item = self.duplicate_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not found:
            self.duplicates.hide()
            self.not_duplicate.setChecked(False)
            return []
        lines = [
            f"No. {d.row.record_number}  {isolate(d.row.preferred_name)}"
            + (
                f" ({isolate(d.row.legal_name)})"
                if d.row.legal_name and d.row.legal_name != d.row.preferred_name
                else ""
            )
            + f"  ·  {d.reason}"
            for d in found
        ]
        self.duplicates_text.setText("This person may already be registered:\n" + "\n".join(lines))
        for dup in found[:3]:
            button = QPushButton(f"Open No. {dup.row.record_number}")
            button.setObjectName(f"open_duplicate_{dup.row.record_number}")
            button.clicked.connect(lambda _c=False, pid=dup.row.id: self._open_existing(pid))
            self.duplicate_buttons.addWidget(button)
        self.duplicate_buttons.addStretch(1)
        self.duplicates.show()
        return found

    def _open_existing(self, person_id: object) -> None:
        self.open_existing.emit(person_id)
        self.save_draft()
        super().reject()

    # --- saving -------------------------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        if not self.save_button.isEnabled():
            return
        if not all([self._check_name(), self._check_birth()]):
            self._show_form_error("Some answers need attention (shown in red).")
            return
        if self.check_duplicates() and not self.not_duplicate.isChecked():
            self._show_form_error(
                "Check the possible match above: open that record, or tick "
                "\u201cThis is a different person\u201d."
            )
            return
        self.form_error.hide()
        form, person = self.form(), self._person
        if person is None:
            op = self._ctx.ops.command(
                self, lambda clinic: intake.register_person(clinic, form), _person_changed, self._on_saved
            ).status(lambda saved: f"Registered {isolate(saved.preferred_name)} (No. {saved.record_number}).")
        else:
            person_id, version = person.id, person.version
            op = self._ctx.ops.command(
                self,
                lambda clinic: intake.update_person(clinic, person_id, form, expected_version=version),
                _person_changed,
                self._on_saved,
            ).status("Details saved.")
        op.with_busy(self.busy, self.save_button).failure_in(
            self.form_error,
            fields=self.errors,
            inputs=self.fields,
            suffix=" Nothing you typed was lost.",
            field_summary="Some answers need attention (shown in red). Nothing was lost.",
        ).run_in_background()

    def _on_saved(self, result: PersonRow | PersonDetail) -> None:
        self.saved = result
        self._dirty = False
        self._draft_timer.stop()
        self._discard_draft()
        self.accept()

    def _discard_draft(self) -> None:
        subject = self._subject
        self._ctx.ops.command(
            self, lambda clinic: drafts.discard_draft(clinic, DRAFT_KIND, subject=subject), None
        ).quietly().run_in_background()

    def _show_form_error(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.show()

    # --- drafts ------------------------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self._draft_timer.start()

    def save_draft(self) -> None:
        """Keep what is typed (sealed with the user's personal key) so closing or a crash loses nothing."""
        if not self._dirty:
            return
        payload, subject = json.dumps(self.state(), ensure_ascii=False), self._subject
        stamp = datetime.now().strftime("%H:%M")
        self._ctx.ops.command(
            self,
            lambda clinic: drafts.save_draft(clinic, DRAFT_KIND, payload, subject=subject),
            None,
            lambda _r: self._on_draft_saved(stamp),
        ).quietly().run_in_background()

    def _on_bus_locking(self) -> None:
        """The app is locking: keep what is typed as a sealed draft before the keys are forgotten."""
        if self.isVisible():
            self._draft_timer.stop()
            self.save_draft()

    def _on_draft_saved(self, stamp: str) -> None:
        self.draft_status.setText(f"Draft kept at {stamp}")
        self.discard_button.show()

    def _load_draft(self) -> None:
        subject = self._subject
        self._ctx.ops.query(
            self, lambda clinic: drafts.load_draft(clinic, DRAFT_KIND, subject=subject), self._on_draft_loaded
        ).quietly().run_in_background()

    def _on_draft_loaded(self, draft: drafts.Draft | None) -> None:
        if draft is None or self._dirty:
            return
        try:
            data = json.loads(draft.payload)
        except ValueError:
            return
        self.restore(data)
        when = draft.updated_at.astimezone().strftime("%d %b %H:%M")
        self.draft_status.setText(f"Restored what you typed at {when} (not saved yet).")
        self.discard_button.show()
        self.check_duplicates()

    def _on_discard_clicked(self) -> None:
        self._discard_draft()
        self._dirty = False
        self._draft_timer.stop()
        super().reject()

    def reject(self) -> None:
        """Closing keeps the typing as a draft (restored next time); it is never thrown away silently."""
        if self._dirty:
            self._draft_timer.stop()
            self.save_draft()
            self._ctx.bus.status_message.emit(
                "Your typing is kept as a draft; it comes back when you open the form again."
            )
        super().reject()
