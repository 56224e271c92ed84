"""Key rotation in the background: one bounded step per task on the worker thread, with progress.

One rotation runs per session (``SessionRotation.of``): the Users view after a deactivation, Settings'
"Rotate keys now" and the check after log-in all go through it, so two rotations never interleave. A
lock closes the session and the next step fails quietly; the next log-in continues where it stopped.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from hrclinic.errors import PermissionDenied
from hrclinic.readmodels.keys import RotationProgress, RotationSummary
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.rotation import START_ALWAYS, KeyRotation, pending_rotation
from ui.operations import Operations
from ui.tasks import error_message
from ui.text import isolate
from ui.widgets import label

STEP_TEXT = {
    "started": "Changing the clinic's keys: new keys sealed for everyone…",
    "rekeyed": "Changing the clinic's keys: the database is under its new key…",
    "resealing": "Changing the clinic's keys: re-sealing clinical entries",
    "completed": "The clinic's keys were changed.",
    "waiting": "Changing the clinic's keys is not finished yet.",
}


def progress_text(progress: RotationProgress) -> str:
    """One line for a progress label."""
    text = STEP_TEXT.get(progress.step, "Changing the clinic's keys…")
    if progress.step == "resealing" and progress.total:
        text += f" ({progress.done:,} of {progress.total:,})…"
    return text


def summary_text(summary: RotationSummary) -> str:
    """What a finished run means for the people of the clinic, in plain words."""
    if summary.waiting:
        text = summary.waiting
    elif summary.completed:
        text = (
            "The clinic's keys were changed: an old copy of anyone's key ring no longer opens the "
            "clinic or anything written from now on."
        )
    else:
        text = "No key change was needed."
    if summary.unreachable:
        names = ", ".join(isolate(name) for name in summary.unreachable)
        text += (
            f" {names} could not be given the new keys (no log-in since this version of hrclinic): "
            "reset their passwords in Users."
        )
    return text


class SessionRotation(QObject):
    """The rotation of one session, stepped on the worker; views show its signals."""

    progressed = Signal(object)  # RotationProgress
    finished = Signal(object)  # RotationSummary
    failed = Signal(str)
    running_changed = Signal(bool)

    _sessions: weakref.WeakKeyDictionary[Operations, SessionRotation] = weakref.WeakKeyDictionary()

    def __init__(self, ops: Operations) -> None:
        super().__init__(QCoreApplication.instance())  # Qt-owned on the GUI thread until the lock

        self.setObjectName("session_rotation")
        self._session = weakref.ref(ops)  # never keeps a locked session (and its keys) alive
        ops.bus.session_locked.connect(self.deleteLater)
        self._rotation: KeyRotation | None = None
        self._paused = False
        self._again: str | None = None

    @classmethod
    def of(cls, ops: Operations) -> SessionRotation:
        """The one rotation runner of the session ``ops`` belongs to."""
        found = cls._sessions.get(ops)
        if found is None:
            found = cls(ops)
            cls._sessions[ops] = found
        return found

    @property
    def running(self) -> bool:
        """True while a rotation is being stepped."""
        return self._rotation is not None

    def start(self, *, rotate_now: bool = False) -> None:
        """Run what is pending (a rotation owed after a deactivation, or one left unfinished), or with
        ``rotate_now`` a new rotation; while one runs, the request follows it."""
        if self.running:
            self._again = START_ALWAYS if rotate_now else (self._again or "owed")
            return
        self._paused = False

        def make(clinic: UnlockedClinic) -> KeyRotation | None:
            if rotate_now:
                return KeyRotation(clinic, start=START_ALWAYS, reason="owner")
            return pending_rotation(clinic)

        self._rotation = None
        self.running_changed.emit(True)
        ops = self._session()
        if ops is None:
            self._stop()
            return
        ops.query(self, make, self._on_made).on_failure(self._on_failed).run_in_background()

    def pause(self) -> None:
        """Stop after the current step; the next log-in (or start) continues."""
        self._paused = True

    def _on_made(self, rotation: KeyRotation | None) -> None:
        if rotation is None:
            self._stop()
            return
        self._rotation = rotation
        self._next()

    def _next(self) -> None:
        rotation = self._rotation
        if rotation is None:
            return
        ops = self._session()
        if ops is None:
            self._stop()
            return
        ops.query(self, lambda _clinic: rotation.step(), self._on_step).on_failure(
            self._on_failed
        ).run_in_background()

    def _on_step(self, progress: RotationProgress) -> None:
        self.progressed.emit(progress)
        rotation = self._rotation
        if rotation is None:
            return
        if progress.finished or self._paused:
            summary = rotation.summary()
            if self._paused and not progress.finished:
                summary = RotationSummary(
                    summary.started,
                    summary.completed,
                    summary.delivered,
                    summary.unreachable,
                    summary.resealed,
                    summary.unopenable,
                    "Changing the clinic's keys was paused; it continues at the next log-in.",
                )
            self._stop()
            self.finished.emit(summary)
            self._say(summary_text(summary))
            again, self._again = self._again, None
            if again is not None and not self._paused:
                self.start(rotate_now=again == START_ALWAYS)
            return
        self._next()

    def _on_failed(self, exc: BaseException) -> None:
        self._stop()
        ops = self._session()
        if ops is None or ops.closed:
            return  # locked: the next log-in continues
        if isinstance(exc, PermissionDenied):  # refused before anything changed; it says what to do
            text = error_message(exc)
        else:
            text = (
                f"Changing the clinic's keys stopped: {error_message(exc)} It continues at the next log-in."
            )
        self.failed.emit(text)
        self._say(text)

    def _say(self, text: str) -> None:
        ops = self._session()
        if ops is not None:
            ops.bus.status_message.emit(text)

    def _stop(self) -> None:
        self._rotation = None
        self.running_changed.emit(False)


class RotationProgressView(QWidget):
    """A label, a progress bar and a Pause button that follow the session's rotation."""

    def __init__(self, rotation: SessionRotation, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.text = label("", "muted", name=f"{name}_text")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}_bar")
        self.bar.setAccessibleName("Key change progress")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName(f"{name}_pause")
        self.pause_button.setToolTip("Stop after the current step; it continues at the next log-in")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.pause_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.pause_button.clicked.connect(rotation.pause)
        rotation.progressed.connect(self._on_rotation_progressed)
        rotation.running_changed.connect(self._on_rotation_running_changed)
        rotation.finished.connect(self._on_rotation_finished)
        rotation.failed.connect(self.text.setText)
        self.bar.setVisible(False)
        self.pause_button.setVisible(False)
        self.text.setVisible(False)
        if rotation.running:
            self._on_rotation_running_changed(True)

    def _on_rotation_running_changed(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.pause_button.setVisible(running)
        self.text.setVisible(True if running else bool(self.text.text()))
        if running:
            self.bar.setRange(0, 0)
            self.text.setText("Changing the clinic's keys…")

    def _on_rotation_progressed(self, progress: RotationProgress) -> None:
        self.text.setText(progress_text(progress))
        if progress.step == "resealing" and progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
        else:
            self.bar.setRange(0, 0)

    def _on_rotation_finished(self, summary: RotationSummary) -> None:
        self.text.setText(summary_text(summary))
        self.text.setVisible(True)


def watch_after_login(ops: Operations) -> SessionRotation:
    """After log-in: finish or start whatever rotation this user should (status-bar messages only)."""
    rotation = SessionRotation.of(ops)
    rotation.start()
    return rotation
