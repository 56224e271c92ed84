"""Sealed values: AES-256-GCM under a vault key, bound to table, column, row and owners.

Blob layouts (the header is part of the associated data):
  0x03 | key id (16) | nonce (12) | ciphertext+tag     vault key (clinical, private or personal)
  0x05 | deposit key id (16) | signer key id (16) | signature (64) | ephemeral public (32) | nonce (12)
       | ciphertext+tag                               signed deposit to the clinical vault's X25519 key
Values are written in these formats only, with the store's v2 context (which binds the person and
author). A signed deposit is made with the depositor's own audit-signing key (Ed25519, over the
header, the context and the sealed box); it opens only when the audit chain trusts that key
(``DepositSigners``, handed over at log-in) and its holder is the author the row names (the
``author`` a deposit field is opened with), so a deposit can never pass for a value written by
someone else: it fails to open, or it names its depositor as the value's author.

Earlier versions' formats: 0x01 and 0x02 are 0x03 and an unsigned deposit written with the v1 context
(table, column and row only); 0x04 is an unsigned deposit (which anyone holding the public deposit key
can make for any row) with the v2 context. They open (0x01/0x02 with ``legacy_context``) until the
ring's ``legacy_closed`` is set, once none is left in the clinic (hrclinic/services/legacy.py); from
then on a clinical value in these formats is refused as altered, so a kept copy written back cannot
show again. Personal-vault drafts are not affected (a draft that does not open is dropped).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import SealedValueInvalid, SealedValueLocked
from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import (
    NONCE_BYTES,
    DecryptionFailed,
    aead_decrypt,
    aead_encrypt,
    ed25519_sign,
    ed25519_verify,
    open_sealed_box,
    seal_to_public_key,
)

FORMAT_VAULT = 0x03
FORMAT_SIGNED_DEPOSIT = 0x05
FORMAT_DEPOSIT = 0x04  # unsigned: written before signed deposits, legacy like 0x01/0x02
LEGACY_VAULT = 0x01
LEGACY_DEPOSIT = 0x02
LEGACY_FORMATS = frozenset({LEGACY_VAULT, LEGACY_DEPOSIT})  # the v1 context
# every format an earlier version wrote that this one no longer writes: refused once legacy is closed
UNSIGNED_LEGACY_FORMATS = frozenset({LEGACY_VAULT, LEGACY_DEPOSIT, FORMAT_DEPOSIT})
_VAULT_FORMATS = frozenset({FORMAT_VAULT, LEGACY_VAULT})
_DEPOSIT_FORMATS = frozenset({FORMAT_DEPOSIT, LEGACY_DEPOSIT})
# formats whose bytes 1..17 name a clinical or deposit key (key rotation keeps those keys while used)
KEYED_FORMATS = (FORMAT_VAULT, LEGACY_VAULT, FORMAT_DEPOSIT, LEGACY_DEPOSIT, FORMAT_SIGNED_DEPOSIT)
HEADER_BYTES = 17
_HEADER = HEADER_BYTES
SIGNATURE_BYTES = 64
_SIGNED_HEADER = HEADER_BYTES + 16  # format, deposit key id, signer key id
_SIGNED_BOX = _SIGNED_HEADER + SIGNATURE_BYTES
_BOX_MIN = 32 + NONCE_BYTES + 16
_DEPOSIT_SIGNATURE = b"hrclinic/signed-deposit/v1\x00"


class DepositSigners(Protocol):
    """The signing keys the audit chain trusts: key id -> (its holder's user id, Ed25519 public key)."""

    def get(self, key_id: uuid.UUID, /) -> tuple[uuid.UUID, bytes] | None:
        """The holder and public key of ``key_id``, or None when the chain does not trust it."""
        ...


def _deposit_message(header: bytes, context: bytes, box: bytes) -> bytes:
    """What a depositor signs: the header, the (vault-prefixed) context and the sealed box."""
    return _DEPOSIT_SIGNATURE + header + len(context).to_bytes(4, "big") + context + box


_LOCKED = {
    VaultKind.CLINICAL: "This is clinical content; your role does not hold the clinical vault.",
    VaultKind.PRIVATE: "This is a private psychotherapy note; only its author can read it.",
    VaultKind.PERSONAL: "This draft belongs to someone else (or to an earlier password); it cannot be opened.",  # noqa: E501
}


def _context(vault: VaultKind, context: bytes) -> bytes:
    return f"{vault.value}|".encode() + context


class VaultSealer:
    """Seals and opens field values with the keys of one unlocked user."""

    def __init__(self, keys: KeySet, signers: DepositSigners | None = None) -> None:
        self._keys = keys
        self._deposit_key = (keys.anchors.deposit_key_id, keys.anchors.deposit_public)
        # who may have signed a deposit (services/deposit_signers.py, set at log-in); None: no deposit opens
        self.signers = signers

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

    def seal(
        self,
        plaintext: bytes,
        *,
        vault: VaultKind,
        context: bytes,
        deposit: bool = False,
        author: object | None = None,
    ) -> bytes:
        """Seal ``plaintext`` for ``vault``; ``deposit`` lets a user without the key write (not read):
        a deposit is signed with this user's signing key, and ``author`` (the user the row names as
        the value's author) must be this user, or the deposit would never open."""
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
            if author is None or str(author) != str(self._keys.user_id):
                raise ValueError("a deposit is signed by its author: the row must name this user as author")
            deposit_id, public = self._deposit_key
            header = bytes([FORMAT_SIGNED_DEPOSIT]) + deposit_id.bytes + self._keys.signing_key_id.bytes
            box = seal_to_public_key(public, plaintext, header + context)
            signature = ed25519_sign(self._keys.signing_private, _deposit_message(header, context, box))
            return header + signature + box
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
        author: object | None = None,
    ) -> bytes:
        """Open a sealed value, or raise a clear error when it is locked, altered or moved.

        A deposit opens only in fields that accept deposits, so front desk cannot plant text in a
        clinician's note; a signed deposit (0x05) only when its signer is trusted by the audit chain
        and is ``author``, the user the row names as the value's author. A value in a legacy format
        (0x01, 0x02) is checked against ``legacy_context`` (``context`` when none is given); once the
        ring's ``legacy_closed`` is set, a clinical value in an earlier version's format is refused.
        """
        fmt = blob[0] if blob else None
        if fmt == FORMAT_SIGNED_DEPOSIT:
            return self._open_signed_deposit(
                blob, vault=vault, context=context, deposit=deposit, author=author
            )
        if len(blob) < _HEADER + NONCE_BYTES + 16 or fmt not in _VAULT_FORMATS | _DEPOSIT_FORMATS:
            raise SealedValueInvalid("This sealed value is damaged and cannot be read.")
        if fmt in UNSIGNED_LEGACY_FORMATS and vault is VaultKind.CLINICAL and self._keys.legacy_closed:
            raise SealedValueInvalid(
                "This value is in a format of an earlier version, of which none was left once every "
                "such value had been converted: it was written back or altered, and was not shown."
            )
        if blob[0] in LEGACY_FORMATS and legacy_context is not None:
            context = legacy_context
        context = _context(vault, context)
        header, key_id = blob[:_HEADER], uuid.UUID(bytes=blob[1:_HEADER])
        try:
            if blob[0] in _DEPOSIT_FORMATS:
                self._require_deposit_field(vault, deposit)
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
            raise _moved_or_altered() from None

    @staticmethod
    def _require_deposit_field(vault: VaultKind, deposit: bool) -> None:
        if not deposit or vault is not VaultKind.CLINICAL:
            raise SealedValueInvalid(
                "This field holds a value written from outside the clinical vault, where only "
                "clinicians may write; it was not shown."
            )

    def _open_signed_deposit(
        self, blob: bytes, *, vault: VaultKind, context: bytes, deposit: bool, author: object | None
    ) -> bytes:
        if len(blob) < _SIGNED_BOX + _BOX_MIN:
            raise SealedValueInvalid("This sealed value is damaged and cannot be read.")
        self._require_deposit_field(vault, deposit)
        header, signature, box = blob[:_SIGNED_HEADER], blob[_SIGNED_HEADER:_SIGNED_BOX], blob[_SIGNED_BOX:]
        deposit_id = uuid.UUID(bytes=blob[1:_HEADER])
        signer_id = uuid.UUID(bytes=blob[_HEADER:_SIGNED_HEADER])
        private = self._keys.deposit.get(deposit_id)
        if private is None:
            raise self._no_key(vault)  # front desk: locked, before anything about who signed it
        context = _context(vault, context)
        signer = self.signers.get(signer_id) if self.signers is not None else None
        if signer is None or not ed25519_verify(signer[1], signature, _deposit_message(header, context, box)):
            raise SealedValueInvalid(
                "This entry was deposited with a signature the audit log does not vouch for; it may "
                "have been altered, and was not shown."
            )
        if author is None or str(signer[0]) != str(author):
            raise SealedValueInvalid(
                "This entry was deposited by someone other than the person the record names as having "
                "recorded it; it may have been altered, and was not shown."
            )
        try:
            return open_sealed_box(private, box, header + context)
        except DecryptionFailed:
            raise _moved_or_altered() from None


def _moved_or_altered() -> SealedValueInvalid:
    return SealedValueInvalid(
        "This sealed value does not belong to this record or field, or it was altered; it was not shown."
    )
