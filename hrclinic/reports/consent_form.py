"""The printable consent form: pre-filled from the record, with blank lines for a wet signature."""

from __future__ import annotations

from datetime import date
from typing import Any

from hrclinic.domain.consents import ConsentKind, ConsentState, SignedBy
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.reports.document import (
    CONTENT_WIDTH,
    DANGER,
    MM,
    WARNING,
    PageSetup,
    boxed,
    field_table,
    markup,
    render_pdf,
    style_sheet,
    user_paragraph,
)

# 42 CFR 2.32(a)(1), as amended in 2024: the notice that accompanies every Part 2 disclosure.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings against the patient, unless authorized by the consent of the patient, "
    "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 "
    "or 2.65. In addition, the federal rules prohibit you from making any further disclosure of this "
    "record unless authorized by the written consent of the patient, or as otherwise permitted by "
    "42 CFR part 2. A general authorization for the release of medical or other information is NOT "
    "sufficient for this purpose (see 42 CFR 2.31). The federal rules restrict any use of the "
    "information to investigate or prosecute with regard to a crime any patient with a substance use "
    "disorder, except as provided at 42 CFR 2.12(c)(5) and 2.65."
)
PART2_PROTECTED = (
    "The records this consent covers are protected by federal confidentiality rules for substance use "
    "disorder records (42 CFR Part 2)."
)
SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

_TITLES = {
    ConsentKind.TREATMENT: "Consent to treatment",
    ConsentKind.CONTACT: "Consent to contact by text message or voicemail",
    ConsentKind.PART2_DISCLOSURE: "Consent to disclose substance use disorder records",
    ConsentKind.PART2_TPO: "Consent to use and disclose records for treatment, payment and operations",
    ConsentKind.SUD_COUNSELLING_NOTES: "Consent to use or disclose SUD counselling notes",
}
_SUBTITLES = {
    ConsentKind.TREATMENT: "Services at this clinic",
    ConsentKind.CONTACT: "Safe ways to reach me",
    ConsentKind.PART2_DISCLOSURE: "Substance use disorder records (42 CFR Part 2)",
    ConsentKind.PART2_TPO: "Substance use disorder records (42 CFR Part 2): "
    "treatment, payment and health care operations",
    ConsentKind.SUD_COUNSELLING_NOTES: "Substance use disorder records (42 CFR Part 2): a separate consent",
}


