"""Wrapping and unwrapping key rings, and the recovery escrow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from hrclinic.errors import KeyRingDamaged, WrongCredentials
from hrclinic.vault.keyring_file import EscrowEntry, KeyRingFile, UserEntry, Wrap
from hrclinic.vault.keys import ClinicKeys, KeySet, TrustAnchors
from hrclinic.vault.primitives import (
    SALT_BYTES,
    DecryptionFailed,
    KdfParams,
    aead_decrypt,
    aead_encrypt,
    derive_key,
    open_sealed_box,
    random_bytes,
    seal_to_public_key,
    x25519_public,
)
from hrclinic.vault.recovery import RecoveryKey


def _wrap_context(clinic_id: uuid.UUID, user_id: uuid.UUID, kind: str) -> bytes:
    return f"hrclinic/ring/v1|{clinic_id}|{user_id}|{kind}".encode()


@dataclass(frozen=True)
class Rewrap:
    """What wraps a user's own ring again after it changed (its audit witness, new keys), without
    asking for the password again: the key-encryption key of the wrap it was opened with. Held in
    memory only while unlocked, like the keys themselves."""

    clinic_id: uuid.UUID
    kind: str  # password | computer
    kek: bytes = field(repr=False)
    kdf: KdfParams | None = None
    salt: bytes | None = None

    def wrap(self, keys: KeySet) -> Wrap:
        """``keys`` wrapped under the same key-encryption key (a fresh nonce each time)."""
        context = _wrap_context(self.clinic_id, keys.user_id, self.kind)
        nonce, ct = aead_encrypt(self.kek, keys.to_bytes(), context)
        return Wrap(nonce=nonce, ciphertext=ct, kdf=self.kdf, salt=self.salt)

    def apply(self, entry: UserEntry, keys: KeySet) -> None:
        """Replace the wrap of ``entry`` this rewrap belongs to."""
        if self.kind == "password":
            entry.password = self.wrap(keys)
        else:
            entry.computer = self.wrap(keys)


def password_rewrap(clinic_id: uuid.UUID, password: str, kdf: KdfParams) -> Rewrap:
    """A new password wrap's key: fresh salt, Argon2id over ``password``."""
    salt = random_bytes(SALT_BYTES)
    return Rewrap(clinic_id, "password", derive_key(password.encode("utf-8"), salt, kdf), kdf, salt)


def wrap_with_password(clinic_id: uuid.UUID, keys: KeySet, password: str, kdf: KdfParams) -> Wrap:
    """Wrap a key ring under an Argon2id key derived from ``password``."""
    return password_rewrap(clinic_id, password, kdf).wrap(keys)


def open_with_password(clinic_id: uuid.UUID, entry: UserEntry, password: str) -> tuple[KeySet, Rewrap]:
    """Unwrap a user's key ring and keep what re-wraps it; WrongCredentials when the password is wrong."""
    wrap = entry.password
    if wrap.kdf is None or wrap.salt is None:
        raise KeyRingDamaged(f"The key ring of {entry.username} has no password wrap.")
    kek = derive_key(password.encode("utf-8"), wrap.salt, wrap.kdf)
    keys = _open_wrap(clinic_id, entry, wrap, kek, "password")
    return keys, Rewrap(clinic_id, "password", kek, wrap.kdf, wrap.salt)


def unwrap_with_password(clinic_id: uuid.UUID, entry: UserEntry, password: str) -> KeySet:
    """Unwrap a user's key ring, raising WrongCredentials when the password is not right."""
    return open_with_password(clinic_id, entry, password)[0]


def wrap_with_secret(clinic_id: uuid.UUID, keys: KeySet, secret: bytes) -> Wrap:
    """Wrap a key ring under a random 256-bit secret (kept by the operating system's store)."""
    nonce, ct = aead_encrypt(secret, keys.to_bytes(), _wrap_context(clinic_id, keys.user_id, "computer"))
    return Wrap(nonce=nonce, ciphertext=ct)


def unwrap_with_secret(clinic_id: uuid.UUID, entry: UserEntry, secret: bytes) -> KeySet:
    """Unwrap the computer-login copy of a key ring."""
    if entry.computer is None:
        raise WrongCredentials("Unlocking with the computer log-in is not turned on for this user.")
    return _open_wrap(clinic_id, entry, entry.computer, secret, "computer")


def computer_rewrap(clinic_id: uuid.UUID, secret: bytes) -> Rewrap:
    """What re-wraps the computer-login copy of a ring (the secret the operating system keeps)."""
    return Rewrap(clinic_id, "computer", secret)


def _open_wrap(clinic_id: uuid.UUID, entry: UserEntry, wrap: Wrap, kek: bytes, kind: str) -> KeySet:
    try:
        plain = aead_decrypt(kek, wrap.nonce, wrap.ciphertext, _wrap_context(clinic_id, entry.user_id, kind))
    except DecryptionFailed:
        raise WrongCredentials("The user name or password is not right.") from None
    try:
        keys = KeySet.from_bytes(plain)
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyRingDamaged(f"The key ring of {entry.username} is damaged ({exc}).") from None
    if keys.user_id != entry.user_id:
        raise KeyRingDamaged(f"The key ring of {entry.username} belongs to another user.")
    return keys


def burn_time_like_unwrap(password: str, kdf: KdfParams) -> None:
    """Spend the same Argon2id time for an unknown user name, so timing does not reveal it."""
    derive_key(password.encode("utf-8"), bytes(SALT_BYTES), kdf)


# --- recovery escrow -------------------------------------------------------------------------


def _escrow_context(clinic_id: uuid.UUID, key_id: uuid.UUID, kind: str, owner: uuid.UUID | None) -> bytes:
    return f"hrclinic/escrow/v1|{clinic_id}|{key_id}|{kind}|{owner or '-'}".encode()


def escrow_key(
    ring: KeyRingFile,
    key_id: uuid.UUID,
    kind: str,
    secret: bytes,
    recovery_public: bytes,
    owner_id: uuid.UUID | None = None,
) -> None:
    """Seal one vault key to the recovery public key and keep it in the ring (once per key id).

    ``recovery_public`` comes from the acting user's authenticated ring, never from the file alone:
    a file whose recovery key was swapped is refused instead of escrowing to a stranger.
    """
    if ring.recovery_public != recovery_public:
        raise KeyRingDamaged(
            "The key-ring file's recovery key does not match the one in your key ring; it may have been "
            "tampered with. Nothing was changed. Run hrclinic verify."
        )
    if any(e.key_id == key_id for e in ring.escrow):
        return
    box = seal_to_public_key(recovery_public, secret, _escrow_context(ring.clinic_id, key_id, kind, owner_id))
    ring.escrow.append(EscrowEntry(key_id=key_id, kind=kind, owner_id=owner_id, box=box))


def escrow_clinic_keys(ring: KeyRingFile, clinic: ClinicKeys) -> None:
    """Escrow the registry (id: the clinic id), clinical and deposit keys."""
    public = clinic.anchors.recovery_public
    escrow_key(ring, ring.clinic_id, "registry", clinic.registry_key, public)
    for key_id, secret in clinic.clinical.items():
        escrow_key(ring, key_id, "clinical", secret, public)
    for key_id, secret in clinic.deposit.items():
        escrow_key(ring, key_id, "deposit", secret, public)


def escrow_private_keys(ring: KeyRingFile, keys: KeySet) -> None:
    """Escrow a clinician's private-vault keys."""
    for key_id, secret in keys.private.items():
        escrow_key(ring, key_id, "private", secret, keys.anchors.recovery_public, owner_id=keys.user_id)


@dataclass
class RecoveredKeys:
    """Everything the recovery key opens."""

    clinic: ClinicKeys
    private: dict[uuid.UUID, dict[uuid.UUID, bytes]] = field(default_factory=dict)  # owner -> keys


def recover_keys(ring: KeyRingFile, recovery: RecoveryKey) -> RecoveredKeys:
    """Open every escrowed key, raising WrongCredentials when the recovery key is not this clinic's."""
    if recovery.escrow_public_key() != ring.recovery_public:
        raise WrongCredentials("This recovery key does not belong to this clinic.")
    private_key = recovery.escrow_private_key()
    registry: dict[uuid.UUID, bytes] = {}  # in escrow order: a key rotation appends the newest
    clinical: dict[uuid.UUID, bytes] = {}
    deposit: dict[uuid.UUID, bytes] = {}
    private: dict[uuid.UUID, dict[uuid.UUID, bytes]] = {}
    for entry in ring.escrow:
        try:
            secret = open_sealed_box(
                private_key,
                entry.box,
                _escrow_context(ring.clinic_id, entry.key_id, entry.kind, entry.owner_id),
            )
        except DecryptionFailed:
            raise KeyRingDamaged(f"The escrowed {entry.kind} key {entry.key_id} is damaged.") from None
        if entry.kind == "registry":
            registry[entry.key_id] = secret
        elif entry.kind == "clinical":
            clinical[entry.key_id] = secret
        elif entry.kind == "deposit":
            deposit[entry.key_id] = secret
        elif entry.kind == "private" and entry.owner_id is not None:
            private.setdefault(entry.owner_id, {})[entry.key_id] = secret
    if not registry or not clinical or not deposit:
        raise KeyRingDamaged("The key ring's recovery escrow is incomplete.")
    deposit_id = list(deposit)[-1]
    anchors = TrustAnchors(
        recovery_public=recovery.escrow_public_key(),
        recovery_signing_public=recovery.signing_public_key(),
        deposit_key_id=deposit_id,
        deposit_public=x25519_public(deposit[deposit_id]),
    )
    # during an unfinished key rotation the database may still be under an older registry key
    registry_id, registry_key = list(registry.items())[-1]
    clinic = ClinicKeys(
        registry_key=registry_key,
        clinical=clinical,
        clinical_current=list(clinical)[-1],
        deposit=deposit,
        anchors=anchors,
        registry_id=None if registry_id == ring.clinic_id else registry_id,
        registry_previous=tuple(k for k in reversed(registry.values()) if k != registry_key),
    )
    return RecoveredKeys(clinic=clinic, private=private)
