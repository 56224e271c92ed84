"""The keys one unlocked user holds, and their serialisation inside a wrapped key ring.

Besides secret keys, every ring carries the clinic's *trust anchors*: the recovery key's public
halves (X25519 for the escrow, Ed25519 for the audit chain's root of trust) and the clinical
vault's deposit public key. They sit inside the authenticated wrap, so nobody who can only edit
files can swap them.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hrclinic.domain.roles import Role, has_private_vault, holds_clinical_vault
from hrclinic.vault.primitives import (
    KEY_BYTES,
    ed25519_generate,
    hkdf,
    random_bytes,
    x25519_generate,
    x25519_public,
)


def b64(data: bytes) -> str:
    """Standard base64 text of ``data``."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Bytes from standard base64 text (strict)."""
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class TrustAnchors:
    """Public values every user's ring carries, authenticated by its wrap."""

    recovery_public: bytes  # X25519: new vault keys are escrowed to it
    recovery_signing_public: bytes  # Ed25519: the audit chain's root of trust
    deposit_key_id: uuid.UUID
    deposit_public: bytes  # X25519: front desk deposits clinical answers to it

    def to_json(self) -> dict[str, str]:
        """As stored inside a ring."""
        return {
            "recovery_public": b64(self.recovery_public),
            "recovery_signing_public": b64(self.recovery_signing_public),
            "deposit_key_id": str(self.deposit_key_id),
            "deposit_public": b64(self.deposit_public),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> TrustAnchors:
        """Read back (raises on malformed input)."""
        anchors = cls(
            recovery_public=unb64(data["recovery_public"]),
            recovery_signing_public=unb64(data["recovery_signing_public"]),
            deposit_key_id=uuid.UUID(data["deposit_key_id"]),
            deposit_public=unb64(data["deposit_public"]),
        )
        if not all(
            len(v) == 32
            for v in (anchors.recovery_public, anchors.recovery_signing_public, anchors.deposit_public)
        ):
            raise ValueError("a trust anchor has the wrong length")
        return anchors


@dataclass(frozen=True)
class ClinicKeys:
    """Every clinic-wide key, as the owner creates them or the recovery key restores them."""

    registry_key: bytes = field(repr=False)
    clinical: dict[uuid.UUID, bytes] = field(repr=False)
    clinical_current: uuid.UUID
    deposit: dict[uuid.UUID, bytes] = field(repr=False)
    anchors: TrustAnchors
    # key rotation (vault/delivery.py): the epoch these keys belong to, the escrow id of the registry
    # key (None: the first one, escrowed under the clinic id), older registry keys the database may
    # still be under, and per unfinished rotation the clinical and deposit key ids it retires
    epoch: int = 0
    registry_id: uuid.UUID | None = None
    registry_previous: tuple[bytes, ...] = field(default=(), repr=False)
    retiring: dict[uuid.UUID, tuple[uuid.UUID, ...]] = field(default_factory=dict)

    @classmethod
    def generate(cls, recovery_public: bytes, recovery_signing_public: bytes) -> ClinicKeys:
        """Fresh keys for a new clinic whose recovery key has these public halves."""
        clinical_id, deposit_id = uuid.uuid4(), uuid.uuid4()
        deposit_private, deposit_public = x25519_generate()
        return cls(
            registry_key=random_bytes(KEY_BYTES),
            clinical={clinical_id: random_bytes(KEY_BYTES)},
            clinical_current=clinical_id,
            deposit={deposit_id: deposit_private},
            anchors=TrustAnchors(recovery_public, recovery_signing_public, deposit_id, deposit_public),
        )


@dataclass(frozen=True)
class Witness:
    """The newest audit row (sequence and hash) this user's sessions wrote or saw.

    Kept inside the authenticated wrap, so nobody who can only write the database or edit files can
    move it back: a chain later found shorter, or different at that row, was cut or rewritten.
    """

    seq: int
    row_hash: bytes

    def to_json(self) -> dict[str, Any]:
        """As stored inside a ring."""
        return {"seq": self.seq, "hash": b64(self.row_hash)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Witness:
        """Read back (raises on malformed input)."""
        witness = cls(seq=int(data["seq"]), row_hash=unb64(data["hash"]))
        if witness.seq < 0 or len(witness.row_hash) != 32:
            raise ValueError("the audit witness is malformed")
        return witness


@dataclass
class KeySet:
    """What one user's key ring holds once unwrapped. Lives in memory only while unlocked."""

    user_id: uuid.UUID
    registry_key: bytes = field(repr=False)
    signing_key_id: uuid.UUID
    signing_private: bytes = field(repr=False)
    anchors: TrustAnchors
    personal_id: uuid.UUID = field(default_factory=uuid.uuid4)
    personal: bytes = field(default_factory=lambda: random_bytes(KEY_BYTES), repr=False)  # drafts
    clinical: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)
    clinical_current: uuid.UUID | None = None
    deposit: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)
    private: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)
    private_current: uuid.UUID | None = None
    witness: Witness | None = None
    # X25519 pair other users seal rotated keys to (vault/delivery.py); None in rings made before it
    exchange_id: uuid.UUID | None = None
    exchange_private: bytes | None = field(default=None, repr=False)
    # key rotation: see ClinicKeys
    epoch: int = 0
    registry_id: uuid.UUID | None = None
    registry_previous: list[bytes] = field(default_factory=list, repr=False)
    retiring: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    # set once no clinical value in an earlier version's format (0x01, 0x02, 0x04) is left: from then
    # on this ring opens no clinical value in those formats (vault/sealing.py), so a kept copy of one
    # written back cannot show again; inside the authenticated wrap, so no file edit clears it
    legacy_closed: bool = False

    @classmethod
    def for_role(
        cls,
        user_id: uuid.UUID,
        role: Role,
        clinic: ClinicKeys,
        *,
        private: dict[uuid.UUID, bytes] | None = None,
        private_current: uuid.UUID | None = None,
    ) -> tuple[KeySet, bytes]:
        """Assemble a user's ring for their role with new signing and exchange keys; returns (keys,
        signing public). The exchange public half is ``keys.exchange_public``."""
        signing_private, signing_public = ed25519_generate()
        keys = cls(
            user_id=user_id,
            registry_key=clinic.registry_key,
            signing_key_id=uuid.uuid4(),
            signing_private=signing_private,
            anchors=clinic.anchors,
            exchange_id=uuid.uuid4(),
            exchange_private=x25519_generate()[0],
            epoch=clinic.epoch,
            registry_id=clinic.registry_id,
            registry_previous=list(clinic.registry_previous),
        )
        if holds_clinical_vault(role):
            keys.clinical = dict(clinic.clinical)
            keys.clinical_current = clinic.clinical_current
            keys.deposit = dict(clinic.deposit)
            keys.retiring = {k: list(v) for k, v in clinic.retiring.items()}
        if has_private_vault(role):
            keys.private = dict(private or {})
            if private_current is None or private_current not in keys.private:
                private_current = uuid.uuid4()
                keys.private[private_current] = random_bytes(KEY_BYTES)
            keys.private_current = private_current
        return keys, signing_public

    @property
    def holds_clinical(self) -> bool:
        """True when this ring can open clinical-vault values."""
        return self.clinical_current is not None

    @property
    def exchange_public(self) -> bytes | None:
        """The public half of the exchange key (None in a ring made before exchange keys)."""
        return x25519_public(self.exchange_private) if self.exchange_private is not None else None

    def registry_keys(self) -> list[bytes]:
        """Every registry key this ring holds, newest first (the database is under one of them)."""
        return [self.registry_key, *(k for k in self.registry_previous if k != self.registry_key)]

    def to_bytes(self) -> bytes:
        """Serialise for wrapping."""

        def table(keys: dict[uuid.UUID, bytes]) -> dict[str, str]:
            return {str(k): b64(v) for k, v in keys.items()}

        payload: dict[str, Any] = {
            "user_id": str(self.user_id),
            "registry": b64(self.registry_key),
            "signing": {"id": str(self.signing_key_id), "private": b64(self.signing_private)},
            "anchors": self.anchors.to_json(),
            "personal": {"id": str(self.personal_id), "key": b64(self.personal)},
            "clinical": table(self.clinical),
            "clinical_current": str(self.clinical_current) if self.clinical_current else None,
            "deposit": table(self.deposit),
            "private": table(self.private),
            "private_current": str(self.private_current) if self.private_current else None,
        }
        if self.witness is not None:
            payload["witness"] = self.witness.to_json()
        if self.exchange_id is not None and self.exchange_private is not None:
            payload["exchange"] = {"id": str(self.exchange_id), "private": b64(self.exchange_private)}
        if self.epoch:
            payload["epoch"] = self.epoch
        if self.registry_id is not None:
            payload["registry_id"] = str(self.registry_id)
        if self.registry_previous:
            payload["registry_previous"] = [b64(k) for k in self.registry_previous]
        if self.retiring:
            payload["retiring"] = {str(r): [str(k) for k in ids] for r, ids in self.retiring.items()}
        if self.legacy_closed:
            payload["legacy_closed"] = True
        return json.dumps(payload, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeySet:
        """Read a serialised ring (raises ValueError/KeyError when malformed)."""
        raw = json.loads(data)

        def table(obj: dict[str, str]) -> dict[uuid.UUID, bytes]:
            return {uuid.UUID(k): unb64(v) for k, v in obj.items()}

        def maybe(text: str | None) -> uuid.UUID | None:
            return uuid.UUID(text) if text else None

        keys = cls(
            user_id=uuid.UUID(raw["user_id"]),
            registry_key=unb64(raw["registry"]),
            signing_key_id=uuid.UUID(raw["signing"]["id"]),
            signing_private=unb64(raw["signing"]["private"]),
            anchors=TrustAnchors.from_json(raw["anchors"]),
            **_personal_key(raw),
            clinical=table(raw["clinical"]),
            clinical_current=maybe(raw["clinical_current"]),
            deposit=table(raw["deposit"]),
            private=table(raw["private"]),
            private_current=maybe(raw["private_current"]),
            witness=Witness.from_json(raw["witness"]) if raw.get("witness") else None,
            epoch=int(raw.get("epoch", 0)),
            registry_id=maybe(raw.get("registry_id")),
            registry_previous=[unb64(k) for k in raw.get("registry_previous", [])],
            retiring={
                uuid.UUID(r): [uuid.UUID(k) for k in ids] for r, ids in raw.get("retiring", {}).items()
            },
            legacy_closed=raw.get("legacy_closed") is True,
        )
        exchange = raw.get("exchange")
        if exchange:
            keys.exchange_id, keys.exchange_private = uuid.UUID(exchange["id"]), unb64(exchange["private"])
        if any(len(k) != KEY_BYTES for k in (keys.registry_key, keys.personal, *keys.registry_previous)):
            raise ValueError("a key has the wrong length")
        if keys.exchange_private is not None and len(keys.exchange_private) != KEY_BYTES:
            raise ValueError("the exchange key has the wrong length")
        return keys


def clinic_keys_of(keys: KeySet) -> ClinicKeys:
    """The clinic-wide keys an owner's (or clinician's) ring carries."""
    if keys.clinical_current is None or keys.anchors.deposit_key_id not in keys.deposit:
        raise ValueError("this key ring does not hold the clinical vault")
    deposit_private = keys.deposit[keys.anchors.deposit_key_id]
    if x25519_public(deposit_private) != keys.anchors.deposit_public:
        raise ValueError("the deposit key does not match its public half")
    return ClinicKeys(
        registry_key=keys.registry_key,
        clinical=dict(keys.clinical),
        clinical_current=keys.clinical_current,
        deposit=dict(keys.deposit),
        anchors=keys.anchors,
        epoch=keys.epoch,
        registry_id=keys.registry_id,
        registry_previous=tuple(keys.registry_previous),
        retiring={k: tuple(v) for k, v in keys.retiring.items()},
    )


def _personal_key(raw: dict[str, Any]) -> dict[str, Any]:
    """The personal (drafts) key of a serialised ring, as KeySet arguments.

    Rings written before personal keys existed (schema 0002) have none: such a ring gets one derived
    from its own signing key, so every wrap of it (password and computer log-in) finds the same key
    until the next re-wrap stores it like any other.
    """
    if "personal" in raw:
        return {"personal_id": uuid.UUID(raw["personal"]["id"]), "personal": unb64(raw["personal"]["key"])}
    user_id = uuid.UUID(raw["user_id"])
    signing_private = unb64(raw["signing"]["private"])
    return {
        "personal_id": uuid.uuid5(user_id, "hrclinic/personal-key/v1"),
        "personal": hkdf(signing_private, b"hrclinic/personal-key/v1|" + user_id.bytes),
    }
