"""Drafts: kept typing, restored, and the list of what was kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Draft:
    """A restored draft."""

    payload: str
    updated_at: datetime


@dataclass(frozen=True)
class DraftRow:
    """That a draft exists (its text stays sealed until its editor opens it)."""

    kind: str
    subject: str
    updated_at: datetime
