"""Names of the vaults that seal clinical content (see DESIGN.md, Keys and vaults)."""

from __future__ import annotations

from enum import StrEnum


class VaultKind(StrEnum):
    """Which vault a sealed field belongs to."""

    CLINICAL = "clinical"  # owners and clinicians
    PRIVATE = "private"  # one per clinician: psychotherapy (process) notes, author only
    PERSONAL = "personal"  # one per user, every role: that user's unsaved drafts


def field_context(table: str, column: str, row_id: str) -> bytes:
    """Associated data binding a sealed value to its table, column and row."""
    return f"hrclinic/field/v1|{table}|{column}|{row_id}".encode()
