"""Appointments, check-in and outreach on a real encrypted clinic."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.scheduling import AppointmentKind, AppointmentStatus, UndoReason
from hrclinic.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hrclinic.services import appointments as appts
from hrclinic.services import clients
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import AuditEventRecord, ClientRecord
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture

# A fixed "now" and a fixed time zone keep every test independent of the machine's clock and zone.
NOW = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)


def _at(hours: float, *, days: int = 1) -> datetime:
    """A time ``days`` after NOW's date, ``hours`` after midnight UTC."""
    base = datetime.combine(NOW.date() + timedelta(days=days), time.min, tzinfo=UTC)
    return base + timedelta(hours=hours)


@pytest.fixture
def desk(clinic_dir: ClinicFixture) -> UnlockedClinic:
    return clinic_dir.login(FRONT_DESK)


def _person(clinic: UnlockedClinic, name: str, **prefs: object) -> uuid.UUID:
    person = clients.register_client(clinic, name)
    if prefs:
        with clinic.uow() as uow:
            record = uow.session.get(ClientRecord, person.id)
            for key, value in prefs.items():
                setattr(record, key, value)
            uow.commit()
    return person.id


def _clinician_id(clinic: UnlockedClinic, name: str = "Theo Therapist") -> uuid.UUID:
    return next(c.id for c in appts.list_clinicians(clinic) if c.display_name == name)


def _actions(clinic: UnlockedClinic, target: uuid.UUID) -> list[str]:
    with clinic.uow() as uow:
        return list(
            uow.session.scalars(
                select(AuditEventRecord.action)
                .where(AuditEventRecord.target_id == str(target))
                .order_by(AuditEventRecord.seq)
            )
        )


def test_clinicians_are_the_active_people_who_write_clinical_notes(desk: UnlockedClinic) -> None:
    names = [c.display_name for c in appts.list_clinicians(desk)]
    assert names == ["Olive Owner", "Theo Therapist"]  # front desk cannot be booked with


def test_front_desk_books_checks_in_and_everything_is_audited(desk: UnlockedClinic) -> None:
    zoe = _person(desk, "Zoë Łukasiewicz-Şahin")
    theo = _clinician_id(desk)
    booked = appts.book_appointment(
        desk, zoe, theo, _at(15), duration_minutes=45, kind="intake", note="first visit", now=NOW
    )
    assert (booked.status, booked.kind, booked.preferred_name) == (
        AppointmentStatus.BOOKED,
        AppointmentKind.INTAKE,
        "Zoë Łukasiewicz-Şahin",
    )
    assert booked.clinician_name == "Theo Therapist" and booked.note == "first visit"
    arrived = appts.check_in(desk, booked.id, booked.version, now=_at(14.9))
    assert arrived.status is AppointmentStatus.CHECKED_IN and arrived.checked_in_at == _at(14.9)
    assert _actions(desk, booked.id) == [AuditAction.APPOINTMENT_BOOKED, AuditAction.APPOINTMENT_CHECKED_IN]
    with desk.uow() as uow:
        details = json.loads(
            uow.session.scalars(
                select(AuditEventRecord.details).where(AuditEventRecord.target_id == str(booked.id))
            ).first()
        )
    assert "first visit" not in json.dumps(details)  # ids and codes only, never the note
    assert verify_chain_ok(desk)


def verify_chain_ok(clinic: UnlockedClinic) -> bool:
    with clinic.uow() as uow:
        report = verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public)
    return not report.problems


