"""The Emergency Kit: a one-page PDF with the clinic's recovery key, printed once and kept safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hrclinic.reports.document import MM, PageSetup, boxed, field_table, markup, render_pdf, style_sheet


@dataclass(frozen=True)
class EmergencyKit:
    """What the kit shows."""

    clinic_name: str
    owner_username: str
    recovery_key: str
    created_at: datetime
    data_dir: str


def emergency_kit_pdf(kit: EmergencyKit) -> bytes:
    """Render the kit on the shared page template; every user-supplied string is escaped."""
    from reportlab.platypus import Paragraph, Spacer

    sheet = style_sheet()
    groups = kit.recovery_key.split("-")
    key_lines = ["-".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
    story = [
        Paragraph("hrclinic Emergency Kit", sheet.title),
        Spacer(1, 1 * MM),
        Paragraph("The recovery key of this clinic, printed once. Keep this page safe.", sheet.subtitle),
        Spacer(1, 5 * MM),
        field_table(
            [
                ("Clinic", kit.clinic_name),
                ("Owner user name", kit.owner_username),
                ("Created", kit.created_at.strftime("%Y-%m-%d %H:%M UTC")),
                ("Data folder", kit.data_dir),
            ],
            label_width=40 * MM,
        ),
        Paragraph("Recovery key", sheet.heading),
        boxed([Paragraph("<br/>".join(markup(line) for line in key_lines), sheet.display)]),
        Paragraph("What this key does", sheet.heading),
        Paragraph(
            "The recovery key opens every vault of this clinic. With it, the owner can set a new "
            "password for any account and restore the clinic's data on a new computer. hrclinic "
            "does not keep a copy: if the key and every owner's password are lost, the records "
            "cannot be opened by anyone.",
            sheet.body,
        ),
        Paragraph("Keep it safe", sheet.heading),
        Paragraph(
            "Print this page and keep it somewhere locked, away from the computer (a safe, a "
            "locked drawer at another address). Do not photograph it, e-mail it or keep it in a "
            "file beside the clinic's data. Anyone with this key and a copy of the data folder can "
            "read every record.",
            sheet.body,
        ),
    ]
    setup = PageSetup(
        title="hrclinic Emergency Kit",
        clinic_name=kit.clinic_name,
        footer="Recovery key: keep it locked away from the computer",
    )
    return render_pdf(setup, story)
