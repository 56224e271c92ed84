"""Consent rules: the 42 CFR 2.31 elements, state by date, the separate SUD notes consent, dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from hrclinic.domain.consents import (
    DEFAULT_REVOCATION_STATEMENT,
    ConsentFields,
    ConsentKind,
    ConsentState,
    clean_consent_text,
    combination_problem,
    consent_state,
    date_problems,
    missing,
    missing_elements,
    missing_message,
    parse_day,
    revocation_problem,
    signed_copy_problem,
)
from hrclinic.domain.text import TextRefused

TODAY = date(2026, 11, 23)

COMPLETE = ConsentFields(
    kind=ConsentKind.PART2_DISCLOSURE,
    person_name="Zoë Łukasiewicz-Şahin",
    discloser="Riverside Harm Reduction Practice",
    information="Current medications and dates of attendance",
    recipients="Dr. Amara Osei, Eastside Community Health Center",
    purpose="Coordinate primary care",
    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
    expires_on=date(2027, 5, 1),
    signed_by="person",
    signed_on=date(2026, 11, 2),
)


def test_a_complete_part2_disclosure_consent_lacks_nothing() -> None:
    assert missing_elements(COMPLETE) == []


@pytest.mark.parametrize(
    ("blank", "field", "words"),
    [
        ({"person_name": "  "}, "person_name", "the person's name"),
        ({"discloser": ""}, "discloser", "who may make the disclosure"),
        ({"information": ""}, "information", "description of the information"),
        ({"recipients": "\n"}, "recipients", "the name of each recipient"),
        ({"purpose": ""}, "purpose", "the purpose of the disclosure"),
        ({"revocation_statement": ""}, "revocation_statement", "right to revoke in writing"),
        ({"expires_on": None}, "expires_on", "an expiry date or an expiry event"),
        ({"signed_by": ""}, "signed_by", "the person or an authorised representative"),
        ({"signed_on": None}, "signed_on", "the date signed"),
    ],
)
def test_each_missing_part2_element_is_named(blank: dict, field: str, words: str) -> None:
    lacking = missing(replace(COMPLETE, **blank))
    assert [m.field for m in lacking] == [field]
    assert words in lacking[0].words
    assert words in missing_message(lacking)


def test_every_missing_element_is_named_at_once_in_form_order() -> None:
    empty = ConsentFields(kind=ConsentKind.PART2_DISCLOSURE)
    assert [m.field for m in missing(empty)] == [
        "person_name",
        "discloser",
        "information",
        "recipients",
        "purpose",
        "revocation_statement",
        "expires_on",
        "signed_by",
        "signed_on",
    ]
    message = missing_message(missing(empty))
    assert message.count(",") >= 7 and " and the date signed" in message


def test_an_expiry_event_instead_of_a_date_is_enough() -> None:
    assert missing_elements(replace(COMPLETE, expires_on=None, expiry_event="When my treatment ends")) == []


def test_a_representative_must_be_named_with_their_authority() -> None:
    rep = replace(COMPLETE, signed_by="representative")
    assert [m.field for m in missing(rep)] == ["representative_name", "representative_authority"]
    assert (
        missing_elements(replace(rep, representative_name="Alex Kim", representative_authority="Guardian"))
        == []
    )


def test_tpo_consent_takes_a_class_of_recipients_or_names() -> None:
    tpo = replace(
        COMPLETE, kind=ConsentKind.PART2_TPO, recipients="", recipient_class="My treating providers"
    )
    assert missing_elements(tpo) == []
    assert missing_elements(replace(tpo, recipient_class="", recipients="Eastside Health")) == []
    assert [m.field for m in missing(replace(tpo, recipient_class=""))] == ["recipient_class"]


def test_part2_disclosure_needs_named_recipients_not_a_class() -> None:
    assert [m.field for m in missing(replace(COMPLETE, recipients="", recipient_class="My providers"))] == [
        "recipients"
    ]


def test_treatment_and_contact_consents_need_their_own_few_things() -> None:
    assert [m.field for m in missing(ConsentFields(kind=ConsentKind.TREATMENT))] == [
        "person_name",
        "signed_on",
    ]
    assert missing_elements(ConsentFields(ConsentKind.TREATMENT, person_name="Blue", signed_on=TODAY)) == []
    contact = ConsentFields(kind=ConsentKind.CONTACT, signed_on=TODAY)
    assert [m.field for m in missing(contact)] == ["may_text", "may_voicemail"]
    # "no" is an answer: only an unanswered question is missing
    assert missing_elements(replace(contact, may_text=False, may_voicemail=True)) == []


def test_sud_counselling_notes_is_its_own_kind_with_every_part2_element() -> None:
    notes = replace(COMPLETE, kind=ConsentKind.SUD_COUNSELLING_NOTES)
    assert (
        ConsentKind.SUD_COUNSELLING_NOTES.is_part2 and "separate" in ConsentKind.SUD_COUNSELLING_NOTES.label
    )
    assert missing_elements(notes) == []
    assert [m.field for m in missing(replace(notes, recipients=""))] == ["recipients"]
    assert combination_problem([ConsentKind.SUD_COUNSELLING_NOTES, ConsentKind.PART2_DISCLOSURE])
    assert combination_problem(["sud_counselling_notes", "treatment"])
    assert combination_problem([ConsentKind.SUD_COUNSELLING_NOTES]) is None
    assert combination_problem([ConsentKind.PART2_TPO, ConsentKind.PART2_DISCLOSURE]) is None


@dataclass(frozen=True)
class _Consent:
    is_draft: bool = False
    expires_on: date | None = None
    revoked_on: date | None = None


def test_state_by_date_expiry_today_is_still_in_force() -> None:
    assert consent_state(_Consent(expires_on=TODAY), TODAY) is ConsentState.ACTIVE
    assert consent_state(_Consent(expires_on=TODAY - timedelta(days=1)), TODAY) is ConsentState.EXPIRED
    assert consent_state(_Consent(expires_on=None), TODAY) is ConsentState.ACTIVE  # an event: not computed
    assert consent_state(_Consent(is_draft=True), TODAY) is ConsentState.DRAFT
    revoked = _Consent(expires_on=TODAY - timedelta(days=30), revoked_on=TODAY - timedelta(days=40))
    assert consent_state(revoked, TODAY) is ConsentState.REVOKED
    assert ConsentState.EXPIRED.label == "Expired"


def test_impossible_dates_are_refused_at_their_field() -> None:
    future = replace(COMPLETE, signed_on=TODAY + timedelta(days=1), expires_on=None)
    assert date_problems(future, TODAY) == [("signed_on", "The date signed is in the future.")]
    backwards = replace(COMPLETE, expires_on=date(2026, 11, 1))
    assert date_problems(backwards, TODAY) == [("expires_on", "The expiry date is before the date signed.")]
    assert date_problems(COMPLETE, TODAY) == []
    assert revocation_problem(TODAY + timedelta(days=1), COMPLETE.signed_on, TODAY) == (
        "The date of revocation is in the future."
    )
    assert "before the date signed" in revocation_problem(date(2026, 11, 1), COMPLETE.signed_on, TODAY)
    assert revocation_problem(TODAY, COMPLETE.signed_on, TODAY) is None
    assert "future" in signed_copy_problem(TODAY + timedelta(days=2), None, TODAY)
    assert signed_copy_problem(TODAY, COMPLETE.signed_on, TODAY) is None


def test_typed_dates_are_read_or_refused_in_words() -> None:
    assert parse_day(" 2026-03-07 ", "date signed") == date(2026, 3, 7)
    assert parse_day("", "date signed") is None
    with pytest.raises(ValueError, match="2026-02-30 is not a date on the calendar"):
        parse_day("2026-02-30", "date signed")
    with pytest.raises(ValueError, match="year-month-day"):
        parse_day("3/7/2026", "expiry date")


def test_control_characters_and_multiline_names_are_refused() -> None:
    with pytest.raises(TextRefused, match="control characters") as control:
        clean_consent_text("person_name", "Zo\x00ë")
    assert control.value.field == "person_name"
    with pytest.raises(TextRefused, match="one line"):
        clean_consent_text("person_name", "Zoë\nSmith")
    assert clean_consent_text("recipients", " Eastside Health\r\nRiver Housing ") == (
        "Eastside Health\nRiver Housing"
    )
    assert clean_consent_text("person_name", "O'Brien <Sam> & Co 🙂") == "O'Brien <Sam> & Co 🙂"
