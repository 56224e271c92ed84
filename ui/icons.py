"""The app's SVG icons (Tabler outline set), tinted to the palette."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from hrclinic.paths import resource_path
from ui.theme import colours


@cache
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def _pixmap(name: str, colour: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", colour).encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str, colour: str | None = None, selected_colour: str | None = None) -> QIcon:
    """An icon in the text colour (or ``colour``); ``selected_colour`` for selected items."""
    c = colours()
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_pixmap(name, colour or c.text, size), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(name, c.muted, size), QIcon.Mode.Disabled)
        result.addPixmap(_pixmap(name, selected_colour or c.accent_text, size), QIcon.Mode.Selected)
    return result
