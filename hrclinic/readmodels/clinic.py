"""The clinic as the status bar, About box and Settings show it, and what creating one hands back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ClinicSummary:
    """The clinic as the status bar and About box show it."""

    id: uuid.UUID
    name: str
    created_at: datetime
    idle_lock_minutes: int
    schema_revision: str


@dataclass(frozen=True)
class CreatedClinic:
    """What creating a clinic hands back once: the recovery key is never stored."""

    clinic_id: uuid.UUID
    owner_id: uuid.UUID
    recovery_key: str
