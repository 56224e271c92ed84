"""The unit of work: one session per user action, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hrclinic.store.engine import is_disk_full, storage_full_error
from hrclinic.store.sealed import Sealer, current_sealer


class UnitOfWork:
    """``with uow: ...; uow.commit()``. Sealed fields use this unit's sealer while it is open."""

    def __init__(self, engine: Engine, sealer: Sealer | None = None) -> None:
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._sealer = sealer
        self._session: Session | None = None
        self._token: object | None = None

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

    def commit(self) -> None:
        """Make the work durable, turning a full disk into a clear error."""
        try:
            self.session.commit()
        except OperationalError as exc:
            self.session.rollback()
            if is_disk_full(exc):
                raise storage_full_error() from None
            raise

    def flush(self) -> None:
        """Send pending changes without committing."""
        self.session.flush()
