"""The record's shell: header, a strip reserved for the open-flags banner, and the section tabs.

A plain widget: today a dialog hosts it (``RecordDialog``); the chart issue hosts the same widget in a
main-window tab. It loads the person's details once (one audited view) and hands them to the panels
that show parts of them; the Clinical and Consents panels load their own data. After a save a panel
updates from the read model the service returned, and the change goes out on the bus for other views.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from hrclinic.domain.engagement import Engagement
from hrclinic.domain.roles import Permission, may
from hrclinic.readmodels.people import PersonDetail
from hrclinic.services import registry
from ui.operations import Changed, Kind, QueryOp
from ui.text import isolate
from ui.views import ViewContext
from ui.views.record.clinical import ClinicalPanel, clinical_hidden
from ui.views.record.consents import ConsentsPanel
from ui.views.record.details import DetailsPanel
from ui.views.record.history import HistoryPanel
from ui.views.record.needs import NeedsPanel
from ui.views.table import date_text
from ui.widgets import BusyBar, label, title

TABS = ("details", "needs", "consents", "clinical", "history")


def meta_text(detail: PersonDetail) -> str:
    """The line under the name: record number, status, pronouns, birth, registration."""
    bits = [f"No. {detail.record_number}", Engagement(detail.status).label]
    if detail.pronouns:
        bits.append(isolate(detail.pronouns))
    if detail.birth_text:
        bits.append(f"born {detail.birth_text}")
    bits.append(f"registered {date_text(detail.created_at)}")
    return " · ".join(bits)


class RecordView(QWidget):
    """One person's record: Details, Needs, Consents, Clinical (clinicians only) and History."""

    person_loaded = Signal(object)  # PersonDetail: loaded, or returned by a save

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
        self.setObjectName("record_view")
        self._ctx, self.person_id = ctx, person_id
        self.detail: PersonDetail | None = None
        self.name_label = title(isolate(name), 1.6, name="record_name")
        self.header_actions = QHBoxLayout()
        self.meta = label(f"No. {record_number}", "muted", name="record_meta")
        self.flags_strip = QFrame()  # reserved: the open-flags banner sits here, always visible
        self.flags_strip.setObjectName("flags_strip")
        self.flags_strip.hide()
        self.busy = BusyBar("record_busy")
        self.message = label("", "error", name="record_error")
        self.message.hide()
        self.details = DetailsPanel(ctx, person_id, self.busy)
        self.needs = NeedsPanel(ctx, person_id, self.busy)
        self.consents = ConsentsPanel(ctx, person_id, name)
        readable = may(ctx.actor.role, Permission.READ_CLINICAL)
        self.clinical = ClinicalPanel(ctx, person_id, self.busy) if readable else None
        self.history = HistoryPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("record_tabs")
        for panel, caption in (
            (self.details, "Details"),
            (self.needs, "Needs"),
            (self.consents, "Consents"),
            (self.clinical or clinical_hidden(), "Clinical"),
            (self.history, "History"),
        ):
            self.tabs.addTab(panel, caption)
        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addLayout(self.header_actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addLayout(header)
        layout.addWidget(self.meta)
        layout.addWidget(self.flags_strip)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        if self.clinical is not None:
            self.show_tab("clinical")
        self.details.person_changed.connect(self.show_person)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.load()

    def add_header_action(self, widget: QWidget) -> None:
        """Put a control at the right of the name (the dialog's Lock button)."""
        self.header_actions.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)

    def show_tab(self, key: str) -> None:
        """Bring a section to the front: details, needs, consents, clinical or history."""
        self.tabs.setCurrentIndex(TABS.index(key))

    def load(self) -> QueryOp:
        """Open the person's details (one audited view of the record) for the panels that show them."""
        person_id = self.person_id
        self.loading = (
            self._ctx.ops.query(
                self, lambda clinic: registry.person_detail(clinic, person_id), self.show_person
            )
            .with_busy(self.busy)
            .failure_in(self.message)
            .run_in_background()
        )
        return self.loading

    def show_person(self, detail: PersonDetail) -> None:
        """Show ``detail`` in the header and every panel made from it."""
        self.detail = detail
        self.name_label.setText(isolate(detail.preferred_name))
        self.meta.setText(meta_text(detail))
        self.details.show_person(detail)
        self.needs.show_needs(detail.needs, editable=detail.status != "merged")
        self.history.show_person(detail)
        if self.clinical is not None:
            self.clinical.show_person(detail)
        self.person_loaded.emit(detail)

    def _on_bus_changed(self, change: Changed) -> None:
        """The person was changed elsewhere (another window, a merge): show them as they are now."""
        if change.about(Kind.PERSON, Kind.NEED, person_id=self.person_id) and not change.came_from(self):
            self.load()
