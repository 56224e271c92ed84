"""Outreach tasks: a missed appointment puts one on the clinician's list, worded from the person's
safe-contact preferences; the clinician closes it with what happened.

Nothing here reads or changes a person's engagement status, and nothing counts missed appointments:
nobody's record is closed for missing them (DOMAIN.md, "Accountability without termination").
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.scheduling import (
    MAX_OUTCOME,
    AppointmentKind,
    AppointmentStatus,
    ContactPreferences,
    UndoReason,
    outreach_reason,
)
from hrclinic.domain.text import clean_text
from hrclinic.errors import Conflict, PermissionDenied, ValidationError
from hrclinic.readmodels.scheduling import OutreachRow
from hrclinic.services.acting import Acting
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AppointmentRecord, ClientRecord, OutreachTaskRecord


def create_outreach(
    clinic: UnlockedClinic,
    act: Acting,
    appointment: AppointmentRecord,
    status: AppointmentStatus,
    moment: datetime,
) -> OutreachTaskRecord:
    """An outreach task for the appointment's clinician, in the unit of work that recorded the missed
    appointment. The person's engagement status is deliberately left as it is."""
    person = act.session.get(ClientRecord, appointment.client_id)
    assert person is not None  # the foreign key guarantees it
    prefs = ContactPreferences(
        may_text=person.may_text,
        may_voicemail=person.may_voicemail,
        notes=person.safe_contact_notes or "",
        has_phone=bool((person.phone or "").strip()),
    )
    task = OutreachTaskRecord(
        id=uuid.uuid4(),
        client_id=person.id,
        assigned_to=appointment.clinician_id,
        appointment_id=appointment.id,
        reason=outreach_reason(status, AppointmentKind(appointment.kind), appointment.starts_at, prefs),
        created_at=moment,
        created_by=clinic.actor.user_id,
    )
    act.session.add(task)
    act.audit(
        AuditAction.OUTREACH_CREATED,
        target_type="outreach_task",
        target_id=task.id,
        details={
            "client_id": str(person.id),
            "appointment_id": str(appointment.id),
            "assigned_to": str(appointment.clinician_id),
            "because": status.value,
        },
    )
    return task


def close_undone_outreach(
    clinic: UnlockedClinic,
    act: Acting,
    appointment: AppointmentRecord,
    undone: AppointmentStatus,
    why: UndoReason,
    moment: datetime,
) -> None:
    """Close the open outreach tasks of an appointment whose no-show or late cancel was undone."""
    open_tasks = act.session.scalars(
        select(OutreachTaskRecord).where(
            OutreachTaskRecord.appointment_id == appointment.id, OutreachTaskRecord.done_at.is_(None)
        )
    ).all()
    for task in open_tasks:
        task.done_at, task.done_by = moment, clinic.actor.user_id
        task.outcome = f"No longer needed: the {undone.label.lower()} was undone ({why.label.lower()})."
        act.audit(
            AuditAction.OUTREACH_DONE,
            target_type="outreach_task",
            target_id=task.id,
            details={"client_id": str(task.client_id), "closed_by_undo": True},
        )


def _outreach_query() -> Select[Any]:
    return select(
        OutreachTaskRecord.id,
        OutreachTaskRecord.version,
        ClientRecord.id,
        ClientRecord.record_number,
        ClientRecord.preferred_name,
        OutreachTaskRecord.reason,
        OutreachTaskRecord.created_at,
        OutreachTaskRecord.appointment_id,
        OutreachTaskRecord.done_at,
        OutreachTaskRecord.outcome,
    ).join(ClientRecord, ClientRecord.id == OutreachTaskRecord.client_id)


def my_outreach_tasks(clinic: UnlockedClinic) -> list[OutreachRow]:
    """Open outreach tasks assigned to the person logged in, oldest first (one query)."""
    clinic.require(Permission.VIEW_REGISTRY, "see outreach tasks")
    with clinic.uow() as uow:
        rows = uow.session.execute(
            _outreach_query()
            .where(
                OutreachTaskRecord.assigned_to == clinic.actor.user_id,
                OutreachTaskRecord.done_at.is_(None),
            )
            .order_by(OutreachTaskRecord.created_at)
        ).all()
    return [OutreachRow(*r) for r in rows]


def complete_outreach(
    clinic: UnlockedClinic, task_id: uuid.UUID, outcome: str, *, version: int | None = None
) -> OutreachRow:
    """Close an outreach task with what happened ("left a text; they will call back Friday")."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "close outreach tasks",
        AuditAction.OUTREACH_DONE,
        target_type="outreach_task",
        target_id=task_id,
    ) as act:
        text = clean_text(outcome, field="outcome", what="outcome", limit=MAX_OUTCOME).strip()
        if not text:
            raise ValidationError("Say what happened, in a few words.", field="outcome")
        s = act.session
        changed = "This outreach task was already closed or changed; the list is reloaded."
        task = act.uow.get_versioned(
            OutreachTaskRecord,
            task_id,
            version,
            conflict=changed,
            missing="That outreach task does not exist.",
        )
        if task.assigned_to != clinic.actor.user_id and not may(clinic.actor.role, Permission.MANAGE_CLINIC):
            raise PermissionDenied("This outreach task is on a colleague's list; they close it.")
        if task.done_at is not None:
            raise Conflict(changed)
        task.done_at, task.done_by, task.outcome = datetime.now(UTC), clinic.actor.user_id, text
        act.audit(details={"client_id": str(task.client_id)})
        s.flush()
        found = s.execute(_outreach_query().where(OutreachTaskRecord.id == task.id)).one()
    return OutreachRow(*found)
