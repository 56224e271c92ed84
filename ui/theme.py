"""Fusion with a restrained palette that follows the OS light/dark scheme, and one accent colour."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Colours:
    """The colours views may use by name (severity always comes with an icon and a word)."""

    window: str
    base: str
    alt_base: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    positive: str
    imminent: str
    serious: str
    watch: str
    quote_bar: str


LIGHT = Colours(
    window="#f5f6f8",
    base="#ffffff",
    alt_base="#f7f9fb",
    text="#1d242c",
    muted="#5d6a78",
    border="#d9dee4",
    accent="#2b6a9a",
    accent_text="#ffffff",
    positive="#2e7d4f",
    imminent="#b3261e",
    serious="#9a6400",
    watch="#2557a7",
    quote_bar="#9cc3de",
)
DARK = Colours(
    window="#1d2126",
    base="#15181c",
    alt_base="#1a1e23",
    text="#e4e8ec",
    muted="#9aa7b4",
    border="#343b44",
    accent="#5aa2d6",
    accent_text="#0d1620",
    positive="#6cc28f",
    imminent="#f2837a",
    serious="#e3b341",
    watch="#7fb0f5",
    quote_bar="#3f6f93",
)

_current = LIGHT


def colours() -> Colours:
    """The colours of the scheme in use."""
    return _current


def is_dark(app: QApplication) -> bool:
    """True when the OS asks for a dark scheme."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication) -> None:
    """Set Fusion, the palette and the style sheet; follow later OS scheme changes."""
    global _current
    app.setStyle("Fusion")
    _current = DARK if is_dark(app) else LIGHT
    c = _current
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base,
        QPalette.ColorRole.AlternateBase: c.alt_base,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.window,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text,
        QPalette.ColorRole.ToolTipBase: c.base,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted,
        QPalette.ColorRole.Link: c.accent,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(c))
    if not getattr(app, "_hrclinic_scheme_hooked", False):
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
        app._hrclinic_scheme_hooked = True  # type: ignore[attr-defined]


def heading_font(base: QFont, scale: float = 1.5, bold: bool = True) -> QFont:
    """A larger version of the system font for titles."""
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * scale)
    font.setBold(bold)
    return font


def style_sheet(c: Colours) -> str:
    """The app-wide style sheet: spacing on an 8 px grid, few borders."""
    return f"""
QListWidget#navigation {{
    background: {c.alt_base}; border: none; border-right: 1px solid {c.border};
    padding: 8px 4px; outline: 0;
}}
QListWidget#navigation::item {{ padding: 0 8px; margin: 1px 4px; border-radius: 6px; color: {c.text}; }}
QListWidget#navigation::item:selected {{ background: {c.accent}; color: {c.accent_text}; }}
QListWidget#navigation::item:hover:!selected {{ background: {c.border}; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="error"] {{ color: {c.imminent}; }}
QLabel[role="positive"] {{ color: {c.positive}; }}
QLabel[role="title"] {{ font-weight: 600; }}
QFrame[role="card"] {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 8px; }}
QFrame[role="recovery"] {{ background: {c.alt_base}; border: 2px solid {c.accent}; border-radius: 8px; }}
QLineEdit, QPlainTextEdit {{
    padding: 5px 6px; border: 1px solid {c.border}; border-radius: 5px; background: {c.base};
}}
QLineEdit:focus, QSpinBox:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: 1px solid {c.accent}; }}
QPlainTextEdit[ownWords="true"] {{ border-left: 4px solid {c.quote_bar}; padding-left: 8px; }}
QLabel[ownWords="true"] {{ border-left: 4px solid {c.quote_bar}; padding: 2px 0 2px 10px;
    font-style: italic; }}
QFrame[role="proposal"] {{ background: {c.alt_base}; border: 1px solid {c.serious}; border-radius: 6px; }}
QLineEdit[invalid="true"] {{ border: 1px solid {c.imminent}; }}
QPushButton {{ padding: 6px 14px; border-radius: 5px; border: 1px solid {c.border}; background: {c.base}; }}
QPushButton:hover {{ border-color: {c.accent}; }}
QPushButton:focus {{ border: 2px solid {c.accent}; }}
QPushButton[primary="true"] {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent}; }}
QPushButton[link="true"] {{ border: none; background: transparent; color: {c.accent}; padding: 4px 0;
    text-decoration: underline; }}
QPushButton[link="true"]:focus {{ border: none; outline: 1px dotted {c.accent}; }}
QPushButton[primary="true"]:disabled {{ background: {c.border}; color: {c.muted}; border-color: {c.border}; }}
QTableView {{ border: 1px solid {c.border}; border-radius: 6px; gridline-color: transparent;
    selection-background-color: {c.accent}; selection-color: {c.accent_text}; }}
QHeaderView::section {{ background: {c.alt_base}; border: none; border-bottom: 1px solid {c.border};
    padding: 6px 8px; font-weight: 600; }}
QStatusBar {{ border-top: 1px solid {c.border}; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QProgressBar {{ border: none; background: {c.border}; border-radius: 2px; max-height: 4px; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 2px; }}
"""
