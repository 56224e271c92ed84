"""Today: the start page after log-in."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QFrame, QGridLayout, QListWidget, QVBoxLayout, QWidget

from hrclinic.services.overview import TodayOverview, today_overview
from ui.views import ViewContext
from ui.widgets import BusyBar, label, page_header, title


def greeting(now: datetime) -> str:
    """Good morning / afternoon / evening."""
    hour = now.astimezone().hour
    return "Good morning" if hour < 12 else ("Good afternoon" if hour < 18 else "Good evening")


class TodayView(QWidget):
    """Who was registered today and, for clinicians, today's notes."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("today_view")
        self._ctx = ctx
        first_name = ctx.clinic.actor.display_name.split(",")[0].split()[0]
        now = datetime.now().astimezone()
        self.header = page_header(f"{greeting(now)}, {first_name}", now.strftime("%A %d %B %Y"))
        self.busy = BusyBar("today_busy")
        grid = QGridLayout()
        grid.setSpacing(16)
        self.registry_card, self.registry_number = self._number_card("People in the registry")
        self.notes_card, self.notes_number = self._number_card("Notes you wrote today")
        grid.addWidget(self.registry_card, 0, 0)
        grid.addWidget(self.notes_card, 0, 1)
        registered = QFrame()
        registered.setProperty("role", "card")
        box = QVBoxLayout(registered)
        box.addWidget(title("Registered today", 1.1))
        self.registered_list = QListWidget()
        self.registered_list.setObjectName("registered_today")
        self.registered_list.setAccessibleName("People registered today")
        self.registered_empty = label(
            "No one registered yet today. Clients > Register a person (Ctrl+N).",
            "muted",
            name="registered_today_empty",
        )
        box.addWidget(self.registered_list)
        box.addWidget(self.registered_empty)
        grid.addWidget(registered, 1, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.busy)
        layout.addLayout(grid)
        layout.addStretch(1)
        ctx.bus.clients_changed.connect(self.refresh)
        ctx.bus.notes_changed.connect(self.refresh)
        self.refresh()

    def _number_card(self, caption: str) -> tuple[QFrame, QWidget]:
        card = QFrame()
        card.setProperty("role", "card")
        box = QVBoxLayout(card)
        number = title("–", 2.2)
        box.addWidget(number)
        box.addWidget(label(caption, "muted"))
        return card, number

    def refresh(self) -> None:
        """Reload in the background."""
        self.busy.set_busy(True)
        clinic = self._ctx.clinic
        self._ctx.runner.submit(lambda: today_overview(clinic), self._on_loaded, owner=self)

    def _on_loaded(self, overview: TodayOverview) -> None:
        self.busy.set_busy(False)
        self.registry_number.setText(f"{overview.people_in_registry:,}")
        self.notes_card.setVisible(overview.my_notes_today is not None)
        self.notes_number.setText(str(overview.my_notes_today or 0))
        self.registered_list.clear()
        for person in overview.registered_today:
            self.registered_list.addItem(f"{person.preferred_name}  ·  No. {person.record_number}")
        has_people = bool(overview.registered_today)
        self.registered_list.setVisible(has_people)
        self.registered_empty.setVisible(not has_people)
