"""Qt item models fed with plain read models; they never query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from hrclinic.domain.folding import fold
from ui.text import isolate

Row = TypeVar("Row")
FILTER_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column: header, how to show a row, and how to sort it."""

    header: str
    display: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    searchable: bool = True


class RowsModel(QAbstractTableModel, Generic[Row]):
    """A table of read-model rows."""

    def __init__(self, columns: Sequence[Column[Row]]) -> None:
        super().__init__()
        self._columns = list(columns)
        self._rows: list[Row] = []
        self._search: list[str] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace every row (one reset, not one signal per row)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._search = []  # folded lazily: a table driven by an index search never needs it
        self.endResetModel()

    def row(self, index: int) -> Row:
        """The read model of a row."""
        return self._rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return isolate(column.display(row))  # a name in a cell never reorders what is beside it
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return column.display(row)
        if role == FILTER_ROLE:
            if len(self._search) != len(self._rows):
                self._search = [
                    fold(" ".join(c.display(r) for c in self._columns if c.searchable)) for r in self._rows
                ]
            return self._search[index.row()]
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else fold(column.display(row))
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        return None


class FoldedFilterProxy(QSortFilterProxyModel):
    """Filters on every word typed, case- and accent-insensitively; sorts on the sort role."""

    def __init__(self) -> None:
        super().__init__()
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_query(self, text: str) -> None:
        """Filter as the person types."""
        self.beginFilterChange()
        self._words = fold(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        haystack = self.sourceModel().index(source_row, 0, source_parent).data(FILTER_ROLE) or ""
        return all(word in haystack for word in self._words)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
