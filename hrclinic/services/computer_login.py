"""The opt-in "unlock with my computer log-in" for single-user installs: the operating system's
credential store keeps a random secret that wraps a second copy of the user's key ring."""

from __future__ import annotations

from pathlib import Path

from hrclinic.domain.accounts import normalise_username
from hrclinic.domain.audit import AuditAction
from hrclinic.errors import ValidationError, WrongCredentials
from hrclinic.paths import ClinicPaths
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic, load_ring, open_with_keys
from hrclinic.services.users import list_users
from hrclinic.vault import os_keyring
from hrclinic.vault.primitives import KEY_BYTES, KdfParams, random_bytes
from hrclinic.vault.ring import computer_rewrap, unwrap_with_secret, wrap_with_secret


def enable_computer_login(clinic: UnlockedClinic) -> None:
    """Opt in to unlocking with this computer's log-in (single-user installs only)."""
    active = [u for u in list_users(clinic) if u.active]
    if len(active) != 1:
        raise ValidationError(
            "Unlocking with the computer log-in is for clinics with one user; with several users "
            "everyone logs in with their own password."
        )
    secret = random_bytes(KEY_BYTES)
    os_keyring.store_secret(clinic.clinic_id, clinic.actor.user_id, secret)
    with clinic.editing_ring() as ring:
        entry = ring.user(clinic.actor.username)
        if entry is None:
            raise WrongCredentials("Your account is not in the key ring any more.")
        entry.computer = wrap_with_secret(ring.clinic_id, clinic.keys, secret)
    _audit_own(clinic, AuditAction.COMPUTER_LOGIN_ENABLED)


def disable_computer_login(clinic: UnlockedClinic) -> None:
    """Stop unlocking with the computer log-in; the password is needed again."""
    with clinic.editing_ring() as ring:
        entry = ring.user(clinic.actor.username)
        if entry is not None:
            entry.computer = None
    os_keyring.delete_secret(clinic.clinic_id, clinic.actor.user_id)
    _audit_own(clinic, AuditAction.COMPUTER_LOGIN_DISABLED)


def computer_login_user(data_dir: Path) -> str | None:
    """The user name that can unlock with the computer log-in here, if any."""
    try:
        ring = load_ring(ClinicPaths(Path(data_dir)))
    except Exception:  # noqa: BLE001 - a damaged ring is reported by the password path
        return None
    return next((name for name, e in ring.users.items() if e.computer is not None), None)


def unlock_with_computer_login(data_dir: Path, username: str) -> UnlockedClinic:
    """Unlock with the secret the operating system keeps for this user."""
    paths = ClinicPaths(Path(data_dir))
    ring = load_ring(paths)
    entry = ring.user(normalise_username(username))
    if entry is None or entry.computer is None:
        raise WrongCredentials("Unlocking with the computer log-in is not turned on for this user.")
    secret = os_keyring.load_secret(ring.clinic_id, entry.user_id)
    if secret is None:
        raise WrongCredentials("This computer no longer holds the log-in secret; use your password.")
    keys = unwrap_with_secret(ring.clinic_id, entry, secret)
    return open_with_keys(
        paths,
        ring,
        entry,
        keys,
        kdf=entry.password.kdf or KdfParams(),
        action=AuditAction.LOGIN_WITH_COMPUTER,
        rewrap=computer_rewrap(ring.clinic_id, secret),
    )


def _audit_own(clinic: UnlockedClinic, action: AuditAction) -> None:
    """One audit row about the acting user's own account, committed on its own."""
    with clinic.uow() as uow:
        append_event(uow.session, clinic.signer, action, target_type="user", target_id=clinic.actor.user_id)
        uow.commit()
