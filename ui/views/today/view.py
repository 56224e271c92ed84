"""Today: the day's appointments per clinician, check-in and the other changes to an appointment, and
(for clinicians) the outreach list. ``TodayLayout`` builds the widgets; this class loads and acts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from hrclinic.domain.roles import Permission, may
from hrclinic.domain.scheduling import UNDOABLE, AppointmentStatus
from hrclinic.readmodels.overview import TodayOverview
from hrclinic.readmodels.scheduling import AppointmentRow, ClinicianOption, OutreachRow
from hrclinic.services import appointments, outreach
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.overview import today_overview
from ui.operations import Changed, Kind, QueryOp
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.views.today.commands import AppointmentCommands
from ui.views.today.layout import TodayLayout
from ui.views.today.rows import EVERYONE, index_of


def _appointment_changed(row: AppointmentRow) -> Changed:
    return Changed(Kind.APPOINTMENT, row.client_id)


@dataclass(frozen=True)
class _Loaded:
    day: date
    rows: list[AppointmentRow]
    clinicians: list[ClinicianOption] | None = None
    overview: TodayOverview | None = None
    outreach: list[OutreachRow] | None = None


class TodayView(TodayLayout, AppointmentCommands):
    """The day's appointments; actions on the selected one; for clinicians, their outreach list."""

    def __init__(self, ctx: ViewContext) -> None:
        actor = ctx.actor
        clinician = may(actor.role, Permission.WRITE_CLINICAL)
        super().__init__(actor.display_name.split(",")[0].split()[0], with_outreach=clinician)
        self._ctx = ctx
        self._is_clinician = clinician
        self._clinicians: list[ClinicianOption] = []
        self._filter: uuid.UUID | None = actor.user_id if clinician else None
        self._select_after: uuid.UUID | None = None
        self.day = date.today()
        self._wire()
        self._set_day_widgets()
        self._update_actions()
        self.refresh()

    def _wire(self) -> None:
        for action, slot in (
            (self.check_in_action, self._check_in),
            (self.no_show_action, self._no_show),
            (self.late_cancel_action, self._late_cancel),
            (self.cancel_action, self._cancel),
            (self.move_action, self._move),
            (self.undo_action, self._undo),
            (self.shortcut("Book an appointment", "Ctrl+B"), self.book),
            (self.shortcut("Walk-in check-in", "Ctrl+Shift+W"), self.walk_in),
            (self.shortcut("Previous day", "Alt+Left"), self._previous_day),
            (self.shortcut("Next day", "Alt+Right"), self._next_day),
            (self.shortcut("Today", "Alt+Home"), self._go_today),
            (self.shortcut("Find", QKeySequence.StandardKey.Find), self.list.filter.setFocus),
        ):
            action.triggered.connect(slot)
        self.list.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.list.table.selectionModel().selectionChanged.connect(self._update_actions)
        if self.outreach is not None:
            self.outreach.done_requested.connect(self._on_outreach_done_requested)
        self.book_button.clicked.connect(self.book)
        self.walk_in_button.clicked.connect(self.walk_in)
        self.previous_button.clicked.connect(self._previous_day)
        self.next_button.clicked.connect(self._next_day)
        self.today_button.clicked.connect(self._go_today)
        self.day_picker.dateChanged.connect(self._on_day_picker_date_changed)
        self.clinician_filter.currentIndexChanged.connect(self._on_clinician_filter_current_index_changed)
        self._ctx.bus.changed.connect(self._on_bus_changed)

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

    def _previous_day(self) -> None:
        self.show_day(self.day - timedelta(days=1))

    def _next_day(self) -> None:
        self.show_day(self.day + timedelta(days=1))

    def _go_today(self) -> None:
        self.show_day(date.today())

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
        for action in self.row_actions:
            menu.addAction(action)
        menu.exec(self.list.table.viewport().mapToGlobal(position))
