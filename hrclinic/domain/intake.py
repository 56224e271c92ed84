"""Intake rules: only the name is required; everything else is optional and checked only for sense.

Text is stored exactly as typed, except that invisible control characters (other than line breaks
and tabs in multi-line fields) are refused with a message at the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from hrclinic.errors import ValidationError

MAX_NAME = 5000
MAX_LINE = 2000
MAX_TEXT = 20_000
EARLIEST_BIRTH_YEAR = 1900
MAX_AGE = 120

NEEDS = {
    "housing": "Housing",
    "food": "Food",
    "money": "Money",
    "childcare": "Childcare",
    "medical": "Medical care",
    "legal": "Legal help",
    "safety": "Safety",
    "other": "Other",
}
HOUSING_SITUATIONS = [
    "Housed",
    "Staying with friends or family",
    "Shelter",
    "Unsheltered / outside",
    "In a program or residence",
    "Prefers not to say",
]

_CONTROL_FREE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean_line(text: str, *, field: str, what: str, limit: int = MAX_LINE) -> str:
    """A single-line answer: trimmed, no control characters (a pasted line break becomes a space)."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        raise ValidationError(f"The {what} contains invisible control characters; retype it.", field=field)
    if _has_lone_surrogate(text):
        raise ValidationError(f"The {what} contains characters that are not valid text.", field=field)
    text = text.strip()
    if len(text) > limit:
        raise ValidationError(f"The {what} can be at most {limit:,} characters.", field=field)
    return text


def clean_text(text: str, *, field: str, what: str, limit: int = MAX_TEXT) -> str:
    """A multi-line answer kept exactly as said: line breaks and tabs allowed, other controls refused."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationError(f"The {what} contains invisible control characters; retype it.", field=field)
    if _has_lone_surrogate(text):
        raise ValidationError(f"The {what} contains characters that are not valid text.", field=field)
    if len(text) > limit:
        raise ValidationError(f"The {what} can be at most {limit:,} characters.", field=field)
    return text


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class BirthInfo:
    """What is known about when someone was born: a full date, a year, or neither."""

    date_of_birth: date | None
    birth_year: int | None


def parse_birth(text: str, today: date, *, field: str = "birth") -> BirthInfo:
    """Read "1988-04-17", "17/04/1988"-style dates are refused as ambiguous; "1988" is a year;
    "36" is an age (the year is then approximate). Empty means unknown."""
    value = text.strip()
    if not value:
        return BirthInfo(None, None)
    if re.fullmatch(r"\d{1,3}", value):
        age = int(value)
        if age > MAX_AGE:
            raise ValidationError(
                f"An age of {age} is not possible; enter an age, a year or a date.", field=field
            )
        return BirthInfo(None, today.year - age)
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        if year > today.year:
            raise ValidationError(f"The year of birth {year} is in the future.", field=field)
        if year < EARLIEST_BIRTH_YEAR:
            raise ValidationError(f"The year of birth {year} is too long ago.", field=field)
        return BirthInfo(None, year)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if not match:
        raise ValidationError(
            "Enter the date of birth as year-month-day (1988-04-17), or just a year (1988), or an age (36).",
            field=field,
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"{value} is not a real date (check the month and the day).", field=field
        ) from None
    if born > today:
        raise ValidationError("The date of birth is in the future.", field=field)
    if year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(f"The year of birth {year} is too long ago.", field=field)
    return BirthInfo(born, born.year)


def phone_digits(phone: str) -> str:
    """Only the digits of a phone number (for matching and search)."""
    return "".join(ch for ch in phone if ch.isdigit())


def parse_aliases(text: str) -> list[str]:
    """Aliases typed one per line or separated by semicolons, without duplicates."""
    seen: list[str] = []
    for part in re.split(r"[;\n]", text):
        alias = part.strip()
        if alias and alias not in seen:
            seen.append(alias)
    return seen
