"""The clinic's name and settings (the automatic lock), as the status bar and Settings show them."""

from __future__ import annotations

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.errors import ValidationError
from hrclinic.readmodels.clinic import ClinicSummary
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import ClinicRecord


def clinic_summary(clinic: UnlockedClinic) -> ClinicSummary:
    """The clinic's name and settings."""
    with clinic.uow() as uow:
        record = uow.session.scalars(select(ClinicRecord)).one()
        return ClinicSummary(
            id=record.id,
            name=record.name,
            created_at=record.created_at,
            idle_lock_minutes=record.idle_lock_minutes,
            schema_revision=clinic.migration.to_revision,
        )


def set_idle_lock_minutes(clinic: UnlockedClinic, minutes: int) -> ClinicSummary:
    """Change the automatic lock delay (owner only; 1 to 240 minutes)."""
    with clinic.acting(
        Permission.MANAGE_CLINIC, "change the clinic's settings", AuditAction.CLINIC_SETTINGS_CHANGED
    ) as act:
        if not 1 <= minutes <= 240:
            raise ValidationError(
                "The automatic lock must be between 1 and 240 minutes.", field="idle_lock_minutes"
            )
        record = act.session.scalars(select(ClinicRecord)).one()
        before = record.idle_lock_minutes
        record.idle_lock_minutes = minutes
        act.audit(
            target_type="clinic",
            target_id=record.id,
            details={"idle_lock_minutes_before": before, "idle_lock_minutes": minutes},
        )
    return clinic_summary(clinic)
