"""Consents: record (active only when complete, else a draft), revoke, print and receive signed
paper copies, and the query the referral-letter work uses before any Part 2 disclosure.

An active consent is never edited: it is revoked and a new one recorded, so what the person
signed stays exactly as they signed it. Every change is audited (ids and short codes only).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from hrclinic.atomic import write_atomically
from hrclinic.domain.audit import AuditAction
from hrclinic.domain.consents import (
    PART2_KINDS,
    ConsentFields,
    ConsentKind,
    ConsentState,
    clean_consent_text,
    consent_state,
    date_problems,
    missing,
    missing_message,
    revocation_problem,
    signed_copy_problem,
)
from hrclinic.domain.roles import Permission
from hrclinic.errors import NotFound, ValidationError
from hrclinic.readmodels.consents import ConsentDetail, Part2ConsentScope
from hrclinic.reports.consent_form import consent_form_pdf
from hrclinic.services.acting import Acting
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.base import utc_now
from hrclinic.store.records import ClientRecord, ClinicRecord, ConsentRecord
from hrclinic.store.uow import UnitOfWork

CHANGED_MEANWHILE = (
    "Someone else changed this consent since you opened it. Close it and open it again to see "
    "their changes; nothing was saved."
)
ACTIVE_NOT_EDITED = (
    "A consent in force is not edited, so what the person signed stays as they signed it. "
    "Revoke it (with the date and how the revocation was received) and record a new consent."
)
_COUNSELLING_NOTES = re.compile(r"\bcounsel+ing notes?\b", re.IGNORECASE)
_FIELD_NAMES = [f.name for f in dataclass_fields(ConsentFields) if f.name != "kind"]
_TEXT_FIELD_NAMES = [
    name for name in _FIELD_NAMES if name not in {"expires_on", "signed_on", "may_text", "may_voicemail"}
]


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


def _fields_of(record: ConsentRecord) -> ConsentFields:
    return ConsentFields(
        kind=ConsentKind(record.kind), **{name: getattr(record, name) for name in _FIELD_NAMES}
    )


def _detail(record: ConsentRecord, today: date) -> ConsentDetail:
    fields = _fields_of(record)
    detail = ConsentDetail(
        id=record.id,
        client_id=record.client_id,
        version=record.version,
        state=ConsentState.DRAFT,
        is_draft=record.is_draft,
        fields=fields,
        revoked_on=record.revoked_on,
        revocation_received_how=record.revocation_received_how,
        paper_form_printed_at=record.paper_form_printed_at,
        signed_copy_received_on=record.signed_copy_received_on,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
    return replace(detail, state=consent_state(detail, today))


def _checked(fields: ConsentFields, *, save_as_draft: bool, today: date) -> ConsentFields:
    """Clean the text, refuse impossible dates and, unless saving a draft, anything incomplete."""
    kind = ConsentKind(fields.kind)
    cleaned: dict[str, object] = {}
    for name in _TEXT_FIELD_NAMES:
        cleaned[name] = clean_consent_text(name, getattr(fields, name))
    fields = replace(fields, kind=kind, **cleaned)  # type: ignore[arg-type]
    if kind in (ConsentKind.PART2_DISCLOSURE, ConsentKind.PART2_TPO) and _COUNSELLING_NOTES.search(
        fields.information
    ):
        raise ValidationError(
            "SUD counselling notes need a separate consent of their own: leave them out of this "
            "description and record an 'SUD counselling notes' consent for them.",
            field="information",
        )
    for field, problem in date_problems(fields, today):
        raise ValidationError(problem, field=field)
    if not save_as_draft:
        lacking = missing(fields)
        if lacking:
            raise ValidationError(missing_message(lacking), field=lacking[0].field)
    return fields


def _apply(record: ConsentRecord, fields: ConsentFields) -> None:
    record.kind = fields.kind.value
    for name in _FIELD_NAMES:
        setattr(record, name, getattr(fields, name))


def _consent(uow: UnitOfWork, consent_id: uuid.UUID, expected_version: int | None = None) -> ConsentRecord:
    """The consent being changed; ``Conflict`` when someone changed it since ``expected_version``."""
    return uow.get_versioned(
        ConsentRecord,
        consent_id,
        expected_version,
        conflict=CHANGED_MEANWHILE,
        missing="That consent does not exist.",
    )


def record_consent(
    clinic: UnlockedClinic,
    client_id: uuid.UUID,
    fields: ConsentFields,
    *,
    save_as_draft: bool = False,
    today: date | None = None,
) -> ConsentDetail:
    """Record a consent: in force only when every required element is there; otherwise refused
    with the missing elements named, unless ``save_as_draft`` keeps the incomplete form."""
    with clinic.acting(Permission.EDIT_REGISTRY, "record consents", AuditAction.CONSENT_RECORDED) as act:
        day = _today(today)
        fields = _checked(fields, save_as_draft=save_as_draft, today=day)
        draft = save_as_draft
        if act.session.get(ClientRecord, client_id) is None:
            raise NotFound("That person's record does not exist.")
        record = ConsentRecord(
            id=uuid.uuid4(), client_id=client_id, is_draft=draft, created_by=clinic.actor.user_id
        )
        _apply(record, fields)
        act.session.add(record)
        act.flush()
        act.audit(
            target_type="consent",
            target_id=record.id,
            details={"client_id": str(client_id), "kind": fields.kind.value, "draft": draft},
        )
    return _detail(record, day)


def update_consent(
    clinic: UnlockedClinic,
    consent_id: uuid.UUID,
    fields: ConsentFields,
    *,
    expected_version: int,
    save_as_draft: bool = False,
    today: date | None = None,
) -> ConsentDetail:
    """Change a draft; without ``save_as_draft`` it comes into force, if complete.

    A consent in force is not edited: it is revoked and a new one recorded.
    """
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "change consents",
        AuditAction.CONSENT_UPDATED,
        target_type="consent",
        target_id=consent_id,
    ) as act:
        day = _today(today)
        fields = _checked(fields, save_as_draft=save_as_draft, today=day)
        record = _consent(act.uow, consent_id, expected_version)
        if not record.is_draft or record.revoked_on is not None:
            raise ValidationError(ACTIVE_NOT_EDITED)
        _apply(record, fields)
        record.is_draft = save_as_draft
        act.flush()
        act.audit(
            details={"client_id": str(record.client_id), "kind": fields.kind.value, "draft": save_as_draft}
        )
    return _detail(record, day)


def revoke_consent(
    clinic: UnlockedClinic,
    consent_id: uuid.UUID,
    revoked_on: date | None,
    received_how: str,
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> ConsentDetail:
    """Record that the person revoked a consent: the date and how it was received. The consent
    is kept, shown as revoked."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "record revocations",
        AuditAction.CONSENT_REVOKED,
        target_type="consent",
        target_id=consent_id,
    ) as act:
        day = _today(today)
        how = clean_consent_text("revocation_received_how", received_how)
        if not how:
            raise ValidationError(
                "Say how the revocation was received (for example, a signed letter handed in at the desk).",
                field="revocation_received_how",
            )
        record = _consent(act.uow, consent_id, expected_version)
        if record.revoked_on is not None:
            raise ValidationError(f"This consent was already revoked on {record.revoked_on.isoformat()}.")
        if record.is_draft:
            raise ValidationError(
                "A draft is not in force, so there is nothing to revoke. Leave it as a draft."
            )
        problem = revocation_problem(revoked_on, record.signed_on, day)
        if problem:
            raise ValidationError(problem, field="revoked_on")
        record.revoked_on = revoked_on
        record.revocation_received_how = how
        act.flush()
        act.audit(details={"client_id": str(record.client_id), "kind": record.kind})
    return _detail(record, day)


