"""The one page template every hrclinic PDF uses.

A report builds a list of flowables from a read model and hands it to :func:`render_pdf` with a
:class:`PageSetup`; the template supplies the rest, the same way on every document:

* the embedded fonts (DejaVu Sans, with WenQuanYi Micro Hei for CJK runs; see ``fonts.py``);
* a header on every page: the clinic's name on the left, the document's title on the right;
* a footer on every page: the report's own line (a form reference, say), an optional notice line
  (a consent's 42 CFR Part 2 short notice) and "Page N of M";
* one style sheet (:func:`style_sheet`) and the colours below, so letters, forms and exports match.

Every user-supplied string goes through :func:`markup` (the one escaping helper) before it enters
Paragraph markup; :func:`user_paragraph` and :func:`field_table` do it for you, and the header
and footer do it for the clinic's name and the footer lines. Only text written in this code may
carry markup of its own (``<b>``, ``<br/>``).

ReportLab is imported lazily inside the functions: nothing happens at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from hrclinic.reports.fonts import BODY_FONT, BOLD_FONT, markup, register_fonts

__all__ = [
    "ACCENT",
    "CONTENT_WIDTH",
    "DANGER",
    "INK",
    "MM",
    "MUTED",
    "RULE",
    "SHADE",
    "WARNING",
    "PageSetup",
    "StyleSheet",
    "boxed",
    "field_table",
    "markup",
    "render_pdf",
    "style_sheet",
    "user_paragraph",
]

MM = 72 / 25.4  # points per millimetre
PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0  # US Letter, as reportlab.lib.pagesizes.LETTER
MARGIN_X = 20 * MM
MARGIN_TOP = 18 * MM  # leaves room for the header
MARGIN_BOTTOM = 19 * MM  # leaves room for two footer lines
_HEADER_TOP = PAGE_HEIGHT - 8 * MM
_FOOTER_RULE = 14 * MM
_FOOTER_LINE = _FOOTER_RULE - 1.5 * MM - 7.5  # baseline of the first footer line
_FRAME_PADDING = 6  # platypus frames keep 6 pt on each side
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X - 2 * _FRAME_PADDING

INK = "#1d2a33"
ACCENT = "#1f5f8b"
RULE = "#b8c4cc"
SHADE = "#eef3f6"
MUTED = "#5b6770"
WARNING = "#9a5b00"
DANGER = "#8b2f1f"


@dataclass(frozen=True)
class PageSetup:
    """What the template prints around a document's content, on every page.

    ``clinic_name`` and ``footer`` may be user text: the template escapes them. ``notice`` is a
    fixed line printed under the footer (such as the 42 CFR Part 2 short notice).
    """

    title: str
    clinic_name: str
    footer: str = ""
    notice: str = ""
    author: str = "hrclinic"


@dataclass(frozen=True)
class StyleSheet:
    """The paragraph styles every report uses."""

    body: Any
    small: Any
    fine: Any
    label: Any
    title: Any
    subtitle: Any
    heading: Any
    display: Any
    header: Any
    header_title: Any
    footer: Any


@functools.cache
def style_sheet() -> StyleSheet:
    """The shared styles (fonts registered first). Built once; treat the styles as read-only."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    ink = colors.HexColor(INK)
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=9, leading=12.5, textColor=ink, wordWrap="CJK")
    muted = colors.HexColor(MUTED)
    return StyleSheet(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10.5),
        fine=ParagraphStyle("fine", parent=body, fontSize=7.3, leading=9.2),
        label=ParagraphStyle("label", parent=body, fontName=BOLD_FONT, fontSize=8.5, leading=12),
        title=ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=15, leading=19),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=8, leading=10.5, textColor=muted),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=10,
            leading=13,
            spaceBefore=7,
            spaceAfter=3,
        ),
        display=ParagraphStyle("display", parent=body, fontName=BOLD_FONT, fontSize=15, leading=22),
        header=ParagraphStyle(
            "header",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=9,
            leading=11,
            textColor=colors.HexColor(ACCENT),
        ),
        header_title=ParagraphStyle(
            "header_title", parent=body, fontSize=8, leading=11, textColor=muted, alignment=TA_RIGHT
        ),
        footer=ParagraphStyle("footer", parent=body, fontSize=7.5, leading=9.5, textColor=muted),
    )


