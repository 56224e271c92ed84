"""The fonts every hrclinic PDF uses, and safe Paragraph markup for user text.

ReportLab's built-in Helvetica silently draws black boxes for most of the world's names
(Ł, Ş, Cyrillic, CJK ...), so the reports embed fonts shipped in ``resources/fonts``:

* ``HrSans`` / ``HrSans-Bold``: DejaVu Sans, the body font (Latin, Cyrillic, Greek ...),
  registered as a font family so ``<b>`` in Paragraph markup selects the bold face;
* ``HrCJK``: WenQuanYi Micro Hei, used for runs of Chinese, Japanese and Korean text,
  which DejaVu Sans does not cover.

Call :func:`register_fonts` before building a document and pass every piece of user text
through :func:`markup` before it goes into a ``Paragraph``. Nothing happens at import time.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from xml.sax.saxutils import escape

from hrclinic.paths import resource_path

__all__ = ["BODY_FONT", "BOLD_FONT", "CJK_FONT", "markup", "register_fonts"]

BODY_FONT = "HrSans"
BOLD_FONT = "HrSans-Bold"
CJK_FONT = "HrCJK"

_BODY_FILE = "DejaVuSans.ttf"
_BOLD_FILE = "DejaVuSans-Bold.ttf"
_CJK_FILE = "wqy-microhei.ttc"
# wqy-microhei.ttc holds two faces: 0 = "WenQuanYi Micro Hei" (proportional), 1 = "... Mono".
_CJK_SUBFONT_INDEX = 0

_lock = threading.Lock()
_registered = False

# Scripts DejaVu Sans lacks and WenQuanYi Micro Hei has: Han, kana, Hangul, Bopomofo and
# the CJK punctuation, symbol and fullwidth-form blocks.
_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK Radicals Supplement, Kangxi Radicals
    "\u2ff0-\u2fff"  # Ideographic Description Characters
    "\u3000-\u303f"  # CJK Symbols and Punctuation (ideographic space, 、。「」 ...)
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u3130-\u318f"  # Hangul Compatibility Jamo
    "\u3190-\u31ff"  # Kanbun, Bopomofo Extended, CJK Strokes, Katakana Phonetic Extensions
    "\u3200-\u33ff"  # Enclosed CJK Letters and Months, CJK Compatibility
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\ua960-\ua97f"  # Hangul Jamo Extended-A
    "\uac00-\ud7ff"  # Hangul Syllables, Hangul Jamo Extended-B
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\ufe30-\ufe4f"  # CJK Compatibility Forms
    "\uff00-\uffef"  # Halfwidth and Fullwidth Forms
    "\U00020000-\U0003134f"  # CJK Unified Ideographs Extensions B-G, Compatibility Supplement
)
_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
# Control characters left after line splitting; ReportLab would draw them as boxes.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def register_fonts() -> None:
    """Register ``HrSans`` (regular and bold, as a family) and ``HrCJK`` with ReportLab.

    Safe to call any number of times and from several threads; only the first call loads
    the font files. Raises ``FileNotFoundError`` when a font file is missing from the
    installed resources.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        body = _font_file(_BODY_FILE)
        bold = _font_file(_BOLD_FILE)
        cjk = _font_file(_CJK_FILE)
        pdfmetrics.registerFont(TTFont(BODY_FONT, body))
        pdfmetrics.registerFont(TTFont(BOLD_FONT, bold))
        pdfmetrics.registerFont(TTFont(CJK_FONT, cjk, subfontIndex=_CJK_SUBFONT_INDEX))
        # No oblique face is shipped: <i> keeps the upright face rather than failing.
        pdfmetrics.registerFontFamily(
            BODY_FONT,
            normal=BODY_FONT,
            bold=BOLD_FONT,
            italic=BODY_FONT,
            boldItalic=BOLD_FONT,
        )
        # registerFont already maps HrCJK's bold/italic variants to itself, so a CJK run
        # inside <b> keeps the (only) CJK face instead of raising.
        _registered = True


def markup(text: str) -> str:
    """Turn user text into safe ReportLab Paragraph markup that renders every name.

    The text is NFC-normalised, XML-escaped (so ``<``, ``>`` and ``&`` show literally and
    can never become tags), runs of CJK characters are wrapped in
    ``<font name="HrCJK">...</font>``, line breaks become ``<br/>`` and other control
    characters are dropped. Tabs become spaces.
    """
    # A lone surrogate (from badly decoded input) cannot be encoded into the PDF: use U+FFFD.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\t", " ")
    lines = [_CONTROL.sub("", line) for line in text.splitlines()]
    return "<br/>".join(_CJK_RUN.sub(_wrap_cjk, escape(line)) for line in lines)


def _wrap_cjk(match: re.Match[str]) -> str:
    return f'<font name="{CJK_FONT}">{match.group(0)}</font>'


def _font_file(name: str) -> str:
    path = resource_path("fonts", name)
    if not path.is_file():
        raise FileNotFoundError(f"PDF font {name} is missing from {path.parent}")
    return str(path)
