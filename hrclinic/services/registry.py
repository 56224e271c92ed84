"""Low-threshold intake and the registry: register, edit, find, change engagement, merge."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import func, select

from hrclinic.domain.audit import AuditAction, DetailValue
from hrclinic.domain.engagement import Engagement, can_change, needs_reason
from hrclinic.domain.intake import (
    MAX_NAME,
    NEEDS,
    BirthInfo,
    parse_birth,
)
from hrclinic.domain.registry import RegistryRow
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.screening import ANSWERS, Checklist, checklist_from_json, proposal_reasons
from hrclinic.domain.text import clean_line, clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.paths import resource_path
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.models import ClientSummary
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.base import utc_now
from hrclinic.store.records import (
    ClientNeedRecord,
    ClientRecord,
    ClientStatusChangeRecord,
    ClinicRecord,
    OverdoseScreeningRecord,
    UserRecord,
)
from hrclinic.store.uow import UnitOfWork


@cache
def overdose_checklist() -> Checklist:
    """The checklist shipped with the app."""
    data = json.loads(resource_path("data", "overdose_risk_factors.json").read_text(encoding="utf-8"))
    return checklist_from_json(data)


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


@dataclass(frozen=True)
class NeedRow:
    """An immediate need."""

    id: uuid.UUID
    need: str
    label: str
    note: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class StatusChangeRow:
    """One change of engagement status."""

    from_status: str
    to_status: str
    reason: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class ScreeningAnswer:
    """One answered question."""

    factor_id: str
    question: str
    answer: str
    answer_label: str
    note: str


@dataclass(frozen=True)
class ScreeningView:
    """An overdose-risk checklist as a clinician reads it."""

    id: uuid.UUID
    screened_at: datetime
    screened_by: str
    answers: tuple[ScreeningAnswer, ...]
    proposal: tuple[str, ...]  # reasons an overdose-risk flag is proposed (empty: none)
    unopenable: bool = False  # the answers did not open (altered or moved): show UNOPENABLE_TEXT


@dataclass(frozen=True)
class PersonDetail:
    """A person's registry record; ``clinical`` only for roles that hold the clinical vault."""

    id: uuid.UUID
    record_number: int
    version: int
    preferred_name: str
    legal_name: str
    aliases: tuple[str, ...]
    date_of_birth: date | None
    birth_year: int | None
    pronouns: str
    gender: str
    phone: str
    email: str
    address: str
    may_text: bool | None
    may_voicemail: bool | None
    safe_contact_notes: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    language: str
    housing_situation: str
    insurance: str
    referral_source: str
    status: str
    status_changed_at: datetime | None
    created_at: datetime
    merged_into_id: uuid.UUID | None
    needs: tuple[NeedRow, ...] = ()
    status_history: tuple[StatusChangeRow, ...] = ()
    clinical_visible: bool = False
    reason_own_words: str = ""
    change_own_words: str = ""
    screenings: tuple[ScreeningView, ...] = field(default=())
    unopenable: tuple[str, ...] = ()  # own-words fields that did not open (altered or moved)
    reason_own_words_by: str = ""  # who recorded them ("" when not known: recorded before 0004)
    change_own_words_by: str = ""

    @property
    def birth_text(self) -> str:
        """The date of birth, or the year, as known."""
        if self.date_of_birth:
            return self.date_of_birth.isoformat()
        return str(self.birth_year) if self.birth_year else ""


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
    screening = []
    checklist = overdose_checklist()
    for factor_id, answer, note in form.screening:
        if checklist.factor(factor_id) is None or answer not in ANSWERS:
            raise ValidationError(
                "The overdose-risk checklist has an unknown question or answer.", field="screening"
            )
        screening.append((factor_id, answer, clean_text(note, field="screening", what="note", limit=2000)))
    return _Clean(values, birth, tuple(needs), tuple(screening))


def _today() -> date:
    return datetime.now().astimezone().date()


# --- register and edit ------------------------------------------------------------------------------


def register_person(clinic: UnlockedClinic, form: IntakeForm, *, today: date | None = None) -> ClientSummary:
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
        screening_id = _add_screening(clinic, s, record.id, clean.screening)
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
    return ClientSummary(
        record.id, record.record_number, record.preferred_name, record.status, record.created_at
    )


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


def _add_screening(
    clinic: UnlockedClinic, session: object, client_id: uuid.UUID, answers: tuple[tuple[str, str, str], ...]
) -> uuid.UUID | None:
    if not answers:
        return None
    payload = {"version": 1, "answers": [{"id": i, "answer": a, "note": n} for i, a, n in answers]}
    screening = OverdoseScreeningRecord(
        id=uuid.uuid4(), client_id=client_id, screened_by=clinic.actor.user_id
    )
    screening.answers = json.dumps(payload, ensure_ascii=False)  # deposited: front desk cannot read it back
    session.add(screening)  # type: ignore[attr-defined]
    return screening.id


