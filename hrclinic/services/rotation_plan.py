"""The plan of a key rotation: new registry, clinical and deposit keys, and who receives them (the
users the audit chain trusts as active, each with an exchange key the chain introduced)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from hrclinic.domain.roles import holds_clinical_vault
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.key_trust import ExchangeKey, KeyTrust
from hrclinic.store.records import UserRecord
from hrclinic.vault.delivery import DeliveredKeys
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.keys import ClinicKeys, TrustAnchors
from hrclinic.vault.primitives import KEY_BYTES, random_bytes, x25519_generate
from hrclinic.vault.ring import escrow_key


@dataclass
class RotationPlan:
    """The new keys of one rotation and who receives them."""

    rotation_id: uuid.UUID
    epoch: int
    registry_id: uuid.UUID
    registry: tuple[bytes, ...]
    clinical_id: uuid.UUID
    clinical: dict[uuid.UUID, bytes]
    deposit: dict[uuid.UUID, bytes]
    anchors: TrustAnchors
    retiring: tuple[uuid.UUID, ...]
    recipients: dict[uuid.UUID, tuple[ExchangeKey, bool]]  # exchange key, holds the clinical vault
    unreachable: list[str]

    def payload(self, clinical: bool) -> DeliveredKeys:
        """The keys of this epoch for a holder of the clinical vault, or for front desk."""
        return DeliveredKeys(
            rotation_id=self.rotation_id,
            epoch=self.epoch,
            registry=self.registry,
            registry_id=self.registry_id,
            anchors=self.anchors,
            clinical=dict(self.clinical) if clinical else {},
            clinical_current=self.clinical_id if clinical else None,
            deposit=dict(self.deposit) if clinical else {},
            retiring={self.rotation_id: self.retiring} if clinical else {},
        )


def make_plan(
    clinic: UnlockedClinic, source: ClinicKeys, trust: KeyTrust, reason: str, for_user: uuid.UUID | None
) -> RotationPlan:
    """New keys and who receives them (users the chain trusts as active, with a trusted exchange key)."""
    rotation_id = uuid.uuid4()
    epoch = max(source.epoch, clinic.keys.epoch, trust.newest_epoch()) + 1
    registry_id, clinical_id, deposit_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    deposit_private, deposit_public = x25519_generate()
    ring = clinic.read_ring()
    with clinic.uow() as uow:  # may withhold a delivery, never grant one: anyone can write this table
        inactive = set(uow.session.scalars(select(UserRecord.id).where(UserRecord.active.is_(False))))
    recipients: dict[uuid.UUID, tuple[ExchangeKey, bool]] = {}
    unreachable: list[str] = []
    roles = trust.active_roles()
    for user_id, role in roles.items():
        entry = ring.user_by_id(user_id)
        if user_id in (clinic.actor.user_id, for_user) or entry is None or user_id in inactive:
            continue
        exchange = trust.exchange.get(user_id)
        if exchange is None:
            unreachable.append(entry.username)
            continue
        recipients[user_id] = (exchange, holds_clinical_vault(role))
    # accounts in the key-ring file the chain does not vouch for (a damaged audit log): said, not served
    for entry in ring.users.values():
        if entry.user_id not in roles and entry.user_id not in (clinic.actor.user_id, for_user, *inactive):
            unreachable.append(entry.username)
    return RotationPlan(
        rotation_id=rotation_id,
        epoch=epoch,
        registry_id=registry_id,
        registry=(random_bytes(KEY_BYTES), source.registry_key, *source.registry_previous),
        clinical_id=clinical_id,
        clinical={**source.clinical, clinical_id: random_bytes(KEY_BYTES)},
        deposit={**source.deposit, deposit_id: deposit_private},
        anchors=TrustAnchors(
            source.anchors.recovery_public, source.anchors.recovery_signing_public, deposit_id, deposit_public
        ),
        retiring=(*source.clinical, *source.deposit),
        recipients=recipients,
        unreachable=sorted(unreachable),
    )


def escrow_new_keys(ring: KeyRingFile, plan: RotationPlan) -> None:
    """Escrow the plan's new registry, clinical and deposit keys to the recovery key."""
    public = plan.anchors.recovery_public
    escrow_key(ring, plan.registry_id, "registry", plan.registry[0], public)
    escrow_key(ring, plan.clinical_id, "clinical", plan.clinical[plan.clinical_id], public)
    deposit_id = plan.anchors.deposit_key_id
    escrow_key(ring, deposit_id, "deposit", plan.deposit[deposit_id], public)
