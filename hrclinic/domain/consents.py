"""Consents as structured data: the kinds, the elements each needs, dates and state.

A Part 2 consent (42 CFR 2.31, as amended in 2024) must hold every required element before it
can be in force: the person's name; who may make the disclosure; a specific, meaningful
description of the information; the recipients by name (or, for a treatment, payment and health
care operations consent, a class of recipients); the purpose; the statement of the right to
revoke in writing and how; an expiry date or event; the signature (the person's, or an authorised
representative's with their name and authority) and the date signed. Consent to use or disclose
SUD counselling notes is a kind of its own and is never combined with any other consent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from hrclinic.domain.text import check_line, clean_text

MAX_SHORT_TEXT = 5_000
MAX_LONG_TEXT = 20_000

DEFAULT_REVOCATION_STATEMENT = (
    "I may revoke this consent at any time, in writing, by giving or sending a signed note to the "
    "clinic's front desk. Revoking does not undo a use or disclosure the clinic has already made "
    "in reliance on this consent."
)
TPO_PURPOSE = "Treatment, payment and health care operations"
TPO_RECIPIENT_CLASS = (
    "My treating providers, health plans, third-party payers, and people helping to operate this program"
)
SUD_NOTES_INFORMATION = (
    "My SUD counselling notes: the counsellor's separate notes of what was said in counselling sessions"
)


class ConsentKind(StrEnum):
    """What a consent is for. One consent is exactly one kind."""

    TREATMENT = "treatment"
    CONTACT = "contact"
    PART2_DISCLOSURE = "part2_disclosure"
    PART2_TPO = "part2_tpo"
    SUD_COUNSELLING_NOTES = "sud_counselling_notes"

    @property
    def label(self) -> str:
        """The kind as people say it."""
        return _KIND_LABELS[self]

    @property
    def is_part2(self) -> bool:
        """True for consents to use or disclose records protected by 42 CFR Part 2."""
        return self in PART2_KINDS


_KIND_LABELS = {
    ConsentKind.TREATMENT: "Consent to treatment",
    ConsentKind.CONTACT: "Consent to contact by text or voicemail",
    ConsentKind.PART2_DISCLOSURE: "Part 2: disclosure to named recipients",
    ConsentKind.PART2_TPO: "Part 2: treatment, payment and health care operations",
    ConsentKind.SUD_COUNSELLING_NOTES: "Part 2: SUD counselling notes (separate consent)",
}
PART2_KINDS = frozenset(
    {ConsentKind.PART2_DISCLOSURE, ConsentKind.PART2_TPO, ConsentKind.SUD_COUNSELLING_NOTES}
)


class ConsentState(StrEnum):
    """Where a consent stands today."""

    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        """The state as a word (never shown by colour alone)."""
        return self.value.capitalize()


class SignedBy(StrEnum):
    """Who signed."""

    PERSON = "person"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True)
class ConsentFields:
    """Everything a consent form holds (the command a form is collected into)."""

    kind: ConsentKind
    person_name: str = ""
    discloser: str = ""
    information: str = ""
    recipients: str = ""
    recipient_class: str = ""
    purpose: str = ""
    revocation_statement: str = ""
    expires_on: date | None = None
    expiry_event: str = ""
    signed_by: str = ""
    representative_name: str = ""
    representative_authority: str = ""
    signed_on: date | None = None
    may_text: bool | None = None
    may_voicemail: bool | None = None


@dataclass(frozen=True)
class MissingElement:
    """One required element that is not there: the field, and what it is in words."""

    field: str
    words: str


# Text fields and what each is called in a message.
TEXT_FIELDS = {
    "person_name": "person's name",
    "discloser": "who may make the disclosure",
    "information": "description of the information",
    "recipients": "recipients",
    "recipient_class": "class of recipients",
    "purpose": "purpose",
    "revocation_statement": "statement of the right to revoke",
    "expiry_event": "expiry event",
    "representative_name": "representative's name",
    "representative_authority": "representative's authority",
    "revocation_received_how": "account of how the revocation was received",
}
_MULTILINE = {"information", "recipients", "purpose", "revocation_statement"}


def _blank(text: str) -> bool:
    return not text.strip()


def missing(fields: ConsentFields) -> list[MissingElement]:
    """Every required element the form lacks, in the order the form asks for them."""
    kind = ConsentKind(fields.kind)
    found: list[MissingElement] = []

    def need(ok: bool, field: str, words: str) -> None:
        if not ok:
            found.append(MissingElement(field, words))

    if kind is ConsentKind.TREATMENT:
        need(not _blank(fields.person_name), "person_name", "the person's name")
        need(fields.signed_on is not None, "signed_on", "the date signed")
        return found
    if kind is ConsentKind.CONTACT:
        need(fields.may_text is not None, "may_text", "whether texts are OK (yes or no)")
        need(fields.may_voicemail is not None, "may_voicemail", "whether voicemails are OK (yes or no)")
        need(fields.signed_on is not None, "signed_on", "the date signed")
        return found
    need(not _blank(fields.person_name), "person_name", "the person's name")
    need(not _blank(fields.discloser), "discloser", "who may make the disclosure")
    need(
        not _blank(fields.information),
        "information",
        "a specific, meaningful description of the information to be disclosed",
    )
    if kind is ConsentKind.PART2_TPO:
        need(
            not (_blank(fields.recipient_class) and _blank(fields.recipients)),
            "recipient_class",
            "the recipients: a class of recipients (such as the person's treating providers) or their names",
        )
    else:
        need(not _blank(fields.recipients), "recipients", "the name of each recipient")
    need(not _blank(fields.purpose), "purpose", "the purpose of the disclosure")
    need(
        not _blank(fields.revocation_statement),
        "revocation_statement",
        "the statement of the right to revoke in writing, and how",
    )
    need(
        fields.expires_on is not None or not _blank(fields.expiry_event),
        "expires_on",
        "an expiry date or an expiry event",
    )
    signed_by = fields.signed_by.strip()
    need(
        signed_by in (SignedBy.PERSON, SignedBy.REPRESENTATIVE),
        "signed_by",
        "who signed: the person or an authorised representative",
    )
    if signed_by == SignedBy.REPRESENTATIVE:
        need(not _blank(fields.representative_name), "representative_name", "the representative's name")
        need(
            not _blank(fields.representative_authority),
            "representative_authority",
            "the representative's authority to sign (for example, legal guardian)",
        )
    need(fields.signed_on is not None, "signed_on", "the date signed")
    return found


def missing_elements(fields: ConsentFields) -> list[str]:
    """Every missing required element, in words a person understands ([] when complete)."""
    return [m.words for m in missing(fields)]


def missing_message(elements: Iterable[MissingElement]) -> str:
    """One sentence naming every missing element."""
    words = [m.words for m in elements]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return (
        f"This consent cannot be in force yet: it is missing {listed}. Fill these in, or save it as a draft."
    )


def date_problems(fields: ConsentFields, today: date) -> list[tuple[str, str]]:
    """Impossible dates, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if fields.signed_on is not None and fields.signed_on > today:
        problems.append(("signed_on", "The date signed is in the future."))
    if (
        fields.expires_on is not None
        and fields.signed_on is not None
        and fields.expires_on < fields.signed_on
    ):
        problems.append(("expires_on", "The expiry date is before the date signed."))
    return problems


