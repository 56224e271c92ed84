"""The record's Details tab: the registry details, editing them, and the engagement status (changing
it, or welcoming someone back in one step)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.engagement import CHOOSABLE, Engagement
from hrclinic.readmodels.people import PersonDetail
from hrclinic.services import registry
from hrclinic.services.clinic import UnlockedClinic
from ui.operations import Changed, Kind
from ui.text import isolate
from ui.views import ViewContext
from ui.widgets import BusyBar, label, primary_button

COMING_BACK = ("lost_contact", "paused", "moved_on")  # statuses from which "Welcome back" is offered


def _yes_no(value: bool | None) -> str:
    return "not asked" if value is None else ("yes" if value else "no")


def detail_rows(d: PersonDetail) -> list[tuple[str, str]]:
    """The details as caption and text, in the order a conversation goes."""
    emergency = (d.emergency_contact_name, d.emergency_contact_relationship, d.emergency_contact_phone)
    return [
        ("Legal name", d.legal_name),
        ("Other names", "; ".join(isolate(a) for a in d.aliases)),
        ("Date of birth", d.birth_text),
        ("Pronouns", d.pronouns),
        ("Gender", d.gender),
        ("Language", d.language),
        ("Phone", d.phone),
        ("E-mail", d.email),
        ("Address", d.address),
        ("Texts / voicemail", f"texts {_yes_no(d.may_text)}, voicemail {_yes_no(d.may_voicemail)}"),
        ("Safe-contact notes", d.safe_contact_notes),
        ("Emergency contact", " · ".join(isolate(x) for x in emergency if x)),
        ("Housing", d.housing_situation),
        ("Insurance", d.insurance),
        ("Heard of us", d.referral_source),
        ("Status", f"{Engagement(d.status).label}: {Engagement(d.status).explanation}"),
    ]


class DetailsPanel(QWidget):
    """Shows the person's details; its commands return the updated details (``person_changed``)."""

    person_changed = Signal(object)  # the PersonDetail a save returned

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, busy: BusyBar) -> None:
        super().__init__()
        self.setObjectName("details_panel")
        self._ctx, self._person_id, self._busy = ctx, person_id, busy
        self.detail: PersonDetail | None = None
        self.form = QFormLayout()
        self.message = label("", "error", name="details_error")
        self.message.hide()
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
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        actions.addWidget(self.status_combo)
        actions.addWidget(self.status_button)
        actions.addWidget(self.reengage_button)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addStretch(1)
        box.addWidget(self.message)
        box.addLayout(actions)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.status_button.clicked.connect(self._on_status_clicked)
        self.reengage_button.clicked.connect(self._on_reengage_clicked)

    def show_person(self, detail: PersonDetail) -> None:
        """Show ``detail`` (loaded with the record, or returned by a save)."""
        self.detail = detail
        while self.form.rowCount():
            self.form.removeRow(0)
        for caption, value in detail_rows(detail):
            shown = label(value or "\u2014", None if value else "muted")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label(caption, "muted", wrap=False), shown)
        self.reengage_button.setVisible(detail.status in COMING_BACK)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(detail.status)))
        for widget in (self.edit_button, self.status_button, self.status_combo):
            widget.setEnabled(detail.status != "merged")

    # --- actions --------------------------------------------------------------------------------

    def _run(self, work: Callable[[UnlockedClinic], PersonDetail], done: str) -> None:
        self.message.hide()
        self._ctx.ops.command(
            self, work, Changed(Kind.PERSON, self._person_id), self.person_changed.emit
        ).status(done).with_busy(self._busy, self.status_button, self.reengage_button).failure_in(
            self.message
        ).run_in_background()

    def _on_edit_clicked(self) -> None:
        if self.detail is None:
            return
        from ui.views.intake import IntakeDialog

        dialog = IntakeDialog(self._ctx, [], person=self.detail, parent=self)
        if dialog.exec() and isinstance(dialog.saved, PersonDetail):
            self.person_changed.emit(dialog.saved)

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
        person_id, version = self._person_id, self.detail.version
        self._run(
            lambda clinic: registry.change_status(
                clinic, person_id, wanted, reason=reason, expected_version=version
            ),
            f"Status changed to {Engagement(wanted).label.lower()}.",
        )

    def _on_reengage_clicked(self) -> None:
        person_id = self._person_id
        self._run(
            lambda clinic: registry.re_engage(clinic, person_id), "Welcome back: the record is active again."
        )
