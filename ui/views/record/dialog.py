"""The record in a dialog (until the chart opens records in main-window tabs): the record's view, a
Lock button (a modal dialog blocks the main window's own), and a question before an unsaved note is
thrown away."""

from __future__ import annotations

import uuid
from typing import Protocol

from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from hrclinic.readmodels.people import PersonDetail
from ui.text import isolate
from ui.views import ViewContext
from ui.views.record.view import RecordView
from ui.widgets import lock_button


class NamesAPerson(Protocol):
    """Any list row that names a person (hrclinic.readmodels.people.PersonRow, an appointment ...)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def record_number(self) -> int: ...

    @property
    def preferred_name(self) -> str: ...


class RecordDialog(QDialog):
    """A person's record in its own window."""

    def __init__(
        self,
        ctx: ViewContext,
        person_id: uuid.UUID,
        *,
        name: str,
        record_number: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("client_record_dialog")
        self.setWindowTitle(isolate(name))
        self.resize(760, 640)
        self.view = RecordView(ctx, person_id, name=name, record_number=record_number)
        self.view.add_header_action(lock_button(ctx.bus))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.person_loaded.connect(self._on_view_person_loaded)

    @classmethod
    def of(cls, ctx: ViewContext, row: NamesAPerson, parent: QWidget | None = None) -> RecordDialog:
        """The record of the person a list row names."""
        return cls(ctx, row.id, name=row.preferred_name, record_number=row.record_number, parent=parent)

    def _on_view_person_loaded(self, detail: PersonDetail) -> None:
        self.setWindowTitle(isolate(detail.preferred_name))

    def reject(self) -> None:
        """Closing asks first when an unsaved note would be lost."""
        editor = self.view.clinical.editor if self.view.clinical is not None else None
        if editor is not None and editor.has_typing():
            answer = QMessageBox.question(
                self,
                "Unsaved note",
                "This note has not been saved. Close and discard it?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
            editor.discard()
        super().reject()


def open_record(
    ctx: ViewContext,
    parent: QWidget,
    person_id: uuid.UUID,
    *,
    name: str,
    record_number: int,
    tab: str | None = None,
) -> None:
    """Open a person's record (``tab``: the section to show first). The one place views open records,
    so hosting them in main-window tabs changes only this."""
    dialog = RecordDialog(ctx, person_id, name=name, record_number=record_number, parent=parent)
    if tab is not None:
        dialog.view.show_tab(tab)
    dialog.exec()
