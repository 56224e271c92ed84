"""The operating system's credential store (Keychain, Windows Credential Manager, Secret Service).

Used for the opt-in "unlock with my computer log-in" of a single-user install: a random
secret held by the OS wraps a second copy of the user's key ring. ``keyring`` is imported
lazily (it is slow to import and only needed here).
"""

from __future__ import annotations

import base64
import uuid

from hrclinic.errors import HrclinicError

SERVICE = "hrclinic"


class CredentialStoreUnavailable(HrclinicError):
    """No usable operating-system credential store."""


def _account(clinic_id: uuid.UUID, user_id: uuid.UUID) -> str:
    return f"{clinic_id}/{user_id}"


def _unavailable(exc: Exception) -> CredentialStoreUnavailable:
    return CredentialStoreUnavailable(
        "This computer has no credential store hrclinic can use "
        f"({type(exc).__name__}); log in with your password instead."
    )


def store_secret(clinic_id: uuid.UUID, user_id: uuid.UUID, secret: bytes) -> None:
    """Keep ``secret`` in the OS credential store."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, _account(clinic_id, user_id), base64.b64encode(secret).decode())
    except KeyringError as exc:
        raise _unavailable(exc) from None


def load_secret(clinic_id: uuid.UUID, user_id: uuid.UUID) -> bytes | None:
    """The stored secret, or None when there is none."""
    import keyring
    from keyring.errors import KeyringError

    try:
        text = keyring.get_password(SERVICE, _account(clinic_id, user_id))
    except KeyringError as exc:
        raise _unavailable(exc) from None
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def delete_secret(clinic_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Forget the stored secret (no error when there is none)."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, _account(clinic_id, user_id))
    except PasswordDeleteError:
        pass
    except KeyringError as exc:
        raise _unavailable(exc) from None
