"""Finding the names of concepts in a message, with the slips people make.

Both servers read names the same way: the bot's NLU component to decide what a
question is about, the action server to answer it. A name is found when its words
stand in the text as whole words, and also when a word is off by one typo
("sleutlervaring", "nabijhied"; two in a name of eleven letters or more) or is
glued into a compound with a known head or tail ("hechtingscontinuum",
"symptoomniveau"). Short names (fewer than seven letters) are only ever read exactly:
a typo there is too often another word. Inside a name of more words, one word of five
letters or more may carry one typo when every other word of the name stands there
exactly ("complex truama", "beelt van de ander"): the exact words vouch for it.

Pure: no Rasa import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Sequence, Tuple

from hechtwijzer_core.text import unaccented, within_edits

NAME_READING_KEYS = ("heads", "tails", "plain")

_WORD = re.compile(r"[a-z0-9]+")
TYPO_MIN_LETTERS = 7
"""A name word of at least this many letters is also read with one typo."""
TWO_TYPOS_MIN_LETTERS = 11
"""... and with two typos from this many letters on."""
VOUCHED_MIN_LETTERS = 5
"""In a name of more words, a word of this many letters may carry one typo when
the other words of the name stand there exactly."""


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
    if not limit or typed[:1] != word[:1]:
        return False
    return within_edits(typed, word, limit, swaps=True)


Name = Tuple[Tuple[str, ...], str]
"""A name's words and the key it stands for."""


def _by_initial(words: Iterable[str]) -> Dict[str, FrozenSet[str]]:
    """Words grouped by their first letter."""
    index: Dict[str, set[str]] = {}
    for word in words:
        index.setdefault(word[:1], set()).add(word)
    return {k: frozenset(v) for k, v in index.items()}


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

    names: Tuple[Name, ...] = ()
    heads: Tuple[str, ...] = ()
    tails: Tuple[str, ...] = ()
    plain: FrozenSet[str] = frozenset()
    """Ordinary words one typo from a name that are only ever themselves
    ("vermijden" is no "vermijdend")."""
    by_first: Mapping[str, Tuple[Tuple[int, Name], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Names by their first word, with their rank (longest name first)."""
    loose_by_initial: Mapping[str, FrozenSet[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Name words long enough to be read with a typo, by their first letter."""
    all_by_initial: Mapping[str, FrozenSet[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Every name word, by its first letter (for compounds)."""
    vouched_firsts: Mapping[str, FrozenSet[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """First words of names of more words that may carry a vouched typo, by letter."""

    @classmethod
    def build(
        cls,
        pairs: Sequence[Tuple[str, str]],
        heads: Sequence[str] = (),
        tails: Sequence[str] = (),
        plain: Sequence[str] = (),
    ) -> NameTable:
        """From (name, key) pairs; longer names are tried first."""
        entries = {(tuple(w for w, _, _ in words_of(name)), key) for name, key in pairs}
        ordered = sorted(
            (e for e in entries if e[0]),
            key=lambda e: (-len(" ".join(e[0])), e[0], e[1]),
        )
        by_first: Dict[str, List[Tuple[int, Name]]] = {}
        for rank, entry in enumerate(ordered):
            by_first.setdefault(entry[0][0], []).append((rank, entry))
        words = {word for name, _ in ordered for word in name}
        return cls(
            names=tuple(ordered),
            by_first={k: tuple(v) for k, v in by_first.items()},
            loose_by_initial=_by_initial(w for w in words if typo_limit(w)),
            all_by_initial=_by_initial(words),
            vouched_firsts=_by_initial(
                name[0]
                for name, _ in ordered
                if len(name) > 1 and len(name[0]) >= VOUCHED_MIN_LETTERS
            ),
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
            for first in (word, *loose[at], *self._vouched_first(word)):
                for rank, (name, key) in self.by_first.get(first, ()):
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
                    slips = [(typed, part) for typed, part, _ in parts if typed != part]
                    if any(
                        part not in lw for typed, part, lw in parts if typed != part
                    ):
                        if not self._vouched(slips, size):
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

    def _vouched_first(self, typed: str) -> FrozenSet[str]:
        """First words of longer names that ``typed`` may be with a vouched typo."""
        if len(typed) < VOUCHED_MIN_LETTERS - 1 or typed in self.plain:
            return frozenset()
        return frozenset(
            word
            for word in self.vouched_firsts.get(typed[:1], ())
            if word != typed and within(typed, word, 1)
        )

    def _vouched(self, slips: Sequence[Tuple[str, str]], size: int) -> bool:
        """One slip in a name of more words, in a word long enough, the rest exact."""
        if size < 2 or len(slips) != 1:
            return False
        typed, part = slips[0]
        return (
            len(part) >= VOUCHED_MIN_LETTERS
            and typed not in self.plain
            and within(typed, part, 1)
        )

    def _loose_words(self, typed: str) -> FrozenSet[str]:
        """The name words ``typed`` reads as with a typo or in a compound."""
        if typed in self.plain or typed in self.loose_by_initial.get(typed[:1], ()):
            return frozenset()
        candidates = set(self.loose_by_initial.get(typed[:1], ()))
        for head in self.heads:
            if typed.startswith(head) and len(typed) > len(head):
                candidates |= set(self.all_by_initial.get(typed[len(head)], ()))
        if any(typed.endswith(tail) for tail in self.tails):
            candidates |= set(self.all_by_initial.get(typed[:1], ()))
        return frozenset(
            word for word in candidates if _loosely(typed, word, self.heads, self.tails)
        )


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


def background_names(content: Mapping[str, Any]) -> FrozenSet[str]:
    """Keys of the terms a content file's ``names`` block calls background."""
    block = content.get("names") or {}
    return frozenset(str(key) for key in block.get("background") or ())


def foreground(keys: Sequence[str], background: Iterable[str]) -> List[str]:
    """``keys`` without the background ones, unless nothing else is named.

    "wanneer zit hechting in je persoonlijkheidsstructuur?" names "hechting" in
    passing; the question is about the other term.
    """
    passing = set(background)
    asked = [key for key in keys if key not in passing]
    return asked or list(keys)
