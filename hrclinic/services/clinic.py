"""Creating, unlocking and locking a clinic."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select

from hrclinic.domain.accounts import (
    display_name_problem,
    normalise_username,
    password_problem,
    username_problem,
)
from hrclinic.domain.audit import MAX_DETAIL_TEXT, AuditAction, key_introduction
from hrclinic.domain.roles import Permission, Role, may
from hrclinic.domain.text import check_line, require_str
from hrclinic.errors import (
    AccountInactive,
    DatabaseDamaged,
    FolderNotWritable,
    NotAClinic,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
    WrongCredentials,
)
from hrclinic.paths import ClinicPaths
from hrclinic.readmodels.clinic import CreatedClinic
from hrclinic.readmodels.users import Actor
from hrclinic.services.acting import Acting, Details
from hrclinic.services.audit import append_event
from hrclinic.services.clinic_folder import building_clinic_folder, check_new_clinic_folder
from hrclinic.services.deposit_signers import TrustedSigners
from hrclinic.services.failed_logins import (
    ImportedFailures,
    import_failed_logins,
    login_wait,
    note_failed_login,
    settle_failed_logins,
)
from hrclinic.services.key_arrival import open_my_deliveries, open_registry, settle_keys
from hrclinic.services.legacy import close_legacy_formats
from hrclinic.services.witness import LoginWitness, login_witness_problems, witness_head
from hrclinic.store.engine import sqlcipher_engine
from hrclinic.store.inspection import stored_clinic
from hrclinic.store.migrate import MigrationResult, upgrade
from hrclinic.store.records import ClinicRecord, UserRecord, UserSigningKeyRecord
from hrclinic.store.uow import UnitOfWork
from hrclinic.vault.keyring_file import KeyRingFile, UserEntry
from hrclinic.vault.keys import ClinicKeys, KeySet
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams
from hrclinic.vault.recovery import RecoveryKey, recovery_signer_id
from hrclinic.vault.ring import (
    Rewrap,
    burn_time_like_unwrap,
    escrow_clinic_keys,
    escrow_private_keys,
    open_with_password,
    wrap_with_password,
)
from hrclinic.vault.sealing import VaultSealer
from hrclinic.vault.signing import AuditSigner

MAX_CLINIC_NAME = 200


class UnlockedClinic:
    """A clinic opened by one user: the engine, that user's keys, and who they are."""

    def __init__(
        self,
        paths: ClinicPaths,
        engine: Engine,
        ring: KeyRingFile,
        keys: KeySet,
        actor: Actor,
        migration: MigrationResult,
        kdf: KdfParams,
    ) -> None:
        self.paths = paths
        self.engine = engine
        self.clinic_id = ring.clinic_id
        self.keys = keys
        self.actor = actor
        self.migration = migration
        self.kdf = kdf
        self._ring_lock = threading.Lock()
        # the signing keys the audit chain trusts, which a deposit must be signed with (walked at log-in)
        self.deposit_signers = TrustedSigners(self)
        self.sealer = VaultSealer(keys)
        self.signer = AuditSigner.of(keys)
        self.closed = False
        # re-wraps this user's own ring (audit witness); None when opened by a path without one
        self.rewrap: Rewrap | None = None
        # what log-in found wrong with the audit chain's witnesses (shown to the person, audited)
        self.audit_alerts: list[str] = []

    @property
    def sealer(self) -> VaultSealer:
        """Seals and opens values with this user's keys (replaced when new keys arrive)."""
        return self._sealer

    @sealer.setter
    def sealer(self, sealer: VaultSealer) -> None:
        if sealer.signers is None:
            sealer.signers = self.deposit_signers
        self._sealer = sealer

    def uow(self) -> UnitOfWork:
        """A new unit of work that seals with this user's keys."""
        if self.closed:
            raise PermissionDenied("The clinic is locked; log in again.")
        return UnitOfWork(self.engine, self.sealer)

    def require(self, permission: Permission, what: str) -> None:
        """Refuse, with a sentence, what the acting role may not do."""
        if not may(self.actor.role, permission):
            raise PermissionDenied(f"Your role ({self.actor.role.label.lower()}) cannot {what}.")

    @contextmanager
    def acting(
        self,
        permission: Permission,
        what: str,
        action: AuditAction,
        *,
        target_type: str | None = None,
        target_id: uuid.UUID | str | None = None,
        details: Details | None = None,
    ) -> Iterator[Acting]:
        """One audited action: refuse what the role may not do (``what`` completes "Your role cannot
        ..."), open one unit of work, and when the body ends without an error write ``action``'s audit
        row (unless the body wrote it with ``act.audit()``) and commit. When the body raises, nothing
        is saved, audit row included. See hrclinic/services/acting.py."""
        self.require(permission, what)
        with self.uow() as uow:
            act = Acting(
                uow, self.signer, action, target_type=target_type, target_id=target_id, details=details
            )
            yield act
            act.finish()

    @contextmanager
    def editing_ring(self) -> Iterator[KeyRingFile]:
        """Load the key-ring file, let the caller change it, then save it atomically."""
        with self._ring_lock:
            ring = KeyRingFile.load(self.paths.keyring)
            yield ring
            ring.save(self.paths.keyring)

    def read_ring(self) -> KeyRingFile:
        """The key-ring file as it is on disk."""
        return KeyRingFile.load(self.paths.keyring)

    def close(self) -> None:
        """Forget the keys and close every connection."""
        if not self.closed:
            self.closed = True
            self.engine.dispose()


