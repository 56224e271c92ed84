"""Background work: every database or key operation runs on one worker thread; the result comes
back to the GUI thread, where the view that asked (if it still exists) gets it. Views use it through
``ui.operations``; Python's cycle collector runs on the GUI thread only (``_GuiThreadCollector``).

``runner.submit(fn, on_success, on_error, owner=view)`` - reads and writes use the same call;
after a successful write the view emits the matching signal on the app bus.
"""

from __future__ import annotations

import gc
import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

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


class _GuiThreadCollector(QObject):
    """Python's cycle collector runs in whichever thread happens to allocate. On the worker it would
    free cycles of wrappers and delete the Qt objects they own (a table's model, a dialog), made on the
    GUI thread, from the wrong thread: Qt crashes. So automatic collection is turned off and this timer
    collects on the GUI thread instead, generation by generation as the interpreter would."""

    INTERVAL_MS = 500
    _installed: _GuiThreadCollector | None = None

    @classmethod
    def install(cls) -> None:
        """Once per process, on the application object (it lives as long as the GUI thread)."""
        app = QCoreApplication.instance()
        if cls._installed is None and app is not None:
            cls._installed = cls(app)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect the generations that are due."""
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return
        generation = 0
        if counts[1] > self._thresholds[1]:
            generation = 2 if counts[2] > self._thresholds[2] else 1
        gc.collect(generation)


class _Relay:
    """What to call back on the GUI thread when a job ends. A plain object the runner keeps by job
    number: worker threads never hold a reference to it (nor to any widget), so nothing made on the
    GUI thread is ever released, let alone deleted, on the worker."""

    def __init__(
        self,
        on_success: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        owner: QObject | None,
    ) -> None:
        self.on_success = on_success
        self.on_error = on_error
        self.owner = owner

    def owner_alive(self) -> bool:
        return self.owner is None or shiboken6.isValid(self.owner)


class _Outcomes(QObject):
    """Lives on the GUI thread as long as the runner; workers emit here (queued) with a job number."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], number: int, outcomes: _Outcomes) -> None:
        super().__init__()
        self._fn: Callable[[], Any] | None = fn
        self._number = number
        self._outcomes = outcomes

    def run(self) -> None:
        fn, self._fn = self._fn, None
        assert fn is not None
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - every failure is handed to the GUI thread
            if not isinstance(exc, HrclinicError):
                log.error("background task failed:\n%s", traceback.format_exc())
            self._outcomes.failed.emit(self._number, exc.with_traceback(None))
        else:
            self._outcomes.succeeded.emit(self._number, result)


class TaskRunner(QObject):
    """One worker thread for all database and key work, so the window never freezes."""

    busy_changed = Signal(bool)
    finished = Signal()
    failed = Signal(str)  # errors nobody handled: the main window shows them

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        _GuiThreadCollector.install()  # no garbage collection on the worker
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: dict[int, _Relay] = {}
        self._numbers = itertools.count(1)
        self._outcomes = _Outcomes(self)
        self._outcomes.succeeded.connect(self._on_outcomes_succeeded)
        self._outcomes.failed.connect(self._on_outcomes_failed)

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
        number = next(self._numbers)
        was_busy = self.busy
        self._pending[number] = _Relay(on_success, on_error, owner)
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool.start(_Job(fn, number, self._outcomes))

    @Slot(int, object)
    def _on_outcomes_succeeded(self, number: int, result: object) -> None:
        relay = self._pending[number]
        try:
            if relay.on_success is not None and relay.owner_alive():
                relay.on_success(result)
        finally:
            self._finish(number)

    @Slot(int, object)
    def _on_outcomes_failed(self, number: int, exc: BaseException) -> None:
        relay = self._pending[number]
        try:
            if relay.owner_alive():
                if relay.on_error is not None:
                    relay.on_error(exc)
                else:
                    self.failed.emit(error_message(exc))
        finally:
            self._finish(number)

    def _finish(self, number: int) -> None:
        del self._pending[number]
        self.finished.emit()
        if not self._pending:
            self.busy_changed.emit(False)

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (shutdown only; the GUI never waits)."""
        return self._pool.waitForDone(msecs)
