"""The Today and Caseload views' data, built from what the clinic records so far."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from hrclinic.domain.roles import Permission, may
from hrclinic.readmodels.overview import CaseloadRow, TodayOverview
from hrclinic.readmodels.people import PersonRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import ClientRecord, ClinicalNoteRecord


def _start_of_local_day(now: datetime) -> datetime:
    local = now.astimezone()
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo).astimezone(UTC)


def today_overview(clinic: UnlockedClinic, *, now: datetime | None = None) -> TodayOverview:
    """People registered since local midnight and, for clinicians, the notes they wrote today."""
    clinic.require(Permission.VIEW_REGISTRY, "view the registry")
    now = now or datetime.now(UTC)
    start = _start_of_local_day(now)
    with clinic.uow() as uow:
        s = uow.session
        registered = s.scalars(
            select(ClientRecord)
            .where(ClientRecord.created_at >= start, ClientRecord.created_at < start + timedelta(days=1))
            .order_by(ClientRecord.created_at.desc())
        ).all()
        total = s.scalar(select(func.count()).select_from(ClientRecord)) or 0
        notes = None
        if may(clinic.actor.role, Permission.WRITE_CLINICAL):
            notes = (
                s.scalar(
                    select(func.count())
                    .select_from(ClinicalNoteRecord)
                    .where(
                        ClinicalNoteRecord.author_id == clinic.actor.user_id,
                        ClinicalNoteRecord.written_at >= start,
                    )
                )
                or 0
            )
        return TodayOverview(
            day=now,
            registered_today=[
                PersonRow(r.id, r.record_number, r.preferred_name, r.status, r.created_at) for r in registered
            ],
            my_notes_today=notes,
            people_in_registry=total,
        )


def my_caseload(clinic: UnlockedClinic) -> list[CaseloadRow]:
    """The people this clinician has written notes for, most recently seen first (one query)."""
    clinic.require(Permission.READ_CLINICAL, "see a caseload")
    last = func.max(ClinicalNoteRecord.written_at).label("last_note_at")
    with clinic.uow() as uow:
        rows = uow.session.execute(
            select(
                ClientRecord.id,
                ClientRecord.record_number,
                ClientRecord.preferred_name,
                ClientRecord.status,
                func.count(ClinicalNoteRecord.id),
                last,
            )
            .join(ClinicalNoteRecord, ClinicalNoteRecord.client_id == ClientRecord.id)
            .where(ClinicalNoteRecord.author_id == clinic.actor.user_id)
            .group_by(ClientRecord.id)
            .order_by(last.desc())
        ).all()
    return [
        CaseloadRow(
            client_id=r[0],
            record_number=r[1],
            preferred_name=r[2],
            status=r[3],
            notes=r[4],
            last_note_at=r[5] if r[5].tzinfo else r[5].replace(tzinfo=UTC),
        )
        for r in rows
    ]
