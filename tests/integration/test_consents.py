"""Consent services on a real (encrypted) clinic: recorded, drafted, revoked, expired, audited."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.consents import DEFAULT_REVOCATION_STATEMENT, ConsentFields, ConsentKind, ConsentState
from hrclinic.errors import Conflict, NotFound, ValidationError
from hrclinic.services import clients, consents
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AuditEventRecord
from tests.conftest import FRONT_DESK, OWNER, ClinicFixture

TODAY = date.today()
SIGNED = TODAY - timedelta(days=10)

PART2 = ConsentFields(
    kind=ConsentKind.PART2_DISCLOSURE,
    person_name="Zoë Łukasiewicz-Şahin",
    discloser="Test Clinic",
    information="Medication list and dates of attendance",
    recipients="Dr. Amara Osei, Eastside Community Health Center\nRiver Street Housing Program",
    purpose="Coordinate primary care and housing support",
    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
    expires_on=TODAY + timedelta(days=180),
    signed_by="person",
    signed_on=SIGNED,
)


def _audit(clinic: UnlockedClinic, action: AuditAction) -> list[AuditEventRecord]:
    with clinic.uow() as uow:
        return list(
            uow.session.scalars(select(AuditEventRecord).where(AuditEventRecord.action == str(action))).all()
        )


@pytest.fixture
def desk(clinic_dir: ClinicFixture) -> UnlockedClinic:
    return clinic_dir.login(FRONT_DESK)


@pytest.fixture
def person(desk: UnlockedClinic):
    return clients.register_client(desk, "Zoë Łukasiewicz-Şahin")


def test_front_desk_records_a_complete_part2_consent_as_active_and_audited(desk, person) -> None:
    recorded = consents.record_consent(desk, person.id, PART2)
    assert recorded.state is ConsentState.ACTIVE and not recorded.is_draft
    assert [c.id for c in consents.list_consents(desk, person.id)] == [recorded.id]
    rows = _audit(desk, AuditAction.CONSENT_RECORDED)
    assert [r.target_id for r in rows] == [str(recorded.id)]
    details = json.loads(rows[0].details)
    assert details == {"client_id": str(person.id), "kind": "part2_disclosure", "draft": False}
    # ids and codes only: none of the consent's free text reaches the audit log
    assert "Eastside" not in rows[0].details and "Zoë" not in rows[0].details


def test_an_incomplete_consent_is_refused_naming_what_is_missing_and_nothing_is_saved(desk, person) -> None:
    with pytest.raises(ValidationError) as refused:
        consents.record_consent(desk, person.id, replace(PART2, purpose="  ", signed_on=None))
    assert refused.value.field == "purpose"
    assert "the purpose of the disclosure" in refused.value.message
    assert "the date signed" in refused.value.message
    assert consents.list_consents(desk, person.id) == []
    assert _audit(desk, AuditAction.CONSENT_RECORDED) == []


def test_a_draft_keeps_an_incomplete_form_and_comes_into_force_when_completed(desk, person) -> None:
    draft = consents.record_consent(desk, person.id, replace(PART2, purpose=""), save_as_draft=True)
    assert draft.state is ConsentState.DRAFT
    assert consents.active_part2_consents(desk, person.id) == []
    with pytest.raises(ValidationError, match="purpose"):
        consents.update_consent(desk, draft.id, replace(PART2, purpose=""), expected_version=draft.version)
    active = consents.update_consent(desk, draft.id, PART2, expected_version=draft.version)
    assert active.state is ConsentState.ACTIVE and active.version == draft.version + 1
    assert len(_audit(desk, AuditAction.CONSENT_UPDATED)) == 1
    with pytest.raises(ValidationError, match="Revoke it") as not_edited:
        consents.update_consent(
            desk, active.id, replace(PART2, purpose="Other"), expected_version=active.version
        )
    assert "record a new consent" in not_edited.value.message
    assert consents.get_consent(desk, active.id).fields.purpose == PART2.purpose


def test_revoking_keeps_the_record_with_date_and_how_it_was_received(desk, person) -> None:
    active = consents.record_consent(desk, person.id, PART2)
    with pytest.raises(ValidationError) as early:
        consents.revoke_consent(desk, active.id, SIGNED - timedelta(days=1), "Letter at the desk")
    assert early.value.field == "revoked_on" and "before the date signed" in early.value.message
    with pytest.raises(ValidationError) as no_how:
        consents.revoke_consent(desk, active.id, TODAY, "  ")
    assert no_how.value.field == "revocation_received_how"
    revoked = consents.revoke_consent(desk, active.id, TODAY, "Signed letter handed in at the front desk")
    assert revoked.state is ConsentState.REVOKED
    (kept,) = consents.list_consents(desk, person.id)
    assert (kept.state, kept.revoked_on, kept.revocation_received_how) == (
        ConsentState.REVOKED,
        TODAY,
        "Signed letter handed in at the front desk",
    )
    assert kept.fields == active.fields
    assert len(_audit(desk, AuditAction.CONSENT_REVOKED)) == 1
    assert consents.active_part2_consents(desk, person.id) == []
    with pytest.raises(ValidationError, match="already revoked"):
        consents.revoke_consent(desk, active.id, TODAY, "Again")


def test_a_consent_past_its_expiry_date_is_shown_as_expired_and_kept(desk, person) -> None:
    old = replace(PART2, signed_on=date(2025, 1, 6), expires_on=date(2025, 7, 6))
    recorded = consents.record_consent(desk, person.id, old)
    assert recorded.state is ConsentState.EXPIRED
    assert consents.list_consents(desk, person.id, today=date(2025, 7, 6))[0].state is ConsentState.ACTIVE
    assert consents.list_consents(desk, person.id, today=date(2025, 7, 7))[0].state is ConsentState.EXPIRED
    assert consents.active_part2_consents(desk, person.id, date(2025, 7, 7)) == []
    assert len(consents.active_part2_consents(desk, person.id, date(2025, 7, 6))) == 1


def test_active_part2_consents_give_structured_scopes_only_for_consents_in_force(desk, person) -> None:
    disclosure = consents.record_consent(desk, person.id, PART2)
    tpo = consents.record_consent(
        desk,
        person.id,
        replace(
            PART2,
            kind=ConsentKind.PART2_TPO,
            recipients="",
            recipient_class="My treating providers and health plans",
            expires_on=None,
            expiry_event="When I stop coming to the clinic",
        ),
    )
    consents.record_consent(
        desk, person.id, ConsentFields(ConsentKind.TREATMENT, person_name="Zoë", signed_on=SIGNED)
    )
    consents.record_consent(desk, person.id, replace(PART2, purpose=""), save_as_draft=True)
    revoked = consents.record_consent(desk, person.id, PART2)
    consents.revoke_consent(desk, revoked.id, TODAY, "Letter")

    scopes = {s.consent_id: s for s in consents.active_part2_consents(desk, person.id, TODAY)}
    assert set(scopes) == {disclosure.id, tpo.id}
    d = scopes[disclosure.id]
    assert d.recipients == (
        "Dr. Amara Osei, Eastside Community Health Center",
        "River Street Housing Program",
    )
    assert (d.information, d.purpose, d.expires_on, d.kind) == (
        PART2.information,
        PART2.purpose,
        PART2.expires_on,
        ConsentKind.PART2_DISCLOSURE,
    )
    t = scopes[tpo.id]
    assert (t.recipients, t.recipient_class, t.expires_on, t.expiry_event) == (
        (),
        "My treating providers and health plans",
        None,
        "When I stop coming to the clinic",
    )


def test_sud_counselling_notes_are_not_folded_into_another_part2_consent(desk, person) -> None:
    with pytest.raises(ValidationError, match="separate consent") as refused:
        consents.record_consent(
            desk, person.id, replace(PART2, information="Medication list and counselling notes")
        )
    assert refused.value.field == "information"
    notes = consents.record_consent(
        desk,
        person.id,
        replace(PART2, kind=ConsentKind.SUD_COUNSELLING_NOTES, information="Counselling notes"),
    )
    assert [s.kind for s in consents.active_part2_consents(desk, person.id)] == [
        ConsentKind.SUD_COUNSELLING_NOTES
    ]
    assert notes.state is ConsentState.ACTIVE


def test_impossible_dates_are_refused_at_the_field(desk, person) -> None:
    with pytest.raises(ValidationError) as future:
        consents.record_consent(desk, person.id, replace(PART2, signed_on=TODAY + timedelta(days=1)))
    assert (future.value.field, future.value.message) == ("signed_on", "The date signed is in the future.")
    with pytest.raises(ValidationError) as backwards:
        consents.record_consent(desk, person.id, replace(PART2, expires_on=SIGNED - timedelta(days=1)))
    assert backwards.value.field == "expires_on"
    with pytest.raises(ValidationError) as control:
        consents.record_consent(desk, person.id, replace(PART2, person_name="Zo\x07ë"), save_as_draft=True)
    assert control.value.field == "person_name"
    assert consents.list_consents(desk, person.id) == []


def test_a_change_made_meanwhile_is_not_overwritten(clinic_dir: ClinicFixture, desk, person) -> None:
    owner = clinic_dir.login(OWNER)
    draft = consents.record_consent(desk, person.id, replace(PART2, purpose=""), save_as_draft=True)
    consents.update_consent(
        owner,
        draft.id,
        replace(PART2, purpose="Owner's wording"),
        expected_version=draft.version,
        save_as_draft=True,
    )
    with pytest.raises(Conflict, match="Someone else changed this consent") as stale:
        consents.update_consent(desk, draft.id, PART2, expected_version=draft.version)
    assert stale.value.field == "version"
    assert consents.get_consent(desk, draft.id).fields.purpose == "Owner's wording"
    active = consents.update_consent(owner, draft.id, PART2, expected_version=draft.version + 1)
    consents.record_signed_copy(owner, active.id, TODAY, expected_version=active.version)
    with pytest.raises(Conflict, match="Someone else"):
        consents.revoke_consent(desk, active.id, TODAY, "Letter", expected_version=active.version)


def test_printing_and_the_signed_copy_are_recorded_and_audited(desk, person) -> None:
    active = consents.record_consent(desk, person.id, PART2)
    printed = consents.mark_form_printed(desk, active.id)
    assert printed.paper_form_printed_at is not None
    with pytest.raises(ValidationError) as early:
        consents.record_signed_copy(desk, active.id, SIGNED - timedelta(days=1))
    assert early.value.field == "signed_copy_received_on"
    received = consents.record_signed_copy(desk, active.id, TODAY)
    assert received.signed_copy_received_on == TODAY
    assert len(_audit(desk, AuditAction.CONSENT_FORM_PRINTED)) == 1
    assert len(_audit(desk, AuditAction.CONSENT_SIGNED_COPY_RECEIVED)) == 1


def test_unknown_people_and_consents_say_so(desk) -> None:
    import uuid

    with pytest.raises(NotFound):
        consents.record_consent(desk, uuid.uuid4(), PART2)
    with pytest.raises(NotFound):
        consents.revoke_consent(desk, uuid.uuid4(), TODAY, "Letter")
