"""The password rule: NIST SP 800-63B's blocklist and length, zxcvbn's estimate, no composition rules."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hrclinic.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_SCORE,
    assess_password,
    password_problem,
    password_strength,
)
from hrclinic.domain.passwords import is_common_password


@pytest.mark.parametrize(
    "password",
    ["password123", "iloveyou", "qwertyuiop", "1q2w3e4r5t", "Password123", "PASSWORD123", "1234567890"],
)
def test_breached_passwords_are_on_the_blocklist_whatever_their_case(password: str) -> None:
    assert is_common_password(password)
    assert password_problem(password) is not None  # too short, or on the list


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "manchester"])
def test_a_ten_character_blocklisted_password_is_refused_for_being_on_the_list(password: str) -> None:
    problem = password_problem(password, username="someone")
    assert problem is not None and "most common passwords" in problem
    assert "leaked" in problem


def test_the_blocklist_is_zxcvbns_breached_password_list_read_from_the_installed_package() -> None:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    listed = FREQUENCY_LISTS["passwords"]
    assert len(listed) >= 10_000
    assert all(is_common_password(word) for word in listed[:500])
    assert not is_common_password("lantern meadow 41")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "lantern meadow 41",  # the test suite's own passwords
        "quiet harbour 52",
        "paper kites 63",
        "river stones at dawn 7",
        "the kettle sings at seven",
    ],
)
def test_a_long_passphrase_passes_without_digits_symbols_or_capitals(password: str) -> None:
    assessment = assess_password(password, username="owner")
    assert assessment.acceptable, assessment.problem
    assert assessment.score >= MIN_PASSWORD_SCORE


@pytest.mark.parametrize(
    "password",
    [
        "Zoë Łukasiewicz mag góry",
        "Алексей любит чай с мёдом",
        "日本語のパスワードです",
        "🙂 kettle 🙂 harbour 🙂",
    ],
)
def test_unicode_passphrases_pass(password: str) -> None:
    assert password_problem(password, username="zoe") is None


def test_the_longest_allowed_password_is_accepted() -> None:
    # beyond zxcvbn's 72 characters the first 72 decide; a varied opening is hard to guess
    varied = ("orchid lantern quay bramble fjord cinnamon tuesday " * 30)[:MAX_PASSWORD_LENGTH]
    assert len(varied) == MAX_PASSWORD_LENGTH
    assert password_problem(varied) is None
    assert "at most 1024" in (password_problem(varied + "x") or "")


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("maya river stones 9", "maya"),
        ("stones-OWNER-at-dawn", "owner"),
        ("therapist garden 44", "Therapist"),
    ],
)
def test_a_password_containing_the_user_name_is_refused(password: str, username: str) -> None:
    assessment = assess_password(password, username=username)
    assert assessment.problem == "Do not include the user name in the password."
    assert assessment.score <= 1


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "Password1!", "correcthorse", "abcdefghijk", "qazwsxedcrfvtgb"]
)
def test_weak_passwords_are_refused_with_the_estimators_advice_in_plain_words(password: str) -> None:
    assessment = assess_password(password)
    assert not assessment.acceptable
    assert assessment.score < MIN_PASSWORD_SCORE
    assert assessment.problem and len(assessment.problem) > 20
    assert assessment.problem.endswith(".")


def test_the_advice_names_what_is_wrong() -> None:
    assert 'Repeats like "aaa"' in (password_problem("aaaaaaaaaaaa") or "")
    assert "Add another word" in (password_problem("correcthorse") or "")


def test_the_meter_score_never_shows_a_refused_password_as_strong() -> None:
    assert password_strength("short") == 0
    assert password_strength("password123") == 0
    assert password_strength("maya river stones 9", username="maya") <= 1
    assert password_strength("river stones at dawn 7") >= MIN_PASSWORD_SCORE


def test_no_composition_rule_is_left() -> None:
    # all lower case letters and spaces, no digit, no symbol: fine when hard to guess
    assert password_problem("plum ferry over quiet gravel") is None


def test_importing_the_rules_does_not_load_the_estimator() -> None:
    code = "import sys, hrclinic.domain.accounts; print('zxcvbn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
