"""Unlocking with the computer log-in: single-user installs only, opt in and out."""

from __future__ import annotations

import pytest

from hrclinic.domain.roles import Role
from hrclinic.errors import (
    ValidationError,
    WrongCredentials,
)
from hrclinic.services import computer_login, users
from hrclinic.services.clinic import lock
from tests.conftest import FAST_KDF


def test_unlock_with_the_computer_login_is_single_user_and_opt_in(tmp_path, memory_keyring) -> None:
    from hrclinic.services.clinic import create_clinic, unlock

    data_dir = tmp_path / "solo"
    create_clinic(
        data_dir, clinic_name="Solo", owner_username="solo", owner_password="only me here 12", kdf=FAST_KDF
    )
    assert computer_login.computer_login_user(data_dir) is None
    with pytest.raises(WrongCredentials, match="not turned on"):
        computer_login.unlock_with_computer_login(data_dir, "solo")
    clinic = unlock(data_dir, "solo", "only me here 12", kdf=FAST_KDF)
    computer_login.enable_computer_login(clinic)
    assert memory_keyring.store  # the secret went to the OS store...
    ring_text = (data_dir / "keyring.json").read_text()
    assert all(secret not in ring_text for secret in memory_keyring.store.values())  # ...not to the file
    lock(clinic)
    assert computer_login.computer_login_user(data_dir) == "solo"
    opened = computer_login.unlock_with_computer_login(data_dir, "solo")
    assert opened.actor.username == "solo"
    users.add_user(
        opened,
        username="second",
        display_name="Second",
        role=Role.FRONT_DESK,
        password="another person 3",
        kdf=FAST_KDF,
    )
    computer_login.disable_computer_login(opened)
    with pytest.raises(ValidationError, match="clinics with one user"):
        computer_login.enable_computer_login(opened)
    opened.close()
    with pytest.raises(WrongCredentials):
        computer_login.unlock_with_computer_login(data_dir, "solo")
