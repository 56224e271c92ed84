"""Facts about the Qt binding the app relies on (guards against upgrading to a broken release)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal


def test_process_events_and_signals_do_not_leak_references_to_none(qapp) -> None:
    """PySide6 6.12.0 loses a reference to None per processEvents() call until Python aborts."""

    class Emitter(QObject):
        happened = Signal(object)

    emitter = Emitter()
    emitter.happened.connect(lambda _value: None)
    before = sys.getrefcount(None)
    for _ in range(2000):
        QCoreApplication.processEvents()
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
        emitter.happened.emit(None)
    assert abs(sys.getrefcount(None) - before) < 100


def test_the_pdf_viewer_modules_are_installed() -> None:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    assert QPdfDocument and QPdfView
