"""At log-in: open the database under whichever registry key it is, take delivery of the keys a
rotation left for this user, and keep the user's own ring current (vault/delivery.py explains why).

A delivery is used only when the audit chain trusts its signer as an owner's key (or the recovery
root), found by the trust-row walk (services/key_trust.py), never from the users table. The ring is
then re-wrapped with what the session was opened with (``UnlockedClinic.rewrap``); a ring made before
exchange keys gets one here, introduced by a row its holder signs.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import DatabaseDamaged
from hrclinic.paths import ClinicPaths
from hrclinic.services.audit import append_event
from hrclinic.services.key_trust import KeyTrust, walk_key_trust
from hrclinic.services.sealed_values import key_ids_in_use
from hrclinic.store.engine import sqlcipher_engine
from hrclinic.store.rekey import DatabaseInUse, engine_with_any_key, opens_with, rekey_database
from hrclinic.vault import os_keyring
from hrclinic.vault.delivery import DeliveredKeys, Delivery, accept_delivered, drop_retired, open_delivery
from hrclinic.vault.keyring_file import KeyRingFile, UserEntry
from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import DecryptionFailed, x25519_generate
from hrclinic.vault.ring import computer_rewrap
from hrclinic.vault.sealing import VaultSealer

if TYPE_CHECKING:  # services.clinic imports this module
    from hrclinic.services.clinic import UnlockedClinic


@dataclass
class Arrival:
    """Deliveries sealed to this user's ring that opened, before anyone checked who made them."""

    opened: list[tuple[Delivery, DeliveredKeys]] = field(default_factory=list)

    def registry_candidates(self) -> list[bytes]:
        """Registry keys the deliveries carry, newest epoch first."""
        ordered = sorted(self.opened, key=lambda pair: -pair[1].epoch)
        return [key for _d, keys in ordered for key in keys.registry]


def open_my_deliveries(ring: KeyRingFile, keys: KeySet) -> Arrival:
    """Open every delivery sealed to ``keys`` that is newer than the ring (others are skipped)."""
    arrival = Arrival()
    for delivery in ring.deliveries:
        if delivery.recipient_id != keys.user_id or delivery.epoch <= keys.epoch:
            continue
        try:
            arrival.opened.append((delivery, open_delivery(ring.clinic_id, delivery, keys)))
        except (DecryptionFailed, ValueError, KeyError, TypeError):
            continue  # not sealed to this ring's exchange key, or altered: worthless either way
    return arrival


def open_registry(
    paths: ClinicPaths, ring: KeyRingFile, keys: KeySet, arrival: Arrival
) -> tuple[Engine, bytes]:
    """The database's engine under the first registry key it opens with (this ring's or a delivery's)."""
    try:
        return engine_with_any_key(paths.database, [*keys.registry_keys(), *arrival.registry_candidates()])
    except DatabaseDamaged:
        rotated = any(e.kind == "registry" and e.key_id != ring.clinic_id for e in ring.escrow)
        if not rotated:
            raise
        raise DatabaseDamaged(
            "The clinic's keys were changed (a key rotation) and no key delivery for your account "
            "could be used, so your key ring no longer opens the database. Ask an owner to reset "
            "your password."
        ) from None


@dataclass
class Settled:
    """What log-in changed in the user's keys."""

    received: list[Delivery] = field(default_factory=list)
    refused: int = 0
    dropped: int = 0
    rekeyed: bool = False
    exchange_introduced: bool = False