def revocation_problem(revoked_on: date | None, signed_on: date | None, today: date) -> str | None:
    """Why a revocation date cannot be right, or None."""
    if revoked_on is None:
        return "Enter the date the revocation was received."
    if revoked_on > today:
        return "The date of revocation is in the future."
    if signed_on is not None and revoked_on < signed_on:
        return "The date of revocation is before the date signed."
    return None


def signed_copy_problem(received_on: date | None, signed_on: date | None, today: date) -> str | None:
    """Why the date a signed paper copy came back cannot be right, or None."""
    if received_on is None:
        return "Enter the date the signed copy was received."
    if received_on > today:
        return "The date the signed copy was received is in the future."
    if signed_on is not None and received_on < signed_on:
        return "The signed copy cannot have been received before the date signed."
    return None


def combination_problem(kinds: Iterable[ConsentKind | str]) -> str | None:
    """SUD counselling notes need a consent of their own, never combined with another kind."""
    distinct = {ConsentKind(k) for k in kinds}
    if ConsentKind.SUD_COUNSELLING_NOTES in distinct and len(distinct) > 1:
        return (
            "SUD counselling notes need a separate consent of their own; "
            "record the other consent on its own form."
        )
    return None


def clean_consent_text(field: str, text: object) -> str:
    """One text field of a consent cleaned by the text rule (trimmed, line endings normalised), or
    :class:`~hrclinic.domain.text.TextRefused` naming the field."""
    what = TEXT_FIELDS.get(field, field.replace("_", " "))
    if field in _MULTILINE:
        return clean_text(text, field=field, what=what, limit=MAX_LONG_TEXT).strip()
    return check_line(text, field=field, what=what, limit=MAX_SHORT_TEXT)


class ConsentDates(Protocol):
    """What the state of a consent depends on."""

    @property
    def is_draft(self) -> bool: ...

    @property
    def expires_on(self) -> date | None: ...

    @property
    def revoked_on(self) -> date | None: ...


def consent_state(consent: ConsentDates, today: date) -> ConsentState:
    """Revoked, draft, expired (the expiry date has passed) or active.

    A consent that expires on an *event* stays active: the event is shown as it is written,
    never guessed by the software. A consent that expires today is still in force today.
    """
    if consent.revoked_on is not None:
        return ConsentState.REVOKED
    if consent.is_draft:
        return ConsentState.DRAFT
    if consent.expires_on is not None and consent.expires_on < today:
        return ConsentState.EXPIRED
    return ConsentState.ACTIVE


def parse_day(text: str, what: str) -> date | None:
    """Read a date typed as YYYY-MM-DD; empty means no date. ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"Type the {what} as year-month-day, for example 2026-03-07.")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(f"The {what} {text} is not a date on the calendar.") from None
