"""Composition root: one clinic data folder, and at most one unlocked session at a time.

The desktop shell holds one ``ClinicApp``; views receive the unlocked clinic (or the few
service functions they need), never this object's internals.
"""

from __future__ import annotations

from pathlib import Path

from hrclinic.domain.accounts import normalise_username
from hrclinic.domain.audit import AuditAction
from hrclinic.errors import HrclinicError
from hrclinic.paths import ClinicPaths
from hrclinic.readmodels.clinic import CreatedClinic
from hrclinic.services import computer_login, passwords
from hrclinic.services.clinic import UnlockedClinic, create_clinic, load_ring, lock, unlock
from hrclinic.services.failed_logins import login_wait
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams


class ClinicApp:
    """The clinic behind the window: create, unlock, lock."""

    def __init__(self, data_dir: Path, *, kdf: KdfParams = DEFAULT_KDF) -> None:
        self.paths = ClinicPaths(Path(data_dir))
        self.kdf = kdf
        self.session: UnlockedClinic | None = None

    @property
    def data_dir(self) -> Path:
        """The clinic's data folder."""
        return self.paths.root

    def clinic_name(self) -> str:
        """The clinic's name as the key-ring file records it (readable before log-in)."""
        try:
            return load_ring(self.paths).clinic_name or self.paths.root.name
        except HrclinicError:
            return self.paths.root.name

    def has_clinic(self) -> bool:
        """True when the folder already holds a clinic (else the first-run dialog is shown)."""
        return self.paths.exists()

    def create(
        self, *, clinic_name: str, owner_username: str, owner_display_name: str, owner_password: str
    ) -> CreatedClinic:
        """Create the clinic and its first owner."""
        return create_clinic(
            self.paths.root,
            clinic_name=clinic_name,
            owner_username=owner_username,
            owner_display_name=owner_display_name,
            owner_password=owner_password,
            kdf=self.kdf,
        )

    def login_wait(self, username: str) -> int:
        """Seconds ``username`` must still wait before an attempt is tried (0: now); reads a file."""
        return login_wait(self.paths.failed_logins, normalise_username(username))

    def unlock(self, username: str, password: str) -> UnlockedClinic:
        """Log in, replacing any earlier session."""
        opened = unlock(self.paths.root, username, password, kdf=self.kdf)
        self._replace(opened)
        return opened

    def unlock_with_computer_login(self, username: str) -> UnlockedClinic:
        """Log in with the secret the operating system keeps (opt-in, single-user installs)."""
        opened = computer_login.unlock_with_computer_login(self.paths.root, username)
        self._replace(opened)
        return opened

    def reset_with_recovery_key(self, username: str, recovery_key: str, new_password: str) -> UnlockedClinic:
        """Set a new password with the recovery key and log in as that account."""
        opened = passwords.reset_password_with_recovery_key(
            self.paths.root, username, recovery_key, new_password, kdf=self.kdf
        )
        self._replace(opened)
        return opened

    def computer_login_user(self) -> str | None:
        """The user who may unlock with the computer log-in here, if any."""
        return computer_login.computer_login_user(self.paths.root)

    def lock(self, *, reason: AuditAction = AuditAction.LOCK) -> None:
        """Lock: audit it and forget the keys."""
        if self.session is not None:
            session, self.session = self.session, None
            lock(session, reason=reason)

    def _replace(self, opened: UnlockedClinic) -> None:
        if self.session is not None and not self.session.closed:
            self.session.close()
        self.session = opened
