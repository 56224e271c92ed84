"""Appointments, the clinicians they can be booked with, and outreach tasks, as the Today view shows them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from hrclinic.domain.scheduling import AppointmentKind, AppointmentStatus


@dataclass(frozen=True)
class AppointmentRow:
    """One appointment as the day view shows it."""

    id: uuid.UUID
    version: int
    starts_at: datetime
    duration_minutes: int
    client_id: uuid.UUID
    record_number: int
    preferred_name: str
    clinician_id: uuid.UUID
    clinician_name: str
    kind: AppointmentKind
    status: AppointmentStatus
    note: str
    checked_in_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        """When the appointment ends."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class ClinicianOption:
    """Someone appointments can be booked with."""

    id: uuid.UUID
    display_name: str


@dataclass(frozen=True)
class OutreachRow:
    """An open outreach task: reach out to a person, as they have said they may be reached."""

    id: uuid.UUID
    version: int
    client_id: uuid.UUID
    record_number: int
    preferred_name: str
    reason: str
    created_at: datetime
    appointment_id: uuid.UUID | None
    done_at: datetime | None = None
    outcome: str = ""
