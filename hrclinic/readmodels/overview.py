"""What happened today for the person logged in, and a clinician's caseload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hrclinic.readmodels.people import PersonRow


@dataclass(frozen=True)
class TodayOverview:
    """What happened today, for the person logged in."""

    day: datetime
    registered_today: list[PersonRow]
    my_notes_today: int | None  # None for roles that do not write notes
    people_in_registry: int


@dataclass(frozen=True)
class CaseloadRow:
    """A person the clinician has written notes for."""

    client_id: uuid.UUID
    record_number: int
    preferred_name: str
    status: str
    notes: int
    last_note_at: datetime
