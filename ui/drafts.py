"""Unsaved typing kept as sealed drafts (personal vault): the kinds editors use, and the notice
shown after log-in.

The lock protocol: an editor connects to ``bus.locking`` and, in that slot, submits the save of
its draft to the task runner (``drafts.save_draft``). The shell emits ``locking`` before it
submits the lock, and the runner has one worker, so every draft is sealed before the keys are
forgotten. When the editor opens again it loads its draft and offers it.
"""

from __future__ import annotations

from collections.abc import Sequence

from hrclinic.services.drafts import DraftRow

NOTE_DRAFT = "note"  # a clinical note being written in a person's record; subject: the person's id


def kept_drafts_notice(kept: Sequence[DraftRow]) -> str:
    """What was kept, in one sentence that names no one ("" when nothing was)."""
    notes = sum(1 for draft in kept if draft.kind == NOTE_DRAFT)
    forms = len(kept) - notes
    parts = []
    if notes:
        parts.append("an unsaved note" if notes == 1 else f"{notes} unsaved notes")
    if forms:
        parts.append("an unsaved form" if forms == 1 else f"{forms} unsaved forms")
    if not parts:
        return ""
    where = " (a note in that person's record)" if notes else ""
    comes_back = "It comes back" if len(kept) == 1 else "Each comes back"
    return f"Kept for you: {' and '.join(parts)}. {comes_back} when you open it again{where}."