def test_a_no_show_creates_outreach_and_never_changes_the_persons_status(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    kai = _person(
        desk,
        "Kai",
        may_text=True,
        may_voicemail=False,
        safe_contact_notes="only after 6 pm",
        phone="555 0100",
    )
    theo = _clinician_id(desk)
    for day in range(1, 8):  # seven missed appointments in a row
        booked = appts.book_appointment(desk, kai, theo, _at(16, days=day), now=NOW)
        missed = appts.mark_no_show(desk, booked.id, booked.version, now=_at(16.5, days=day))
        assert missed.status is AppointmentStatus.NO_SHOW
    assert clients.get_client(desk, kai).status == "active"
    with desk.uow() as uow:
        assert uow.session.get(ClientRecord, kai).status == "active"

    clinician = clinic_dir.login(CLINICIAN)
    tasks = appts.my_outreach_tasks(clinician)
    assert len(tasks) == 7 and {t.preferred_name for t in tasks} == {"Kai"}
    assert tasks[0].reason.endswith(
        "Call or text per their safe-contact preferences: texts OK, no voicemail; only after 6 pm"
    )
    assert tasks[0].reason.startswith("Missed the session on")
    assert appts.my_outreach_tasks(desk) == []  # on the clinician's list, not the front desk's
    # booking again works the same as for anyone
    again = appts.book_appointment(desk, kai, theo, _at(10, days=9), now=NOW)
    assert again.status is AppointmentStatus.BOOKED


def test_a_late_cancel_also_creates_outreach_and_a_cancel_does_not(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    sam = _person(desk, "O'Brien <Sam> & Co", may_text=False, may_voicemail=True, phone="555 0199")
    theo = _clinician_id(desk)
    first = appts.book_appointment(desk, sam, theo, _at(9), now=NOW)
    second = appts.book_appointment(desk, sam, theo, _at(11), now=NOW)
    late = appts.mark_late_cancel(desk, first.id, first.version, now=NOW)
    cancelled = appts.cancel_appointment(desk, second.id, second.version, now=NOW)
    assert (late.status, cancelled.status) == (AppointmentStatus.LATE_CANCEL, AppointmentStatus.CANCELLED)
    tasks = appts.my_outreach_tasks(clinic_dir.login(CLINICIAN))
    assert [t.appointment_id for t in tasks] == [first.id]
    assert "at short notice" in tasks[0].reason
    assert "Call per their safe-contact preferences: no texts, voicemail OK" in tasks[0].reason
    assert _actions(desk, second.id)[-1] == AuditAction.APPOINTMENT_CANCELLED
    assert _actions(desk, tasks[0].id) == [AuditAction.OUTREACH_CREATED]


def test_the_clinician_closes_an_outreach_task_with_what_happened(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    ana = _person(desk, "Ana")
    booked = appts.book_appointment(desk, ana, _clinician_id(desk), _at(9), now=NOW)
    appts.mark_no_show(desk, booked.id, booked.version, now=_at(10))
    clinician = clinic_dir.login(CLINICIAN)
    task = appts.my_outreach_tasks(clinician)[0]
    with pytest.raises(ValidationError) as empty:
        appts.complete_outreach(clinician, task.id, "   ")
    assert empty.value.field == "outcome"
    with pytest.raises(PermissionDenied):
        appts.complete_outreach(desk, task.id, "texted")  # on a colleague's list
    done = appts.complete_outreach(
        clinician, task.id, "Texted; they will call back Friday.", version=task.version
    )
    assert done.outcome == "Texted; they will call back Friday." and done.done_at is not None
    assert appts.my_outreach_tasks(clinician) == []
    assert _actions(desk, task.id) == [AuditAction.OUTREACH_CREATED, AuditAction.OUTREACH_DONE]


def test_walk_in_is_checked_in_now_with_the_chosen_clinician(desk: UnlockedClinic) -> None:
    lee = _person(desk, "Lee")
    owner_id = _clinician_id(desk, "Olive Owner")
    row = appts.walk_in(desk, lee, owner_id, note="asked for naloxone", now=NOW)
    assert (row.kind, row.status, row.starts_at, row.checked_in_at) == (
        AppointmentKind.WALK_IN,
        AppointmentStatus.CHECKED_IN,
        NOW,
        NOW,
    )
    assert row.clinician_name == "Olive Owner"
    assert _actions(desk, row.id) == [AuditAction.WALK_IN_CHECKED_IN]
    # a walk-in entered by mistake is taken back to cancelled, never to "booked"
    undone = appts.undo_status(desk, row.id, row.version, UndoReason.WRONG_PERSON, now=NOW)
    assert undone.status is AppointmentStatus.CANCELLED and undone.checked_in_at is None


def test_undo_a_mistaken_no_show_closes_its_outreach_task(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    mo = _person(desk, "Mo")
    booked = appts.book_appointment(desk, mo, _clinician_id(desk), _at(9), now=NOW)
    missed = appts.mark_no_show(desk, booked.id, booked.version, now=_at(9.3))
    with pytest.raises(ValidationError) as no_reason:
        appts.undo_status(desk, missed.id, missed.version, "")
    assert no_reason.value.field == "reason"
    back = appts.undo_status(desk, missed.id, missed.version, UndoReason.ARRIVED_AFTER_ALL)
    assert back.status is AppointmentStatus.BOOKED
    assert appts.my_outreach_tasks(clinic_dir.login(CLINICIAN)) == []
    arrived = appts.check_in(desk, back.id, back.version, now=_at(9.4))
    assert arrived.status is AppointmentStatus.CHECKED_IN
    undone = appts.undo_status(desk, arrived.id, arrived.version, "entered_by_mistake")
    assert undone.status is AppointmentStatus.BOOKED and undone.checked_in_at is None
    assert _actions(desk, booked.id)[-1] == AuditAction.APPOINTMENT_BOOKED
    with pytest.raises(ValidationError, match="nothing to undo"):
        appts.undo_status(desk, undone.id, undone.version, "entered_by_mistake")


def test_statuses_move_only_the_allowed_way(desk: UnlockedClinic) -> None:
    ida = _person(desk, "Ida")
    booked = appts.book_appointment(desk, ida, _clinician_id(desk), _at(9), now=NOW)
    with pytest.raises(ValidationError, match="once it has begun"):
        appts.mark_no_show(desk, booked.id, booked.version, now=NOW)  # tomorrow's appointment
    with pytest.raises(ValidationError, match="check in on the day"):
        appts.check_in(desk, booked.id, booked.version, now=NOW)
    cancelled = appts.cancel_appointment(desk, booked.id, booked.version, now=NOW)
    with pytest.raises(ValidationError, match="book a new one"):
        appts.check_in(desk, cancelled.id, cancelled.version, now=_at(9))
    with pytest.raises(ValidationError, match="not undone"):
        appts.undo_status(desk, cancelled.id, cancelled.version, "entered_by_mistake")


def test_double_booking_a_clinician_is_refused_unless_allowed(desk: UnlockedClinic) -> None:
    a, b = _person(desk, "Avi"), _person(desk, "Bea")
    theo = _clinician_id(desk)
    appts.book_appointment(desk, a, theo, _at(10), duration_minutes=50, now=NOW)
    with pytest.raises(appts.AppointmentOverlap, match="Theo Therapist already has Avi") as refused:
        appts.book_appointment(desk, b, theo, _at(10.5), now=NOW)
    assert refused.value.field == "time"
    # back to back is fine, so is another clinician, so is "book anyway"
    appts.book_appointment(desk, b, theo, _at(10 + 50 / 60), now=NOW)
    appts.book_appointment(desk, b, _clinician_id(desk, "Olive Owner"), _at(10.5), now=NOW)
    forced = appts.book_appointment(desk, b, theo, _at(10.5), allow_overlap=True, now=NOW)
    assert forced.status is AppointmentStatus.BOOKED
    # a cancelled appointment frees its time
    c = appts.book_appointment(desk, a, theo, _at(13), now=NOW)
    appts.cancel_appointment(desk, c.id, c.version, now=NOW)
    appts.book_appointment(desk, b, theo, _at(13), now=NOW)


def test_move_to_a_new_time_or_clinician(desk: UnlockedClinic) -> None:
    a, b = _person(desk, "Avi"), _person(desk, "Bea")
    theo, olive = _clinician_id(desk), _clinician_id(desk, "Olive Owner")
    first = appts.book_appointment(desk, a, theo, _at(10), now=NOW)
    second = appts.book_appointment(desk, b, theo, _at(12), now=NOW)
    with pytest.raises(appts.AppointmentOverlap):
        appts.move_appointment(desk, second.id, second.version, starts_at=_at(10.25), now=NOW)
    moved = appts.move_appointment(
        desk, second.id, second.version, starts_at=_at(10.25), clinician_id=olive, now=NOW
    )
    assert (moved.starts_at, moved.clinician_name) == (_at(10.25), "Olive Owner")
    assert moved.version == second.version + 1
    with pytest.raises(ValidationError, match="already passed") as past:
        appts.move_appointment(desk, first.id, first.version, starts_at=NOW - timedelta(hours=2), now=NOW)
    assert past.value.field == "time"
    with pytest.raises(ValidationError, match="Nothing changed"):
        appts.move_appointment(desk, first.id, first.version, starts_at=_at(10), now=NOW)
    assert _actions(desk, second.id) == [AuditAction.APPOINTMENT_BOOKED, AuditAction.APPOINTMENT_MOVED]


def test_a_stale_version_gives_a_clear_conflict(clinic_dir: ClinicFixture, desk: UnlockedClinic) -> None:
    a = _person(desk, "Avi")
    shown = appts.book_appointment(desk, a, _clinician_id(desk), _at(10), now=NOW)
    other_desk = clinic_dir.login(OWNER)
    appts.check_in(other_desk, shown.id, shown.version, now=_at(9.9))
    with pytest.raises(Conflict, match="changed this appointment a moment ago"):
        appts.mark_no_show(desk, shown.id, shown.version, now=_at(10.5))
    with pytest.raises(Conflict):
        appts.move_appointment(desk, shown.id, shown.version, starts_at=_at(11), now=NOW)
    assert appts.day_schedule(desk, _at(10).date(), tz=UTC)[0].status is AppointmentStatus.CHECKED_IN


def test_booking_rules_are_refused_at_the_field(desk: UnlockedClinic) -> None:
    a = _person(desk, "Avi")
    theo = _clinician_id(desk)
    cases = [
        ({"starts_at": NOW - timedelta(hours=1)}, "time", "already passed"),
        ({"starts_at": _at(10), "duration_minutes": 4}, "duration", "at least 5"),
        ({"starts_at": _at(10), "duration_minutes": 481}, "duration", "at most 8 hours"),
        ({"starts_at": _at(10), "kind": "walk_in"}, "kind", "Walk-in check-in"),
        ({"starts_at": _at(10), "note": "call\x07me"}, "note", "control characters"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError, match=words) as refused:
            appts.book_appointment(desk, a, theo, now=NOW, **kwargs)  # type: ignore[arg-type]
        assert refused.value.field == field
    # a moment ago is within the grace period (the session has just begun)
    appts.book_appointment(desk, a, theo, NOW - timedelta(minutes=10), now=NOW)
    with pytest.raises(ValidationError) as front_desk_clinician:
        appts.book_appointment(desk, a, desk.actor.user_id, _at(15), now=NOW)
    assert front_desk_clinician.value.field == "clinician"
    with pytest.raises(NotFound):
        appts.book_appointment(desk, uuid.uuid4(), theo, _at(15), now=NOW)


def test_day_schedule_follows_local_midnight_in_one_ordered_list(desk: UnlockedClinic) -> None:
    new_york_winter = timezone(timedelta(hours=-5))
    a, b, c = _person(desk, "Avi"), _person(desk, "Bea"), _person(desk, "Cy")
    theo, olive = _clinician_id(desk), _clinician_id(desk, "Olive Owner")
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

    theo = _clinician_id(desk)
    people = [_person(desk, f"Person {i}") for i in range(12)]
    for i, person in enumerate(people):
        appts.book_appointment(desk, person, theo, _at(8 + i * 0.5), duration_minutes=30, now=NOW)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(desk.engine, "before_cursor_execute", count)
    try:
        rows = appts.day_schedule(desk, _at(8).date(), tz=UTC)
    finally:
        event.remove(desk.engine, "before_cursor_execute", count)
    assert len(rows) == 12
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
