"""Small shared widgets: password fields, a strength meter, field errors, a busy bar, headers."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.accounts import assess_password
from ui.icons import icon
from ui.theme import colours, heading_font

# zxcvbn's 0-4 score in words; a new password needs 3 (hrclinic.domain.accounts.MIN_PASSWORD_SCORE)
STRENGTH_WORDS = ["Very weak", "Weak", "Not strong enough", "Strong", "Very strong"]


def label(text: str, role: str | None = None, *, wrap: bool = True, name: str | None = None) -> QLabel:
    """A label with an optional style role (muted, error, positive, title)."""
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    return widget


def title(text: str, scale: float = 1.6, name: str | None = None, *, wrap: bool = True) -> QLabel:
    """A large heading."""
    widget = label(text, wrap=wrap, name=name)
    widget.setFont(heading_font(widget.font(), scale))
    return widget


def primary_button(text: str, name: str) -> QPushButton:
    """The one main action of a form or dialog."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setProperty("primary", True)
    button.setDefault(True)
    button.setAccessibleName(text.replace("&", ""))
    return button


def lock_button(bus: QObject) -> QPushButton:
    """A Lock button for a dialog that shows client data: a modal dialog blocks the main window's
    own Lock button, so each such dialog carries one (``bus``: the app bus, with ``lock_requested``)."""
    button = QPushButton(icon("lock"), "Lock")
    button.setObjectName("dialog_lock")
    button.setToolTip("Lock now (Ctrl+L)")
    button.setAccessibleName("Lock now")
    button.setAutoDefault(False)
    button.clicked.connect(bus.lock_requested)  # type: ignore[attr-defined]
    return button


def set_invalid(field: QWidget, invalid: bool) -> None:
    """Mark a field as holding a problem (red border) and re-polish its style."""
    field.setProperty("invalid", invalid)
    field.style().unpolish(field)
    field.style().polish(field)


class FieldError(QLabel):
    """The message shown under a field, in words, when the field is left."""

    def __init__(self, name: str) -> None:
        super().__init__("")
        self.setObjectName(name)
        self.setProperty("role", "error")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_problem(self, problem: str | None) -> None:
        """Show ``problem``, or hide when None."""
        self.setText(problem or "")
        self.setVisible(bool(problem))


class PasswordField(QLineEdit):
    """A password entry with a show/hide toggle."""

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self._toggle = QAction(icon("eye"), "Show password", self)
        self._toggle.setCheckable(True)
        self._toggle.toggled.connect(self._on_toggle_toggled)
        self.addAction(self._toggle, QLineEdit.ActionPosition.TrailingPosition)

    def _on_toggle_toggled(self, shown: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self._toggle.setIcon(icon("eye-off" if shown else "eye"))
        self._toggle.setText("Hide password" if shown else "Show password")


class StrengthMeter(QWidget):
    """Shows how strong a new password is, and why a weak one is refused."""

    changed = Signal(int)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Password strength")
        self.text = label("", "muted", name=f"{name}_text")
        layout.addWidget(self.bar)
        layout.addWidget(self.text)
        self.score = 0

    def update_for(self, password: str, username: str = "") -> None:
        """Recompute for the password being typed: the estimator's score and its advice in words."""
        assessment = assess_password(password, username=username) if password else None
        self.score = assessment.score if assessment else 0
        self.bar.setValue(self.score)
        c = colours()
        colour = c.imminent if self.score <= 1 else (c.serious if self.score == 2 else c.positive)
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        if assessment is None:
            text = "Use a few words together: long is stronger than complicated."
        else:
            detail = assessment.problem or assessment.advice
            text = f"{STRENGTH_WORDS[self.score]}. {detail}" if detail else f"{STRENGTH_WORDS[self.score]}."
        self.text.setText(text)
        self.bar.setAccessibleDescription(text)
        self.changed.emit(self.score)


class BusyBar(QProgressBar):
    """A thin indeterminate bar shown in place while something runs (``ui.operations`` counts the
    operations using it: shown while any of them runs)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setAccessibleName("Working")
        self.setVisible(False)
        self._running = 0

    def begin(self) -> None:
        """One more thing runs."""
        self._running += 1
        self.setVisible(True)

    def end(self) -> None:
        """One thing finished; hidden when nothing else runs."""
        self._running = max(0, self._running - 1)
        self.setVisible(self._running > 0)

    def set_busy(self, busy: bool) -> None:
        """Show or hide (for work not run through ``ui.operations``: the log-in page)."""
        self.setVisible(busy)


class EmptyState(QFrame):
    """What a list shows when it has nothing: what to do next."""

    def __init__(self, icon_name: str, heading: str, hint: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        glyph = QLabel()
        glyph.setPixmap(icon(icon_name, colours().muted).pixmap(48, 48))
        glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(glyph)
        self.heading = title(heading, 1.2)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.heading)
        self.hint = label(hint, "muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)
        layout.addStretch(2)


def page_header(heading: str, subtitle: str = "", *actions: QWidget) -> QWidget:
    """A view's title row with its main actions on the right."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 8)
    texts = QVBoxLayout()
    texts.addWidget(title(heading, 1.5, wrap=False))
    if subtitle:
        texts.addWidget(label(subtitle, "muted"))
    row.addLayout(texts, 1)
    for action in actions:
        row.addWidget(action, 0, Qt.AlignmentFlag.AlignBottom)
    return box
