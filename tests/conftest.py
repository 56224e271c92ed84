"""Shared fixtures. Qt runs offscreen; the OS credential store is replaced by memory."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hrclinic.domain.roles import Role
from hrclinic.services import users
from hrclinic.services.clinic import UnlockedClinic, create_clinic, lock, unlock
from hrclinic.vault.primitives import KdfParams

# Small Argon2id parameters keep the suite fast; tests of the real parameters use DEFAULT_KDF.
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)

OWNER = ("owner", "lantern meadow 41")
CLINICIAN = ("therapist", "quiet harbour 52")
FRONT_DESK = ("frontdesk", "paper kites 63")


@dataclass
class ClinicFixture:
    """A temporary clinic with one user of each role."""

    data_dir: Path
    recovery_key: str
    opened: list[UnlockedClinic]

    def login(self, who: tuple[str, str]) -> UnlockedClinic:
        clinic = unlock(self.data_dir, who[0], who[1], kdf=FAST_KDF)
        self.opened.append(clinic)
        return clinic


@pytest.fixture
def clinic_dir(tmp_path: Path) -> Iterator[ClinicFixture]:
    data_dir = tmp_path / "clinic"
    created = create_clinic(
        data_dir,
        clinic_name="Test Clinic",
        owner_username=OWNER[0],
        owner_password=OWNER[1],
        owner_display_name="Olive Owner",
        kdf=FAST_KDF,
    )
    fixture = ClinicFixture(data_dir, created.recovery_key, [])
    owner = fixture.login(OWNER)
    users.add_user(
        owner,
        username=CLINICIAN[0],
        display_name="Theo Therapist",
        role=Role.CLINICIAN,
        password=CLINICIAN[1],
        must_change_password=False,
    )
    users.add_user(
        owner,
        username=FRONT_DESK[0],
        display_name="Fran Desk",
        role=Role.FRONT_DESK,
        password=FRONT_DESK[1],
        must_change_password=False,
    )
    lock(owner)
    yield fixture
    for clinic in fixture.opened:
        clinic.close()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[object]:
    """Every test gets an empty in-memory credential store; the real OS store is never touched."""
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.store.pop((service, username), None) is None:
                raise PasswordDeleteError("not found")

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
