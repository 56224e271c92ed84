"""Flags, as the Flags view lists them (for now, the flags the overdose-risk checklist proposes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FlagProposalRow:
    """Someone whose latest overdose-risk checklist proposes a flag."""

    client_id: uuid.UUID
    record_number: int
    preferred_name: str
    status: str
    screened_at: datetime
    screened_by: str
    reasons: tuple[str, ...]
    unopenable: bool = False  # the checklist did not open (altered or moved): listed so someone looks
