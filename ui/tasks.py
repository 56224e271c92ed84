"""Background work: every database or key operation runs on one worker thread; the result comes
back to the GUI thread, where the view that asked (if it still exists) gets it.

``runner.submit(fn, on_success, on_error, owner=view)`` - reads and writes use the same call;
after a successful write the view emits the matching signal on the app bus.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from hrclinic.errors import HrclinicError

log = logging.getLogger("hrclinic.ui")


def error_message(exc: BaseException) -> str:
    """The sentence to show a person for an error."""
    if isinstance(exc, HrclinicError):
        return exc.message
    return (
        f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Nothing you typed has been "
        "lost; try again, and if it keeps happening, tell the clinic's owner."
    )


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call back here."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        on_success: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        owner: QObject | None,
    ) -> None:
        super().__init__()
        self._runner = runner
        self._on_success = on_success
        self._on_error = on_error
        self._owner = owner
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_error)

    def _owner_alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        try:
            if self._on_success is not None and self._owner_alive():
                self._on_success(result)
        finally:
            self._runner._finish(self)

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        try:
            if not self._owner_alive():
                return
            if self._on_error is not None:
                self._on_error(exc)
            else:
                self._runner.failed.emit(error_message(exc))
        finally:
            self._runner._finish(self)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - every failure is handed to the GUI thread
            if not isinstance(exc, HrclinicError):
                log.error("background task failed:\n%s", traceback.format_exc())
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """One worker thread for all database and key work, so the window never freezes."""

    busy_changed = Signal(bool)
    finished = Signal()
    failed = Signal(str)  # errors nobody handled: the main window shows them

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: set[_Relay] = set()

    @property
    def busy(self) -> bool:
        """True while any task is queued or running."""
        return bool(self._pending)

    def submit(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Run ``fn`` on the worker; call back on the GUI thread unless ``owner`` was destroyed."""
        relay = _Relay(self, on_success, on_error, owner)
        was_busy = self.busy
        self._pending.add(relay)
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool.start(_Job(fn, relay))

    def _finish(self, relay: _Relay) -> None:
        self._pending.discard(relay)
        relay.deleteLater()
        self.finished.emit()
        if not self._pending:
            self.busy_changed.emit(False)

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (shutdown only; the GUI never waits)."""
        return self._pool.waitForDone(msecs)
