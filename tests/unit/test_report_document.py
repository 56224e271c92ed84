"""The one page template: every page carries the clinic's name and "Page N of M", user text stays literal."""

from __future__ import annotations

import ast
import io
import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from hrclinic.domain.consents import DEFAULT_REVOCATION_STATEMENT, ConsentFields, ConsentKind, ConsentState
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.reports.consent_form import SHORT_NOTICE, consent_form_pdf
from hrclinic.reports.document import PageSetup, field_table, render_pdf, style_sheet, user_paragraph
from hrclinic.reports.emergency_kit import EmergencyKit, emergency_kit_pdf

ROOT = Path(__file__).resolve().parents[2]
CLINIC = "山田 Clinic <b>&</b> Co · Zoë Łukasiewicz-Şahin"
NAMES = ["Zoë Łukasiewicz-Şahin", "Алексей Смирнов", "O'Brien <Sam> & Co", "王小明", "김민준"]
HOSTILE = ["a<b", '<img src="/etc/passwd"/>', "</para>&amp;<b>x", "<font name='Courier'>c"]


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _fonts_drawing_text(pdf: bytes) -> set[str]:
    used: set[str] = set()

    def visit(text: str, cm: object, tm: object, font: dict | None, size: object) -> None:
        if text.strip() and font is not None:
            used.add(str(font["/BaseFont"]))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return used


def _images(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject")
        if xobjects is not None:
            count += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


def _two_page_document() -> bytes:
    from reportlab.platypus import Paragraph

    sheet = style_sheet()
    story = [Paragraph("A long document", sheet.title)]
    story += [user_paragraph(name) for name in NAMES + HOSTILE]
    story.append(field_table([(f"Row {i} <label>", f"value {i} & <more>") for i in range(40)]))
    setup = PageSetup(
        title="Test document", clinic_name=CLINIC, footer="Footer of O'Brien <Sam>", notice="A notice"
    )
    return render_pdf(setup, story)


def test_every_page_has_the_clinics_name_title_footer_and_page_n_of_m() -> None:
    pages = _pages(_two_page_document())
    assert len(pages) == 2
    for number, text in enumerate(pages, 1):
        assert CLINIC in text  # the header, escaped and with the CJK run drawn
        assert "Test document" in text
        assert "Footer of O'Brien <Sam>" in text and "A notice" in text
        assert f"Page {number} of 2" in text
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" not in pages[0]


def test_user_text_is_printed_literally_and_never_becomes_markup() -> None:
    pdf = _two_page_document()
    text = " ".join(_pages(pdf))
    for name in NAMES + HOSTILE:
        assert name in text, name
    assert "Row 3 <label>" in text and "value 3 & <more>" in text
    assert "\x00" not in text and "■" not in text  # no missing glyphs
    assert _images(pdf) == 0  # <img src=...> embedded no file


def test_every_piece_of_text_is_drawn_with_the_embedded_fonts() -> None:
    used = _fonts_drawing_text(_two_page_document())
    assert any(font.endswith("+DejaVuSans") for font in used), used
    assert any(font.endswith("+DejaVuSans-Bold") for font in used), used  # headings, labels, header
    assert any("WenQuanYiMicroHei" in font for font in used), used  # the CJK runs, header included
    assert not any(re.search(r"Helvetica|Times|Courier|Symbol", font) for font in used), used


def test_the_emergency_kit_uses_the_template_and_renders_every_name() -> None:
    kit = EmergencyKit(
        CLINIC, "owner", "ABCD-EFGH-" * 7 + "WXYZ", datetime(2026, 11, 2, tzinfo=UTC), "/home/Алексей"
    )
    pdf = emergency_kit_pdf(kit)
    [text] = _pages(pdf)
    assert text.count(CLINIC) == 2  # the header and the table (a plain table cell drew CJK as boxes)
    assert "/home/Алексей" in text and "ABCD-EFGH-ABCD-EFGH" in text
    assert "Page 1 of 1" in text
    assert not any(re.search(r"Helvetica|Times|Courier", font) for font in _fonts_drawing_text(pdf))


def _consent(fields: ConsentFields) -> ConsentDetail:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    return ConsentDetail(
        id=uuid.UUID("8c0ffee0-0000-4000-8000-000000000001"),
        client_id=uuid.uuid4(),
        version=1,
        state=ConsentState.ACTIVE,
        is_draft=False,
        fields=fields,
        revoked_on=None,
        revocation_received_how="",
        paper_form_printed_at=None,
        signed_copy_received_on=None,
        created_at=now,
        updated_at=now,
    )


PART2 = ConsentFields(
    kind=ConsentKind.PART2_DISCLOSURE,
    person_name="Алексей Смирнов",
    discloser="Riverside",
    information="Medication list",
    recipients="O'Brien <Sam> & Co",
    purpose="Housing support",
    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
    expires_on=date(2027, 5, 1),
    signed_by="person",
    signed_on=date(2026, 11, 2),
)


def test_a_part2_form_fits_one_page_and_repeats_the_notice_and_name_on_every_page() -> None:
    [one] = _pages(consent_form_pdf(_consent(PART2), clinic_name=CLINIC))
    assert "Page 1 of 1" in one and SHORT_NOTICE in one and "form 8C0FFEE0" in one

    answer = "".join(f"Answer n{i:03d} with <tags> & ampersands, 王小明. " for i in range(400))  # > 1 page
    pages = _pages(consent_form_pdf(_consent(replace(PART2, information=answer)), clinic_name=CLINIC))
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert CLINIC in text and SHORT_NOTICE in text and f"Page {number} of {len(pages)}" in text
    whole = " ".join(pages)
    assert all(f"n{i:03d}" in whole for i in range(400))  # nothing lost where a page breaks
    assert whole.count("with <tags> & ampersands, 王小明.") > 390  # (a few straddle a page's footer)
    assert "prohibition on redisclosure" in pages[-1]


def test_no_report_builds_a_document_outside_the_template() -> None:
    """Every PDF goes through document.render_pdf: no other report makes its own doc template or canvas."""
    own = {"SimpleDocTemplate", "BaseDocTemplate", "Canvas", "canvas"}
    offenders = []
    for path in (ROOT / "hrclinic" / "reports").glob("*.py"):
        if path.name == "document.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(alias.name in own for alias in node.names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
