"""Key deliveries: how a key rotation hands new vault keys to users whose rings it cannot re-wrap.

An owner cannot re-wrap another user's ring (it is wrapped under that user's password). So a rotation
leaves, in the key-ring file, one *delivery* per remaining user: the new keys sealed (X25519 sealed
box) to that user's exchange public key, and signed with the rotating owner's (or the recovery root's)
Ed25519 key. At log-in the recipient opens it, checks that the audit chain trusts its signer as an
owner or the recovery root, and re-wraps its own ring with the keys (services/key_arrival.py).

Anyone can seal to a public key, so a delivery is worth nothing until its signature is checked; and
an old delivery is refused once its epoch is not newer than the ring's, so it cannot be replayed to
bring back keys a rotation retired.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from hrclinic.vault.keys import KeySet, TrustAnchors, b64, unb64
from hrclinic.vault.primitives import KEY_BYTES, open_sealed_box, seal_to_public_key
from hrclinic.vault.signing import AuditSigner, signature_valid

PHASES = ("rekey", "reseal")  # what a started rotation still has to do, in order


def _box_context(
    clinic_id: uuid.UUID, rotation_id: uuid.UUID, recipient: uuid.UUID, exchange: uuid.UUID
) -> bytes:
    return f"hrclinic/delivery/v1|{clinic_id}|{rotation_id}|{recipient}|{exchange}".encode()


@dataclass(frozen=True)
class DeliveredKeys:
    """What one delivery carries: the keys of a rotation's epoch for one recipient (never stored
    in the clear; lives inside the sealed box and then inside the recipient's wrapped ring)."""

    rotation_id: uuid.UUID
    epoch: int
    registry: tuple[bytes, ...] = field(repr=False)  # newest first: the database is under one of them
    registry_id: uuid.UUID  # the escrow id of registry[0]
    anchors: TrustAnchors
    clinical: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)  # empty: front desk
    clinical_current: uuid.UUID | None = None
    deposit: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)
    retiring: dict[uuid.UUID, tuple[uuid.UUID, ...]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """Serialise for sealing."""
        return json.dumps(
            {
                "rotation_id": str(self.rotation_id),
                "epoch": self.epoch,
                "registry": [b64(k) for k in self.registry],
                "registry_id": str(self.registry_id),
                "anchors": self.anchors.to_json(),
                "clinical": {str(k): b64(v) for k, v in self.clinical.items()},
                "clinical_current": str(self.clinical_current) if self.clinical_current else None,
                "deposit": {str(k): b64(v) for k, v in self.deposit.items()},
                "retiring": {str(r): [str(k) for k in ids] for r, ids in self.retiring.items()},
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> DeliveredKeys:
        """Read back (ValueError, KeyError or TypeError when malformed)."""
        raw = json.loads(data)
        current = raw["clinical_current"]
        keys = cls(
            rotation_id=uuid.UUID(raw["rotation_id"]),
            epoch=int(raw["epoch"]),
            registry=tuple(unb64(k) for k in raw["registry"]),
            registry_id=uuid.UUID(raw["registry_id"]),
            anchors=TrustAnchors.from_json(raw["anchors"]),
            clinical={uuid.UUID(k): unb64(v) for k, v in raw["clinical"].items()},
            clinical_current=uuid.UUID(current) if current else None,
            deposit={uuid.UUID(k): unb64(v) for k, v in raw["deposit"].items()},
            retiring={uuid.UUID(r): tuple(uuid.UUID(k) for k in ids) for r, ids in raw["retiring"].items()},
        )
        secrets = (*keys.registry, *keys.clinical.values(), *keys.deposit.values())
        if not keys.registry or any(len(k) != KEY_BYTES for k in secrets):
            raise ValueError("a delivered key has the wrong length")
        if keys.clinical_current is not None and keys.clinical_current not in keys.clinical:
            raise ValueError("the delivered current clinical key is missing")
        return keys


@dataclass(frozen=True)
class Delivery:
    """One sealed, signed envelope in the key-ring file, for one recipient."""

    rotation_id: uuid.UUID
    epoch: int
    recipient_id: uuid.UUID
    exchange_id: uuid.UUID  # the recipient's exchange key it is sealed to
    signer_key_id: uuid.UUID
    box: bytes = field(repr=False)
    signature: bytes = field(default=b"", repr=False)

    def message(self, clinic_id: uuid.UUID) -> bytes:
        """The bytes the signature covers (the box by its hash)."""
        return (
            f"hrclinic/delivery/v1|{clinic_id}|{self.rotation_id}|{self.epoch}|{self.recipient_id}|"
            f"{self.exchange_id}|{self.signer_key_id}|{hashlib.sha256(self.box).hexdigest()}"
        ).encode()

    def signed_by(self, clinic_id: uuid.UUID, public_key: bytes) -> bool:
        """True when the signature verifies under ``public_key``."""
        return signature_valid(public_key, self.signature, self.message(clinic_id))

    def to_json(self) -> dict[str, Any]:
        """As stored in the key-ring file."""
        return {
            "rotation_id": str(self.rotation_id),
            "epoch": self.epoch,
            "recipient_id": str(self.recipient_id),
            "exchange_id": str(self.exchange_id),
            "signer_key_id": str(self.signer_key_id),
            "box": b64(self.box),
            "signature": b64(self.signature),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Delivery:
        """Read a stored delivery (ValueError, KeyError or TypeError when malformed)."""
        delivery = cls(
            rotation_id=uuid.UUID(str(data["rotation_id"])),
            epoch=int(data["epoch"]),
            recipient_id=uuid.UUID(str(data["recipient_id"])),
            exchange_id=uuid.UUID(str(data["exchange_id"])),
            signer_key_id=uuid.UUID(str(data["signer_key_id"])),
            box=unb64(str(data["box"])),
            signature=unb64(str(data["signature"])),
        )
        if len(delivery.signature) != 64 or delivery.epoch < 1:
            raise ValueError("the key delivery is malformed")
        return delivery


def seal_delivery(
    clinic_id: uuid.UUID,
    recipient_id: uuid.UUID,
    exchange_id: uuid.UUID,
    exchange_public: bytes,
    keys: DeliveredKeys,
    signer: AuditSigner,
) -> Delivery:
    """Seal ``keys`` to a recipient's exchange public key and sign the envelope."""
    box = seal_to_public_key(
        exchange_public, keys.to_bytes(), _box_context(clinic_id, keys.rotation_id, recipient_id, exchange_id)
    )
    unsigned = Delivery(keys.rotation_id, keys.epoch, recipient_id, exchange_id, signer.key_id, box)
    return Delivery(
        keys.rotation_id,
        keys.epoch,
        recipient_id,
        exchange_id,
        signer.key_id,
        box,
        signer.sign(unsigned.message(clinic_id)),
    )


def open_delivery(clinic_id: uuid.UUID, delivery: Delivery, keys: KeySet) -> DeliveredKeys:
    """Open a delivery sealed to ``keys``' exchange key (DecryptionFailed or ValueError when it is
    not for them or was altered). Says nothing about who made it: check the signature too."""
    if (
        keys.exchange_private is None
        or delivery.recipient_id != keys.user_id
        or delivery.exchange_id != keys.exchange_id
    ):
        raise ValueError("this delivery is not sealed to this key ring")
    plain = open_sealed_box(
        keys.exchange_private,
        delivery.box,
        _box_context(clinic_id, delivery.rotation_id, delivery.recipient_id, delivery.exchange_id),
    )
    delivered = DeliveredKeys.from_bytes(plain)
    if (delivered.rotation_id, delivered.epoch) != (delivery.rotation_id, delivery.epoch):
        raise ValueError("the delivery's envelope and content disagree")
    return delivered


def accept_delivered(keys: KeySet, delivered: DeliveredKeys) -> None:
    """Take a checked delivery into ``keys``: the new registry key becomes current (older ones kept
    until the database is found under the new one), clinical and deposit keys are added, and what the
    rotation retires is remembered until its completion is seen. Refuses other trust anchors."""
    if delivered.epoch <= keys.epoch:
        raise ValueError("this delivery is not newer than the key ring")
    mine, theirs = keys.anchors, delivered.anchors
    if (mine.recovery_public, mine.recovery_signing_public) != (
        theirs.recovery_public,
        theirs.recovery_signing_public,
    ):
        raise ValueError("the delivery names another recovery key")
    older = [keys.registry_key, *keys.registry_previous, *delivered.registry[1:]]
    keys.registry_key = delivered.registry[0]
    keys.registry_id = delivered.registry_id
    keys.registry_previous = list(dict.fromkeys(k for k in older if k != keys.registry_key))
    keys.anchors = theirs
    if delivered.clinical_current is not None:
        keys.clinical.update(delivered.clinical)
        keys.clinical_current = delivered.clinical_current
        keys.deposit.update(delivered.deposit)
        for rotation_id, ids in delivered.retiring.items():
            keys.retiring[rotation_id] = sorted({*keys.retiring.get(rotation_id, []), *ids}, key=str)
    keys.epoch = delivered.epoch


def drop_retired(keys: KeySet, rotation_id: uuid.UUID, *, keep: Collection[uuid.UUID] = ()) -> int:
    """Forget the clinical and deposit keys a completed rotation retired (never the current ones, nor
    those in ``keep``: keys some sealed value still names, which stay retiring for a later call);
    returns how many were dropped."""
    dropped = 0
    retired = keys.retiring.pop(rotation_id, [])
    kept = [key_id for key_id in retired if key_id in keep]
    if kept:
        keys.retiring[rotation_id] = kept
    for key_id in retired:
        if key_id in keep:
            continue
        if key_id != keys.clinical_current and keys.clinical.pop(key_id, None) is not None:
            dropped += 1
        if key_id != keys.anchors.deposit_key_id and keys.deposit.pop(key_id, None) is not None:
            dropped += 1
    return dropped


@dataclass(frozen=True)
class RotationState:
    """A started rotation, as the key-ring file records it (plain: ids and a phase, no key).

    It tells whoever opens the clinic next what is left to do; the authenticated facts (who started
    it, whether it completed) are in the audit chain and in the users' own rings."""

    rotation_id: uuid.UUID
    epoch: int
    phase: str  # rekey | reseal
    reason: str
    registry_id: uuid.UUID  # the registry key the database is to be under

    def to_json(self) -> dict[str, Any]:
        """As stored in the key-ring file."""
        return {
            "rotation_id": str(self.rotation_id),
            "epoch": self.epoch,
            "phase": self.phase,
            "reason": self.reason,
            "registry_id": str(self.registry_id),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RotationState:
        """Read back (ValueError, KeyError or TypeError when malformed)."""
        state = cls(
            rotation_id=uuid.UUID(str(data["rotation_id"])),
            epoch=int(data["epoch"]),
            phase=str(data["phase"]),
            reason=str(data["reason"])[:40],
            registry_id=uuid.UUID(str(data["registry_id"])),
        )
        if state.phase not in PHASES:
            raise ValueError("unknown rotation phase")
        return state
