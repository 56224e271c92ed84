"""Users and roles: add, list, deactivate. Each is audited; each refuses what the acting role may not
do. Passwords (an owner's reset, one's own change, the recovery key) are services/passwords.py."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hrclinic.domain.accounts import (
    display_name_problem,
    normalise_username,
    password_problem,
    username_problem,
)
from hrclinic.domain.audit import AuditAction, key_introduction
from hrclinic.domain.roles import Permission, Role
from hrclinic.errors import (
    NotFound,
    PermissionDenied,
    ValidationError,
)
from hrclinic.readmodels.users import UserSummary
from hrclinic.services.audit import append_event
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.witness import witness_head
from hrclinic.store.base import utc_now
from hrclinic.store.records import UserRecord, UserSigningKeyRecord
from hrclinic.vault import os_keyring
from hrclinic.vault.keyring_file import KeyRingFile, UserEntry
from hrclinic.vault.keys import ClinicKeys, KeySet, clinic_keys_of
from hrclinic.vault.primitives import KdfParams
from hrclinic.vault.ring import (
    escrow_private_keys,
    wrap_with_password,
)


def _summary(record: UserRecord, ring: KeyRingFile) -> UserSummary:
    entry = ring.user(record.username)
    return UserSummary(
        id=record.id,
        username=record.username,
        display_name=record.display_name,
        role=Role(record.role),
        active=record.active,
        must_change_password=record.must_change_password,
        created_at=record.created_at,
        computer_login=bool(entry and entry.computer),
    )


def list_users(clinic: UnlockedClinic) -> list[UserSummary]:
    """Everyone who has an account, active first, then by name."""
    ring = clinic.read_ring()
    with clinic.uow() as uow:
        records = uow.session.scalars(
            select(UserRecord).order_by(UserRecord.active.desc(), func.lower(UserRecord.display_name))
        ).all()
        return [_summary(r, ring) for r in records]


def user_record(clinic: UnlockedClinic, user_id: uuid.UUID) -> UserRecord:
    """The user's record, detached (``NotFound`` when there is none)."""
    with clinic.uow() as uow:
        record = uow.session.get(UserRecord, user_id)
        if record is None:
            raise NotFound("That user does not exist.")
        uow.session.expunge(record)
        return record


def owner_clinic_keys(clinic: UnlockedClinic) -> ClinicKeys:
    """The clinic's keys, which only an owner's ring holds."""
    try:
        return clinic_keys_of(clinic.keys)
    except ValueError:
        raise PermissionDenied("Only an owner can do this.") from None


def add_user(
    clinic: UnlockedClinic,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    must_change_password: bool = True,
    kdf: KdfParams | None = None,
) -> UserSummary:
    """Add a user with a role and a first password (owner only)."""
    clinic.require(Permission.MANAGE_USERS, "add users")
    role = Role(role)
    for field_name, problem in (
        ("username", username_problem(username)),
        ("display_name", display_name_problem(display_name)),
        ("password", password_problem(password, username=username)),
    ):
        if problem:
            raise ValidationError(problem, field=field_name)
    name = normalise_username(username)
    clinic_keys = owner_clinic_keys(clinic)
    with clinic.uow() as uow:
        if uow.session.scalar(select(UserRecord.id).where(UserRecord.username == name)) is not None:
            raise ValidationError(f"The user name {name!r} is taken; choose another.", field="username")
    user_id = uuid.uuid4()
    keys, signing_public = KeySet.for_role(user_id, role, clinic_keys)
    wrap = wrap_with_password(clinic.clinic_id, keys, password, kdf or clinic.kdf)
    with clinic.editing_ring() as ring:
        # The database has no such user (checked above): an entry here is left from an add that was
        # interrupted before its database commit, and is replaced.
        ring.users[name] = UserEntry(user_id=user_id, username=name, password=wrap)
        escrow_private_keys(ring, keys)
    try:
        with clinic.uow() as uow:
            s = uow.session
            s.add(
                UserRecord(
                    id=user_id,
                    username=name,
                    display_name=display_name.strip(),
                    role=role.value,
                    must_change_password=must_change_password,
                    created_by=clinic.actor.user_id,
                )
            )
            s.flush()
            s.add(UserSigningKeyRecord(id=keys.signing_key_id, user_id=user_id, public_key=signing_public))
            append_event(
                s,
                clinic.signer,
                AuditAction.USER_ADDED,
                target_type="user",
                target_id=user_id,
                details={
                    "role": role.value,
                    **key_introduction(
                        str(user_id), str(keys.signing_key_id), signing_public, **exchange_details(keys)
                    ),
                },
            )
            uow.commit()
    except BaseException:
        with clinic.editing_ring() as ring:
            ring.users.pop(name, None)
        raise
    ring = clinic.read_ring()
    with clinic.uow() as uow:
        return _summary(uow.session.get_one(UserRecord, user_id), ring)


def _active_owner_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserRecord)
            .where(UserRecord.active, UserRecord.role == Role.OWNER.value)
        )
        or 0
    )


def deactivate_user(clinic: UnlockedClinic, user_id: uuid.UUID) -> UserSummary:
    """Deactivate a user (owner only). Never deletes: their authorship stays on records.

    Their key ring is removed from the key-ring file, so the account cannot be unlocked, and a key
    rotation is owed (the audit chain records it): ``services.rotation`` changes every key they held,
    at once in the desktop app, else at the next owner's log-in.
    """
    with clinic.acting(
        Permission.MANAGE_USERS,
        "deactivate users",
        AuditAction.USER_DEACTIVATED,
        target_type="user",
        target_id=user_id,
    ) as act:
        target = act.session.get(UserRecord, user_id)
        if target is None:
            raise NotFound("That user does not exist.")
        if user_id == clinic.actor.user_id:
            raise ValidationError("You cannot deactivate your own account while logged in with it.")
        if not target.active:
            raise ValidationError(f"{target.display_name} is already deactivated.")
        if target.role == Role.OWNER.value and _active_owner_count(act.session) <= 1:
            raise ValidationError("The clinic needs at least one active owner.")
        target.active = False
        target.deactivated_at = utc_now()
        act.session.execute(
            update(UserSigningKeyRecord)
            .where(UserSigningKeyRecord.user_id == user_id, UserSigningKeyRecord.retired_at.is_(None))
            .values(retired_at=utc_now())
        )
    # witness the deactivation row at once: a key rotation refuses a chain cut before it
    witness_head(clinic)
    with clinic.editing_ring() as ring:
        entry = ring.users.pop(target.username, None)
        ring.anchors.pop(user_id, None)  # signed with a key the chain now retires
        ring.deliveries = [d for d in ring.deliveries if d.recipient_id != user_id]
    if entry is not None and entry.computer is not None:
        try:
            os_keyring.delete_secret(clinic.clinic_id, user_id)
        except os_keyring.CredentialStoreUnavailable:
            pass
    return next(u for u in list_users(clinic) if u.id == user_id)


def exchange_details(keys: KeySet) -> dict[str, Any]:
    """The exchange key a key-introduction row also introduces (rotated keys are sealed to it)."""
    return {"exchange_id": str(keys.exchange_id), "exchange_public": keys.exchange_public}
