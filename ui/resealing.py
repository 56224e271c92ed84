"""After an owner or clinician logs in: values sealed by an earlier version are re-sealed (bound to
their person and author) in the background, one committed batch per task, so views stay responsive
and a lock (which destroys the workspace this lives in) simply stops it; the next log-in continues."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hrclinic.domain.vaults import VaultKind
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.reseal import (
    ResealCursor,
    audit_reseal_run,
    pending_legacy_count,
    pending_reseal_count,
    reseal_batch,
)
from ui.operations import Operations
from ui.tasks import error_message


class LegacyResealing(QObject):
    """Converts legacy sealed values a batch at a time on the worker thread."""

    finished = Signal(int)  # how many values were re-sealed

    def __init__(self, ops: Operations, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("legacy_resealing")
        self._ops = ops
        self._cursor = ResealCursor()
        self._done = 0
        self._total = 0

    def start(self) -> None:
        """Look for legacy values (only a holder of the clinical vault can convert them)."""

        def count(clinic: UnlockedClinic) -> int:
            if not clinic.sealer.can_open(VaultKind.CLINICAL):
                return 0
            return pending_reseal_count(clinic) if pending_legacy_count(clinic) else 0

        self._ops.query(self, count, self._on_counted).on_failure(self._on_failed).run_in_background()

    def _on_counted(self, total: int) -> None:
        if total:
            self._total = total
            self._ops.bus.status_message.emit(f"Updating the protection of {total:,} older entries…")
            self._next()

    def _next(self) -> None:
        cursor = self._cursor
        self._ops.query(self, lambda clinic: reseal_batch(clinic, cursor=cursor), self._on_batch).on_failure(
            self._on_failed
        ).run_in_background()

    def _on_batch(self, count: int) -> None:
        self._done += count
        if count:
            self._next()
            return
        cursor, done = self._cursor, self._done
        self._ops.command(
            self,
            lambda clinic: audit_reseal_run(clinic, cursor, resealed=done, reason="legacy"),
            None,
            lambda _: self._on_audited(),
        ).on_failure(self._on_failed).run_in_background()

    def _on_audited(self) -> None:
        problems = self._cursor.skipped
        text = f"Updated the protection of {self._done:,} older entries."
        if problems:
            text += f" {problems:,} could not be opened and were left as they are (see hrclinic verify)."
        self._ops.bus.status_message.emit(text)
        self.finished.emit(self._done)

    def _on_failed(self, exc: BaseException) -> None:
        """Stop; the next log-in continues where this stopped (quietly when the clinic was locked)."""
        if not self._ops.closed:
            self._ops.bus.status_message.emit(
                f"Updating the protection of older entries stopped: {error_message(exc)} "
                "It continues at the next log-in."
            )
