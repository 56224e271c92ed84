"""The Emergency Kit: a one-page PDF with the clinic's recovery key, printed once and kept safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from hrclinic.reports.fonts import BODY_FONT, BOLD_FONT, markup, register_fonts


@dataclass(frozen=True)
class EmergencyKit:
    """What the kit shows."""

    clinic_name: str
    owner_username: str
    recovery_key: str
    created_at: datetime
    data_dir: str


def emergency_kit_pdf(kit: EmergencyKit) -> bytes:
    """Render the kit; every user-supplied string is escaped before it enters markup."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    register_fonts()
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=20, leading=26)
    heading = ParagraphStyle(
        "heading", parent=body, fontName=BOLD_FONT, fontSize=12, leading=18, spaceBefore=8
    )
    key_style = ParagraphStyle("key", parent=body, fontName=BOLD_FONT, fontSize=15, leading=22)

    groups = kit.recovery_key.split("-")
    key_lines = ["-".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
    story = [
        Paragraph("hrclinic Emergency Kit", title),
        Paragraph(markup(kit.clinic_name), heading),
        Spacer(1, 4 * mm),
        Table(
            [
                ["Clinic", kit.clinic_name],
                ["Owner user name", kit.owner_username],
                ["Created", kit.created_at.strftime("%Y-%m-%d %H:%M UTC")],
                ["Data folder", kit.data_dir],
            ],
            colWidths=[40 * mm, 125 * mm],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
                    ("FONTNAME", (0, 0), (0, -1), BOLD_FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            ),
        ),
        Paragraph("Recovery key", heading),
        Table(
            [[Paragraph("<br/>".join(key_lines), key_style)]],
            colWidths=[165 * mm],
            style=TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor("#1f5f8b")),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#eef5fa")),
                    ("TOPPADDING", (0, 0), (-1, -1), 10),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                    ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ]
            ),
        ),
        Paragraph("What this key does", heading),
        Paragraph(
            "The recovery key opens every vault of this clinic. With it, the owner can set a new "
            "password for any account and restore the clinic's data on a new computer. hrclinic "
            "does not keep a copy: if the key and every owner's password are lost, the records "
            "cannot be opened by anyone.",
            body,
        ),
        Paragraph("Keep it safe", heading),
        Paragraph(
            "Print this page and keep it somewhere locked, away from the computer (a safe, a "
            "locked drawer at another address). Do not photograph it, e-mail it or keep it in a "
            "file beside the clinic's data. Anyone with this key and a copy of the data folder can "
            "read every record.",
            body,
        ),
    ]
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title="hrclinic Emergency Kit",
        author="hrclinic",
    )
    doc.build(story)
    return buffer.getvalue()
