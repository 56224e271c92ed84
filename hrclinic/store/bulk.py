"""Bulk loading for data builders (the benchmark's synthetic clinics): many rows per statement.

Builders above the store hand over plain rows (column name -> value); the SQLAlchemy statements
stay here. ``Engine`` is re-exported so a builder can name the type without importing SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select, update

from hrclinic.store.base import Base
from hrclinic.store.records import ClinicRecord
from hrclinic.store.uow import UnitOfWork

__all__ = ["Engine", "copy_rows", "insert_rows", "set_next_record_number"]


def insert_rows(uow: UnitOfWork, record: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``record``'s table in one executemany, inside the unit of work."""
    uow.session.execute(insert(record), rows)


def set_next_record_number(uow: UnitOfWork, number: int) -> None:
    """The record number the next registered person gets (after rows were inserted in bulk)."""
    uow.session.execute(update(ClinicRecord).values(next_record_number=number))


def copy_rows(source: Engine, target: Engine, records: Sequence[type[Base]]) -> None:
    """Copy every row of these records' tables from ``source`` to ``target`` as they are (one transaction)."""
    with source.connect() as src, target.begin() as dst:
        for record in records:
            table = Base.metadata.tables[record.__tablename__]
            rows = [dict(r) for r in src.execute(select(table)).mappings()]
            if rows:
                dst.execute(insert(table), rows)
