"""A week of demo appointments: past days checked in (a few no-shows and late cancels, each with its
outreach task), today partly checked in with a walk-in, the rest of the week booked.

Called from hrclinic.demo.build after the registry is filled. Synthetic data only.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from hrclinic.domain.roles import Permission, may
from hrclinic.domain.scheduling import AppointmentKind
from hrclinic.readmodels.people import PersonRow
from hrclinic.readmodels.scheduling import AppointmentRow
from hrclinic.services import appointments, clients, users
from hrclinic.services.clinic import UnlockedClinic

_NOTES = [
    "",
    "",
    "",
    "",
    "needs the ground-floor room",
    "prefers the side entrance",
    "bring the housing form",
    "interpreter booked (Spanish)",
    "bus pass renewal",
    "asked for a morning slot",
    "coming with a friend",
]
# (hour, minute) slots of a clinic day; each clinician gets a random handful of them
_SLOTS = [(9, 0), (10, 0), (11, 0), (12, 0), (13, 30), (14, 30), (15, 30), (16, 30), (17, 30)]
_KINDS = [AppointmentKind.SESSION] * 7 + [AppointmentKind.INTAKE, AppointmentKind.GROUP]


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def add_demo_schedule(owner: UnlockedClinic, rng: random.Random) -> None:
    """Book Monday to Friday of this week for every active clinician (6-9 a day) and record what
    happened on the days already past. Missed appointments create outreach tasks, nothing more."""
    now = datetime.now(UTC)
    today = now.astimezone().date()
    monday = today - timedelta(days=today.weekday())
    clinicians = [u for u in users.list_users(owner) if u.active and may(u.role, Permission.WRITE_CLINICAL)]
    people: list[PersonRow] = clients.list_clients(owner)
    if not clinicians or not people:
        return
    regulars = people[: max(20, len(people) // 2)]  # a caseload of regulars, plus a few others
    # everything is entered as it would have been on the day: bookings a week ahead, outcomes after
    booked_on = datetime.combine(monday - timedelta(days=7), time(9, 0)).astimezone()
    for offset in range(5):
        day = monday + timedelta(days=offset)
        seen_today: set[object] = set()  # one appointment per person per day
        for clinician in clinicians:
            prescriber = clinician.display_name.startswith("Dr")
            slots = sorted(rng.sample(_SLOTS, k=rng.randint(6, min(9, len(_SLOTS)))))
            for hour, minute in slots:
                person = rng.choice(regulars if rng.random() < 0.85 else people)
                while person.id in seen_today and len(seen_today) < len(people):
                    person = rng.choice(people)
                seen_today.add(person.id)
                kind = AppointmentKind.PRESCRIBER if prescriber else rng.choice(_KINDS)
                starts_at = _local(day, hour, minute)
                row = appointments.book_appointment(
                    owner,
                    person.id,
                    clinician.id,
                    starts_at,
                    duration_minutes=30 if kind is AppointmentKind.PRESCRIBER else 50,
                    kind=kind,
                    note=rng.choice(_NOTES),
                    now=booked_on,
                )
                _record_what_happened(owner, row, now, rng)
    # a walk-in this morning (or now, if the day has only just begun)
    walk_in_at = min(now, _local(today, 10, 20).astimezone(UTC)) if today.weekday() < 5 else now
    appointments.walk_in(
        owner, rng.choice(people).id, clinicians[0].id, note="came for a naloxone kit", now=walk_in_at
    )


def _record_what_happened(
    owner: UnlockedClinic, row: AppointmentRow, now: datetime, rng: random.Random
) -> None:
    """Past appointments get an outcome (mostly check-ins); later ones stay booked."""
    if row.starts_at > now:
        if rng.random() < 0.06:  # a few people cancel ahead of time
            appointments.cancel_appointment(owner, row.id, row.version, now=row.starts_at - timedelta(days=1))
        return
    roll = rng.random()
    if roll < 0.08:
        appointments.mark_no_show(owner, row.id, row.version, now=row.starts_at + timedelta(minutes=20))
    elif roll < 0.13:
        appointments.mark_late_cancel(owner, row.id, row.version, now=row.starts_at - timedelta(hours=2))
    elif roll < 0.17:
        appointments.cancel_appointment(owner, row.id, row.version, now=row.starts_at - timedelta(days=2))
    elif row.starts_at < now - timedelta(minutes=5):
        early = timedelta(minutes=rng.randint(-12, 8))
        appointments.check_in(owner, row.id, row.version, now=row.starts_at + early)
    # an appointment that has only just begun is left booked: the person may be on their way
