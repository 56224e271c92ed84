"""Engagement status: about the person's engagement, never a punishment.

No record is ever closed because someone uses, misses appointments or has not met a goal. A person who
comes back is re-engaged in one step, with their whole history kept.
"""

from __future__ import annotations

from enum import StrEnum


class Engagement(StrEnum):
    """Where a person is with the clinic."""

    ACTIVE = "active"
    PAUSED = "paused"  # by the person's choice
    LOST_CONTACT = "lost_contact"  # outreach continues
    MOVED_ON = "moved_on"  # their goals met, or transferred with consent
    MERGED = "merged"  # a duplicate record folded into another (not chosen by anyone)

    @property
    def label(self) -> str:
        """The word people read."""
        return _LABELS[self]

    @property
    def explanation(self) -> str:
        """What the status means, in plain words."""
        return _EXPLANATIONS[self]


_LABELS = {
    Engagement.ACTIVE: "Active",
    Engagement.PAUSED: "Paused",
    Engagement.LOST_CONTACT: "Lost contact",
    Engagement.MOVED_ON: "Moved on",
    Engagement.MERGED: "Merged",
}
_EXPLANATIONS = {
    Engagement.ACTIVE: "Coming in or in touch.",
    Engagement.PAUSED: "Taking a break, by their own choice. Welcome back any time.",
    Engagement.LOST_CONTACT: "We have not heard from them; outreach continues.",
    Engagement.MOVED_ON: "Their goals are met, or they moved to another service with consent.",
    Engagement.MERGED: "This record was a duplicate and is now part of another record.",
}

CHOOSABLE = (Engagement.ACTIVE, Engagement.PAUSED, Engagement.LOST_CONTACT, Engagement.MOVED_ON)


def can_change(current: Engagement, wanted: Engagement) -> str | None:
    """Why a status change is not possible, or None when it is."""
    if current is Engagement.MERGED:
        return "This record was merged into another; open that record instead."
    if wanted is Engagement.MERGED:
        return "Records are merged with Merge records (owners), not by choosing a status."
    if wanted is current:
        return f"The status is already {current.label.lower()}."
    return None


def needs_reason(wanted: Engagement) -> bool:
    """Moving on is recorded with what happened (goals met, transfer with consent)."""
    return wanted is Engagement.MOVED_ON
