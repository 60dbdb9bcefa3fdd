"""The one folding step every text reader starts with, and the typo distance.

Readers add their own rules after it (the crisis detector spells out short forms
and laughing emoji, the answer reader drops punctuation); the folding itself is
the same everywhere: lower case, no accents, letters typed three or more times in
a row squeezed to two ("heeeel" -> "heel"). Readers that forgive typos measure
them with :func:`within_edits`.
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


def within_edits(a: str, b: str, limit: int, swaps: bool = False) -> bool:
    """True when ``a`` is at most ``limit`` edits from ``b`` (stops as soon as it is not).

    Edits: a letter added, left out or changed; with ``swaps`` also two
    neighbouring letters swapped, counted as one ("nabijhied").
    """
    if abs(len(a) - len(b)) > limit:
        return False
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)
            )
            if swaps and before and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit
