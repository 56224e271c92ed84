"""Key deliveries in isolation: only the recipient opens one, any change breaks its signature, and a
ring takes only a newer epoch with its own recovery anchors."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from hrclinic.domain.roles import Role
from hrclinic.vault.delivery import (
    DeliveredKeys,
    Delivery,
    RotationState,
    accept_delivered,
    drop_retired,
    open_delivery,
    seal_delivery,
)
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.keys import ClinicKeys, KeySet, TrustAnchors
from hrclinic.vault.primitives import DecryptionFailed, random_bytes, x25519_generate
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.signing import AuditSigner

CLINIC = uuid.uuid4()


def _clinic() -> ClinicKeys:
    recovery = RecoveryKey.generate()
    return ClinicKeys.generate(recovery.escrow_public_key(), recovery.signing_public_key())


def _payload(clinic: ClinicKeys, epoch: int = 1) -> DeliveredKeys:
    new_id = uuid.uuid4()
    deposit_private, deposit_public = x25519_generate()
    deposit_id = uuid.uuid4()
    rotation = uuid.uuid4()
    return DeliveredKeys(
        rotation_id=rotation,
        epoch=epoch,
        registry=(random_bytes(32), clinic.registry_key),
        registry_id=uuid.uuid4(),
        anchors=replace(clinic.anchors, deposit_key_id=deposit_id, deposit_public=deposit_public),
        clinical={**clinic.clinical, new_id: random_bytes(32)},
        clinical_current=new_id,
        deposit={**clinic.deposit, deposit_id: deposit_private},
        retiring={rotation: (*clinic.clinical, *clinic.deposit)},
    )


def test_only_the_recipient_opens_a_delivery_and_any_change_breaks_its_signature() -> None:
    clinic = _clinic()
    owner, _ = KeySet.for_role(uuid.uuid4(), Role.OWNER, clinic)
    recipient, _ = KeySet.for_role(uuid.uuid4(), Role.CLINICIAN, clinic)
    other, _ = KeySet.for_role(uuid.uuid4(), Role.CLINICIAN, clinic)
    payload = _payload(clinic)
    assert recipient.exchange_id and recipient.exchange_public
    delivery = seal_delivery(
        CLINIC,
        recipient.user_id,
        recipient.exchange_id,
        recipient.exchange_public,
        payload,
        AuditSigner.of(owner),
    )
    owner_public = _signing_public(owner)
    assert delivery.signed_by(CLINIC, owner_public)
    assert open_delivery(CLINIC, delivery, recipient) == payload
    with pytest.raises(ValueError):
        open_delivery(CLINIC, delivery, other)  # another user's ring
    stolen = replace(other, user_id=recipient.user_id, exchange_id=recipient.exchange_id)
    with pytest.raises(DecryptionFailed):
        open_delivery(CLINIC, delivery, stolen)  # right ids, wrong private key
    for changed in (
        replace(delivery, epoch=delivery.epoch + 1),
        replace(delivery, recipient_id=other.user_id),
        replace(delivery, box=delivery.box[:-1] + bytes([delivery.box[-1] ^ 1])),
    ):
        assert not changed.signed_by(CLINIC, owner_public)
    assert not delivery.signed_by(uuid.uuid4(), owner_public)  # another clinic
    assert Delivery.from_json(delivery.to_json()) == delivery


def _signing_public(keys: KeySet) -> bytes:
    from hrclinic.vault.primitives import ed25519_public

    return ed25519_public(keys.signing_private)


def test_a_ring_takes_a_newer_epoch_and_drops_retired_keys_only_on_completion() -> None:
    clinic = _clinic()
    keys, _ = KeySet.for_role(uuid.uuid4(), Role.CLINICIAN, clinic)
    old_registry, old_clinical = keys.registry_key, keys.clinical_current
    payload = _payload(clinic)
    accept_delivered(keys, payload)
    assert keys.registry_key == payload.registry[0] and keys.registry_previous == [old_registry]
    assert keys.clinical_current == payload.clinical_current and old_clinical in keys.clinical
    assert keys.anchors == payload.anchors and keys.epoch == 1
    with pytest.raises(ValueError, match="not newer"):
        accept_delivered(keys, payload)  # a replay
    assert drop_retired(keys, payload.rotation_id) == 2  # the old clinical and deposit keys
    assert set(keys.clinical) == {payload.clinical_current} and not keys.retiring
    assert keys.anchors.deposit_key_id in keys.deposit
    again = KeySet.from_bytes(keys.to_bytes())
    assert again == keys


def test_a_delivery_naming_another_recovery_key_is_refused() -> None:
    clinic = _clinic()
    keys, _ = KeySet.for_role(uuid.uuid4(), Role.FRONT_DESK, clinic)
    stranger = RecoveryKey.generate()
    payload = replace(
        _payload(clinic),
        anchors=TrustAnchors(
            stranger.escrow_public_key(), stranger.signing_public_key(), uuid.uuid4(), random_bytes(32)
        ),
    )
    before = KeySet.from_bytes(keys.to_bytes())
    with pytest.raises(ValueError, match="recovery"):
        accept_delivered(keys, payload)
    assert keys == before


def test_front_desk_deliveries_carry_no_clinical_key() -> None:
    clinic = _clinic()
    keys, _ = KeySet.for_role(uuid.uuid4(), Role.FRONT_DESK, clinic)
    full = _payload(clinic)
    registry_only = replace(full, clinical={}, clinical_current=None, deposit={}, retiring={})
    accept_delivered(keys, registry_only)
    assert not keys.holds_clinical and not keys.deposit and keys.anchors == full.anchors


def test_a_malformed_delivery_or_rotation_state_never_stops_the_key_ring_from_opening() -> None:
    ring = KeyRingFile(clinic_id=CLINIC, recovery_public=random_bytes(32))
    data = ring.to_json()
    data["deliveries"] = [{"rotation_id": "nope"}, "text", None]
    data["rotation"] = {"rotation_id": str(uuid.uuid4()), "phase": "teleport"}
    read = KeyRingFile.from_json(data)
    assert read.deliveries == [] and read.unreadable_deliveries == 3 and read.rotation is None
    state = RotationState(uuid.uuid4(), 3, "reseal", "owner", uuid.uuid4())
    assert RotationState.from_json(state.to_json()) == state