def settle_keys(clinic: UnlockedClinic, arrival: Arrival, opened_with: bytes, *, login: bool) -> Settled:
    """Take trusted deliveries into the session's keys and tidy its ring; with ``login`` also finish
    a registry rekey left by a killed rotation, introduce a missing exchange key, audit what arrived
    and re-wrap the ring. Without it (``hrclinic verify``) nothing is written anywhere.

    Raises DatabaseDamaged when the database opened only with a key no trusted delivery vouches for
    (it may have been replaced with someone else's file)."""
    keys = clinic.keys
    settled = Settled()
    needs_walk = bool(arrival.opened or keys.retiring) or (
        login and keys.exchange_private is None and clinic.rewrap is not None
    )
    if not needs_walk and opened_with == keys.registry_key and not keys.registry_previous:
        return settled
    trust = _walk(clinic) if needs_walk else KeyTrust()
    updated = copy.deepcopy(keys)
    for delivery, delivered in sorted(arrival.opened, key=lambda pair: pair[1].epoch):
        signer = trust.keys.get(str(delivery.signer_key_id))
        if (
            delivered.epoch <= updated.epoch
            or signer is None
            or not trust.may_deliver(delivery.signer_key_id)
            or not delivery.signed_by(clinic.clinic_id, signer.public_key)
        ):
            settled.refused += 1
            continue
        try:
            accept_delivered(updated, delivered)
        except ValueError:
            settled.refused += 1
            continue
        settled.received.append(delivery)
    if opened_with not in updated.registry_keys():
        damaged = f" The audit log is damaged ({trust.problems[0]})." if trust.problems else ""
        raise DatabaseDamaged(
            "The clinic's database opens only with a key that arrived in a key delivery the audit log "
            f"does not vouch for, so it was not used.{damaged} Nothing was changed. Ask an owner to run "
            "hrclinic verify."
        )
    if login and opened_with != updated.registry_key:
        settled.rekeyed = finish_rekey(clinic, opened_with, updated.registry_key)
        if settled.rekeyed:
            opened_with = updated.registry_key
    if opened_with == updated.registry_key and updated.registry_previous:
        updated.registry_previous = []  # the database is under the newest key: older ones open nothing
        settled.dropped += 1
    completed = [r for r in updated.retiring if r in trust.completed]
    # a retired key some sealed value still names stays until the re-seal has moved that value on
    in_use = keys_still_sealing(clinic, [k for r in completed for k in updated.retiring[r]])
    for rotation_id in completed:
        settled.dropped += drop_retired(updated, rotation_id, keep=in_use)
    # a completion whose writer was killed before it tidied the key-ring file: a holder of the clinical
    # vault, under the newest registry key, tidies it (front desk cannot tell which keys are current)
    tidy = bool(completed) and updated.holds_clinical and opened_with == updated.registry_key
    if login and updated.exchange_private is None and clinic.rewrap is not None:
        updated.exchange_id, updated.exchange_private = uuid.uuid4(), x25519_generate()[0]
        settled.exchange_introduced = True
    changed = settled.received or settled.dropped or settled.exchange_introduced
    if login and (changed or settled.refused):
        _audit_arrival(clinic, updated, settled)
    if not changed:
        return settled
    install_keys(clinic, updated)
    if login and clinic.rewrap is not None:
        save_own_ring(clinic, remove=settled.received, completed=trust.completed if tidy else None)
    return settled


def _walk(clinic: UnlockedClinic) -> KeyTrust:
    with clinic.uow() as uow:
        return walk_key_trust(uow.session, clinic.keys.anchors.recovery_signing_public, clinic.keys.witness)


def _audit_arrival(clinic: UnlockedClinic, keys: KeySet, settled: Settled) -> None:
    """Rows first, ring after: a kill between them leaves a ring without the new exchange key, which
    the next log-in replaces (the newest introduction is the one trusted)."""
    with clinic.uow() as uow:
        for delivery in settled.received:
            append_event(
                uow.session,
                clinic.signer,
                AuditAction.KEYS_RECEIVED,
                target_type="rotation",
                target_id=delivery.rotation_id,
                details={"epoch": delivery.epoch},
            )
        if settled.refused:  # forged, or signed by a key the chain does not trust as an owner's
            append_event(
                uow.session,
                clinic.signer,
                AuditAction.KEYS_DELIVERY_REFUSED,
                target_type="user",
                target_id=clinic.actor.user_id,
                details={"count": settled.refused},
            )
        public = keys.exchange_public
        if settled.exchange_introduced and keys.exchange_id is not None and public is not None:
            append_event(
                uow.session,
                clinic.signer,
                AuditAction.EXCHANGE_KEY_INTRODUCED,
                target_type="user",
                target_id=clinic.actor.user_id,
                details={
                    "key_owner": str(clinic.actor.user_id),
                    "exchange_key_id": str(keys.exchange_id),
                    "exchange_public": public.hex(),
                },
            )
        uow.commit()


def install_keys(clinic: UnlockedClinic, keys: KeySet) -> None:
    """Make ``keys`` the session's keys (sealing uses them from the next unit of work)."""
    clinic.keys = keys
    clinic.sealer = VaultSealer(keys)


def finish_rekey(clinic: UnlockedClinic, old_key: bytes, new_key: bytes) -> bool:
    """Put the database under ``new_key`` (closing this session's connections first) and reopen it;
    returns False, leaving everything as it was, while another program has the database open."""
    path = clinic.paths.database
    clinic.engine.dispose()
    try:
        rekey_database(path, old_key, new_key)
    except DatabaseInUse:
        clinic.engine = sqlcipher_engine(path, old_key)
        return False
    except BaseException:
        clinic.engine = sqlcipher_engine(path, new_key if opens_with(path, new_key) else old_key)
        raise
    clinic.engine = sqlcipher_engine(path, new_key)
    return True


def save_own_ring(
    clinic: UnlockedClinic, *, remove: list[Delivery] | None = None, completed: set[uuid.UUID] | None = None
) -> None:
    """Re-wrap the session's own ring in the key-ring file (with the wrap it was opened with).

    Opened with the password: the deliveries taken are removed, and the computer-login copy (if any) is
    re-wrapped with the secret the operating system keeps, or removed when it is not on this computer
    (it would hold retired keys). Opened with the computer log-in: deliveries stay for the password copy.
    With ``completed`` (rotations the chain records as complete), the escrow keeps only the keys this ring
    holds and a completed rotation's state is cleared.
    """
    rewrap = clinic.rewrap
    if rewrap is None:
        return
    with clinic.editing_ring() as ring:
        entry = ring.user_by_id(clinic.actor.user_id)
        if entry is None:
            return  # deactivated meanwhile
        update_own_entry(clinic, ring, entry, remove=remove or [])
        if completed is not None:
            forget_retired_escrow(
                ring, clinic.keys, keep=keys_still_sealing(clinic, escrowed_vault_keys(ring))
            )
            if ring.rotation is not None and ring.rotation.rotation_id in completed:
                ring.rotation = None


def update_own_entry(
    clinic: UnlockedClinic, ring: KeyRingFile, entry: UserEntry, *, remove: list[Delivery]
) -> None:
    """The part of ``save_own_ring`` inside an open key-ring edit (a rotation writes more in the same
    edit, so that its deliveries, escrow and the rotator's own ring change in one atomic write)."""
    rewrap = clinic.rewrap
    assert rewrap is not None
    rewrap.apply(entry, clinic.keys)
    if rewrap.kind != "password":
        return
    ring.deliveries = [d for d in ring.deliveries if d not in remove]
    if entry.computer is not None:
        try:
            secret = os_keyring.load_secret(ring.clinic_id, entry.user_id)
        except os_keyring.CredentialStoreUnavailable:
            secret = None
        entry.computer = computer_rewrap(ring.clinic_id, secret).wrap(clinic.keys) if secret else None


def forget_retired_escrow(ring: KeyRingFile, keys: KeySet, *, keep: Collection[uuid.UUID]) -> None:
    """Once a rotation is complete the escrow keeps what a current clinical-vault ring holds: the current
    registry key, and the clinical and deposit keys left after the retired ones were dropped; and every
    clinical or deposit key in ``keep`` (``keys_still_sealing``: values still sealed under it)."""
    registry_id = keys.registry_id or ring.clinic_id
    ring.escrow = [
        e
        for e in ring.escrow
        if (e.kind == "registry" and e.key_id == registry_id)
        or (e.kind == "clinical" and (e.key_id in keys.clinical or e.key_id in keep))
        or (e.kind == "deposit" and (e.key_id in keys.deposit or e.key_id in keep))
        or e.kind not in ("registry", "clinical", "deposit")
    ]


def escrowed_vault_keys(ring: KeyRingFile) -> list[uuid.UUID]:
    """The ids of the clinical and deposit keys the recovery escrow holds."""
    return [e.key_id for e in ring.escrow if e.kind in ("clinical", "deposit")]


def keys_still_sealing(clinic: UnlockedClinic, key_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Of ``key_ids``, the clinical and deposit keys some sealed clinical value still names: they may not
    be dropped from a ring or the escrow yet (a forged or early completion must never lose a note)."""
    if not key_ids:
        return set()
    with clinic.uow() as uow:
        return key_ids_in_use(uow.session, key_ids)
