"""The PDF font layer: every name renders, user text is never markup, fonts are embedded."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from hrclinic.reports.fonts import (
    BODY_FONT,
    BOLD_FONT,
    CJK_FONT,
    markup,
    register_fonts,
)

NAMES = [
    "Zoë Łukasiewicz-Şahin",
    "Алексей Смирнов",
    "Nguyễn Văn An",
    "O'Brien <Sam> & Co",
    "王小明",
]
HOSTILE = [
    "a<b",
    '<img src="/etc/passwd"/>',
    "</para>&amp;<b>x",
    "<font name='Courier'>c",
]
MIXED = "Ms 山田 花子 (Yamada Hanako), 김민준"


def build_pdf(texts: list[str], *, bold: bool = False) -> bytes:
    """A one-page document with one Paragraph per text, each passed through markup()."""
    register_fonts()
    style = ParagraphStyle("body", fontName=BODY_FONT, fontSize=11, leading=15)
    story = []
    for text in texts:
        body = markup(text)
        story.append(Paragraph(f"<b>{body}</b>" if bold else body, style))
    out = io.BytesIO()
    SimpleDocTemplate(out, title="font test").build(story)
    return out.getvalue()


def page_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return [line.strip() for line in reader.pages[0].extract_text().splitlines()]


def page_fonts(pdf: bytes) -> list[dict[str, object]]:
    """BaseFont name and whether a font file is embedded, for each font on page 1."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    result = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        result.append(
            {
                "base": str(font["/BaseFont"]),
                "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
            }
        )
    return result


@pytest.fixture(scope="module")
def names_pdf() -> bytes:
    return build_pdf([*NAMES, *HOSTILE, MIXED])


def test_every_name_is_extracted_exactly(names_pdf: bytes) -> None:
    # A missing glyph comes out of pypdf as "\x00" (or a box with Helvetica), so an exact
    # match proves each character was drawn from a font that has it.
    lines = page_lines(names_pdf)
    for name in NAMES:
        assert name in lines
    assert MIXED in lines
    assert not any("\x00" in line or "■" in line for line in lines)


def test_user_markup_is_shown_literally(names_pdf: bytes) -> None:
    lines = page_lines(names_pdf)
    assert "O'Brien <Sam> & Co" in lines
    for text in HOSTILE:
        assert text in lines
    page = PdfReader(io.BytesIO(names_pdf)).pages[0]
    assert "/XObject" not in page["/Resources"]  # <img src=...> did not embed a file


def fonts_drawing_text(pdf: bytes) -> set[str]:
    """BaseFont names of the fonts that actually draw visible text on page 1."""
    used: set[str] = set()

    def visit(text: str, cm: object, tm: object, font: dict | None, size: object) -> None:
        if text.strip() and font is not None:
            used.add(str(font["/BaseFont"]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return used


def test_fonts_are_embedded_and_draw_all_text(names_pdf: bytes) -> None:
    fonts = page_fonts(names_pdf)
    embedded = {f["base"] for f in fonts if f["embedded"]}
    assert any("DejaVuSans" in b and "Bold" not in b for b in embedded), fonts
    assert any("WenQuanYiMicroHei" in b for b in embedded), fonts
    # ReportLab's canvas always lists Helvetica (its initial state), but no text may use it.
    used = fonts_drawing_text(names_pdf)
    assert used, "no text found"
    assert used <= embedded, (used, fonts)
    assert not any(re.search(r"Helvetica|Times|Courier|Symbol", b) for b in used), used


def test_bold_markup_selects_the_bold_face() -> None:
    pdf = build_pdf(NAMES, bold=True)
    used = fonts_drawing_text(pdf)
    assert any("DejaVuSans-Bold" in b for b in used), used
    assert not any(b.endswith("+DejaVuSans") for b in used), used
    lines = page_lines(pdf)
    for name in NAMES:
        assert name in lines


def test_line_breaks_and_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert decomposed != "Nguyễn Văn An"
    pdf = build_pdf(["first line\r\nsecond 王\nthird\x1b\tend", decomposed])
    lines = page_lines(pdf)
    assert lines[:4] == ["first line", "second 王", "third end", "Nguyễn Văn An"]


def test_markup_escapes_and_wraps_cjk_runs() -> None:
    assert markup("O'Brien <Sam> & Co") == "O'Brien &lt;Sam&gt; &amp; Co"
    assert markup("Ms 山田 花子, 김민준") == (
        f'Ms <font name="{CJK_FONT}">山田</font> <font name="{CJK_FONT}">花子</font>, '
        f'<font name="{CJK_FONT}">김민준</font>'
    )
    assert markup("ヤマダ・ハナコ「あ」！") == f'<font name="{CJK_FONT}">ヤマダ・ハナコ「あ」！</font>'
    assert markup("a\nb\r\nc\rd") == "a<br/>b<br/>c<br/>d"
    assert markup("Zoë Алексей") == "Zoë Алексей"
    assert markup("") == ""


_OUR_TAGS = re.compile(f'<font name="{CJK_FONT}">|</font>|<br/>')


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_markup_never_leaks_tags_and_always_parses(text: str) -> None:
    register_fonts()
    result = markup(text)
    assert "<" not in _OUR_TAGS.sub("", result)
    Paragraph(result, ParagraphStyle("p", fontName=BODY_FONT)).wrap(400, 800)


def test_register_fonts_is_idempotent_and_thread_safe() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(register_fonts) for _ in range(16)]
    for future in futures:
        future.result()  # re-raises anything a thread raised
    before = {name: pdfmetrics.getFont(name) for name in (BODY_FONT, BOLD_FONT, CJK_FONT)}
    register_fonts()
    assert {name: pdfmetrics.getFont(name) for name in before} == before
    assert "DejaVuSans" in pdfmetrics.getFont(BODY_FONT).face.name.decode()
    assert "DejaVuSans-Bold" in pdfmetrics.getFont(BOLD_FONT).face.name.decode()
    assert pdfmetrics.getFont(CJK_FONT).face.name == b"WenQuanYiMicroHei"


def test_importing_registers_nothing() -> None:
    code = (
        "import sys\n"
        "import hrclinic.reports.fonts\n"
        "assert 'reportlab' not in sys.modules\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "assert 'HrSans' not in pdfmetrics.getRegisteredFontNames()\n"
        "assert 'HrCJK' not in pdfmetrics.getRegisteredFontNames()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
