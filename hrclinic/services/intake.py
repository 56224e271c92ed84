"""Low-threshold intake: register a person with only the name they want to be called, and change
their details later. Everything beyond the name is optional; their own words are kept as said."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.intake import MAX_NAME, NEEDS, BirthInfo, parse_birth
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.text import clean_line, clean_text
from hrclinic.errors import ValidationError
from hrclinic.readmodels.people import PersonDetail, PersonRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.registry import live_record, person_detail
from hrclinic.services.screening import clean_answers, deposit_screening
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.records import ClientNeedRecord, ClientRecord, ClinicRecord

# The optional details of a registry record, in the order intake asks for them.
DETAIL_FIELDS = (
    "legal_name",
    "pronouns",
    "gender",
    "phone",
    "email",
    "address",
    "may_text",
    "may_voicemail",
    "safe_contact_notes",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "language",
    "housing_situation",
    "insurance",
    "referral_source",
)


@dataclass(frozen=True)
class IntakeForm:
    """What intake can record. Only ``preferred_name`` is required; "" means not given."""

    preferred_name: str
    legal_name: str = ""
    aliases: tuple[str, ...] = ()
    birth: str = ""  # a date (YYYY-MM-DD), a year, or an age, as typed
    pronouns: str = ""
    gender: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    may_text: bool | None = None
    may_voicemail: bool | None = None
    safe_contact_notes: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    language: str = ""
    housing_situation: str = ""
    insurance: str = ""
    referral_source: str = ""
    reason_own_words: str = ""  # "what brings you in", kept exactly as said
    change_own_words: str = ""  # "what would you like to change, if anything"
    needs: tuple[tuple[str, str], ...] = ()  # (need code, note)
    screening: tuple[tuple[str, str, str], ...] = ()  # (factor id, answer, note); empty: not screened


# --- validation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    fields: dict[str, object]
    birth: BirthInfo
    needs: tuple[tuple[str, str], ...]
    screening: tuple[tuple[str, str, str], ...]


_LINES = {
    "legal_name": ("legal name", MAX_NAME),
    "pronouns": ("pronouns", 200),
    "gender": ("gender", 200),
    "phone": ("phone number", 100),
    "email": ("e-mail address", 320),
    "emergency_contact_name": ("emergency contact's name", MAX_NAME),
    "emergency_contact_relationship": ("emergency contact's relationship", 200),
    "emergency_contact_phone": ("emergency contact's phone", 100),
    "language": ("language", 200),
    "housing_situation": ("housing situation", 500),
    "insurance": ("insurance", 500),
    "referral_source": ("answer to how they heard of us", 500),
}
_TEXTS = {
    "address": "address",
    "safe_contact_notes": "safe-contact notes",
    "reason_own_words": "answer in their own words",
    "change_own_words": "answer in their own words",
}


def _clean(form: IntakeForm, today: date) -> _Clean:
    name = clean_line(form.preferred_name, field="preferred_name", what="name", limit=MAX_NAME)
    if not name:
        raise ValidationError("Enter the name the person wants to be called.", field="preferred_name")
    values: dict[str, object] = {"preferred_name": name}
    for key, (what, limit) in _LINES.items():
        values[key] = clean_line(getattr(form, key), field=key, what=what, limit=limit)
    for key, what in _TEXTS.items():
        values[key] = clean_text(getattr(form, key), field=key, what=what)
    aliases = [clean_line(a, field="aliases", what="alias", limit=MAX_NAME) for a in form.aliases]
    values["aliases"] = "\n".join(a for a in aliases if a)
    email = str(values["email"])
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise ValidationError(
            "The e-mail address needs a name, an @ and a domain (name@example.org).", field="email"
        )
    values["may_text"], values["may_voicemail"] = form.may_text, form.may_voicemail
    birth = parse_birth(form.birth, today)
    needs = []
    for code, note in form.needs:
        if code not in NEEDS:
            raise ValidationError(f"Unknown need {code!r}.", field="needs")
        needs.append((code, clean_text(note, field="needs", what="note about a need", limit=2000)))
    return _Clean(values, birth, tuple(needs), clean_answers(form.screening))


def _today() -> date:
    return datetime.now().astimezone().date()


# --- register and edit ------------------------------------------------------------------------------


def register_person(clinic: UnlockedClinic, form: IntakeForm, *, today: date | None = None) -> PersonRow:
    """Open a record; every answer beyond the name is optional. One transaction, one audit trail."""
    with clinic.acting(Permission.EDIT_REGISTRY, "register people", AuditAction.CLIENT_REGISTERED) as act:
        clean = _clean(form, today or _today())
        s = act.session
        counter = s.scalars(select(ClinicRecord).with_for_update()).one()
        number = counter.next_record_number
        counter.next_record_number = number + 1
        record = ClientRecord(id=uuid.uuid4(), record_number=number, created_by=clinic.actor.user_id)
        _apply(record, clean)
        if form.reason_own_words.strip():
            _record_own_words(record, "reason_own_words", str(clean.fields["reason_own_words"]), clinic)
        if form.change_own_words.strip():
            _record_own_words(record, "change_own_words", str(clean.fields["change_own_words"]), clinic)
        s.add(record)
        s.flush()
        for code, note in clean.needs:
            s.add(
                ClientNeedRecord(client_id=record.id, need=code, note=note, created_by=clinic.actor.user_id)
            )
        screening_id = deposit_screening(clinic, s, record.id, clean.screening)
        act.audit(
            target_type="client",
            target_id=record.id,
            details={"needs": len(clean.needs), "screened": screening_id is not None},
        )
        if screening_id is not None:
            act.audit(
                AuditAction.SCREENING_RECORDED,
                target_type="screening",
                target_id=screening_id,
                details={"client_id": str(record.id)},
            )
    return PersonRow(record.id, record.record_number, record.preferred_name, record.status, record.created_at)


def _record_own_words(record: ClientRecord, name: str, words: str | None, clinic: UnlockedClinic) -> None:
    """Who recorded the words first (the sealed value is bound to them, and a front-desk deposit is
    signed by them and opens only while the record names them), then the words."""
    setattr(record, f"{name}_by", clinic.actor.user_id if words is not None else None)
    setattr(record, name, words)


def _apply(record: ClientRecord, clean: _Clean) -> None:
    for key, value in clean.fields.items():
        if key not in ("reason_own_words", "change_own_words"):
            setattr(record, key, value)
    record.date_of_birth = clean.birth.date_of_birth
    record.birth_year = clean.birth.birth_year


def update_person(
    clinic: UnlockedClinic,
    client_id: uuid.UUID,
    form: IntakeForm,
    *,
    expected_version: int,
    today: date | None = None,
) -> PersonDetail:
    """Change registry details. The person's own words: clinicians change them; front desk (who cannot
    read them back) may record them only where none are recorded yet, never over existing ones."""
    with clinic.acting(
        Permission.EDIT_REGISTRY,
        "edit records",
        AuditAction.CLIENT_UPDATED,
        target_type="client",
        target_id=client_id,
    ) as act:
        clean = _clean(form, today or _today())
        clinician = may(clinic.actor.role, Permission.READ_CLINICAL)
        record = live_record(act.uow, client_id, expected_version)
        _apply(record, clean)
        for name in ("reason_own_words", "change_own_words"):
            given = str(clean.fields[name])
            if clinician:
                # an entry that cannot be opened is kept (it is evidence) unless new words replace it;
                # words left as they were keep who recorded them
                if given != UnopenableValues().read(record, name).text:
                    _record_own_words(record, name, given or None, clinic)
            elif given.strip():
                if getattr(record, f"{name}_sealed") is not None:
                    raise ValidationError(
                        "Their own words are already recorded, and only a clinician can change them; "
                        "leave this answer empty, or ask a clinician.",
                        field=name,
                    )
                _record_own_words(record, name, given, clinic)  # deposited: a new entry, signed by them
    return person_detail(clinic, client_id, audit=False)
