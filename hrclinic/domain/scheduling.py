"""Appointments: kinds, statuses and how one becomes another, outreach wording, and time rules.

Nothing here ever touches a person's engagement status: a missed appointment leads to an outreach
task, never to a closed record (DOMAIN.md, "Accountability without termination").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

MIN_DURATION = 5
MAX_DURATION = 480
DEFAULT_DURATION = 50
BOOKING_GRACE = timedelta(minutes=30)  # an appointment that started a moment ago can still be entered
MAX_NOTE = 500
MAX_OUTCOME = 2000
MAX_CONTACT_NOTES = 300


class AppointmentKind(StrEnum):
    """What the appointment is for."""

    SESSION = "session"
    INTAKE = "intake"
    PRESCRIBER = "prescriber"
    WALK_IN = "walk_in"
    GROUP = "group"

    @property
    def label(self) -> str:
        """The kind as people say it."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    AppointmentKind.SESSION: "Session",
    AppointmentKind.INTAKE: "Intake",
    AppointmentKind.PRESCRIBER: "Prescriber visit",
    AppointmentKind.WALK_IN: "Walk-in",
    AppointmentKind.GROUP: "Group",
}

# Kinds that can be booked ahead (a walk-in is recorded when the person arrives).
BOOKABLE_KINDS = [k for k in AppointmentKind if k is not AppointmentKind.WALK_IN]


class AppointmentStatus(StrEnum):
    """Where an appointment stands. None of these says anything about the person's engagement."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status as people say it."""
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """True while the appointment still holds the clinician's time."""
        return self in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


_STATUS_LABELS = {
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.NO_SHOW: "No-show",
    AppointmentStatus.LATE_CANCEL: "Late cancel",
    AppointmentStatus.CANCELLED: "Cancelled",
}

_FORWARD: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.LATE_CANCEL,
            AppointmentStatus.CANCELLED,
        }
    ),
    AppointmentStatus.CHECKED_IN: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
    AppointmentStatus.LATE_CANCEL: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
}

# What a mistaken entry can be taken back to. A cancellation is not undone: book again instead.
UNDOABLE = frozenset({AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW, AppointmentStatus.LATE_CANCEL})


class UndoReason(StrEnum):
    """Why a check-in, no-show or late cancel is taken back (a short code, safe for the audit log)."""

    WRONG_PERSON = "wrong_person"
    WRONG_APPOINTMENT = "wrong_appointment"
    ARRIVED_AFTER_ALL = "arrived_after_all"
    ENTERED_BY_MISTAKE = "entered_by_mistake"

    @property
    def label(self) -> str:
        """The reason as people say it."""
        return _UNDO_LABELS[self]


_UNDO_LABELS = {
    UndoReason.WRONG_PERSON: "It was recorded for the wrong person",
    UndoReason.WRONG_APPOINTMENT: "It was recorded on the wrong appointment",
    UndoReason.ARRIVED_AFTER_ALL: "The person arrived after all",
    UndoReason.ENTERED_BY_MISTAKE: "It was entered by mistake",
}


def transition_problem(current: AppointmentStatus, target: AppointmentStatus) -> str | None:
    """Why ``current`` cannot become ``target``, in words; None when it can."""
    if target in _FORWARD[current]:
        return None
    if current is target:
        return f"This appointment is already marked “{current.label.lower()}”."
    if current is AppointmentStatus.CANCELLED:
        return "This appointment was cancelled; book a new one instead."
    return f"This appointment is marked “{current.label.lower()}”. If that was a mistake, use Undo first."


def undo_target(kind: AppointmentKind, current: AppointmentStatus) -> AppointmentStatus:
    """Where a mistaken status goes back to: booked, or cancelled for a walk-in (it was never booked)."""
    if current not in UNDOABLE:
        raise ValueError(undo_problem(current) or "nothing to undo")
    if kind is AppointmentKind.WALK_IN:
        return AppointmentStatus.CANCELLED
    return AppointmentStatus.BOOKED


def undo_problem(current: AppointmentStatus) -> str | None:
    """Why the status of an appointment cannot be undone; None when it can."""
    if current in UNDOABLE:
        return None
    if current is AppointmentStatus.BOOKED:
        return "There is nothing to undo: the appointment is booked."
    return "A cancellation is not undone; book a new appointment instead."


def makes_outreach(status: AppointmentStatus) -> bool:
    """A no-show and a late cancel each put an outreach task on the clinician's list."""
    return status in (AppointmentStatus.NO_SHOW, AppointmentStatus.LATE_CANCEL)


# --- outreach wording -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPreferences:
    """How a person has said they may be reached (None: not discussed yet)."""

    may_text: bool | None
    may_voicemail: bool | None
    notes: str = ""
    has_phone: bool = True


