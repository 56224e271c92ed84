"""Merge records (owners): two records of one person become one; the audit trail keeps both."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from hrclinic.domain.registry import search
from hrclinic.readmodels.people import PersonRow
from hrclinic.services import merge
from ui.account_dialogs import _FormDialog
from ui.operations import Changed, Kind
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import label


class MergeDialog(_FormDialog):
    """Choose the record to keep and the duplicate to fold into it."""

    def __init__(self, ctx: ViewContext, rows: Sequence[PersonRow], parent: QWidget | None = None) -> None:
        super().__init__(
            "merge_dialog",
            "Merge two records of one person",
            "Everything in the duplicate (notes, needs, consents, appointments, checklists) moves to the "
            "record "
            "you keep; missing details are filled in and its names become aliases. The duplicate stays, "
            "marked merged, so nothing is lost.",
            "Merge",
            parent,
        )
        self._ctx = ctx
        self._rows = list(rows)
        self.keep = self._picker("merge_keep", "Record to keep")
        self.duplicate = self._picker("merge_duplicate", "Duplicate to merge into it")
        form = QFormLayout()
        form.addRow("Keep", self.keep)
        form.addRow("Merge in", self.duplicate)
        self.body.addLayout(form)
        self.body.addWidget(label("Type part of a name or a record number to narrow each list.", "muted"))

    def _picker(self, name: str, accessible: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setAccessibleName(accessible)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.lineEdit().textEdited.connect(lambda text, b=box: self._narrow(b, text))
        self._fill(box, self._rows[:200])
        return box

    def _fill(self, box: QComboBox, rows: Sequence[PersonRow]) -> None:
        typed = box.lineEdit().text()
        box.blockSignals(True)
        box.clear()
        for row in rows[:200]:
            box.addItem(f"No. {row.record_number}  {isolate(row.preferred_name)}", row.id)
        box.setCurrentIndex(-1)
        box.lineEdit().setText(typed)
        box.blockSignals(False)

    def _narrow(self, box: QComboBox, text: str) -> None:
        self._fill(box, search(self._rows, text))
        if box.count() and box.isVisible():
            box.showPopup()

    def _chosen(self, box: QComboBox) -> uuid.UUID | None:
        index = box.findText(box.currentText())
        return box.itemData(index) if index >= 0 else None

    def _on_ok_clicked(self) -> None:
        keep, duplicate = self._chosen(self.keep), self._chosen(self.duplicate)
        if keep is None or duplicate is None:
            self.message.setText("Choose both records from the lists.")
            self.message.show()
            return
        self.run(
            self._ctx.ops.command(
                self,
                lambda clinic: merge.merge_records(clinic, keep, duplicate),
                Changed(Kind.PERSON),  # two people's records: every view of people refreshes
                self._on_merged,
            )
        )

    def _on_merged(self, _detail: object) -> None:
        self.accept()
