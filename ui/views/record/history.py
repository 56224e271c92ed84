"""The record's History tab: registration and every change of engagement status, with its reason."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

from hrclinic.domain.engagement import Engagement
from hrclinic.readmodels.people import PersonDetail
from ui.text import isolate
from ui.views.table import date_text


def history_lines(detail: PersonDetail) -> list[str]:
    """Registration, then each status change in the order it happened."""
    lines = [f"{date_text(detail.created_at)}  Registered"]
    for change in detail.status_history:
        lines.append(
            f"{date_text(change.changed_at)}  {Engagement(change.from_status).label} \u2192 "
            f"{Engagement(change.to_status).label}"
            + (f": {isolate(change.reason)}" if change.reason else "")
            + (f" ({isolate(change.changed_by)})" if change.changed_by else "")
        )
    return lines


class HistoryPanel(QWidget):
    """The status history, from the person's details."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("history_panel")
        self.list = QListWidget()
        self.list.setObjectName("status_history")
        self.list.setAccessibleName("Status history")
        QVBoxLayout(self).addWidget(self.list)

    def show_person(self, detail: PersonDetail) -> None:
        """Show ``detail``'s history."""
        self.list.clear()
        self.list.addItems(history_lines(detail))
