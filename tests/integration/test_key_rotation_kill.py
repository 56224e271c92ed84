"""A SIGKILL at any moment of a key rotation leaves a clinic that opens for every remaining user (under
the old keys or the new ones, never neither), and a later log-in finishes the rotation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import select

from hrclinic.domain.roles import Role
from hrclinic.services import clients, notes, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, create_clinic, lock, unlock
from hrclinic.services.intake import IntakeForm, register_person
from hrclinic.services.registry import person_detail
from hrclinic.services.rotation import finish_pending_rotation
from hrclinic.store.records import ClinicalNoteRecord
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import recover_keys, unwrap_with_password
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER

ROOT = Path(__file__).resolve().parents[2]
LEAVER = ("leaver", "orchard lamps 88")
NOTES = 14

CHILD = r"""
import sys, time
from pathlib import Path
from hrclinic.services import rotation as rot, users
from hrclinic.services.clinic import unlock
from hrclinic.store import rekey

data_dir, stop_at, owner, password, leaver = Path(sys.argv[1]), *sys.argv[2:6]

def mark(name):
    print(name, flush=True)
    if name == stop_at:
        time.sleep(120)

def around(name, fn):
    def wrapped(*args, **kwargs):
        mark(name)
        return fn(*args, **kwargs)
    return wrapped

rekey.checkpoint = mark  # "exported" (new file written, not yet in place), "replaced"
rot.escrow_new_keys = around("start-ring", rot.escrow_new_keys)  # start row written, ring not saved
rot._forget_retired_escrow = around("completion-ring", rot._forget_retired_escrow)
clinic = unlock(data_dir, owner, password)
users.deactivate_user(clinic, next(u.id for u in users.list_users(clinic) if u.username == leaver))
mark("deactivated")
rotation = rot.KeyRotation(clinic, start=rot.START_IF_OWED, reason="deactivation", batch=4)
while not rotation.finished:
    mark("step-" + rotation.step().step)
