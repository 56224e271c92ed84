"""Audit signing with each user's Ed25519 key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import ed25519_sign, ed25519_verify


@dataclass(frozen=True)
class AuditSigner:
    """Signs audit rows as one user."""

    user_id: uuid.UUID
    key_id: uuid.UUID
    _private: bytes = field(repr=False)

    @classmethod
    def of(cls, keys: KeySet) -> AuditSigner:
        """The signer of an unlocked user."""
        return cls(keys.user_id, keys.signing_key_id, keys.signing_private)

    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of ``message``."""
        return ed25519_sign(self._private, message)


def signature_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when the signature is valid for the message under the public key."""
    return ed25519_verify(public_key, signature, message)
