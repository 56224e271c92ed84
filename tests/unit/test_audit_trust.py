"""The trust table's rules, row by row, without a database or real signatures."""

from __future__ import annotations

from itertools import count

import pytest

from hrclinic.domain.audit import AuditAction, AuditContent, DetailValue, key_introduction
from hrclinic.domain.audit_trust import TrustTable
from hrclinic.domain.roles import Role

ROOT, OWNER, DESK, NEW = "root-key", "owner", "desk", "newcomer"


class Chain:
    """A trust table fed with rows as an honest (or dishonest) clinic would write them: created by
    the recovery root with its first owner, who added a front-desk user."""

    def __init__(self) -> None:
        self.trust = TrustTable(ROOT, b"r" * 32)
        self.seq = count(1)
        self.keys = count(1)
        self.problems: list[str] = []
        self.owner_key = self.introduce(ROOT, OWNER, AuditAction.CLINIC_CREATED, OWNER)
        self.desk_key = self.introduce(self.owner_key, OWNER, AuditAction.USER_ADDED, DESK, role="front_desk")

    def row(
        self,
        signer_key: str,
        actor: str,
        action: AuditAction,
        *,
        target: str | None = None,
        details: dict[str, DetailValue] | None = None,
    ) -> str | None:
        content = AuditContent(
            seq=next(self.seq),
            at="2026-01-01T00:00:00+00:00",
            actor_id=actor,
            action=str(action),
            target_type="user" if target else None,
            target_id=target,
            details=details or {},
            signer_key_id=signer_key,
        )
        problem = self.trust.signer_problem(content) or self.trust.apply(content)
        if problem:
            self.problems.append(problem)
        return problem

    def introduce(
        self, signer_key: str, actor: str, action: AuditAction, user: str, **extra: DetailValue
    ) -> str:
        key_id = f"key-{next(self.keys)}"
        details = {**extra, **key_introduction(user, key_id, bytes(32))}
        target = None if action == AuditAction.CLINIC_CREATED else user
        self.row(signer_key, actor, action, target=target, details=details)
        return key_id


@pytest.fixture
def chain() -> Chain:
    chain = Chain()
    assert chain.problems == []
    return chain


def test_the_first_owner_comes_from_the_recovery_root_and_users_from_owners(chain: Chain) -> None:
    keys = chain.trust.keys
    assert keys[chain.owner_key].role is Role.OWNER
    assert keys[chain.desk_key].role is Role.FRONT_DESK
    assert keys[ROOT].is_recovery_root and keys[ROOT].role is None


def test_a_non_owner_changes_no_keys(chain: Chain) -> None:
    desk_key = chain.desk_key
    before = dict(chain.trust.keys)
    for action, details in (
        (AuditAction.USER_ADDED, {"role": "owner", **key_introduction(OWNER, "planted", bytes(32))}),
        (AuditAction.PASSWORD_RESET_BY_OWNER, key_introduction(OWNER, "planted", bytes(32))),
        (AuditAction.USER_REACTIVATED, key_introduction(OWNER, "planted", bytes(32))),
        (AuditAction.USER_DEACTIVATED, {}),
        (AuditAction.USER_ROLE_CHANGED, {"role": "front_desk"}),
    ):
        assert "not an owner" in (chain.row(desk_key, DESK, action, target=OWNER, details=details) or "")
    assert "not an owner" in (
        chain.row(desk_key, DESK, AuditAction.USER_ROLE_CHANGED, target=DESK, details={"role": "owner"}) or ""
    )
    assert chain.trust.keys == before


def test_recovery_rows_need_the_recovery_key(chain: Chain) -> None:
    owner_key = chain.owner_key
    problem = chain.row(
        owner_key,
        OWNER,
        AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY,
        target=OWNER,
        details=key_introduction(OWNER, "k", bytes(32)),
    )
    assert problem and "not signed with the recovery key" in problem and "k" not in chain.trust.keys
    assert "does not sign user.added" in (
        chain.row(ROOT, OWNER, AuditAction.USER_ADDED, target=NEW, details={"role": "owner"}) or ""
    )
    second = chain.introduce(ROOT, NEW, AuditAction.CLINIC_CREATED, NEW)
    assert "a second time" in chain.problems[-1] and second not in chain.trust.keys


