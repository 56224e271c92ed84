"""The Today view's widgets (TagStudio's habit: the layout class builds, ``TodayView`` wires and acts):
the greeting with the main actions, the registry line, the day and whose appointments, the actions on
the selected appointment, the list, and for clinicians the outreach list below it."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.icons import icon
from ui.text import isolate
from ui.theme import colours
from ui.views.table import FilterableTable
from ui.views.today.outreach import OutreachPanel
from ui.views.today.rows import APPOINTMENT_COLUMNS, EVERYONE, AppointmentDelegate, greeting
from ui.widgets import BusyBar, EmptyState, label, page_header, primary_button, title


def _tool(name: str, text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip.split(" (")[0])
    return button


class TodayLayout(QWidget):
    """Builds the Today view; ``outreach`` exists for clinicians only."""

    def __init__(self, first_name: str, *, with_outreach: bool) -> None:
        super().__init__()
        self.setObjectName("today_view")
        now = datetime.now().astimezone()
        self.book_button = primary_button("Book an appointment", "book_appointment")
        self.book_button.setIcon(icon("plus", colours().accent_text))
        self.book_button.setToolTip("Book an appointment (Ctrl+B)")
        self.walk_in_button = QPushButton("Walk-in check-in")
        self.walk_in_button.setObjectName("walk_in")
        self.walk_in_button.setIcon(icon("user-plus"))
        self.walk_in_button.setToolTip("Someone is here without an appointment (Ctrl+Shift+W)")
        self.header = page_header(
            f"{greeting(now)}, {isolate(first_name)}", "", self.walk_in_button, self.book_button
        )
        self.registry_card = self._registry_card(now)
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        self._build_actions()
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
        self.busy = BusyBar("today_busy")
        self.message = label("", "error", name="today_error")
        self.message.hide()
        day_area = QWidget()
        day_layout = QVBoxLayout(day_area)
        day_layout.setContentsMargins(0, 0, 0, 0)
        day_layout.addLayout(self._day_row())
        day_layout.addLayout(self.actions_row)
        day_layout.addWidget(self.message)
        day_layout.addWidget(self.list, 1)
        self.outreach: OutreachPanel | None = OutreachPanel() if with_outreach else None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.registry_card)
        layout.addWidget(self.busy)
        layout.addWidget(self._with_outreach(day_area), 1)

    def _registry_card(self, now: datetime) -> QFrame:
        """The date and the size of the registry, on one quiet line under the greeting."""
        card = QFrame()
        card.setObjectName("registry_card")
        row = QHBoxLayout(card)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(label(now.strftime("%A %d %B %Y") + "  ·", "muted", wrap=False))
        self.registry_number = label("–", "title", wrap=False, name="registry_number")
        row.addWidget(self.registry_number)
        self.registry_caption = label("people in the registry", "muted", wrap=False, name="registry_caption")
        row.addWidget(self.registry_caption)
        row.addStretch(1)
        return card

    def _day_row(self) -> QHBoxLayout:
        """The day shown (previous, today, next, a date picker) and whose appointments."""
        self.previous_button = _tool("previous_day", "‹", "Previous day (Alt+Left)")
        self.next_button = _tool("next_day", "›", "Next day (Alt+Right)")
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
        row = QHBoxLayout()
        row.setSpacing(8)
        for widget in (self.previous_button, self.today_button, self.next_button, self.day_picker):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.day_title, 1)
        row.addWidget(label("Showing", "muted", wrap=False))
        row.addWidget(self.clinician_filter)
        return row

    def _build_actions(self) -> None:
        """What can be done to the selected appointment: a button each, also in the context menu."""
        self.check_in_action = self._action("Check in", "check_in", "circle-check", "Ctrl+I")
        self.no_show_action = self._action("No-show", "no_show", "user-off", None)
        self.late_cancel_action = self._action("Late cancel", "late_cancel", "info-circle", None)
        self.cancel_action = self._action("Cancel appointment…", "cancel_appointment", None, None)
        self.move_action = self._action("Move…", "move_appointment", "calendar-event", "Ctrl+M")
        self.undo_action = self._action("Undo…", "undo_status", "refresh", "Ctrl+Z")
        self.actions_row.addStretch(1)
        self.row_actions = [
            self.check_in_action,
            self.no_show_action,
            self.late_cancel_action,
            self.cancel_action,
            self.move_action,
            self.undo_action,
        ]

    def _action(self, text: str, name: str, icon_name: str | None, keys: str | None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"{name}_action")
        if icon_name:
            action.setIcon(icon(icon_name))
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # only while the view is shown
            action.setToolTip(f"{text.rstrip('…')} ({keys})")
        self.addAction(action)
        button = QToolButton()
        button.setObjectName(name)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAccessibleName(text.rstrip("…"))
        button.setAutoRaise(False)
        self.actions_row.addWidget(button)
        return action

    def shortcut(self, text: str, keys: str | QKeySequence.StandardKey) -> QAction:
        """A keyboard shortcut of this view (active only while it is shown)."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)
        return action

    def _with_outreach(self, day_area: QWidget) -> QWidget:
        if self.outreach is None:
            return day_area
        splitter = QSplitter(Qt.Orientation.Vertical)  # the day keeps the full width
        splitter.setObjectName("today_splitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(day_area)
        splitter.addWidget(self.outreach)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 220])
        return splitter
