"""Unsaved typing kept as sealed drafts (personal vault): the kinds editors use, a keeper any form
can use, and the notice shown after log-in.

The lock protocol: an editor connects to ``bus.locking`` and, in that slot, submits the save of
its draft to the task runner (``drafts.save_draft``). The shell emits ``locking`` before it
submits the lock, and the runner has one worker, so every draft is sealed before the keys are
forgotten. When the editor opens again it loads its draft and offers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QDateTime, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from hrclinic.readmodels.drafts import DraftRow
from hrclinic.services import drafts
from ui.views import ViewContext

NOTE_DRAFT = "note"  # a clinical note being written in a person's record; subject: the person's id
FieldValue = str | int | float | bool


def form_state(fields: Mapping[str, QWidget]) -> dict[str, FieldValue]:
    """What the form's inputs hold, as plain data (inputs of other kinds are left out)."""
    state: dict[str, FieldValue] = {}
    for key, widget in fields.items():
        if isinstance(widget, QLineEdit):
            state[key] = widget.text()
        elif isinstance(widget, QPlainTextEdit):
            state[key] = widget.toPlainText()
        elif isinstance(widget, QComboBox):
            state[key] = widget.currentText() if widget.isEditable() else widget.currentIndex()
        elif isinstance(widget, QDateTimeEdit):
            state[key] = widget.dateTime().toString(Qt.DateFormat.ISODate)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            state[key] = widget.value()
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            state[key] = widget.isChecked()
    return state


def restore_form(fields: Mapping[str, QWidget], state: Mapping[str, object]) -> None:
    """Put kept values back; a value that no longer fits its input is skipped."""
    for key, widget in fields.items():
        value = state.get(key)
        if isinstance(widget, QLineEdit) and isinstance(value, str):
            widget.setText(value)
        elif isinstance(widget, QPlainTextEdit) and isinstance(value, str):
            widget.setPlainText(value)
        elif isinstance(widget, QComboBox):
            if widget.isEditable() and isinstance(value, str):
                widget.setCurrentText(value)
            elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < widget.count():
                widget.setCurrentIndex(value)
        elif isinstance(widget, QDateTimeEdit) and isinstance(value, str):
            when = QDateTime.fromString(value, Qt.DateFormat.ISODate)
            if when.isValid():
                widget.setDateTime(when)
        elif isinstance(widget, QSpinBox) and isinstance(value, int) and not isinstance(value, bool):
            widget.setValue(value)
        elif isinstance(widget, QDoubleSpinBox) and isinstance(value, int | float):
            widget.setValue(float(value))
        elif isinstance(widget, QAbstractButton) and widget.isCheckable() and isinstance(value, bool):
            widget.setChecked(value)


def named_inputs(root: QWidget) -> dict[str, QWidget]:
    """Every input under ``root`` that has an object name, by that name."""
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QDateTimeEdit, QSpinBox, QDoubleSpinBox, QAbstractButton)
    return {w.objectName(): w for w in root.findChildren(QWidget) if w.objectName() and isinstance(w, kinds)}


class FormDraftKeeper(QObject):
    """Keeps a form's typing as a sealed draft when the app locks, and puts it back the next time
    the same form opens (the draft is then forgotten: the form holds it again)."""

    restored = Signal()

    def __init__(
        self,
        form: QWidget,
        ctx: ViewContext,
        kind: str,
        subject: str,
        fields: Callable[[], Mapping[str, QWidget]],
    ) -> None:
        super().__init__(form)
        self._form, self._ctx, self._kind, self._subject, self._fields = form, ctx, kind, subject, fields
        self._untouched = form_state(fields())
        ctx.bus.locking.connect(self._on_bus_locking)
        ctx.ops.query(
            self, lambda clinic: drafts.load_draft(clinic, kind, subject=subject), self._on_draft_loaded
        ).quietly().run_in_background()  # nothing to offer: the form works on

    def _on_bus_locking(self) -> None:
        if not self._form.isVisible():
            return
        state = form_state(self._fields())
        if state == self._untouched:
            return
        payload = json.dumps(state, ensure_ascii=False)
        kind, subject = self._kind, self._subject
        self._ctx.ops.command(
            self, lambda clinic: drafts.save_draft(clinic, kind, payload, subject=subject), None
        ).run_in_background()

    def _on_draft_loaded(self, draft: drafts.Draft | None) -> None:
        if draft is None or form_state(self._fields()) != self._untouched:
            return  # nothing kept, or the person is already typing
        try:
            state = json.loads(draft.payload)
        except ValueError:
            state = None
        if isinstance(state, dict):
            restore_form(self._fields(), state)
            self.restored.emit()
        kind, subject = self._kind, self._subject
        self._ctx.ops.command(
            self, lambda clinic: drafts.discard_draft(clinic, kind, subject=subject), None
        ).run_in_background()


def kept_drafts_notice(kept: Sequence[DraftRow]) -> str:
    """What was kept, in one sentence that names no one ("" when nothing was)."""
    notes = sum(1 for draft in kept if draft.kind == NOTE_DRAFT)
    forms = len(kept) - notes
    parts = []
    if notes:
        parts.append("an unsaved note" if notes == 1 else f"{notes} unsaved notes")
    if forms:
        parts.append("an unsaved form" if forms == 1 else f"{forms} unsaved forms")
    if not parts:
        return ""
    comes_back = "It comes back" if len(kept) == 1 else "Each comes back"
    if notes and forms:
        where = "where you left it (a note in that person's record)"
    elif notes:
        where = "when you open that person's record"
    else:
        where = "when you open the same form again"
    return f"Kept for you: {' and '.join(parts)}. {comes_back} {where}."
