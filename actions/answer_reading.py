"""Reading typed questionnaire answers (pure, no Rasa import).

A typed answer is mapped to a point of the answer scale, or to one option of a
choice question, only when that can be done safely: otherwise the caller asks
again. The phrases and the word lists used here live in
``actions/content/answer_scale.yml`` and ``questions.yml``; this module only
knows how to apply them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from actions.scoring import SCALE_MAX, SCALE_MIN
from hechtwijzer_core.text import squeeze_repeats, unaccented

FUZZY_CUTOFF = 0.85
FUZZY_MIN_CHARS = 4
FUZZY_MAX_TOKENS = 4

K = TypeVar("K")

_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_OUT_OF_FIVE = re.compile(r"\b([1-5])\s*(?:/|van de|van|op|uit)\s*5\b")
_NEGATIVE_NUMBER = re.compile(r"(?:^|\s)[-−]\s*\d")
_DECIMAL = re.compile(r"\d\s*[.,]\s*\d")
_SENTENCE_END = re.compile(r"[.!?;]+\s+")


@dataclass(frozen=True)
class ReadingRules:
    """The word lists that steer the reading beyond plain phrases (from content).

    ``symbols``: emoji or signs replaced by a word before reading ("👍" -> "ja").
    ``reason_markers``: words that start a reason or a condition after the
    answer ("meestal wel, zeker als ik moe ben"): what follows is not read.
    ``intensifiers``: words that make the next ``intensifiable`` word one step
    stronger, spelled as ``intensified_as`` ("extreem vaak" reads as "heel vaak").
    ``question_words``: with a question mark they make the message a question,
    not an answer; ``question_starts`` do so as the first word on their own.
    ``fillers``: words left out before reading ("eigenlijk", "haha").
    ``alone``: phrases with their value that count only as the whole message
    ("niet" is a no, "ik weet het niet" is not).
    ``unsure``: phrases that say the person does not know: asked again.
    ``not_a_choice_next_to_number``: a number next to one of these words counts
    something ("2 keer", "vraag 3") and is no scale point.
    """

    symbols: Mapping[str, str] = field(default_factory=dict)
    reason_markers: tuple[str, ...] = ()
    intensifiers: tuple[str, ...] = ()
    intensifiable: tuple[str, ...] = ()
    intensified_as: str = ""
    question_words: tuple[str, ...] = ()
    question_starts: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    alone: Mapping[str, int] = field(default_factory=dict)
    unsure: tuple[str, ...] = ()
    not_a_choice_next_to_number: tuple[str, ...] = ()

    @classmethod
    def from_content(cls, raw: Mapping[str, Any]) -> ReadingRules:
        """Build from the ``reading`` block of ``answer_scale.yml``."""
        intensify = raw.get("intensify") or {}
        return cls(
            symbols={str(k): str(v) for k, v in (raw.get("symbols") or {}).items()},
            reason_markers=_strings(raw.get("reason_markers")),
            intensifiers=_strings(intensify.get("words")),
            intensifiable=_strings(intensify.get("before")),
            intensified_as=str(intensify.get("read_as") or ""),
            question_words=_strings(raw.get("question_words")),
            question_starts=_strings(raw.get("question_starts")),
            fillers=_strings(raw.get("fillers")),
            alone={str(k): int(v) for k, v in (raw.get("alone") or {}).items()},
            unsure=_strings(raw.get("unsure")),
            not_a_choice_next_to_number=_strings(raw.get("counted_words")),
        )


NO_RULES = ReadingRules()


def _strings(items: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in items or ())


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lowercase, drop accents/apostrophes/punctuation, squeeze letters typed 3+ times."""
    plain = _APOSTROPHES.sub("", unaccented(text))
    plain = _NON_WORD.sub(" ", plain)
    plain = squeeze_repeats(plain)
    return " ".join(plain.split())


def _find(tokens: Sequence[str], phrase: str) -> int:
    """Index where the normalised ``phrase`` starts as whole words, or -1."""
    words = normalise(phrase).split()
    if not words:
        return -1
    for start in range(len(tokens) - len(words) + 1):
        if list(tokens[start : start + len(words)]) == words:
            return start
    return -1


