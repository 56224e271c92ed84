"""Shared by the appointment and outreach tests: a fixed clock, people and clinicians, audit rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from hrclinic.services import appointments, clients
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AuditEventRecord, ClientRecord

# A fixed "now" and a fixed time zone keep every test independent of the machine's clock and zone.
NOW = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)


def at(hours: float, *, days: int = 1) -> datetime:
    """A time ``days`` after NOW's date, ``hours`` after midnight UTC."""
    base = datetime.combine(NOW.date() + timedelta(days=days), time.min, tzinfo=UTC)
    return base + timedelta(hours=hours)


def person(clinic: UnlockedClinic, name: str, **prefs: object) -> uuid.UUID:
    """Register someone, with contact preferences set straight on the record."""
    registered = clients.register_client(clinic, name)
    if prefs:
        with clinic.uow() as uow:
            record = uow.session.get(ClientRecord, registered.id)
            for key, value in prefs.items():
                setattr(record, key, value)
            uow.commit()
    return registered.id


def clinician_id(clinic: UnlockedClinic, name: str = "Theo Therapist") -> uuid.UUID:
    """The id of the clinician of that name."""
    return next(c.id for c in appointments.list_clinicians(clinic) if c.display_name == name)


def actions(clinic: UnlockedClinic, target: uuid.UUID) -> list[str]:
    """The audit actions recorded about ``target``, in order."""
    with clinic.uow() as uow:
        return list(
            uow.session.scalars(
                select(AuditEventRecord.action)
                .where(AuditEventRecord.target_id == str(target))
                .order_by(AuditEventRecord.seq)
            )
        )


def chain_sound(clinic: UnlockedClinic) -> bool:
    """The audit chain verifies."""
    with clinic.uow() as uow:
        report = verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public)
    return not report.problems
