"""People: the one row a person is in every list, and a person's record as the record view shows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from hrclinic.domain.folding import fold
from hrclinic.domain.intake import phone_digits


@dataclass(frozen=True)
class PersonRow:
    """A person in any list: Clients and its search, merge, possible duplicates at intake, the person
    pickers, Today's newly registered. What a list does not know is left at its default.

    ``search_text`` (names, aliases and record number, folded) and ``digits`` (the phone's digits) are
    computed once, when the row is made, so a search over 20,000 rows takes milliseconds."""

    id: uuid.UUID
    record_number: int
    preferred_name: str
    status: str
    created_at: datetime | None = None
    legal_name: str = ""
    aliases: tuple[str, ...] = ()
    birth_year: int | None = None
    phone: str = ""
    search_text: str = field(init=False, repr=False, compare=False)
    digits: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = " ".join([self.preferred_name, self.legal_name, *self.aliases, str(self.record_number)])
        object.__setattr__(self, "search_text", fold(words))
        object.__setattr__(self, "digits", phone_digits(self.phone))


@dataclass(frozen=True)
class NeedRow:
    """An immediate need."""

    id: uuid.UUID
    need: str
    label: str
    note: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class StatusChangeRow:
    """One change of engagement status."""

    from_status: str
    to_status: str
    reason: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class ScreeningAnswer:
    """One answered question."""

    factor_id: str
    question: str
    answer: str
    answer_label: str
    note: str


@dataclass(frozen=True)
class ScreeningView:
    """An overdose-risk checklist as a clinician reads it."""

    id: uuid.UUID
    screened_at: datetime
    screened_by: str
    answers: tuple[ScreeningAnswer, ...]
    proposal: tuple[str, ...]  # reasons an overdose-risk flag is proposed (empty: none)
    unopenable: bool = False  # the answers did not open (altered or moved): show UNOPENABLE_TEXT


@dataclass(frozen=True)
class PersonDetail:
    """A person's registry record; ``clinical`` only for roles that hold the clinical vault."""

    id: uuid.UUID
    record_number: int
    version: int
    preferred_name: str
    legal_name: str
    aliases: tuple[str, ...]
    date_of_birth: date | None
    birth_year: int | None
    pronouns: str
    gender: str
    phone: str
    email: str
    address: str
    may_text: bool | None
    may_voicemail: bool | None
    safe_contact_notes: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    language: str
    housing_situation: str
    insurance: str
    referral_source: str
    status: str
    status_changed_at: datetime | None
    created_at: datetime
    merged_into_id: uuid.UUID | None
    needs: tuple[NeedRow, ...] = ()
    status_history: tuple[StatusChangeRow, ...] = ()
    clinical_visible: bool = False
    reason_own_words: str = ""
    change_own_words: str = ""
    screenings: tuple[ScreeningView, ...] = field(default=())
    unopenable: tuple[str, ...] = ()  # own-words fields that did not open (altered or moved)
    reason_own_words_by: str = ""  # who recorded them ("" when not known: recorded before 0004)
    change_own_words_by: str = ""

    @property
    def birth_text(self) -> str:
        """The date of birth, or the year, as known."""
        if self.date_of_birth:
            return self.date_of_birth.isoformat()
        return str(self.birth_year) if self.birth_year else ""
