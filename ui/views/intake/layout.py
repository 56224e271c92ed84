"""The intake form's widgets, laid out in the order a conversation goes (TagStudio's habit: the layout
class builds, ``IntakeDialog`` wires and acts). One QFormLayout for every section, so labels line up."""

from __future__ import annotations

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

from hrclinic.domain.intake import HOUSING_SITUATIONS, NEEDS
from hrclinic.services.screening import overdose_checklist
from ui.views import ViewContext
from ui.widgets import BusyBar, FieldError, label, lock_button, primary_button, title

YES_NO = [("Not asked", None), ("Yes", True), ("No", False)]
PRONOUNS = ["", "she/her", "he/him", "they/them", "she/they", "he/they", "ask me"]
ANSWER_CODES = ("not_asked", "yes", "no", "declined")


def _tristate(name: str, accessible: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(accessible)
    for text, value in YES_NO:
        box.addItem(text, value)
    return box


def _editable_combo(items: list[str], width: int) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(items)
    box.setMinimumWidth(width)
    return box


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


class IntakeLayout(QDialog):
    """Builds the form: who, contact, circumstances, own words (when shown), and for a new person the
    immediate needs and the overdose-risk checklist; then the bottom row of buttons."""

    def __init__(
        self, ctx: ViewContext, *, editing: str | None, clinician: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intake_dialog")
        self.setWindowTitle(f"Edit {editing}" if editing else "Register a person")
        self.resize(720, 760)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self.need_boxes: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        self.risk_boxes: dict[str, QComboBox] = {}
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(24, 16, 24, 16)
        box.setSpacing(6)
        box.addWidget(title("Edit details" if editing else "Register a person", 1.5))
        box.addWidget(
            label(
                "Only the name they want to be called is needed. Everything else is optional and can be "
                "added later; an alias or a nickname is fine.",
                "muted",
            )
        )
        self.form = QFormLayout()
        self.form.setSpacing(6)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        box.addLayout(self.form)
        self._build_who()
        self._build_contact()
        self._build_circumstances()
        self.own_words_shown = clinician or editing is None  # front desk may write them once, never read
        if self.own_words_shown:
            self._build_own_words(clinician)
        if editing is None:
            self._build_needs()
            self._build_checklist()
        self.form_error = label("", "error", name="intake_error")
        self.form_error.hide()
        box.addWidget(self.form_error)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.busy = BusyBar("intake_busy")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.busy)
        outer.addLayout(self._bottom_row(ctx, "Save" if editing else "Register"))

    # --- sections ----------------------------------------------------------------------------

    def _section(self, heading: str) -> None:
        spacer = QWidget()
        spacer.setFixedHeight(6)
        self.form.addRow(spacer)
        self.form.addRow(title(heading, 1.15))

    def _build_who(self) -> None:
        self.name = self._line("preferred_name", "Name they want to be called", required=True)
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
        self.form.addRow("", self.duplicates)
        self._line("legal_name", "Legal name")
        self._line("aliases", "Other names or aliases", placeholder="Separate with ;")
        self._line("birth", "Date of birth", placeholder="1988-04-17, or just 1988, or an age such as 36")
        self._add("pronouns", "Pronouns", _editable_combo(PRONOUNS, 180))
        self._line("gender", "Gender", placeholder="In their words")
        self._line("language", "Language")

    def _build_contact(self) -> None:
        self._section("Contact")
        self._line("phone", "Phone")
        self._line("email", "E-mail")
        self._line("address", "Address")
        self._add("may_text", "May we text?", _tristate("may_text", "May we text?"))
        voicemail = "May we leave a voicemail?"
        self._add("may_voicemail", voicemail, _tristate("may_voicemail", voicemail))
        self._line(
            "safe_contact_notes",
            "Safe-contact notes",
            placeholder="e.g. only after 6 pm; do not say the clinic's name",
        )
        self._line("emergency_contact_name", "Emergency contact")
        self._line("emergency_contact_relationship", "Their relationship")
        self._line("emergency_contact_phone", "Their phone")

    def _build_circumstances(self) -> None:
        self._section("Circumstances")
        self._add("housing_situation", "Housing situation", _editable_combo(["", *HOUSING_SITUATIONS], 280))
        self._line("insurance", "Insurance")
        self._line("referral_source", "How they heard of us")

    def _build_own_words(self, clinician: bool) -> None:
        self._section("In their own words")
        self.form.addRow(
            label(
                "Kept exactly as said."
                if clinician
                else "Write it down exactly as they say it. Once saved, only clinicians can read it.",
                "muted",
            )
        )
        self._add(
            "reason_own_words",
            "What brings you in?",
            OwnWordsEdit("reason_own_words", "What brings you in, in their own words"),
        )
        self._add(
            "change_own_words",
            "What would you like to change, if anything?",
            OwnWordsEdit("change_own_words", "What they would like to change, in their own words"),
        )

    def _build_needs(self) -> None:
        self._section("Immediate needs")
        for code, text in NEEDS.items():
            box = QCheckBox(text)
            box.setObjectName(f"need_{code}")
            note = QLineEdit()
            note.setObjectName(f"need_{code}_note")
            note.setAccessibleName(f"Note about {text.lower()}")
            note.setPlaceholderText("Note (optional)")
            note.setEnabled(False)
            box.toggled.connect(note.setEnabled)
            row = QHBoxLayout()
            row.addWidget(box, 1)
            row.addWidget(note, 3)
            self.form.addRow(row)
            self.need_boxes[code] = (box, note)

    def _build_checklist(self) -> None:
        checklist = overdose_checklist()
        self._section(f"{checklist.title} (unscored)")
        self.form.addRow(
            label(checklist.note + " Once saved, only clinicians can read the answers.", "muted")
        )
        for factor in checklist.factors:
            combo = QComboBox()
            combo.setObjectName(f"risk_{factor.id}")
            combo.setAccessibleName(factor.question)
            for code in ANSWER_CODES:
                combo.addItem(checklist.answer_labels[code], code)
            self.form.addRow(label(factor.question), combo)
            self.risk_boxes[factor.id] = combo

    def _bottom_row(self, ctx: ViewContext, action: str) -> QHBoxLayout:
        self.draft_status = label("", "muted", name="draft_status")
        self.save_button = primary_button(action, "save")
        self.discard_button = QPushButton("Discard draft")
        self.discard_button.setObjectName("discard_draft")
        self.discard_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("close")
        bottom = QHBoxLayout()
        bottom.setContentsMargins(24, 8, 24, 16)
        bottom.addWidget(lock_button(ctx.bus))
        bottom.addWidget(self.draft_status, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.save_button)
        return bottom

    # --- one field ---------------------------------------------------------------------------

    def _add(self, key: str, text: str, widget: QWidget) -> QWidget:
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
        self.form.addRow(text, holder)
        self.fields[key] = widget
        self.errors[key] = error
        return widget

    def _line(self, key: str, text: str, *, placeholder: str = "", required: bool = False) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(placeholder)
        self._add(key, f"{text} *" if required else text, field)
        if required:
            field.setAccessibleName(f"{text} (required)")
        return field

    def field(self, key: str) -> QWidget:
        """The input widget of ``key``."""
        return self.fields[key]
