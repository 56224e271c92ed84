"""Automatic lock after N idle minutes (HIPAA automatic log-off), and the lock keys anywhere."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Watches every input event of the application; emits ``timed_out`` once after the limit."""

    timed_out = Signal()

    def __init__(
        self, minutes: int, clock: Callable[[], float] = time.monotonic, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._minutes = minutes
        self._last = clock()
        self._active = False
        self._timer = QTimer(self)
        self._timer.setInterval(5_000)
        self._timer.timeout.connect(self.check)

    @property
    def minutes(self) -> int:
        """The idle limit."""
        return self._minutes

    def set_minutes(self, minutes: int) -> None:
        """Change the limit (the owner's setting)."""
        self._minutes = minutes

    def start(self) -> None:
        """Start counting from now (after a log-in)."""
        self._last = self._clock()
        self._active = True
        self._timer.start()

    def stop(self) -> None:
        """Stop counting (while locked)."""
        self._active = False
        self._timer.stop()

    def seconds_left(self) -> float:
        """Seconds until the automatic lock."""
        return max(0.0, self._minutes * 60 - (self._clock() - self._last))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._active and event.type() in _ACTIVITY:
            self._last = self._clock()
        return False

    def check(self) -> None:
        """Lock when the limit has passed (called by the timer; tests call it directly)."""
        if self._active and self.seconds_left() <= 0:
            self.stop()
            self.timed_out.emit()


class LockKeys(QObject):
    """Sees the lock shortcut anywhere in the application, with a modal dialog open too (an
    application-wide QShortcut does not fire while a modal dialog has the focus)."""

    activated = Signal()

    def __init__(self, sequence: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sequence = sequence
        self.enabled = False  # only while unlocked: on the log-in page the keys stay ordinary keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.enabled and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if pressed.matches(self._sequence) == QKeySequence.SequenceMatch.ExactMatch:
                self.activated.emit()
                return True
        return False
