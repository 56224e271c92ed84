"""Scheduling rules: status transitions, outreach wording, times and lengths."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import pytest

from hrclinic.domain.scheduling import (
    BOOKING_GRACE,
    UNDOABLE,
    AppointmentKind,
    AppointmentStatus,
    ContactPreferences,
    SchedulingProblem,
    contact_instructions,
    duration_problem,
    local_day_bounds,
    local_start,
    makes_outreach,
    outreach_reason,
    overlaps,
    parse_clock,
    start_problem,
    transition_problem,
    undo_problem,
    undo_target,
)
from tests.test_contracts import STIGMATISING

S = AppointmentStatus


def test_a_booked_appointment_can_become_anything_else() -> None:
    for target in (S.CHECKED_IN, S.NO_SHOW, S.LATE_CANCEL, S.CANCELLED):
        assert transition_problem(S.BOOKED, target) is None


@pytest.mark.parametrize("current", [S.CHECKED_IN, S.NO_SHOW, S.LATE_CANCEL, S.CANCELLED])
def test_a_recorded_outcome_does_not_silently_become_another(current: AppointmentStatus) -> None:
    for target in S:
        problem = transition_problem(current, target)
        assert problem, (current, target)
    assert "already" in (transition_problem(current, current) or "")
    if current is not S.CANCELLED:
        assert "Undo" in (transition_problem(current, S.CANCELLED) or "")


def test_undo_takes_a_mistake_back_to_booked_and_a_walk_in_to_cancelled() -> None:
    assert {S.CHECKED_IN, S.NO_SHOW, S.LATE_CANCEL} == UNDOABLE
    for status in UNDOABLE:
        assert undo_problem(status) is None
        assert undo_target(AppointmentKind.SESSION, status) is S.BOOKED
    assert undo_target(AppointmentKind.WALK_IN, S.CHECKED_IN) is S.CANCELLED
    assert "nothing to undo" in (undo_problem(S.BOOKED) or "")
    assert "book a new appointment" in (undo_problem(S.CANCELLED) or "")
    with pytest.raises(ValueError):
        undo_target(AppointmentKind.SESSION, S.CANCELLED)


def test_only_missed_and_late_cancelled_appointments_make_outreach() -> None:
    assert {s for s in S if makes_outreach(s)} == {S.NO_SHOW, S.LATE_CANCEL}


@pytest.mark.parametrize(
    ("prefs", "expected"),
    [
        (
            ContactPreferences(True, False, "only after 6 pm"),
            "Call or text per their safe-contact preferences: texts OK, no voicemail; only after 6 pm",
        ),
        (ContactPreferences(False, True), "Call per their safe-contact preferences: no texts, voicemail OK"),
        (
            ContactPreferences(None, None),
            "Call or text per their safe-contact preferences: texting not agreed yet, "
            "voicemail not agreed yet: leave none",
        ),
        (
            ContactPreferences(True, True, "", has_phone=False),
            "No phone number on record; reach out per their safe-contact preferences: texts OK, voicemail OK",
        ),
        (
            ContactPreferences(True, False, "work phone\n  never before noon\t"),
            "Call or text per their safe-contact preferences: texts OK, no voicemail; "
            "work phone never before noon",
        ),
    ],
)
def test_contact_instructions_follow_the_persons_preferences(
    prefs: ContactPreferences, expected: str
) -> None:
    assert contact_instructions(prefs) == expected


def test_very_long_contact_notes_are_shortened() -> None:
    text = contact_instructions(ContactPreferences(True, True, "x" * 5000))
    assert len(text) < 400 and text.endswith("…")


def test_outreach_reason_says_what_happened_without_judgement() -> None:
    when = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)
    prefs = ContactPreferences(True, False, "only after 6 pm")
    missed = outreach_reason(S.NO_SHOW, AppointmentKind.SESSION, when, prefs)
    late = outreach_reason(S.LATE_CANCEL, AppointmentKind.PRESCRIBER, when, prefs)
    local = when.astimezone()
    assert missed.startswith(f"Missed the session on {local:%a %d %b, %H:%M}.")
    assert late.startswith("Cancelled the prescriber visit on") and "at short notice" in late
    for text in (missed, late):
        assert text.endswith("texts OK, no voicemail; only after 6 pm")
        assert not STIGMATISING.search(text)
        assert "no-show" not in text.lower() and "discharg" not in text.lower()
    with pytest.raises(ValueError):
        outreach_reason(S.CANCELLED, AppointmentKind.SESSION, when, prefs)


def test_status_labels_are_plain_words() -> None:
    assert [s.label for s in S] == ["Booked", "Checked in", "No-show", "Late cancel", "Cancelled"]
    assert AppointmentKind.WALK_IN.label == "Walk-in"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30", time(9, 30)),
        ("09.30", time(9, 30)),
        ("1430", time(14, 30)),
        ("930", time(9, 30)),
        ("14", time(14, 0)),
        ("2 pm", time(14, 0)),
        ("2:15 p.m.", time(14, 15)),
        ("12 am", time(0, 0)),
        ("12:05 PM", time(12, 5)),
        (" 7h45 ", time(7, 45)),
    ],
)
def test_times_are_read_as_people_type_them(typed: str, expected: time) -> None:
    assert parse_clock(typed) == expected


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("25:00", "There is no time 25:00"),
        ("12:61", "There is no time 12:61"),
        ("2460", "There is no time 24:60"),
        ("13 pm", "There is no 13 pm"),
        ("half past", "is not a time"),
        ("", "Enter a time"),
    ],
)
def test_an_impossible_time_is_refused_with_a_sentence_for_the_field(typed: str, words: str) -> None:
    with pytest.raises(SchedulingProblem) as refused:
        parse_clock(typed)
    assert words in refused.value.message and refused.value.field == "time"


class _SpringForward(tzinfo):
    """A zone whose clocks jump from 02:00 to 03:00 on 2030-03-10 (-5h before, -4h after)."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        switch = datetime(2030, 3, 10, 2, 0)
        naive = dt.replace(tzinfo=None)
        return timedelta(hours=-4) if naive >= switch else timedelta(hours=-5)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        naive = dt.replace(tzinfo=None)
        offset = timedelta(hours=-4) if naive >= datetime(2030, 3, 10, 7, 0) else timedelta(hours=-5)
        return (naive + offset).replace(tzinfo=self)


