"""A crafted key ring cannot make log-in hang: key-derivation parameters are bounded to what we write."""

from __future__ import annotations

import json

import pytest

from hrclinic.errors import KeyRingDamaged, WrongCredentials
from hrclinic.services.clinic import unlock
from hrclinic.services.verify import verify_clinic
from hrclinic.vault.primitives import DEFAULT_KDF, MAX_ITERATIONS, MAX_LANES, MAX_MEMORY_KIB
from tests.conftest import FAST_KDF, OWNER, ClinicFixture


def _craft_owner_kdf(clinic_dir: ClinicFixture, **kdf: int) -> None:
    """What an insider with a text editor on the clinic folder can do to keyring.json."""
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    data["users"][OWNER[0]]["password"]["kdf"].update(kdf)
    path.write_text(json.dumps(data))


# The thread method ends the run even if a derivation is stuck inside C code, where a signal
# handler would never get to run: a hang fails this test instead of stalling the suite.
@pytest.mark.timeout(30, method="thread")
@pytest.mark.parametrize(
    "crafted",
    [
        {"memory_kib": 4 * 1024 * 1024, "iterations": 64},
        {"memory_kib": MAX_MEMORY_KIB + 1},
        {"iterations": MAX_ITERATIONS + 1},
        {"lanes": MAX_LANES + 1},
    ],
)
def test_a_crafted_key_ring_with_huge_kdf_parameters_is_refused_at_once(
    clinic_dir: ClinicFixture, crafted: dict[str, int]
) -> None:
    _craft_owner_kdf(clinic_dir, **crafted)
    with pytest.raises(KeyRingDamaged) as refused:
        unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    message = refused.value.message
    assert "keyring.json is damaged" in message
    assert f"at most {MAX_MEMORY_KIB // 1024} MiB" in message
    assert "recovery key" in message  # says what to do next
    with pytest.raises(KeyRingDamaged):
        verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)


def test_the_bounds_admit_what_the_app_and_the_tests_write(clinic_dir: ClinicFixture) -> None:
    assert DEFAULT_KDF.memory_kib <= MAX_MEMORY_KIB
    assert DEFAULT_KDF.iterations <= MAX_ITERATIONS
    assert DEFAULT_KDF.lanes <= MAX_LANES
    clinic_dir.login(OWNER)  # the fixture's rings use FAST_KDF (1 MiB, 1 pass, 1 lane)
    # the ceiling itself is read and used: the wrap, made with other parameters, then fails to open
    # like a wrong password, and the file is not called damaged
    _craft_owner_kdf(clinic_dir, memory_kib=MAX_MEMORY_KIB, iterations=MAX_ITERATIONS, lanes=MAX_LANES)
    with pytest.raises(WrongCredentials):
        unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
