"""The record's Clinical tab: the person's own words, the overdose-risk checklist (with what it
proposes), the clinical notes a page at a time, and the new-note box. Clinicians only; other roles see
a sentence saying so."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget

from hrclinic.domain.vaults import UNOPENABLE_TEXT
from hrclinic.readmodels.notes import NoteDetail
from hrclinic.readmodels.people import PersonDetail
from hrclinic.services import notes
from ui.operations import Changed, Kind, QueryOp
from ui.text import isolate
from ui.views import ViewContext
from ui.views.record.note_editor import NoteEditor
from ui.views.table import date_text
from ui.widgets import BusyBar, label, title

NOTES_PAGE = 10


def clinical_hidden() -> QWidget:
    """What a role without the clinical vault sees in the Clinical tab."""
    panel = QWidget()
    box = QVBoxLayout(panel)
    box.addWidget(
        label(
            "Clinical content (their own words, the overdose-risk checklist, notes) is readable by "
            "clinicians only; your role sees the registry details.",
            "muted",
            name="clinical_hidden",
        )
    )
    box.addStretch(1)
    return panel


def note_card(note: NoteDetail) -> QFrame:
    """One note: when and who, then its words (or, when it did not open, that it did not)."""
    card = QFrame()
    card.setProperty("role", "card")
    card.setObjectName("note_card")
    box = QVBoxLayout(card)
    box.addWidget(label(f"{date_text(note.written_at)} · {isolate(note.author_name)}", "muted"))
    if note.unopenable:  # altered or moved: never someone else's words, and the rest still shows
        box.addWidget(label(f"\u26a0 {UNOPENABLE_TEXT}", "muted", name="note_unopenable"))
    else:
        box.addWidget(label(note.body, name="note_body"))
    return card


class ClinicalPanel(QWidget):
    """Own words and checklist come with the person's details; the notes are loaded here."""

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, busy: BusyBar) -> None:
        super().__init__()
        self.setObjectName("clinical_panel")
        self._ctx, self._person_id, self._busy = ctx, person_id, busy
        self._notes: list[NoteDetail] = []
        self._shown = 0
        self.own_words = label("", name="own_words")
        self.own_words.setProperty("ownWords", True)
        self.own_words_unopenable = label("", "muted", name="own_words_unopenable")
        self.own_words_unopenable.hide()
        self.screening = label("", name="screening_summary")
        self.screening_unopenable = label(f"\u26a0 {UNOPENABLE_TEXT}", "muted", name="screening_unopenable")
        self.screening_unopenable.hide()
        self.proposal = QFrame()
        self.proposal.setProperty("role", "proposal")
        self.proposal.setObjectName("flag_proposal")
        self.proposal_text = label("", name="flag_proposal_text")
        QVBoxLayout(self.proposal).addWidget(self.proposal_text)
        self.proposal.hide()
        self.notes_message = label("", "error", name="notes_error")
        self.notes_message.hide()
        self.notes_box = QVBoxLayout()
        self.no_notes = label("No notes yet.", "muted", name="no_notes")
        self.no_notes.hide()
        self.more_notes = QPushButton()
        self.more_notes.setObjectName("show_earlier_notes")
        self.more_notes.hide()
        self.notes_box.addWidget(self.no_notes)
        self.notes_box.addWidget(self.more_notes)
        self.notes_box.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.notes_box)
        scroll = QScrollArea()
        scroll.setObjectName("notes_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.editor = NoteEditor(ctx, person_id, busy)
        box = QVBoxLayout(self)
        box.addWidget(title("In their own words", 1.1))
        box.addWidget(self.own_words)
        box.addWidget(self.own_words_unopenable)
        box.addWidget(title("Overdose-risk checklist", 1.1))
        box.addWidget(self.proposal)
        box.addWidget(self.screening)
        box.addWidget(self.screening_unopenable)
        box.addWidget(title("Clinical notes", 1.1))
        box.addWidget(self.notes_message)
        box.addWidget(scroll, 1)
        box.addWidget(self.editor)
        self.more_notes.clicked.connect(self._show_more_notes)
        self.editor.saved.connect(self._on_editor_saved)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.load_notes()

    # --- the person's own words and checklist (from the record's details) ---------------------

    def show_person(self, detail: PersonDetail) -> None:
        """Show the own-words answers and the latest checklist, marking values that did not open."""
        words = []
        if detail.reason_own_words:
            words.append(f"What brings them in: \u201c{isolate(detail.reason_own_words)}\u201d")
            if detail.reason_own_words_by:  # who recorded them (a deposit opens only as theirs)
                words[-1] += f" (recorded by {isolate(detail.reason_own_words_by)})"
        if detail.change_own_words:
            words.append(f"What they would like to change: \u201c{isolate(detail.change_own_words)}\u201d")
            if detail.change_own_words_by:
                words[-1] += f" (recorded by {isolate(detail.change_own_words_by)})"
        unopenable = [
            f"\u26a0 {caption}: {UNOPENABLE_TEXT}"
            for name, caption in (
                ("reason_own_words", "What brings them in"),
                ("change_own_words", "What they would like to change"),
            )
            if name in detail.unopenable
        ]
        self.own_words.setText("\n\n".join(words) or ("" if unopenable else "Not recorded yet."))
        self.own_words.setVisible(bool(words) or not unopenable)
        self.own_words_unopenable.setText("\n".join(unopenable))
        self.own_words_unopenable.setVisible(bool(unopenable))
        self.screening_unopenable.setVisible(bool(detail.screenings) and detail.screenings[0].unopenable)
        if not detail.screenings:
            self.screening.setText("No checklist recorded yet.")
            self.proposal.hide()
            return
        latest = detail.screenings[0]
        lines = [
            f"{date_text(latest.screened_at)} · {isolate(latest.screened_by)} · not a score, a checklist"
        ]
        lines += [
            f"{a.question}  {a.answer_label}" + (f" ({isolate(a.note)})" if a.note else "")
            for a in latest.answers
        ]
        self.screening.setText("\n".join(lines))
        self.proposal.setVisible(bool(latest.proposal))
        self.proposal_text.setText(
            "\u26a0 The checklist suggests an overdose-risk flag (for a clinician to decide):\n  \u2022 "
            + "\n  \u2022 ".join(latest.proposal)
        )

    # --- notes --------------------------------------------------------------------------------

    def load_notes(self) -> QueryOp:
        """Open every note of the person (one audited view), newest first, and show the first page."""
        person_id = self._person_id
        self.loading = (
            self._ctx.ops.query(
                self, lambda clinic: notes.read_clinical_notes(clinic, person_id), self._on_notes_loaded
            )
            .with_busy(self._busy)
            .failure_in(self.notes_message)
            .run_in_background()
        )
        return self.loading

    def _on_notes_loaded(self, notes: list[NoteDetail]) -> None:
        for card in self.findChildren(QFrame, "note_card"):
            card.setParent(None)  # gone now (on this thread), not at some later turn of the event loop
        self._notes, self._shown = list(notes), 0
        self.no_notes.setVisible(not notes)
        self._show_more_notes()

    def _show_more_notes(self) -> None:
        """Newest notes first, a page at a time: a long history opens as fast as a short one."""
        batch = self._notes[self._shown : self._shown + NOTES_PAGE]
        position = self.notes_box.indexOf(self.more_notes)
        for offset, note in enumerate(batch):
            self.notes_box.insertWidget(position + offset, note_card(note))
        self._shown += len(batch)
        left = len(self._notes) - self._shown
        self.more_notes.setText(f"Show earlier notes ({left:,} more)")
        self.more_notes.setVisible(left > 0)

    def cards(self) -> list[QFrame]:
        """The note cards shown, top to bottom."""
        found = (self.notes_box.itemAt(i).widget() for i in range(self.notes_box.count()))
        return [w for w in found if isinstance(w, QFrame) and w.objectName() == "note_card"]

    def _on_editor_saved(self, note: NoteDetail) -> None:
        """The note just saved goes on top, as the service returned it: nothing else is opened again."""
        self._notes.insert(0, note)
        self._shown += 1
        self.no_notes.hide()
        self.notes_box.insertWidget(0, note_card(note))

    def _on_bus_changed(self, change: Changed) -> None:
        """Notes of this person written elsewhere (another window) are opened again here."""
        if change.about(Kind.NOTE, person_id=self._person_id) and not change.came_from(self):
            self.load_notes()
