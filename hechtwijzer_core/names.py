"""Finding the names of concepts in a message, with the slips people make.

Both servers read names the same way: the bot's NLU component to decide what a
question is about, the action server to answer it. A name is found when its words
stand in the text as whole words, and also when a word is off by one typo
("sleutlervaring", "nabijhied"; two in a name of eleven letters or more) or is
glued into a compound with a known head or tail ("hechtingscontinuum",
"symptoomniveau"). Short names (fewer than seven letters) are only ever read exactly:
a typo there is too often another word.

Pure: no Rasa import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Mapping, Sequence, Tuple

from hechtwijzer_core.text import unaccented

NAME_READING_KEYS = ("heads", "tails", "plain")

_WORD = re.compile(r"[a-z0-9]+")
TYPO_MIN_LETTERS = 7
"""A name word of at least this many letters is also read with one typo."""
TWO_TYPOS_MIN_LETTERS = 11
"""... and with two typos from this many letters on."""


def typo_limit(word: str) -> int:
    """How many typos a name word of this length may carry and still be read."""
    if len(word) >= TWO_TYPOS_MIN_LETTERS:
        return 2
    if len(word) >= TYPO_MIN_LETTERS:
        return 1
    return 0


def within(typed: str, word: str, limit: int) -> bool:
    """True when ``typed`` is at most ``limit`` edits from ``word``.

    Edits: a letter added, left out, changed, or two neighbours swapped
    ("nabijhied"). The first letter must be right: people rarely miss it.
    """
    if typed == word:
        return True
    if not limit or typed[:1] != word[:1] or abs(len(typed) - len(word)) > limit:
        return False
    rows = len(typed) + 1
    cols = len(word) + 1
    before: List[int] = []
    previous = list(range(cols))
    for i in range(1, rows):
        current = [i] + [0] * (cols - 1)
        for j in range(1, cols):
            cost = typed[i - 1] != word[j - 1]
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost
            )
            if (
                before
                and i > 1
                and j > 1
                and typed[i - 1] == word[j - 2]
                and typed[i - 2] == word[j - 1]
            ):
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def words_of(text: str) -> List[Tuple[str, int, int]]:
    """(word, start, end) of every word of the folded text (accents dropped)."""
    folded = unaccented(text)
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]


@dataclass(frozen=True)
class NameTable:
    """Names (one or more words each) and the key each stands for.

    ``heads`` and ``tails``: parts a name may be glued to in one word
    ("hechtings" + "continuum", "symptoom" + "niveau").
    """

    names: Tuple[Tuple[Tuple[str, ...], str], ...] = ()
    heads: Tuple[str, ...] = ()
    tails: Tuple[str, ...] = ()
    plain: FrozenSet[str] = frozenset()
    """Ordinary words one typo from a name that are only ever themselves
    ("vermijden" is no "vermijdend")."""
    _index: Dict[str, Tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _all: Dict[str, Tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _first: Dict[str, Tuple[Tuple[int, Tuple[Tuple[str, ...], str]], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(
        cls,
        pairs: Sequence[Tuple[str, str]],
        heads: Sequence[str] = (),
        tails: Sequence[str] = (),
        plain: Sequence[str] = (),
    ) -> NameTable:
        """From (name, key) pairs; longer names are tried first."""
        entries = {
            (tuple(w for w, _, _ in words_of(name)), key)
            for name, key in pairs
            if words_of(name)
        }
        ordered = sorted(entries, key=lambda e: (-len(" ".join(e[0])), e[0], e[1]))
        return cls(
            names=tuple(ordered),
            heads=tuple(unaccented(h) for h in heads),
            tails=tuple(unaccented(t) for t in tails),
            plain=frozenset(unaccented(w) for w in plain),
        )

    def find(self, text: str) -> List[str]:
        """Keys named in ``text``, in text order, each once.

        A name of more words hides the names inside it ("angstig-vermijdnd" is
        not also "angstig"); of names as long, exact readings go before readings
        with typos. A name does not count inside a hyphenated word it is only
        part of ("niet-veilig", "on-veilig").
        """
        tokens = words_of(text)
        words = [w for w, _, _ in tokens]
        folded = unaccented(text)
        hyphened = [
            i > 0 and folded[tokens[i - 1][2] : tokens[i][1]] == "-"
            for i in range(len(tokens))
        ]
        loose = [self._loose_words(word) for word in words]
        candidates: List[Tuple[int, bool, int, int, str]] = []
        for at, word in enumerate(words):
            for first in (word, *loose[at]):
                for rank, (name, key) in self._by_first.get(first, ()):
                    size = len(name)
                    parts = list(
                        zip(
                            words[at : at + size],
                            name,
                            loose[at : at + size],
                            strict=False,
                        )
                    )
                    if len(parts) < size:
                        continue
                    if not all(
                        typed == part or part in lw for typed, part, lw in parts
                    ):
                        continue
                    if hyphened[at] or (at + size < len(words) and hyphened[at + size]):
                        continue
                    exact = all(typed == part for typed, part, _ in parts)
                    candidates.append((-size, not exact, rank, at, key))
        taken: List[bool] = [False] * len(words)
        found: List[Tuple[int, str]] = []
        for minus_size, _, _, at, key in sorted(set(candidates)):
            size = -minus_size
            if any(taken[at : at + size]):
                continue
            taken[at : at + size] = [True] * size
            found.append((tokens[at][1], key))
        keys: List[str] = []
        for _, key in sorted(found):
            if key not in keys:
                keys.append(key)
        return keys

    @property
    def _by_first(
        self,
    ) -> Dict[str, Tuple[Tuple[int, Tuple[Tuple[str, ...], str]], ...]]:
        """Names by their first word, with their rank (longest name first)."""
        if not self._first:
            index: Dict[str, List[Tuple[int, Tuple[Tuple[str, ...], str]]]] = {}
            for rank, entry in enumerate(self.names):
                index.setdefault(entry[0][0], []).append((rank, entry))
            self._first.update({k: tuple(v) for k, v in index.items()})
        return self._first

    def _loose_words(self, typed: str) -> FrozenSet[str]:
        """The name words ``typed`` reads as with a typo or in a compound."""
        if typed in self.plain or typed in self._by_initial.get(typed[:1], ()):
            return frozenset()
        candidates = set(self._by_initial.get(typed[:1], ()))
        for head in self.heads:
            if typed.startswith(head) and len(typed) > len(head):
                candidates |= set(self._all_by_initial.get(typed[len(head)], ()))
        if any(typed.endswith(tail) for tail in self.tails):
            candidates |= set(self._all_by_initial.get(typed[:1], ()))
        return frozenset(
            word for word in candidates if _loosely(typed, word, self.heads, self.tails)
        )

    @property
    def _all_by_initial(self) -> Dict[str, Tuple[str, ...]]:
        """Every name word, by its first letter (for compounds)."""
        if not self._all:
            index: Dict[str, set[str]] = {}
            for name, _ in self.names:
                for word in name:
                    index.setdefault(word[:1], set()).add(word)
            self._all.update({k: tuple(sorted(v)) for k, v in index.items()})
        return self._all

    @property
    def _by_initial(self) -> Dict[str, Tuple[str, ...]]:
        """Name words that may be read loosely, by their first letter."""
        if not self._index:
            index: Dict[str, set[str]] = {}
            for name, _ in self.names:
                for word in name:
                    if len(word) >= TYPO_MIN_LETTERS:
                        index.setdefault(word[:1], set()).add(word)
            self._index.update({k: tuple(sorted(v)) for k, v in index.items()})
        return self._index


@lru_cache(maxsize=65536)
def _loosely(
    typed: str, word: str, heads: Tuple[str, ...], tails: Tuple[str, ...]
) -> bool:
    """``typed`` is ``word`` with a typo, or ``word`` glued to a known head or tail.

    Glued, a short word must be spelled right ("hechtingsbril").
    """
    limit = typo_limit(word)
    if limit and within(typed, word, limit):
        return True
    parts = [typed[len(h) :] for h in heads if typed.startswith(h)]
    parts += [typed[: -len(t)] for t in tails if typed.endswith(t)]
    return any(within(part, word, limit) for part in parts if part)


def name_reading(content: Mapping[str, Any]) -> Dict[str, Tuple[str, ...]]:
    """``heads``, ``tails`` and ``plain`` words from a content file's ``names`` block."""
    block = content.get("names") or {}
    return {
        key: tuple(str(w) for w in block.get(key) or ()) for key in NAME_READING_KEYS
    }