def mark_form_printed(clinic: UnlockedClinic, consent_id: uuid.UUID) -> ConsentDetail:
    """Note that a paper form was printed for a wet signature (audited)."""
    with clinic.acting(
        Permission.EDIT_REGISTRY, "print consent forms", AuditAction.CONSENT_FORM_PRINTED
    ) as act:
        record = _consent(act.uow, consent_id)
        _stamp_printed(act, record)
    return _detail(record, date.today())


def _stamp_printed(act: Acting, record: ConsentRecord) -> None:
    record.paper_form_printed_at = utc_now()
    act.flush()
    act.audit(
        target_type="consent",
        target_id=record.id,
        details={"client_id": str(record.client_id), "kind": record.kind},
    )


def print_consent_form(clinic: UnlockedClinic, consent_id: uuid.UUID, path: Path) -> Path:
    """Write the consent form PDF, pre-filled from the record, atomically to ``path`` (audited)."""
    with clinic.acting(
        Permission.EDIT_REGISTRY, "print consent forms", AuditAction.CONSENT_FORM_PRINTED
    ) as act:
        target = Path(path).expanduser()
        if target.suffix.lower() != ".pdf":
            target = (
                target.with_suffix(target.suffix + ".pdf") if target.suffix else target.with_suffix(".pdf")
            )
        record = _consent(act.uow, consent_id)
        clinic_name = act.session.scalars(select(ClinicRecord.name)).one()
        pdf = consent_form_pdf(_detail(record, date.today()), clinic_name=clinic_name)
        _stamp_printed(act, record)
        # The file is written before the commit: a failed write leaves no "printed" row behind.
        try:
            write_atomically(target.resolve(), pdf)
        except OSError as exc:
            raise ValidationError(
                f"The form could not be saved to {target} ({exc.strerror or exc}). Choose another folder.",
                field="path",
            ) from None
    return target


