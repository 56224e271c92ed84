"""The recovery key: 256 random bits, written as 11 groups of 5 characters with a checksum.

It derives an X25519 key pair; every vault key is escrowed to the public half when it is
created, so the recovery key alone can restore every key of the clinic.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field

from hrclinic.errors import ValidationError
from hrclinic.vault.primitives import KEY_BYTES, ed25519_public, hkdf, random_bytes, x25519_public

_CHECK_BYTES = 2
_GROUP = 5
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True)
class RecoveryKey:
    """A recovery key in memory (never stored by hrclinic)."""

    secret: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> RecoveryKey:
        """A new random recovery key."""
        return cls(random_bytes(KEY_BYTES))

    @property
    def text(self) -> str:
        """The key as a person writes it down: ABCDE-FGHIJ-... (55 characters + dashes)."""
        check = hashlib.sha256(self.secret).digest()[:_CHECK_BYTES]
        encoded = base64.b32encode(self.secret + check).decode("ascii").rstrip("=")
        return "-".join(encoded[i : i + _GROUP] for i in range(0, len(encoded), _GROUP))

    @classmethod
    def parse(cls, text: str) -> RecoveryKey:
        """Read a typed recovery key, tolerating spaces, dashes, case and 0/O, 1/I mix-ups."""
        compact = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOKALIKES)
        expected = len(RecoveryKey(bytes(KEY_BYTES)).text.replace("-", ""))
        if len(compact) != expected:
            raise ValidationError(
                f"A recovery key has {expected} letters and digits; this one has {len(compact)}.",
                field="recovery_key",
            )
        try:
            raw = base64.b32decode(compact + "=" * (-len(compact) % 8))
        except ValueError:
            raise ValidationError(
                "A recovery key uses the letters A-Z and the digits 2-7 only.", field="recovery_key"
            ) from None
        secret, check = raw[:KEY_BYTES], raw[KEY_BYTES:]
        if hashlib.sha256(secret).digest()[:_CHECK_BYTES] != check:
            raise ValidationError(
                "This recovery key has a typing mistake; compare it with the printed copy.",
                field="recovery_key",
            )
        return cls(secret)

    def signing_private_key(self) -> bytes:
        """The Ed25519 key that roots the audit chain's trust (signs creation and recovery resets)."""
        return hkdf(self.secret, b"hrclinic/recovery/signing/v1")

    def signing_public_key(self) -> bytes:
        """Its public half, carried inside every user's wrapped key ring."""
        return ed25519_public(self.signing_private_key())

    def escrow_private_key(self) -> bytes:
        """The X25519 private key that opens escrowed vault keys."""
        return hkdf(self.secret, b"hrclinic/recovery/escrow/v1")

    def escrow_public_key(self) -> bytes:
        """The public half, kept in the key-ring file so new keys can be escrowed."""
        return x25519_public(self.escrow_private_key())


RECOVERY_SIGNER_NAMESPACE = uuid.UUID("6f1d2a8e-3c4b-4e5f-9a7b-1c2d3e4f5a6b")


def recovery_signer_id(signing_public: bytes) -> uuid.UUID:
    """The key id under which the recovery key signs audit rows (derived from its public half)."""
    return uuid.uuid5(RECOVERY_SIGNER_NAMESPACE, signing_public.hex())
