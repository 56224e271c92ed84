"""Help > About lists the versions of what the app is built on, and the data folder."""

from __future__ import annotations

from ui.help_dialogs import AboutDialog


def test_about_lists_versions(qtbot, tmp_path) -> None:
    about = AboutDialog(tmp_path)
    qtbot.addWidget(about)
    from PySide6.QtWidgets import QLabel

    texts = [w.text() for w in about.findChildren(QLabel)]
    assert "SQLCipher" in texts and "hrclinic" in texts and str(tmp_path) in texts
