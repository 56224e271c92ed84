"""Clients: the registry list, registering a person, and a person's record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.engagement import CHOOSABLE, Engagement
from hrclinic.domain.intake import NEEDS
from hrclinic.domain.registry import search
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.vaults import UNOPENABLE_TEXT
from hrclinic.errors import HrclinicError
from hrclinic.readmodels.notes import NoteDetail
from hrclinic.readmodels.people import PersonDetail, PersonRow
from hrclinic.services import drafts, needs, notes, registry
from ui.drafts import NOTE_DRAFT
from ui.icons import icon
from ui.models import Column
from ui.operations import Changed, Kind, QueryOp
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.views.table import FilterableTable, date_text
from ui.widgets import BusyBar, EmptyState, label, lock_button, page_header, primary_button, title

STATUS_WORDS = {e.value: e.label for e in Engagement}
NOTES_PAGE = 10

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
        person = row
        ClientRecordDialog(self._ctx, person, self).exec()

    def _on_merge_clicked(self) -> None:
        from ui.views.merge import MergeDialog

        MergeDialog(self._ctx, self.rows, self).exec()


def ctx_colour() -> str:
    """The colour of icons on primary buttons."""
    from ui.theme import colours

    return colours().accent_text


class ClientRecordDialog(QDialog):
    """A person's record: details, needs, consents, clinical (clinicians only) and history."""

    def __init__(self, ctx: ViewContext, person: PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("client_record_dialog")
        self.setWindowTitle(isolate(person.preferred_name))
        self.resize(760, 640)
        self._ctx = ctx
        self._person_id = person.id
        self.detail: PersonDetail | None = None
        self.clinical = may(ctx.clinic.actor.role, Permission.READ_CLINICAL)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.name_label = title(isolate(person.preferred_name), 1.6, name="record_name")
        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addWidget(lock_button(ctx.bus), 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)
        self.meta = label(f"No. {person.record_number}", "muted", name="record_meta")
        layout.addWidget(self.meta)
        self.busy = BusyBar("record_busy")
        layout.addWidget(self.busy)
        self.message = label("", "error", name="record_error")
        self.message.hide()
        layout.addWidget(self.message)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("record_tabs")
        self.details_form = QFormLayout()
        details = QWidget()
        details_box = QVBoxLayout(details)
        details_box.addLayout(self.details_form)
        details_box.addStretch(1)
        actions = QHBoxLayout()
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.setObjectName("edit_details")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_choice")
        self.status_combo.setAccessibleName("Engagement status")
        for status in CHOOSABLE:
            self.status_combo.addItem(status.label, status.value)
        self.status_button = QPushButton("Change status…")
        self.status_button.setObjectName("change_status")
        self.reengage_button = primary_button("Welcome back (re-engage)", "re_engage")
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        actions.addWidget(self.status_combo)
        actions.addWidget(self.status_button)
        actions.addWidget(self.reengage_button)
        details_box.addLayout(actions)
        self.tabs.addTab(details, "Details")

        needs = QWidget()
        needs_box = QVBoxLayout(needs)
        self.needs_list = QListWidget()
        self.needs_list.setObjectName("needs_list")
        self.needs_list.setAccessibleName("Immediate needs")
        needs_box.addWidget(self.needs_list)
        add_row = QHBoxLayout()
        self.need_choice = QComboBox()
        self.need_choice.setObjectName("need_choice")
        self.need_choice.setAccessibleName("Need")
        for code, text in NEEDS.items():
            self.need_choice.addItem(text, code)
        self.need_note = QLineEdit()
        self.need_note.setObjectName("need_note")
        self.need_note.setAccessibleName("Note about the need")
        self.need_note.setPlaceholderText("Note (optional)")
        self.add_need_button = QPushButton("Add need")
        self.add_need_button.setObjectName("add_need")
        self.need_helped_button = QPushButton("Mark helped")
        self.need_helped_button.setObjectName("need_helped")
        add_row.addWidget(self.need_choice)
        add_row.addWidget(self.need_note, 1)
        add_row.addWidget(self.add_need_button)
        add_row.addWidget(self.need_helped_button)
        needs_box.addLayout(add_row)
        self.tabs.addTab(needs, "Needs")

        self.consents_panel = _consents_panel(ctx, person)
        if self.consents_panel is not None:
            self.tabs.addTab(self.consents_panel, "Consents")

        self.notes_box = QVBoxLayout()
        self.note_input: QPlainTextEdit | None = None
        self._note_quiet = False  # the text is being set by the program, not typed
        self._note_drafted = False  # a sealed draft of the note exists
        self._note_saving: str | None = None  # the text being saved as a note right now
        clinical_tab = QWidget()
        clinical_box = QVBoxLayout(clinical_tab)
        if self.clinical:
            self.own_words = label("", name="own_words")
            self.own_words.setProperty("ownWords", True)
            self.own_words_unopenable = label("", "muted", name="own_words_unopenable")
            self.own_words_unopenable.hide()
            clinical_box.addWidget(title("In their own words", 1.1))
            clinical_box.addWidget(self.own_words)
            clinical_box.addWidget(self.own_words_unopenable)
            self.screening = label("", name="screening_summary")
            self.screening_unopenable = label(
                f"\u26a0 {UNOPENABLE_TEXT}", "muted", name="screening_unopenable"
            )
            self.screening_unopenable.hide()
            self.proposal = QFrame()
            self.proposal.setProperty("role", "proposal")
            self.proposal.setObjectName("flag_proposal")
            proposal_box = QVBoxLayout(self.proposal)
            self.proposal_text = label("", name="flag_proposal_text")
            proposal_box.addWidget(self.proposal_text)
            self.proposal.hide()
            clinical_box.addWidget(title("Overdose-risk checklist", 1.1))
            clinical_box.addWidget(self.proposal)
            clinical_box.addWidget(self.screening)
            clinical_box.addWidget(self.screening_unopenable)
            clinical_box.addWidget(title("Clinical notes", 1.1))
            holder = QWidget()
            holder.setLayout(self.notes_box)
            scroll = QScrollArea()
            scroll.setObjectName("notes_scroll")
            scroll.setWidgetResizable(True)
            scroll.setWidget(holder)
            clinical_box.addWidget(scroll, 1)
            self.note_input = QPlainTextEdit()
            self.note_input.setObjectName("note_input")
            self.note_input.setAccessibleName("New clinical note")
            self.note_input.setPlaceholderText(
                "Write a note (Ctrl+S saves). It is encrypted before it is stored."
            )
            self.note_input.setMaximumHeight(110)
            self.note_draft_status = label("", "muted", name="note_draft_status")
            self.note_draft_status.hide()
            clinical_box.addWidget(self.note_draft_status)
            clinical_box.addWidget(self.note_input)
            self.save_note = primary_button("Save note", "save_note")
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.save_note)
            clinical_box.addLayout(row)
            self.save_note.clicked.connect(self._on_save_note_clicked)
            QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_save_note_clicked)
            self._note_timer = QTimer(self)
            self._note_timer.setSingleShot(True)
            self._note_timer.setInterval(1500)
            self._note_timer.timeout.connect(self.stash_note)
            self.note_input.textChanged.connect(self._on_note_input_text_changed)
            ctx.bus.locking.connect(self.stash_note)  # the lock keeps the note as a sealed draft
        else:
            clinical_box.addWidget(
                label(
                    "Clinical content (their own words, the overdose-risk checklist, notes) is readable by "
                    "clinicians only; your role sees the registry details.",
                    "muted",
                    name="clinical_hidden",
                )
            )
            clinical_box.addStretch(1)
        self.tabs.addTab(clinical_tab, "Clinical")

        history = QWidget()
        history_box = QVBoxLayout(history)
        self.history_list = QListWidget()
        self.history_list.setObjectName("status_history")
        self.history_list.setAccessibleName("Status history")
        history_box.addWidget(self.history_list)
        self.tabs.addTab(history, "History")
        layout.addWidget(self.tabs, 1)
        if self.clinical:
            self.tabs.setCurrentIndex(self.tabs.count() - 2)

        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.status_button.clicked.connect(self._on_status_clicked)
        self.reengage_button.clicked.connect(self._on_reengage_clicked)
        self.add_need_button.clicked.connect(self._on_add_need_clicked)
        self.need_helped_button.clicked.connect(self._on_need_helped_clicked)
        self._load()
        self._load_note_draft()

    # --- loading ----------------------------------------------------------------------------------

    def _load(self) -> None:
        self.busy.set_busy(True)
        clinic, person_id, clinical = self._ctx.clinic, self._person_id, self.clinical

        def load() -> tuple[PersonDetail, list[NoteDetail]]:
            detail = registry.person_detail(clinic, person_id)  # audited as a view of the record
            return detail, (notes.read_clinical_notes(clinic, person_id) if clinical else [])

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed, owner=self)

    def _on_loaded(self, loaded: tuple[PersonDetail, list[NoteDetail]]) -> None:
        detail, notes = loaded
        self.detail = detail
        self.busy.set_busy(False)
        self.name_label.setText(isolate(detail.preferred_name))
        self.setWindowTitle(isolate(detail.preferred_name))
        bits = [f"No. {detail.record_number}", Engagement(detail.status).label]
        if detail.pronouns:
            bits.append(isolate(detail.pronouns))
        if detail.birth_text:
            bits.append(f"born {detail.birth_text}")
        bits.append(f"registered {date_text(detail.created_at)}")
        self.meta.setText(" · ".join(bits))
        self._fill_details(detail)
        self.reengage_button.setVisible(detail.status in ("lost_contact", "paused", "moved_on"))
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(detail.status)))
        for widget in (self.edit_button, self.status_button, self.status_combo, self.add_need_button):
            widget.setEnabled(detail.status != "merged")
        self.needs_list.clear()
        for need in detail.needs:
            state = {"open": "open", "helped": "helped", "no_longer_needed": "no longer needed"}[need.status]
            noted = f": {isolate(need.note)}" if need.note else ""
            item = QListWidgetItem(f"{need.label} ({state}){noted}")
            item.setData(Qt.ItemDataRole.UserRole, need.id)
            self.needs_list.addItem(item)
        self.history_list.clear()
        self.history_list.addItem(f"{date_text(detail.created_at)}  Registered")
        for change in detail.status_history:
            self.history_list.addItem(
                f"{date_text(change.changed_at)}  {Engagement(change.from_status).label} \u2192 "
                f"{Engagement(change.to_status).label}"
                + (f": {isolate(change.reason)}" if change.reason else "")
                + (f" ({isolate(change.changed_by)})" if change.changed_by else "")
            )
        if self.clinical:
            self._fill_clinical(detail, notes)

    def _fill_details(self, d: PersonDetail) -> None:
        while self.details_form.rowCount():
            self.details_form.removeRow(0)

        def yes_no(value: bool | None) -> str:
            return "not asked" if value is None else ("yes" if value else "no")

        rows = [
            ("Legal name", d.legal_name),
            ("Other names", "; ".join(isolate(a) for a in d.aliases)),
            ("Date of birth", d.birth_text),
            ("Pronouns", d.pronouns),
            ("Gender", d.gender),
            ("Language", d.language),
            ("Phone", d.phone),
            ("E-mail", d.email),
            ("Address", d.address),
            ("Texts / voicemail", f"texts {yes_no(d.may_text)}, voicemail {yes_no(d.may_voicemail)}"),
            ("Safe-contact notes", d.safe_contact_notes),
            (
                "Emergency contact",
                " · ".join(
                    isolate(x)
                    for x in (
                        d.emergency_contact_name,
                        d.emergency_contact_relationship,
                        d.emergency_contact_phone,
                    )
                    if x
                ),
            ),
            ("Housing", d.housing_situation),
            ("Insurance", d.insurance),
            ("Heard of us", d.referral_source),
            ("Status", f"{Engagement(d.status).label}: {Engagement(d.status).explanation}"),
        ]
        for caption, value in rows:
            shown = label(value or "\u2014", None if value else "muted")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details_form.addRow(label(caption, "muted", wrap=False), shown)

    def _fill_clinical(self, detail: PersonDetail, notes: list[NoteDetail]) -> None:
        words = []
        if detail.reason_own_words:
            words.append(f"What brings them in: \u201c{isolate(detail.reason_own_words)}\u201d")
        if detail.change_own_words:
            words.append(f"What they would like to change: \u201c{isolate(detail.change_own_words)}\u201d")
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
        if detail.screenings:
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
        else:
            self.screening.setText("No checklist recorded yet.")
            self.proposal.hide()
        while self.notes_box.count():
            item = self.notes_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._notes = notes
        self._notes_shown = 0
        if not notes:
            self.notes_box.addWidget(label("No notes yet.", "muted", name="no_notes"))
        self.more_notes = QPushButton()
        self.more_notes.setObjectName("show_earlier_notes")
        self.more_notes.clicked.connect(self._show_more_notes)
        self.notes_box.addWidget(self.more_notes)
        self.notes_box.addStretch(1)
        self._show_more_notes()

    def _show_more_notes(self) -> None:
        """Newest notes first, a page at a time: a long history opens as fast as a short one."""
        batch = self._notes[self._notes_shown : self._notes_shown + NOTES_PAGE]
        position = self.notes_box.indexOf(self.more_notes)
        for offset, note in enumerate(batch):
            card = QFrame()
            card.setProperty("role", "card")
            card.setObjectName("note_card")
            box = QVBoxLayout(card)
            box.addWidget(label(f"{date_text(note.written_at)} · {isolate(note.author_name)}", "muted"))
            if note.unopenable:  # altered or moved: never someone else's words, and the rest still shows
                box.addWidget(label(f"\u26a0 {UNOPENABLE_TEXT}", "muted", name="note_unopenable"))
            else:
                box.addWidget(label(note.body, name="note_body"))
            self.notes_box.insertWidget(position + offset, card)
        self._notes_shown += len(batch)
        left = len(self._notes) - self._notes_shown
        self.more_notes.setText(f"Show earlier notes ({left:,} more)")
        self.more_notes.setVisible(left > 0)

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.set_busy(False)
        self.message.setText(error_message(exc))
        self.message.show()

    def _run(self, fn: Callable[[], object], done_message: str) -> None:
        self.busy.set_busy(True)
        self.message.hide()

        def done(_result: object) -> None:
            self._ctx.bus.changed.emit(Changed(Kind.PERSON, self._person_id, self))
            self._ctx.bus.status_message.emit(done_message)
            self._load()

        self._ctx.runner.submit(fn, done, self._on_failed, owner=self)

    # --- actions ------------------------------------------------------------------------------------

    def _on_edit_clicked(self) -> None:
        if self.detail is None:
            return
        from ui.views.intake import IntakeDialog

        dialog = IntakeDialog(self._ctx, [], person=self.detail, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self._load()

    def _on_status_clicked(self) -> None:
        if self.detail is None:
            return
        wanted = str(self.status_combo.currentData())
        reason, ok = QInputDialog.getText(
            self,
            "Change status",
            f"What happened? (moving on needs a reason)\n{Engagement(wanted).explanation}",
        )
        if not ok:
            return
        clinic, person_id, version = self._ctx.clinic, self._person_id, self.detail.version
        self._run(
            lambda: registry.change_status(
                clinic, person_id, wanted, reason=reason, expected_version=version
            ),
            f"Status changed to {Engagement(wanted).label.lower()}.",
        )

    def _on_reengage_clicked(self) -> None:
        clinic, person_id = self._ctx.clinic, self._person_id
        self._run(lambda: registry.re_engage(clinic, person_id), "Welcome back: the record is active again.")

    def _on_add_need_clicked(self) -> None:
        clinic, person_id = self._ctx.clinic, self._person_id
        need, note = str(self.need_choice.currentData()), self.need_note.text()
        self.need_note.clear()
        self._run(lambda: needs.add_need(clinic, person_id, need, note), "Need recorded.")

    def _on_need_helped_clicked(self) -> None:
        item = self.needs_list.currentItem()
        if item is None:
            return
        clinic, need_id = self._ctx.clinic, item.data(Qt.ItemDataRole.UserRole)
        self._run(lambda: needs.set_need_status(clinic, need_id, "helped"), "Need marked helped.")

    def reject(self) -> None:
        """Closing asks first when an unsaved note would be lost."""
        if self.note_input is not None and self.note_input.toPlainText().strip():
            answer = QMessageBox.question(
                self,
                "Unsaved note",
                "This note has not been saved. Close and discard it?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
            self._discard_note_draft()
        super().reject()

    # --- the note's draft: kept while typing pauses and when the app locks, offered on opening -----

    def stash_note(self) -> None:
        """Keep the unsaved note as a sealed draft (personal vault); called on a pause in typing
        and by ``bus.locking``, which runs it before the keys are forgotten."""
        if self.note_input is None or not self.isVisible():
            return  # a closed record keeps nothing: its note was saved or discarded
        self._note_timer.stop()
        text = self.note_input.toPlainText()
        if text == self._note_saving:
            return  # being saved as a note right now
        clinic, subject = self._ctx.clinic, str(self._person_id)
        if not text.strip():
            if self._note_drafted:
                self._note_drafted = False
                self._ctx.runner.submit(lambda: drafts.discard_draft(clinic, NOTE_DRAFT, subject=subject))
            return
        self._note_drafted = True
        self._ctx.runner.submit(
            lambda: drafts.save_draft(clinic, NOTE_DRAFT, text, subject=subject),
            None,
            self._on_note_draft_failed,
            owner=self,
        )

    def _on_note_input_text_changed(self) -> None:
        if not self._note_quiet:
            self._note_timer.start()

    def _on_note_draft_failed(self, exc: BaseException) -> None:
        self.note_draft_status.setText(f"This note could not be kept as a draft: {error_message(exc)}")
        self.note_draft_status.show()

    def _load_note_draft(self) -> None:
        if self.note_input is None:
            return
        clinic, subject = self._ctx.clinic, str(self._person_id)
        self._ctx.runner.submit(
            lambda: drafts.load_draft(clinic, NOTE_DRAFT, subject=subject),
            self._on_note_draft_loaded,
            lambda _exc: None,  # no draft to offer; the record itself works on
            owner=self,
        )

    def _on_note_draft_loaded(self, draft: drafts.Draft | None) -> None:
        if draft is None or self.note_input is None or self.note_input.toPlainText().strip():
            return
        self._set_note_text(draft.payload)
        self._note_drafted = True
        when = draft.updated_at.astimezone().strftime("%d %b %H:%M")
        self.note_draft_status.setText(f"Restored the note you were writing ({when}). It is not saved yet.")
        self.note_draft_status.show()

    def _set_note_text(self, text: str) -> None:
        assert self.note_input is not None
        self._note_quiet = True
        try:
            self.note_input.setPlainText(text)
        finally:
            self._note_quiet = False

    def _discard_note_draft(self) -> None:
        """The person chose to throw the note away: the draft goes too."""
        if self.note_input is None:
            return
        self._note_timer.stop()
        self._set_note_text("")
        if self._note_drafted:
            self._note_drafted = False
            clinic, subject = self._ctx.clinic, str(self._person_id)
            self._ctx.runner.submit(lambda: drafts.discard_draft(clinic, NOTE_DRAFT, subject=subject))

    def _on_save_note_clicked(self) -> None:
        if self.note_input is None:
            return
        text = self.note_input.toPlainText()
        if not text.strip():
            self.message.setText("The note is empty.")
            self.message.show()
            return
        self.message.hide()
        self.busy.set_busy(True)
        self._note_saving = text
        clinic, person_id = self._ctx.clinic, self._person_id
        self._ctx.runner.submit(
            lambda: notes.write_clinical_note(clinic, person_id, text),
            self._on_note_saved,
            self._on_note_failed,
            owner=self,
        )

    def _on_note_saved(self, _note: NoteDetail) -> None:
        assert self.note_input is not None
        self._note_saving = None
        self._note_drafted = True  # whatever was kept of it goes now
        self._discard_note_draft()  # cleared only once the note is safely stored
        self.note_draft_status.hide()
        self._ctx.bus.changed.emit(Changed(Kind.NOTE, self._person_id, self))
        self._ctx.bus.status_message.emit("Note saved.")
        self._load()

    def _on_note_failed(self, exc: BaseException) -> None:
        self._note_saving = None
        self.busy.set_busy(False)
        text = exc.message if isinstance(exc, HrclinicError) and exc.field == "body" else error_message(exc)
        self.message.setText(text + " Your text is still here.")
        self.message.show()


def _consents_panel(ctx: ViewContext, person: PersonRow) -> QWidget | None:
    """The consents tab, once that work is installed."""
    try:
        from ui.views.consents import ConsentsPanel
    except ImportError:
        return None
    return ConsentsPanel(ctx, person.id, person.preferred_name)
