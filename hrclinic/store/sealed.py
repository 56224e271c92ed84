"""Sealed columns: clinical text stored only as ciphertext bound to its table, column, row and owners.

A record declares ``body = SealedText("body_sealed", VaultKind.CLINICAL, bind=("client_id",
"author_id"))`` beside the ``body_sealed`` bytes column: the value opens only in that row, that
column, and while the row still names the same person and author. A field that accepts deposits
names its ``author`` column: a deposit is signed by its depositor and opens only when that column
names them. Reading or writing the attribute uses the sealer of the unit of work that is active on
this thread, so sealing keys never pass through records. The store does not import the vault: any
object with ``seal``/``open`` will do.
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any, Protocol

from hrclinic.domain.vaults import VaultKind, bound_field_context, field_context
from hrclinic.errors import SealedValueLocked


class SealedBindingMissing(RuntimeError):
    """A programming error: a sealed value was sealed or opened without the owner columns it is bound to."""


class Sealer(Protocol):
    """What a unit of work needs to seal and open values (implemented by the vault)."""

    def can_open(self, vault: VaultKind) -> bool:
        """True when this user can read values of ``vault``."""
        ...

    def seal(
        self,
        plaintext: bytes,
        *,
        vault: VaultKind,
        context: bytes,
        deposit: bool = False,
        author: object | None = None,
    ) -> bytes:
        """Seal for a vault (``author``: who the row names as the value's author; a deposit signs as them)."""
        ...

    def open(
        self,
        blob: bytes,
        *,
        vault: VaultKind,
        context: bytes,
        deposit: bool = False,
        legacy_context: bytes | None = None,
        author: object | None = None,
    ) -> bytes:
        """Open a sealed value (``deposit``: the field accepts deposits; ``legacy_context``: the
        associated data of values written before owner binding; ``author``: who the row names as
        the value's author, whom a deposit must be signed by)."""
        ...


current_sealer: contextvars.ContextVar[Sealer | None] = contextvars.ContextVar("current_sealer", default=None)


def _sealer() -> Sealer:
    sealer = current_sealer.get()
    if sealer is None:
        raise SealedValueLocked("The clinic is locked; log in to read or write clinical content.")
    return sealer


class SealedText:
    """A descriptor giving plain text access to a sealed bytes column.

    ``bind`` names the record's columns holding the people the value belongs to (``client_id``,
    ``author_id``); they are part of the associated data, so they must be set before the value is.
    ``optional`` names bound columns that may be empty: they are left out of the associated data
    then (the column was added after values were sealed without it). ``author`` names the bound
    column holding who recorded the value: a deposit must be signed by that user. With ``legacy``
    False, values in an earlier version's format are never opened with the v1 context.
    """

    def __init__(
        self,
        column_attr: str,
        vault: VaultKind = VaultKind.CLINICAL,
        *,
        deposit: bool = False,
        bind: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        author: str | None = None,
        legacy: bool = True,
    ) -> None:
        if not set(optional) <= set(bind) or (author is not None and author not in bind):
            raise ValueError("optional and author name bound columns")
        if deposit and author is None:
            raise ValueError("a field that accepts deposits names its author column")
        self.column_attr = column_attr
        self.vault = vault
        self.deposit = deposit
        self.bind = bind
        self.optional = optional
        self.author = author
        self.legacy = legacy
        self.table = ""
        self.column = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.table = str(owner.__dict__.get("__tablename__", owner.__name__))
        self.column = name

    def context_for(self, row_id: uuid.UUID, **bound: object) -> bytes:
        """The associated data of a value in row ``row_id`` whose owner columns hold ``bound``."""
        if set(bound) != set(self.bind):
            raise SealedBindingMissing(
                f"{self.table}.{self.column} is bound to {', '.join(self.bind) or 'nothing'}; "
                f"got {', '.join(sorted(bound)) or 'nothing'}"
            )
        pairs = []
        for attr in self.bind:
            value = bound[attr]
            if value is None:
                if attr in self.optional:
                    continue
                raise SealedBindingMissing(
                    f"{self.table}.{self.column} is bound to {attr}: set {attr} before the sealed value"
                )
            pairs.append((attr.removesuffix("_id"), str(value)))
        return bound_field_context(self.table, self.column, str(row_id), pairs)

    def legacy_context_for(self, row_id: uuid.UUID) -> bytes | None:
        """The associated data earlier versions used (table, column and row only); None when values
        of this field in earlier formats are not opened at all."""
        return field_context(self.table, self.column, str(row_id)) if self.legacy else None

    def author_of(self, bound: dict[str, object]) -> object | None:
        """Who the row names as the value's author (None: the field names none)."""
        return bound.get(self.author) if self.author is not None else None

    def context(self, obj: Any) -> bytes:
        """The associated data for ``obj``'s value (gives ``obj`` an id if it has none yet)."""
        if getattr(obj, "id", None) is None:
            obj.id = uuid.uuid4()
        return self.context_for(obj.id, **{attr: getattr(obj, attr, None) for attr in self.bind})

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column_attr)
        if blob is None:
            return None
        opened = _sealer().open(
            bytes(blob),
            vault=self.vault,
            context=self.context(obj),
            deposit=self.deposit,
            legacy_context=self.legacy_context_for(obj.id),
            author=getattr(obj, self.author, None) if self.author is not None else None,
        )
        return opened.decode("utf-8")

    def open_for(self, row_id: uuid.UUID, blob: bytes | None, **bound: object) -> str | None:
        """Open a value selected as a plain column (no record loaded), bound to ``row_id`` and to the
        owner columns' values ``bound`` (e.g. ``client_id=...``) all the same."""
        if blob is None:
            return None
        context = self.context_for(row_id, **bound)
        return (
            _sealer()
            .open(
                bytes(blob),
                vault=self.vault,
                context=context,
                deposit=self.deposit,
                legacy_context=self.legacy_context_for(row_id),
                author=self.author_of(bound),
            )
            .decode("utf-8")
        )

    def seal_for(self, row_id: uuid.UUID, value: str, **bound: object) -> bytes:
        """Seal ``value`` for row ``row_id`` with owners ``bound``, as assigning the attribute would."""
        return _sealer().seal(
            value.encode("utf-8"),
            vault=self.vault,
            context=self.context_for(row_id, **bound),
            deposit=self.deposit,
            author=self.author_of(bound),
        )

    def __set__(self, obj: Any, value: str | None) -> None:
        if getattr(obj, self.column_attr, None) is not None and not _sealer().can_open(self.vault):
            # a deposit is always a new entry: who cannot read a value can neither replace nor erase it
            raise SealedValueLocked(
                "This entry already holds clinical content that only clinicians can change; "
                "it was left as it is."
            )
        if value is None:
            setattr(obj, self.column_attr, None)
            return
        blob = _sealer().seal(
            value.encode("utf-8"),
            vault=self.vault,
            context=self.context(obj),
            deposit=self.deposit,
            author=getattr(obj, self.author, None) if self.author is not None else None,
        )
        setattr(obj, self.column_attr, blob)
