"""The SQLCipher store: encryption at rest, migrations, reopening, upgrades with a copy first."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import DatabaseDamaged, NotAClinic
from hrclinic.services import clients, notes
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import lock
from hrclinic.store.engine import sqlcipher_engine
from hrclinic.store.migrate import current_revision, head_revision, upgrade
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.primitives import random_bytes
from tests.conftest import CLINICIAN, FAST_KDF, OWNER, ClinicFixture

MARKERS = ["Zoë Łukasiewicz-Şahin", "Алексей Смирнов", "Nguyễn Văn An", "Test Clinic", "Olive Owner"]
NOTE = "Talked about using alone on Fridays; took two naloxone kits."


def test_nothing_written_through_the_app_appears_in_the_file_bytes(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    for name in MARKERS[:3]:
        person = clients.register_client(clinic, name)
    notes.write_clinical_note(clinic, person.id, NOTE)
    lock(clinic)
    files = [p for p in clinic_dir.data_dir.iterdir() if p.name.startswith("clinic.db")]
    assert files, "the database file exists"
    for path in files:
        raw = path.read_bytes()
        for marker in [*MARKERS, NOTE, "naloxone", "therapist", "clinical_notes", "CREATE TABLE"]:
            for encoding in ("utf-8", "utf-16-le"):
                assert marker.encode(encoding) not in raw, f"{marker!r} found in {path.name}"


def test_plain_sqlite_cannot_open_the_file(clinic_dir: ClinicFixture) -> None:
    conn = sqlite3.connect(clinic_dir.data_dir / "clinic.db")
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_a_wrong_key_fails_at_connect_with_a_clear_message(clinic_dir: ClinicFixture) -> None:
    with pytest.raises(DatabaseDamaged, match="does not open with this clinic's key"):
        sqlcipher_engine(clinic_dir.data_dir / "clinic.db", random_bytes(32))


def test_a_missing_database_is_not_created_by_accident(tmp_path: Path) -> None:
    with pytest.raises(NotAClinic):
        sqlcipher_engine(tmp_path / "absent.db", random_bytes(32))
    assert not (tmp_path / "absent.db").exists()


def test_migration_from_empty_reaches_head_and_settings_are_applied(tmp_path: Path) -> None:
    engine = sqlcipher_engine(tmp_path / "new.db", random_bytes(32), create=True)
    try:
        assert current_revision(engine) is None
        result = upgrade(engine, database=None, backups=None)
        assert (result.from_revision, result.to_revision) == (None, head_revision())
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        assert {"clinic", "users", "audit_events", "clients", "clinical_notes"} <= tables
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from hrclinic.store.records import Base

    engine = sqlcipher_engine(tmp_path / "m.db", random_bytes(32), create=True)
    try:
        upgrade(engine, database=None, backups=None)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_reopening_keeps_everything(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinic, "Nguyễn Văn An")
    notes.write_clinical_note(clinic, person.id, NOTE)
    lock(clinic)
    again = clinic_dir.login(CLINICIAN)
    assert again.migration.upgraded is False
    assert [n.body for n in notes.read_clinical_notes(again, person.id)] == [NOTE]
    assert clients.get_client(again, person.id).preferred_name == "Nguyễn Văn An"


def test_an_older_database_is_copied_then_upgraded_on_open(clinic_dir: ClinicFixture) -> None:
    """Bring a clinic back to revision 0001 (as an older version of the app left it), then open it."""
    from alembic import command
    from alembic.config import Config

    from hrclinic.paths import migrations_dir
    from hrclinic.services.audit import verify_chain

    owner = clinic_dir.login(OWNER)
    key = owner.keys.registry_key
    lock(owner)
    engine = sqlcipher_engine(clinic_dir.data_dir / "clinic.db", key)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(migrations_dir()))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()

    reopened = clinic_dir.login(OWNER)
    assert (reopened.migration.from_revision, reopened.migration.to_revision) == ("0001", head_revision())
    backup = reopened.migration.backup
    assert backup is not None and backup.parent == clinic_dir.data_dir / "backups"
    old = sqlcipher_engine(backup, key)
    assert current_revision(old) == "0001"  # the copy is the database as it was before the upgrade
    old.dispose()
    clients.register_client(reopened, "After the upgrade")
    with reopened.uow() as uow:
        assert verify_chain(uow.session, reopened.keys.anchors.recovery_signing_public).sound
    with reopened.uow() as uow:
        actions = [r[0] for r in uow.session.execute(text("SELECT action FROM audit_events ORDER BY seq"))]
    assert "clinic.database_upgraded" in actions


def test_fast_kdf_fixture_is_not_the_default() -> None:
    assert FAST_KDF.memory_kib < 64 * 1024  # guards that production code never uses the test parameters


def test_a_populated_clinic_at_0002_upgrades_with_every_record_kept(clinic_dir: ClinicFixture) -> None:
    """Each schema revision must upgrade real data, not only an empty database."""
    from alembic import command
    from alembic.config import Config

    from hrclinic.paths import migrations_dir

    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Nguyễn Văn An")
    notes.write_clinical_note(clinician, person.id, NOTE)
    key = clinician.keys.registry_key
    lock(clinician)
    engine = sqlcipher_engine(clinic_dir.data_dir / "clinic.db", key)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(migrations_dir()))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    engine.dispose()
    reopened = clinic_dir.login(CLINICIAN)
    assert reopened.migration.from_revision == "0002" and reopened.migration.upgraded
    assert clients.get_client(reopened, person.id).preferred_name == "Nguyễn Văn An"
    assert [n.body for n in notes.read_clinical_notes(reopened, person.id)] == [NOTE]


def test_concurrent_units_of_work_queue_instead_of_failing(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinic, "Zoë")
    errors: list[BaseException] = []

    def view_many() -> None:
        try:
            for _ in range(15):
                clients.get_client(clinic, person.id)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=view_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with clinic.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEventRecord.action).order_by(AuditEventRecord.seq)))
        problems = verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public).problems
    assert actions.count(AuditAction.CLIENT_VIEWED) == 60
    assert problems == []


def test_an_empty_database_is_reported_without_being_written(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    key = owner.keys.registry_key
    lock(owner)
    for extra in clinic_dir.data_dir.glob("clinic.db*"):
        extra.unlink()
    sqlcipher_engine(clinic_dir.data_dir / "clinic.db", key, create=True).dispose()
    size = (clinic_dir.data_dir / "clinic.db").stat().st_size
    with pytest.raises(DatabaseDamaged, match="holds no clinic"):
        clinic_dir.login(OWNER)
    assert (clinic_dir.data_dir / "clinic.db").stat().st_size == size
