"""Only an owner (or the recovery root) can change who the audit chain trusts.

Every attack here uses what an insider has: the registry key (every role holds it, so they can
write audit rows with raw SQL; ``append_event`` on a session computes exactly those rows) and their
own signing key, plus any key pair they make up.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text

from hrclinic.domain.audit import AuditAction, key_introduction
from hrclinic.domain.roles import Role
from hrclinic.services import clients, passwords, users
from hrclinic.services.audit import ChainReport, append_event, verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock, recovery_signer
from hrclinic.services.settings import set_idle_lock_minutes
from hrclinic.services.verify import verify_clinic
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.primitives import ed25519_generate
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.signing import AuditSigner
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


def _report(clinic: UnlockedClinic) -> ChainReport:
    with clinic.uow() as uow:
        return verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public)


def _append(clinic: UnlockedClinic, signer: AuditSigner, action: AuditAction, **kwargs: object) -> int:
    """Write one signed, chained row as ``signer`` (what raw SQL with the registry key can do)."""
    with clinic.uow() as uow:
        seq = append_event(uow.session, signer, action, **kwargs).seq  # type: ignore[arg-type]
        uow.commit()
    return seq


def _made_up_key(for_user: uuid.UUID) -> tuple[AuditSigner, dict[str, str | int | bool | None]]:
    """A key pair the insider made, and the details that would introduce it for ``for_user``."""
    private, public = ed25519_generate()
    key_id = uuid.uuid4()
    return AuditSigner(for_user, key_id, private), key_introduction(str(for_user), str(key_id), public)


def _honest_owner_rows(clinic_dir: ClinicFixture) -> tuple[UnlockedClinic, list[int]]:
    """The real owner logs in and changes a setting; the rows they sign, by seq."""
    owner = clinic_dir.login(OWNER)
    with owner.uow() as uow:
        first = uow.session.scalar(
            select(func.max(AuditEventRecord.seq)).where(AuditEventRecord.action == AuditAction.LOGIN)
        )
    set_idle_lock_minutes(owner, 7)
    with owner.uow() as uow:
        seqs = list(
            uow.session.scalars(
                select(AuditEventRecord.seq).where(
                    AuditEventRecord.seq >= (first or 0),
                    AuditEventRecord.actor_id == str(owner.actor.user_id),
                )
            )
        )
    return owner, seqs


def _named(problems: list[str], seq: int) -> bool:
    return any(p.startswith(f"audit row {seq} ") for p in problems)


def test_front_desk_cannot_introduce_a_key_for_the_owner_and_sign_as_them(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    owner_id, clinician_id = _user_id(desk, OWNER[0]), _user_id(desk, CLINICIAN[0])
    as_owner, introduction = _made_up_key(owner_id)
    forged_intro = _append(
        desk,
        desk.signer,
        AuditAction.USER_ADDED,
        target_type="user",
        target_id=owner_id,
        details={"role": Role.OWNER.value, **introduction},
    )
    person = clients.register_client(desk, "Zoë")
    forged_as_owner = [
        _append(desk, as_owner, AuditAction.CLIENT_VIEWED, target_type="client", target_id=person.id),
        _append(desk, as_owner, AuditAction.USER_DEACTIVATED, target_type="user", target_id=clinician_id),
    ]
    owner, honest = _honest_owner_rows(clinic_dir)
    report = _report(owner)
    assert not report.sound
    assert _named(report.problems, forged_intro)
    assert "not an owner" in next(p for p in report.problems if _named([p], forged_intro))
    for seq in forged_as_owner:
        assert f"audit row {seq} is signed with a key the chain never introduced" in report.problems
    assert honest and not any(_named(report.problems, seq) for seq in honest)
    assert len(report.problems) == 3
    # the made-up key is not trusted, and the front desk kept its role and key
    assert str(as_owner.key_id) not in report.trusted_keys
    assert report.trusted_keys[str(desk.keys.signing_key_id)].role is Role.FRONT_DESK
    assert not any(k.retired for k in report.trusted_keys.values() if k.owner_id == str(clinician_id))


def _retire_the_owner(desk: UnlockedClinic) -> int:
    """The front desk signs a row that says it deactivated the owner."""
    owner_id = _user_id(desk, OWNER[0])
    return _append(desk, desk.signer, AuditAction.USER_DEACTIVATED, target_type="user", target_id=owner_id)


def test_front_desk_cannot_retire_the_owners_key(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    forged = _retire_the_owner(desk)
    owner, honest = _honest_owner_rows(clinic_dir)
    passwords.reset_password(owner, desk.actor.user_id, "fresh meadow 77", kdf=FAST_KDF)  # still an owner
    problems = _report(owner).problems
    assert len(problems) == 1 and _named(problems, forged) and "not an owner" in problems[0]
    assert not any(_named(problems, seq) for seq in honest)


def test_a_clinician_cannot_reset_someone_elses_password(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    desk_id = _user_id(clinician, FRONT_DESK[0])
    as_desk, introduction = _made_up_key(desk_id)
    forged = _append(
        clinician,
        clinician.signer,
        AuditAction.PASSWORD_RESET_BY_OWNER,
        target_type="user",
        target_id=desk_id,
        details=introduction,
    )
    forged_as_desk = _append(clinician, as_desk, AuditAction.CLIENT_VIEWED, target_type="client", target_id=1)
    problems = _report(clinician).problems
    assert _named(problems, forged) and "not an owner" in problems[0]
    assert problems[1] == f"audit row {forged_as_desk} is signed with a key the chain never introduced"
    assert len(problems) == 2


def test_an_owners_user_management_verifies_clean(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    second = users.add_user(
        owner,
        username="second",
        display_name="Second Owner",
        role=Role.OWNER,
        password="amber lighthouse 84",
        must_change_password=False,
        kdf=FAST_KDF,
    )
    lock(owner)
    # an owner added by an owner manages users too
    other = clinic_dir.login(("second", "amber lighthouse 84"))
    added = users.add_user(
        other,
        username="temp",
        display_name="Temp Clinician",
        role=Role.CLINICIAN,
        password="copper violin 27",
        kdf=FAST_KDF,
    )
    users.deactivate_user(other, added.id)
    desk_id = _user_id(other, FRONT_DESK[0])
    passwords.reset_password(other, desk_id, "fresh meadow 77", kdf=FAST_KDF)
    lock(other)
    desk = clinic_dir.login((FRONT_DESK[0], "fresh meadow 77"))
    clients.register_client(desk, "After the reset")
    lock(desk)
    reset = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, CLINICIAN[0], clinic_dir.recovery_key, "recovered path 33", kdf=FAST_KDF
    )
    clinic_dir.opened.append(reset)
    clients.register_client(reset, "After the recovery")
    report = _report(reset)
    assert report.problems == []
    keys = report.trusted_keys
    assert keys[str(reset.keys.signing_key_id)].role is Role.CLINICIAN  # a recovery reset keeps the role
    assert {k.role for k in keys.values() if k.owner_id == str(second.id)} == {Role.OWNER}
    assert {k.role for k in keys.values() if k.owner_id == str(desk_id)} == {Role.FRONT_DESK}
    assert all(k.retired for k in keys.values() if k.owner_id == str(added.id))
    root = [k for k in keys.values() if k.is_recovery_root]
    assert len(root) == 1 and root[0].public_key == reset.keys.anchors.recovery_signing_public
    with reset.uow() as uow:
        last = uow.session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq.desc())).first()
    assert last is not None and (report.head_seq, report.head_hash) == (last.seq, last.row_hash)


def test_an_introduction_for_someone_other_than_its_target_is_named(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    desk_id = _user_id(owner, FRONT_DESK[0])
    clinician_id = _user_id(owner, CLINICIAN[0])
    as_clinician, introduction = _made_up_key(clinician_id)
    forged = _append(
        owner,
        owner.signer,
        AuditAction.PASSWORD_RESET_BY_OWNER,
        target_type="user",
        target_id=desk_id,  # the row says it resets the front desk, the key is the clinician's
        details=introduction,
    )
    signed = _append(owner, as_clinician, AuditAction.CLIENT_VIEWED, target_type="client", target_id=1)
    problems = _report(owner).problems
    assert len(problems) == 2
    assert _named(problems, forged) and "someone other than the user it names" in problems[0]
    assert problems[1] == f"audit row {signed} is signed with a key the chain never introduced"


def test_only_the_recovery_key_signs_recovery_rows_and_nothing_else(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    recovery = RecoveryKey.parse(clinic_dir.recovery_key)
    # the front desk claims a recovery reset of its own account with a key it made
    mine, introduction = _made_up_key(desk.actor.user_id)
    claimed = _append(
        desk,
        desk.signer,
        AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY,
        target_type="user",
        target_id=desk.actor.user_id,
        details=introduction,
    )
    used = _append(desk, mine, AuditAction.CLIENT_VIEWED, target_type="client", target_id=1)
    # the recovery key itself may not add users
    stranger = uuid.uuid4()
    _, stranger_key = _made_up_key(stranger)
    root_added = _append(
        desk,
        recovery_signer(desk.actor.user_id, recovery),
        AuditAction.USER_ADDED,
        target_type="user",
        target_id=stranger,
        details={"role": Role.OWNER.value, **stranger_key},
    )
    # nor create the clinic a second time (with a new "first owner")
    _, again_key = _made_up_key(stranger)
    recreated = _append(
        desk,
        recovery_signer(stranger, recovery),
        AuditAction.CLINIC_CREATED,
        target_type="clinic",
        target_id=uuid.uuid4(),
        details=again_key,
    )
    problems = _report(desk).problems
    assert _named(problems, claimed) and "not signed with the recovery key" in problems[0]
    assert problems[1] == f"audit row {used} is signed with a key the chain never introduced"
    assert problems[2] == (
        f"audit row {root_added} is signed with the recovery key, which does not sign user.added"
    )
    assert _named(problems, recreated) and "a second time" in problems[3]
    assert len(problems) == 4


def test_a_failed_verify_appends_nothing(clinic_dir: ClinicFixture) -> None:
    from hrclinic.errors import WrongCredentials

    desk = clinic_dir.login(FRONT_DESK)
    _retire_the_owner(desk)
    key = desk.keys.registry_key
    lock(desk)
    with pytest.raises(WrongCredentials):
        clinic_dir.login((CLINICIAN[0], "not the password"))  # a failed log-in waits to be audited
    before = _row_count(clinic_dir, key)
    report = verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    assert not report.sound and any("not an owner" in p for p in report.problems)
    assert _row_count(clinic_dir, key) == before
    owner = clinic_dir.login(OWNER)  # the failed log-in is audited by the next real log-in instead
    with owner.uow() as uow:
        later = set(uow.session.scalars(select(AuditEventRecord.action).where(AuditEventRecord.seq > before)))
    assert AuditAction.LOGIN_FAILED in later


def _downgrade(clinic_dir: ClinicFixture, registry_key: bytes) -> None:
    """Bring the database back to revision 0002, as an older version of the app left it."""
    from alembic import command
    from alembic.config import Config

    from hrclinic.paths import migrations_dir
    from hrclinic.store.engine import sqlcipher_engine

    engine = sqlcipher_engine(clinic_dir.data_dir / "clinic.db", registry_key)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrations_dir()))
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    engine.dispose()


def test_a_failed_verify_does_not_record_the_upgrade_it_made(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    _retire_the_owner(desk)
    key = desk.keys.registry_key
    lock(desk)
    _downgrade(clinic_dir, key)
    before = _row_count(clinic_dir, key)
    assert not verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF).sound
    assert _row_count(clinic_dir, key) == before


def test_a_sound_verify_records_the_upgrade_and_itself_after_the_check(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrclinic.services import verify

    checked = verify.check_unlocked
    # the fixture's rings use fast Argon2id parameters, which verify rightly calls weak
    monkeypatch.setattr(verify, "check_unlocked", lambda c, **kw: checked(c, **{**kw, "kdf_floor": FAST_KDF}))
    owner = clinic_dir.login(OWNER)
    key = owner.keys.registry_key
    lock(owner)
    _downgrade(clinic_dir, key)
    before = _row_count(clinic_dir, key)
    report = verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    assert report.sound, report.problems
    owner = clinic_dir.login(OWNER)
    with owner.uow() as uow:
        actions = list(
            uow.session.scalars(
                select(AuditEventRecord.action)
                .where(AuditEventRecord.seq > before)
                .order_by(AuditEventRecord.seq)
            )
        )
    assert actions[:2] == [AuditAction.DATABASE_UPGRADED, AuditAction.VERIFIED]


def _row_count(clinic_dir: ClinicFixture, registry_key: bytes) -> int:
    """Count audit rows with raw SQL and the registry key, without opening the clinic (which writes)."""
    from hrclinic.store.engine import sqlcipher_engine

    engine = sqlcipher_engine(clinic_dir.data_dir / "clinic.db", registry_key)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one())
    finally:
        engine.dispose()


def _user_id(clinic: UnlockedClinic, username: str) -> uuid.UUID:
    return next(u.id for u in users.list_users(clinic) if u.username == username)


def test_a_recovery_reset_is_vouched_for_by_the_recovery_key(clinic_dir: ClinicFixture) -> None:
    restored = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, "therapist", clinic_dir.recovery_key, "after recovery 77", kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    clients.register_client(restored, "Signed with the new key")
    assert _report(restored).problems == []


def test_deactivated_users_keys_are_retired_in_the_chain_not_only_in_the_table(
    clinic_dir: ClinicFixture,
) -> None:
    owner = clinic_dir.login(OWNER)
    desk_id = next(u.id for u in users.list_users(owner) if u.username == "frontdesk")
    users.deactivate_user(owner, desk_id)
    assert _report(owner).problems == []
    with owner.uow() as uow:
        targets = uow.session.scalars(
            select(AuditEventRecord.target_id).where(AuditEventRecord.action == AuditAction.USER_DEACTIVATED)
        )
        assert str(desk_id) in set(targets)
