"""Intake, search, duplicate and engagement rules (no database)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from hrclinic.domain.engagement import Engagement, can_change
from hrclinic.domain.intake import parse_aliases, parse_birth, phone_digits
from hrclinic.domain.registry import possible_duplicates, search
from hrclinic.domain.screening import Checklist, RiskFactor, proposal_reasons
from hrclinic.domain.text import clean_line, clean_text
from hrclinic.errors import ValidationError
from hrclinic.readmodels.people import PersonRow

TODAY = date(2026, 11, 23)


def row(
    n: int,
    name: str,
    *,
    legal: str = "",
    year: int | None = None,
    phone: str = "",
    aliases: tuple[str, ...] = (),
    status: str = "active",
) -> PersonRow:
    return PersonRow(
        uuid.uuid4(), n, name, status, legal_name=legal, aliases=aliases, birth_year=year, phone=phone
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("1988", (None, 1988)),
        ("36", (None, 1990)),
        ("1988-04-17", (date(1988, 4, 17), 1988)),
    ],
)
def test_birth_can_be_a_date_a_year_an_age_or_unknown(text: str, expected: tuple) -> None:
    born = parse_birth(text, TODAY)
    assert (born.date_of_birth, born.birth_year) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "not a real date"),
        ("2027-01-01", "in the future"),
        ("2031", "in the future"),
        ("1850", "too long ago"),
        ("150", "not possible"),
        ("17/04/1988", "year-month-day"),
    ],
)
def test_impossible_births_are_refused_with_a_message_at_the_field(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        parse_birth(text, TODAY)
    assert refused.value.field == "birth"


def test_text_is_kept_exactly_but_control_characters_are_refused() -> None:
    weird = "O'Brien <Sam> & Co; DROP TABLE clients;-- 🙂 مرحبا"
    assert clean_line(weird, field="f", what="name") == weird
    assert clean_line("  Zoë  ", field="f", what="name") == "Zoë"
    assert clean_line("two\nlines", field="f", what="name") == "two lines"  # a pasted line break
    with pytest.raises(ValidationError, match="control characters"):
        clean_line("bell\x07", field="f", what="name")
    assert clean_text("line one\n\tindented", field="f", what="words") == "line one\n\tindented"
    with pytest.raises(ValidationError, match="control characters"):
        clean_text("escape \x1b[31m", field="f", what="words")
    with pytest.raises(ValidationError, match="at most"):
        clean_line("x" * 5001, field="f", what="name", limit=5000)
    assert len(clean_line("x" * 5000, field="f", what="name", limit=5000)) == 5000


def test_search_finds_names_aliases_numbers_and_phones() -> None:
    rows = [
        row(1004, "O'Brien <Sam> & Co"),
        row(1003, "Nguyễn Văn An", phone="(555) 201-3344"),
        row(1002, "Алексей Смирнов", aliases=("Lyosha",)),
        row(1001, "Zoë Łukasiewicz-Şahin", legal="Zofia Łukasiewicz"),
    ]
    assert [r.record_number for r in search(rows, "zoe")] == [1001]
    assert [r.record_number for r in search(rows, "ZOFIA luk")] == [1001]
    assert [r.record_number for r in search(rows, "lyosha")] == [1002]
    assert [r.record_number for r in search(rows, "2013344")] == [1003]
    assert [r.record_number for r in search(rows, "1002")] == [1002]
    assert [r.record_number for r in search(rows, "<sam>")] == [1004]
    assert search(rows, "") == rows
    assert search(rows, "nobody") == []


def test_exact_record_numbers_and_name_prefixes_rank_first() -> None:
    rows = [row(2000, "Anna 1999 Smith"), row(1999, "Zed"), row(1998, "Joanna"), row(1997, "Anna")]
    assert search(rows, "1999")[0].record_number == 1999
    assert [r.record_number for r in search(rows, "anna")] == [2000, 1997, 1998]


def test_possible_duplicates_by_similar_name_and_year_or_by_phone() -> None:
    rows = [
        row(1, "Zoe Lukasiewicz", year=1990),
        row(2, "Sam", phone="+1 555 201 3344"),
        row(3, "Zoey Lukasiewicz", year=1991),
        row(4, "Merged one", year=1990, status="merged"),
    ]
    found = possible_duplicates(rows, preferred_name="Zoë Łukasiewicz", birth_year=1990)
    assert [(d.row.record_number, d.reason) for d in found] == [(1, "similar name, born 1990")]
    assert [
        d.row.record_number
        for d in possible_duplicates(rows, preferred_name="Zoey Lukasiewic", birth_year=1991)
    ] == [3]
    assert [d.reason for d in possible_duplicates(rows, preferred_name="someone", phone="555-201-3344")] == [
        "same phone number"
    ]
    assert possible_duplicates(rows, preferred_name="Zoe Lukasiewicz") == []  # no year: name alone is common


def test_status_changes_never_punish_and_merged_is_not_chosen() -> None:
    assert can_change(Engagement.LOST_CONTACT, Engagement.ACTIVE) is None
    assert can_change(Engagement.MOVED_ON, Engagement.ACTIVE) is None
    assert "already" in (can_change(Engagement.ACTIVE, Engagement.ACTIVE) or "")
    assert can_change(Engagement.ACTIVE, Engagement.MERGED)
    assert can_change(Engagement.MERGED, Engagement.ACTIVE)
    assert {e.label for e in Engagement} == {"Active", "Paused", "Lost contact", "Moved on", "Merged"}


def test_screening_proposes_a_flag_only_for_high_risk_answers() -> None:
    checklist = Checklist(
        "t",
        "n",
        (
            RiskFactor("alone", "Alone?", True),
            RiskFactor("inject", "Inject?", False),
            RiskFactor("naloxone", "Naloxone?", False, protective=True),
        ),
        {},
    )
    assert proposal_reasons(checklist, {"alone": "no", "inject": "yes", "naloxone": "yes"}) == []
    assert proposal_reasons(checklist, {"alone": "yes"}) == ["Alone?"]
    assert proposal_reasons(checklist, {"naloxone": "no"}) == ["Naloxone? (answered no)"]
    assert proposal_reasons(checklist, {"alone": "declined", "naloxone": "not_asked"}) == []


def test_small_helpers() -> None:
    assert phone_digits("+1 (555) 201-3344") == "15552013344"
    assert parse_aliases("Blue; K.\nBlue\n  ") == ["Blue", "K."]
