"""Errors a person can act on. Every message is a sentence meant to be shown as it is."""

from __future__ import annotations


class HrclinicError(Exception):
    """Base of every error hrclinic raises on purpose; ``str(error)`` is the message to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAClinic(HrclinicError):
    """The folder is missing or does not hold an hrclinic clinic."""


class ClinicExists(HrclinicError):
    """A clinic already exists where a new one was to be created."""


class FolderNotEmpty(HrclinicError):
    """The folder chosen for a new clinic already holds other files (a clinic needs a new or empty one)."""


class WrongCredentials(HrclinicError):
    """The user name or password (or recovery key) did not unlock the clinic."""


class TooManyAttempts(HrclinicError):
    """Several attempts did not match: this one was refused without trying, ``seconds`` are left."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"Several attempts did not match. You can try again in {seconds} s.")
        self.seconds = seconds


class AccountInactive(HrclinicError):
    """The account exists but has been deactivated."""


class KeyRingDamaged(HrclinicError):
    """The key-ring file cannot be read or does not match the database."""


class DatabaseDamaged(HrclinicError):
    """The database file cannot be opened with the clinic's key, or fails its checks."""


class PermissionDenied(HrclinicError):
    """The acting user's role may not do this."""


class ValidationError(HrclinicError):
    """Input that cannot be accepted; ``field`` names the place it happened."""


class NotFound(HrclinicError):
    """The record asked for does not exist."""


class Conflict(HrclinicError):
    """Someone changed the record after it was shown to this person; nothing was saved.

    The one optimistic-lock error (raised by ``UnitOfWork.get_versioned`` and ``UnitOfWork.commit``);
    a view shows the sentence and reloads what it shows. ``field`` is "version".
    """

    def __init__(self, message: str, *, field: str | None = "version") -> None:
        super().__init__(message, field=field)


class SealedValueLocked(HrclinicError):
    """The value is sealed in a vault the acting user does not hold."""


class SealedValueInvalid(HrclinicError):
    """The sealed value was altered or belongs to another record or field."""


class FolderNotWritable(HrclinicError):
    """The clinic folder or database cannot be written by this account."""


class StorageFull(HrclinicError):
    """The disk is full or not writable; nothing was saved."""
