"""Appointments and check-in on a real encrypted clinic (outreach tasks: test_outreach.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.scheduling import AppointmentKind, AppointmentStatus, UndoReason
from hrclinic.errors import Conflict, NotFound, ValidationError
from hrclinic.services import appointments as appts
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AuditEventRecord
from tests.conftest import FRONT_DESK, OWNER, ClinicFixture
from tests.scheduling import NOW, actions, at, chain_sound, clinician_id, person


@pytest.fixture
def desk(clinic_dir: ClinicFixture) -> UnlockedClinic:
    return clinic_dir.login(FRONT_DESK)


def test_clinicians_are_the_active_people_who_write_clinical_notes(desk: UnlockedClinic) -> None:
    names = [c.display_name for c in appts.list_clinicians(desk)]
    assert names == ["Olive Owner", "Theo Therapist"]  # front desk cannot be booked with


def test_front_desk_books_checks_in_and_everything_is_audited(desk: UnlockedClinic) -> None:
    zoe = person(desk, "Zoë Łukasiewicz-Şahin")
    theo = clinician_id(desk)
    booked = appts.book_appointment(
        desk, zoe, theo, at(15), duration_minutes=45, kind="intake", note="first visit", now=NOW
    )
    assert (booked.status, booked.kind, booked.preferred_name) == (
        AppointmentStatus.BOOKED,
        AppointmentKind.INTAKE,
        "Zoë Łukasiewicz-Şahin",
    )
    assert booked.clinician_name == "Theo Therapist" and booked.note == "first visit"
    arrived = appts.check_in(desk, booked.id, booked.version, now=at(14.9))
    assert arrived.status is AppointmentStatus.CHECKED_IN and arrived.checked_in_at == at(14.9)
    assert actions(desk, booked.id) == [AuditAction.APPOINTMENT_BOOKED, AuditAction.APPOINTMENT_CHECKED_IN]
    with desk.uow() as uow:
        details = json.loads(
            uow.session.scalars(
                select(AuditEventRecord.details).where(AuditEventRecord.target_id == str(booked.id))
            ).first()
        )
    assert "first visit" not in json.dumps(details)  # ids and codes only, never the note
    assert chain_sound(desk)


def test_walk_in_is_checked_in_now_with_the_chosen_clinician(desk: UnlockedClinic) -> None:
    lee = person(desk, "Lee")
    owner_id = clinician_id(desk, "Olive Owner")
    row = appts.walk_in(desk, lee, owner_id, note="asked for naloxone", now=NOW)
    assert (row.kind, row.status, row.starts_at, row.checked_in_at) == (
        AppointmentKind.WALK_IN,
        AppointmentStatus.CHECKED_IN,
        NOW,
        NOW,
    )
    assert row.clinician_name == "Olive Owner"
    assert actions(desk, row.id) == [AuditAction.WALK_IN_CHECKED_IN]
    # a walk-in entered by mistake is taken back to cancelled, never to "booked"
    undone = appts.undo_status(desk, row.id, row.version, UndoReason.WRONG_PERSON, now=NOW)
    assert undone.status is AppointmentStatus.CANCELLED and undone.checked_in_at is None


def test_statuses_move_only_the_allowed_way(desk: UnlockedClinic) -> None:
    ida = person(desk, "Ida")
    booked = appts.book_appointment(desk, ida, clinician_id(desk), at(9), now=NOW)
    with pytest.raises(ValidationError, match="once it has begun"):
        appts.mark_no_show(desk, booked.id, booked.version, now=NOW)  # tomorrow's appointment
    with pytest.raises(ValidationError, match="check in on the day"):
        appts.check_in(desk, booked.id, booked.version, now=NOW)
    cancelled = appts.cancel_appointment(desk, booked.id, booked.version, now=NOW)
    with pytest.raises(ValidationError, match="book a new one"):
        appts.check_in(desk, cancelled.id, cancelled.version, now=at(9))
    with pytest.raises(ValidationError, match="not undone"):
        appts.undo_status(desk, cancelled.id, cancelled.version, "entered_by_mistake")


def test_double_booking_a_clinician_is_refused_unless_allowed(desk: UnlockedClinic) -> None:
    a, b = person(desk, "Avi"), person(desk, "Bea")
    theo = clinician_id(desk)
    appts.book_appointment(desk, a, theo, at(10), duration_minutes=50, now=NOW)
    with pytest.raises(appts.AppointmentOverlap, match="Theo Therapist already has Avi") as refused:
        appts.book_appointment(desk, b, theo, at(10.5), now=NOW)
    assert refused.value.field == "time"
    # back to back is fine, so is another clinician, so is "book anyway"
    appts.book_appointment(desk, b, theo, at(10 + 50 / 60), now=NOW)
    appts.book_appointment(desk, b, clinician_id(desk, "Olive Owner"), at(10.5), now=NOW)
    forced = appts.book_appointment(desk, b, theo, at(10.5), allow_overlap=True, now=NOW)
    assert forced.status is AppointmentStatus.BOOKED
    # a cancelled appointment frees its time
    c = appts.book_appointment(desk, a, theo, at(13), now=NOW)
    appts.cancel_appointment(desk, c.id, c.version, now=NOW)
    appts.book_appointment(desk, b, theo, at(13), now=NOW)


def test_move_to_a_new_time_or_clinician(desk: UnlockedClinic) -> None:
    a, b = person(desk, "Avi"), person(desk, "Bea")
    theo, olive = clinician_id(desk), clinician_id(desk, "Olive Owner")
    first = appts.book_appointment(desk, a, theo, at(10), now=NOW)
    second = appts.book_appointment(desk, b, theo, at(12), now=NOW)
    with pytest.raises(appts.AppointmentOverlap):
        appts.move_appointment(desk, second.id, second.version, starts_at=at(10.25), now=NOW)
    moved = appts.move_appointment(
        desk, second.id, second.version, starts_at=at(10.25), clinician_id=olive, now=NOW
    )
    assert (moved.starts_at, moved.clinician_name) == (at(10.25), "Olive Owner")
    assert moved.version == second.version + 1
    with pytest.raises(ValidationError, match="already passed") as past:
        appts.move_appointment(desk, first.id, first.version, starts_at=NOW - timedelta(hours=2), now=NOW)
    assert past.value.field == "time"
    with pytest.raises(ValidationError, match="Nothing changed"):
        appts.move_appointment(desk, first.id, first.version, starts_at=at(10), now=NOW)
    assert actions(desk, second.id) == [AuditAction.APPOINTMENT_BOOKED, AuditAction.APPOINTMENT_MOVED]


def test_a_stale_version_gives_a_clear_conflict(clinic_dir: ClinicFixture, desk: UnlockedClinic) -> None:
    a = person(desk, "Avi")
    shown = appts.book_appointment(desk, a, clinician_id(desk), at(10), now=NOW)
    other_desk = clinic_dir.login(OWNER)
    appts.check_in(other_desk, shown.id, shown.version, now=at(9.9))
    with pytest.raises(Conflict, match="changed this appointment a moment ago"):
        appts.mark_no_show(desk, shown.id, shown.version, now=at(10.5))
    with pytest.raises(Conflict):
        appts.move_appointment(desk, shown.id, shown.version, starts_at=at(11), now=NOW)
    assert appts.day_schedule(desk, at(10).date(), tz=UTC)[0].status is AppointmentStatus.CHECKED_IN


def test_booking_rules_are_refused_at_the_field(desk: UnlockedClinic) -> None:
    a = person(desk, "Avi")
    theo = clinician_id(desk)
    cases = [
        ({"starts_at": NOW - timedelta(hours=1)}, "time", "already passed"),
        ({"starts_at": at(10), "duration_minutes": 4}, "duration", "at least 5"),
        ({"starts_at": at(10), "duration_minutes": 481}, "duration", "at most 8 hours"),
        ({"starts_at": at(10), "kind": "walk_in"}, "kind", "Walk-in check-in"),
        ({"starts_at": at(10), "note": "call\x07me"}, "note", "control characters"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError, match=words) as refused:
            appts.book_appointment(desk, a, theo, now=NOW, **kwargs)  # type: ignore[arg-type]
        assert refused.value.field == field
    # a moment ago is within the grace period (the session has just begun)
    appts.book_appointment(desk, a, theo, NOW - timedelta(minutes=10), now=NOW)
    with pytest.raises(ValidationError) as front_desk_clinician:
        appts.book_appointment(desk, a, desk.actor.user_id, at(15), now=NOW)
    assert front_desk_clinician.value.field == "clinician"
    with pytest.raises(NotFound):
        appts.book_appointment(desk, uuid.uuid4(), theo, at(15), now=NOW)


def test_day_schedule_follows_local_midnight_in_one_ordered_list(desk: UnlockedClinic) -> None:
    new_york_winter = timezone(timedelta(hours=-5))
    a, b, c = person(desk, "Avi"), person(desk, "Bea"), person(desk, "Cy")
    theo, olive = clinician_id(desk), clinician_id(desk, "Olive Owner")
    day = date(2030, 3, 5)  # local day in UTC-5: 05:00 UTC on the 5th to 05:00 UTC on the 6th
    late = appts.book_appointment(desk, a, theo, datetime(2030, 3, 6, 4, 30, tzinfo=UTC), now=NOW)  # 23:30
    after_midnight = appts.book_appointment(desk, b, theo, datetime(2030, 3, 6, 5, 30, tzinfo=UTC), now=NOW)
    early = appts.book_appointment(desk, c, olive, datetime(2030, 3, 5, 13, 0, tzinfo=UTC), now=NOW)  # 08:00
    before = appts.book_appointment(desk, c, olive, datetime(2030, 3, 5, 4, 30, tzinfo=UTC), now=NOW)
    rows = appts.day_schedule(desk, day, tz=new_york_winter)
    assert [r.id for r in rows] == [early.id, late.id]
    assert after_midnight.id in {r.id for r in appts.day_schedule(desk, date(2030, 3, 6), tz=new_york_winter)}
    assert before.id in {r.id for r in appts.day_schedule(desk, date(2030, 3, 4), tz=new_york_winter)}
    only_theo = appts.day_schedule(desk, day, theo, tz=new_york_winter)
    assert [r.preferred_name for r in only_theo] == ["Avi"]


def test_day_schedule_is_one_query_however_many_rows(desk: UnlockedClinic) -> None:
    from sqlalchemy import event

    theo = clinician_id(desk)
    people = [person(desk, f"Person {i}") for i in range(12)]
    for i, someone in enumerate(people):
        appts.book_appointment(desk, someone, theo, at(8 + i * 0.5), duration_minutes=30, now=NOW)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(desk.engine, "before_cursor_execute", count)
    try:
        rows = appts.day_schedule(desk, at(8).date(), tz=UTC)
    finally:
        event.remove(desk.engine, "before_cursor_execute", count)
    assert len(rows) == 12
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
