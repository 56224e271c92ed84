"""Clinical notes, as the record's clinical panel shows them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NoteDetail:
    """A clinical note, opened."""

    id: uuid.UUID
    client_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    written_at: datetime
    body: str
    unopenable: bool = False  # the sealed text did not open (altered or moved): show UNOPENABLE_TEXT
