"""Key rotation: after a deactivation, a recovery reset, or an owner's "Rotate keys now", every vault key
the departing user could have kept is replaced, so an old copy of their key ring opens nothing new.

A rotation, a bounded step at a time (``KeyRotation.step``; the desktop runs one step per background
task, with progress):

1. start: an audit row (ids, epoch, counts), then one atomic write of the key-ring file holding a new
   registry key, a new clinical key (new key id) and a new deposit key pair, escrowed to the recovery
   key; one signed *delivery* per remaining user (vault/delivery.py); the rotator's own ring re-wrapped
   with the new keys beside the old ones; and the rotation's state (id, phase).
2. rekey: the database is copied under the new registry key and replaced atomically (store/rekey.py).
3. reseal: every sealed clinical value not under the new clinical key is re-sealed, one committed batch
   at a time (services/reseal.py), so an interrupted run continues where the database says it stopped.
4. complete: an audit row, signed by an owner or the recovery root (a completion signed by anyone else
   counts for nothing, so a clinician who finishes a re-seal leaves the row to an owner's next log-in);
   the old clinical and deposit keys leave the rotator's ring and the escrow (every other ring drops
   them at its next log-in, once it sees that row). A retired key is dropped only when no sealed value
   still names it (``key_arrival.keys_still_sealing``): until then it stays, and the next log-in of
   an owner or clinician finishes the re-seal first.

A kill at any moment leaves a clinic that opens: the database is under the old key (which every ring
still holds) or under the new one (which the rotator's ring and every delivery hold). The next log-in
of someone holding the needed keys finishes it: the rekey by anyone holding both registry keys
(services/key_arrival.py), the re-seal by an owner or clinician, the completion by an owner
(``pending_rotation``).
The private vaults of clinicians are not rotated: only their author ever held them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission, may
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import PermissionDenied
from hrclinic.readmodels.keys import RotationProgress, RotationSummary
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.key_arrival import (
    escrowed_vault_keys,
    finish_rekey,
    forget_retired_escrow,
    install_keys,
    keys_still_sealing,
    update_own_entry,
)
from hrclinic.services.key_trust import KeyTrust, walk_key_trust
from hrclinic.services.reseal import ResealCursor, audit_reseal_run, pending_reseal_count, reseal_batch
from hrclinic.services.rotation_plan import RotationPlan, escrow_new_keys, make_plan
from hrclinic.store.records import ClinicRecord
from hrclinic.store.rekey import opens_with, remove_leftovers
from hrclinic.vault.delivery import (
    RotationState,
    accept_delivered,
    drop_retired,
    seal_delivery,
)
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.keys import ClinicKeys, TrustAnchors, clinic_keys_of
from hrclinic.vault.signing import AuditSigner

DEFAULT_BATCH = 500


@dataclass
class _Run:
    started: list[uuid.UUID] = field(default_factory=list)
    completed: list[uuid.UUID] = field(default_factory=list)
    delivered: int = 0
    unreachable: list[str] = field(default_factory=list)
    resealed: int = 0
    total: int | None = None
    cursor: ResealCursor = field(default_factory=ResealCursor)
    waiting: str | None = None


START_ALWAYS, START_IF_OWED, START_NEVER = "always", "owed", "never"


class KeyRotation:
    """One rotation, or the finishing of an interrupted one, run a bounded step at a time.

    ``start``: ``always`` (Rotate keys now, a recovery reset), ``owed`` (when the audit chain records a
    deactivation or recovery reset after the newest completed rotation), ``never`` (only finish what
    an earlier rotation left). A new rotation also completes any earlier one left unfinished.
    ``source`` and ``delivery_signer``: the recovery reset's keys (from the escrow) and the recovery
    root, which signs its deliveries; otherwise the owner's own keys and signing key.
    """

    def __init__(
        self,
        clinic: UnlockedClinic,
        *,
        start: str = START_IF_OWED,
        reason: str = "owner",
        for_user: uuid.UUID | None = None,
        source: ClinicKeys | None = None,
        delivery_signer: AuditSigner | None = None,
        batch: int = DEFAULT_BATCH,
    ) -> None:
        self._clinic = clinic
        self._start = start
        self._reason = reason
        self._for_user = for_user
        self._source = source
        self._delivery_signer = delivery_signer
        self._batch = batch
        self._stage = "begin"
        self._run = _Run()
        self._blocked: str | None = None  # why a rotation owed cannot start (told with the summary)

    # --- driving -----------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True when there is nothing more to do in this run."""
        return self._stage == "done"

    def step(self) -> RotationProgress:
        """Do the next bounded piece of work and say where the rotation is."""
        handler = {
            "begin": self._begin,
            "rekey": self._rekey,
            "reseal": self._reseal,
            "complete": self._complete,
        }.get(self._stage)
        if handler is None:
            return RotationProgress("completed" if not self._run.waiting else "waiting", finished=True)
        progress = handler()
        return (
            progress
            if not self.finished
            else RotationProgress(progress.step, progress.done, progress.total, True)
        )

    def run(
        self,
        progress: Callable[[RotationProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RotationSummary:
        """Every step in turn; ``cancelled()`` is asked between steps (the next log-in continues)."""
        while not self.finished:
            if cancelled is not None and cancelled():
                self._run.waiting = (
                    self._run.waiting or "The rotation was paused; it continues at the next log-in."
                )
                break
            reached = self.step()
            if progress is not None:
                progress(reached)
        return self.summary()

    def run_registry_steps(self) -> RotationSummary:
        """Only the steps before re-sealing (start, rekey): a recovery reset runs these while it holds
        the recovery key; the re-seal continues after log-in (``pending_rotation``)."""
        while not self.finished and self._stage in ("begin", "rekey"):
            self.step()
        return self.summary()

    def summary(self) -> RotationSummary:
        """What this run did so far."""
        run = self._run
        return RotationSummary(
            started=tuple(run.started),
            completed=tuple(run.completed),
            delivered=run.delivered,
            unreachable=tuple(run.unreachable),
            resealed=run.resealed,
            unopenable=len(run.cursor.unopenable),
            waiting=run.waiting or self._blocked,
        )

    # --- steps -------------------------------------------------------------------------------

    def _trust(self) -> KeyTrust:
        with self._clinic.uow() as uow:
            keys = self._clinic.keys
            return walk_key_trust(uow.session, keys.anchors.recovery_signing_public, keys.witness)

    def _unfinished(self, trust: KeyTrust) -> list[uuid.UUID]:
        return [r for r in self._clinic.keys.retiring if r not in trust.completed]

    def _begin(self) -> RotationProgress:
        """Start a rotation if asked (or owed), else finish what an earlier one left.

        A new rotation also finishes an unfinished earlier one: its keys come from a ring holding the
        earlier rotation's keys, it re-keys from whichever registry key the database is under, and it
        re-seals everything to its own clinical key, so completing it completes both."""
        trust = self._trust()
        mine = set(self._clinic.keys.retiring)
        owed = self._start == START_IF_OWED and trust.rotation_owed(mine)
        if self._start == START_ALWAYS or (owed and self._may_start(trust)):
            return self._start_rotation(trust)
        if (
            self._start == START_IF_OWED
            and (owed or trust.problems)
            and may(self._clinic.actor.role, Permission.MANAGE_CLINIC)
            and not self._may_start(trust)
        ):
            self._blocked = blocked_message(trust, owed=owed)
        # retired keys still held (a rotation not complete, or keys kept while values still use them)
        if mine or not opens_with(self._clinic.paths.database, self._clinic.keys.registry_key):
            self._stage = "rekey"
            return RotationProgress("started")
        self._stage = "done"
        return RotationProgress("completed")

    def _may_start(self, trust: KeyTrust) -> bool:
        signer = self._delivery_signer or self._clinic.signer
        return (
            self._delivery_signer is not None or may(self._clinic.actor.role, Permission.MANAGE_CLINIC)
        ) and (trust.may_deliver(signer.key_id))

    def _start_rotation(self, trust: KeyTrust | None = None) -> RotationProgress:
        clinic = self._clinic
        if self._delivery_signer is None:
            clinic.require(Permission.MANAGE_CLINIC, "rotate the clinic's keys")
        trust = trust or self._trust()
        signer = self._delivery_signer or clinic.signer
        if not trust.may_deliver(signer.key_id):
            raise PermissionDenied(blocked_message(trust, owed=False))
        try:
            source = self._source or clinic_keys_of(clinic.keys)
        except ValueError:
            raise PermissionDenied(
                "Only an owner, or the recovery key, can rotate the clinic's keys."
            ) from None
        plan = make_plan(clinic, source, trust, self._reason, self._for_user)
        with clinic.uow() as uow:
            append_event(  # signed by whoever signs the deliveries: an owner, or the recovery root
                uow.session,
                signer,
                AuditAction.KEYS_ROTATION_STARTED,
                target_type="rotation",
                target_id=plan.rotation_id,
                details={
                    "epoch": plan.epoch,
                    "reason": self._reason,
                    "for_user": str(self._for_user) if self._for_user else None,
                    "recipients": len(plan.recipients),
                    "unreachable": len(plan.unreachable),
                },
            )
            uow.commit()
        delivered = _hand_out(clinic, plan, signer, self._reason)
        self._run.started.append(plan.rotation_id)
        self._run.delivered += delivered
        self._run.unreachable.extend(plan.unreachable)
        self._stage = "rekey"
        return RotationProgress("started")

    def _rekey(self) -> RotationProgress:
        """Put the database under the newest registry key this ring holds (if it is not already)."""
        clinic = self._clinic
        path, newest = clinic.paths.database, clinic.keys.registry_key
        if not opens_with(path, newest):
            old = next((k for k in clinic.keys.registry_previous if opens_with(path, k)), None)
            if old is None or not finish_rekey(clinic, old, newest):
                self._run.waiting = (
                    "The database could not be re-keyed now (it is open elsewhere); this finishes at "
                    "the next log-in of an owner or clinician."
                )
                self._stage = "reseal"
                return RotationProgress("waiting")
        remove_leftovers(path)
        state = clinic.read_ring().rotation
        if clinic.keys.registry_previous or (state is not None and state.phase == "rekey"):
            updated = copy.deepcopy(clinic.keys)
            updated.registry_previous = []  # the database is under the newest key: older ones open nothing
            with clinic.editing_ring() as ring:
                install_keys(clinic, updated)
                entry = ring.user_by_id(clinic.actor.user_id)
                if entry is not None and clinic.rewrap is not None:
                    update_own_entry(clinic, ring, entry, remove=[])
                if ring.rotation is not None:
                    ring.rotation = replace(ring.rotation, phase="reseal")
        self._stage = "reseal"
        return RotationProgress("rekeyed")

    def _reseal(self) -> RotationProgress:
        """One committed batch of re-sealing under the newest clinical key."""
        clinic, run = self._clinic, self._run
        if (
            not clinic.sealer.can_open(VaultKind.CLINICAL)
            or clinic.sealer.current_header(VaultKind.CLINICAL) is None
        ):
            run.waiting = "An owner or clinician finishes re-sealing clinical entries at their next log-in."
            self._stage = "done"
            return RotationProgress("waiting")
        if run.total is None:
            run.total = pending_reseal_count(clinic)
        count = reseal_batch(clinic, batch=self._batch, cursor=run.cursor)
        run.resealed += count
        done = min(run.resealed + run.cursor.skipped, run.total)
        if count == 0:
            self._stage = "complete"
        return RotationProgress("resealing", done, run.total)

    def _complete(self) -> RotationProgress:
        """Record the completion and forget the retired keys (once the database is under the newest key)."""
        clinic, run = self._clinic, self._run
        trust = self._trust()
        unfinished = self._unfinished(trust)
        if unfinished or run.resealed:  # not again for every log-in while a kept key waits
            audit_reseal_run(clinic, run.cursor, resealed=run.resealed, reason="rotation")
        if not opens_with(clinic.paths.database, clinic.keys.registry_key):
            run.waiting = (
                run.waiting or "The database is not under the new key yet; this finishes at the next log-in."
            )
            self._stage = "done"
            return RotationProgress("waiting")
        run.waiting = None
        signer = self._delivery_signer or clinic.signer
        completes = trust.may_deliver(signer.key_id)  # only an owner's or the root's completion counts
        if unfinished and not completes:
            run.waiting = (
                "The clinical entries are re-sealed under the new key; an owner completes the key change "
                "at their next log-in."
            )
        with clinic.uow() as uow:
            for rotation_id in unfinished if completes else []:
                append_event(
                    uow.session,
                    signer,
                    AuditAction.KEYS_ROTATION_COMPLETED,
                    target_type="rotation",
                    target_id=rotation_id,
                    details={
                        "epoch": clinic.keys.epoch,
                        "resealed": run.resealed,
                        "unopenable": len(run.cursor.unopenable),
                    },
                )
            uow.commit()
        updated = copy.deepcopy(clinic.keys)
        done = [r for r in updated.retiring if r in trust.completed or (completes and r in unfinished)]
        # a key some sealed value still names stays (a value re-sealing skipped): never lose a note
        in_use = keys_still_sealing(clinic, [k for r in done for k in updated.retiring[r]])
        for rotation_id in done:
            drop_retired(updated, rotation_id, keep=in_use)
        if in_use:
            run.waiting = run.waiting or (
                f"{len(in_use)} retired key(s) still seal entries that could not be re-sealed; they are "
                "kept until those entries are re-sealed (hrclinic verify names any that cannot be opened)."
            )
        with clinic.editing_ring() as ring:
            install_keys(clinic, updated)
            entry = ring.user_by_id(clinic.actor.user_id)
            if entry is not None and clinic.rewrap is not None:
                update_own_entry(clinic, ring, entry, remove=[])
            if done:
                _forget_retired_escrow(ring, clinic)
                if ring.rotation is not None and ring.rotation.rotation_id in done:
                    ring.rotation = None
        _record_deposit_key(clinic, updated.anchors)
        if completes:
            run.completed.extend(unfinished)
        self._stage = "done"
        return RotationProgress("completed", run.resealed, run.total or 0)


def _hand_out(clinic: UnlockedClinic, plan: RotationPlan, signer: AuditSigner, reason: str) -> int:
    """Seal the new keys to every recipient, escrow them, take this user's own share, and record the
    rotation in the key ring; returns how many deliveries were made."""
    mine = plan.payload(clinic.keys.holds_clinical)
    updated = copy.deepcopy(clinic.keys)
    accept_delivered(updated, mine)
    with clinic.editing_ring() as ring:
        deliveries = [
            seal_delivery(ring.clinic_id, uid, ex.key_id, ex.public, plan.payload(clinical), signer)
            for uid, (ex, clinical) in plan.recipients.items()
        ]
        rewrap = clinic.rewrap
        if rewrap is None:
            raise PermissionDenied("This session cannot re-wrap its own key ring; log in again.")
        if rewrap.kind != "password" and updated.exchange_id and updated.exchange_public:
            # the password copy of this ring cannot be re-wrapped now: it takes delivery at its log-in
            deliveries.append(
                seal_delivery(
                    ring.clinic_id,
                    updated.user_id,
                    updated.exchange_id,
                    updated.exchange_public,
                    mine,
                    signer,
                )
            )
        escrow_new_keys(ring, plan)
        ring.deliveries.extend(deliveries)
        ring.rotation = RotationState(plan.rotation_id, plan.epoch, "rekey", reason, plan.registry_id)
        install_keys(clinic, updated)
        entry = ring.user_by_id(clinic.actor.user_id)
        if entry is None:
            raise PermissionDenied("Your account is not in the key ring any more.")
        update_own_entry(clinic, ring, entry, remove=[])
    _record_deposit_key(clinic, updated.anchors)
    return len(deliveries)


def _forget_retired_escrow(ring: KeyRingFile, clinic: UnlockedClinic) -> None:
    forget_retired_escrow(ring, clinic.keys, keep=keys_still_sealing(clinic, escrowed_vault_keys(ring)))


def blocked_message(trust: KeyTrust, *, owed: bool) -> str:
    """Why an owner cannot hand out new keys now, and what to do (the service's and the UI's words)."""
    what = (
        "The clinic's keys are owed a change (after a deactivation or recovery reset), but it cannot run:"
        if owed
        else "The clinic's keys cannot be changed:"
    )
    if not trust.problems:
        return (
            f"{what} the audit log does not vouch for your signing key as an owner's, so the keys could "
            "not be handed to anyone. Nothing was changed. Run hrclinic verify."
        )
    return (
        f"{what} the audit log is damaged ({trust.problems[0]}), so it no longer vouches for your signing "
        "key as an owner's and the keys could not be handed to anyone. Nothing was changed. Until the "
        "damage is repaired, only the recovery key can change the keys: reset your own password with it "
        '("Forgot your password?" on the log-in page); colleagues the damaged log no longer vouches for '
        "then need a password reset. Run hrclinic verify to see the damage."
    )


def _record_deposit_key(clinic: UnlockedClinic, anchors: TrustAnchors) -> None:
    """The database's copy of the deposit public key (``hrclinic verify`` compares it with the rings)."""
    with clinic.uow() as uow:
        record = uow.session.scalars(select(ClinicRecord)).one()
        if (record.deposit_key_id, record.deposit_public_key) != (
            anchors.deposit_key_id,
            anchors.deposit_public,
        ):
            record.deposit_key_id, record.deposit_public_key = anchors.deposit_key_id, anchors.deposit_public
            uow.commit()


# --- entry points --------------------------------------------------------------------------------


def rotate_keys(
    clinic: UnlockedClinic,
    *,
    reason: str = "owner",
    progress: Callable[[RotationProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch: int = DEFAULT_BATCH,
) -> RotationSummary:
    """An owner's "Rotate keys now": a new rotation (after finishing any that was interrupted)."""
    clinic.require(Permission.MANAGE_CLINIC, "rotate the clinic's keys")
    return KeyRotation(clinic, start=START_ALWAYS, reason=reason, batch=batch).run(progress, cancelled)


def pending_rotation(clinic: UnlockedClinic) -> KeyRotation | None:
    """After log-in: the rotation this user should finish or start now, or None.

    An owner starts one the audit chain says is owed (a deactivation or recovery reset since the last
    completed rotation), or is told why it cannot start (its summary's ``waiting``: the audit log no
    longer vouches for them); an owner or clinician finishes the re-seal of one their ring is part of
    (an owner completes it); anyone holding both registry keys finishes a rekey."""
    clinic_keys = clinic.keys
    if not clinic_keys.retiring and opens_with(clinic.paths.database, clinic_keys.registry_key):
        if not may(clinic.actor.role, Permission.MANAGE_CLINIC):
            return None
        with clinic.uow() as uow:
            trust = walk_key_trust(
                uow.session, clinic_keys.anchors.recovery_signing_public, clinic_keys.witness
            )
        blocked = bool(trust.problems) and not trust.may_deliver(clinic.signer.key_id)
        if not (trust.rotation_owed(set(clinic_keys.retiring)) or blocked):
            return None
    return KeyRotation(clinic, start=START_IF_OWED, reason="resumed")


def finish_pending_rotation(
    clinic: UnlockedClinic,
    *,
    progress: Callable[[RotationProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RotationSummary | None:
    """Run ``pending_rotation`` to its end (command line, tests; the desktop steps it in the background)."""
    rotation = pending_rotation(clinic)
    return rotation.run(progress, cancelled) if rotation is not None else None
