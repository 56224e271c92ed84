"""Creating (or reopening) the demo clinic: its users, then each part of its data in turn."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from hrclinic.demo.consents import add_demo_consents
from hrclinic.demo.logins import DEMO_USERS, FORMER_COLLEAGUE
from hrclinic.demo.people import SEED, fill_registry, write_notes_as
from hrclinic.demo.schedule import add_demo_schedule
from hrclinic.errors import HrclinicError
from hrclinic.paths import ClinicPaths
from hrclinic.services import clients, notes, users
from hrclinic.services.clinic import UnlockedClinic, create_clinic, lock, unlock
from hrclinic.services.reseal import convert_legacy_values
from hrclinic.services.rotation import rotate_keys
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams

DEMO_CLINIC_NAME = "Riverside Harm Reduction Practice (demo)"


Progress = Callable[[str], None]
# The parts added by the owner once the registry is filled, in order.
PARTS: list[tuple[str, Callable[[UnlockedClinic, random.Random], None]]] = [
    ("a week of appointments", add_demo_schedule),
    ("consents in every state", add_demo_consents),
]


def demo_exists(data_dir: Path) -> bool:
    """True when ``data_dir`` already holds a clinic."""
    return ClinicPaths(data_dir).exists()


def build_demo(
    data_dir: Path, *, kdf: KdfParams = DEFAULT_KDF, people: int = 240, progress: Progress | None = None
) -> bool:
    """Create the demo clinic in ``data_dir`` if it is not there yet; returns True when created."""
    say = progress or (lambda _text: None)
    if demo_exists(data_dir):
        say(f"Reopening the demo clinic in {data_dir}")
        _convert_legacy_values(data_dir, kdf, say)
        return False
    owner = DEMO_USERS[0]
    say(f"Creating the demo clinic in {data_dir}")
    create_clinic(
        data_dir,
        clinic_name=DEMO_CLINIC_NAME,
        owner_username=owner.username,
        owner_password=owner.password,
        owner_display_name=owner.display_name,
        kdf=kdf,
    )
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        for demo_user in DEMO_USERS[1:]:
            users.add_user(
                clinic,
                username=demo_user.username,
                display_name=demo_user.display_name,
                role=demo_user.role,
                password=demo_user.password,
                must_change_password=False,
            )
    finally:
        lock(clinic)
    desk = unlock(data_dir, DEMO_USERS[3].username, DEMO_USERS[3].password, kdf=kdf)
    try:
        say("Registering fictional people at the front desk")
        fill_registry(desk, people)
    finally:
        lock(desk)
    write_notes_as(data_dir, DEMO_USERS[1], kdf)
    say("A former colleague leaves: deactivated, and the clinic's keys changed")
    _former_colleague_leaves(data_dir, kdf)
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        for name, part in PARTS:
            say(f"Adding {name}")
            part(clinic, random.Random(SEED))
    finally:
        lock(clinic)
    return True


def _former_colleague_leaves(data_dir: Path, kdf: KdfParams) -> None:
    """Alex writes a few notes, the owner deactivates the account, and the clinic's keys rotate, so
    an old copy of Alex's key ring opens nothing written since (Settings > Keys; the audit log)."""
    owner = DEMO_USERS[0]
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        former = users.add_user(
            clinic,
            username=FORMER_COLLEAGUE.username,
            display_name=FORMER_COLLEAGUE.display_name,
            role=FORMER_COLLEAGUE.role,
            password=FORMER_COLLEAGUE.password,
            must_change_password=False,
        )
    finally:
        lock(clinic)
    alex = unlock(data_dir, FORMER_COLLEAGUE.username, FORMER_COLLEAGUE.password, kdf=kdf)
    try:
        for person in clients.list_clients(alex)[60:66]:
            notes.write_clinical_note(
                alex, person.id, "First session. Talked about what they want from coming here."
            )
    finally:
        lock(alex)
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        users.deactivate_user(clinic, former.id)
        rotate_keys(clinic, reason="deactivation")
    finally:
        lock(clinic)


def _convert_legacy_values(data_dir: Path, kdf: KdfParams, say: Progress) -> None:
    """A demo clinic made by an earlier version: re-seal its values bound to their person and author."""
    owner = DEMO_USERS[0]
    try:
        clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    except HrclinicError:
        return  # the owner's password was changed: the app converts when an owner or clinician logs in
    try:
        converted = convert_legacy_values(clinic)
        if converted:
            say(f"Re-sealed {converted:,} entries written by an earlier version (bound to their person)")
    finally:
        lock(clinic)
