"""Appointments and check-in (the Today view): book, move, check in, no-show, late cancel, walk-in.

A no-show or a late cancel puts an outreach task on the clinician's list (services/outreach.py).
Nothing here reads or changes a person's engagement status, and nothing counts missed appointments:
nobody's record is closed for missing them (DOMAIN.md, "Accountability without termination").
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.domain.roles import Permission, Role, may
from hrclinic.domain.scheduling import (
    BOOKABLE_KINDS,
    DEFAULT_DURATION,
    MAX_DURATION,
    MAX_NOTE,
    AppointmentKind,
    AppointmentStatus,
    UndoReason,
    duration_problem,
    local_day_bounds,
    makes_outreach,
    overlaps,
    start_problem,
    transition_problem,
    undo_problem,
    undo_target,
)
from hrclinic.domain.text import clean_line
from hrclinic.errors import NotFound, ValidationError
from hrclinic.readmodels.scheduling import AppointmentRow, ClinicianOption
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.outreach import close_undone_outreach, create_outreach
from hrclinic.store.records import AppointmentRecord, ClientRecord, UserRecord
from hrclinic.store.uow import UnitOfWork

CLINICAL_ROLES = [r.value for r in Role if may(r, Permission.WRITE_CLINICAL)]


class AppointmentOverlap(ValidationError):
    """The clinician already has an appointment then; the caller may ask and book anyway."""


# --- reading --------------------------------------------------------------------------------


def _row_query() -> tuple[Select[Any], type[UserRecord]]:
    """The day view's columns, joined to the person and (aliased) clinician; and that alias."""
    clinician = aliased(UserRecord)
    return (
        select(
            AppointmentRecord.id,
            AppointmentRecord.version,
            AppointmentRecord.starts_at,
            AppointmentRecord.duration_minutes,
            ClientRecord.id,
            ClientRecord.record_number,
            ClientRecord.preferred_name,
            clinician.id,
            clinician.display_name,
            AppointmentRecord.kind,
            AppointmentRecord.status,
            AppointmentRecord.note,
            AppointmentRecord.checked_in_at,
        )
        .join(ClientRecord, ClientRecord.id == AppointmentRecord.client_id)
        .join(clinician, clinician.id == AppointmentRecord.clinician_id)
    ), clinician


def _to_row(r: tuple[Any, ...]) -> AppointmentRow:
    """A row of ``_row_query`` (its columns are in the read model's order)."""
    kind, status = AppointmentKind(r[9]), AppointmentStatus(r[10])
    return AppointmentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], kind, status, r[11], r[12])


def _load_row(session: Session, appointment_id: uuid.UUID) -> AppointmentRow:
    query, _ = _row_query()
    found = session.execute(query.where(AppointmentRecord.id == appointment_id)).first()
    if found is None:
        raise NotFound("That appointment does not exist.")
    return _to_row(tuple(found))


def day_schedule(
    clinic: UnlockedClinic, day: date, clinician_id: uuid.UUID | None = None, *, tz: tzinfo | None = None
) -> list[AppointmentRow]:
    """Every appointment of one local day (every status), by time, in one query."""
    clinic.require(Permission.VIEW_REGISTRY, "see the appointments")
    start, end = local_day_bounds(day, tz)
    query, clinician = _row_query()
    query = query.where(AppointmentRecord.starts_at >= start, AppointmentRecord.starts_at < end)
    if clinician_id is not None:
        query = query.where(AppointmentRecord.clinician_id == clinician_id)
    query = query.order_by(AppointmentRecord.starts_at, clinician.display_name, ClientRecord.record_number)
    with clinic.uow() as uow:
        return [_to_row(tuple(r)) for r in uow.session.execute(query)]


def list_clinicians(clinic: UnlockedClinic) -> list[ClinicianOption]:
    """Active users appointments can be booked with (clinicians and owners), by name."""
    clinic.require(Permission.VIEW_REGISTRY, "see the appointments")
    with clinic.uow() as uow:
        rows = uow.session.execute(
            select(UserRecord.id, UserRecord.display_name)
            .where(UserRecord.active.is_(True), UserRecord.role.in_(CLINICAL_ROLES))
            .order_by(UserRecord.display_name)
        ).all()
    return [ClinicianOption(r[0], r[1]) for r in rows]