def contact_instructions(prefs: ContactPreferences) -> str:
    """One line on how to reach out, from the person's safe-contact preferences."""
    text_part = {True: "texts OK", False: "no texts", None: "texting not agreed yet"}[prefs.may_text]
    voice_part = {True: "voicemail OK", False: "no voicemail", None: "voicemail not agreed yet: leave none"}[
        prefs.may_voicemail
    ]
    parts = [text_part, voice_part]
    notes = " ".join(prefs.notes.split())  # one line, whatever was typed
    if notes:
        if len(notes) > MAX_CONTACT_NOTES:
            notes = notes[: MAX_CONTACT_NOTES - 1].rstrip() + "…"
        parts.append(notes)
    details = ", ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if parts[2:] else "")
    if not prefs.has_phone:
        return f"No phone number on record; reach out per their safe-contact preferences: {details}"
    verb = "Call" if prefs.may_text is False else "Call or text"
    return f"{verb} per their safe-contact preferences: {details}"


def outreach_reason(
    status: AppointmentStatus, kind: AppointmentKind, starts_at: datetime, prefs: ContactPreferences
) -> str:
    """The text of the outreach task a no-show or late cancel creates: what happened, then how to reach
    out. Plain and without judgement: it is an invitation back, never a mark against the person."""
    when = starts_at.astimezone().strftime("%a %d %b, %H:%M")
    what = kind.label.lower()
    if status is AppointmentStatus.NO_SHOW:
        event = f"Missed the {what} on {when}."
    elif status is AppointmentStatus.LATE_CANCEL:
        event = f"Cancelled the {what} on {when} at short notice."
    else:
        raise ValueError(f"{status} does not create an outreach task")
    return f"{event} {contact_instructions(prefs)}"


# --- time rules -----------------------------------------------------------------------------


class SchedulingProblem(ValueError):
    """A value that cannot be booked; ``field`` names where to show the message."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


_CLOCK = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)
_COMPACT = re.compile(r"^\s*(\d{1,2})(\d{2})\s*$")


def parse_clock(text: str) -> time:
    """Read a time of day as people type it ("9:30", "14.30", "1430", "2 pm"); raise SchedulingProblem
    with a sentence when there is no such time."""
    if not text.strip():
        raise SchedulingProblem("Enter a time, like 14:30.", "time")
    match = _COMPACT.match(text)
    suffix = None
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
    else:
        match = _CLOCK.match(text)
        if not match:
            raise SchedulingProblem(f"“{text.strip()}” is not a time; type it like 14:30.", "time")
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").replace(".", "").lower() or None
    if suffix:
        if not 1 <= hour <= 12:
            raise SchedulingProblem(f"There is no {hour} {suffix}; use 1 to 12 with am or pm.", "time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SchedulingProblem(
            f"There is no time {hour:02d}:{minute:02d}; hours go from 0 to 23 and minutes from 0 to 59.",
            "time",
        )
    return time(hour, minute)


def local_start(day: date, clock: time, tz: tzinfo | None = None) -> datetime:
    """The moment a local date and time name, timezone-aware; refuses a time the clocks skip
    (the hour lost when daylight saving starts). ``tz`` defaults to the computer's time zone."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    back = aware.astimezone(UTC).astimezone(tz) if tz is not None else aware.astimezone(UTC).astimezone()
    if back.replace(tzinfo=None) != naive:
        raise SchedulingProblem(
            f"{clock:%H:%M} does not exist on {day:%d %B %Y}: the clocks go forward then. Pick another time.",
            "time",
        )
    return aware


def local_day_bounds(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The first moment of ``day`` and of the next day, local time (a day can be 23 or 25 hours)."""
    start = datetime.combine(day, time.min)
    end = datetime.combine(day + timedelta(days=1), time.min)
    if tz is not None:
        return start.replace(tzinfo=tz), end.replace(tzinfo=tz)
    return start.astimezone(), end.astimezone()


def duration_problem(minutes: int) -> str | None:
    """Why a length cannot be booked; None when it can."""
    if minutes < MIN_DURATION:
        return f"An appointment is at least {MIN_DURATION} minutes."
    if minutes > MAX_DURATION:
        return f"An appointment is at most {MAX_DURATION // 60} hours ({MAX_DURATION} minutes)."
    return None


def start_problem(starts_at: datetime, now: datetime) -> str | None:
    """Why an appointment cannot be booked at this time; None when it can."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    if starts_at < now - BOOKING_GRACE:
        return (
            "That time has already passed. For someone who is here now, use Walk-in check-in; "
            "otherwise pick a time from now on."
        )
    if starts_at > now + timedelta(days=3 * 366):
        return "That is more than three years ahead; check the year."
    return None


def overlaps(a_start: datetime, a_minutes: int, b_start: datetime, b_minutes: int) -> bool:
    """True when two appointments share any minute (back-to-back is fine)."""
    return a_start < b_start + timedelta(minutes=b_minutes) and b_start < a_start + timedelta(
        minutes=a_minutes
    )
