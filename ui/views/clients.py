"""Clients: the registry list, registering a person, and a person's record."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.roles import Permission, may
from hrclinic.errors import HrclinicError
from hrclinic.services import clients
from hrclinic.services.models import ClientSummary, NoteDetail
from ui.icons import icon
from ui.models import Column
from ui.tasks import error_message
from ui.views import ViewContext
from ui.views.table import FilterableTable, date_text
from ui.widgets import BusyBar, EmptyState, FieldError, label, page_header, primary_button, title

STATUS_WORDS = {
    "active": "Active",
    "paused": "Paused",
    "lost_contact": "Lost contact",
    "moved_on": "Moved on",
}

CLIENT_COLUMNS: list[Column[ClientSummary]] = [
    Column("No.", lambda c: str(c.record_number), lambda c: c.record_number),
    Column("Name", lambda c: c.preferred_name),
    Column("Status", lambda c: STATUS_WORDS.get(c.status, c.status), searchable=False),
    Column("Registered", lambda c: date_text(c.created_at), lambda c: c.created_at, searchable=False),
]


class ClientsView(QWidget):
    """Everyone registered; filter as you type; Enter opens the record."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("clients_view")
        self._ctx = ctx
        self.register_button = primary_button("Register a person", "register_person")
        self.register_button.setIcon(icon("user-plus", ctx_colour()))
        self.register_button.setToolTip("Register a person (Ctrl+N)")
        self.list = FilterableTable(
            "clients",
            CLIENT_COLUMNS,
            placeholder="Filter by name or record number",
            empty=EmptyState(
                "users",
                "No one is registered yet",
                "Register a person (Ctrl+N): only the name they want to be called is needed.",
                "clients_empty",
            ),
        )
        self.busy = BusyBar("clients_busy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_header("Clients", "Everyone the clinic has registered.", self.register_button))
        layout.addWidget(self.busy)
        layout.addWidget(self.list, 1)
        self.register_button.clicked.connect(self.register_person)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.register_person)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.list.filter.setFocus)
        self.list.activated.connect(self._on_list_activated)
        ctx.bus.clients_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Load the registry in the background."""
        self.busy.set_busy(True)
        clinic = self._ctx.clinic
        self._ctx.runner.submit(lambda: clients.list_clients(clinic), self._on_loaded, owner=self)

    def _on_loaded(self, rows: list[ClientSummary]) -> None:
        self.busy.set_busy(False)
        self.list.set_rows(rows)

    def register_person(self) -> None:
        """Open the registration dialog."""
        dialog = RegisterPersonDialog(self._ctx, self)
        if dialog.exec() and dialog.registered is not None:
            person = dialog.registered
            self._ctx.bus.clients_changed.emit()
            self._ctx.bus.status_message.emit(
                f"Registered {person.preferred_name} (No. {person.record_number})."
            )

    def _on_list_activated(self, person: ClientSummary) -> None:
        ClientRecordDialog(self._ctx, person, self).exec()


def ctx_colour() -> str:
    """The colour of icons on primary buttons."""
    from ui.theme import colours

    return colours().accent_text


class RegisterPersonDialog(QDialog):
    """Low-threshold intake: one required field, the name the person wants to be called."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("register_dialog")
        self.setWindowTitle("Register a person")
        self.setMinimumWidth(460)
        self._ctx = ctx
        self.registered: ClientSummary | None = None
        self.name = QLineEdit()
        self.name.setObjectName("preferred_name")
        self.name.setAccessibleName("Name they want to be called")
        self.name.setPlaceholderText("A first name, a nickname or an alias is fine")
        self.error = FieldError("preferred_name_error")
        self.busy = BusyBar("register_busy")
        self.save = primary_button("Register", "save")
        cancel = QPushButton("Cancel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title("Register a person", 1.3))
        layout.addWidget(label("Nothing else is needed today; everything else can be added later.", "muted"))
        form = QFormLayout()
        form.addRow("Name they want to be called", self.name)
        form.addRow("", self.error)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.save)
        layout.addLayout(row)
        self.save.clicked.connect(self._on_save_clicked)
        cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_save_clicked)

    def _on_save_clicked(self) -> None:
        name = self.name.text()
        if not name.strip():
            self.error.show_problem("Enter the name the person wants to be called.")
            return
        self.busy.set_busy(True)
        self.save.setEnabled(False)
        clinic = self._ctx.clinic
        self._ctx.runner.submit(
            lambda: clients.register_client(clinic, name), self._on_saved, self._on_failed, owner=self
        )

    def _on_saved(self, person: ClientSummary) -> None:
        self.registered = person
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.set_busy(False)
        self.save.setEnabled(True)
        self.error.show_problem(error_message(exc))


