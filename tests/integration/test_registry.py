"""Intake and the registry on a real clinic: low threshold, clinical parts deposited, status, merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import Conflict, PermissionDenied, SealedValueLocked, ValidationError
from hrclinic.services import drafts, merge, notes, registry
from hrclinic.services.registry import IntakeForm
from hrclinic.store.records import AuditEventRecord, ClientRecord
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture

FULL = IntakeForm(
    preferred_name="Zoë",
    legal_name="Zofia Łukasiewicz-Şahin",
    aliases=("Z", "Blue"),
    birth="1990-05-02",
    pronouns="she/her",
    phone="(555) 201-3344",
    may_text=True,
    may_voicemail=False,
    safe_contact_notes="Texts only after 6 pm; do not name the clinic.",
    housing_situation="Staying with friends or family",
    reason_own_words="My partner says I drink too much. I want to sleep better.",
    change_own_words="Maybe drink less on weeknights?",
    needs=(("housing", "couch-surfing since May"), ("food", "")),
    screening=(("uses_alone", "yes", "weekends"), ("has_naloxone", "no", ""), ("injects", "no", "")),
)


def test_a_name_alone_opens_a_record(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = registry.register_person(desk, IntakeForm(preferred_name="K."))
    detail = registry.person_detail(desk, person.id)
    assert (detail.preferred_name, detail.legal_name, detail.birth_year, detail.status) == (
        "K.",
        "",
        None,
        "active",
    )


def test_empty_name_is_refused_at_the_field_and_nothing_is_saved(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    with pytest.raises(ValidationError) as refused:
        registry.register_person(desk, IntakeForm(preferred_name="   "))
    assert refused.value.field == "preferred_name"
    assert registry.registry_rows(desk) == []


def test_front_desk_writes_own_words_and_screening_but_cannot_read_them_back(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = registry.register_person(desk, FULL)
    seen_by_desk = registry.person_detail(desk, person.id)
    assert not seen_by_desk.clinical_visible
    assert seen_by_desk.reason_own_words == "" and seen_by_desk.screenings == ()
    assert [(n.need, n.note) for n in seen_by_desk.needs] == [
        ("housing", "couch-surfing since May"),
        ("food", ""),
    ]
    # even reading the record directly: the deposit cannot be opened by front desk
    with desk.uow() as uow, pytest.raises(SealedValueLocked):
        _ = uow.session.get_one(ClientRecord, person.id).reason_own_words

    clinician = clinic_dir.login(CLINICIAN)
    seen = registry.person_detail(clinician, person.id)
    assert seen.reason_own_words == FULL.reason_own_words  # exactly as said
    assert seen.change_own_words == FULL.change_own_words
    [screening] = seen.screenings
    assert [(a.factor_id, a.answer_label, a.note) for a in screening.answers] == [
        ("uses_alone", "Yes", "weekends"),
        ("has_naloxone", "No", ""),
        ("injects", "No", ""),
    ]
    assert len(screening.proposal) == 2  # using alone, and no naloxone on hand
    assert seen.birth_text == "1990-05-02" and seen.aliases == ("Z", "Blue")


def test_nasty_input_is_stored_and_shown_exactly(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    names = [
        "x" * 5000,
        "🙂🙃 family emoji 👨‍👩‍👧",
        "مرحبا שלום",
        "Robert'); DROP TABLE clients;--",
        "O'Brien <Sam> & Co",
    ]
    ids = [registry.register_person(desk, IntakeForm(preferred_name=n)).id for n in names]
    assert [registry.person_detail(desk, i).preferred_name for i in ids] == names
    with pytest.raises(ValidationError, match="control characters") as bad:
        registry.register_person(desk, IntakeForm(preferred_name="Zoë\x00"))
    assert bad.value.field == "preferred_name"
    with pytest.raises(ValidationError, match="not a real date") as impossible:
        registry.register_person(desk, IntakeForm(preferred_name="Zoë", birth="1990-02-30"))
    assert impossible.value.field == "birth"


def test_search_rows_cover_names_aliases_and_phone(clinic_dir: ClinicFixture) -> None:
    from hrclinic.domain.registry import search

    desk = clinic_dir.login(FRONT_DESK)
    registry.register_person(desk, FULL)
    registry.register_person(desk, IntakeForm(preferred_name="Алексей Смирнов"))
    rows = registry.registry_rows(desk)
    assert [r.preferred_name for r in search(rows, "zofia")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "blue")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "2013344")] == ["Zoë"]
    assert [r.preferred_name for r in search(rows, "смирнов")] == ["Алексей Смирнов"]


def test_no_shows_and_status_history_never_close_a_record_and_reengaging_is_one_step(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = registry.register_person(desk, IntakeForm(preferred_name="Sam"))
    registry.change_status(desk, person.id, "lost_contact", reason="No reply since March")
    with pytest.raises(ValidationError, match="what happened"):
        registry.change_status(desk, person.id, "moved_on")
    back = registry.re_engage(desk, person.id)
    assert back.status == "active"
    assert [(c.from_status, c.to_status) for c in back.status_history] == [
        ("active", "lost_contact"),
        ("lost_contact", "active"),
    ]
    with pytest.raises(ValidationError, match="already"):
        registry.re_engage(desk, person.id)


def test_a_stale_edit_is_refused_not_silently_overwritten(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = registry.register_person(desk, IntakeForm(preferred_name="Sam"))
    first = registry.person_detail(desk, person.id)
    registry.update_person(
        desk, person.id, IntakeForm(preferred_name="Sam", phone="555 0100"), expected_version=first.version
    )
    with pytest.raises(Conflict, match="Someone else changed this record"):
        registry.update_person(
            desk, person.id, IntakeForm(preferred_name="Samuel"), expected_version=first.version
        )
    assert registry.person_detail(desk, person.id).phone == "555 0100"


def test_owner_merges_two_records_of_one_person_and_nothing_is_lost(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    keep = registry.register_person(desk, IntakeForm(preferred_name="Zoë", phone="555 0100"))
    dup = registry.register_person(desk, FULL)
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


def test_drafts_belong_to_their_author_and_survive_a_new_session(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    drafts.save_draft(desk, "intake", '{"preferred_name": "Zoë"}')
    again = clinic_dir.login(FRONT_DESK)
    restored = drafts.load_draft(again, "intake")
    assert restored is not None and restored.payload == '{"preferred_name": "Zoë"}'
    assert drafts.load_draft(clinic_dir.login(CLINICIAN), "intake") is None  # someone else's draft
    drafts.discard_draft(again, "intake")
    assert drafts.load_draft(again, "intake") is None
    raw = (clinic_dir.data_dir / "clinic.db").read_bytes() + b"".join(
        p.read_bytes() for p in clinic_dir.data_dir.glob("clinic.db-*")
    )
    assert "Zoë".encode() not in raw
