"""Today: the day's appointments per clinician, check-in, and (for clinicians) the outreach list."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.roles import Permission, may
from hrclinic.domain.scheduling import UNDOABLE, AppointmentStatus
from hrclinic.errors import Conflict
from hrclinic.readmodels.overview import TodayOverview
from hrclinic.readmodels.scheduling import AppointmentRow, ClinicianOption, OutreachRow
from hrclinic.services import appointments, outreach
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.overview import today_overview
from ui.icons import icon
from ui.models import ROW_ROLE, Column
from ui.operations import Changed, CommandOp, Kind, QueryOp
from ui.tasks import error_message
from ui.text import isolate
from ui.theme import colours
from ui.views import ViewContext
from ui.views.appointment_dialogs import (
    BookDialog,
    MoveDialog,
    OutreachDoneDialog,
    UndoDialog,
    WalkInDialog,
    index_of,
    person_text,
)
from ui.views.outreach import OutreachPanel
from ui.views.table import FilterableTable
from ui.widgets import BusyBar, EmptyState, label, page_header, primary_button, title

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


def _appointment_changed(row: AppointmentRow) -> Changed:
    return Changed(Kind.APPOINTMENT, row.client_id)


@dataclass(frozen=True)
class _Loaded:
    day: date
    rows: list[AppointmentRow]
    clinicians: list[ClinicianOption] | None = None
    overview: TodayOverview | None = None
    outreach: list[OutreachRow] | None = None


class TodayView(QWidget):
    """The day's appointments; actions on the selected one; for clinicians, their outreach list."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("today_view")
        self._ctx = ctx
        actor = ctx.actor
        self._is_clinician = may(actor.role, Permission.WRITE_CLINICAL)
        self._clinicians: list[ClinicianOption] = []
        self._filter: uuid.UUID | None = actor.user_id if self._is_clinician else None
        self._select_after: uuid.UUID | None = None
        self.day = date.today()
        first_name = actor.display_name.split(",")[0].split()[0]
        now = datetime.now().astimezone()

        self.book_button = primary_button("Book an appointment", "book_appointment")
        self.book_button.setIcon(icon("plus", colours().accent_text))
        self.book_button.setToolTip("Book an appointment (Ctrl+B)")
        self.walk_in_button = QPushButton("Walk-in check-in")
        self.walk_in_button.setObjectName("walk_in")
        self.walk_in_button.setIcon(icon("user-plus"))
        self.walk_in_button.setToolTip("Someone is here without an appointment (Ctrl+Shift+W)")
        # the date and the size of the registry, on one quiet line under the greeting
        self.registry_card = QFrame()
        self.registry_card.setObjectName("registry_card")
        card = QHBoxLayout(self.registry_card)
        card.setContentsMargins(0, 0, 0, 0)
        card.setSpacing(4)
        card.addWidget(label(now.strftime("%A %d %B %Y") + "  ·", "muted", wrap=False))
        self.registry_number = label("–", "title", wrap=False, name="registry_number")
        card.addWidget(self.registry_number)
        self.registry_caption = label("people in the registry", "muted", wrap=False, name="registry_caption")
        card.addWidget(self.registry_caption)
        card.addStretch(1)
        self.header = page_header(
            f"{greeting(now)}, {isolate(first_name)}", "", self.walk_in_button, self.book_button
        )

        # the day and whose appointments
        self.previous_button = QToolButton()
        self.previous_button.setObjectName("previous_day")
        self.previous_button.setText("‹")
        self.previous_button.setToolTip("Previous day (Alt+Left)")
        self.previous_button.setAccessibleName("Previous day")
        self.next_button = QToolButton()
        self.next_button.setObjectName("next_day")
        self.next_button.setText("›")
        self.next_button.setToolTip("Next day (Alt+Right)")
        self.next_button.setAccessibleName("Next day")
        self.today_button = QPushButton("Today")
        self.today_button.setObjectName("go_today")
        self.today_button.setToolTip("Back to today (Alt+Home)")
        self.day_picker = QDateEdit()
        self.day_picker.setObjectName("day_picker")
        self.day_picker.setAccessibleName("Day shown")
        self.day_picker.setCalendarPopup(True)
        self.day_picker.setDisplayFormat("ddd d MMM yyyy")
        self.day_title = title("", 1.25, name="day_title")
        self.clinician_filter = QComboBox()
        self.clinician_filter.setObjectName("clinician_filter")
        self.clinician_filter.setAccessibleName("Whose appointments")
        self.clinician_filter.setMinimumContentsLength(18)
        self.clinician_filter.addItem(EVERYONE, None)
        nav = QHBoxLayout()
        nav.setSpacing(8)
        nav.addWidget(self.previous_button)
        nav.addWidget(self.today_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.day_picker)
        nav.addSpacing(8)
        nav.addWidget(self.day_title, 1)
        nav.addWidget(label("Showing", "muted", wrap=False))
        nav.addWidget(self.clinician_filter)

        # what can be done to the selected appointment
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        self.check_in_action = self._action("Check in", "check_in", "circle-check", "Ctrl+I", self._check_in)
        self.no_show_action = self._action("No-show", "no_show", "user-off", None, self._no_show)
        self.late_cancel_action = self._action(
            "Late cancel", "late_cancel", "info-circle", None, self._late_cancel
        )
        self.cancel_action = self._action(
            "Cancel appointment…", "cancel_appointment", None, None, self._cancel
        )
        self.move_action = self._action("Move…", "move_appointment", "calendar-event", "Ctrl+M", self._move)
        self.undo_action = self._action("Undo…", "undo_status", "refresh", "Ctrl+Z", self._undo)
        self.actions_row.addStretch(1)
        self._row_actions = [
            self.check_in_action,
            self.no_show_action,
            self.late_cancel_action,
            self.cancel_action,
            self.move_action,
            self.undo_action,
        ]
        for text, keys, slot in (
            ("Book an appointment", "Ctrl+B", self.book),
            ("Walk-in check-in", "Ctrl+Shift+W", self.walk_in),
            ("Previous day", "Alt+Left", lambda: self.show_day(self.day - timedelta(days=1))),
            ("Next day", "Alt+Right", lambda: self.show_day(self.day + timedelta(days=1))),
            ("Today", "Alt+Home", lambda: self.show_day(date.today())),
        ):
            self._shortcut(text, keys, slot)

        self.list = FilterableTable(
            "appointments",
            APPOINTMENT_COLUMNS,
            placeholder="Filter the day by name, record number, clinician or note (Ctrl+F)",
            empty=EmptyState(
                "calendar-event",
                "No one scheduled today.",
                "Book an appointment (Ctrl+B), or check in someone who is here (Ctrl+Shift+W).",
                "appointments_empty",
            ),
        )
        self.list.table.setItemDelegate(AppointmentDelegate(self.list.table))
        self.list.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.list.table.selectionModel().selectionChanged.connect(self._update_actions)
        self._shortcut("Find", QKeySequence.StandardKey.Find, self.list.filter.setFocus)
        self.busy = BusyBar("today_busy")
        self.message = label("", "error", name="today_error")
        self.message.hide()

        day_area = QWidget()
        day_layout = QVBoxLayout(day_area)
        day_layout.setContentsMargins(0, 0, 0, 0)
        day_layout.addLayout(nav)
        day_layout.addLayout(self.actions_row)
        day_layout.addWidget(self.message)
        day_layout.addWidget(self.list, 1)
        self.outreach: OutreachPanel | None = None
        body: QWidget = day_area
        if self._is_clinician:
            self.outreach = OutreachPanel()
            splitter = QSplitter(Qt.Orientation.Vertical)  # the day keeps the full width
            splitter.setObjectName("today_splitter")
            splitter.setChildrenCollapsible(False)
            splitter.addWidget(day_area)
            splitter.addWidget(self.outreach)
            splitter.setStretchFactor(0, 3)
            splitter.setStretchFactor(1, 1)
            splitter.setSizes([460, 220])
            body = splitter
            self.outreach.done_requested.connect(self._on_outreach_done_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.registry_card)
        layout.addWidget(self.busy)
        layout.addWidget(body, 1)

        self.book_button.clicked.connect(self.book)
        self.walk_in_button.clicked.connect(self.walk_in)
        self.previous_button.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(date.today()))
        self.day_picker.dateChanged.connect(self._on_day_picker_date_changed)
        self.clinician_filter.currentIndexChanged.connect(self._on_clinician_filter_current_index_changed)
        ctx.bus.changed.connect(self._on_bus_changed)
        self._set_day_widgets()
        self._update_actions()
        self.refresh()

    # --- building ----------------------------------------------------------------------------

    def _action(
        self, text: str, name: str, icon_name: str | None, keys: str | None, slot: Callable[[], None]
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"{name}_action")
        if icon_name:
            action.setIcon(icon(icon_name))
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # only while the view is shown
            action.setToolTip(f"{text.rstrip('…')} ({keys})")
        action.triggered.connect(slot)
        self.addAction(action)
        button = QToolButton()
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAccessibleName(text.rstrip("…"))
        button.setAutoRaise(False)
        self.actions_row.addWidget(button)
        return action

    def _shortcut(self, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], None]) -> None:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # only while the view is shown
        action.triggered.connect(slot)
        self.addAction(action)

    # --- loading -----------------------------------------------------------------------------

    def refresh(self) -> QueryOp:
        """Reload the day, the registry count and (for clinicians) the outreach list in the background."""
        day, who, clinical = self.day, self._filter, self._is_clinician

        def load(clinic: UnlockedClinic) -> _Loaded:
            return _Loaded(
                day=day,
                rows=appointments.day_schedule(clinic, day, who),
                clinicians=appointments.list_clinicians(clinic),
                overview=today_overview(clinic),
                outreach=outreach.my_outreach_tasks(clinic) if clinical else None,
            )

        return self._load(load)

    def load_day(self) -> QueryOp:
        """Reload only the appointments of the day shown."""
        day, who = self.day, self._filter
        return self._load(lambda clinic: _Loaded(day=day, rows=appointments.day_schedule(clinic, day, who)))

    def _load(self, load: Callable[[UnlockedClinic], _Loaded]) -> QueryOp:
        self.loading = (
            self._ctx.ops.query(self, load, self._on_loaded)
            .with_busy(self.busy)
            .on_failure(self._on_failed)
            .run_in_background()
        )
        return self.loading

    def _on_bus_changed(self, change: Changed) -> None:
        """Another view changed people, notes or appointments (this view's own changes reload at once)."""
        if change.about(Kind.APPOINTMENT, Kind.PERSON, Kind.NOTE) and not change.came_from(self):
            self.refresh()

    def _on_loaded(self, loaded: _Loaded) -> None:
        if loaded.clinicians is not None:
            self._set_clinicians(loaded.clinicians)
        if loaded.overview is not None:
            overview = loaded.overview
            self.registry_number.setText(f"{overview.people_in_registry:,}")
            extra = ""
            if overview.registered_today:
                extra = f" · {len(overview.registered_today)} new today"
            self.registry_caption.setText(f"people in the registry{extra}")
        if loaded.outreach is not None and self.outreach is not None:
            self.outreach.set_tasks(loaded.outreach)
        if loaded.day != self.day:
            return  # the person has moved on to another day meanwhile
        keep = self._select_after or (self.selected().id if self.selected() else None)
        self._select_after = None
        self.list.set_rows(loaded.rows)
        self.list.table.horizontalHeader().setStretchLastSection(True)
        if keep is not None:
            self._select(keep)
        self._update_actions()

    def _on_failed(self, exc: BaseException) -> None:
        self._show_problem(error_message(exc))

    def _set_clinicians(self, clinicians: list[ClinicianOption]) -> None:
        self._clinicians = clinicians
        combo = self.clinician_filter
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(EVERYONE, None)
        for option in clinicians:
            combo.addItem(isolate(option.display_name), option.id)
        combo.setCurrentIndex(index_of(combo, self._filter))
        combo.blockSignals(False)

    # --- the day shown -----------------------------------------------------------------------

    def show_day(self, day: date) -> None:
        """Show another day."""
        if day == self.day:
            return
        self.day = day
        self._set_day_widgets()
        self.load_day()

    def _set_day_widgets(self) -> None:
        today = date.today()
        self.day_picker.blockSignals(True)
        self.day_picker.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.day_picker.blockSignals(False)
        relative = {
            today: "Today",
            today + timedelta(days=1): "Tomorrow",
            today - timedelta(days=1): "Yesterday",
        }
        name = f"{self.day:%A %d %B}"
        self.day_title.setText(f"{relative[self.day]}, {name}" if self.day in relative else name)
        self.today_button.setEnabled(self.day != today)
        when = "today" if self.day == today else f"on {self.day:%A %d %B}"
        self.list.empty.heading.setText(f"No one scheduled {when}.")

    def _on_day_picker_date_changed(self, picked: QDate) -> None:
        self.show_day(date(picked.year(), picked.month(), picked.day()))

    def _on_clinician_filter_current_index_changed(self, _index: int) -> None:
        self._filter = self.clinician_filter.currentData()
        self.load_day()

    # --- the selected appointment ------------------------------------------------------------

    def selected(self) -> AppointmentRow | None:
        """The appointment selected, if any."""
        row = self.list.selected()
        return row if isinstance(row, AppointmentRow) else None

    def _select(self, appointment_id: uuid.UUID) -> None:
        for i, row in enumerate(self.list.visible_rows()):
            if row.id == appointment_id:
                self.list.table.selectRow(i)
                return

    def _update_actions(self, *_args: Any) -> None:
        row = self.selected()
        status = row.status if row else None
        booked = status is AppointmentStatus.BOOKED
        started = row is not None and row.starts_at <= datetime.now().astimezone()
        self.check_in_action.setEnabled(booked)
        self.no_show_action.setEnabled(booked and started)
        self.no_show_action.setToolTip(
            "Mark as a no-show: an outreach task goes to the clinician"
            if booked and started
            else "Possible once the appointment has begun"
        )
        self.late_cancel_action.setEnabled(booked)
        self.late_cancel_action.setToolTip(
            "Cancelled at short notice: an outreach task goes to the clinician"
        )
        self.cancel_action.setEnabled(booked)
        self.cancel_action.setToolTip("The person cancelled ahead of time")
        self.move_action.setEnabled(booked)
        self.undo_action.setEnabled(status in UNDOABLE)

    def _on_table_context_menu_requested(self, position: Any) -> None:
        if self.selected() is None:
            return
        menu = QMenu(self)
        for action in self._row_actions:
            menu.addAction(action)
        menu.exec(self.list.table.viewport().mapToGlobal(position))

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
