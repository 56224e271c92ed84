"""The record's Needs tab: immediate needs (housing, food, money ...), adding one and marking one
helped. A save updates the list from what the service returned; nothing else is loaded again."""

from __future__ import annotations

import dataclasses
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.intake import NEEDS
from hrclinic.readmodels.people import NeedRow
from hrclinic.services import needs
from ui.operations import Changed, Kind
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, label

STATE_WORDS = {"open": "open", "helped": "helped", "no_longer_needed": "no longer needed"}


def need_text(need: NeedRow) -> str:
    """One need as the list shows it."""
    noted = f": {isolate(need.note)}" if need.note else ""
    return f"{need.label} ({STATE_WORDS[need.status]}){noted}"


class NeedsPanel(QWidget):
    """The person's needs, oldest first, with a row to add one."""

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, busy: BusyBar) -> None:
        super().__init__()
        self.setObjectName("needs_panel")
        self._ctx, self._person_id, self._busy = ctx, person_id, busy
        self._needs: list[NeedRow] = []
        self.list = QListWidget()
        self.list.setObjectName("needs_list")
        self.list.setAccessibleName("Immediate needs")
        self.choice = QComboBox()
        self.choice.setObjectName("need_choice")
        self.choice.setAccessibleName("Need")
        for code, text in NEEDS.items():
            self.choice.addItem(text, code)
        self.note = QLineEdit()
        self.note.setObjectName("need_note")
        self.note.setAccessibleName("Note about the need")
        self.note.setPlaceholderText("Note (optional)")
        self.add_button = QPushButton("Add need")
        self.add_button.setObjectName("add_need")
        self.helped_button = QPushButton("Mark helped")
        self.helped_button.setObjectName("need_helped")
        self.message = label("", "error", name="needs_error")
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(self.choice)
        row.addWidget(self.note, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.helped_button)
        box = QVBoxLayout(self)
        box.addWidget(self.list)
        box.addWidget(self.message)
        box.addLayout(row)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.helped_button.clicked.connect(self._on_helped_clicked)

    def show_needs(self, rows: tuple[NeedRow, ...], *, editable: bool = True) -> None:
        """Show the needs recorded (``editable``: a merged record takes no new ones)."""
        self._needs = list(rows)
        self._fill()
        self.add_button.setEnabled(editable)

    def needs(self) -> list[NeedRow]:
        """The needs shown, in order."""
        return list(self._needs)

    def _fill(self) -> None:
        self.list.clear()
        for need in self._needs:
            item = QListWidgetItem(need_text(need))
            item.setData(Qt.ItemDataRole.UserRole, need.id)
            self.list.addItem(item)

    def _on_add_clicked(self) -> None:
        person_id, code, note = self._person_id, str(self.choice.currentData()), self.note.text()
        self.message.hide()
        self._ctx.ops.command(
            self,
            lambda clinic: needs.add_need(clinic, person_id, code, note),
            Changed(Kind.NEED, person_id),
            self._on_added,
        ).status("Need recorded.").with_busy(self._busy, self.add_button).failure_in(
            self.message
        ).run_in_background()

    def _on_added(self, need: NeedRow) -> None:
        self.note.clear()
        self._needs.append(need)
        self._fill()

    def _on_helped_clicked(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        need_id = item.data(Qt.ItemDataRole.UserRole)
        self.message.hide()
        self._ctx.ops.command(
            self,
            lambda clinic: needs.set_need_status(clinic, need_id, "helped"),
            Changed(Kind.NEED, self._person_id),
            lambda _none: self._on_helped(need_id),
        ).status("Need marked helped.").with_busy(self._busy, self.helped_button).failure_in(
            self.message
        ).run_in_background()

    def _on_helped(self, need_id: uuid.UUID) -> None:
        self._needs = [dataclasses.replace(n, status="helped") if n.id == need_id else n for n in self._needs]
        self._fill()
