"""Reading typed questionnaire answers (pure, no Rasa import).

A typed answer is mapped to a point of the answer scale, or to one option of a
choice question, only when that can be done safely: otherwise the caller asks
again. The phrases live in ``actions/content/answer_scale.yml`` and
``questions.yml``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from actions.scoring import SCALE_MAX, SCALE_MIN

FUZZY_CUTOFF = 0.85
FUZZY_MIN_CHARS = 4
FUZZY_MAX_TOKENS = 4

K = TypeVar("K")

_NON_WORD = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_APOSTROPHES = re.compile(r"['’‘`´]")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lowercase, drop accents/apostrophes/punctuation, squeeze letters typed 3+ times."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _APOSTROPHES.sub("", plain)
    plain = _NON_WORD.sub(" ", plain)
    plain = _REPEATS.sub(r"\1\1", plain)
    return " ".join(plain.split())


def _match_phrases(
    text: str,
    table: Mapping[K, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
) -> K | None:
    """Find the one key whose phrases occur in ``text``, or None when unclear.

    Phrases match as whole words; overlapping matches are resolved longest
    first. ``weak`` phrases (bare "ja"/"nee") only count when nothing else
    matched. A ``negations`` word right before or after a match that is not
    itself part of a known phrase ("zeker niet" when only "zeker" is known)
    makes the text unclear, as do different keys in what is left.
    """
    tokens = normalise(text).split()
    if not tokens:
        return None
    weak_norm = {normalise(phrase) for phrase in weak}
    negation_words = {normalise(word) for word in negations}
    candidates: list[tuple[int, int, int, K, bool]] = []
    for key, phrases in table.items():
        for phrase in phrases:
            norm = normalise(phrase)
            words = norm.split()
            if not words:
                continue
            for start in range(len(tokens) - len(words) + 1):
                if tokens[start : start + len(words)] == words:
                    candidates.append(
                        (len(words), len(norm), start, key, norm in weak_norm)
                    )
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    taken: set[int] = set()
    chosen: list[tuple[K, bool]] = []
    edges: set[int] = set()
    for n_words, _, start, key, is_weak in candidates:
        span = set(range(start, start + n_words))
        if span & taken:
            continue
        taken |= span
        chosen.append((key, is_weak))
        edges |= {start - 1, start + n_words}
    if any(
        0 <= i < len(tokens) and i not in taken and tokens[i] in negation_words
        for i in edges
    ):
        return None
    if any(not is_weak for _, is_weak in chosen):
        chosen = [(key, is_weak) for key, is_weak in chosen if not is_weak]
    keys = {key for key, _ in chosen}
    if len(keys) == 1:
        return next(iter(keys))
    if keys:
        return None
    return _fuzzy_match(" ".join(tokens), table)


def _fuzzy_match(norm: str, table: Mapping[K, Sequence[str]]) -> K | None:
    """Typo tolerance for short messages: a close match to exactly one key."""
    if len(norm) < FUZZY_MIN_CHARS or len(norm.split()) > FUZZY_MAX_TOKENS:
        return None
    owner: dict[str, K] = {}
    for key, phrases in table.items():
        for phrase in phrases:
            owner.setdefault(normalise(phrase), key)
    close = difflib.get_close_matches(norm, list(owner), n=3, cutoff=FUZZY_CUTOFF)
    keys = {owner[match] for match in close}
    return next(iter(keys)) if len(keys) == 1 else None


def parse_answer(
    text: str,
    scale: Mapping[int, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
) -> int | None:
    """Map a free-text answer to 1..5, or None when it cannot be read safely.

    ``scale`` maps each value to its phrases (button title included). A bare
    digit 1..5 is accepted. ``weak`` and ``negations`` as in the content file
    ``answer_scale.yml``. None means: ask again, never guess.
    """
    norm = normalise(text)
    if norm.isdigit():
        number = int(norm)
        return number if SCALE_MIN <= number <= SCALE_MAX else None
    value = _match_phrases(text, scale, weak, negations)
    return value if value is not None and SCALE_MIN <= value <= SCALE_MAX else None


def parse_choice(text: str, options: Mapping[str, Sequence[str]]) -> str | None:
    """Map free text to one option code (e.g. the relationship), or None."""
    return _match_phrases(text, options)
