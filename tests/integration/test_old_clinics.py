"""Clinics made by earlier versions of the app (tests/fixtures/clinics, see its README) open with this
version: the database is upgraded after a copy is taken, every record is there and readable, values
sealed before the sealed-value binding are converted, and ``verify`` finds nothing wrong."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from hrclinic.domain.consents import ConsentKind, ConsentState
from hrclinic.services import clients, consents, drafts, notes, passwords, users
from hrclinic.services.clinic import UnlockedClinic, lock, unlock
from hrclinic.services.reseal import convert_legacy_values, pending_legacy_count
from hrclinic.services.verify import verify_clinic
from hrclinic.store.engine import sqlcipher_engine
from hrclinic.store.migrate import current_revision, head_revision
from tests.conftest import FAST_KDF

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clinics"
OWNER = ("owner", "lantern meadow 41")
CLINICIAN = ("therapist", "quiet harbour 52")
FRONT_DESK = ("frontdesk", "paper kites 63")
PEOPLE = {"Zoë Łukasiewicz-Şahin", "Алексей Смирнов", "O'Brien <Sam> & Co"}
NOTE = "First visit: naloxone kit and fentanyl test strips given. Prefers afternoons."
# Test-only Argon2id parameters fail verify's production floor by design; everything else must pass.
_KDF_FLOOR = "uses Argon2id parameters weaker than"


@dataclass(frozen=True)
class OldClinic:
    """One committed fixture and what it holds (tests/fixtures/README.md)."""

    folder: str
    revision: str
    legacy_values: int  # clinical values sealed before the sealed-value binding
    has_consent: bool
    recovery_key: str


OLD_CLINICS = [
    OldClinic(
        "schema-0002", "0002", 1, False, "4JXCC-GC7ZP-IRDLX-EFKGM-OLDMI-SMIBC-CJBW5-PFO4U-2W2CD-T7LXI-KIGQQ"
    ),
    OldClinic(
        "schema-0003-v1-sealing",
        "0003",
        1,
        True,
        "BDKSS-32BUB-YIKLK-X2NEU-HNG3M-IQSG5-WF7HC-MA4RP-35MT3-N4DWC-IZL7Y",
    ),
    OldClinic(
        "schema-0003", "0003", 0, True, "MLMGZ-GJQLR-VTQAR-HWQXR-HBKN6-TINXJ-7IVVQ-U4QDA-EYTPT-QDVSZ-G5XSY"
    ),
]


@pytest.fixture(params=OLD_CLINICS, ids=[c.folder for c in OLD_CLINICS])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[OldClinic, Path]:
    """A copy of the fixture: the committed files are never opened, let alone upgraded, in place."""
    fixture: OldClinic = request.param
    data_dir = tmp_path / "clinic"
    shutil.copytree(FIXTURES / fixture.folder, data_dir)
    return fixture, data_dir


def _login(data_dir: Path, who: tuple[str, str], opened: list[UnlockedClinic]) -> UnlockedClinic:
    clinic = unlock(data_dir, *who, kdf=FAST_KDF)
    opened.append(clinic)
    return clinic


def test_every_schema_revision_that_was_ever_the_newest_has_a_fixture() -> None:
    # 0001 and 0002 arrived in one commit, so no version of the app ever made a 0001 database; 0004
    # (who recorded a person's own words, with signed deposits) is this version's own.
    assert head_revision() == "0004"
    assert {c.revision for c in OLD_CLINICS} == {"0002", "0003"}
    assert sum(f.stat().st_size for f in FIXTURES.rglob("*") if f.is_file()) < 1_000_000


def test_an_old_clinic_is_upgraded_after_a_copy_is_taken(old: tuple[OldClinic, Path]) -> None:
    fixture, data_dir = old
    before = (data_dir / "clinic.db").read_bytes()
    opened: list[UnlockedClinic] = []
    try:
        owner = _login(data_dir, OWNER, opened)
        migration = owner.migration
        assert (migration.from_revision, migration.to_revision) == (fixture.revision, head_revision())
        if fixture.revision == head_revision():
            assert migration.backup is None
        else:
            assert migration.backup is not None and migration.backup.parent == data_dir / "backups"
            assert migration.backup.read_bytes() == before  # the database as it was, untouched
            backup = sqlcipher_engine(migration.backup, owner.keys.registry_key)
            try:
                assert current_revision(backup) == fixture.revision
            finally:
                backup.dispose()
        assert current_revision(owner.engine) == head_revision()
        assert {u.username for u in users.list_users(owner)} == {OWNER[0], CLINICIAN[0], FRONT_DESK[0]}
    finally:
        for clinic in opened:
            clinic.close()


def test_an_old_clinic_shows_its_data_to_each_role(old: tuple[OldClinic, Path]) -> None:
    fixture, data_dir = old
    opened: list[UnlockedClinic] = []
    try:
        desk = _login(data_dir, FRONT_DESK, opened)
        people = {p.preferred_name: p for p in clients.list_clients(desk)}
        assert set(people) == PEOPLE
        found = consents.list_consents(desk, people["Алексей Смирнов"].id)
        if fixture.has_consent:
            [consent] = found
            assert consent.kind is ConsentKind.TREATMENT and consent.state is ConsentState.ACTIVE
            assert consent.fields.person_name == "Алексей Смирнов"
        else:
            assert found == []
        lock(desk)

        clinician = _login(data_dir, CLINICIAN, opened)
        zoe = people["Zoë Łukasiewicz-Şahin"].id
        assert pending_legacy_count(clinician) == fixture.legacy_values
        [note] = notes.read_clinical_notes(clinician, zoe)  # opens before conversion too
        assert (note.body, note.unopenable) == (NOTE, False)
        assert convert_legacy_values(clinician) == fixture.legacy_values
        assert pending_legacy_count(clinician) == 0
        [note] = notes.read_clinical_notes(clinician, zoe)
        assert (note.body, note.unopenable) == (NOTE, False)
        # a draft kept at one log-in comes back at the next (rings from before personal keys included)
        drafts.save_draft(clinician, "note", "half a sentence", subject=str(zoe))
        lock(clinician)
        clinician = _login(data_dir, CLINICIAN, opened)
        kept = drafts.load_draft(clinician, "note", subject=str(zoe))
        assert kept is not None and kept.payload == "half a sentence"
        lock(clinician)

        report = verify_clinic(data_dir, *OWNER, kdf=FAST_KDF)
        assert [p for p in report.problems if _KDF_FLOOR not in p] == []
        assert report.audit_rows > 0
    finally:
        for clinic in opened:
            clinic.close()


def test_the_recovery_key_printed_by_the_old_version_still_recovers(old: tuple[OldClinic, Path]) -> None:
    fixture, data_dir = old
    # Colleagues log in once with this version (which gives old rings an exchange key), so the key
    # rotation a recovery reset starts can deliver them the new keys (README: key rotation, limits).
    for who in (OWNER, FRONT_DESK):
        unlock(data_dir, *who, kdf=FAST_KDF).close()
    restored = passwords.reset_password_with_recovery_key(
        data_dir, CLINICIAN[0], fixture.recovery_key, "a new harbour phrase 77", kdf=FAST_KDF
    )
    try:
        people = {p.preferred_name: p.id for p in clients.list_clients(restored)}
        [note] = notes.read_clinical_notes(restored, people["Zoë Łukasiewicz-Şahin"])
        assert note.body == NOTE
    finally:
        restored.close()
    again = unlock(data_dir, CLINICIAN[0], "a new harbour phrase 77", kdf=FAST_KDF)
    again.close()
    report = verify_clinic(data_dir, *OWNER, kdf=FAST_KDF)
    assert [p for p in report.problems if _KDF_FLOOR not in p] == []
