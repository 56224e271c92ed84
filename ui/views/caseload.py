"""Caseload: the people a clinician is working with."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from hrclinic.readmodels.overview import CaseloadRow
from hrclinic.services.overview import my_caseload
from ui.models import Column
from ui.operations import Changed, Kind, QueryOp
from ui.views import ViewContext
from ui.views.clients import STATUS_WORDS
from ui.views.record.dialog import open_record
from ui.views.table import FilterableTable, date_text
from ui.widgets import BusyBar, EmptyState, page_header

CASELOAD_COLUMNS: list[Column[CaseloadRow]] = [
    Column("No.", lambda r: str(r.record_number), lambda r: r.record_number),
    Column("Name", lambda r: r.preferred_name),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status), searchable=False),
    Column("Notes", lambda r: str(r.notes), lambda r: r.notes, searchable=False),
    Column("Last note", lambda r: date_text(r.last_note_at), lambda r: r.last_note_at, searchable=False),
]


class CaseloadView(QWidget):
    """People this clinician has written notes for, most recent first."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("caseload_view")
        self._ctx = ctx
        self.list = FilterableTable(
            "caseload",
            CASELOAD_COLUMNS,
            placeholder="Filter your caseload",
            empty=EmptyState(
                "briefcase",
                "Your caseload is empty",
                "People appear here once you write a note in their record (Clients, Enter).",
                "caseload_empty",
            ),
        )
        self.busy = BusyBar("caseload_busy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(
            page_header("Caseload", "The people you are working with, most recently seen first.")
        )
        layout.addWidget(self.busy)
        layout.addWidget(self.list, 1)
        self.list.activated.connect(self._on_list_activated)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()

    def refresh(self) -> QueryOp:
        """Reload in the background."""
        return (
            self._ctx.ops.query(self, my_caseload, self._on_loaded).with_busy(self.busy).run_in_background()
        )

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.NOTE, Kind.PERSON):
            self.refresh()

    def _on_loaded(self, rows: list[CaseloadRow]) -> None:
        self.list.set_rows(rows)

    def _on_list_activated(self, row: CaseloadRow) -> None:
        open_record(self._ctx, self, row.client_id, name=row.preferred_name, record_number=row.record_number)
