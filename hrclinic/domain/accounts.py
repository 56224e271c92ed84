"""Rules for user names, display names and passwords."""

from __future__ import annotations

import re
import unicodedata

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_USERNAME_LENGTH = 64
MAX_DISPLAY_NAME_LENGTH = 200

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# The most common passwords and keyboard walks that still pass a length rule.
_COMMON = frozenset(
    {
        "password12",
        "password123",
        "password1234",
        "passw0rd12",
        "1234567890",
        "0123456789",
        "qwertyuiop",
        "asdfghjkl1",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "changeme12",
        "abcdefghij",
        "abc1234567",
        "trustno1234",
        "qwerty1234",
        "1q2w3e4r5t",
        "zaq12wsxcde",
        "administrator",
        "football12",
    }
)


def is_text(value: str) -> bool:
    """False for strings that cannot be stored as UTF-8 (lone surrogates from a broken terminal)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalise_username(text: str) -> str:
    """The canonical form of a user name: trimmed, NFKC, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def username_problem(text: str) -> str | None:
    """Why a user name cannot be used, or None when it can."""
    if not is_text(text):
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
    """Why a display name cannot be used, or None when it can."""
    name = text.strip()
    if not name:
        return "Enter the name to show for this person."
    if not is_text(name):
        return "The name contains characters that are not valid text; retype it."
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        return f"A name can be at most {MAX_DISPLAY_NAME_LENGTH} characters."
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "The name contains control characters; retype it."
    return None


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a password is too weak to protect clinical records, or None when it is acceptable."""
    if not password:
        return "Enter a password."
    if not is_text(password):
        return "The password contains characters that are not valid text; retype it."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words together work well)."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"A password can be at most {MAX_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use more different characters; repeated characters are easy to guess."
    lowered = password.casefold()
    if lowered in _COMMON:
        return "This is one of the most common passwords; choose something personal to you."
    user = normalise_username(username)
    if user and len(user) >= 3 and user in lowered:
        return "Do not include the user name in the password."
    return None


def password_strength(password: str) -> int:
    """A rough 0-4 strength score for showing a meter (0 = unacceptable)."""
    if password_problem(password) is not None:
        return 0
    classes = sum(
        bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    score = 1
    if len(password) >= 14:
        score += 1
    if len(password) >= 20:
        score += 1
    if classes >= 3:
        score += 1
    return min(score, 4)


FREE_ATTEMPTS = 3
MAX_LOGIN_DELAY_SECONDS = 60


def login_delay_seconds(recent_failures: int) -> int:
    """How long to wait before the next log-in attempt: none for the first few, then doubling."""
    if recent_failures < FREE_ATTEMPTS:
        return 0
    return int(min(MAX_LOGIN_DELAY_SECONDS, 2 ** (recent_failures - FREE_ATTEMPTS + 1)))