def _match_phrases(
    text: str,
    table: Mapping[K, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
    tokens: Sequence[str] | None = None,
) -> K | None:
    """Find the one key whose phrases occur in ``text``, or None when unclear.

    Phrases match as whole words; overlapping matches are resolved longest
    first. ``weak`` phrases (bare "ja"/"nee") only count when nothing else
    matched. A ``negations`` word right before or after a match that is not
    itself part of a known phrase ("zeker niet" when only "zeker" is known)
    makes the text unclear, as do different keys in what is left, except that
    a phrase starting with a negation ("niet altijd") after or before a clearer
    phrase only bounds it ("vaak, niet altijd" is "vaak").
    """
    if tokens is None:
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
                if list(tokens[start : start + len(words)]) == words:
                    candidates.append(
                        (len(words), len(norm), start, key, norm in weak_norm)
                    )
    strong = [c for c in candidates if not c[4]]
    chosen = _choose(strong or candidates, tokens, negation_words)
    taken = {i for start, n_words, _ in chosen for i in range(start, start + n_words)}
    edges = {i for start, n_words, _ in chosen for i in (start - 1, start + n_words)}
    if not strong:
        # a bare yes/no with a negation elsewhere ("ja, ik weet het niet") is unclear
        edges = set(range(len(tokens)))
    if any(
        0 <= i < len(tokens) and i not in taken and tokens[i] in negation_words
        for i in edges
    ):
        return None
    keys = _without_bounds(chosen, tokens, negation_words)
    if len(keys) == 1:
        return next(iter(keys))
    if keys:
        return None
    return _fuzzy_match(" ".join(tokens), table)


def _choose(
    candidates: list[tuple[int, int, int, K, bool]],
    tokens: Sequence[str],
    negations: set[str],
) -> list[tuple[int, int, K]]:
    """Non-overlapping matches, longest first: (start, word count, key).

    Of two equally long matches the one starting with a negation goes first:
    "niet" belongs to what follows it ("soms, niet vaak").
    """
    taken: set[int] = set()
    chosen: list[tuple[int, int, K]] = []
    for n_words, _, start, key, _ in sorted(
        candidates,
        key=lambda c: (-c[0], tokens[c[2]] not in negations, -c[1], c[2]),
    ):
        span = set(range(start, start + n_words))
        if span & taken:
            continue
        taken |= span
        chosen.append((start, n_words, key))
    return chosen


def _without_bounds(
    chosen: list[tuple[int, int, K]], tokens: Sequence[str], negations: set[str]
) -> set[K]:
    """The keys left when negated phrases only bound a clearer one.

    "soms, niet vaak": "niet vaak" (2) says no more than one step above it, and
    "soms" (3) fits, so the answer is "soms". Only for numeric keys.
    """
    keys = {key for _, _, key in chosen}
    if len(keys) < 2:
        return keys
    bounds = [key for start, _, key in chosen if tokens[start] in negations]
    plain = {key for start, _, key in chosen if tokens[start] not in negations}
    if len(plain) == 1 and bounds:
        only = next(iter(plain))
        if isinstance(only, int) and all(
            isinstance(bound, int) and only <= bound + 1 for bound in bounds
        ):
            return plain
    return keys


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


def is_question(text: str, rules: ReadingRules) -> bool:
    """True when the message asks something rather than answers ("wat bedoel je?")."""
    tokens = normalise(text).split()
    if not tokens:
        return False
    starts = {normalise(word) for word in rules.question_starts}
    if tokens[0] in starts:
        return True
    words = {normalise(word) for word in rules.question_words}
    return "?" in text and any(token in words for token in tokens)


def _answer_tokens(
    text: str, rules: ReadingRules, phrases: Collection[str] = ()
) -> list[str]:
    """The words that carry the answer: symbols spelled out, reasons cut off.

    A reason marker inside a known phrase ("als" in "zo goed als nooit") cuts nothing.
    """
    text = _OUT_OF_FIVE.sub(r"\1", text.lower())
    for symbol, word in rules.symbols.items():
        text = text.replace(symbol, f" {word} ")
    fillers = {normalise(word) for word in rules.fillers}
    tokens = _OUT_OF_FIVE.sub(r"\1", normalise(text)).split()
    tokens = _intensify([t for t in tokens if t not in fillers], rules)
    spans = [
        (start, start + len(words))
        for words in (normalise(phrase).split() for phrase in phrases)
        if words
        for start in range(len(tokens) - len(words) + 1)
        if tokens[start : start + len(words)] == words
    ]
    cut = len(tokens)
    for marker in rules.reason_markers:
        words = normalise(marker).split()
        for start in range(1, len(tokens) - len(words) + 1):
            end = start + len(words)
            if tokens[start:end] != words:
                continue
            inside_phrase = any(
                s < end and start < e and (s < start or e > end) for s, e in spans
            )
            if not inside_phrase:
                cut = min(cut, start)
                break
    return tokens[:cut]


def _intensify(tokens: list[str], rules: ReadingRules) -> list[str]:
    """Spell a run of intensifiers before an intensifiable word as one word."""
    if not rules.intensified_as:
        return tokens
    strong = {normalise(word) for word in rules.intensifiers}
    targets = {normalise(word) for word in rules.intensifiable}
    result: list[str] = []
    for token in tokens:
        if token in targets and result and result[-1] in strong:
            while result and result[-1] in strong:
                result.pop()
            result.append(rules.intensified_as)
        result.append(token)
    return result


def parse_answer(
    text: str,
    scale: Mapping[int, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
    rules: ReadingRules = NO_RULES,
) -> int | None:
    """Map a free-text answer to 1..5, or None when it cannot be read safely.

    ``scale`` maps each value to its phrases (button title included). A digit
    1..5 counts as that value ("4.", "optie 4", "4/5"); any other number makes
    the text unclear. ``weak``, ``negations`` and ``rules`` as in the content
    file ``answer_scale.yml``. Questions are not answers. None means: ask
    again, never guess.
    """
    if is_question(text, rules):
        return None
    if _NEGATIVE_NUMBER.search(text) or _DECIMAL.search(text):
        return None
    table: dict[int, list[str]] = {value: list(p) for value, p in scale.items()}
    for point in range(SCALE_MIN, SCALE_MAX + 1):
        table.setdefault(point, []).append(str(point))
    phrases = [phrase for values in table.values() for phrase in values]
    tokens = _answer_tokens(text, rules, phrases)
    first_sentence = normalise(_SENTENCE_END.split(text.strip(), maxsplit=1)[0])
    if (
        not tokens
        or _counts_something(tokens, rules)
        or mentions_tokens(first_sentence.split(), rules.unsure)
    ):
        return None
    alone = {normalise(phrase): value for phrase, value in rules.alone.items()}
    if " ".join(tokens) in alone:
        return alone[" ".join(tokens)]
    value = _match_phrases(text, table, weak, negations, tokens=tokens)
    if value is None or not SCALE_MIN <= value <= SCALE_MAX:
        return None
    known = {
        w for phrases in table.values() for p in phrases for w in normalise(p).split()
    }
    if any(token.isdigit() and token not in known for token in tokens):
        return None
    return value


def _counts_something(tokens: Sequence[str], rules: ReadingRules) -> bool:
    """True when a number stands next to a word it counts ("2 keer", "vraag 3")."""
    counted = {normalise(word) for word in rules.not_a_choice_next_to_number}
    return any(
        token.isdigit()
        and any(0 <= j < len(tokens) and tokens[j] in counted for j in (i - 1, i + 1))
        for i, token in enumerate(tokens)
    )


def mentions_tokens(tokens: Sequence[str], phrases: Sequence[str]) -> bool:
    """True when one of ``phrases`` occurs in ``tokens`` as whole words."""
    return any(_find(tokens, phrase) >= 0 for phrase in phrases)


def parse_choice(text: str, options: Mapping[str, Sequence[str]]) -> str | None:
    """Map free text to one option code (e.g. the relationship), or None."""
    return _match_phrases(text, options)


def mentions(text: str, phrases: Sequence[str]) -> bool:
    """True when one of ``phrases`` occurs in ``text`` as whole words."""
    return mentions_tokens(normalise(text).split(), phrases)
