"""The unit of work's optimistic lock: ``get_versioned`` and the one ``Conflict`` error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hrclinic.errors import Conflict, NotFound
from hrclinic.store.base import IdMixin, VersionedMixin
from hrclinic.store.engine import plain_sqlite_engine
from hrclinic.store.uow import UnitOfWork


class _Base(DeclarativeBase):
    pass


class _NoteRecord(IdMixin, VersionedMixin, _Base):
    """A versioned record of this test only (kept out of the app's metadata)."""

    __tablename__ = "note"
    text: Mapped[str] = mapped_column(String, default="")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = plain_sqlite_engine(tmp_path / "uow.db")
    _Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _stored(engine: Engine, text: str = "first") -> uuid.UUID:
    with UnitOfWork(engine) as uow:
        record = _NoteRecord(id=uuid.uuid4(), text=text)
        uow.session.add(record)
        uow.commit()
        return record.id


def _text(engine: Engine, record_id: uuid.UUID) -> str:
    with UnitOfWork(engine) as uow:
        return uow.session.get_one(_NoteRecord, record_id).text


def test_the_version_shown_gets_the_record_and_a_save_moves_the_version_on(engine: Engine) -> None:
    note_id = _stored(engine)
    with UnitOfWork(engine) as uow:
        record = uow.get_versioned(_NoteRecord, note_id, 1)
        record.text = "second"
        uow.commit()
        assert record.version == 2
    assert _text(engine, note_id) == "second"


def test_an_old_version_is_a_conflict_with_the_sentence_given_and_nothing_is_saved(engine: Engine) -> None:
    note_id = _stored(engine)
    with UnitOfWork(engine) as uow:
        uow.get_versioned(_NoteRecord, note_id, 1).text = "theirs"
        uow.commit()
    with UnitOfWork(engine) as uow, pytest.raises(Conflict, match="changed this note") as refused:
        uow.get_versioned(_NoteRecord, note_id, 1, conflict="Someone changed this note; reopen it.")
    assert refused.value.field == "version"
    assert _text(engine, note_id) == "theirs"


def test_the_conflict_sentence_can_say_what_the_record_is_now(engine: Engine) -> None:
    note_id = _stored(engine, "now this")
    with UnitOfWork(engine) as uow, pytest.raises(Conflict, match="it now says 'now this'"):
        uow.get_versioned(_NoteRecord, note_id, 7, conflict=lambda r: f"Changed: it now says {r.text!r}.")


def test_without_a_version_only_the_record_is_fetched(engine: Engine) -> None:
    note_id = _stored(engine)
    with UnitOfWork(engine) as uow:
        assert uow.get_versioned(_NoteRecord, note_id, None).text == "first"
        with pytest.raises(NotFound, match="That note is gone"):
            uow.get_versioned(_NoteRecord, uuid.uuid4(), None, missing="That note is gone.")


def _changed_by_someone_else(uow: UnitOfWork, note_id: uuid.UUID) -> None:
    """Another workstation's save landing between my check and my commit (PostgreSQL). SQLite lets one
    writer at a time, so the row is changed here under the ORM's feet, in my own transaction."""
    table = _NoteRecord.__table__
    uow.session.connection().execute(
        update(table).where(table.c.id == note_id).values(text="theirs", version=table.c.version + 1)
    )


def test_a_change_committed_at_the_same_moment_is_the_same_conflict_at_commit(engine: Engine) -> None:
    note_id = _stored(engine)
    with UnitOfWork(engine) as mine:
        record = mine.get_versioned(_NoteRecord, note_id, 1, conflict="Someone changed this note; reopen it.")
        _changed_by_someone_else(mine, note_id)
        record.text = "mine"
        with pytest.raises(Conflict, match=r"Someone changed this note; reopen it\.") as refused:
            mine.commit()
    assert refused.value.field == "version"
    assert _text(engine, note_id) == "first"  # mine rolled back, and with it the stand-in for theirs


def test_a_race_without_a_sentence_of_its_own_gets_the_general_one(engine: Engine) -> None:
    note_id = _stored(engine)
    with UnitOfWork(engine) as mine:
        record = mine.session.get_one(_NoteRecord, note_id)
        _changed_by_someone_else(mine, note_id)
        record.text = "mine"
        with pytest.raises(Conflict, match="nothing was saved"):
            mine.commit()
