"""Intake rules: only the name is required; everything else is optional and checked only for sense.

Typed text is cleaned by the one text rule (:mod:`hrclinic.domain.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hrclinic.errors import ValidationError

MAX_NAME = 5000
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
