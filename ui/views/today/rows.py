"""How the Today view shows an appointment: time, person, status in words with its icon, and the
greeting at the top."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem

from hrclinic.domain.scheduling import AppointmentStatus
from hrclinic.readmodels.scheduling import AppointmentRow
from ui.icons import icon
from ui.models import ROW_ROLE, Column
from ui.text import isolate
from ui.theme import colours

EVERYONE = "Everyone"


def greeting(now: datetime) -> str:
    """Good morning / afternoon / evening."""
    hour = now.astimezone().hour
    return "Good morning" if hour < 12 else ("Good afternoon" if hour < 18 else "Good evening")


def _status_icon(status: AppointmentStatus) -> tuple[str, str]:
    c = colours()
    return {
        AppointmentStatus.BOOKED: ("calendar-event", c.watch),
        AppointmentStatus.CHECKED_IN: ("circle-check", c.positive),
        AppointmentStatus.NO_SHOW: ("user-off", c.serious),
        AppointmentStatus.LATE_CANCEL: ("info-circle", c.serious),
        AppointmentStatus.CANCELLED: ("info-circle", c.muted),
    }[status]


def status_text(row: AppointmentRow) -> str:
    """The status in words (with the check-in time once someone has arrived)."""
    if row.status is AppointmentStatus.CHECKED_IN and row.checked_in_at is not None:
        return f"Checked in {row.checked_in_at.astimezone():%H:%M}"
    return row.status.label


def time_text(row: AppointmentRow) -> str:
    """Start and end, local time."""
    return f"{row.starts_at.astimezone():%H:%M}–{row.ends_at.astimezone():%H:%M}"


STATUS_COLUMN = 4
APPOINTMENT_COLUMNS: list[Column[AppointmentRow]] = [
    Column("Time", time_text, lambda r: r.starts_at, searchable=False),
    Column("Person", lambda r: person_text(r.preferred_name, r.record_number)),
    Column("Clinician", lambda r: r.clinician_name),
    Column("Kind", lambda r: r.kind.label),
    Column("Status", status_text, lambda r: r.status.label),
    Column("Note", lambda r: r.note),
]


class AppointmentDelegate(QStyledItemDelegate):
    """Shows the status with its icon beside the word, and dims cancelled appointments."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        row = index.data(ROW_ROLE)
        if not isinstance(row, AppointmentRow):
            return
        if index.column() == STATUS_COLUMN:
            name, colour = _status_icon(row.status)
            option.icon = icon(name, colour)
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
        if row.status is AppointmentStatus.CANCELLED:
            option.palette.setColor(option.palette.ColorRole.Text, QColor(colours().muted))


def person_text(name: str, number: int) -> str:
    """A person as lists show them: the name they want to be called, and their record number."""
    return f"{isolate(name)}  ·  No. {number}"


def index_of(combo: QComboBox, value: object) -> int:
    """The row holding ``value`` as its data (0 when none does). ``findData`` cannot compare UUIDs."""
    if value is None:
        return 0
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), 0)
