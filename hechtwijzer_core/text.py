"""The one folding step every text reader starts with.

Readers add their own rules after it (the crisis detector spells out short forms
and laughing emoji, the answer reader drops punctuation); the folding itself is
the same everywhere: lower case, no accents, letters typed three or more times in
a row squeezed to two ("heeeel" -> "heel").
"""

from __future__ import annotations

import re
import unicodedata

_REPEATS = re.compile(r"([a-z])\1{2,}")


def unaccented(text: str) -> str:
    """Lower-case ``text`` and drop its accents ("Één" -> "een")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def squeeze_repeats(text: str) -> str:
    """Squeeze a letter repeated three or more times to two ("zooo" -> "zoo")."""
    return _REPEATS.sub(r"\1\1", text)


def fold(text: str) -> str:
    """Lower case, no accents, letters repeated three or more times squeezed."""
    return squeeze_repeats(unaccented(text))