# --- checks shared by the commands ----------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _check_when(starts_at: datetime, duration_minutes: int, now: datetime) -> None:
    if starts_at.tzinfo is None:
        raise ValidationError("The time has no time zone; pick it again.", field="time")
    problem = start_problem(starts_at, now)
    if problem:
        raise ValidationError(problem, field="time")
    problem = duration_problem(duration_minutes)
    if problem:
        raise ValidationError(problem, field="duration")


def _clinician(session: Session, clinician_id: uuid.UUID) -> UserRecord:
    user = session.get(UserRecord, clinician_id)
    if user is None or not user.active or user.role not in CLINICAL_ROLES:
        raise ValidationError("Pick a clinician who is working here now.", field="clinician")
    return user


def _client(session: Session, client_id: uuid.UUID) -> ClientRecord:
    person = session.get(ClientRecord, client_id)
    if person is None:
        raise NotFound("That record does not exist.")
    if person.merged_into_id is not None:
        raise ValidationError(
            "This record was merged into another one; book with the record it was merged into.",
            field="person",
        )
    return person


def _check_overlap(
    session: Session,
    clinician: UserRecord,
    starts_at: datetime,
    duration_minutes: int,
    *,
    ignore: uuid.UUID | None = None,
) -> None:
    """Refuse a time the clinician already has booked (one query over a window around it)."""
    query = (
        select(
            AppointmentRecord.id,
            AppointmentRecord.starts_at,
            AppointmentRecord.duration_minutes,
            ClientRecord.preferred_name,
            ClientRecord.record_number,
        )
        .join(ClientRecord, ClientRecord.id == AppointmentRecord.client_id)
        .where(
            AppointmentRecord.clinician_id == clinician.id,
            AppointmentRecord.status.in_([s.value for s in AppointmentStatus if s.is_open]),
            AppointmentRecord.starts_at > starts_at - timedelta(minutes=MAX_DURATION),
            AppointmentRecord.starts_at < starts_at + timedelta(minutes=duration_minutes),
        )
        .order_by(AppointmentRecord.starts_at)
    )
    for other_id, other_start, other_minutes, name, number in session.execute(query):
        if other_id != ignore and overlaps(starts_at, duration_minutes, other_start, other_minutes):
            other_end = other_start + timedelta(minutes=other_minutes)
            raise AppointmentOverlap(
                f"{clinician.display_name} already has {name} (No. {number}) from "
                f"{other_start.astimezone():%H:%M} to {other_end.astimezone():%H:%M}, which overlaps.",
                field="time",
            )


def _locked(uow: UnitOfWork, appointment_id: uuid.UUID, version: int | None) -> AppointmentRecord:
    return uow.get_versioned(
        AppointmentRecord,
        appointment_id,
        version,
        conflict=lambda record: (
            "Someone changed this appointment a moment ago (it is now "
            f"“{AppointmentStatus(record.status).label.lower()}”). The day has been reloaded; "
            "look at it again and retry."
        ),
        missing="That appointment does not exist.",
    )


def _clean_note(note: str) -> str:
    return clean_line(note, field="note", what="note", limit=MAX_NOTE)


# --- booking --------------------------------------------------------------------------------


def book_appointment(
    clinic: UnlockedClinic,
    client_id: uuid.UUID,
    clinician_id: uuid.UUID,
    starts_at: datetime,
    *,
    duration_minutes: int = DEFAULT_DURATION,
    kind: AppointmentKind | str = AppointmentKind.SESSION,
    note: str = "",
    allow_overlap: bool = False,
    now: datetime | None = None,
) -> AppointmentRow:
    """Book a person with a clinician. An overlapping time is refused unless ``allow_overlap``."""
    with clinic.acting(Permission.EDIT_REGISTRY, "book appointments", AuditAction.APPOINTMENT_BOOKED) as act:
        kind = AppointmentKind(kind)
        if kind not in BOOKABLE_KINDS:
            raise ValidationError(
                "A walk-in is recorded when the person arrives (Walk-in check-in).", field="kind"
            )
        _check_when(starts_at, duration_minutes, _now(now))
        note = _clean_note(note)
        s = act.session
        _client(s, client_id)
        clinician = _clinician(s, clinician_id)
        if not allow_overlap:
            _check_overlap(s, clinician, starts_at, duration_minutes)
        record = AppointmentRecord(
            id=uuid.uuid4(),
            client_id=client_id,
            clinician_id=clinician_id,
            starts_at=starts_at.astimezone(UTC),
            duration_minutes=duration_minutes,
            kind=kind.value,
            status=AppointmentStatus.BOOKED.value,
            note=note,
            created_by=clinic.actor.user_id,
        )
        s.add(record)
        act.audit(
            target_type="appointment",
            target_id=record.id,
            details={
                "client_id": str(client_id),
                "clinician_id": str(clinician_id),
                "kind": kind.value,
                "overlap_allowed": allow_overlap,
            },
        )
        s.flush()
        row = _load_row(s, record.id)
    return row


