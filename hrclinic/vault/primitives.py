"""Thin, typed wrappers over the cryptographic primitives hrclinic uses."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
# Bounds on Argon2id parameters read from a key ring. Anyone who can write the clinic folder can
# edit keyring.json, and the parameters are read before any password is checked, so they are bounded
# to what hrclinic itself writes (DEFAULT_KDF: 64 MiB, 3 passes, 4 lanes) with headroom for one
# doubling of each (a later release may strengthen the default), and no further: at the ceiling one
# derivation takes ~0.3 s here (the default ~0.1 s), where 4 GiB x 64 passes hung log-in
# for minutes and could exhaust a small machine's memory. Raising DEFAULT_KDF beyond these means
# raising them too, in the same release.
MAX_MEMORY_KIB = 128 * 1024
MAX_ITERATIONS = 6
MAX_LANES = 8


class DecryptionFailed(Exception):
    """The key is wrong or the data was altered (AES-GCM tag mismatch)."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored beside every wrap they protect."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4

    def to_json(self) -> dict[str, Any]:
        """Parameters as stored in the key-ring file."""
        return {"alg": "argon2id", **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        """Read parameters back, refusing anything that is not Argon2id."""
        if data.get("alg") != "argon2id":
            raise ValueError("unsupported key-derivation algorithm")
        params = cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))
        if not (
            1 <= params.lanes <= MAX_LANES
            and 1 <= params.iterations <= MAX_ITERATIONS
            and 8 * params.lanes <= params.memory_kib <= MAX_MEMORY_KIB
        ):
            raise ValueError(
                "its password-derivation parameters are beyond what hrclinic writes (at most "
                f"{MAX_MEMORY_KIB // 1024} MiB, {MAX_ITERATIONS} passes, {MAX_LANES} lanes)"
            )
        return params

    def meets(self, floor: KdfParams) -> bool:
        """True when these parameters are at least as strong as ``floor``."""
        return self.memory_kib >= floor.memory_kib and self.iterations >= floor.iterations


# The parameters every real clinic uses: 64 MiB, 3 passes, 4 lanes (~150 ms here).
DEFAULT_KDF = KdfParams()


def random_bytes(n: int) -> bytes:
    """Cryptographically strong random bytes."""
    return os.urandom(n)


def derive_key(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id: turn a password into a 256-bit key-encryption key."""
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(secret)


def hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    """HKDF-SHA256 to 32 bytes (for high-entropy inputs such as the recovery key)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def aead_encrypt(key: bytes, plaintext: bytes, aad: bytes, nonce: bytes | None = None) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random nonce; returns (nonce, ciphertext+tag)."""
    nonce = nonce or random_bytes(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def aead_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Open AES-256-GCM, raising DecryptionFailed when the key, data or context is wrong."""
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed() from exc


def x25519_generate() -> tuple[bytes, bytes]:
    """A new X25519 key pair as raw (private, public) bytes."""
    private = x25519.X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def x25519_public(private: bytes) -> bytes:
    """The public half of a raw X25519 private key."""
    return x25519.X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def seal_to_public_key(recipient_public: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Anonymous sealed box: ephemeral X25519 + HKDF + AES-256-GCM. Returns eph_pub|nonce|ct."""
    eph_private = x25519.X25519PrivateKey.generate()
    eph_public = eph_private.public_key().public_bytes_raw()
    shared = eph_private.exchange(x25519.X25519PublicKey.from_public_bytes(recipient_public))
    key = hkdf(shared, b"hrclinic/sealed-box/v1", salt=eph_public + recipient_public)
    nonce, ct = aead_encrypt(key, plaintext, aad + eph_public)
    return eph_public + nonce + ct


def open_sealed_box(recipient_private: bytes, box: bytes, aad: bytes) -> bytes:
    """Open a box made by ``seal_to_public_key``."""
    if len(box) < 32 + NONCE_BYTES + 16:
        raise DecryptionFailed()
    eph_public, nonce, ct = box[:32], box[32 : 32 + NONCE_BYTES], box[32 + NONCE_BYTES :]
    private = x25519.X25519PrivateKey.from_private_bytes(recipient_private)
    shared = private.exchange(x25519.X25519PublicKey.from_public_bytes(eph_public))
    key = hkdf(shared, b"hrclinic/sealed-box/v1", salt=eph_public + private.public_key().public_bytes_raw())
    return aead_decrypt(key, nonce, ct, aad + eph_public)


def ed25519_generate() -> tuple[bytes, bytes]:
    """A new Ed25519 signing key pair as raw (private, public) bytes."""
    private = ed25519.Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def ed25519_public(private: bytes) -> bytes:
    """The public half of a raw Ed25519 private key."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def ed25519_sign(private: bytes, message: bytes) -> bytes:
    """Sign ``message`` with a raw Ed25519 private key."""
    return ed25519.Ed25519PrivateKey.from_private_bytes(private).sign(message)


def ed25519_verify(public: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid signature of ``message`` by ``public``."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
