"""Clients: the registry list, registering a person, merging two records; Enter opens a record."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from hrclinic.domain.engagement import Engagement
from hrclinic.domain.registry import search
from hrclinic.domain.roles import Permission, may
from hrclinic.readmodels.people import PersonRow
from hrclinic.services import registry
from ui.icons import icon
from ui.models import Column
from ui.operations import Changed, Kind, QueryOp
from ui.text import isolate
from ui.views import ViewContext
from ui.views.record.dialog import open_record
from ui.views.table import FilterableTable
from ui.widgets import BusyBar, EmptyState, page_header, primary_button

STATUS_WORDS = {e.value: e.label for e in Engagement}

CLIENT_COLUMNS: list[Column[PersonRow]] = [
    Column("No.", lambda c: str(c.record_number), lambda c: c.record_number),
    Column(
        "Name",
        lambda c: (
            isolate(c.preferred_name)
            + (f"  ({isolate(c.legal_name)})" if c.legal_name and c.legal_name != c.preferred_name else "")
        ),
    ),
    Column("Also known as", lambda c: "; ".join(isolate(a) for a in c.aliases)),
    Column("Born", lambda c: str(c.birth_year or ""), lambda c: c.birth_year or 0),
    Column("Phone", lambda c: c.phone),
    Column("Status", lambda c: STATUS_WORDS.get(c.status, c.status)),
]


def _search(rows: Sequence[PersonRow], text: str) -> list[PersonRow]:
    return search(rows, text)


class ClientsView(QWidget):
    """Everyone registered; type to search (names, aliases, record number, phone); Enter opens the record."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("clients_view")
        self._ctx = ctx
        self.rows: list[PersonRow] = []
        self.register_button = primary_button("Register a person", "register_person")
        self.register_button.setIcon(icon("user-plus", ctx_colour()))
        self.register_button.setToolTip("Register a person (Ctrl+N)")
        self.merge_button = QPushButton("Merge records…")
        self.merge_button.setObjectName("merge_records")
        self.merge_button.setVisible(may(ctx.actor.role, Permission.MERGE_RECORDS))
        self.list = FilterableTable(
            "clients",
            CLIENT_COLUMNS,
            placeholder="Search by name, alias, record number or phone (Ctrl+F)",
            empty=EmptyState(
                "users",
                "No one is registered yet",
                "Register a person (Ctrl+N): only the name they want to be called is needed.",
                "clients_empty",
            ),
            search=_search,
        )
        self.busy = BusyBar("clients_busy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(
            page_header(
                "Clients", "Everyone the clinic has registered.", self.merge_button, self.register_button
            )
        )
        layout.addWidget(self.busy)
        layout.addWidget(self.list, 1)
        self.register_button.clicked.connect(self.register_person)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.register_person)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.list.filter.setFocus)
        self.list.activated.connect(self._on_list_activated)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()

    def refresh(self) -> QueryOp:
        """Load the registry index in the background (one query)."""
        return (
            self._ctx.ops.query(self, registry.registry_rows, self._on_loaded)
            .with_busy(self.busy)
            .run_in_background()
        )

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.PERSON):
            self.refresh()

    def _on_loaded(self, rows: list[PersonRow]) -> None:
        self.rows = rows
        self.list.set_rows(rows)

    def register_person(self) -> None:
        """Open the intake form."""
        from ui.views.intake import IntakeDialog

        dialog = IntakeDialog(self._ctx, self.rows, parent=self)
        opened: list[object] = []
        dialog.open_existing.connect(opened.append)
        if not dialog.exec() and opened:
            row = next((r for r in self.rows if r.id == opened[0]), None)
            if row is not None:
                self._on_list_activated(row)

    def _on_list_activated(self, row: PersonRow) -> None:
        open_record(self._ctx, self, row.id, name=row.preferred_name, record_number=row.record_number)

    def _on_merge_clicked(self) -> None:
        from ui.views.merge import MergeDialog

        MergeDialog(self._ctx, self.rows, self).exec()


def ctx_colour() -> str:
    """The colour of icons on primary buttons."""
    from ui.theme import colours

    return colours().accent_text
