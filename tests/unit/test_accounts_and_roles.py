"""Password, user-name and role rules."""

from __future__ import annotations

import itertools

import pytest

from hrclinic.domain.accounts import (
    normalise_username,
    password_problem,
    password_strength,
    username_problem,
)
from hrclinic.domain.roles import Permission, Role, holds_clinical_vault, may


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("", "Enter a password"),
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "Repeats"),
        ("password123", "most common"),
        ("xx-owner-xx-1", "user name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str) -> None:
    problem = password_problem(password, username="owner")
    assert problem is not None and fragment in problem


def test_a_long_personal_passphrase_is_accepted_and_scores_high() -> None:
    assert password_problem("river stones at dawn 7", username="maya") is None
    assert password_strength("river stones at dawn 7") >= 3
    assert password_strength("short") == 0


def test_unicode_passwords_are_accepted() -> None:
    assert password_problem("Zoë-Алексей-Nguyễn", username="zoe") is None


def test_usernames_are_normalised_and_checked() -> None:
    assert normalise_username("  Maya.Rivera ") == "maya.rivera"
    assert username_problem("maya.rivera") is None
    assert username_problem("") == "Enter a user name."
    assert "letters" in (username_problem("maya rivera") or "")
    assert "at most" in (username_problem("a" * 65) or "")


def test_front_desk_cannot_read_clinical_content_or_manage_users() -> None:
    assert not holds_clinical_vault(Role.FRONT_DESK)
    assert not may(Role.FRONT_DESK, Permission.READ_CLINICAL)
    assert not may(Role.FRONT_DESK, Permission.MANAGE_USERS)
    assert may(Role.FRONT_DESK, Permission.EDIT_REGISTRY)


def test_clinicians_hold_clinical_but_do_not_manage_users() -> None:
    assert holds_clinical_vault(Role.CLINICIAN)
    assert not may(Role.CLINICIAN, Permission.MANAGE_USERS)
    assert all(may(Role.OWNER, p) for p in Permission)


def test_roles_parse_from_what_people_type() -> None:
    assert Role.parse("Front desk") is Role.FRONT_DESK
    assert Role.parse("front-desk") is Role.FRONT_DESK
    with pytest.raises(ValueError, match="choose one of"):
        Role.parse("admin")


def test_login_delay_grows_after_a_few_free_attempts_and_is_capped() -> None:
    from hrclinic.domain.accounts import login_delay_seconds

    delays = [login_delay_seconds(n) for n in range(12)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3] > 0 and all(a <= b for a, b in itertools.pairwise(delays))
    assert max(delays) == 60
