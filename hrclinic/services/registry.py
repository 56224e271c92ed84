"""The registry: everyone as list rows, one person's record, engagement status (never a closure).
Intake (registering and editing a person) is services/intake.py."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.domain.engagement import Engagement, can_change, needs_reason
from hrclinic.domain.intake import NEEDS
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.text import clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.readmodels.people import NeedRow, PersonDetail, PersonRow, StatusChangeRow
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.screening import screening_view
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.base import utc_now
from hrclinic.store.records import (
    ClientNeedRecord,
    ClientRecord,
    ClientStatusChangeRecord,
    OverdoseScreeningRecord,
    UserRecord,
)
from hrclinic.store.uow import UnitOfWork

RECORD_CHANGED = (
    "Someone else changed this record while you were editing it. Your changes were not saved; "
    "reopen the record to see theirs, then make yours again."
)


def live_record(uow: UnitOfWork, client_id: uuid.UUID, expected_version: int | None = None) -> ClientRecord:
    """A person's record that is not merged away; ``Conflict`` when someone changed it since
    ``expected_version``."""
    record = uow.get_versioned(ClientRecord, client_id, expected_version, conflict=RECORD_CHANGED)
    if record.status == Engagement.MERGED:
        raise ValidationError("This record was merged into another; open that record instead.")
    return record


# --- read -------------------------------------------------------------------------------------------


def registry_rows(clinic: UnlockedClinic) -> list[PersonRow]:
    """Everyone in the registry (merged records left out), newest first, in one query."""
    clinic.require(Permission.VIEW_REGISTRY, "view the registry")
    with clinic.uow() as uow:
        rows = uow.session.execute(
            select(
                ClientRecord.id,
                ClientRecord.record_number,
                ClientRecord.preferred_name,
                ClientRecord.legal_name,
                ClientRecord.aliases,
                ClientRecord.birth_year,
                ClientRecord.phone,
                ClientRecord.status,
                ClientRecord.created_at,
            )
            .where(ClientRecord.status != Engagement.MERGED.value)
            .order_by(ClientRecord.record_number.desc())
        ).all()
    return [
        PersonRow(
            r.id,
            r.record_number,
            r.preferred_name,
            r.status,
            r.created_at,
            legal_name=r.legal_name or "",
            aliases=tuple((r.aliases or "").splitlines()),
            birth_year=r.birth_year,
            phone=r.phone or "",
        )
        for r in rows
    ]


def person_detail(clinic: UnlockedClinic, client_id: uuid.UUID, *, audit: bool = True) -> PersonDetail:
    """A person's record (audited as a view); clinical parts only for roles holding the vault."""
    clinic.require(Permission.VIEW_REGISTRY, "view the registry")
    clinical = may(clinic.actor.role, Permission.READ_CLINICAL)
    with clinic.uow() as uow:
        s = uow.session
        record = s.get(ClientRecord, client_id)
        if record is None:
            raise NotFound("That record does not exist.")
        names: dict[uuid.UUID, str] = {
            user_id: name for user_id, name in s.execute(select(UserRecord.id, UserRecord.display_name))
        }
        bad = UnopenableValues()  # one altered or moved value stays one marked value
        detail = _detail(record, _needs(s, client_id), _history(s, client_id, names))
        if clinical:
            detail = _with_clinical_parts(s, detail, record, names, bad)
        if bad.found:
            bad.audit(s, clinic.signer)
            if not audit:
                uow.commit()
        if audit:
            append_event(
                s, clinic.signer, AuditAction.CLIENT_VIEWED, target_type="client", target_id=client_id
            )
            if detail.screenings:
                append_event(
                    s,
                    clinic.signer,
                    AuditAction.SCREENING_VIEWED,
                    target_type="client",
                    target_id=client_id,
                    details={"screenings": len(detail.screenings)},
                )
            uow.commit()
        return detail


def _needs(s: Session, client_id: uuid.UUID) -> tuple[NeedRow, ...]:
    return tuple(
        NeedRow(n.id, n.need, NEEDS.get(n.need, n.need), n.note, n.status, n.created_at)
        for n in s.scalars(
            select(ClientNeedRecord)
            .where(ClientNeedRecord.client_id == client_id)
            .order_by(ClientNeedRecord.created_at)
        )
    )


def _history(s: Session, client_id: uuid.UUID, names: dict[uuid.UUID, str]) -> tuple[StatusChangeRow, ...]:
    return tuple(
        StatusChangeRow(c.from_status, c.to_status, c.reason, c.changed_at, names.get(c.changed_by, ""))
        for c in s.scalars(
            select(ClientStatusChangeRecord)
            .where(ClientStatusChangeRecord.client_id == client_id)
            .order_by(ClientStatusChangeRecord.changed_at)
        )
    )


def _detail(
    record: ClientRecord, needs: tuple[NeedRow, ...], history: tuple[StatusChangeRow, ...]
) -> PersonDetail:
    """The registry part of the record, readable by every role."""
    return PersonDetail(
        id=record.id,
        record_number=record.record_number,
        version=record.version,
        preferred_name=record.preferred_name,
        legal_name=record.legal_name or "",
        aliases=tuple((record.aliases or "").splitlines()),
        date_of_birth=record.date_of_birth,
        birth_year=record.birth_year,
        pronouns=record.pronouns or "",
        gender=record.gender or "",
        phone=record.phone or "",
        email=record.email or "",
        address=record.address or "",
        may_text=record.may_text,
        may_voicemail=record.may_voicemail,
        safe_contact_notes=record.safe_contact_notes or "",
        emergency_contact_name=record.emergency_contact_name or "",
        emergency_contact_relationship=record.emergency_contact_relationship or "",
        emergency_contact_phone=record.emergency_contact_phone or "",
        language=record.language or "",
        housing_situation=record.housing_situation or "",
        insurance=record.insurance or "",
        referral_source=record.referral_source or "",
        status=record.status,
        status_changed_at=record.status_changed_at,
        created_at=record.created_at,
        merged_into_id=record.merged_into_id,
        needs=needs,
        status_history=history,
    )


def _with_clinical_parts(
    s: Session, detail: PersonDetail, record: ClientRecord, names: dict[uuid.UUID, str], bad: UnopenableValues
) -> PersonDetail:
    """Their own words and the overdose-risk checklists, opened in the clinical vault."""
    opened = {name: bad.read(record, name) for name in ("reason_own_words", "change_own_words")}
    reason, change = opened["reason_own_words"].text, opened["change_own_words"].text
    screenings = tuple(
        screening_view(sc, names, bad)
        for sc in s.scalars(
            select(OverdoseScreeningRecord)
            .where(OverdoseScreeningRecord.client_id == record.id)
            .order_by(OverdoseScreeningRecord.screened_at.desc())
        )
    )
    return replace(
        detail,
        clinical_visible=True,
        reason_own_words=reason,
        change_own_words=change,
        reason_own_words_by=_recorder(names, record.reason_own_words_by, reason),
        change_own_words_by=_recorder(names, record.change_own_words_by, change),
        screenings=screenings,
        unopenable=tuple(name for name, value in opened.items() if value.unopenable),
    )


def _recorder(names: dict[uuid.UUID, str], user_id: uuid.UUID | None, words: str) -> str:
    """Who recorded words that are shown ("" when none are, or when not known)."""
    return names.get(user_id, "") if words and user_id is not None else ""


# --- engagement ----------------------------------------------------------------------------------


def change_status(
    clinic: UnlockedClinic,
    client_id: uuid.UUID,
    to_status: str,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> PersonDetail:
    """Change engagement status; history is kept. Nothing here is ever a punishment or a closure."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "change a person's status",
        AuditAction.CLIENT_STATUS_CHANGED,
        target_type="client",
        target_id=client_id,
    ) as act:
        try:
            wanted = Engagement(to_status)
        except ValueError:
            raise ValidationError(f"Unknown status {to_status!r}.", field="status") from None
        why = clean_text(reason, field="reason", what="reason", limit=2000).strip()
        if needs_reason(wanted) and not why:
            raise ValidationError(
                "Say what happened (for example: goals met, or transferred with consent).", field="reason"
            )
        record = live_record(act.uow, client_id, expected_version)
        problem = can_change(Engagement(record.status), wanted)
        if problem:
            raise ValidationError(problem, field="status")
        act.session.add(
            ClientStatusChangeRecord(
                client_id=client_id,
                from_status=record.status,
                to_status=wanted.value,
                reason=why,
                changed_by=clinic.actor.user_id,
            )
        )
        details: dict[str, DetailValue] = {"from": record.status, "to": wanted.value}
        record.status, record.status_changed_at = wanted.value, utc_now()
        act.audit(details=details)
    return person_detail(clinic, client_id, audit=False)


def re_engage(clinic: UnlockedClinic, client_id: uuid.UUID) -> PersonDetail:
    """Welcome someone back in one step: active again, with their whole history intact."""
    return change_status(clinic, client_id, Engagement.ACTIVE.value, reason="Re-engaged")


def count_people(clinic: UnlockedClinic) -> int:
    """How many people are in the registry (merged records not counted)."""
    with clinic.uow() as uow:
        return (
            uow.session.scalar(
                select(func.count())
                .select_from(ClientRecord)
                .where(ClientRecord.status != Engagement.MERGED.value)
            )
            or 0
        )
