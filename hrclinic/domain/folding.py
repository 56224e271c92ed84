"""The one rule for matching what a person types against names and words: accent- and case-folding.

Every filter and search in the app (Clients, the duplicate check at intake, merge, Caseload, Flags,
Users, Today, the person pickers) compares folded text, so "lukasiewicz" finds "Łukasiewicz" and
"zoe" finds "Zoë" everywhere alike.
"""

from __future__ import annotations

import unicodedata

# Letters with a stroke, or without their dot, are not a base letter plus a combining mark, so NFKD
# leaves them whole; they fold to the letter people type for them. (Casefolding already gives "ss"
# for "ß".)
_STROKED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ı": "i", "ŧ": "t"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Zoë Łukasiewicz" -> "zoe lukasiewicz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_STROKED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
