"""The unit of work: one session per user action, rolled back unless committed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hrclinic.errors import Conflict, NotFound
from hrclinic.store.base import VersionedMixin
from hrclinic.store.engine import is_disk_full, storage_full_error
from hrclinic.store.sealed import Sealer, current_sealer

V = TypeVar("V", bound=VersionedMixin)

CHANGED_MEANWHILE = (
    "Someone else changed this at the same moment; nothing was saved. Look at it again and retry."
)


class UnitOfWork:
    """``with uow: ...; uow.commit()``. Sealed fields use this unit's sealer while it is open."""

    def __init__(self, engine: Engine, sealer: Sealer | None = None) -> None:
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._sealer = sealer
        self._session: Session | None = None
        self._token: object | None = None
        self._conflict = CHANGED_MEANWHILE

    @property
    def session(self) -> Session:
        """The open session (only inside ``with``)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        self._token = current_sealer.set(self._sealer)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._session is not None:
                # close() rolls back anything not committed and keeps loaded objects readable
                self._session.close()
        finally:
            self._session = None
            if self._token is not None:
                current_sealer.reset(self._token)  # type: ignore[arg-type]
                self._token = None

    def get_versioned(
        self,
        record_type: type[V],
        record_id: uuid.UUID,
        version: int | None,
        *,
        conflict: str | Callable[[V], str] = CHANGED_MEANWHILE,
        missing: str = "That record does not exist.",
    ) -> V:
        """The record a person is changing, as long as nobody changed it since they saw ``version``.

        Raises ``NotFound`` (``missing``) when there is no such record and ``Conflict`` when its
        version is no longer ``version`` (``None``: the caller has no version to compare, so only a
        change made at the same moment, caught at commit, is a conflict). ``conflict`` is the
        sentence to show, or makes it from the record as it is now; a sentence given as text is also
        the one :meth:`commit` uses when a concurrent change wins the race.
        """
        record = self.session.get(record_type, record_id)
        if record is None:
            raise NotFound(missing)
        if isinstance(conflict, str):
            self._conflict = conflict
        if version is not None and record.version != version:
            raise Conflict(conflict if isinstance(conflict, str) else conflict(record))
        return record

    def commit(self) -> None:
        """Make the work durable, turning a full disk into a clear error and a record someone changed
        at the same moment (its version column moved on) into ``Conflict``."""
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(self._conflict) from None
        except OperationalError as exc:
            self.session.rollback()
            if is_disk_full(exc):
                raise storage_full_error() from None
            raise

    def flush(self) -> None:
        """Send pending changes without committing."""
        self.session.flush()