def test_a_local_time_the_clocks_skip_is_refused() -> None:
    zone = _SpringForward()
    with pytest.raises(SchedulingProblem, match="does not exist on 10 March 2030") as refused:
        local_start(date(2030, 3, 10), time(2, 30), zone)
    assert refused.value.field == "time"
    assert local_start(date(2030, 3, 10), time(3, 30), zone).astimezone(UTC) == datetime(
        2030, 3, 10, 7, 30, tzinfo=UTC
    )
    fixed = timezone(timedelta(hours=2))
    assert local_start(date(2030, 1, 1), time(9, 0), fixed) == datetime(2030, 1, 1, 7, 0, tzinfo=UTC)


def test_a_local_day_runs_from_midnight_to_midnight() -> None:
    start, end = local_day_bounds(date(2030, 3, 5), timezone(timedelta(hours=-5)))
    assert start.astimezone(UTC) == datetime(2030, 3, 5, 5, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_lengths_between_five_minutes_and_eight_hours() -> None:
    assert duration_problem(5) is None and duration_problem(480) is None
    assert "at least 5 minutes" in (duration_problem(4) or "")
    assert "at most 8 hours" in (duration_problem(481) or "")


def test_no_booking_in_the_past_beyond_a_grace_period() -> None:
    now = datetime(2030, 3, 5, 12, 0, tzinfo=UTC)
    assert start_problem(now - BOOKING_GRACE + timedelta(minutes=1), now) is None
    assert "already passed" in (start_problem(now - BOOKING_GRACE - timedelta(minutes=1), now) or "")
    assert "Walk-in" in (start_problem(now - timedelta(days=1), now) or "")
    assert "check the year" in (start_problem(now.replace(year=2040), now) or "")
    with pytest.raises(ValueError):
        start_problem(datetime(2030, 3, 5, 12, 0), now)


def test_back_to_back_is_not_an_overlap() -> None:
    nine = datetime(2030, 3, 5, 9, 0, tzinfo=UTC)
    assert not overlaps(nine, 50, nine + timedelta(minutes=50), 50)
    assert overlaps(nine, 50, nine + timedelta(minutes=49), 50)
    assert overlaps(nine + timedelta(minutes=10), 10, nine, 60)  # inside another
