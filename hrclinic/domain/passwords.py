"""How guessable a password is: a blocklist of breached passwords and the zxcvbn estimator.

NIST SP 800-63B (5.1.1.2) asks a verifier to check every new password against a list of commonly
used, expected or compromised values, and not to impose composition rules. Both checks here use
the installed ``zxcvbn`` package (MIT licence, maintained at github.com/dwolfhub/zxcvbn-python, a
port of Dropbox's estimator) and ship nothing of our own:

- the blocklist is zxcvbn's own ``passwords`` frequency list (``zxcvbn.frequency_lists``): the
  30,000 most common passwords of Mark Burnett's corpus of ten million leaked ones, ranked by how
  often they occur. It is read from the installed package at run time rather than copied into this
  repository, so upgrading zxcvbn upgrades the list;
- the score (0-4) and the feedback come from ``zxcvbn.zxcvbn``, which also finds dictionary
  words, names, keyboard walks, repeats, sequences, dates and l33t substitutions.

zxcvbn costs ~30 ms to import and is needed only when someone sets a password, so it is imported
on first use, never when the log-in window opens.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

# zxcvbn refuses longer input (its matching grows quickly with length). The first 72 characters
# decide: a password whose first 72 characters are hard to guess is hard to guess.
ESTIMATOR_MAX_LENGTH = 72

# zxcvbn keeps the caller's user inputs in a module-level dictionary for the length of one call,
# so two threads estimating at once (the meter on the GUI thread, a service on a worker) must not
# interleave.
_ESTIMATOR_LOCK = threading.Lock()


@dataclass(frozen=True)
class Guessability:
    """What the estimator thinks of a password: a 0-4 score and its advice in plain words."""

    score: int
    warning: str
    suggestions: tuple[str, ...]

    @property
    def advice(self) -> str:
        """The warning and suggestions as one or two plain sentences (empty when there are none)."""
        return " ".join(part for part in (self.warning, *self.suggestions) if part)


@functools.cache
def _blocklist() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """True when the password (ignoring case and spaces) is on the list of breached passwords."""
    folded = password.casefold()
    listed = _blocklist()
    return folded in listed or "".join(folded.split()) in listed


def estimate(password: str, user_inputs: tuple[str, ...] = ()) -> Guessability:
    """zxcvbn's score (0 = guessed at once .. 4 = very hard) and feedback for ``password``."""
    from zxcvbn import zxcvbn

    with _ESTIMATOR_LOCK:
        result: dict[str, Any] = zxcvbn(
            password[:ESTIMATOR_MAX_LENGTH], user_inputs=list(user_inputs), max_length=ESTIMATOR_MAX_LENGTH
        )
    feedback = result.get("feedback") or {}
    return Guessability(
        score=int(result["score"]),
        warning=str(feedback.get("warning") or ""),
        suggestions=tuple(str(s) for s in feedback.get("suggestions") or ()),
    )
