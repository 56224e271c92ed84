"""Finding the person an appointment is for: type part of a name or a record number ("zoe" finds
"Zoë"); Up and Down choose among the matches; the registry is loaded once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from hrclinic.readmodels.people import PersonRow
from hrclinic.services import clients
from ui.models import ROW_ROLE, Column, FoldedFilterProxy, RowsModel
from ui.views import ViewContext
from ui.widgets import label

PERSON_COLUMNS: list[Column[PersonRow]] = [
    Column("Name", lambda c: c.preferred_name),
    Column("No.", lambda c: str(c.record_number), lambda c: c.record_number),
]


class _SearchBox(QLineEdit):
    """The picker's search field: Up and Down move through the matches without leaving it; Enter
    keeps the highlighted person and goes on to the next field (it does not save the dialog)."""

    moved = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.moved.emit(1 if event.key() == Qt.Key.Key_Down else -1)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.focusNextChild()
            return
        super().keyPressEvent(event)


class PersonPicker(QWidget):
    """Find a person in the registry as you type ("zoe" finds "Zoë"); the registry is loaded once."""

    changed = Signal()

    def __init__(self, ctx: ViewContext, name: str) -> None:
        super().__init__()
        self._ctx = ctx
        self.setObjectName(name)
        self.model: RowsModel[PersonRow] = RowsModel(PERSON_COLUMNS)
        self.proxy = FoldedFilterProxy()
        self.model.setParent(self)  # owned by Qt, deleted with this widget on the GUI thread
        self.proxy.setParent(self)
        self.proxy.setSourceModel(self.model)
        self.search = _SearchBox()
        self.search.setObjectName(f"{name}_search")
        self.search.setPlaceholderText("Type a name or record number")
        self.search.setAccessibleName("Find the person")
        self.search.setClearButtonEnabled(True)
        self.results = QTableView()
        self.results.setObjectName(f"{name}_results")
        self.results.setAccessibleName("People found")
        self.results.setModel(self.proxy)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().hide()
        self.results.setShowGrid(False)
        self.results.setWordWrap(False)
        self.results.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.results.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.results.setMinimumHeight(150)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays in the search box
        self.hint = label("Loading the registry…", "muted", name=f"{name}_hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.moved.connect(self._on_search_moved)
        self.results.selectionModel().currentRowChanged.connect(self._on_results_current_row_changed)
        self.loaded = False
        self.loading = (
            ctx.ops.query(self, clients.list_clients, self._on_loaded)
            .failure_in(self.hint)
            .run_in_background()
        )

    def chosen(self) -> PersonRow | None:
        """The person picked (the highlighted match), if any."""
        index = self.results.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _on_loaded(self, people: Sequence[PersonRow]) -> None:
        self.loaded = True
        self.model.set_rows(people)
        self._on_search_text_changed(self.search.text())

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_query(text)
        count = self.proxy.rowCount()
        if count and text.strip():  # nothing typed is no choice yet, even with everyone listed
            self.results.setCurrentIndex(self.proxy.index(0, 0))
            self.results.scrollToTop()
        else:
            self.results.setCurrentIndex(QModelIndex())
        if not self.loaded:
            return
        if not self.model.rowCount():
            self.hint.setText("No one is registered yet: register the person in Clients first (Ctrl+N).")
        elif not count:
            self.hint.setText("No one matches. Not registered yet? Register them in Clients (Ctrl+N).")
        else:
            self.hint.setText(f"{count:,} found · ↑ ↓ to choose" if text.strip() else "Type to find someone")
        self.changed.emit()

    def _on_search_moved(self, step: int) -> None:
        count = self.proxy.rowCount()
        if not count:
            return
        row = min(max(self.results.currentIndex().row() + step, 0), count - 1)
        self.results.setCurrentIndex(self.proxy.index(row, 0))

    def _on_results_current_row_changed(self, *_args: Any) -> None:
        self.changed.emit()
