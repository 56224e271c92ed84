"""Rules for user names, display names and passwords."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from hrclinic.domain.passwords import estimate, is_common_password
from hrclinic.domain.text import TextRefused, check_line, is_text, require_str

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_USERNAME_LENGTH = 64
MAX_DISPLAY_NAME_LENGTH = 200

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# zxcvbn's 0-4 score a new password must reach: 3 is "safely unguessable" in zxcvbn's terms, at
# least 10^10 guesses, which Argon2id at ~0.1 s a guess puts out of reach of an offline attack.
MIN_PASSWORD_SCORE = 3


def normalise_username(text: str) -> str:
    """The canonical form of a user name: trimmed, NFKC, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def username_problem(text: str) -> str | None:
    """Why a user name cannot be used, or None when it can (a non-str is a TypeError)."""
    if not is_text(require_str(text, "username")):
        return "The user name contains characters that are not valid text."
    name = normalise_username(text)
    if not name:
        return "Enter a user name."
    if len(name) > MAX_USERNAME_LENGTH:
        return f"A user name can be at most {MAX_USERNAME_LENGTH} characters."
    if not _USERNAME_RE.match(name):
        return (
            "A user name uses letters a-z, digits, dots, dashes or underscores, "
            "and starts with a letter or digit."
        )
    return None


def display_name_problem(text: str) -> str | None:
    """Why a display name cannot be used, or None when it can: the text rule for a name, stored
    exactly as typed but for the ends (a non-str is a TypeError)."""
    try:
        name = check_line(text, field="display_name", what="name", limit=MAX_DISPLAY_NAME_LENGTH)
    except TextRefused as refused:
        return refused.message
    if not name:
        return "Enter the name to show for this person."
    return None


@dataclass(frozen=True)
class PasswordAssessment:
    """A new password judged: why it is refused (or None), a 0-4 score and advice in plain words."""

    problem: str | None
    score: int
    advice: str

    @property
    def acceptable(self) -> bool:
        """True when the password may be used."""
        return self.problem is None


def assess_password(password: str, *, username: str = "") -> PasswordAssessment:
    """Judge a new password as NIST SP 800-63B asks: length, a breached-password list, guessability.

    There are no composition rules (any Unicode, spaces included); what counts is how guessable
    the password is (hrclinic.domain.passwords explains the list and the estimator).
    """
    if not password:
        return PasswordAssessment("Enter a password.", 0, "")
    if not is_text(password):
        return PasswordAssessment(
            "The password contains characters that are not valid text; retype it.", 0, ""
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordAssessment(
            f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words together work well).", 0, ""
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordAssessment(f"A password can be at most {MAX_PASSWORD_LENGTH} characters.", 0, "")
    if is_common_password(password):
        return PasswordAssessment(
            "This is one of the most common passwords, found in lists of leaked passwords. "
            "Choose something personal to you: a few uncommon words together work well.",
            0,
            "",
        )
    user = normalise_username(username)
    guess = estimate(password, (user,) if user else ())
    if user and len(user) >= 3 and user in password.casefold():
        return PasswordAssessment(
            "Do not include the user name in the password.", min(guess.score, 1), guess.advice
        )
    if guess.score < MIN_PASSWORD_SCORE:
        warning = guess.warning or "This password would be easy to guess."
        suggestions = " ".join(guess.suggestions) or "Add another word or two. Uncommon words are better."
        advice = f"{warning} {suggestions}"
        return PasswordAssessment(advice, guess.score, advice)
    return PasswordAssessment(None, guess.score, guess.advice)


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a password is too weak to protect clinical records, or None when it is acceptable."""
    return assess_password(password, username=username).problem


def password_strength(password: str, *, username: str = "") -> int:
    """zxcvbn's 0-4 score for a strength meter; a refused password never scores above 2."""
    return assess_password(password, username=username).score


FREE_ATTEMPTS = 3
MAX_LOGIN_DELAY_SECONDS = 60


def login_delay_seconds(recent_failures: int) -> int:
    """How long to wait before the next log-in attempt: none for the first few, then doubling."""
    if recent_failures < FREE_ATTEMPTS:
        return 0
    return int(min(MAX_LOGIN_DELAY_SECONDS, 2 ** min(recent_failures - FREE_ATTEMPTS + 1, 16)))


def seconds_until_next_attempt(recent_failures: int, last_failure: datetime | None, now: datetime) -> int:
    """Seconds left before the next attempt is tried: the delay for ``recent_failures``, counted from
    the last failure (whole seconds, rounded up; never more than the delay itself)."""
    delay = login_delay_seconds(recent_failures)
    if delay == 0 or last_failure is None:
        return 0
    left = math.ceil(delay - (now - last_failure).total_seconds())
    return max(0, min(delay, left))
