"""Sealed values: AES-256-GCM under a vault key, bound to table, column, row and owners.

Blob layouts (the header is part of the associated data):
  0x03 | key id (16) | nonce (12) | ciphertext+tag     vault key (clinical, private or personal)
  0x04 | key id (16) | ephemeral public (32) | nonce (12) | ciphertext+tag
                                                      deposit to the clinical vault's X25519 key
Values are written in these formats only, with the store's v2 context (which binds the person and
author). 0x01 and 0x02 are the same layouts written by earlier versions with the v1 context (table,
column and row only); they still open, with ``legacy_context``, until re-sealed.
"""

from __future__ import annotations

import uuid

from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import SealedValueInvalid, SealedValueLocked
from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import (
    NONCE_BYTES,
    DecryptionFailed,
    aead_decrypt,
    aead_encrypt,
    open_sealed_box,
    seal_to_public_key,
)

FORMAT_VAULT = 0x03
FORMAT_DEPOSIT = 0x04
LEGACY_VAULT = 0x01
LEGACY_DEPOSIT = 0x02
LEGACY_FORMATS = frozenset({LEGACY_VAULT, LEGACY_DEPOSIT})
_VAULT_FORMATS = frozenset({FORMAT_VAULT, LEGACY_VAULT})
_DEPOSIT_FORMATS = frozenset({FORMAT_DEPOSIT, LEGACY_DEPOSIT})
HEADER_BYTES = 17
_HEADER = HEADER_BYTES

_LOCKED = {
    VaultKind.CLINICAL: "This is clinical content; your role does not hold the clinical vault.",
    VaultKind.PRIVATE: "This is a private psychotherapy note; only its author can read it.",
    VaultKind.PERSONAL: "This draft belongs to someone else (or to an earlier password); it cannot be opened.",  # noqa: E501
}


def _context(vault: VaultKind, context: bytes) -> bytes:
    return f"{vault.value}|".encode() + context


class VaultSealer:
    """Seals and opens field values with the keys of one unlocked user."""

    def __init__(self, keys: KeySet) -> None:
        self._keys = keys
        self._deposit_key = (keys.anchors.deposit_key_id, keys.anchors.deposit_public)

    @property
    def user_id(self) -> uuid.UUID:
        """The user whose keys these are."""
        return self._keys.user_id

    def can_open(self, vault: VaultKind) -> bool:
        """True when this user can read values of ``vault`` (private: their own)."""
        if vault is VaultKind.CLINICAL:
            return self._keys.holds_clinical
        if vault is VaultKind.PERSONAL:
            return True
        return self._keys.private_current is not None

    def current_header(self, vault: VaultKind) -> bytes | None:
        """The header every value of ``vault`` this user writes now starts with (None: cannot write it).

        A value whose first bytes differ is legacy, a deposit, or under an older key: it needs re-sealing.
        """
        if vault is VaultKind.CLINICAL and self._keys.clinical_current is not None:
            return bytes([FORMAT_VAULT]) + self._keys.clinical_current.bytes
        if vault is VaultKind.PRIVATE and self._keys.private_current is not None:
            return bytes([FORMAT_VAULT]) + self._keys.private_current.bytes
        if vault is VaultKind.PERSONAL:
            return bytes([FORMAT_VAULT]) + self._keys.personal_id.bytes
        return None

    def seal(self, plaintext: bytes, *, vault: VaultKind, context: bytes, deposit: bool = False) -> bytes:
        """Seal ``plaintext`` for ``vault``; ``deposit`` lets a user without the key write (not read)."""
        context = _context(vault, context)
        if vault is VaultKind.CLINICAL and self._keys.clinical_current is not None:
            key_id = self._keys.clinical_current
            key = self._keys.clinical[key_id]
        elif vault is VaultKind.PRIVATE and self._keys.private_current is not None:
            key_id = self._keys.private_current
            key = self._keys.private[key_id]
        elif vault is VaultKind.PERSONAL:
            key_id, key = self._keys.personal_id, self._keys.personal
        elif vault is VaultKind.CLINICAL and deposit:
            deposit_id, public = self._deposit_key
            header = bytes([FORMAT_DEPOSIT]) + deposit_id.bytes
            return header + seal_to_public_key(public, plaintext, header + context)
        else:
            raise SealedValueLocked(_LOCKED[vault])
        header = bytes([FORMAT_VAULT]) + key_id.bytes
        nonce, ct = aead_encrypt(key, plaintext, header + context)
        return header + nonce + ct

    def _no_key(self, vault: VaultKind) -> SealedValueLocked | SealedValueInvalid:
        """No key for this value: locked for a role without the vault; for a holder of the clinical
        vault (who holds every clinical key) the value was altered or is under a retired key."""
        if vault is VaultKind.CLINICAL and self._keys.holds_clinical:
            return SealedValueInvalid(
                "This sealed value names a key the clinical vault does not hold; it was altered or "
                "left behind by a key rotation, and was not shown."
            )
        return SealedValueLocked(_LOCKED[vault])

    def open(
        self,
        blob: bytes,
        *,
        vault: VaultKind,
        context: bytes,
        deposit: bool = False,
        legacy_context: bytes | None = None,
    ) -> bytes:
        """Open a sealed value, or raise a clear error when it is locked, altered or moved.

        A deposit (which anyone holding the public key can make) opens only in fields that accept
        deposits, so front desk cannot plant text in a clinician's note. A value in a legacy format
        (0x01, 0x02) is checked against ``legacy_context`` (``context`` when none is given).
        """
        if len(blob) < _HEADER + NONCE_BYTES + 16 or blob[0] not in _VAULT_FORMATS | _DEPOSIT_FORMATS:
            raise SealedValueInvalid("This sealed value is damaged and cannot be read.")
        if blob[0] in LEGACY_FORMATS and legacy_context is not None:
            context = legacy_context
        context = _context(vault, context)
        header, key_id = blob[:_HEADER], uuid.UUID(bytes=blob[1:_HEADER])
        try:
            if blob[0] in _DEPOSIT_FORMATS:
                if not deposit or vault is not VaultKind.CLINICAL:
                    raise SealedValueInvalid(
                        "This field holds a value written from outside the clinical vault, where only "
                        "clinicians may write; it was not shown."
                    )
                private = self._keys.deposit.get(key_id)
                if private is None:
                    raise self._no_key(vault)
                return open_sealed_box(private, blob[_HEADER:], header + context)
            if vault is VaultKind.PERSONAL:
                key = self._keys.personal if key_id == self._keys.personal_id else None
            else:
                key = (self._keys.private if vault is VaultKind.PRIVATE else self._keys.clinical).get(key_id)
            if key is None:
                raise self._no_key(vault)
            nonce, ct = blob[_HEADER : _HEADER + NONCE_BYTES], blob[_HEADER + NONCE_BYTES :]
            return aead_decrypt(key, nonce, ct, header + context)
        except DecryptionFailed:
            raise SealedValueInvalid(
                "This sealed value does not belong to this record or field, or it was altered; "
                "it was not shown."
            ) from None
