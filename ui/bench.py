"""GUI timings for ``hrclinic bench``, measured through the real widgets (offscreen).

- client_search_keystroke: one more character typed into the Clients view's search box, until the
  model holds the new matches and the table has repainted.
- chart_open: the person's record (the chart) for the person with the most notes, from creating the
  dialog until its notes are on screen (the background load finished and the cards painted).
- cold_start: a fresh ``python -m ui.launcher`` process, from just before it is started until the
  log-in window has been shown and painted; with ``LOGIN_PROBE_ENV`` set the app prints the moment
  and quits (see ``arm_login_shown_probe``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrclinic.bench.run import GuiBenchRequest
    from ui.tasks import TaskRunner

LOGIN_PROBE_ENV = "HRCLINIC_BENCH_LOGIN_PROBE"
LOGIN_SHOWN_MARK = "hrclinic-bench-login-shown"


def _offscreen_unless_display() -> None:
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# --- cold start ----------------------------------------------------------------------------------


def arm_login_shown_probe() -> None:
    """Print ``LOGIN_SHOWN_MARK <epoch seconds>`` once the log-in window is shown and painted, then quit.

    Called by the launcher before the app starts when ``LOGIN_PROBE_ENV`` is set (benchmark only).
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from ui.main import make_application

    app = make_application()  # run_app reuses this instance

    class _Probe(QObject):
        def __init__(self) -> None:
            super().__init__(app)
            self.shown = False
            self.reported = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.reported or not isinstance(watched, QWidget):
                return False
            window = watched.window()
            if window.objectName() != "main_window":
                return False
            if event.type() == QEvent.Type.Show and watched is window:
                self.shown = True
            elif event.type() == QEvent.Type.Paint and self.shown:
                self.reported = True
                QTimer.singleShot(0, self._report)  # after this paint has finished
            return False

        def _report(self) -> None:
            print(f"{LOGIN_SHOWN_MARK} {time.time():.6f}", flush=True)
            QApplication.quit()

    app.installEventFilter(_Probe())
    QTimer.singleShot(30_000, QApplication.quit)  # never hang a benchmark


def measure_cold_start(clinic_dir: Path, repeat: int) -> list[float]:
    """Milliseconds from starting a fresh process to the painted log-in window (after one warm-up run)."""
    env = {**os.environ, LOGIN_PROBE_ENV: "1"}
    # An installed app runs from compiled bytecode (pip compiles at install, PyInstaller bundles .pyc);
    # a checkout run with PYTHONDONTWRITEBYTECODE would recompile every module on every start. So the
    # children share a private bytecode cache, filled by the warm-up run, without touching the venv.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(clinic_dir.parent / "pycache")
    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    samples = []
    for i in range(-1, repeat):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "ui.launcher", "--data-dir", str(clinic_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        marks = [line.split() for line in done.stdout.splitlines() if line.startswith(LOGIN_SHOWN_MARK)]
        if done.returncode != 0 or not marks:
            raise RuntimeError(f"the cold-start process did not show the log-in window: {done.stderr[-500:]}")
        if i >= 0:
            samples.append((float(marks[0][1]) - started) * 1000)
    return samples


# --- in-process widgets ------------------------------------------------------------------------------


def _wait_idle(runner: TaskRunner, timeout_ms: int = 120_000) -> None:
    """Return once the worker has delivered every result (no sleeps: an event loop until idle)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if not runner.busy:
        return
    loop = QEventLoop()

    def _on_busy_changed(busy: bool) -> None:
        if not busy:
            loop.quit()

    runner.busy_changed.connect(_on_busy_changed)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    runner.busy_changed.disconnect(_on_busy_changed)
    if runner.busy:
        raise RuntimeError("the background work did not finish in time")


def _dispose(widget: Any) -> None:
    """Close and delete a widget now, so its teardown is never timed as part of the next sample."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    widget.close()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def _type(widget: Any, ch: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    # per character: QTest.keyClicks aborts the interpreter on non-ASCII text
    QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def _keystrokes(view: Any, text: str, repeat: int) -> list[float]:
    from PySide6.QtWidgets import QApplication

    box = view.list.filter
    samples = []
    for i in range(-1, repeat):
        box.clear()
        QApplication.processEvents()
        box.setFocus()
        for ch in text:
            started = time.perf_counter()
            _type(box, ch)
            QApplication.processEvents()  # the table repaints with the new matches
            if i >= 0:
                samples.append((time.perf_counter() - started) * 1000)
        if box.text() != text or not view.list.model.rowCount():
            raise RuntimeError(f"typing {text!r} did not find the person (box shows {box.text()!r})")
    box.clear()
    QApplication.processEvents()
    return samples


def _chart_open(ctx: Any, person: Any, runner: TaskRunner, repeat: int) -> list[float]:
    from PySide6.QtWidgets import QApplication, QFrame

    from ui.views.record.dialog import RecordDialog

    samples = []
    for i in range(-1, repeat):
        started = time.perf_counter()
        dialog = RecordDialog.of(ctx, person)
        dialog.show()
        _wait_idle(runner)
        QApplication.processEvents()  # lay out and paint the notes
        took = (time.perf_counter() - started) * 1000
        if dialog.view.clinical is not None and not dialog.findChildren(QFrame, "note_card"):
            raise RuntimeError("the chart opened without its notes")
        _dispose(dialog)
        if i >= 0:
            samples.append(took)
    return samples


def _flags_open(ctx: Any, runner: TaskRunner, repeat: int) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from ui.views.flags import FlagsView

    samples = []
    for i in range(-1, repeat):
        started = time.perf_counter()
        view = FlagsView(ctx)
        view.resize(1180, 760)
        view.show()
        _wait_idle(runner)
        QApplication.processEvents()  # lay out and paint the list
        took = (time.perf_counter() - started) * 1000
        if not view.list.visible_rows():
            raise RuntimeError("the Flags view opened without proposals")
        _dispose(view)
        if i >= 0:
            samples.append(took)
    return samples


def run_gui_bench(request: GuiBenchRequest) -> dict[str, dict[str, list[float]]]:
    """Measure the GUI operations on every clinic of the request (and the cold start once)."""
    _offscreen_unless_display()
    from PySide6.QtWidgets import QApplication

    from ui.bus import AppBus
    from ui.main import make_application
    from ui.operations import Operations
    from ui.tasks import TaskRunner
    from ui.views import ViewContext
    from ui.views.clients import ClientsView

    make_application()
    runner, bus = TaskRunner(), AppBus()
    results: dict[str, dict[str, list[float]]] = {}
    for label, clinic in request.clinics.items():
        request.progress(f"Typing in the client search and opening the largest chart ({label}) ...")
        ctx = ViewContext(Operations(clinic, runner, bus))
        view = ClientsView(ctx)
        view.resize(1180, 760)
        view.show()
        _wait_idle(runner)
        QApplication.processEvents()
        person = next(r for r in view.rows if r.id == request.chart_person_id)
        results[label] = {
            "client_search_keystroke": _keystrokes(view, request.search_text, request.repeat),
            "chart_open": _chart_open(ctx, person, runner, request.repeat),
            "flags_view_open": _flags_open(ctx, runner, request.repeat),
        }
        _dispose(view)
    runner.wait_for_done()
    request.progress("Starting the app to its log-in window (fresh processes) ...")
    results.setdefault("sqlcipher", {})["cold_start"] = measure_cold_start(request.clinic_dir, request.repeat)
    return results
