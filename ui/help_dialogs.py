"""Help > Keyboard shortcuts and Help > About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from hrclinic.versions import versions
from ui.widgets import label, title

SHORTCUTS = [
    ("Ctrl+1 … Ctrl+6", "Go to Today, Clients, Caseload, Flags, Users, Settings (as your role allows)"),
    ("Ctrl+L", "Lock now (hides every record until someone logs in)"),
    ("Ctrl+N", "New: register a person (Clients) or add a user (Users)"),
    ("Ctrl+F", "Find: the filter box of the list"),
    ("Ctrl+B", "Book an appointment (Today)"),
    ("Ctrl+Shift+W", "Walk-in check-in (Today)"),
    ("Ctrl+I", "Check in the selected appointment"),
    ("Ctrl+M", "Move the selected appointment"),
    ("Ctrl+Z", "Undo a check-in, no-show or late cancel"),
    ("Alt+Left / Alt+Right / Alt+Home", "Previous day, next day, today"),
    ("Enter", "Open the selected row"),
    ("Esc", "Clear the filter, or close a dialog (asking if something would be lost)"),
    ("Ctrl+S", "Save the form or dialog"),
    ("F1", "This list"),
    ("Ctrl+Q", "Log out and quit"),
]


class _InfoDialog(QDialog):
    def __init__(
        self, name: str, heading: str, rows: list[tuple[str, str]], parent: QWidget | None, intro: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(heading)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(title(heading, 1.3))
        if intro:
            layout.addWidget(label(intro, "muted"))
        form = QFormLayout()
        form.setSpacing(6)
        for key, value in rows:
            form.addRow(label(key, "title", wrap=False), label(value))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ShortcutsDialog(_InfoDialog):
    """Every keyboard shortcut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "shortcuts_dialog",
            "Keyboard shortcuts",
            SHORTCUTS,
            parent,
            "Every action can be reached by keyboard; Tab moves through a form in reading order.",
        )


class AboutDialog(_InfoDialog):
    """Versions and where the data lives."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        rows = [*versions(), ("Data folder", str(data_dir))]
        super().__init__(
            "about_dialog",
            "About hrclinic",
            rows,
            parent,
            "The treatment and psychotherapy record of a harm-reduction clinic. Records are kept on this "
            "computer, encrypted with SQLCipher; clinical content is sealed again in vaults only "
            "clinicians hold.",
        )
