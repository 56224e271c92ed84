"""The parts of the appointment forms: the clinician chosen, and the date, time and length (checked at
the field when it is left)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QSpinBox

from hrclinic.domain.scheduling import MAX_DURATION, MIN_DURATION, SchedulingProblem, local_start, parse_clock
from hrclinic.readmodels.scheduling import ClinicianOption
from ui.text import isolate
from ui.views.today.rows import index_of
from ui.widgets import FieldError, set_invalid


def clinician_combo(
    name: str, clinicians: Sequence[ClinicianOption], selected: uuid.UUID | None
) -> QComboBox:
    """A drop-down of the people appointments are booked with."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName("Clinician")
    for option in clinicians:
        combo.addItem(isolate(option.display_name), option.id)
    combo.setCurrentIndex(index_of(combo, selected))
    return combo


class WhenFields:
    """Date, time and length, checked at the field when it is left."""

    def __init__(self, prefix: str, day: date, start: datetime | None, minutes: int) -> None:
        self.date = QDateEdit(QDate(day.year, day.month, day.day))
        self.date.setObjectName(f"{prefix}_date")
        self.date.setAccessibleName("Date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.time = QLineEdit(f"{start.astimezone():%H:%M}" if start else "")
        self.time.setObjectName(f"{prefix}_time")
        self.time.setAccessibleName("Time")
        self.time.setPlaceholderText("like 14:30 or 2:30 pm")
        self.duration = QSpinBox()
        self.duration.setObjectName(f"{prefix}_duration")
        self.duration.setAccessibleName("Length in minutes")
        self.duration.setRange(MIN_DURATION, MAX_DURATION)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        self.duration.setValue(minutes)
        self.time_error = FieldError(f"{prefix}_time_error")
        self.time.editingFinished.connect(self.check)

    def day(self) -> date:
        """The date picked."""
        picked = self.date.date()
        return date(picked.year(), picked.month(), picked.day())

    def check(self) -> datetime | None:
        """The moment picked, or None with the problem shown under the time."""
        try:
            moment = local_start(self.day(), parse_clock(self.time.text()))
        except SchedulingProblem as problem:
            self.show_time_problem(problem.message)
            return None
        self.show_time_problem(None)
        return moment

    def show_time_problem(self, problem: str | None) -> None:
        """Show (or clear) a problem with the time at the field."""
        self.time_error.show_problem(problem)
        set_invalid(self.time, bool(problem))


def next_quarter(now: datetime) -> datetime:
    rounded = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 15)
    return rounded