mark("done")
"""

KILL_POINTS = [
    "deactivated",
    "start-ring",
    "step-started",
    "exported",
    "replaced",
    "step-rekeyed",
    "step-resealing",
    "completion-ring",
    "done",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clinic with an owner, a clinician, a front desk and a clinician about to leave, with notes."""
    data_dir = tmp_path_factory.mktemp("rotation") / "clinic"
    created = create_clinic(
        data_dir, clinic_name="Kill", owner_username=OWNER[0], owner_password=OWNER[1], kdf=FAST_KDF
    )
    owner = unlock(data_dir, *OWNER, kdf=FAST_KDF)
    for who, role in ((CLINICIAN, Role.CLINICIAN), (FRONT_DESK, Role.FRONT_DESK), (LEAVER, Role.CLINICIAN)):
        users.add_user(
            owner,
            username=who[0],
            display_name=who[0],
            role=role,
            password=who[1],
            must_change_password=False,
            kdf=FAST_KDF,
        )
    lock(owner)
    desk = unlock(data_dir, *FRONT_DESK, kdf=FAST_KDF)
    register_person(desk, IntakeForm(preferred_name="Mele", reason_own_words="Deposited before."))
    lock(desk)
    for who in (CLINICIAN, LEAVER):
        clinic = unlock(data_dir, *who, kdf=FAST_KDF)
        person = clients.register_client(clinic, f"Person of {who[0]}")
        for n in range(NOTES // 2):
            notes.write_clinical_note(clinic, person.id, f"Note {n} by {who[0]}.")
        lock(clinic)
    return data_dir, created.recovery_key


def _run_child(data_dir: Path, stop_at: str) -> list[str]:
    """Run a rotation in a child process and SIGKILL it once it reaches ``stop_at``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), stop_at, OWNER[0], OWNER[1], LEAVER[0]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None
    seen: list[str] = []
    for line in child.stdout:
        seen.append(line.strip())
        if seen[-1] == stop_at:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=120)
    assert stop_at in seen, (seen, child.stderr.read() if child.stderr else "")
    return seen


def _kill_after(data_dir: Path, delay: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), "never", OWNER[0], OWNER[1], LEAVER[0]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "deactivated":
            time.sleep(delay)
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=120)


def _assert_opens_then_finishes(data_dir: Path, recovery_key: str, leaver_copy: KeyRingFile) -> None:
    opened: list[UnlockedClinic] = []
    try:
        # everyone remaining opens the clinic first; whoever can, finishes what the kill left
        for who in (CLINICIAN, FRONT_DESK, OWNER):
            clinic = unlock(data_dir, *who, kdf=FAST_KDF)
            opened.append(clinic)
            finish_pending_rotation(clinic)
            lock(clinic)
        owner = unlock(data_dir, *OWNER, kdf=FAST_KDF)
        opened.append(owner)
        finish_pending_rotation(owner)  # a deactivation whose rotation never started is owed: it runs
        assert not owner.keys.retiring and not owner.keys.registry_previous and owner.keys.epoch >= 1
        ring = owner.read_ring()
        assert ring.rotation is None and not (data_dir / "clinic.db.rekey").exists()
        with owner.uow() as uow:
            assert verify_chain(uow.session, owner.keys.anchors.recovery_signing_public).sound
            blobs = [bytes(b) for b in uow.session.scalars(select(ClinicalNoteRecord.body_sealed))]
        assert len(blobs) == NOTES
        assert {blob[1:17] for blob in blobs} == {owner.keys.clinical_current.bytes}  # type: ignore[union-attr]
        lock(owner)

        old = unwrap_with_password(leaver_copy.clinic_id, leaver_copy.user(LEAVER[0]), LEAVER[1])
        conn = sqlcipher3.connect(str(data_dir / "clinic.db"))
        conn.execute(f"PRAGMA key = \"x'{old.registry_key.hex()}'\"")
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.close()

        clinician = unlock(data_dir, *CLINICIAN, kdf=FAST_KDF)
        opened.append(clinician)
        assert clinician.keys.clinical_current == owner.keys.clinical_current
        people = clients.list_clients(clinician)
        bodies = [n.body for p in people for n in notes.read_clinical_notes(clinician, p.id)]
        assert len(bodies) == NOTES and all(b.startswith("Note ") for b in bodies)
        deposited = next(p for p in people if p.preferred_name == "Mele")
        assert person_detail(clinician, deposited.id).reason_own_words == "Deposited before."
        assert unlock(data_dir, *FRONT_DESK, kdf=FAST_KDF).keys.registry_key == owner.keys.registry_key

        recovered = recover_keys(KeyRingFile.load(data_dir / "keyring.json"), RecoveryKey.parse(recovery_key))
        assert recovered.clinic.registry_key == owner.keys.registry_key
        assert recovered.clinic.clinical_current == owner.keys.clinical_current
    finally:
        for clinic in opened:
            clinic.close()


@pytest.mark.parametrize("stop_at", KILL_POINTS)
def test_a_rotation_killed_at_each_step_opens_and_is_finished_later(
    template: tuple[Path, str], tmp_path: Path, stop_at: str
) -> None:
    data_dir = tmp_path / "clinic"
    shutil.copytree(template[0], data_dir)
    leaver_copy = KeyRingFile.from_json(json.loads((data_dir / "keyring.json").read_text()))
    seen = _run_child(data_dir, stop_at)
    assert seen[-1] == stop_at
    _assert_opens_then_finishes(data_dir, template[1], leaver_copy)


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2, 0.4])
def test_a_rotation_killed_after_growing_delays_opens_and_is_finished_later(
    template: tuple[Path, str], tmp_path: Path, delay: float
) -> None:
    data_dir = tmp_path / "clinic"
    shutil.copytree(template[0], data_dir)
    leaver_copy = KeyRingFile.from_json(json.loads((data_dir / "keyring.json").read_text()))
    _kill_after(data_dir, delay)
    _assert_opens_then_finishes(data_dir, template[1], leaver_copy)