def record_screening(
    clinic: UnlockedClinic, client_id: uuid.UUID, answers: tuple[tuple[str, str, str], ...]
) -> uuid.UUID:
    """A later (routine) overdose-risk checklist for someone already registered."""
    with clinic.acting(Permission.EDIT_REGISTRY, "record a screening", AuditAction.SCREENING_RECORDED) as act:
        clean = _clean(IntakeForm(preferred_name="x", screening=answers), _today())
        if not clean.screening:
            raise ValidationError("Answer at least one question of the checklist.", field="screening")
        if act.session.get(ClientRecord, client_id) is None:
            raise NotFound("That record does not exist.")
        screening_id = _add_screening(clinic, act.session, client_id, clean.screening)
        assert screening_id is not None
        act.audit(target_type="screening", target_id=screening_id, details={"client_id": str(client_id)})
    return screening_id


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
        record = _live(act.uow, client_id, expected_version)
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


RECORD_CHANGED = (
    "Someone else changed this record while you were editing it. Your changes were not saved; "
    "reopen the record to see theirs, then make yours again."
)


def _live(uow: UnitOfWork, client_id: uuid.UUID, expected_version: int | None = None) -> ClientRecord:
    """A person's record that is not merged away; ``Conflict`` when someone changed it since
    ``expected_version``."""
    record = uow.get_versioned(ClientRecord, client_id, expected_version, conflict=RECORD_CHANGED)
    if record.status == Engagement.MERGED:
        raise ValidationError("This record was merged into another; open that record instead.")
    return record


# --- read -------------------------------------------------------------------------------------------


def registry_rows(clinic: UnlockedClinic) -> list[RegistryRow]:
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
            )
            .where(ClientRecord.status != Engagement.MERGED.value)
            .order_by(ClientRecord.record_number.desc())
        ).all()
    return [
        RegistryRow.build(r[0], r[1], r[2], r[3] or "", (r[4] or "").splitlines(), r[5], r[6] or "", r[7])
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
        needs = tuple(
            NeedRow(n.id, n.need, NEEDS.get(n.need, n.need), n.note, n.status, n.created_at)
            for n in s.scalars(
                select(ClientNeedRecord)
                .where(ClientNeedRecord.client_id == client_id)
                .order_by(ClientNeedRecord.created_at)
            )
        )
        history = tuple(
            StatusChangeRow(c.from_status, c.to_status, c.reason, c.changed_at, names.get(c.changed_by, ""))
            for c in s.scalars(
                select(ClientStatusChangeRecord)
                .where(ClientStatusChangeRecord.client_id == client_id)
                .order_by(ClientStatusChangeRecord.changed_at)
            )
        )
        screenings: tuple[ScreeningView, ...] = ()
        reason = change = ""
        bad = UnopenableValues()  # one altered or moved value stays one marked value
        unopenable: list[str] = []
        if clinical:
            opened = {name: bad.read(record, name) for name in ("reason_own_words", "change_own_words")}
            reason, change = opened["reason_own_words"].text, opened["change_own_words"].text
            unopenable = [name for name, value in opened.items() if value.unopenable]
            screenings = tuple(
                _screening_view(sc, names, bad)
                for sc in s.scalars(
                    select(OverdoseScreeningRecord)
                    .where(OverdoseScreeningRecord.client_id == client_id)
                    .order_by(OverdoseScreeningRecord.screened_at.desc())
                )
            )
        detail = PersonDetail(
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
            clinical_visible=clinical,
            reason_own_words=reason,
            change_own_words=change,
            reason_own_words_by=_recorder(names, record.reason_own_words_by, reason),
            change_own_words_by=_recorder(names, record.change_own_words_by, change),
            screenings=screenings,
            unopenable=tuple(unopenable),
        )
        if bad.found:
            bad.audit(s, clinic.signer)
            if not audit:
                uow.commit()
        if audit:
            append_event(
                s, clinic.signer, AuditAction.CLIENT_VIEWED, target_type="client", target_id=client_id
            )
            if screenings:
                append_event(
                    s,
                    clinic.signer,
                    AuditAction.SCREENING_VIEWED,
                    target_type="client",
                    target_id=client_id,
                    details={"screenings": len(screenings)},
                )
            uow.commit()
        return detail


def _recorder(names: dict[uuid.UUID, str], user_id: uuid.UUID | None, words: str) -> str:
    """Who recorded words that are shown ("" when none are, or when not known)."""
    return names.get(user_id, "") if words and user_id is not None else ""


def _screening_view(
    record: OverdoseScreeningRecord, names: dict[uuid.UUID, str], bad: UnopenableValues
) -> ScreeningView:
    checklist = overdose_checklist()
    opened = bad.read(record, "answers")
    if opened.unopenable:
        return ScreeningView(record.id, record.screened_at, names.get(record.screened_by, ""), (), (), True)
    payload = json.loads(opened.text or "{}")
    answers = []
    chosen: dict[str, str] = {}
    for item in payload.get("answers", []):
        factor = checklist.factor(str(item.get("id")))
        answer = str(item.get("answer"))
        chosen[str(item.get("id"))] = answer
        answers.append(
            ScreeningAnswer(
                str(item.get("id")),
                factor.question if factor else str(item.get("id")),
                answer,
                checklist.answer_labels.get(answer, answer),
                str(item.get("note", "")),
            )
        )
    return ScreeningView(
        record.id,
        record.screened_at,
        names.get(record.screened_by, ""),
        tuple(answers),
        tuple(proposal_reasons(checklist, chosen)),
    )


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
        record = _live(act.uow, client_id, expected_version)
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
