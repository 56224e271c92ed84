"""What the Today view does to appointments: check in, no-show, late cancel, cancel, move, undo, book,
walk-in, and closing an outreach task. Each is one command on the worker; afterwards the view says so
quietly and reloads what the change touched."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QLabel, QMessageBox

from hrclinic.domain.scheduling import UNDOABLE, AppointmentStatus
from hrclinic.errors import Conflict
from hrclinic.readmodels.scheduling import AppointmentRow, ClinicianOption, OutreachRow
from hrclinic.services import appointments
from hrclinic.services.clinic import UnlockedClinic
from ui.operations import Changed, CommandOp, Kind, QueryOp
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.views.today.dialogs import BookDialog, MoveDialog, OutreachDoneDialog, UndoDialog, WalkInDialog
from ui.views.today.rows import person_text
from ui.widgets import BusyBar


def _appointment_changed(row: AppointmentRow) -> Changed:
    return Changed(Kind.APPOINTMENT, row.client_id)


class AppointmentCommands:
    """The Today view's commands, a part of ``TodayView`` (mixed in: the view provides what is declared
    here, and ``selected``, ``refresh`` and ``_set_day_widgets``)."""

    _ctx: ViewContext
    _clinicians: list[ClinicianOption]
    _filter: uuid.UUID | None
    _select_after: uuid.UUID | None
    day: date
    busy: BusyBar
    message: QLabel
    selected: Callable[[], AppointmentRow | None]
    refresh: Callable[[], QueryOp]
    _set_day_widgets: Callable[[], None]

    # --- commands ----------------------------------------------------------------------------

    def _run(
        self, work: Callable[[UnlockedClinic], AppointmentRow], done: Callable[[AppointmentRow], str]
    ) -> CommandOp:
        self.message.hide()

        def failed(exc: BaseException) -> None:
            self._show_problem(error_message(exc))
            if isinstance(exc, Conflict):
                self.refresh()

        return (
            self._ctx.ops.command(
                self, work, _appointment_changed, lambda row: self._changed(done(row), select=row.id)
            )
            .with_busy(self.busy)
            .on_failure(failed)
            .run_in_background()
        )

    def _changed(self, message: str, *, select: uuid.UUID | None = None) -> None:
        """After a change made here: tell the person quietly, reload what it touched."""
        self._select_after = select
        self._ctx.bus.status_message.emit(message)
        self.refresh()

    def _show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self._ctx.bus.status_message.emit(text)

    def _check_in(self) -> None:
        row = self.selected()
        if row is None or row.status is not AppointmentStatus.BOOKED:
            return
        appointment_id, version = row.id, row.version
        self._run(
            lambda clinic: appointments.check_in(clinic, appointment_id, version),
            lambda r: (
                f"Checked in {person_text(r.preferred_name, r.record_number)} "
                f"for {isolate(r.clinician_name)}."
            ),
        )

    def _no_show(self) -> None:
        row = self.selected()
        if row is None or not self.no_show_action.isEnabled():
            return
        appointment_id, version = row.id, row.version
        self._run(
            lambda clinic: appointments.mark_no_show(clinic, appointment_id, version),
            lambda r: (
                f"Marked a no-show for {isolate(r.preferred_name)}; {isolate(r.clinician_name)} has an "
                "outreach task. "
                "Undo… (Ctrl+Z) if that was a mistake."
            ),
        )

    def _late_cancel(self) -> None:
        row = self.selected()
        if row is None or row.status is not AppointmentStatus.BOOKED:
            return
        appointment_id, version = row.id, row.version
        self._run(
            lambda clinic: appointments.mark_late_cancel(clinic, appointment_id, version),
            lambda r: (
                f"Late cancel recorded for {isolate(r.preferred_name)}; {isolate(r.clinician_name)} has an "
                "outreach task."
            ),
        )

    def _cancel(self) -> None:
        row = self.selected()
        if row is None or row.status is not AppointmentStatus.BOOKED:
            return
        answer = QMessageBox.question(
            self,
            "Cancel the appointment",
            f"Cancel {isolate(row.preferred_name)}'s appointment at {row.starts_at.astimezone():%H:%M} with "
            f"{isolate(row.clinician_name)}? Use this when the person cancelled ahead of time; a "
            "cancellation cannot be undone (book again instead).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        appointment_id, version = row.id, row.version
        self._run(
            lambda clinic: appointments.cancel_appointment(clinic, appointment_id, version),
            lambda r: (
                f"Cancelled {isolate(r.preferred_name)}'s appointment at {r.starts_at.astimezone():%H:%M}."
            ),
        )

    def _move(self) -> None:
        row = self.selected()
        if row is None or row.status is not AppointmentStatus.BOOKED:
            return
        dialog = MoveDialog(self._ctx, row, self._clinicians, self)
        if dialog.exec() and dialog.result_row is not None:
            moved: AppointmentRow = dialog.result_row
            start = moved.starts_at.astimezone()
            who, whom = isolate(moved.preferred_name), isolate(moved.clinician_name)
            self._changed(f"Moved {who} to {start:%A %d %B, %H:%M} with {whom}.", select=moved.id)
            if start.date() != self.day:
                self._ctx.bus.status_message.emit(
                    f"Moved {who} to {start:%A %d %B, %H:%M} with {whom} "
                    "(Alt+Left and Alt+Right move between days)."
                )

    def _undo(self) -> None:
        row = self.selected()
        if row is None or row.status not in UNDOABLE:
            return
        dialog = UndoDialog(self._ctx, row, self)
        if dialog.exec() and dialog.result_row is not None:
            undone: AppointmentRow = dialog.result_row
            self._changed(
                f"{isolate(undone.preferred_name)}'s appointment is {undone.status.label.lower()} again.",
                select=undone.id,
            )

    def book(self) -> None:
        """Open the booking dialog for the day shown."""
        dialog = BookDialog(self._ctx, self._clinicians, day=self.day, clinician_id=self._filter, parent=self)
        if dialog.exec() and dialog.result_row is not None:
            booked: AppointmentRow = dialog.result_row
            start = booked.starts_at.astimezone()
            if start.date() != self.day:
                self.day = start.date()
                self._set_day_widgets()
            self._changed(
                f"Booked {isolate(booked.preferred_name)} with {isolate(booked.clinician_name)}, "
                f"{start:%A %d %B, %H:%M}.",
                select=booked.id,
            )

    def walk_in(self) -> None:
        """Check in someone who is here without an appointment."""
        dialog = WalkInDialog(self._ctx, self._clinicians, clinician_id=self._filter, parent=self)
        if dialog.exec() and dialog.result_row is not None:
            row: AppointmentRow = dialog.result_row
            if self.day != date.today():
                self.day = date.today()
                self._set_day_widgets()
            self._changed(
                f"Checked in {isolate(row.preferred_name)} (walk-in) for {isolate(row.clinician_name)}.",
                select=row.id,
            )

    def _on_outreach_done_requested(self, task: OutreachRow) -> None:
        dialog = OutreachDoneDialog(self._ctx, task, self)
        if dialog.exec() and dialog.result_row is not None:
            self._changed(f"Outreach for {isolate(task.preferred_name)} marked done.")
