"""Every service that stores typed text refuses broken and text-reordering input the same way, on a
real encrypted clinic: a ValidationError naming the field (never a UnicodeEncodeError), and nothing
stored. A value of the wrong Python type is a TypeError naming the parameter, never "None"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from hrclinic.domain.consents import DEFAULT_REVOCATION_STATEMENT, ConsentFields, ConsentKind
from hrclinic.domain.roles import Role
from hrclinic.errors import ValidationError
from hrclinic.services import appointments as appts
from hrclinic.services import clients, consents, drafts, intake, needs, notes, outreach, registry, users
from hrclinic.services.clinic import UnlockedClinic, create_clinic
from hrclinic.services.intake import IntakeForm
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture

# A lone surrogate (a broken paste) and a right-to-left override that makes "Evil\u202eenohp.exe"
# display as "Evilexe.phone".
BAD = [
    pytest.param("Zo\ud800ë", "not valid text", id="lone-surrogate"),
    pytest.param("Evil\u202eenohp", "reorder or hide text", id="right-to-left-override"),
]
NOW = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)
TOMORROW_10 = datetime.combine(NOW.date() + timedelta(days=1), time(10), tzinfo=UTC)

CONSENT = ConsentFields(
    kind=ConsentKind.PART2_DISCLOSURE,
    person_name="Zoë",
    discloser="Test Clinic",
    information="Dates of attendance",
    recipients="Dr. Amara Osei",
    purpose="Coordinate care",
    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
    expires_on=date.today() + timedelta(days=180),
    signed_by="person",
    signed_on=date.today() - timedelta(days=1),
)


@pytest.fixture
def desk(clinic_dir: ClinicFixture) -> UnlockedClinic:
    return clinic_dir.login(FRONT_DESK)


def _check_field(refused: pytest.ExceptionInfo[ValidationError], field: str) -> None:
    assert refused.value.field == field
    assert not isinstance(refused.value.__cause__, UnicodeError)


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_registry_and_intake_refuse_and_store_nothing(desk: UnlockedClinic, bad: str, words: str) -> None:
    for form, field in (
        (IntakeForm(preferred_name=bad), "preferred_name"),
        (IntakeForm(preferred_name="Zoë", legal_name=bad), "legal_name"),
        (IntakeForm(preferred_name="Zoë", phone=bad), "phone"),
        (IntakeForm(preferred_name="Zoë", aliases=("Z", bad)), "aliases"),
    ):
        with pytest.raises(ValidationError, match=words) as refused:
            intake.register_person(desk, form)
        _check_field(refused, field)
    with pytest.raises(ValidationError, match=words) as refused:
        clients.register_client(desk, bad)
    _check_field(refused, "preferred_name")
    assert registry.registry_rows(desk) == []
    zoe = clients.register_client(desk, "Zoë")
    with pytest.raises(ValidationError, match=words) as refused:
        version = registry.person_detail(desk, zoe.id).version
        intake.update_person(desk, zoe.id, IntakeForm(preferred_name=bad), expected_version=version)
    _check_field(refused, "preferred_name")
    assert [r.preferred_name for r in registry.registry_rows(desk)] == ["Zoë"]


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_consents_refuse_and_store_nothing(desk: UnlockedClinic, bad: str, words: str) -> None:
    zoe = clients.register_client(desk, "Zoë")
    for field in ("person_name", "recipients", "purpose"):
        with pytest.raises(ValidationError, match=words) as refused:
            consents.record_consent(desk, zoe.id, replace(CONSENT, **{field: bad}))
        _check_field(refused, field)
        with pytest.raises(ValidationError, match=words):
            consents.record_consent(desk, zoe.id, replace(CONSENT, **{field: bad}), save_as_draft=True)
    assert consents.list_consents(desk, zoe.id) == []
    recorded = consents.record_consent(desk, zoe.id, CONSENT)
    with pytest.raises(ValidationError, match=words) as refused:
        consents.revoke_consent(desk, recorded.id, date.today(), bad)
    _check_field(refused, "revocation_received_how")
    assert consents.get_consent(desk, recorded.id).revoked_on is None


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_appointments_and_outreach_refuse_and_store_nothing(
    clinic_dir: ClinicFixture, desk: UnlockedClinic, bad: str, words: str
) -> None:
    zoe = clients.register_client(desk, "Zoë").id
    theo = next(c.id for c in appts.list_clinicians(desk) if c.display_name == "Theo Therapist")
    with pytest.raises(ValidationError, match=words) as refused:
        appts.book_appointment(desk, zoe, theo, TOMORROW_10, note=bad, now=NOW)
    _check_field(refused, "note")
    with pytest.raises(ValidationError, match=words) as refused:
        appts.walk_in(desk, zoe, theo, note=bad, now=NOW)
    _check_field(refused, "note")
    assert appts.day_schedule(desk, NOW.date(), tz=UTC) == []
    assert appts.day_schedule(desk, TOMORROW_10.date(), tz=UTC) == []

    booked = appts.book_appointment(desk, zoe, theo, TOMORROW_10, now=NOW)
    appts.mark_no_show(desk, booked.id, booked.version, now=TOMORROW_10 + timedelta(minutes=30))
    clinician = clinic_dir.login(CLINICIAN)
    task = outreach.my_outreach_tasks(clinician)[0]
    with pytest.raises(ValidationError, match=words) as refused:
        outreach.complete_outreach(clinician, task.id, f"Left a text.\n{bad}")
    _check_field(refused, "outcome")
    assert [t.id for t in outreach.my_outreach_tasks(clinician)] == [task.id]  # still open


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_notes_needs_and_status_reasons_refuse_and_store_nothing(
    clinic_dir: ClinicFixture, desk: UnlockedClinic, bad: str, words: str
) -> None:
    zoe = clients.register_client(desk, "Zoë").id
    clinician = clinic_dir.login(CLINICIAN)
    with pytest.raises(ValidationError, match=words) as refused:
        notes.write_clinical_note(clinician, zoe, f"Talked about housing.\n{bad}")
    _check_field(refused, "body")
    assert notes.read_clinical_notes(clinician, zoe) == []
    with pytest.raises(ValidationError, match=words) as refused:
        needs.add_need(desk, zoe, "housing", f"Needs a bed tonight. {bad}")
    _check_field(refused, "note")
    assert registry.person_detail(desk, zoe).needs == ()
    with pytest.raises(ValidationError, match=words) as refused:
        registry.change_status(desk, zoe, "moved_on", reason=bad)
    _check_field(refused, "reason")
    assert registry.person_detail(desk, zoe).status == "active"


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_drafts_refuse_and_store_nothing(desk: UnlockedClinic, bad: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words) as refused:
        drafts.save_draft(desk, "intake", '{"preferred_name": "' + bad + '"}')
    _check_field(refused, "payload")
    assert drafts.load_draft(desk, "intake") is None


@pytest.mark.parametrize(("bad", "words"), BAD)
def test_user_display_names_refuse_and_store_nothing(clinic_dir: ClinicFixture, bad: str, words: str) -> None:
    owner = clinic_dir.login(OWNER)
    before = users.list_users(owner)
    with pytest.raises(ValidationError, match=words) as refused:
        users.add_user(
            owner,
            username="sam",
            display_name=f"Sam {bad}",
            role=Role.CLINICIAN,
            password="violet lantern 77",
            kdf=FAST_KDF,
        )
    _check_field(refused, "display_name")
    assert users.list_users(owner) == before


@pytest.mark.parametrize(
    ("bad", "words"), [*BAD, pytest.param("River\x07side", "control characters", id="control-character")]
)
def test_a_clinic_name_is_refused_like_every_other_name(tmp_path: Path, bad: str, words: str) -> None:
    target = tmp_path / "clinic"
    with pytest.raises(ValidationError, match=words) as refused:
        create_clinic(
            target,
            clinic_name=bad,
            owner_username="olive",
            owner_password=OWNER[1],
            owner_display_name="Olive Owner",
            kdf=FAST_KDF,
        )
    _check_field(refused, "clinic_name")
    assert not target.exists() or not any(target.iterdir())
    with pytest.raises(ValidationError, match="one line") as on_two_lines:
        create_clinic(target, clinic_name="River\nside", owner_username="olive", owner_password=OWNER[1])
    _check_field(on_two_lines, "clinic_name")


def test_wrong_python_types_are_a_programming_error_naming_the_parameter(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    cases = [
        (lambda: clients.register_client(desk, None), "preferred_name", "NoneType"),  # type: ignore[arg-type]
        (
            lambda: intake.register_person(desk, IntakeForm(preferred_name="Zoë", phone=5550100)),  # type: ignore[arg-type]
            "phone",
            "int",
        ),
        (lambda: drafts.save_draft(desk, "intake", None), "payload", "NoneType"),  # type: ignore[arg-type]
    ]
    zoe = clients.register_client(desk, "Zoë").id
    theo = next(c.id for c in appts.list_clinicians(desk) if c.display_name == "Theo Therapist")
    cases += [
        (
            lambda: consents.record_consent(desk, zoe, replace(CONSENT, purpose=None)),  # type: ignore[arg-type]
            "purpose",
            "NoneType",
        ),
        (
            lambda: consents.record_consent(desk, zoe, replace(CONSENT, person_name=123)),  # type: ignore[arg-type]
            "person_name",
            "int",
        ),
        (
            lambda: appts.book_appointment(desk, zoe, theo, TOMORROW_10, note=None, now=NOW),  # type: ignore[arg-type]
            "note",
            "NoneType",
        ),
        (
            lambda: users.add_user(
                clinic_dir.login(OWNER),
                username="sam",
                display_name=None,  # type: ignore[arg-type]
                role=Role.CLINICIAN,
                password="violet lantern 77",
            ),
            "display_name",
            "NoneType",
        ),
    ]
    for call, parameter, type_name in cases:
        with pytest.raises(TypeError, match=f"^{parameter} must be a str, not {type_name}$"):
            call()
    assert [r.preferred_name for r in registry.registry_rows(desk)] == ["Zoë"]  # no "None", no "123"
    assert consents.list_consents(desk, zoe) == []
    assert appts.day_schedule(desk, TOMORROW_10.date(), tz=UTC) == []


def test_unicode_names_from_every_script_are_stored_and_shown_exactly(desk: UnlockedClinic) -> None:
    names = ["Zoë", "Алексей", "Nguyễn Văn An", "محمد", "王秀英", "family 👨‍👩‍👧", "<b>&amp;</b> & Co"]
    ids = [clients.register_client(desk, name).id for name in names]
    assert [registry.person_detail(desk, i).preferred_name for i in ids] == names
