"""The Flags view's data. Until dangerous-behaviour flags are recorded (the flags work), it shows what
the routine overdose-risk checklist *proposes*: people whose latest answers suggest overdose risk,
for a clinician to review and, with the flags work, turn into a flag."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.engagement import Engagement
from hrclinic.domain.roles import Permission
from hrclinic.domain.screening import proposal_reasons
from hrclinic.readmodels.flags import FlagProposalRow
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.screening import overdose_checklist
from hrclinic.services.sealed_values import UnopenableValues
from hrclinic.store.records import ClientRecord, OverdoseScreeningRecord, UserRecord


def flag_proposals(clinic: UnlockedClinic) -> list[FlagProposalRow]:
    """Latest checklist per person (one query), opened in the clinical vault; newest first.

    Audited once as a view of the flags list (the rows are clinical content)."""
    latest = (
        select(OverdoseScreeningRecord.client_id, func.max(OverdoseScreeningRecord.screened_at).label("at"))
        .group_by(OverdoseScreeningRecord.client_id)
        .subquery()
    )
    with clinic.acting(Permission.READ_CLINICAL, "see flags", AuditAction.FLAGS_VIEWED) as act:
        checklist = overdose_checklist()
        s = act.session
        rows = s.execute(
            select(
                OverdoseScreeningRecord.id,
                OverdoseScreeningRecord.client_id,
                OverdoseScreeningRecord.screened_at,
                OverdoseScreeningRecord.answers_sealed,
                OverdoseScreeningRecord.screened_by,
                ClientRecord.record_number,
                ClientRecord.preferred_name,
                ClientRecord.status,
                UserRecord.display_name,
            )
            .join(
                latest,
                (latest.c.client_id == OverdoseScreeningRecord.client_id)
                & (latest.c.at == OverdoseScreeningRecord.screened_at),
            )
            .join(ClientRecord, ClientRecord.id == OverdoseScreeningRecord.client_id)
            .join(UserRecord, UserRecord.id == OverdoseScreeningRecord.screened_by)
            .where(ClientRecord.status != Engagement.MERGED.value)
            .order_by(OverdoseScreeningRecord.screened_at.desc())
        ).all()
        found = []
        sealed = OverdoseScreeningRecord.answers  # the descriptor opens plain columns: no records are built
        bad = UnopenableValues()  # one altered or moved checklist stays one marked row
        for screening_id, client_id, screened_at, blob, screener, number, name, status, by in rows:
            opened = bad.open_selected(sealed, screening_id, blob, client_id=client_id, screened_by=screener)
            if opened.unopenable:
                found.append(FlagProposalRow(client_id, number, name, status, screened_at, by, (), True))
                continue
            payload = json.loads(opened.text or "{}")
            answers = {str(a.get("id")): str(a.get("answer")) for a in payload.get("answers", [])}
            reasons = proposal_reasons(checklist, answers)
            if reasons:
                found.append(
                    FlagProposalRow(client_id, number, name, status, screened_at, by, tuple(reasons))
                )
        bad.audit(s, clinic.signer)
        act.audit(details={"proposals": len(found)})
    return found
