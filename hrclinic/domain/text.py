"""The one rule for text a person types, and the one error it raises.

Every service that stores typed text (intake and the registry, scheduling, outreach, consents,
notes, drafts, user display names, the clinic's name) cleans it here, so the same text is accepted
or refused the same way everywhere, with a sentence that says why.

Text is kept as typed: nothing is normalised or silently dropped. What is refused:

- text that cannot be stored as UTF-8 (lone surrogates from a broken paste or terminal);
- control characters (line breaks and tabs are allowed in multi-line text only);
- in one-line text (names, phone numbers, short answers): bidirectional controls and invisible
  format characters, which can make a name display as something else ("Evil\\u202eenohp.exe"
  shows as "Evilexe.phone") or make two names that look the same differ;
- in multi-line text: the bidirectional embedding and override controls, which reorder everything
  after them;
- text longer than the field's limit.

A value of the wrong Python type is a programming error, not a person's mistake: it raises
``TypeError`` naming the field, instead of storing "None" or "123".
"""

from __future__ import annotations

import unicodedata

from hrclinic.errors import ValidationError

MAX_LINE = 2000
MAX_TEXT = 20_000

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO): they reorder everything after them.
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")
# Isolates (LRI, RLI, FSI, PDI) and the direction marks (LRM, RLM, ALM).
_ISOLATES_AND_MARKS = frozenset("\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that take no space: zero-width space, word joiner, byte-order mark, Mongolian vowel
# separator, the invisible operators and the deprecated format controls.
_INVISIBLE = frozenset("\u200b\u2060\ufeff\u180e\u2061\u2062\u2063\u2064") | frozenset(
    chr(c) for c in range(0x206A, 0x2070)
)
# Zero-width non-joiner and joiner: needed inside Persian, Arabic and Indic words and emoji
# sequences (👨‍👩‍👧), meaningless (and only able to hide a difference) anywhere else.
_JOINERS = frozenset("\u200c\u200d")
# Scripts that never join: Latin, IPA, Greek, Cyrillic.
_NON_JOINING_END = 0x0530
_LINE_BREAKS = ("\r\n", "\r", "\n", "\u2028", "\u2029")


class TextRefused(ValidationError):
    """Typed text that cannot be stored as it is; ``field`` names where it was typed."""

    field: str

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


def is_text(value: str) -> bool:
    """False for strings that cannot be stored as UTF-8 (lone surrogates from a broken terminal)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_line(text: object, *, field: str, what: str, limit: int = MAX_LINE) -> str:
    """A one-line answer, trimmed; a pasted line break or tab becomes a space. Refuses what
    :func:`check_line` refuses."""
    value = require_str(text, field)
    for brk in (*_LINE_BREAKS, "\t"):
        value = value.replace(brk, " ")
    return check_line(value, field=field, what=what, limit=limit)


def check_line(text: object, *, field: str, what: str, limit: int = MAX_LINE) -> str:
    """A one-line value accepted exactly as typed, or refused with a sentence; returns it trimmed.

    For callers that store what they were given (so nothing may be changed but the ends): a line
    break or tab inside the text is refused rather than replaced."""
    value = require_str(text, field)
    _refuse_unencodable(value, field, what)
    trimmed = value.strip()
    for index, ch in enumerate(trimmed):
        if ch in "\n\r\t\u2028\u2029":
            raise TextRefused(f"The {what} should be on one line.", field=field)
        if unicodedata.category(ch) == "Cc":
            raise _control(ch, field, what)
        if ch in _EMBEDDINGS or ch in _ISOLATES_AND_MARKS or ch in _INVISIBLE:
            raise _hiding(ch, field, what)
        if ch in _JOINERS and not _joins(trimmed, index):
            raise _hiding(ch, field, what)
    _refuse_long(trimmed, field, what, limit)
    return trimmed


def clean_text(text: object, *, field: str, what: str, limit: int = MAX_TEXT) -> str:
    """A multi-line answer kept as said (not trimmed): line endings become "\\n"; line breaks and
    tabs are kept; other control characters and the embedding and override controls are refused."""
    value = require_str(text, field)
    _refuse_unencodable(value, field, what)
    for brk in _LINE_BREAKS:
        value = value.replace(brk, "\n")
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            raise _control(ch, field, what)
        if ch in _EMBEDDINGS:
            raise _hiding(ch, field, what)
    _refuse_long(value, field, what, limit)
    return value


def require_str(value: object, field: str) -> str:
    """``value`` itself when it is a str; otherwise a ``TypeError`` naming ``field`` and the type
    received (a programming error at a service's boundary, never a person's mistake)."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    return value


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _refuse_unencodable(value: str, field: str, what: str) -> None:
    if is_text(value):
        return
    bad = next(ch for ch in value if 0xD800 <= ord(ch) <= 0xDFFF)
    raise TextRefused(
        f"The {what} contains a broken character that is not valid text ({_code(bad)}); retype it.",
        field=field,
    )


def _control(ch: str, field: str, what: str) -> TextRefused:
    return TextRefused(
        f"The {what} contains invisible control characters ({_code(ch)}); retype it.", field=field
    )


def _hiding(ch: str, field: str, what: str) -> TextRefused:
    return TextRefused(
        f"The {what} contains an invisible character that can reorder or hide text ({_code(ch)}); retype it.",
        field=field,
    )


def _joins(text: str, index: int) -> bool:
    """A joiner counts only between two visible characters of a script (or emoji) that joins."""
    if index == 0 or index == len(text) - 1:
        return False
    for neighbour in (text[index - 1], text[index + 1]):
        if ord(neighbour) < _NON_JOINING_END or neighbour.isspace():
            return False
        if unicodedata.category(neighbour).startswith("C"):
            return False
    return True


def _refuse_long(value: str, field: str, what: str, limit: int) -> None:
    if len(value) > limit:
        raise TextRefused(f"The {what} can be at most {limit:,} characters.", field=field)
