"""Sealed columns: clinical text stored only as ciphertext bound to its table, column and row.

A record declares ``body = SealedText("body_sealed", VaultKind.CLINICAL)`` beside the
``body_sealed`` bytes column. Reading or writing the attribute uses the sealer of the unit
of work that is active on this thread, so sealing keys never pass through records.
The store does not import the vault: any object with ``seal``/``open`` will do.
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any, Protocol

from hrclinic.domain.vaults import VaultKind, field_context
from hrclinic.errors import SealedValueLocked


class Sealer(Protocol):
    """What a unit of work needs to seal and open values (implemented by the vault)."""

    def seal(self, plaintext: bytes, *, vault: VaultKind, context: bytes, deposit: bool = False) -> bytes:
        """Seal for a vault."""
        ...

    def open(self, blob: bytes, *, vault: VaultKind, context: bytes, deposit: bool = False) -> bytes:
        """Open a sealed value (``deposit``: the field accepts deposits)."""
        ...


current_sealer: contextvars.ContextVar[Sealer | None] = contextvars.ContextVar("current_sealer", default=None)


def _sealer() -> Sealer:
    sealer = current_sealer.get()
    if sealer is None:
        raise SealedValueLocked("The clinic is locked; log in to read or write clinical content.")
    return sealer


class SealedText:
    """A descriptor giving plain text access to a sealed bytes column."""

    def __init__(
        self, column_attr: str, vault: VaultKind = VaultKind.CLINICAL, *, deposit: bool = False
    ) -> None:
        self.column_attr = column_attr
        self.vault = vault
        self.deposit = deposit
        self.table = ""
        self.column = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.table = str(owner.__dict__.get("__tablename__", owner.__name__))
        self.column = name

    def context(self, obj: Any) -> bytes:
        """The associated data for ``obj``'s value."""
        if getattr(obj, "id", None) is None:
            obj.id = uuid.uuid4()
        return field_context(self.table, self.column, str(obj.id))

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column_attr)
        if blob is None:
            return None
        opened = _sealer().open(
            bytes(blob), vault=self.vault, context=self.context(obj), deposit=self.deposit
        )
        return opened.decode("utf-8")

    def open_for(self, row_id: uuid.UUID, blob: bytes | None) -> str | None:
        """Open a value selected as a plain column (no record loaded): bound to ``row_id`` all the same."""
        if blob is None:
            return None
        context = field_context(self.table, self.column, str(row_id))
        return (
            _sealer()
            .open(bytes(blob), vault=self.vault, context=context, deposit=self.deposit)
            .decode("utf-8")
        )

    def __set__(self, obj: Any, value: str | None) -> None:
        if value is None:
            setattr(obj, self.column_attr, None)
            return
        blob = _sealer().seal(
            value.encode("utf-8"), vault=self.vault, context=self.context(obj), deposit=self.deposit
        )
        setattr(obj, self.column_attr, blob)
