"""Merging two records of one person (owners only): nothing is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import PermissionDenied
from hrclinic.services import intake, merge, notes, registry
from hrclinic.services.intake import IntakeForm
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.people import FULL


def test_owner_merges_two_records_of_one_person_and_nothing_is_lost(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    keep = intake.register_person(desk, IntakeForm(preferred_name="Zoë", phone="555 0100"))
    dup = intake.register_person(desk, FULL)
    clinician = clinic_dir.login(CLINICIAN)
    notes.write_clinical_note(clinician, dup.id, "A note on the duplicate record.")
    with pytest.raises(PermissionDenied):
        merge.merge_records(desk, keep.id, dup.id)
    owner = clinic_dir.login(OWNER)
    merged = merge.merge_records(owner, keep.id, dup.id)
    assert merged.legal_name == "Zofia Łukasiewicz-Şahin"  # empty details filled in
    assert merged.phone == "555 0100"  # existing details kept
    assert "Z" in merged.aliases and merged.reason_own_words == FULL.reason_own_words
    assert [n.body for n in notes.read_clinical_notes(owner, keep.id)] == ["A note on the duplicate record."]
    assert len(merged.screenings) == 1 and len(merged.needs) == 2
    gone = registry.person_detail(owner, dup.id)
    assert gone.status == "merged" and gone.merged_into_id == keep.id
    assert dup.id not in {r.id for r in registry.registry_rows(owner)}
    with owner.uow() as uow:
        assert uow.session.scalars(
            select(AuditEventRecord.action).where(AuditEventRecord.action == AuditAction.CLIENT_MERGED)
        ).all() == [AuditAction.CLIENT_MERGED]
