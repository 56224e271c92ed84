"""Flags: while a flag is open it is the focus. For now: what the overdose-risk checklist proposes."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from hrclinic.domain.vaults import UNOPENABLE_TEXT
from hrclinic.readmodels.flags import FlagProposalRow
from hrclinic.services.flags import flag_proposals
from ui.icons import icon
from ui.models import Column
from ui.operations import Changed, Kind, QueryOp
from ui.text import isolate
from ui.theme import colours
from ui.views import ViewContext
from ui.views.clients import STATUS_WORDS
from ui.views.record.dialog import open_record
from ui.views.table import FilterableTable, date_text
from ui.widgets import BusyBar, EmptyState, label, page_header

PROPOSAL_COLUMNS: list[Column[FlagProposalRow]] = [
    Column("No.", lambda r: str(r.record_number), lambda r: r.record_number),
    Column("Name", lambda r: r.preferred_name),
    Column(
        "Kind",
        lambda r: "Checklist to check" if r.unopenable else "Proposed: overdose risk",
        searchable=False,
    ),
    Column("Why", lambda r: f"\u26a0 {UNOPENABLE_TEXT}" if r.unopenable else "; ".join(r.reasons)),
    Column(
        "Checklist",
        lambda r: f"{date_text(r.screened_at)} · {isolate(r.screened_by)}",
        lambda r: r.screened_at,
        searchable=False,
    ),
    Column("Status", lambda r: STATUS_WORDS.get(r.status, r.status), searchable=False),
]


class FlagsView(QWidget):
    """People to review because their latest checklist suggests overdose risk; Enter opens the record."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("flags_view")
        self._ctx = ctx
        self.busy = BusyBar("flags_busy")
        legend = label(
            "\u26a0 Proposed by the overdose-risk checklist (an unscored list of risk factors), for a "
            "clinician to review with the person. A proposal is not a flag and decides nothing.",
            "muted",
            name="flags_legend",
        )
        self.list = FilterableTable(
            "flags",
            PROPOSAL_COLUMNS,
            placeholder="Filter by name, record number or reason",
            empty=EmptyState(
                "flag",
                "Nothing to review",
                "When someone's checklist answers suggest overdose risk (using alone, a recent break, mixing "
                "downers, an unknown supply, a past overdose, no naloxone), they appear here.",
                "flags_empty",
            ),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        header = page_header("Flags", "Safety first: review these with the person.")
        layout.addWidget(header)
        layout.addWidget(legend)
        layout.addWidget(self.busy)
        layout.addWidget(self.list, 1)
        self.list.activated.connect(self._on_list_activated)
        ctx.bus.changed.connect(self._on_bus_changed)
        self.setWindowIcon(icon("flag", colours().serious))
        self.refresh()

    def refresh(self) -> QueryOp:
        """Load in the background."""
        return (
            self._ctx.ops.query(self, flag_proposals, self._on_loaded)
            .with_busy(self.busy)
            .run_in_background()
        )

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.PERSON):
            self.refresh()

    def _on_loaded(self, rows: list[FlagProposalRow]) -> None:
        self.list.set_rows(rows)

    def _on_list_activated(self, row: FlagProposalRow) -> None:
        open_record(  # the clinical tab, with the checklist
            self._ctx,
            self,
            row.client_id,
            name=row.preferred_name,
            record_number=row.record_number,
            tab="clinical",
        )
