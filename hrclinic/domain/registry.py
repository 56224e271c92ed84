"""Finding people: accent- and case-insensitive search, and possible duplicates at intake."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from hrclinic.domain.folding import fold
from hrclinic.domain.intake import phone_digits


class Findable(Protocol):
    """What search and the duplicate check need of a row (``hrclinic.readmodels.people.PersonRow``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def record_number(self) -> int: ...
    @property
    def preferred_name(self) -> str: ...
    @property
    def legal_name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def birth_year(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def search_text(self) -> str:
        """Names, aliases and record number, folded (``hrclinic.domain.folding.fold``)."""
        ...
    @property
    def digits(self) -> str:
        """The phone number's digits."""
        ...


Row = TypeVar("Row", bound=Findable)


def search(rows: Sequence[Row], query: str, *, limit: int | None = None) -> list[Row]:
    """Every row matching all words of ``query`` (in names, aliases, record number or phone digits).

    Exact record numbers come first, then names that start with the query, then the rest, each in
    the order given (newest first). One pass per word over precomputed folded text: a few
    milliseconds for 20,000 people."""
    words = fold(query).split()
    if not words:
        return list(rows[:limit] if limit else rows)
    candidates = list(rows)
    for word in words:
        if word.isdigit() and len(word) >= 3:
            candidates = [r for r in candidates if word in r.search_text or word in r.digits]
        else:
            candidates = [r for r in candidates if word in r.search_text]
    numbers = {int(w) for w in words if w.isdigit()}
    first = words[0]
    exact = [r for r in candidates if r.record_number in numbers] if numbers else []
    taken = {r.id for r in exact}
    prefix = [r for r in candidates if r.id not in taken and r.search_text.startswith(first)]
    taken.update(r.id for r in prefix)
    found = exact + prefix + [r for r in candidates if r.id not in taken]
    return found[:limit] if limit else found


@dataclass(frozen=True)
class PossibleDuplicate(Generic[Row]):
    """A registered person who may be the one being registered, and why."""

    row: Row
    reason: str


def _similar(a: str, b: str) -> bool:
    """Same folded name, or one edit apart (typos: "Zoe"/"Zoey"), for names of 4+ letters."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    # one insertion, deletion or substitution
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def possible_duplicates(
    rows: Sequence[Row],
    *,
    preferred_name: str = "",
    legal_name: str = "",
    birth_year: int | None = None,
    phone: str = "",
    limit: int = 5,
) -> list[PossibleDuplicate[Row]]:
    """People already registered with the same or a similar name and the same year of birth, or the
    same phone number (at least 7 digits, compared on the last 10)."""
    names = {fold(n).strip() for n in (preferred_name, legal_name) if n.strip()}
    digits = phone_digits(phone)[-10:]
    found: list[PossibleDuplicate[Row]] = []
    for row in rows:
        if row.status == "merged":
            continue
        reason = ""
        if len(digits) >= 7 and row.digits and row.digits[-10:] == digits:
            reason = "same phone number"
        elif birth_year is not None and row.birth_year == birth_year and names:
            theirs = {
                fold(n).strip() for n in (row.preferred_name, row.legal_name, *row.aliases) if n.strip()
            }
            if any(_similar(a, b) for a in names for b in theirs):
                reason = f"similar name, born {birth_year}"
        if reason:
            found.append(PossibleDuplicate(row, reason))
            if len(found) >= limit:
                break
    return found