def user_paragraph(text: str, style: Any = None, *, placeholder: str = "") -> Any:
    """A Paragraph of user text, escaped; a blank value shows the (fixed) ``placeholder`` greyed."""
    from reportlab.platypus import Paragraph

    shown = markup(text) if text.strip() else f'<font color="#7a8790">{markup(placeholder)}</font>'
    return Paragraph(shown, style if style is not None else style_sheet().body)


def field_table(
    rows: Sequence[tuple[str, Any]], *, width: float = CONTENT_WIDTH, label_width: float = 48 * MM
) -> Any:
    """A two-column table of fixed labels and values; a ``str`` value is user text and is escaped."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    sheet = style_sheet()
    return Table(
        [
            [Paragraph(markup(name), sheet.label), user_paragraph(value) if isinstance(value, str) else value]
            for name, value in rows
        ],
        colWidths=[label_width, width - label_width],
        splitInRow=1,  # a long answer continues on the next page instead of leaving a gap (or failing)
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(SHADE)),
            ]
        ),
    )


def boxed(flowables: list[Any], colour: str = ACCENT, *, width: float = CONTENT_WIDTH) -> Any:
    """Flowables in a shaded box with a coloured border (notices, the recovery key)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    return Table(
        [[flowables]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colors.HexColor(colour)),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(SHADE)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )


def render_pdf(setup: PageSetup, story: list[Any]) -> bytes:
    """Lay ``story`` out on the shared page template and return the PDF's bytes."""
    from reportlab.platypus import SimpleDocTemplate

    sheet = style_sheet()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=setup.title,
        author=setup.author,
        creator="hrclinic",
    )

    def decorate(canvas: Any, _doc: Any) -> None:
        _draw_header_and_footer(canvas, setup, sheet)

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_numbered_canvas())
    return buffer.getvalue()


def _draw_header_and_footer(canvas: Any, setup: PageSetup, sheet: StyleSheet) -> None:
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    left = MARGIN_X + _FRAME_PADDING
    right = PAGE_WIDTH - MARGIN_X - _FRAME_PADDING
    width = right - left
    canvas.saveState()
    # Paragraphs, not drawString: the clinic's name is user text and may need the CJK face.
    name = Paragraph(markup(setup.clinic_name), sheet.header)
    title = Paragraph(markup(setup.title), sheet.header_title)
    title_width = min(width * 0.48, stringWidth(setup.title, BODY_FONT, sheet.header_title.fontSize) + 2)
    _, name_height = name.wrap(width - title_width - 6 * MM, 40)
    _, title_height = title.wrap(title_width, 40)
    name.drawOn(canvas, left, _HEADER_TOP - name_height)
    title.drawOn(canvas, right - title_width, _HEADER_TOP - title_height)
    rule_y = _HEADER_TOP - max(name_height, title_height) - 1.5 * MM
    canvas.setStrokeColor(colors.HexColor(RULE))
    canvas.setLineWidth(0.6)
    canvas.line(left, rule_y, right, rule_y)

    canvas.line(left, _FOOTER_RULE, right, _FOOTER_RULE)
    if setup.footer:
        footer = Paragraph(markup(setup.footer), sheet.footer)
        _, height = footer.wrap(width * 0.8, 20)
        footer.drawOn(canvas, left, _FOOTER_RULE - 1.5 * MM - height)
    if setup.notice:
        notice = Paragraph(markup(setup.notice), sheet.footer)
        _, height = notice.wrap(width, 20)
        notice.drawOn(canvas, left, _FOOTER_RULE - 5.5 * MM - height)
    canvas.restoreState()


@functools.cache
def _numbered_canvas() -> type:
    """A canvas that holds its pages back until the end so each can say "Page N of M"."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for page in self._held_pages:
                self.__dict__.update(page)
                self.saveState()
                self.setFont(BODY_FONT, 7.5)
                self.setFillColor(colors.HexColor(MUTED))
                label = f"Page {self._pageNumber} of {total}"
                self.drawRightString(PAGE_WIDTH - MARGIN_X - _FRAME_PADDING, _FOOTER_LINE, label)
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas
