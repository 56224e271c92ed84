"""The one text rule (hrclinic.domain.text): what it keeps, what it refuses and why."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hrclinic.domain.text import TextRefused, check_line, clean_line, clean_text
from hrclinic.errors import ValidationError

BIDI_EMBEDDINGS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
BIDI_ISOLATES_AND_MARKS = ["\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]

# Names and text from people the clinic serves; each must be stored exactly as typed.
GOOD_NAMES = [
    "Zoë",
    "Алексей Смирнов",
    "Nguyễn Văn An",
    "محمد",
    "שלום עליכם",
    "王秀英",
    "山田 太郎",
    "김민준",
    "Zoë 🙂",
    "family 👨‍👩‍👧",  # zero-width joiners inside an emoji sequence
    "رضا‌زاده",  # a zero-width non-joiner inside a Persian name
    "<b>&amp; O'Brien</b> & Co",
    "Robert'); DROP TABLE clients;--",
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_from_every_script_are_kept_exactly(name: str) -> None:
    assert clean_line(name, field="preferred_name", what="name") == name
    assert check_line(name, field="preferred_name", what="name") == name
    assert clean_text(name, field="note", what="note") == name


@pytest.mark.parametrize("clean", [clean_line, check_line, clean_text])
def test_a_lone_surrogate_is_refused_with_a_message_not_a_crash(clean: Callable[..., str]) -> None:
    for bad in ("\ud800", "Zo\udcffë", "\ud83d"):  # the last is half of an emoji
        message = r"not valid text \(U\+D[8-F][0-9A-F]{2}\); retype it"
        with pytest.raises(TextRefused, match=message) as refused:
            clean(bad, field="preferred_name", what="name")
        assert refused.value.field == "preferred_name"


@pytest.mark.parametrize("ch", BIDI_EMBEDDINGS + BIDI_ISOLATES_AND_MARKS)
def test_bidi_controls_in_a_name_are_refused_saying_why(ch: str) -> None:
    for clean in (clean_line, check_line):
        with pytest.raises(TextRefused) as refused:
            clean(f"Evil{ch}enohp.exe", field="preferred_name", what="name")
        assert refused.value.field == "preferred_name"
        assert str(refused.value) == (
            f"The name contains an invisible character that can reorder or hide text "
            f"(U+{ord(ch):04X}); retype it."
        )


@pytest.mark.parametrize("ch", ZERO_WIDTH)
def test_zero_width_characters_between_latin_letters_are_refused(ch: str) -> None:
    for text in (f"Sa{ch}m", f"{ch}Sam", f"Sam{ch}", f"Sam {ch}Smith"):
        with pytest.raises(TextRefused, match=f"reorder or hide text \\(U\\+{ord(ch):04X}\\)"):
            clean_line(text, field="legal_name", what="legal name")


def test_joiners_only_count_inside_a_word_that_joins() -> None:
    for text in ("\u200d👩", "👩\u200d", "👩\u200d\u200d👧", "محمد \u200cرضا", "a\u200d👩"):
        with pytest.raises(TextRefused, match="reorder or hide"):
            clean_line(text, field="f", what="name")


@pytest.mark.parametrize("ch", CONTROLS)
def test_control_characters_are_refused_in_lines_and_in_free_text(ch: str) -> None:
    for clean in (clean_line, check_line, clean_text):
        with pytest.raises(TextRefused, match=f"control characters \\(U\\+{ord(ch):04X}\\); retype it"):
            clean(f"a{ch}b", field="note", what="note")


def test_free_text_keeps_line_breaks_tabs_isolates_and_joiners_but_not_overrides() -> None:
    said = "line one\n\tindented\nשלום \u2067abc\u2069 x\u200by"
    assert clean_text(said, field="reason", what="reason") == said
    assert clean_text("a\r\nb\rc\u2028d", field="reason", what="reason") == "a\nb\nc\nd"
    for ch in BIDI_EMBEDDINGS:
        with pytest.raises(TextRefused, match=f"reorder or hide text \\(U\\+{ord(ch):04X}\\)") as refused:
            clean_text(f"see\n{ch}note", field="body", what="note")
        assert refused.value.field == "body"


def test_one_line_text_is_trimmed_and_a_pasted_line_break_becomes_a_space() -> None:
    assert clean_line("  O'Brien <Sam> & Co 🙂 ", field="note", what="note") == "O'Brien <Sam> & Co 🙂"
    assert clean_line("two\r\nlines\tand\u2029more", field="f", what="name") == "two lines and more"
    # check_line is for callers that store what they were given: only the ends may change.
    assert check_line("  Riverside Counselling\n", field="f", what="name") == "Riverside Counselling"
    with pytest.raises(TextRefused, match="should be on one line"):
        check_line("Riverside\nCounselling", field="clinic_name", what="clinic's name")


def test_length_limits_are_per_field() -> None:
    assert clean_line("x" * 5000, field="f", what="name", limit=5000) == "x" * 5000
    with pytest.raises(TextRefused, match=r"^The name can be at most 5,000 characters\.$"):
        clean_line("x" * 5001, field="f", what="name", limit=5000)
    with pytest.raises(TextRefused, match="at most 5 characters"):
        clean_text("abcdef", field="f", what="outcome", limit=5)


def test_the_one_error_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        clean_line("a\x00", field="phone", what="phone number")
    assert isinstance(refused.value, TextRefused) and refused.value.field == "phone"


@pytest.mark.parametrize("wrong", [None, 123, b"Zo\xc3\xab", ["Zoë"]])
def test_a_value_that_is_not_text_is_a_programming_error_naming_the_parameter(wrong: object) -> None:
    for clean in (clean_line, check_line, clean_text):
        with pytest.raises(TypeError, match=f"^preferred_name must be a str, not {type(wrong).__name__}$"):
            clean(wrong, field="preferred_name", what="name")
