"""Outreach tasks: a no-show or late cancel puts one on the clinician's list; they close it."""

from __future__ import annotations

import pytest

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.scheduling import AppointmentStatus, UndoReason
from hrclinic.errors import PermissionDenied, ValidationError
from hrclinic.services import appointments as appts
from hrclinic.services import clients, outreach
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.records import ClientRecord
from tests.conftest import CLINICIAN, FRONT_DESK, ClinicFixture
from tests.scheduling import NOW, actions, at, clinician_id, person


@pytest.fixture
def desk(clinic_dir: ClinicFixture) -> UnlockedClinic:
    return clinic_dir.login(FRONT_DESK)


def test_a_no_show_creates_outreach_and_never_changes_the_persons_status(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    kai = person(
        desk,
        "Kai",
        may_text=True,
        may_voicemail=False,
        safe_contact_notes="only after 6 pm",
        phone="555 0100",
    )
    theo = clinician_id(desk)
    for day in range(1, 8):  # seven missed appointments in a row
        booked = appts.book_appointment(desk, kai, theo, at(16, days=day), now=NOW)
        missed = appts.mark_no_show(desk, booked.id, booked.version, now=at(16.5, days=day))
        assert missed.status is AppointmentStatus.NO_SHOW
    assert clients.get_client(desk, kai).status == "active"
    with desk.uow() as uow:
        assert uow.session.get(ClientRecord, kai).status == "active"

    clinician = clinic_dir.login(CLINICIAN)
    tasks = outreach.my_outreach_tasks(clinician)
    assert len(tasks) == 7 and {t.preferred_name for t in tasks} == {"Kai"}
    assert tasks[0].reason.endswith(
        "Call or text per their safe-contact preferences: texts OK, no voicemail; only after 6 pm"
    )
    assert tasks[0].reason.startswith("Missed the session on")
    assert outreach.my_outreach_tasks(desk) == []  # on the clinician's list, not the front desk's
    # booking again works the same as for anyone
    again = appts.book_appointment(desk, kai, theo, at(10, days=9), now=NOW)
    assert again.status is AppointmentStatus.BOOKED


def test_a_late_cancel_also_creates_outreach_and_a_cancel_does_not(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    sam = person(desk, "O'Brien <Sam> & Co", may_text=False, may_voicemail=True, phone="555 0199")
    theo = clinician_id(desk)
    first = appts.book_appointment(desk, sam, theo, at(9), now=NOW)
    second = appts.book_appointment(desk, sam, theo, at(11), now=NOW)
    late = appts.mark_late_cancel(desk, first.id, first.version, now=NOW)
    cancelled = appts.cancel_appointment(desk, second.id, second.version, now=NOW)
    assert (late.status, cancelled.status) == (AppointmentStatus.LATE_CANCEL, AppointmentStatus.CANCELLED)
    tasks = outreach.my_outreach_tasks(clinic_dir.login(CLINICIAN))
    assert [t.appointment_id for t in tasks] == [first.id]
    assert "at short notice" in tasks[0].reason
    assert "Call per their safe-contact preferences: no texts, voicemail OK" in tasks[0].reason
    assert actions(desk, second.id)[-1] == AuditAction.APPOINTMENT_CANCELLED
    assert actions(desk, tasks[0].id) == [AuditAction.OUTREACH_CREATED]


def test_the_clinician_closes_an_outreach_task_with_what_happened(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    ana = person(desk, "Ana")
    booked = appts.book_appointment(desk, ana, clinician_id(desk), at(9), now=NOW)
    appts.mark_no_show(desk, booked.id, booked.version, now=at(10))
    clinician = clinic_dir.login(CLINICIAN)
    task = outreach.my_outreach_tasks(clinician)[0]
    with pytest.raises(ValidationError) as empty:
        outreach.complete_outreach(clinician, task.id, "   ")
    assert empty.value.field == "outcome"
    with pytest.raises(PermissionDenied):
        outreach.complete_outreach(desk, task.id, "texted")  # on a colleague's list
    done = outreach.complete_outreach(
        clinician, task.id, "Texted; they will call back Friday.", version=task.version
    )
    assert done.outcome == "Texted; they will call back Friday." and done.done_at is not None
    assert outreach.my_outreach_tasks(clinician) == []
    assert actions(desk, task.id) == [AuditAction.OUTREACH_CREATED, AuditAction.OUTREACH_DONE]


def test_undo_a_mistaken_no_show_closes_its_outreach_task(
    clinic_dir: ClinicFixture, desk: UnlockedClinic
) -> None:
    mo = person(desk, "Mo")
    booked = appts.book_appointment(desk, mo, clinician_id(desk), at(9), now=NOW)
    missed = appts.mark_no_show(desk, booked.id, booked.version, now=at(9.3))
    with pytest.raises(ValidationError) as no_reason:
        appts.undo_status(desk, missed.id, missed.version, "")
    assert no_reason.value.field == "reason"
    back = appts.undo_status(desk, missed.id, missed.version, UndoReason.ARRIVED_AFTER_ALL)
    assert back.status is AppointmentStatus.BOOKED
    assert outreach.my_outreach_tasks(clinic_dir.login(CLINICIAN)) == []
    arrived = appts.check_in(desk, back.id, back.version, now=at(9.4))
    assert arrived.status is AppointmentStatus.CHECKED_IN
    undone = appts.undo_status(desk, arrived.id, arrived.version, "entered_by_mistake")
    assert undone.status is AppointmentStatus.BOOKED and undone.checked_in_at is None
    assert actions(desk, booked.id)[-1] == AuditAction.APPOINTMENT_BOOKED
    with pytest.raises(ValidationError, match="nothing to undo"):
        appts.undo_status(desk, undone.id, undone.version, "entered_by_mistake")