def move_appointment(
    clinic: UnlockedClinic,
    appointment_id: uuid.UUID,
    version: int | None,
    *,
    starts_at: datetime | None = None,
    clinician_id: uuid.UUID | None = None,
    duration_minutes: int | None = None,
    allow_overlap: bool = False,
    now: datetime | None = None,
) -> AppointmentRow:
    """Give a booked appointment a new time, length and/or clinician."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "move appointments",
        AuditAction.APPOINTMENT_MOVED,
        target_type="appointment",
        target_id=appointment_id,
    ) as act:
        s = act.session
        record = _locked(act.uow, appointment_id, version)
        if record.status != AppointmentStatus.BOOKED:
            raise ValidationError(
                f"Only a booked appointment can be moved; this one is "
                f"“{AppointmentStatus(record.status).label.lower()}”.",
                field="time",
            )
        new_start = starts_at.astimezone(UTC) if starts_at is not None else record.starts_at
        new_minutes = duration_minutes if duration_minutes is not None else record.duration_minutes
        new_clinician = clinician_id or record.clinician_id
        if (new_start, new_minutes, new_clinician) == (
            record.starts_at,
            record.duration_minutes,
            record.clinician_id,
        ):
            raise ValidationError("Nothing changed: pick a new time or another clinician.", field="time")
        if starts_at is not None or duration_minutes is not None:
            _check_when(new_start, new_minutes, _now(now))
        clinician = _clinician(s, new_clinician)
        if not allow_overlap:
            _check_overlap(s, clinician, new_start, new_minutes, ignore=record.id)
        details: dict[str, DetailValue] = {
            "client_id": str(record.client_id),
            "time_changed": new_start != record.starts_at,
            "clinician_changed": new_clinician != record.clinician_id,
            "from_clinician_id": str(record.clinician_id),
            "to_clinician_id": str(new_clinician),
            "overlap_allowed": allow_overlap,
        }
        record.starts_at, record.duration_minutes, record.clinician_id = new_start, new_minutes, new_clinician
        act.audit(details=details)
        s.flush()
        row = _load_row(s, record.id)
    return row


# --- what happened --------------------------------------------------------------------------

_ACTIONS = {
    AppointmentStatus.CHECKED_IN: AuditAction.APPOINTMENT_CHECKED_IN,
    AppointmentStatus.NO_SHOW: AuditAction.APPOINTMENT_NO_SHOW,
    AppointmentStatus.LATE_CANCEL: AuditAction.APPOINTMENT_LATE_CANCEL,
    AppointmentStatus.CANCELLED: AuditAction.APPOINTMENT_CANCELLED,
}


def _set_status(
    clinic: UnlockedClinic,
    appointment_id: uuid.UUID,
    version: int | None,
    target: AppointmentStatus,
    now: datetime | None,
) -> AppointmentRow:
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "record check-ins and missed appointments",
        _ACTIONS[target],
        target_type="appointment",
        target_id=appointment_id,
    ) as act:
        moment = _now(now)
        s = act.session
        record = _locked(act.uow, appointment_id, version)
        current = AppointmentStatus(record.status)
        problem = transition_problem(current, target)
        if problem:
            raise ValidationError(problem, field="status")
        local_start = record.starts_at.astimezone()
        if target is AppointmentStatus.CHECKED_IN and local_start.date() > moment.astimezone().date():
            raise ValidationError(
                f"This appointment is on {local_start:%A %d %B}; check in on the day, or move it to today "
                "first.",
                field="status",
            )
        if target is AppointmentStatus.NO_SHOW and record.starts_at > moment:
            raise ValidationError(
                f"The appointment starts at {local_start:%H:%M} on {local_start:%A %d %B}; it can be marked "
                "missed once it has begun.",
                field="status",
            )
        record.status = target.value
        record.status_changed_at = moment
        record.status_changed_by = clinic.actor.user_id
        if target is AppointmentStatus.CHECKED_IN:
            record.checked_in_at = moment
        act.audit(details={"client_id": str(record.client_id)})
        if makes_outreach(target):
            create_outreach(clinic, act, record, target, moment)
        s.flush()
        row = _load_row(s, record.id)
    return row


def check_in(
    clinic: UnlockedClinic, appointment_id: uuid.UUID, version: int | None, *, now: datetime | None = None
) -> AppointmentRow:
    """The person has arrived."""
    return _set_status(clinic, appointment_id, version, AppointmentStatus.CHECKED_IN, now)


def mark_no_show(
    clinic: UnlockedClinic, appointment_id: uuid.UUID, version: int | None, *, now: datetime | None = None
) -> AppointmentRow:
    """The person did not come: an outreach task goes to the clinician. Their status is untouched."""
    return _set_status(clinic, appointment_id, version, AppointmentStatus.NO_SHOW, now)


def mark_late_cancel(
    clinic: UnlockedClinic, appointment_id: uuid.UUID, version: int | None, *, now: datetime | None = None
) -> AppointmentRow:
    """The person cancelled at short notice: an outreach task goes to the clinician."""
    return _set_status(clinic, appointment_id, version, AppointmentStatus.LATE_CANCEL, now)


def cancel_appointment(
    clinic: UnlockedClinic, appointment_id: uuid.UUID, version: int | None, *, now: datetime | None = None
) -> AppointmentRow:
    """The person cancelled ahead of time (no outreach needed)."""
    return _set_status(clinic, appointment_id, version, AppointmentStatus.CANCELLED, now)


def walk_in(
    clinic: UnlockedClinic,
    client_id: uuid.UUID,
    clinician_id: uuid.UUID,
    *,
    duration_minutes: int = DEFAULT_DURATION,
    note: str = "",
    now: datetime | None = None,
) -> AppointmentRow:
    """Someone came in without an appointment: a walk-in, checked in now, with the chosen clinician."""
    with clinic.acting(Permission.EDIT_REGISTRY, "check people in", AuditAction.WALK_IN_CHECKED_IN) as act:
        problem = duration_problem(duration_minutes)
        if problem:
            raise ValidationError(problem, field="duration")
        note = _clean_note(note)
        moment = _now(now)
        s = act.session
        _client(s, client_id)
        _clinician(s, clinician_id)
        record = AppointmentRecord(
            id=uuid.uuid4(),
            client_id=client_id,
            clinician_id=clinician_id,
            starts_at=moment,
            duration_minutes=duration_minutes,
            kind=AppointmentKind.WALK_IN.value,
            status=AppointmentStatus.CHECKED_IN.value,
            note=note,
            checked_in_at=moment,
            status_changed_at=moment,
            status_changed_by=clinic.actor.user_id,
            created_by=clinic.actor.user_id,
        )
        s.add(record)
        act.audit(
            target_type="appointment",
            target_id=record.id,
            details={"client_id": str(client_id), "clinician_id": str(clinician_id)},
        )
        s.flush()
        row = _load_row(s, record.id)
    return row


def undo_status(
    clinic: UnlockedClinic,
    appointment_id: uuid.UUID,
    version: int | None,
    reason: UndoReason | str,
    *,
    now: datetime | None = None,
) -> AppointmentRow:
    """Take back a mistaken check-in, no-show or late cancel (back to booked; a walk-in entered by
    mistake becomes cancelled). The outreach task a mistaken no-show created is closed."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "correct appointments",
        AuditAction.APPOINTMENT_BOOKED,
        target_type="appointment",
        target_id=appointment_id,
    ) as act:
        try:
            why = UndoReason(reason)
        except ValueError:
            raise ValidationError("Say why this is being undone.", field="reason") from None
        moment = _now(now)
        s = act.session
        record = _locked(act.uow, appointment_id, version)
        current = AppointmentStatus(record.status)
        problem = undo_problem(current)
        if problem:
            raise ValidationError(problem, field="status")
        target = undo_target(AppointmentKind(record.kind), current)
        record.status = target.value
        record.status_changed_at = moment
        record.status_changed_by = clinic.actor.user_id
        if current is AppointmentStatus.CHECKED_IN:
            record.checked_in_at = None
        if target is AppointmentStatus.CANCELLED:  # a walk-in entered by mistake is cancelled, not booked
            act.action = _ACTIONS[target]
        act.audit(details={"client_id": str(record.client_id), "undone": current.value, "reason": why.value})
        close_undone_outreach(clinic, act, record, current, why, moment)
        s.flush()
        row = _load_row(s, record.id)
    return row