def _day(value: date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value else ""


def consent_form_pdf(consent: ConsentDetail, *, clinic_name: str) -> bytes:
    """Render the consent form for ``consent`` on the shared page template; user text is escaped."""
    kind = consent.kind
    reference = str(consent.id)[:8].upper()
    story = [
        *_heading(consent, reference),
        *_what_is_agreed(consent, clinic_name),
        *_rights(consent),
        *_signing(consent),
    ]
    setup = PageSetup(
        title=_TITLES[kind],
        clinic_name=clinic_name,
        footer=f"{kind.label} · form {reference}",
        notice=SHORT_NOTICE if kind.is_part2 else "",
    )
    return render_pdf(setup, story)


def _heading(consent: ConsentDetail, reference: str) -> list[Any]:
    """Title, subtitle with the form's reference, and a warning on a revoked or expired copy."""
    from reportlab.platypus import Paragraph, Spacer

    sheet = style_sheet()
    kind, f = consent.kind, consent.fields
    story: list[Any] = [
        Paragraph(_TITLES[kind], sheet.title),
        Spacer(1, 1 * MM),
        Paragraph(_SUBTITLES[kind] + f" · Form reference {reference}", sheet.subtitle),
    ]
    if consent.state in (ConsentState.REVOKED, ConsentState.EXPIRED):
        when = (
            f"was revoked on {_day(consent.revoked_on)}"
            if consent.state is ConsentState.REVOKED
            else f"expired on {_day(f.expires_on)}"
        )
        story += [
            Spacer(1, 3 * MM),
            boxed([Paragraph(f"<b>Copy for the record:</b> this consent {when}.", sheet.body)], WARNING),
        ]
    story.append(Spacer(1, 4 * MM))
    if kind.is_part2:
        story += [boxed([Paragraph(PART2_PROTECTED, sheet.body)]), Spacer(1, 3 * MM)]
    return story


def _user(text: str, placeholder: str = "") -> Any:
    return user_paragraph(text, style_sheet().body, placeholder=placeholder)


def _what_is_agreed(consent: ConsentDetail, clinic_name: str) -> list[Any]:
    """The person's name and what the consent allows, for its kind."""
    from reportlab.platypus import Paragraph, Spacer

    sheet = style_sheet()
    body, heading = sheet.body, sheet.heading
    kind, f = consent.kind, consent.fields
    rows: list[tuple[str, Any]] = [("Name of the person", _user(f.person_name, "(write the name)"))]
    if kind is ConsentKind.TREATMENT:
        return [
            field_table(rows),
            Paragraph("What I agree to", heading),
            Paragraph(
                f"I agree to receive services from {markup(clinic_name)}: assessment, counselling and "
                "psychotherapy, harm-reduction support, and medication if I choose it. No one has to stop "
                "using drugs or alcohol to be helped here. I choose my own goals with my clinician, I can "
                "ask questions at any time, and I can stop or take a break from services whenever I want.",
                body,
            ),
        ]
    if kind is ConsentKind.CONTACT:
        return [
            field_table(rows),
            Paragraph("How the clinic may contact me", heading),
            field_table(
                [
                    ("Text messages", Paragraph(_yes_no(f.may_text), body)),
                    ("Voicemail messages", Paragraph(_yes_no(f.may_voicemail), body)),
                ]
            ),
            Spacer(1, 2 * MM),
            Paragraph(
                "Messages will say only the clinic's first name and a call-back number, never why I come "
                "here. I can change these choices at any time by telling the front desk.",
                body,
            ),
        ]
    if kind is ConsentKind.PART2_TPO:
        recipients: list[tuple[str, Any]] = [
            ("Class of recipients", _user(f.recipient_class, "(describe the class of recipients)"))
        ]
        if f.recipients.strip():
            recipients.append(("Named recipients", _user(f.recipients)))
    else:
        recipients = [("Recipients (by name)", _user(f.recipients, "(name each recipient)"))]
    expiry = ", or ".join(x for x in (_day(f.expires_on), f.expiry_event.strip()) if x)
    rows += [
        ("Who may make the disclosure", _user(f.discloser, "(name the clinic or person disclosing)")),
        ("Information to be used or disclosed", _user(f.information, "(describe the information)")),
        *recipients,
        ("Purpose", _user(f.purpose, "(describe the purpose)")),
        ("This consent expires", _user(expiry, "(a date or an event)")),
    ]
    story: list[Any] = [field_table(rows)]
    if kind is ConsentKind.SUD_COUNSELLING_NOTES:
        story += [
            Spacer(1, 2 * MM),
            Paragraph(
                "<b>This consent covers SUD counselling notes only.</b> It is a separate consent and is "
                "not combined with any other consent.",
                body,
            ),
        ]
    return story


def _rights(consent: ConsentDetail) -> list[Any]:
    """Revoking and what the person should know (Part 2), or changing one's mind (the others)."""
    from reportlab.platypus import Paragraph

    sheet = style_sheet()
    body, heading = sheet.body, sheet.heading
    if not consent.kind.is_part2:
        return [
            Paragraph("My right to change my mind", heading),
            Paragraph(
                "I can withdraw this consent at any time by telling the clinic, preferably in writing.", body
            ),
        ]
    return [
        Paragraph("My right to revoke", heading),
        _user(consent.fields.revocation_statement, "(how to revoke in writing)"),
        Paragraph("I also understand that", heading),
        Paragraph(
            "• My treatment, payment, enrolment or eligibility for benefits does not depend on whether "
            "I sign this consent.<br/>"
            "• Once disclosed, a recipient that is not bound by 42 CFR Part 2 may redisclose the "
            "information, and it may then no longer be protected by these rules.<br/>"
            "• I may have a copy of this signed form.",
            body,
        ),
    ]


def _signing(consent: ConsentDetail) -> list[Any]:
    """The signature lines and, on a Part 2 form, the notice that goes with every disclosure."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    sheet = style_sheet()
    story: list[Any] = [
        Paragraph("Signature", sheet.heading),
        Paragraph("Sign only when every part above has been filled in and you agree with it.", sheet.small),
        KeepTogether(_signature_block(consent)),
    ]
    if consent.kind.is_part2:
        story += [
            Spacer(1, 3 * MM),
            KeepTogether(
                [
                    boxed(
                        [
                            Paragraph(
                                "<b>Notice to every recipient: prohibition on redisclosure</b>", sheet.body
                            ),
                            Spacer(1, 1 * MM),
                            Paragraph(REDISCLOSURE_NOTICE, sheet.fine),
                        ],
                        DANGER,
                    )
                ]
            ),
        ]
    return story


def _yes_no(answer: bool | None) -> str:
    yes, no = ("☒", "☐") if answer else (("☐", "☒") if answer is False else ("☐", "☐"))
    return f"{yes} Yes, you may &nbsp;&nbsp;&nbsp; {no} No, please do not"


def _signature_block(consent: ConsentDetail) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    sheet = style_sheet()
    body, small, width = sheet.body, sheet.small, CONTENT_WIDTH
    f = consent.fields
    line = colors.HexColor("#46525a")

    def lines(cells: list[tuple[str, str, float]]) -> Table:
        widths = [w for _, _, w in cells]
        return Table(
            [
                [user_paragraph(value, body) if value else "" for _, value, _ in cells],
                [Paragraph(caption, small) for caption, _, _ in cells],
            ],
            colWidths=widths,
            rowHeights=[9 * MM, None],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, line),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                ]
            ),
        )

    representative = f.signed_by == SignedBy.REPRESENTATIVE
    parts: list[Any] = [
        lines(
            [
                ("Signature of the person", "", width * 0.84),
                ("Date signed", "", width * 0.16),
            ]
        ),
        Spacer(1, 3 * MM),
        Paragraph(
            "<b>Or</b>, when an authorised representative signs for the person:"
            if not representative
            else "Signed by an authorised representative for the person:",
            small,
        ),
        lines(
            [
                ("Signature of the authorised representative", "", width * 0.34),
                ("Representative's name", f.representative_name if representative else "", width * 0.24),
                (
                    "Authority to sign (e.g. legal guardian)",
                    f.representative_authority if representative else "",
                    width * 0.26,
                ),
                ("Date signed", "", width * 0.16),
            ]
        ),
    ]
    return parts