def test_an_introduction_must_be_for_its_target_and_describe_a_new_key(chain: Chain) -> None:
    owner_key = chain.owner_key
    for details, expected in (
        (key_introduction(DESK, "k1", bytes(32)), "someone other than the user it names"),
        ({"role": "clinician", **key_introduction(NEW, "k2", b"short")}, "does not describe"),
        ({"signing_key_id": "k3", "key_owner": NEW, "signing_public": "zz"}, "does not describe"),
        ({"role": "owner", **key_introduction(NEW, ROOT, bytes(32))}, "already knows"),
        ({"role": "owner", **key_introduction(NEW, owner_key, bytes(32))}, "already knows"),
    ):
        problem = chain.row(owner_key, OWNER, AuditAction.USER_ADDED, target=NEW, details=details)
        assert problem and expected in problem
    assert set(chain.trust.keys) == {ROOT, owner_key, chain.desk_key}
    assert chain.trust.keys[ROOT].is_recovery_root


def test_a_missing_or_unknown_role_gives_no_authority(chain: Chain) -> None:
    owner_key = chain.owner_key
    for role in (None, "superuser"):
        extra: dict[str, DetailValue] = {} if role is None else {"role": role}
        key = chain.introduce(owner_key, OWNER, AuditAction.USER_ADDED, f"user-{role}", **extra)
        assert chain.trust.keys[key].role is None
        assert "not an owner" in (
            chain.row(key, f"user-{role}", AuditAction.USER_DEACTIVATED, target=OWNER) or ""
        )
    assert not chain.trust.keys[owner_key].retired


def test_resets_keep_the_role_and_role_changes_re_role_every_key(chain: Chain) -> None:
    owner_key, desk_key = chain.owner_key, chain.desk_key
    by_owner = chain.introduce(owner_key, OWNER, AuditAction.PASSWORD_RESET_BY_OWNER, DESK)
    by_root = chain.introduce(ROOT, DESK, AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY, DESK)
    keys = chain.trust.keys
    assert {keys[k].role for k in (desk_key, by_owner, by_root)} == {Role.FRONT_DESK}
    chain.row(owner_key, OWNER, AuditAction.USER_ROLE_CHANGED, target=DESK, details={"role": "owner"})
    assert {chain.trust.keys[k].role for k in (desk_key, by_owner, by_root)} == {Role.OWNER}
    # now an owner, the former front desk may manage users
    assert chain.row(by_root, DESK, AuditAction.USER_ROLE_CHANGED, target=OWNER, details={}) is None
    assert chain.trust.keys[owner_key].role is None  # a role change without a role: no authority
    assert "not an owner" in (chain.row(owner_key, OWNER, AuditAction.USER_DEACTIVATED, target=DESK) or "")
    assert len(chain.problems) == 1


def test_deactivation_retires_the_keys_and_reactivation_introduces_a_new_one(chain: Chain) -> None:
    owner_key, desk_key = chain.owner_key, chain.desk_key
    assert chain.row(owner_key, OWNER, AuditAction.USER_DEACTIVATED, target=DESK) is None
    assert "retired" in (chain.row(desk_key, DESK, AuditAction.CLIENT_VIEWED) or "")
    back = chain.introduce(owner_key, OWNER, AuditAction.USER_REACTIVATED, DESK)
    assert chain.trust.keys[back].role is Role.FRONT_DESK and not chain.trust.keys[back].retired
    assert chain.trust.keys[desk_key].retired  # the old key stays retired
    assert chain.row(back, DESK, AuditAction.CLIENT_VIEWED) is None


def test_a_password_change_changes_no_keys(chain: Chain) -> None:
    desk_key = chain.desk_key
    before = dict(chain.trust.keys)
    details = key_introduction(DESK, "k", bytes(32))
    assert chain.row(desk_key, DESK, AuditAction.PASSWORD_CHANGED, target=DESK, details=details) is None
    assert chain.trust.keys == before


def test_only_an_owner_or_the_recovery_root_starts_or_completes_a_rotation(chain: Chain) -> None:
    owner_key, desk_key = chain.owner_key, chain.desk_key
    for action in (AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATION_COMPLETED):
        problem = chain.row(desk_key, DESK, action, details={"epoch": 1})
        assert problem and "neither an owner nor the recovery key" in problem
        assert chain.row(owner_key, OWNER, action, details={"epoch": 1}) is None
        assert chain.row(ROOT, DESK, action, details={"epoch": 1}) is None  # a recovery reset's rotation
    # the root signs the refusal of a recovery reset too, and still nothing else
    assert chain.row(ROOT, DESK, AuditAction.USER_ROLE_NOT_VOUCHED, target=DESK) is None
    assert "does not sign client.viewed" in (chain.row(ROOT, DESK, AuditAction.CLIENT_VIEWED) or "")
    assert len(chain.problems) == 3