# --- create ---------------------------------------------------------------------------------


def validate_new_clinic(clinic_name: str, username: str, display_name: str, password: str) -> None:
    """Check the first-run answers, naming the field that needs attention. The names follow the
    one text rule (kept as typed but for the ends, so it refuses rather than changes)."""
    require_str(username, "username")
    require_str(password, "password")
    name = check_line(clinic_name, field="clinic_name", what="clinic's name", limit=MAX_CLINIC_NAME)
    if not name:
        raise ValidationError("Enter the clinic's name.", field="clinic_name")
    for field_name, problem in (
        ("username", username_problem(username)),
        ("display_name", display_name_problem(display_name)),
        ("password", password_problem(password, username=username)),
    ):
        if problem:
            raise ValidationError(problem, field=field_name)


def create_clinic(
    data_dir: Path,
    *,
    clinic_name: str,
    owner_username: str,
    owner_password: str,
    owner_display_name: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> CreatedClinic:
    """Create a clinic with its first owner; returns the recovery key (shown once, never stored)."""
    display_name = owner_display_name if owner_display_name is not None else owner_username
    validate_new_clinic(clinic_name, owner_username, display_name, owner_password)
    check_new_clinic_folder(Path(data_dir))  # before any key is made; checked again when building

    username = normalise_username(owner_username)
    clinic_id, owner_id = uuid.uuid4(), uuid.uuid4()
    recovery = RecoveryKey.generate()
    clinic_keys = ClinicKeys.generate(recovery.escrow_public_key(), recovery.signing_public_key())
    keys, signing_public = KeySet.for_role(owner_id, Role.OWNER, clinic_keys)

    ring = KeyRingFile(
        clinic_id=clinic_id, recovery_public=recovery.escrow_public_key(), clinic_name=clinic_name.strip()
    )
    escrow_clinic_keys(ring, clinic_keys)
    escrow_private_keys(ring, keys)
    ring.users[username] = UserEntry(
        user_id=owner_id, username=username, password=wrap_with_password(clinic_id, keys, owner_password, kdf)
    )
    # Built under a hidden name beside data_dir, then renamed into place in one step: a kill at any
    # moment leaves no clinic or a whole one, never half of one (hrclinic/services/clinic_folder.py).
    with building_clinic_folder(Path(data_dir)) as build:
        paths = ClinicPaths(build)
        engine = sqlcipher_engine(paths.database, clinic_keys.registry_key, create=True)
        try:
            os.chmod(paths.database, 0o600)  # SQLite gives the -wal and -shm files the same mode
            upgrade(engine, database=None, backups=None)
            _record_creation(
                engine, ring, clinic_keys, keys, signing_public, recovery, username, display_name
            )
        finally:
            engine.dispose()
        ring.save(paths.keyring)
    return CreatedClinic(clinic_id=clinic_id, owner_id=owner_id, recovery_key=recovery.text)


def _record_creation(
    engine: Engine,
    ring: KeyRingFile,
    clinic_keys: ClinicKeys,
    keys: KeySet,
    signing_public: bytes,
    recovery: RecoveryKey,
    username: str,
    display_name: str,
) -> None:
    """The clinic's row, its owner and the first two audit rows: the recovery root introduces the
    owner's signing key (it counts from that row on), the owner's key records their addition."""
    owner_id = keys.user_id
    with UnitOfWork(engine) as uow:
        s = uow.session
        s.add(
            ClinicRecord(
                id=ring.clinic_id,
                name=ring.clinic_name,
                deposit_key_id=clinic_keys.anchors.deposit_key_id,
                deposit_public_key=clinic_keys.anchors.deposit_public,
                recovery_public_key=ring.recovery_public,
            )
        )
        s.add(
            UserRecord(
                id=owner_id, username=username, display_name=display_name.strip(), role=Role.OWNER.value
            )
        )
        s.flush()
        s.add(UserSigningKeyRecord(id=keys.signing_key_id, user_id=owner_id, public_key=signing_public))
        append_event(
            s,
            recovery_signer(owner_id, recovery),
            AuditAction.CLINIC_CREATED,
            target_type="clinic",
            target_id=ring.clinic_id,
            details=key_introduction(
                str(owner_id),
                str(keys.signing_key_id),
                signing_public,
                exchange_id=str(keys.exchange_id),
                exchange_public=keys.exchange_public,
            ),
        )
        append_event(
            s,
            AuditSigner.of(keys),
            AuditAction.USER_ADDED,
            target_type="user",
            target_id=owner_id,
            details={"role": Role.OWNER.value},
        )
        uow.commit()


# --- unlock ---------------------------------------------------------------------------------


def load_ring(paths: ClinicPaths) -> KeyRingFile:
    """The clinic's key ring, with a clear error when the folder is not a clinic."""
    if not paths.root.is_dir():
        raise NotAClinic(f"There is no clinic at {paths.root}: the folder does not exist.")
    if not paths.keyring.exists():
        raise NotAClinic(f"{paths.root} is not an hrclinic clinic folder (it has no keyring.json).")
    return KeyRingFile.load(paths.keyring)


def require_writable(paths: ClinicPaths) -> None:
    """hrclinic writes on every unlock (audit, upgrades): say so plainly when it cannot."""
    if not os.access(paths.root, os.W_OK) or (
        paths.database.exists() and not os.access(paths.database, os.W_OK)
    ):
        raise FolderNotWritable(
            f"The clinic folder {paths.root} is read-only for this account; hrclinic needs to write "
            "to it. Check its permissions, or copy the folder somewhere writable."
        )


def unlock(
    data_dir: Path,
    username: str,
    password: str,
    *,
    kdf: KdfParams = DEFAULT_KDF,
    audit_login: bool = True,
) -> UnlockedClinic:
    """Log in: unwrap the user's key ring, open and upgrade the database, audit the log-in.

    With ``audit_login=False`` (``hrclinic verify``) opening writes no audit row at all, so nothing
    is chained onto an unchecked chain; the caller records an upgrade (``clinic.migration``) once
    it knows the chain is sound.
    """
    paths = ClinicPaths(Path(data_dir))
    ring = load_ring(paths)
    name = normalise_username(username)
    if not password:
        raise WrongCredentials("Enter your password.")
    wait = login_wait(paths.failed_logins, name)
    if wait:
        raise TooManyAttempts(wait)  # refused before any Argon2 time is spent, and not counted
    entry = ring.user(name)
    if entry is None:
        burn_time_like_unwrap(password, kdf)
        note_failed_login(paths.failed_logins, "", "unknown_user")
        raise WrongCredentials("The user name or password is not right.")
    try:
        keys, rewrap = open_with_password(ring.clinic_id, entry, password)
    except WrongCredentials:
        note_failed_login(paths.failed_logins, name, "wrong_password")
        raise
    return open_with_keys(
        paths,
        ring,
        entry,
        keys,
        kdf=kdf,
        action=AuditAction.LOGIN if audit_login else None,
        rewrap=rewrap,
        audit_upgrade=audit_login,
    )


def open_with_keys(
    paths: ClinicPaths,
    ring: KeyRingFile,
    entry: UserEntry,
    keys: KeySet,
    *,
    kdf: KdfParams = DEFAULT_KDF,
    action: AuditAction | None = AuditAction.LOGIN,
    audit_upgrade: bool = True,
    rewrap: Rewrap | None = None,
) -> UnlockedClinic:
    """Open the database with an unwrapped key ring (after a password or computer log-in).

    With an ``action`` (a log-in), the chain is first compared with the user's own witness and the
    signed anchors (a mismatch is audited and shown), and afterwards its new end is witnessed.
    """
    if not paths.database.exists():
        raise NotAClinic(f"The clinic database {paths.database} is missing.")
    require_writable(paths)
    # during a key rotation the database is under an older or a newer registry key: try each
    arrival = open_my_deliveries(ring, keys)
    engine, opened_with = open_registry(paths, ring, keys, arrival)
    try:
        _check_same_clinic(engine, ring)
        migration = upgrade(engine, database=paths.database, backups=paths.backups)
        actor = _actor(engine, ring, entry)
        opened = UnlockedClinic(paths, engine, ring, keys, actor, migration, kdf)
        opened.rewrap = rewrap
        settle_keys(opened, arrival, opened_with, login=action is not None)
        witnessed = login_witness_problems(opened) if action is not None else LoginWitness()
        cut = witnessed.cuts
        opened.audit_alerts = witnessed.cuts + witnessed.set_aside
        imported: ImportedFailures | None = None
        with opened.uow() as uow:
            if cut:
                append_event(
                    uow.session,
                    opened.signer,
                    AuditAction.AUDIT_CUT_DETECTED,
                    target_type="user",
                    target_id=actor.user_id,
                    details={
                        "problems": len(cut),
                        # whose witness claimed the cut ("self": this user's own ring)
                        "claimed_by": " ".join(dict.fromkeys(witnessed.claimed_by))[:MAX_DETAIL_TEXT],
                    },
                )
            if witnessed.set_aside:
                append_event(
                    uow.session,
                    opened.signer,
                    AuditAction.AUDIT_ANCHORS_UNREADABLE,
                    details={"count": len(witnessed.set_aside)},
                )
            if audit_upgrade and migration.upgraded and migration.from_revision is not None:
                append_event(
                    uow.session,
                    opened.signer,
                    AuditAction.DATABASE_UPGRADED,
                    details={"from_revision": migration.from_revision, "to_revision": migration.to_revision},
                )
            if action is not None:
                imported = import_failed_logins(paths.failed_logins, uow.session, opened.signer)
                append_event(uow.session, opened.signer, action, target_type="user", target_id=actor.user_id)
            uow.commit()
        # this account's own wait ends; everyone else's failures keep counting
        settle_failed_logins(paths.failed_logins, imported, cleared_user=entry.username)
        if action is not None:
            if opened.keys.holds_clinical:
                opened.deposit_signers.refresh()
                close_legacy_formats(opened, save=False)  # witness_head re-wraps the ring
            witness_head(opened)
        return opened
    except BaseException:
        engine.dispose()
        raise


def _actor(engine: Engine, ring: KeyRingFile, entry: UserEntry) -> Actor:
    """Who is logging in: an active user of this ring's clinic."""
    with UnitOfWork(engine) as uow:
        user = uow.session.get(UserRecord, entry.user_id)
        clinic = uow.session.scalars(select(ClinicRecord)).one_or_none()
        if clinic is None or clinic.id != ring.clinic_id:
            raise DatabaseDamaged("The database and the key-ring file belong to different clinics.")
        if user is None:
            raise WrongCredentials("The user name or password is not right.")
        if not user.active:
            raise AccountInactive("This account has been deactivated. Ask the clinic's owner.")
        return Actor(user.id, user.username, user.display_name, Role(user.role), user.must_change_password)


def _check_same_clinic(engine: Engine, ring: KeyRingFile) -> None:
    """Before anything is written: the file must be a clinic database, and this ring's clinic."""
    stored = stored_clinic(engine)
    if not stored.complete:
        raise DatabaseDamaged(
            "The database file opens with this clinic's key but holds no clinic: it is empty or "
            "was never finished. Restore it from a backup."
        )
    if stored.clinic_id is None or uuid.UUID(stored.clinic_id) != ring.clinic_id:
        raise DatabaseDamaged("The database and the key-ring file belong to different clinics.")


def recovery_signer(actor_id: uuid.UUID, recovery: RecoveryKey) -> AuditSigner:
    """The recovery key signing an audit row on behalf of ``actor_id`` (creation, recovery resets)."""
    public = recovery.signing_public_key()
    return AuditSigner(actor_id, recovery_signer_id(public), recovery.signing_private_key())


def lock(clinic: UnlockedClinic, *, reason: AuditAction = AuditAction.LOCK) -> None:
    """Lock (idle, on demand) or log out: audit it, then forget the keys."""
    if clinic.closed:
        return
    try:
        with clinic.uow() as uow:
            append_event(
                uow.session, clinic.signer, reason, target_type="user", target_id=clinic.actor.user_id
            )
            uow.commit()
        witness_head(clinic)
    finally:
        clinic.close()
