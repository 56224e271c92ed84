"""Writing a clinical note in a person's record: Ctrl+S saves; the typing is kept as a sealed draft
when typing pauses and when the app locks, and offered again when the record opens."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from hrclinic.readmodels.notes import NoteDetail
from hrclinic.services import drafts, notes
from hrclinic.services.clinic import UnlockedClinic
from ui.drafts import NOTE_DRAFT
from ui.operations import Changed, Kind, QueryOp
from ui.tasks import error_message
from ui.views import ViewContext
from ui.widgets import BusyBar, label, primary_button

DRAFT_PAUSE_MS = 1500


class NoteEditor(QWidget):
    """The new-note box under a person's notes, with its Save button and what happened to the draft."""

    saved = Signal(object)  # the NoteDetail the service returned

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, busy: BusyBar) -> None:
        super().__init__()
        self.setObjectName("note_editor")
        self._ctx, self._person_id, self._busy = ctx, person_id, busy
        self._quiet = False  # the text is being set by the program, not typed
        self._drafted = False  # a sealed draft of the note exists
        self._saving: str | None = None  # the text being saved as a note right now
        self.message = label("", "error", name="note_error")
        self.message.hide()
        self.draft_status = label("", "muted", name="note_draft_status")
        self.draft_status.hide()
        self.input = QPlainTextEdit()
        self.input.setObjectName("note_input")
        self.input.setAccessibleName("New clinical note")
        self.input.setPlaceholderText("Write a note (Ctrl+S saves). It is encrypted before it is stored.")
        self.input.setMaximumHeight(110)
        self.save_button = primary_button("Save note", "save_note")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addWidget(self.draft_status)
        box.addWidget(self.input)
        box.addLayout(row)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_PAUSE_MS)
        self._timer.timeout.connect(self.stash)
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.input.textChanged.connect(self._on_input_text_changed)
        ctx.bus.locking.connect(self.stash)  # the lock keeps the note as a sealed draft
        self._load_draft()

    def has_typing(self) -> bool:
        """True when closing would lose a note."""
        return bool(self.input.toPlainText().strip())

    # --- saving ------------------------------------------------------------------------------

    def save(self) -> QueryOp | None:
        """Save the note typed (Ctrl+S); the text stays in the box until it is safely stored."""
        text = self.input.toPlainText()
        if not text.strip():
            self.message.setText("The note is empty.")
            self.message.show()
            return None
        self.message.hide()
        self._saving = text
        person_id = self._person_id
        return (
            self._ctx.ops.command(
                self,
                lambda clinic: notes.write_clinical_note(clinic, person_id, text),
                Changed(Kind.NOTE, person_id),
                self._on_saved,
            )
            .status("Note saved.")
            .with_busy(self._busy, self.save_button)
            .failure_in(self.message, suffix=" Your text is still here.")
            .on_failure(self._on_save_failed)
            .run_in_background()
        )

    def _on_saved(self, note: NoteDetail) -> None:
        self._saving = None
        self._drafted = True  # whatever was kept of it goes now
        self.discard()  # cleared only once the note is safely stored
        self.draft_status.hide()
        self.saved.emit(note)

    def _on_save_failed(self, _exc: BaseException) -> None:
        self._saving = None

    # --- the draft: kept while typing pauses and when the app locks, offered on opening -------

    def stash(self) -> None:
        """Keep the unsaved note as a sealed draft (personal vault); called on a pause in typing and by
        ``bus.locking``, which runs it before the keys are forgotten."""
        if not self.window().isVisible():
            return  # a closed record keeps nothing: its note was saved or discarded
        self._timer.stop()
        text = self.input.toPlainText()
        if text == self._saving:
            return  # being saved as a note right now
        subject = str(self._person_id)
        if not text.strip():
            if self._drafted:
                self._drafted = False
                self._run_draft_command(
                    lambda clinic: drafts.discard_draft(clinic, NOTE_DRAFT, subject=subject)
                )
            return
        self._drafted = True
        self._ctx.ops.command(
            self, lambda clinic: drafts.save_draft(clinic, NOTE_DRAFT, text, subject=subject), None
        ).on_failure(self._on_draft_failed).run_in_background()

    def discard(self) -> None:
        """The person chose to throw the note away (or it was saved): the draft goes too."""
        self._timer.stop()
        self._set_text("")
        if self._drafted:
            self._drafted = False
            subject = str(self._person_id)
            self._run_draft_command(lambda clinic: drafts.discard_draft(clinic, NOTE_DRAFT, subject=subject))

    def _run_draft_command(self, op: Callable[[UnlockedClinic], None]) -> None:
        self._ctx.ops.command(self, op, None).quietly().run_in_background()

    def _on_input_text_changed(self) -> None:
        if not self._quiet:
            self._timer.start()

    def _on_draft_failed(self, exc: BaseException) -> None:
        self.draft_status.setText(f"This note could not be kept as a draft: {error_message(exc)}")
        self.draft_status.show()

    def _load_draft(self) -> None:
        subject = str(self._person_id)
        self.loading = (
            self._ctx.ops.query(
                self,
                lambda clinic: drafts.load_draft(clinic, NOTE_DRAFT, subject=subject),
                self._on_draft_loaded,
            )
            .quietly()  # no draft to offer: the record itself works on
            .run_in_background()
        )

    def _on_draft_loaded(self, draft: drafts.Draft | None) -> None:
        if draft is None or self.input.toPlainText().strip():
            return
        self._set_text(draft.payload)
        self._drafted = True
        when = draft.updated_at.astimezone().strftime("%d %b %H:%M")
        self.draft_status.setText(f"Restored the note you were writing ({when}). It is not saved yet.")
        self.draft_status.show()

    def _set_text(self, text: str) -> None:
        self._quiet = True
        try:
            self.input.setPlainText(text)
        finally:
            self._quiet = False
