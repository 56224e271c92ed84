"""Low-threshold intake: one required field, everything else optional; possible duplicates offered
before saving; drafts survive closing the window, a lock and a crash. ``IntakeLayout`` builds the form;
this class checks, saves and keeps drafts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

from hrclinic.domain.intake import parse_birth
from hrclinic.domain.registry import PossibleDuplicate, possible_duplicates
from hrclinic.domain.roles import Permission, may
from hrclinic.errors import ValidationError
from hrclinic.readmodels.people import PersonDetail, PersonRow
from hrclinic.services import drafts, intake
from ui.operations import Changed, Kind
from ui.text import isolate
from ui.views import ViewContext
from ui.views.intake import values
from ui.views.intake.layout import IntakeLayout
from ui.widgets import set_invalid

DRAFT_KIND = "intake"
DRAFT_PAUSE_MS = 1500
DUPLICATE_PAUSE_MS = 250
DUPLICATE_KEYS = ("preferred_name", "legal_name", "birth", "phone")  # what a possible match is found by


def _person_changed(saved: PersonRow | PersonDetail) -> Changed:
    return Changed(Kind.PERSON, saved.id)


def duplicate_line(d: PossibleDuplicate) -> str:
    """One possible match, as the panel lists it."""
    legal = d.row.legal_name
    aka = f" ({isolate(legal)})" if legal and legal != d.row.preferred_name else ""
    return f"No. {d.row.record_number}  {isolate(d.row.preferred_name)}{aka}  ·  {d.reason}"


class IntakeDialog(IntakeLayout):
    """Register a person (or edit their details). Ctrl+S saves; Escape keeps the typing as a draft."""

    open_existing = Signal(object)  # uuid of a possible duplicate the person chose to open

    def __init__(
        self,
        ctx: ViewContext,
        rows: Sequence[PersonRow],
        *,
        person: PersonDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        clinician = may(ctx.actor.role, Permission.READ_CLINICAL)
        editing = isolate(person.preferred_name) if person else None
        super().__init__(ctx, editing=editing, clinician=clinician, parent=parent)
        self._ctx, self._rows, self._person = ctx, rows, person
        self._subject = str(person.id) if person else "new"
        self._dirty = False
        self._loading = True
        self.saved: PersonRow | PersonDetail | None = None
        self._draft_timer = self._timer(DRAFT_PAUSE_MS, self.save_draft)
        self._dup_timer = self._timer(DUPLICATE_PAUSE_MS, self.check_duplicates)
        self._wire()
        if person is not None:
            values.fill(self, person)
        self._loading = False
        self._load_draft()

    def _timer(self, msecs: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msecs)
        timer.timeout.connect(slot)
        return timer

    def _wire(self) -> None:
        for key, widget in self.fields.items():
            for signal_name in ("textChanged", "currentTextChanged", "currentIndexChanged"):
                signal = getattr(widget, signal_name, None)
                if signal is not None:
                    signal.connect(self._on_changed)
            if key in DUPLICATE_KEYS:
                widget.textChanged.connect(lambda _text: self._dup_timer.start())  # type: ignore[attr-defined]
        for box, note in self.need_boxes.values():
            box.toggled.connect(self._on_changed)
            note.textChanged.connect(self._on_changed)
        for combo in self.risk_boxes.values():
            combo.currentIndexChanged.connect(self._on_changed)
        self._ctx.bus.locking.connect(self._on_bus_locking)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.reject)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._on_save_clicked)
        self.field("birth").editingFinished.connect(self._check_birth)  # type: ignore[attr-defined]
        self.name.editingFinished.connect(self._check_name)

    # --- plain data -------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything typed, as plain data (for drafts)."""
        return values.state(self)

    def restore(self, data: dict[str, Any]) -> None:
        """Put a draft back into the form."""
        self._loading = True
        try:
            values.restore(self, data)
        finally:
            self._loading = False

    # --- checks at the field ----------------------------------------------------------------

    def _check_name(self) -> bool:
        problem = None if self.name.text().strip() else "Enter the name the person wants to be called."
        self.errors["preferred_name"].show_problem(problem)
        set_invalid(self.name, problem is not None)
        return problem is None

    def _check_birth(self) -> bool:
        problem = None
        try:
            parse_birth(values.text_of(self, "birth"), datetime.now().astimezone().date())
        except ValidationError as exc:
            problem = exc.message
        self.errors["birth"].show_problem(problem)
        set_invalid(self.fields["birth"], problem is not None)
        return problem is None

    def check_duplicates(self) -> list[PossibleDuplicate]:
        """Show people already registered who may be this person."""
        if self._person is not None:
            return []
        year = None
        try:
            year = parse_birth(values.text_of(self, "birth"), datetime.now().astimezone().date()).birth_year
        except ValidationError:
            pass
        found = possible_duplicates(
            self._rows,
            preferred_name=values.text_of(self, "preferred_name"),
            legal_name=values.text_of(self, "legal_name"),
            birth_year=year,
            phone=values.text_of(self, "phone"),
        )
        while self.duplicate_buttons.count():
            item = self.duplicate_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not found:
            self.duplicates.hide()
            self.not_duplicate.setChecked(False)
            return []
        lines = "\n".join(duplicate_line(d) for d in found)
        self.duplicates_text.setText(f"This person may already be registered:\n{lines}")
        for dup in found[:3]:
            button = QPushButton(f"Open No. {dup.row.record_number}")
            button.setObjectName(f"open_duplicate_{dup.row.record_number}")
            button.clicked.connect(lambda _c=False, pid=dup.row.id: self._open_existing(pid))
            self.duplicate_buttons.addWidget(button)
        self.duplicate_buttons.addStretch(1)
        self.duplicates.show()
        return found

    def _open_existing(self, person_id: object) -> None:
        self.open_existing.emit(person_id)
        self.save_draft()
        super().reject()

    # --- saving -----------------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        if not self.save_button.isEnabled():
            return
        if not all([self._check_name(), self._check_birth()]):
            self._show_form_error("Some answers need attention (shown in red).")
            return
        if self.check_duplicates() and not self.not_duplicate.isChecked():
            self._show_form_error(
                "Check the possible match above: open that record, or tick "
                "\u201cThis is a different person\u201d."
            )
            return
        self.form_error.hide()
        form, person = values.command(self), self._person
        if person is None:
            op = self._ctx.ops.command(
                self, lambda clinic: intake.register_person(clinic, form), _person_changed, self._on_saved
            ).status(lambda saved: f"Registered {isolate(saved.preferred_name)} (No. {saved.record_number}).")
        else:
            person_id, version = person.id, person.version
            op = self._ctx.ops.command(
                self,
                lambda clinic: intake.update_person(clinic, person_id, form, expected_version=version),
                _person_changed,
                self._on_saved,
            ).status("Details saved.")
        op.with_busy(self.busy, self.save_button).failure_in(
            self.form_error,
            fields=self.errors,
            inputs=self.fields,
            suffix=" Nothing you typed was lost.",
            field_summary="Some answers need attention (shown in red). Nothing was lost.",
        ).run_in_background()

    def _on_saved(self, result: PersonRow | PersonDetail) -> None:
        self.saved = result
        self._dirty = False
        self._draft_timer.stop()
        self._discard_draft()
        self.accept()

    def _show_form_error(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.show()

    # --- drafts -----------------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self._draft_timer.start()

    def save_draft(self) -> None:
        """Keep what is typed (sealed with the user's personal key) so closing or a crash loses nothing."""
        if not self._dirty:
            return
        payload, subject = json.dumps(self.state(), ensure_ascii=False), self._subject
        stamp = datetime.now().strftime("%H:%M")
        self._ctx.ops.command(
            self,
            lambda clinic: drafts.save_draft(clinic, DRAFT_KIND, payload, subject=subject),
            None,
            lambda _r: self._on_draft_saved(stamp),
        ).quietly().run_in_background()

    def _on_bus_locking(self) -> None:
        """The app is locking: keep what is typed as a sealed draft before the keys are forgotten."""
        if self.isVisible():
            self._draft_timer.stop()
            self.save_draft()

    def _on_draft_saved(self, stamp: str) -> None:
        self.draft_status.setText(f"Draft kept at {stamp}")
        self.discard_button.show()

    def _load_draft(self) -> None:
        subject = self._subject
        self._ctx.ops.query(
            self, lambda clinic: drafts.load_draft(clinic, DRAFT_KIND, subject=subject), self._on_draft_loaded
        ).quietly().run_in_background()

    def _on_draft_loaded(self, draft: drafts.Draft | None) -> None:
        if draft is None or self._dirty:
            return
        try:
            data = json.loads(draft.payload)
        except ValueError:
            return
        self.restore(data)
        when = draft.updated_at.astimezone().strftime("%d %b %H:%M")
        self.draft_status.setText(f"Restored what you typed at {when} (not saved yet).")
        self.discard_button.show()
        self.check_duplicates()

    def _discard_draft(self) -> None:
        subject = self._subject
        self._ctx.ops.command(
            self, lambda clinic: drafts.discard_draft(clinic, DRAFT_KIND, subject=subject), None
        ).quietly().run_in_background()

    def _on_discard_clicked(self) -> None:
        self._discard_draft()
        self._dirty = False
        self._draft_timer.stop()
        super().reject()

    def reject(self) -> None:
        """Closing keeps the typing as a draft (restored next time); it is never thrown away silently."""
        if self._dirty:
            self._draft_timer.stop()
            self.save_draft()
            self._ctx.bus.status_message.emit(
                "Your typing is kept as a draft; it comes back when you open the form again."
            )
        super().reject()
