"""The one audited-action helper: ``clinic.acting(permission, what, action, ...)``.

A small clinic in memory of this test (plain SQLite in a temporary file, real keys, no Argon2): the
helper checks the permission, opens one unit of work, writes the action's audit row and commits, and
when anything goes wrong nothing is saved, the audit row included.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Permission, Role
from hrclinic.errors import PermissionDenied, ValidationError
from hrclinic.paths import ClinicPaths
from hrclinic.readmodels.users import Actor
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.store.base import Base
from hrclinic.store.engine import plain_sqlite_engine
from hrclinic.store.migrate import MigrationResult
from hrclinic.store.records import AuditEventRecord, ClinicRecord
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.keys import ClinicKeys, KeySet
from hrclinic.vault.primitives import KdfParams
from hrclinic.vault.recovery import RecoveryKey


def _clinic(root: Path, role: Role) -> UnlockedClinic:
    recovery = RecoveryKey.generate()
    clinic_keys = ClinicKeys.generate(recovery.escrow_public_key(), recovery.signing_public_key())
    user_id = uuid.uuid4()
    keys, _ = KeySet.for_role(user_id, role, clinic_keys)
    engine = plain_sqlite_engine(root / "clinic.db")
    Base.metadata.create_all(engine)
    ring = KeyRingFile(clinic_id=uuid.uuid4(), recovery_public=recovery.escrow_public_key(), clinic_name="T")
    actor = Actor(user_id, role.value, f"A {role.label}", role)
    migration = MigrationResult(from_revision=None, to_revision="test", backup=None)
    clinic = UnlockedClinic(ClinicPaths(root), engine, ring, keys, actor, migration, KdfParams())
    with clinic.uow() as uow:
        uow.session.add(
            ClinicRecord(
                id=ring.clinic_id,
                name="Before",
                deposit_key_id=clinic_keys.anchors.deposit_key_id,
                deposit_public_key=clinic_keys.anchors.deposit_public,
                recovery_public_key=ring.recovery_public,
            )
        )
        uow.commit()
    return clinic


@pytest.fixture
def owner(tmp_path: Path) -> Iterator[UnlockedClinic]:
    clinic = _clinic(tmp_path, Role.OWNER)
    yield clinic
    clinic.close()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[UnlockedClinic]:
    clinic = _clinic(tmp_path, Role.FRONT_DESK)
    yield clinic
    clinic.close()


def _rows(clinic: UnlockedClinic) -> list[tuple[str, str | None, str | None]]:
    with clinic.uow() as uow:
        found = uow.session.execute(
            select(
                AuditEventRecord.action, AuditEventRecord.target_type, AuditEventRecord.target_id
            ).order_by(AuditEventRecord.seq)
        )
        return [(str(a), t, i) for a, t, i in found]


def _name(clinic: UnlockedClinic) -> str:
    with clinic.uow() as uow:
        return uow.session.scalars(select(ClinicRecord.name)).one()


def _rename(act: object, name: str) -> None:
    act.session.scalars(select(ClinicRecord)).one().name = name  # type: ignore[attr-defined]


def test_the_work_and_its_audit_row_are_committed_together(owner: UnlockedClinic) -> None:
    with owner.acting(
        Permission.MANAGE_CLINIC,
        "change the clinic's settings",
        AuditAction.CLINIC_SETTINGS_CHANGED,
        target_type="clinic",
        target_id=owner.clinic_id,
    ) as act:
        _rename(act, "After")
    assert _name(owner) == "After"
    assert _rows(owner) == [(AuditAction.CLINIC_SETTINGS_CHANGED, "clinic", str(owner.clinic_id))]
    with owner.uow() as uow:  # signed by the person acting, like any other row
        row = uow.session.scalars(select(AuditEventRecord)).one()
        assert (row.actor_id, row.signer_key_id) == (str(owner.actor.user_id), str(owner.keys.signing_key_id))


def test_a_refused_permission_runs_nothing_and_writes_nothing(desk: UnlockedClinic) -> None:
    ran = False
    with (
        pytest.raises(
            PermissionDenied, match=r"Your role \(front desk\) cannot change the clinic's settings"
        ),
        desk.acting(
            Permission.MANAGE_CLINIC, "change the clinic's settings", AuditAction.CLINIC_SETTINGS_CHANGED
        ),
    ):
        ran = True
    assert not ran
    assert _rows(desk) == []
    assert _name(desk) == "Before"


def test_an_error_in_the_work_saves_neither_the_work_nor_its_audit_row(owner: UnlockedClinic) -> None:
    with (
        pytest.raises(ValidationError, match="Enter the clinic's name"),
        owner.acting(
            Permission.MANAGE_CLINIC, "rename the clinic", AuditAction.CLINIC_SETTINGS_CHANGED
        ) as act,
    ):
        _rename(act, "Half done")
        act.audit(target_type="clinic", target_id=owner.clinic_id)  # written in the transaction...
        raise ValidationError("Enter the clinic's name.")
    assert _rows(owner) == []  # ...and rolled back with it
    assert _name(owner) == "Before"


def test_the_row_is_written_where_the_work_says_with_further_rows_in_order(owner: UnlockedClinic) -> None:
    made = uuid.uuid4()
    with owner.acting(Permission.EDIT_REGISTRY, "register people", AuditAction.CLIENT_REGISTERED) as act:
        act.audit(target_type="client", target_id=made, details={"needs": 0})
        act.audit(AuditAction.SCREENING_RECORDED, target_type="screening", target_id="s-1")
    assert _rows(owner) == [
        (AuditAction.CLIENT_REGISTERED, "client", str(made)),
        (AuditAction.SCREENING_RECORDED, "screening", "s-1"),
    ]  # and no third row on the way out


def test_returning_from_inside_still_audits_and_commits(owner: UnlockedClinic) -> None:
    def rename() -> str:
        with owner.acting(Permission.MANAGE_CLINIC, "rename", AuditAction.CLINIC_SETTINGS_CHANGED) as act:
            _rename(act, "Returned")
            return "done"

    assert rename() == "done"
    assert _name(owner) == "Returned"
    assert [a for a, _, _ in _rows(owner)] == [AuditAction.CLINIC_SETTINGS_CHANGED]


def test_the_action_row_is_written_once(owner: UnlockedClinic) -> None:
    with (
        pytest.raises(RuntimeError, match="already written"),
        owner.acting(Permission.MANAGE_CLINIC, "rename", AuditAction.CLINIC_SETTINGS_CHANGED) as act,
    ):
        act.audit()
        act.audit()
    assert _rows(owner) == []