def record_signed_copy(
    clinic: UnlockedClinic,
    consent_id: uuid.UUID,
    received_on: date | None,
    *,
    expected_version: int | None = None,
    today: date | None = None,
) -> ConsentDetail:
    """Record the date the signed paper copy came back (audited)."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "record signed copies",
        AuditAction.CONSENT_SIGNED_COPY_RECEIVED,
        target_type="consent",
        target_id=consent_id,
    ) as act:
        day = _today(today)
        record = _consent(act.uow, consent_id, expected_version)
        problem = signed_copy_problem(received_on, record.signed_on, day)
        if problem:
            raise ValidationError(problem, field="signed_copy_received_on")
        record.signed_copy_received_on = received_on
        act.flush()
        act.audit(details={"client_id": str(record.client_id), "kind": record.kind})
    return _detail(record, day)


def get_consent(clinic: UnlockedClinic, consent_id: uuid.UUID, *, today: date | None = None) -> ConsentDetail:
    """One consent, with its state today."""
    clinic.require(Permission.VIEW_REGISTRY, "view consents")
    with clinic.uow() as uow:
        return _detail(_consent(uow, consent_id), _today(today))


def list_consents(
    clinic: UnlockedClinic, client_id: uuid.UUID, *, today: date | None = None
) -> list[ConsentDetail]:
    """Every consent of one person, newest first, each with its state today (none is ever removed)."""
    clinic.require(Permission.VIEW_REGISTRY, "view consents")
    day = _today(today)
    with clinic.uow() as uow:
        records = uow.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.client_id == client_id)
            .order_by(ConsentRecord.created_at.desc())
        ).all()
        return [_detail(r, day) for r in records]


def active_part2_consents(
    clinic: UnlockedClinic, client_id: uuid.UUID, today: date | None = None
) -> list[Part2ConsentScope]:
    """The Part 2 consents in force today, as structured scopes. A disclosure with no matching
    scope here must be refused."""
    day = _today(today)
    scopes = []
    for consent in list_consents(clinic, client_id, today=day):
        if consent.kind not in PART2_KINDS or consent.state is not ConsentState.ACTIVE:
            continue
        f = consent.fields
        scopes.append(
            Part2ConsentScope(
                consent_id=consent.id,
                kind=consent.kind,
                discloser=f.discloser,
                information=f.information,
                recipients=tuple(line.strip() for line in f.recipients.splitlines() if line.strip()),
                recipient_class=f.recipient_class,
                purpose=f.purpose,
                signed_on=f.signed_on,
                expires_on=f.expires_on,
                expiry_event=f.expiry_event,
            )
        )
    return scopes
