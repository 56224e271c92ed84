"""The Today view's dialogs: book, move, walk-in check-in, undo, and closing an outreach task. Each runs
one command; a problem goes to its field; typing survives a lock."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
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
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.scheduling import (
    BOOKABLE_KINDS,
    DEFAULT_DURATION,
    UndoReason,
)
from hrclinic.readmodels.scheduling import AppointmentRow, ClinicianOption, OutreachRow
from hrclinic.services import appointments, outreach
from hrclinic.services.appointments import AppointmentOverlap
from hrclinic.services.clinic import UnlockedClinic
from ui.drafts import FormDraftKeeper, named_inputs
from ui.operations import Changed, CommandOp, Kind, show_failure
from ui.text import isolate
from ui.views import ViewContext
from ui.views.today.picker import PersonPicker
from ui.views.today.rows import person_text
from ui.views.today.when import WhenFields, clinician_combo, next_quarter
from ui.widgets import BusyBar, FieldError, label, lock_button, primary_button, title


def _appointment_changed(row: AppointmentRow | OutreachRow) -> Changed:
    return Changed(Kind.APPOINTMENT, row.client_id)


class _CommandDialog(QDialog):
    """A dialog whose main button runs one service call in the background; errors go to their field."""

    def __init__(self, ctx: ViewContext, name: str, heading: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(heading)
        self.setMinimumWidth(480)
        self._ctx = ctx
        self.result_row: Any = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 16)
        self.layout_.addWidget(title(heading, 1.3))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.busy = BusyBar(f"{name}_busy")
        self.error = label("", "error", name=f"{name}_error")
        self.error.hide()
        self.field_errors: dict[str, FieldError] = {}

    def _finish_layout(self, save: QPushButton) -> None:
        self.save = save
        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancel")
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.busy)
        row = QHBoxLayout()
        row.addWidget(lock_button(self._ctx.bus))
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(save)
        self.layout_.addLayout(row)
        save.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.submit)
        # typing survives a lock: kept as a sealed draft, put back when this form opens again
        self.draft_keeper = FormDraftKeeper(
            self, self._ctx, self.objectName(), self.draft_subject(), lambda: named_inputs(self)
        )
        self.draft_keeper.restored.connect(self._on_draft_keeper_restored)

    def draft_subject(self) -> str:
        """What a kept draft of this form belongs to ("new" for a new booking or walk-in)."""
        return "new"

    def _on_draft_keeper_restored(self) -> None:
        note = "Restored what you typed before the app locked; it is not saved yet."
        self.layout_.insertWidget(1, label(note, "muted", name="draft_restored"))

    def submit(self) -> None:
        """Collect the form and run the command (subclasses)."""
        raise NotImplementedError

    def has_typing(self) -> bool:
        """True when closing would lose something typed (subclasses say what counts)."""
        return False

    def reject(self) -> None:
        """Escape asks first when typing would be lost."""
        if self.has_typing():
            answer = QMessageBox.question(
                self,
                "Not saved",
                "What you typed has not been saved. Close and discard it?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def _run(
        self,
        work: Callable[[UnlockedClinic], Any],
        *,
        ask_overlap: Callable[[UnlockedClinic], Any] | None = None,
    ) -> CommandOp:
        self.error.hide()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AppointmentOverlap) and ask_overlap is not None:
                answer = QMessageBox.question(
                    self,
                    "The clinician is already booked then",
                    f"{exc.message}\n\nBook anyway?",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self._run(ask_overlap)
                    return
            show_failure(exc, self.error, fields=self.field_errors)

        return (
            self._ctx.ops.command(self, work, _appointment_changed, self._on_done)
            .with_busy(self.busy, self.save)
            .on_failure(failed)
            .run_in_background()
        )

    def _on_done(self, row: Any) -> None:
        self.result_row = row
        self.accept()


class BookDialog(_CommandDialog):
    """Book an appointment: person, clinician, date, time, length, kind, note."""

    def __init__(
        self,
        ctx: ViewContext,
        clinicians: Sequence[ClinicianOption],
        *,
        day: date,
        clinician_id: uuid.UUID | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "book_dialog", "Book an appointment", parent)
        self.resize(520, 600)
        self.person = PersonPicker(ctx, "book_person")
        self.person_error = FieldError("book_person_error")
        self.clinician = clinician_combo("book_clinician", clinicians, clinician_id)
        now = datetime.now().astimezone()
        start = next_quarter(now) if day == now.date() else now.replace(hour=9, minute=0)
        self.when = WhenFields("book", day, start, DEFAULT_DURATION)
        self.kind = QComboBox()
        self.kind.setObjectName("book_kind")
        self.kind.setAccessibleName("Kind of appointment")
        for kind in BOOKABLE_KINDS:
            self.kind.addItem(kind.label, kind.value)
        self.note = QLineEdit()
        self.note.setObjectName("book_note")
        self.note.setAccessibleName("Scheduling note")
        self.note.setPlaceholderText("For scheduling only, e.g. “needs the ground-floor room”")
        self.note_error = FieldError("book_note_error")
        self.duration_error = FieldError("book_duration_error")
        self.clinician_error = FieldError("book_clinician_error")
        self.form.addRow("Person", self.person)
        self.form.addRow("", self.person_error)
        self.form.addRow("Clinician", self.clinician)
        self.form.addRow("", self.clinician_error)
        self.form.addRow("Date", self.when.date)
        self.form.addRow("Time", self.when.time)
        self.form.addRow("", self.when.time_error)
        self.form.addRow("Length", self.when.duration)
        self.form.addRow("", self.duration_error)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Note", self.note)
        self.form.addRow("", self.note_error)
        self.field_errors = {
            "person": self.person_error,
            "clinician": self.clinician_error,
            "time": self.when.time_error,
            "duration": self.duration_error,
            "note": self.note_error,
        }
        self._finish_layout(primary_button("Book", "book_save"))
        self.setTabOrder(self.person.search, self.clinician)
        self.person.changed.connect(lambda: self.person_error.show_problem(None))
        self.person.search.setFocus()

    def submit(self) -> None:
        """Book, asking first when the clinician is already booked then."""
        person = self.person.chosen()
        self.person_error.show_problem(None if person else "Find the person first: type part of their name.")
        starts_at = self.when.check()
        clinician_id = self.clinician.currentData()
        if clinician_id is None:
            self.clinician_error.show_problem("There is no clinician to book with yet.")
        if person is None or starts_at is None or clinician_id is None:
            return
        minutes, kind, note, person_id = (
            self.when.duration.value(),
            self.kind.currentData(),
            self.note.text(),
            person.id,
        )

        def book(allow: bool) -> Callable[[UnlockedClinic], AppointmentRow]:
            return lambda clinic: appointments.book_appointment(
                clinic,
                person_id,
                clinician_id,
                starts_at,
                duration_minutes=minutes,
                kind=kind,
                note=note,
                allow_overlap=allow,
            )

        self._run(book(False), ask_overlap=book(True))

    def has_typing(self) -> bool:
        """A person looked up or a note typed."""
        return bool(self.person.search.text().strip() or self.note.text().strip())


class MoveDialog(_CommandDialog):
    """Give a booked appointment a new time, length or clinician."""

    def __init__(
        self,
        ctx: ViewContext,
        appointment: AppointmentRow,
        clinicians: Sequence[ClinicianOption],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "move_dialog", "Move an appointment", parent)
        self.appointment = appointment
        start = appointment.starts_at.astimezone()
        self.layout_.addWidget(
            label(
                f"{person_text(appointment.preferred_name, appointment.record_number)}: now "
                f"{start:%A %d %B, %H:%M} with {isolate(appointment.clinician_name)}.",
                "muted",
                name="move_current",
            )
        )
        self.clinician = clinician_combo("move_clinician", clinicians, appointment.clinician_id)
        self.when = WhenFields("move", start.date(), start, appointment.duration_minutes)
        self.duration_error = FieldError("move_duration_error")
        self.clinician_error = FieldError("move_clinician_error")
        self.form.addRow("Date", self.when.date)
        self.form.addRow("Time", self.when.time)
        self.form.addRow("", self.when.time_error)
        self.form.addRow("Length", self.when.duration)
        self.form.addRow("", self.duration_error)
        self.form.addRow("Clinician", self.clinician)
        self.form.addRow("", self.clinician_error)
        self.field_errors = {
            "time": self.when.time_error,
            "duration": self.duration_error,
            "clinician": self.clinician_error,
        }
        self._finish_layout(primary_button("Move", "move_save"))
        self.when.time.setFocus()
        self.when.time.selectAll()

    def draft_subject(self) -> str:
        """A kept draft belongs to this appointment."""
        return str(self.appointment.id)

    def submit(self) -> None:
        """Move, asking first when the clinician is already booked then."""
        starts_at = self.when.check()
        if starts_at is None:
            return
        a = self.appointment
        minutes, clinician_id = self.when.duration.value(), self.clinician.currentData()
        new_start = None if starts_at == a.starts_at else starts_at
        new_minutes = None if minutes == a.duration_minutes else minutes
        appointment_id, version = a.id, a.version

        def move(allow: bool) -> Callable[[UnlockedClinic], AppointmentRow]:
            return lambda clinic: appointments.move_appointment(
                clinic,
                appointment_id,
                version,
                starts_at=new_start,
                clinician_id=clinician_id,
                duration_minutes=new_minutes,
                allow_overlap=allow,
            )

        self._run(move(False), ask_overlap=move(True))


class WalkInDialog(_CommandDialog):
    """Someone is here without an appointment: check them in now with a clinician."""

    def __init__(
        self,
        ctx: ViewContext,
        clinicians: Sequence[ClinicianOption],
        *,
        clinician_id: uuid.UUID | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "walk_in_dialog", "Walk-in check-in", parent)
        self.resize(520, 520)
        self.layout_.addWidget(label("For someone who is here now without an appointment.", "muted"))
        self.person = PersonPicker(ctx, "walk_in_person")
        self.person_error = FieldError("walk_in_person_error")
        self.clinician = clinician_combo("walk_in_clinician", clinicians, clinician_id)
        self.clinician_error = FieldError("walk_in_clinician_error")
        self.note = QLineEdit()
        self.note.setObjectName("walk_in_note")
        self.note.setAccessibleName("Scheduling note")
        self.note.setPlaceholderText("Optional, e.g. “came for a naloxone kit”")
        self.note_error = FieldError("walk_in_note_error")
        self.form.addRow("Person", self.person)
        self.form.addRow("", self.person_error)
        self.form.addRow("Clinician", self.clinician)
        self.form.addRow("", self.clinician_error)
        self.form.addRow("Note", self.note)
        self.form.addRow("", self.note_error)
        self.field_errors = {
            "person": self.person_error,
            "clinician": self.clinician_error,
            "note": self.note_error,
        }
        self._finish_layout(primary_button("Check in now", "walk_in_save"))
        self.person.changed.connect(lambda: self.person_error.show_problem(None))
        self.person.search.setFocus()

    def submit(self) -> None:
        """Record the walk-in, checked in now."""
        person = self.person.chosen()
        clinician_id = self.clinician.currentData()
        self.person_error.show_problem(None if person else "Find the person first: type part of their name.")
        if person is None or clinician_id is None:
            return
        note, person_id = self.note.text(), person.id
        self._run(lambda clinic: appointments.walk_in(clinic, person_id, clinician_id, note=note))

    def has_typing(self) -> bool:
        """A person looked up or a note typed."""
        return bool(self.person.search.text().strip() or self.note.text().strip())


class UndoDialog(_CommandDialog):
    """Take back a mistaken check-in, no-show or late cancel, saying why."""

    def __init__(self, ctx: ViewContext, appointment: AppointmentRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "undo_dialog", "Undo", parent)
        self.appointment = appointment
        back_to = "cancelled (a walk-in was never booked)" if appointment.kind == "walk_in" else "booked"
        self.layout_.addWidget(
            label(
                f"{person_text(appointment.preferred_name, appointment.record_number)} is marked "
                f"“{appointment.status.label.lower()}”. Undoing sets the appointment back to {back_to}."
                + (
                    " The outreach task it created is closed."
                    if appointment.status in ("no_show", "late_cancel")
                    else ""
                ),
                "muted",
                name="undo_explanation",
            )
        )
        self.reason = QComboBox()
        self.reason.setObjectName("undo_reason")
        self.reason.setAccessibleName("Why")
        for reason in UndoReason:
            self.reason.addItem(reason.label, reason.value)
        if appointment.status == "no_show":
            self.reason.setCurrentIndex(self.reason.findData(UndoReason.ARRIVED_AFTER_ALL.value))
        self.form.addRow("Why", self.reason)
        self._finish_layout(primary_button("Undo", "undo_save"))
        self.reason.setFocus()

    def draft_subject(self) -> str:
        """A kept draft belongs to this appointment."""
        return str(self.appointment.id)

    def submit(self) -> None:
        """Undo with the reason chosen."""
        appointment_id, version, reason = (
            self.appointment.id,
            self.appointment.version,
            self.reason.currentData(),
        )
        self._run(lambda clinic: appointments.undo_status(clinic, appointment_id, version, reason))


class OutreachDoneDialog(_CommandDialog):
    """Close an outreach task with what happened."""

    def __init__(self, ctx: ViewContext, task: OutreachRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "outreach_done_dialog", "Outreach done", parent)
        self.task = task
        self.layout_.addWidget(label(person_text(task.preferred_name, task.record_number), "title"))
        self.layout_.addWidget(label(task.reason, "muted", name="outreach_done_reason"))
        self.outcome = QPlainTextEdit()
        self.outcome.setObjectName("outreach_outcome")
        self.outcome.setAccessibleName("What happened")
        self.outcome.setPlaceholderText("e.g. “Texted; they will come Thursday at 10.”")
        self.outcome.setTabChangesFocus(True)
        self.outcome.setMaximumHeight(110)
        self.outcome_error = FieldError("outreach_outcome_error")
        self.form.addRow("What happened", self.outcome)
        self.form.addRow("", self.outcome_error)
        self.field_errors = {"outcome": self.outcome_error}
        self._finish_layout(primary_button("Done", "outreach_save"))
        self.outcome.setFocus()

    def draft_subject(self) -> str:
        """A kept draft belongs to this task."""
        return str(self.task.id)

    def submit(self) -> None:
        """Close the task with the outcome typed."""
        text = self.outcome.toPlainText()
        if not text.strip():
            self.outcome_error.show_problem("Say what happened, in a few words.")
            return
        task_id, version = self.task.id, self.task.version
        self._run(lambda clinic: outreach.complete_outreach(clinic, task_id, text, version=version))

    def has_typing(self) -> bool:
        """An outcome typed and not saved."""
        return bool(self.outcome.toPlainText().strip())
