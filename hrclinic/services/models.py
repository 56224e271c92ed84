"""Read models: frozen dataclasses shaped for screens and commands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hrclinic.domain.roles import Role


@dataclass(frozen=True)
class Actor:
    """The person acting in an unlocked clinic."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False


@dataclass(frozen=True)
class UserSummary:
    """A user as the Users view lists them."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    created_at: datetime
    computer_login: bool


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
