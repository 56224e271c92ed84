"""Intake on a real clinic: a name alone opens a record; own words and the checklist are deposited;
edits are refused when someone else changed the record meanwhile."""

from __future__ import annotations

import pytest

from hrclinic.errors import Conflict, SealedValueLocked, ValidationError
from hrclinic.services import intake, registry
from hrclinic.services.intake import IntakeForm
from hrclinic.store.records import ClientRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.people import FULL


def test_a_name_alone_opens_a_record(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(desk, IntakeForm(preferred_name="K."))
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
        intake.register_person(desk, IntakeForm(preferred_name="   "))
    assert refused.value.field == "preferred_name"
    assert registry.registry_rows(desk) == []


def test_front_desk_writes_own_words_and_screening_but_cannot_read_them_back(
    clinic_dir: ClinicFixture,
) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(desk, FULL)
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
    ids = [intake.register_person(desk, IntakeForm(preferred_name=n)).id for n in names]
    assert [registry.person_detail(desk, i).preferred_name for i in ids] == names
    with pytest.raises(ValidationError, match="control characters") as bad:
        intake.register_person(desk, IntakeForm(preferred_name="Zoë\x00"))
    assert bad.value.field == "preferred_name"
    with pytest.raises(ValidationError, match="not a real date") as impossible:
        intake.register_person(desk, IntakeForm(preferred_name="Zoë", birth="1990-02-30"))
    assert impossible.value.field == "birth"


def test_a_stale_edit_is_refused_not_silently_overwritten(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = intake.register_person(desk, IntakeForm(preferred_name="Sam"))
    first = registry.person_detail(desk, person.id)
    intake.update_person(
        desk, person.id, IntakeForm(preferred_name="Sam", phone="555 0100"), expected_version=first.version
    )
    with pytest.raises(Conflict, match="Someone else changed this record"):
        intake.update_person(
            desk, person.id, IntakeForm(preferred_name="Samuel"), expected_version=first.version
        )
    assert registry.person_detail(desk, person.id).phone == "555 0100"
