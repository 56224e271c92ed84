"""A list view: filter box on top (filters as you type), sortable table, empty state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models import ROW_ROLE, Column, FoldedFilterProxy, RowsModel
from ui.widgets import EmptyState


class FilterableTable(QWidget):
    """Rows of read models; Enter or double-click opens the selected row."""

    activated = Signal(object)  # the read model

    def __init__(
        self,
        name: str,
        columns: Sequence[Column[Any]],
        *,
        placeholder: str,
        empty: EmptyState,
        no_match: str = "No one matches the filter.",
        search: Callable[[Sequence[Any], str], list[Any]] | None = None,
    ) -> None:
        super().__init__()
        self._search = search  # an index-backed search replaces the proxy's word filter
        self._all: list[Any] = []
        self.model: RowsModel[Any] = RowsModel(columns)
        self.proxy = FoldedFilterProxy()
        self.model.setParent(self)  # owned by Qt, deleted with this widget on the GUI thread
        self.proxy.setParent(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{name}_filter")
        self.filter.setPlaceholderText(placeholder)
        self.filter.setAccessibleName(placeholder)
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setObjectName(f"{name}_table")
        self.table.setAccessibleName(name.replace("_", " "))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setMaximumSectionSize(340)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # size columns from 200 rows, not all
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.empty = empty
        self.no_match = EmptyState(
            "search", no_match, "Clear the filter (Esc) to see everyone.", f"{name}_no_match"
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.no_match)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.stack, 1)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)
        self.filter.returnPressed.connect(self._on_filter_return_pressed)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.filter.text():
            self.filter.clear()
            return
        super().keyPressEvent(event)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show these rows, keeping the filter."""
        self._all = list(rows)
        first = not self.model.rowCount()
        self.model.set_rows(self._search(self._all, self.filter.text()) if self._search else self._all)
        if first:
            self.table.resizeColumnsToContents()
        self._update_state()

    def selected(self) -> Any | None:
        """The selected row's read model, if any."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def visible_rows(self) -> list[Any]:
        """The rows the filter lets through, in the order shown."""
        return [self.proxy.index(i, 0).data(ROW_ROLE) for i in range(self.proxy.rowCount())]

    def _on_filter_text_changed(self, text: str) -> None:
        if self._search is not None:
            self.model.set_rows(self._search(self._all, text))
        else:
            self.proxy.set_query(text)
        self._update_state()

    def _on_filter_return_pressed(self) -> None:
        if self.proxy.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.activated.emit(index.data(ROW_ROLE))

    def _update_state(self) -> None:
        if not (self._all if self._search is not None else self.model.rowCount()):
            self.stack.setCurrentWidget(self.empty)
        elif self.proxy.rowCount() == 0:
            self.stack.setCurrentWidget(self.no_match)
        else:
            self.stack.setCurrentWidget(self.table)


def date_text(value: Any) -> str:
    """A timestamp as local date and time."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""
