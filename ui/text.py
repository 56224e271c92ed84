"""Text people typed (names, the clinic's name) placed inside the app's own words.

A name is shown as a unit that cannot reorder the text around it. The services refuse direction
controls in names, but records made before that rule (or copied in from elsewhere) may hold them:
"Evil\u202eenohp.exe" would show as "Evilexe.phone" and turn the rest of a status message
around it right-to-left. Wrapped in a first-strong isolate (U+2068 ... U+2069), the name keeps its
own direction and everything after it stays where it was.
"""

from __future__ import annotations

import unicodedata

FSI = "\u2068"  # first strong isolate: the name's direction comes from its own first letter
PDI = "\u2069"  # pop directional isolate: the end of the name

_INITIATORS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
# Bidirectional classes that can move text around them: right-to-left letters, Arabic digits and
# the explicit embeddings, overrides and isolates. A name of left-to-right letters, digits and
# punctuation cannot reorder the app's left-to-right words, so it is left exactly as it is (it
# then also copies and pastes without invisible characters).
_REORDERING = frozenset({"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def isolate(text: str) -> str:
    """``text`` wrapped so it can never reorder the words around it (unchanged when it cannot)."""
    if not any(unicodedata.bidirectional(ch) in _REORDERING for ch in text):
        return text
    kept, depth = [], 0
    for ch in text:
        if ch in _INITIATORS:
            depth += 1
        elif ch == PDI:
            if depth == 0:
                continue  # a stray PDI would end our isolate early and let the rest escape it
            depth -= 1
        kept.append(ch)
    return f"{FSI}{''.join(kept)}{PDI}"
