"""Names of the vaults that seal clinical content (see DESIGN.md, Keys and vaults)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class VaultKind(StrEnum):
    """Which vault a sealed field belongs to."""

    CLINICAL = "clinical"  # owners and clinicians
    PRIVATE = "private"  # one per clinician: psychotherapy (process) notes, author only
    PERSONAL = "personal"  # one per user, every role: that user's unsaved drafts


UNOPENABLE_TEXT = "This entry cannot be opened; it may have been altered."


def field_context(table: str, column: str, row_id: str) -> bytes:
    """Associated data of values written before owner binding (v1): table, column and row only.

    Still used to open such values until they are re-sealed (hrclinic.services.reseal)."""
    return f"hrclinic/field/v1|{table}|{column}|{row_id}".encode()


def bound_field_context(table: str, column: str, row_id: str, bound: Sequence[tuple[str, str]]) -> bytes:
    """Associated data binding a sealed value to its table, column, row and owners (v2).

    ``bound`` names the people (and, for drafts, the kind and subject) the value belongs to, e.g.
    (("client", id), ("author", id)), so a row re-pointed to another person or author no longer
    opens. A value is escaped (``%``, ``|``, ``=`` and line breaks), so free text such as a draft's
    subject binds unambiguously; ids contain none of these and are bound as they are."""
    parts = ["hrclinic/field/v2", table, column, row_id]
    for name, value in bound:
        if not name.isidentifier():
            raise ValueError(f"cannot bind a sealed value to {name}={value!r}")
        parts.append(f"{name}={_escape(value)}")
    return "|".join(parts).encode()


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in value)


_ESCAPES = {c: f"%{ord(c):02X}" for c in "%|=\n\r"}
