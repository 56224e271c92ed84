"""The Flags view's proposals: from the latest checklist, for clinicians only, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import PermissionDenied
from hrclinic.services import intake, screening
from hrclinic.services.flags import flag_proposals
from hrclinic.services.intake import IntakeForm
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture


def test_only_the_latest_checklist_counts_and_front_desk_cannot_see_proposals(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    alone = intake.register_person(
        desk, IntakeForm(preferred_name="Zoë", screening=(("uses_alone", "yes", ""),))
    )
    safer = intake.register_person(
        desk, IntakeForm(preferred_name="Sam", screening=(("uses_alone", "yes", ""),))
    )
    intake.register_person(desk, IntakeForm(preferred_name="Kai", screening=(("injects", "yes", ""),)))
    intake.register_person(desk, IntakeForm(preferred_name="Noor"))  # never screened
    screening.record_screening(desk, safer.id, (("uses_alone", "no", ""), ("has_naloxone", "yes", "")))
    with pytest.raises(PermissionDenied):
        flag_proposals(desk)

    clinician = clinic_dir.login(CLINICIAN)
    rows = flag_proposals(clinician)
    assert [(r.preferred_name, r.reasons) for r in rows] == [
        ("Zoë", ("Uses alone",))
    ]
    assert rows[0].client_id == alone.id and rows[0].screened_by == "Fran Desk"
    with clinician.uow() as uow:
        viewed = uow.session.scalars(
            select(AuditEventRecord.details).where(AuditEventRecord.action == AuditAction.FLAGS_VIEWED)
        ).all()
    assert viewed == ['{"proposals": 1}']