class ClientRecordDialog(QDialog):
    """A person's record: registry details for everyone, clinical notes for clinicians."""

    def __init__(self, ctx: ViewContext, person: ClientSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("client_record_dialog")
        self.setWindowTitle(person.preferred_name)
        self.resize(640, 560)
        self._ctx = ctx
        self._person = person
        clinical = may(ctx.clinic.actor.role, Permission.READ_CLINICAL)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title(person.preferred_name, 1.6, name="record_name"))
        self.meta = label(f"No. {person.record_number}", "muted", name="record_meta")
        layout.addWidget(self.meta)
        self.busy = BusyBar("record_busy")
        layout.addWidget(self.busy)
        self.message = label("", "error", name="record_error")
        self.message.hide()
        layout.addWidget(self.message)
        self.notes_box = QVBoxLayout()
        self.note_input: QPlainTextEdit | None = None
        if clinical:
            layout.addWidget(title("Clinical notes", 1.15))
            holder = QWidget()
            holder.setLayout(self.notes_box)
            scroll = QScrollArea()
            scroll.setObjectName("notes_scroll")
            scroll.setWidgetResizable(True)
            scroll.setWidget(holder)
            layout.addWidget(scroll, 1)
            self.note_input = QPlainTextEdit()
            self.note_input.setObjectName("note_input")
            self.note_input.setAccessibleName("New clinical note")
            self.note_input.setPlaceholderText(
                "Write a note (Ctrl+S saves). It is encrypted before it is stored."
            )
            self.note_input.setMaximumHeight(120)
            layout.addWidget(self.note_input)
            self.save_note = primary_button("Save note", "save_note")
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.save_note)
            layout.addLayout(row)
            self.save_note.clicked.connect(self._on_save_note_clicked)
            QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_save_note_clicked)
        else:
            layout.addWidget(
                label(
                    "Clinical notes are readable by clinicians only; your role sees the registry details.",
                    "muted",
                    name="clinical_hidden",
                )
            )
            layout.addStretch(1)
        self._load(clinical)

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
        super().reject()

    def _load(self, clinical: bool) -> None:
        self.busy.set_busy(True)
        clinic, person_id = self._ctx.clinic, self._person.id

        def load() -> tuple[ClientSummary, list[NoteDetail]]:
            summary = clients.get_client(clinic, person_id)  # audited as a view of the record
            return summary, (clients.read_clinical_notes(clinic, person_id) if clinical else [])

        self._ctx.runner.submit(load, self._on_loaded, self._on_failed, owner=self)

    def _on_loaded(self, loaded: tuple[ClientSummary, list[NoteDetail]]) -> None:
        person, notes = loaded
        self.busy.set_busy(False)
        self.meta.setText(
            f"No. {person.record_number} · {STATUS_WORDS.get(person.status, person.status)} · "
            f"registered {date_text(person.created_at)}"
        )
        while self.notes_box.count():
            item = self.notes_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not notes and self.note_input is not None:
            self.notes_box.addWidget(label("No notes yet.", "muted", name="no_notes"))
        for note in notes:
            card = QFrame()
            card.setProperty("role", "card")
            card.setObjectName("note_card")
            box = QVBoxLayout(card)
            box.addWidget(label(f"{date_text(note.written_at)} · {note.author_name}", "muted"))
            box.addWidget(label(note.body, name="note_body"))
            self.notes_box.addWidget(card)
        self.notes_box.addStretch(1)

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.set_busy(False)
        self.message.setText(error_message(exc))
        self.message.show()

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
        clinic, person_id = self._ctx.clinic, self._person.id
        self._ctx.runner.submit(
            lambda: clients.write_clinical_note(clinic, person_id, text),
            self._on_note_saved,
            self._on_note_failed,
            owner=self,
        )

    def _on_note_saved(self, _note: NoteDetail) -> None:
        assert self.note_input is not None
        self.note_input.clear()  # cleared only once the note is safely stored
        self._ctx.bus.notes_changed.emit()
        self._ctx.bus.status_message.emit("Note saved.")
        self._load(True)

    def _on_note_failed(self, exc: BaseException) -> None:
        self.busy.set_busy(False)
        text = error_message(exc)
        if isinstance(exc, HrclinicError) and exc.field == "body":
            text = exc.message
        self.message.setText(text + " Your text is still here.")
        self.message.show()
