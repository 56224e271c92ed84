"""Passwords: an owner resets a colleague's, a person changes their own, and the recovery key sets a new
one with every key restored (or gives an owner-reset user their private vault back). The audit row of a
change is committed before the key ring changes, so a password never changes without its audit row."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from hrclinic.domain.accounts import (
    normalise_username,
    password_problem,
)
from hrclinic.domain.audit import AuditAction, key_introduction
from hrclinic.domain.roles import Permission, Role, has_private_vault
from hrclinic.errors import (
    PermissionDenied,
    ValidationError,
    WrongCredentials,
)
from hrclinic.paths import ClinicPaths
from hrclinic.readmodels.users import UserSummary
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic, load_ring, open_with_keys, recovery_signer
from hrclinic.services.failed_logins import login_wait, note_failed_login, settle_failed_logins
from hrclinic.services.key_trust import vouched_role
from hrclinic.services.rotation import START_ALWAYS, KeyRotation
from hrclinic.services.users import exchange_details, list_users, owner_clinic_keys, user_record
from hrclinic.store.records import UserRecord, UserSigningKeyRecord
from hrclinic.store.rekey import engine_with_any_key
from hrclinic.store.uow import UnitOfWork
from hrclinic.vault.keyring_file import KeyRingFile, UserEntry, Wrap
from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import KdfParams
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import (
    RecoveredKeys,
    escrow_private_keys,
    password_rewrap,
    recover_keys,
    unwrap_with_password,
    wrap_with_password,
)
from hrclinic.vault.signing import AuditSigner


def reset_password(
    clinic: UnlockedClinic, user_id: uuid.UUID, new_password: str, *, kdf: KdfParams | None = None
) -> UserSummary:
    """An owner sets a new password for another user, who must change it at next log-in.

    The owner cannot carry the user's private-vault keys (only the user and the recovery key
    can): the user gets a new private vault, and their earlier private notes stay sealed until
    they restore them with the recovery key (``restore_private_vault``).
    The audit row (which introduces the user's new signing key) is committed before the key ring
    changes, so a password never changes without its audit row.
    """
    clinic.require(Permission.MANAGE_USERS, "reset other people's passwords")
    target = user_record(clinic, user_id)
    if user_id == clinic.actor.user_id:
        raise ValidationError("Use Change my password for your own account.")
    if not target.active:
        raise ValidationError(f"{target.display_name} is deactivated; reactivate the account first.")
    problem = password_problem(new_password, username=target.username)
    if problem:
        raise ValidationError(problem, field="password")
    role = _trusted_role(clinic, target)
    keys, signing_public = KeySet.for_role(user_id, role, owner_clinic_keys(clinic))
    wrap = wrap_with_password(clinic.clinic_id, keys, new_password, kdf or clinic.kdf)
    with clinic.uow() as uow:
        uow.session.add(
            UserSigningKeyRecord(id=keys.signing_key_id, user_id=user_id, public_key=signing_public)
        )
        uow.session.get_one(UserRecord, user_id).must_change_password = True
        append_event(
            uow.session,
            clinic.signer,
            AuditAction.PASSWORD_RESET_BY_OWNER,
            target_type="user",
            target_id=user_id,
            details=key_introduction(
                str(user_id), str(keys.signing_key_id), signing_public, **exchange_details(keys)
            ),
        )
        uow.commit()
    try:
        with clinic.editing_ring() as ring:
            _put_wrap(ring, target, role, keys, wrap)
    except BaseException:
        _record_not_completed(clinic, user_id, reset=True)
        raise
    return next(u for u in list_users(clinic) if u.id == user_id)


def change_own_password(
    clinic: UnlockedClinic, current_password: str, new_password: str, *, kdf: KdfParams | None = None
) -> None:
    """Change one's own password: the same keys, re-wrapped under the new one (audited first)."""
    name = clinic.actor.username
    problem = password_problem(new_password, username=name)
    if problem:
        raise ValidationError(problem, field="new_password")
    if new_password == current_password:
        raise ValidationError("Choose a password different from the current one.", field="new_password")
    _check_own_password(clinic, current_password, field="current_password")
    rewrap = password_rewrap(clinic.clinic_id, new_password, kdf or clinic.kdf)
    wrap = rewrap.wrap(clinic.keys)
    with clinic.uow() as uow:
        uow.session.get_one(UserRecord, clinic.actor.user_id).must_change_password = False
        append_event(
            uow.session,
            clinic.signer,
            AuditAction.PASSWORD_CHANGED,
            target_type="user",
            target_id=clinic.actor.user_id,
        )
        uow.commit()
    try:
        with clinic.editing_ring() as ring:
            entry = ring.user(name)
            if entry is None or entry.user_id != clinic.actor.user_id:
                raise WrongCredentials("Your account is not in the key ring any more.")
            entry.password = wrap
    except BaseException:
        _record_not_completed(clinic, clinic.actor.user_id, reset=False)
        raise
    clinic.rewrap = rewrap


def reset_password_with_recovery_key(
    data_dir: Path, username: str, recovery_key: str, new_password: str, *, kdf: KdfParams | None = None
) -> UnlockedClinic:
    """Anyone holding the recovery key sets a new password for an account and is logged in as it.

    Every key the account had, private vault included, is restored from the recovery escrow; the
    recovery key itself signs the audit row that vouches for the account's new signing key.
    """
    paths = ClinicPaths(Path(data_dir))
    ring = load_ring(paths)
    name = normalise_username(username)
    entry = ring.user(name)
    if entry is None:
        raise WrongCredentials(f"There is no active account {name!r} in this clinic.")
    problem = password_problem(new_password, username=name)
    if problem:
        raise ValidationError(problem, field="password")
    recovery = RecoveryKey.parse(recovery_key)
    recovered = recover_keys(ring, recovery)
    target, role = _recovered_account(paths, entry, name, recovered, recovery)
    private = recovered.private.get(entry.user_id, {})
    keys, signing_public = KeySet.for_role(
        entry.user_id,
        role,
        recovered.clinic,
        private=private,
        private_current=list(private)[-1] if private else None,
    )
    kdf = kdf or _kdf_of(entry)
    rewrap = password_rewrap(ring.clinic_id, new_password, kdf)
    wrap = rewrap.wrap(keys)
    opened = open_with_keys(paths, ring, entry, keys, kdf=kdf, action=None, rewrap=rewrap)
    try:
        with opened.uow() as uow:
            uow.session.add(
                UserSigningKeyRecord(id=keys.signing_key_id, user_id=entry.user_id, public_key=signing_public)
            )
            uow.session.get_one(UserRecord, entry.user_id).must_change_password = False
            append_event(
                uow.session,
                recovery_signer(entry.user_id, recovery),
                AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY,
                target_type="user",
                target_id=entry.user_id,
                details=key_introduction(
                    str(entry.user_id), str(keys.signing_key_id), signing_public, **exchange_details(keys)
                ),
            )
            uow.commit()
        with opened.editing_ring() as fresh:
            _put_wrap(fresh, target, role, keys, wrap)
        # whoever held the old password may have a copy of the old ring: rotate what it opens, the
        # recovery root signing the deliveries (the re-seal continues after log-in: pending_rotation)
        KeyRotation(
            opened,
            start=START_ALWAYS,
            reason="recovery_reset",
            for_user=entry.user_id,
            source=recovered.clinic,
            delivery_signer=recovery_signer(entry.user_id, recovery),
        ).run_registry_steps()
    except BaseException:
        opened.close()
        raise
    return opened


def _recovered_account(
    paths: ClinicPaths, entry: UserEntry, name: str, recovered: RecoveredKeys, recovery: RecoveryKey
) -> tuple[UserRecord, Role]:
    """The active account being reset and the role the audit chain gives it (opened with the recovered
    registry key). A role the chain does not vouch for is refused, the refusal signed by the recovery key."""
    engine, _key = engine_with_any_key(
        paths.database, [recovered.clinic.registry_key, *recovered.clinic.registry_previous]
    )
    try:
        with UnitOfWork(engine) as uow:
            target = uow.session.get(UserRecord, entry.user_id)
            if target is None or not target.active:
                raise WrongCredentials(f"There is no active account {name!r} in this clinic.")
            uow.session.expunge(target)
            role, damage = vouched_role(
                uow.session, recovered.clinic.anchors.recovery_signing_public, entry.user_id
            )
            if role is None or role.value != target.role:
                # nobody else is there to sign the refusal: the recovery key does
                _audit_role_not_vouched(uow.session, recovery_signer(entry.user_id, recovery), target, role)
                uow.commit()
                raise PermissionDenied(_role_not_vouched_message(target, role, damage))
    finally:
        engine.dispose()
    return target, role


def restore_private_vault(clinic: UnlockedClinic, password: str, recovery_key: str) -> int:
    """After an owner reset, give the acting user back the private-vault keys escrowed for them.

    Needs the user's password (to re-wrap their key ring) and the recovery key; returns how many
    keys came back.
    """
    _check_own_password(clinic, password, field="password")
    mine = recover_keys(clinic.read_ring(), RecoveryKey.parse(recovery_key)).private.get(
        clinic.actor.user_id, {}
    )
    added = {k: v for k, v in mine.items() if k not in clinic.keys.private}
    if not added:
        return 0
    restored = replace(clinic.keys, private={**clinic.keys.private, **added})
    rewrap = password_rewrap(clinic.clinic_id, password, clinic.kdf)
    wrap = rewrap.wrap(restored)
    with clinic.uow() as uow:
        append_event(
            uow.session,
            clinic.signer,
            AuditAction.PRIVATE_VAULT_RESTORED,
            target_type="user",
            target_id=clinic.actor.user_id,
            details={"keys": len(added)},
        )
        uow.commit()
    with clinic.editing_ring() as ring:
        entry = ring.user(clinic.actor.username)
        if entry is None:
            raise WrongCredentials("Your account is not in the key ring any more.")
        entry.password = wrap
    clinic.keys.private.update(added)
    clinic.rewrap = rewrap
    return len(added)


def _check_own_password(clinic: UnlockedClinic, password: str, *, field: str) -> None:
    """The password unwraps this user's ring; wrong guesses count for the same growing wait as at
    log-in (an unattended unlocked session is no faster way to guess it)."""
    failures, name = clinic.paths.failed_logins, clinic.actor.username
    wait = login_wait(failures, name)
    if wait:
        raise ValidationError(f"Several attempts did not match. You can try again in {wait} s.", field=field)
    entry = clinic.read_ring().user(name)
    if entry is None:
        raise WrongCredentials("Your account is not in the key ring any more.")
    try:
        unwrap_with_password(clinic.clinic_id, entry, password)
    except WrongCredentials:
        note_failed_login(failures, name, "wrong_current_password")
        raise ValidationError("The current password is not right.", field=field) from None
    settle_failed_logins(failures, None, cleared_user=name)


def _kdf_of(entry: UserEntry) -> KdfParams:
    return entry.password.kdf or KdfParams()


def _put_wrap(ring: KeyRingFile, target: UserRecord, role: Role, keys: KeySet, wrap: Wrap) -> None:
    ring.users[target.username] = UserEntry(user_id=target.id, username=target.username, password=wrap)
    if has_private_vault(role):
        escrow_private_keys(ring, keys)


def _trusted_role(clinic: UnlockedClinic, target: UserRecord) -> Role:
    """The role a new key ring for ``target`` is made for: the one the audit chain gives them, never the
    users table's (anyone holding the registry key can write it). When the table says otherwise, the
    refusal is audited and nothing else changes."""
    keys = clinic.keys
    with clinic.uow() as uow:
        role, damage = vouched_role(
            uow.session, keys.anchors.recovery_signing_public, target.id, keys.witness
        )
    if role is not None and role.value == target.role:
        return role
    with clinic.uow() as uow:
        _audit_role_not_vouched(uow.session, clinic.signer, target, role)
        uow.commit()
    raise PermissionDenied(_role_not_vouched_message(target, role, damage))


def _audit_role_not_vouched(
    session: Session, signer: AuditSigner, target: UserRecord, role: Role | None
) -> None:
    table_role = target.role if target.role in {r.value for r in Role} else "other"
    append_event(
        session,
        signer,
        AuditAction.USER_ROLE_NOT_VOUCHED,
        target_type="user",
        target_id=target.id,
        details={"table_role": table_role, "chain_role": role.value if role else None},
    )


def _role_not_vouched_message(target: UserRecord, role: Role | None, damage: list[str]) -> str:
    who = f"The password of {target.display_name} was not reset"
    done = "Nothing was changed; the refusal is in the audit log. Run hrclinic verify."
    if role is None:
        why = f"the audit log is damaged ({damage[0]}) and" if damage else "the audit log"
        return f"{who}: {why} vouches for no role of theirs, so no key ring can be made for it. {done}"
    table = Role(target.role).label.lower() if target.role in {r.value for r in Role} else repr(target.role)
    return (
        f"{who}: the users table says they are {table}, but the audit log gave them the "
        f"{role.label.lower()} role. The table was changed outside hrclinic, by someone holding the "
        f"database key; a new key ring follows the audit log, never the table. {done}"
    )


def _record_not_completed(clinic: UnlockedClinic, user_id: uuid.UUID, *, reset: bool) -> None:
    """The audit already says the password changed, but the key ring could not be written: say so."""
    try:
        with clinic.uow() as uow:
            if reset:
                uow.session.get_one(UserRecord, user_id).must_change_password = False
            append_event(
                uow.session,
                clinic.signer,
                AuditAction.PASSWORD_CHANGE_NOT_COMPLETED,
                target_type="user",
                target_id=user_id,
            )
            uow.commit()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass
