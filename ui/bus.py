"""The app-wide signal bus: after a change succeeds, views decide for themselves whether to refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppBus(QObject):
    """Past-tense signals about what changed."""

    # after a successful command (ui.operations): one ui.operations.Changed saying the kind of thing
    # changed and whose; each view refreshes only for what it shows
    changed = Signal(object)
    # emitted on the GUI thread just before a lock forgets the keys: every editor stashes its
    # unsaved text now (it submits a sealed draft save; the one worker runs it before the lock)
    locking = Signal()
    lock_requested = Signal()  # a Lock button inside a dialog (a modal dialog blocks the window's own)
    session_locked = Signal()
    session_unlocked = Signal(object)  # the new session's ui.operations.Operations (never its keys)
    status_message = Signal(str)
