"""Sealed columns, found generically, and values that fail to open shown as such in their place.

One value that was altered, or moved to another row, person or author, must stay one bad value:
readers open values through ``UnopenableValues``, which turns that failure into a marker the read
model carries (``hrclinic.domain.vaults.UNOPENABLE_TEXT`` is what a screen shows) and an audit row
naming table, column and row id. A value that is merely *locked* for the role (front desk and the
clinical vault) is not altered: that error still propagates as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Column, func, inspect, select
from sqlalchemy.orm import Mapper, Session

import hrclinic.store.records  # noqa: F401 - every record must be mapped before the mappers are walked
from hrclinic.domain.audit import AuditAction
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import SealedValueInvalid, SealedValueLocked
from hrclinic.services.audit import append_event
from hrclinic.store.base import Base
from hrclinic.store.sealed import SealedText
from hrclinic.store.uow import UnitOfWork
from hrclinic.vault.sealing import HEADER_BYTES, KEYED_FORMATS
from hrclinic.vault.signing import AuditSigner

SCAN_BATCH = 500


@dataclass(frozen=True)
class SealedColumn:
    """One sealed attribute of one record class."""

    model: type[Any]
    descriptor: SealedText

    @property
    def name(self) -> str:
        """``table.column`` as messages name it."""
        return f"{self.descriptor.table}.{self.descriptor.column}"

    @property
    def _mapper(self) -> Mapper[Any]:
        mapper: Mapper[Any] = inspect(self.model)
        return mapper

    @property
    def id(self) -> Column[Any]:
        """The row id column."""
        return self._mapper.columns["id"]

    @property
    def blob(self) -> Column[Any]:
        """The bytes column holding the sealed value."""
        return self._mapper.columns[self.descriptor.column_attr]

    @property
    def bound(self) -> list[Column[Any]]:
        """The owner columns the value is bound to, in the descriptor's order."""
        return [self._mapper.columns[attr] for attr in self.descriptor.bind]

    def bound_values(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """Owner column values selected in ``bound`` order, as keywords for ``open_for``/``seal_for``."""
        return dict(zip(self.descriptor.bind, values, strict=True))


def sealed_columns(vault: VaultKind = VaultKind.CLINICAL) -> tuple[SealedColumn, ...]:
    """Every sealed attribute of ``vault`` on every mapped record, in a stable order."""
    found = []
    for mapper in Base.registry.mappers:
        model = mapper.class_
        for klass in model.__mro__:
            for attr in vars(klass).values():
                if isinstance(attr, SealedText) and attr.vault is vault:
                    found.append(SealedColumn(model, attr))
    return tuple(sorted(found, key=lambda c: (c.descriptor.table, c.descriptor.column)))


def sealed_column(model: type[Any], name: str) -> SealedColumn:
    """The sealed attribute ``name`` of ``model``."""
    descriptor = model.__dict__.get(name)
    if not isinstance(descriptor, SealedText):
        raise AttributeError(f"{model.__name__}.{name} is not a sealed attribute")
    return SealedColumn(model, descriptor)


@dataclass(frozen=True)
class UnopenableValue:
    """A sealed value that did not open with the keys that should open it."""

    table: str
    column: str
    row_id: uuid.UUID

    def describe(self) -> str:
        """One line for ``hrclinic verify``."""
        return f"{self.table}.{self.column} of row {self.row_id} cannot be opened (altered or moved)"


class Opened(NamedTuple):
    """A sealed value as a reader gets it: its text ("" when empty), or the unopenable marker."""

    text: str
    unopenable: bool


@dataclass
class UnopenableValues:
    """Opens sealed values for one read, collecting those that fail to open instead of failing."""

    found: list[UnopenableValue] = field(default_factory=list)

    def read(self, record: Any, name: str) -> Opened:
        """``record.<name>`` opened, or marked unopenable (a locked vault still raises)."""
        try:
            value = getattr(record, name)
        except SealedValueInvalid:
            descriptor = sealed_column(type(record), name).descriptor
            self.found.append(UnopenableValue(descriptor.table, descriptor.column, record.id))
            return Opened("", True)
        return Opened(value or "", False)

    def open_selected(
        self, descriptor: SealedText, row_id: uuid.UUID, blob: bytes | None, **bound: object
    ) -> Opened:
        """A value selected as a plain column, opened, or marked unopenable."""
        try:
            value = descriptor.open_for(row_id, blob, **bound)
        except SealedValueInvalid:
            self.found.append(UnopenableValue(descriptor.table, descriptor.column, row_id))
            return Opened("", True)
        return Opened(value or "", False)

    def audit(self, session: Session, signer: AuditSigner) -> None:
        """One audit row per value that failed to open: table, column and row id, never text."""
        for value in self.found:
            append_event(
                session,
                signer,
                AuditAction.SEALED_VALUE_UNOPENABLE,
                target_type=value.table,
                target_id=value.row_id,
                details={"column": value.column},
            )


@dataclass
class ScanResult:
    """What a scan of sealed values found."""

    checked: int = 0
    unopenable: list[UnopenableValue] = field(default_factory=list)
    locked: list[UnopenableValue] = field(default_factory=list)


def scan_sealed_values(
    uow: Callable[[], UnitOfWork],
    vault: VaultKind = VaultKind.CLINICAL,
    *,
    batch: int = SCAN_BATCH,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Try to open every value of ``vault``, a batch at a time, each batch in its own unit of work
    from ``uow`` (``clinic.uow``); ``progress`` gets the number checked so far after each batch."""
    result = ScanResult()
    for column in sealed_columns(vault):
        after: uuid.UUID | None = None
        while True:
            with uow() as work:
                query = select(column.id, column.blob, *column.bound).where(column.blob.is_not(None))
                if after is not None:
                    query = query.where(column.id > after)
                rows = work.session.execute(query.order_by(column.id).limit(batch)).all()
                for row in rows:
                    row_id, blob, bound = row[0], row[1], tuple(row[2:])
                    value = UnopenableValue(column.descriptor.table, column.descriptor.column, row_id)
                    try:
                        column.descriptor.open_for(row_id, blob, **column.bound_values(bound))
                    except SealedValueInvalid:
                        result.unopenable.append(value)
                    except SealedValueLocked:
                        result.locked.append(value)
            result.checked += len(rows)
            if progress is not None and rows:
                progress(result.checked)
            if len(rows) < batch:
                break
            after = rows[-1][0]
    return result


def key_ids_in_use(session: Session, key_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Of ``key_ids`` (clinical or deposit keys), those that some sealed clinical value still names.

    A value's header is its format byte and the id of the key that seals it (bytes 1..17): a clinical
    key for formats 0x03 and 0x01, the deposit key for 0x05, 0x04 and 0x02. A key named here must not be
    forgotten by any ring or by the escrow, or that value opens for no one."""
    headers = {
        bytes([fmt]) + key_id.bytes: key_id
        for key_id in key_ids
        for fmt in KEYED_FORMATS
    }
    found: set[uuid.UUID] = set()
    if not headers:
        return found
    for column in sealed_columns(VaultKind.CLINICAL):
        header = func.substr(column.blob, 1, HEADER_BYTES)
        query = select(header).where(column.blob.is_not(None), header.in_(list(headers))).distinct()
        found.update(headers[bytes(value)] for value in session.scalars(query))
    return found
