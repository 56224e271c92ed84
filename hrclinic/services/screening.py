"""The routine overdose-risk checklist: the one shipped in resources/data/overdose_risk_factors.json,
its answers deposited in the clinical vault (front desk writes them and cannot read them back), and
read back by clinicians with the flag it proposes, if any."""

from __future__ import annotations

import json
import uuid
from functools import cache

from sqlalchemy.orm import Session

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission
from hrclinic.domain.screening import ANSWERS, Checklist, checklist_from_json, proposal_reasons
from hrclinic.domain.text import clean_text
from hrclinic.errors import NotFound, ValidationError
from hrclinic.paths import resource_path
from hrclinic.readmodels.people import ScreeningAnswer, ScreeningView
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.records import ClientRecord, OverdoseScreeningRecord

Answers = tuple[tuple[str, str, str], ...]  # (factor id, answer, note) for each question answered


@cache
def overdose_checklist() -> Checklist:
    """The checklist shipped with the app: the one place its questions and their ids come from."""
    data = json.loads(resource_path("data", "overdose_risk_factors.json").read_text(encoding="utf-8"))
    return checklist_from_json(data)


def clean_answers(answers: Answers) -> Answers:
    """The answers, each to a question of the checklist with a known answer, notes cleaned."""
    checklist = overdose_checklist()
    cleaned = []
    for factor_id, answer, note in answers:
        if checklist.factor(factor_id) is None or answer not in ANSWERS:
            raise ValidationError(
                "The overdose-risk checklist has an unknown question or answer.", field="screening"
            )
        cleaned.append((factor_id, answer, clean_text(note, field="screening", what="note", limit=2000)))
    return tuple(cleaned)


def deposit_screening(
    clinic: UnlockedClinic, session: Session, client_id: uuid.UUID, answers: Answers
) -> uuid.UUID | None:
    """Add the (cleaned) answers as a new checklist of ``client_id``, sealed; None when there are none."""
    if not answers:
        return None
    payload = {"version": 1, "answers": [{"id": i, "answer": a, "note": n} for i, a, n in answers]}
    screening = OverdoseScreeningRecord(
        id=uuid.uuid4(), client_id=client_id, screened_by=clinic.actor.user_id
    )
    screening.answers = json.dumps(payload, ensure_ascii=False)  # deposited: front desk cannot read it back
    session.add(screening)
    return screening.id


def record_screening(clinic: UnlockedClinic, client_id: uuid.UUID, answers: Answers) -> uuid.UUID:
    """A later (routine) overdose-risk checklist for someone already registered."""
    with clinic.acting(Permission.EDIT_REGISTRY, "record a screening", AuditAction.SCREENING_RECORDED) as act:
        cleaned = clean_answers(answers)
        if not cleaned:
            raise ValidationError("Answer at least one question of the checklist.", field="screening")
        if act.session.get(ClientRecord, client_id) is None:
            raise NotFound("That record does not exist.")
        screening_id = deposit_screening(clinic, act.session, client_id, cleaned)
        assert screening_id is not None
        act.audit(target_type="screening", target_id=screening_id, details={"client_id": str(client_id)})
    return screening_id


def screening_view(
    record: OverdoseScreeningRecord, names: dict[uuid.UUID, str], bad: UnopenableValues
) -> ScreeningView:
    """A checklist opened for a clinician (or marked unopenable), with the flag it proposes."""
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
