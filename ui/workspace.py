"""The work area after log-in: navigation rail on the left, the selected view on the right."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QStackedWidget, QWidget

from ui.icons import icon
from ui.navigation import Destination, destinations_for
from ui.views import ViewContext


class Workspace(QWidget):
    """Builds each view the first time it is opened; destroyed whole when the app locks."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("workspace")
        self.ctx = ctx
        self.destinations: list[Destination] = destinations_for(ctx.actor.role)
        self.views: dict[str, QWidget] = {}
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(184)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.setObjectName("work_area")
        for number, destination in enumerate(self.destinations, start=1):
            item = QListWidgetItem(icon(destination.icon), destination.label)
            item.setData(Qt.ItemDataRole.UserRole, destination.key)
            item.setToolTip(f"{destination.hint} (Ctrl+{number})")
            item.setSizeHint(QSize(170, 40))
            self.nav.addItem(item)
            QShortcut(
                QKeySequence(f"Ctrl+{number}"), self, activated=lambda key=destination.key: self.open(key)
            )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.nav.setCurrentRow(0)

    def destination_keys(self) -> list[str]:
        """The destinations shown, in order."""
        return [d.key for d in self.destinations]

    def open(self, key: str) -> QWidget:
        """Show a destination (building its view on first use)."""
        row = self.destination_keys().index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        return self.views[key]

    def current_key(self) -> str:
        """The destination shown now."""
        return self.destinations[self.nav.currentRow()].key

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        destination = self.destinations[row]
        view = self.views.get(destination.key)
        if view is None:
            view = destination.factory(self.ctx)
            self.views[destination.key] = view
            self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
