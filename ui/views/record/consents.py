"""The record's Consents tab: the person's consents with each one's state in words, adding one (a form
that shows only the chosen kind's fields), revoking, printing the paper form and noting the signed copy.
A save updates the list from the consent the service returned."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.consents import (
    ConsentState,
)
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.services import consents
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.settings import clinic_summary
from ui.operations import Changed, Kind, QueryOp
from ui.tasks import error_message
from ui.views import ViewContext
from ui.views.record.consent_date_dialog import ConsentDateDialog
from ui.views.record.consent_form import ConsentDialog
from ui.views.record.consent_parts import CONSENT_COLUMNS
from ui.views.table import FilterableTable
from ui.widgets import BusyBar, EmptyState, label, primary_button, title


class ConsentsPanel(QWidget):
    """One person's consents, to be embedded as a tab of their record."""

    def __init__(self, ctx: ViewContext, client_id: uuid.UUID, person_name: str) -> None:
        super().__init__()
        self.setObjectName("consents_panel")
        self._ctx, self._client_id, self._person_name = ctx, client_id, person_name
        self._clinic_name = ""
        self._rows: list[ConsentDetail] = []
        self.add_button = primary_button("Add consent", "add_consent")
        self.add_button.setToolTip("Add a consent (Ctrl+N)")
        self.revoke_button = QPushButton("Revoke…")
        self.revoke_button.setObjectName("revoke_consent")
        self.print_button = QPushButton("Print form (PDF)…")
        self.print_button.setObjectName("print_consent")
        self.signed_copy_button = QPushButton("Signed copy received…")
        self.signed_copy_button.setObjectName("signed_copy_received")
        self.list = FilterableTable(
            "consents",
            CONSENT_COLUMNS,
            placeholder="Filter consents",
            empty=EmptyState(
                "shield-check",
                "No consents recorded",
                "Add a consent (Ctrl+N): consent to treatment, to contact, or to share records.",
                "consents_empty",
            ),
            no_match="No consent matches the filter.",
        )
        self.busy = BusyBar("consents_busy")
        self.message = label("", "muted", name="consents_message")
        self.message.hide()
        actions = QHBoxLayout()
        actions.addWidget(title("Consents", 1.15))
        actions.addStretch(1)
        for button in (self.revoke_button, self.print_button, self.signed_copy_button, self.add_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(actions)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        self.add_button.clicked.connect(self.add_consent)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.print_button.clicked.connect(self.print_selected)
        self.signed_copy_button.clicked.connect(self.record_signed_copy)
        self.list.activated.connect(self._on_list_activated)
        self.list.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.list.model.modelReset.connect(self._update_buttons)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_consent)
        ctx.bus.changed.connect(self._on_bus_changed)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> QueryOp:
        """Load this person's consents (and the clinic's name, for pre-filling forms)."""
        client_id = self._client_id

        def load(clinic: UnlockedClinic) -> tuple[str, list[ConsentDetail]]:
            return clinic_summary(clinic).name, consents.list_consents(clinic, client_id)

        self.loading = (
            self._ctx.ops.query(self, load, self._on_loaded)
            .with_busy(self.busy)
            .on_failure(self._on_failed)
            .run_in_background()
        )
        return self.loading

    def _on_bus_changed(self, change: Changed) -> None:
        """Consents changed elsewhere (this panel's own changes update it from what the service returned)."""
        if change.about(Kind.CONSENT, person_id=self._client_id) and not change.came_from(self):
            self.refresh()

    def rows(self) -> list[ConsentDetail]:
        """The consents shown, in the order shown."""
        return self.list.visible_rows()

    def _on_loaded(self, loaded: tuple[str, list[ConsentDetail]]) -> None:
        self._clinic_name, rows = loaded
        self._rows = list(rows)
        self.list.set_rows(self._rows)

    def _on_failed(self, exc: BaseException) -> None:
        self._say(error_message(exc), error=True)

    def _put(self, consent: ConsentDetail) -> None:
        """Show one consent as the service returned it: in its place, or first when new (newest first)."""
        at = next((i for i, row in enumerate(self._rows) if row.id == consent.id), None)
        if at is None:
            self._rows.insert(0, consent)
        else:
            self._rows[at] = consent
        self.list.set_rows(self._rows)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setProperty("role", "error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.list.selected()
        self.print_button.setEnabled(chosen is not None)
        self.revoke_button.setEnabled(
            chosen is not None and chosen.state in (ConsentState.ACTIVE, ConsentState.EXPIRED)
        )
        self.signed_copy_button.setEnabled(chosen is not None and chosen.state is not ConsentState.REVOKED)

    def _changed(self, consent: ConsentDetail, text: str) -> None:
        self._ctx.bus.status_message.emit(text)
        self._say(text)
        self._put(consent)

    # --- actions -------------------------------------------------------------------------

    def add_consent(self) -> None:
        """Open the form for a new consent."""
        self._open_form(None)

    def _open_form(self, draft: ConsentDetail | None) -> None:
        dialog = ConsentDialog(self._ctx, self._client_id, self._person_name, self._clinic_name, draft, self)
        if dialog.exec() and dialog.saved is not None:
            saved = dialog.saved
            word = "saved as a draft" if saved.state is ConsentState.DRAFT else "recorded"
            self._changed(saved, f"{saved.kind.label} {word}.")

    def _on_list_activated(self, consent: ConsentDetail) -> None:
        if consent.state is ConsentState.DRAFT:
            self._open_form(consent)
        else:
            self._say(consents.ACTIVE_NOT_EDITED)

    def revoke_selected(self) -> None:
        """Record that the person revoked the selected consent."""
        chosen = self.list.selected()
        if chosen is None:
            return
        dialog = ConsentDateDialog(
            "Revoke a consent",
            f"{chosen.kind.label}. The consent is kept in the record and shown as revoked.",
            "date the revocation was received",
            "Record revocation",
            self,
        )
        dialog.setObjectName("revoke_dialog")
        how = dialog.add_how()
        consent_id, version = chosen.id, chosen.version

        def go() -> None:
            if not dialog.day.check():
                return
            day, how_text = dialog.day.value(), how.currentText()
            dialog.run(
                self._ctx.ops.command(
                    dialog,
                    lambda clinic: consents.revoke_consent(
                        clinic, consent_id, day, how_text, expected_version=version
                    ),
                    self._consent_changed,
                )
            )

        dialog.ok.clicked.connect(go)
        QShortcut(QKeySequence.StandardKey.Save, dialog, activated=go)
        if dialog.exec() and dialog.result_detail is not None:
            self._changed(dialog.result_detail, f"{chosen.kind.label}: revocation recorded.")

    def record_signed_copy(self) -> None:
        """Note the date the signed paper copy came back."""
        chosen = self.list.selected()
        if chosen is None:
            return
        dialog = ConsentDateDialog(
            "Signed copy received",
            f"{chosen.kind.label}. Keep the signed paper with the person's file.",
            "date the signed copy was received",
            "Record",
            self,
        )
        dialog.setObjectName("signed_copy_dialog")
        consent_id, version = chosen.id, chosen.version

        def go() -> None:
            if not dialog.day.check():
                return
            day = dialog.day.value()
            dialog.run(
                self._ctx.ops.command(
                    dialog,
                    lambda clinic: consents.record_signed_copy(
                        clinic, consent_id, day, expected_version=version
                    ),
                    self._consent_changed,
                )
            )

        dialog.ok.clicked.connect(go)
        QShortcut(QKeySequence.StandardKey.Save, dialog, activated=go)
        if dialog.exec() and dialog.result_detail is not None:
            self._changed(dialog.result_detail, f"{chosen.kind.label}: signed copy recorded.")

    def _consent_changed(self, _consent: ConsentDetail) -> Changed:
        return Changed(Kind.CONSENT, self._client_id)

    def print_selected(self) -> None:
        """Save the selected consent's form as a PDF, to print for a wet signature."""
        chosen = self.list.selected()
        if chosen is None:
            return
        safe = re.sub(r"[^\w-]+", "-", f"consent-{self._person_name}-{chosen.kind.value}").strip("-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the consent form", str(Path.home() / f"{safe[:80]}.pdf"), "PDF documents (*.pdf)"
        )
        if not path:
            return
        consent_id, target = chosen.id, Path(path)

        def print_form(clinic: UnlockedClinic) -> tuple[Path, ConsentDetail]:
            written = consents.print_consent_form(clinic, consent_id, target)
            return written, consents.get_consent(clinic, consent_id)  # now marked printed

        self._ctx.ops.command(self, print_form, self._consent_changed, self._on_printed).with_busy(
            self.busy
        ).on_failure(self._on_failed).run_in_background()

    def _on_printed(self, printed: tuple[Path, ConsentDetail]) -> None:
        written, consent = printed
        self._changed(consent, f"Consent form saved to {written}. Print it for signing.")
