"""Pure crisis detector: keyword and pattern rules on normalised text and lemmas.

This module has no Rasa import, so the NLU component (`bot.components.crisis_guard`),
the channel guard (for messages too long for NLU) and the actions can all use it.
The patterns live in `hechtwijzer_core/content/crisis_patterns.yml`; the pattern language is
described at the top of that file. Everything is loaded lazily on first use.

Every message gets one of three levels:

- ``crisis``: a clear signal (intent, method, overdose, plan, self-harm, danger,
  violence or abuse): the help lines at once;
- ``check``: a passive or ambiguous signal ("ik kan niet meer", "levensmoe"), or
  violence, abuse or self-harm told as long past and over in the same sentence
  ("vroeger sneed ik mezelf", see ``PastReading``): the bot asks directly whether the
  person thinks of ending their life;
- ``none``: nothing found.

A negative pattern (an everyday idiom) only cancels the positive match it overlaps,
never the rest of the message, and never an ``unconditional`` category (overdose,
method, plan). Work is linear in the length of the text and bounded by a time
budget: a text that could not be read to the end in time is a ``check``.
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from hechtwijzer_core.content import load_file
from hechtwijzer_core.text import fold, within_edits

PATTERNS_PATH = Path(__file__).resolve().parent / "content" / "crisis_patterns.yml"
BOUNDARY = "$"
MAX_GAP = 3
CRISIS = "crisis"
CHECK = "check"
NONE = "none"
LEVELS = (CRISIS, CHECK)
# Messages are matched in windows of this many tokens (whole sentences where they
# fit); a sentence longer than a window is cut with an overlap longer than any match.
WINDOW_TOKENS = 400
WINDOW_OVERLAP = 40
# A `~~` gap spans at most this many words, so every match is shorter than the
# overlap and no match can fall between two windows.
SENTENCE_GAP_MAX = 30
# Longer "words" are cut: a typo lookup on a 64 KB token would take minutes.
MAX_TOKEN_CHARS = 30
_CUT = "\x00"  # end of a window that is not the end of a sentence
DEFAULT_BUDGET_SECONDS = 0.5

# Spoken short forms, folded before splitting into words: m'n -> mn, 'k -> ik.
_SHORT_FORMS = (
    (re.compile(r"\b([mzd])\s*['\u2019`]\s*n\b"), r"\1n"),
    (re.compile(r"(?:^|(?<=\s))['\u2019`]\s*k\b"), "ik"),
    (re.compile(r"\bk\s*['\u2019`]\s*(?=[a-z])"), "ik "),
)
# Laughing emoji count as "haha" (they are part of idioms such as "ik kan niet meer 😂").
_LAUGHING = re.compile(
    "[\U0001F602\U0001F923\U0001F606\U0001F639\U0001F60F\U0001F61C\U0001F61D]"
)

_WORD = re.compile(r"[a-z0-9]+|[.!?;,\n]+")
_DOUBLES = re.compile(r"([a-z])\1")


@dataclass(frozen=True)
class Alternatives:
    """One pattern position: any of some words, or a word with one of some prefixes."""

    words: FrozenSet[str]
    prefixes: Tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """A gap of 0 to MAX_GAP words inside one sentence."""


@dataclass(frozen=True)
class SentenceGap:
    """A gap of any length inside one sentence (``~~``)."""


@dataclass(frozen=True)
class Boundary:
    """A sentence boundary or the end of the message."""


@dataclass(frozen=True)
class BoundaryOr:
    """A sentence boundary or one of some words."""

    alternatives: Alternatives


Element = Union[Alternatives, Gap, SentenceGap, Boundary, BoundaryOr]


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern with its source text, category and scope."""

    source: str
    category: str
    elements: Tuple[Element, ...]
    level: str = CRISIS
    unconditional: bool = False
    unsilenced: bool = False
    """Never silenced by the learned model (patterns for text it did not learn from)."""


@dataclass(frozen=True)
class CrisisMatch:
    """One positive pattern that fired, with the token span it covered."""

    category: str
    pattern: str
    start: int
    end: int
    level: str = CRISIS
    past: bool = False
    """Told as long past and over: a check-in instead of the help lines, never silenced."""
    unsilenced: bool = False
    """From a pattern the learned model may not silence."""


@dataclass(frozen=True)
class CrisisResult:
    """What the detector found in one message."""

    matches: Tuple[CrisisMatch, ...]
    suppressed: Tuple[CrisisMatch, ...] = ()
    idioms: int = 0
    incomplete: bool = False
    model_level: str = NONE
    # The model's P(none), and from which P(none) a `check` pattern alone is silenced.
    model_none: float = 0.0
    silence_at: float = 2.0

    @property
    def only_idioms(self) -> bool:
        """True when no crisis pattern survived but a known idiom was found."""
        return not self.matches and self.idioms > 0

    @property
    def is_crisis(self) -> bool:
        """True for a clear signal (level ``crisis``)."""
        return self.level == CRISIS

    @property
    def level(self) -> str:
        """``crisis`` (help lines now), ``check`` (ask a check-in question) or ``none``."""
        if self.model_level == CRISIS or any(m.level == CRISIS for m in self.matches):
            return CRISIS
        if self.incomplete or self.model_level == CHECK:
            return CHECK
        if any(m.past or m.unsilenced for m in self.matches):
            return CHECK
        if self.matches and self.model_none < self.silence_at:
            return CHECK
        return NONE

    @property
    def categories(self) -> Tuple[str, ...]:
        """The categories found, clear ones first, without duplicates."""
        ordered = sorted(self.matches, key=lambda m: m.level != CRISIS)
        return tuple(dict.fromkeys(m.category for m in ordered))


@dataclass(frozen=True)
class PastReading:
    """Markers of a crisis told as long past and over ("vroeger", "jaren geleden").

    A match of one of ``categories`` with a ``markers`` match in its own sentence
    becomes a check-in, unless a ``recurring`` marker is anywhere in the text read
    with it (a window of up to WINDOW_TOKENS words, whole sentences) or a ``current``
    marker (a present-tense verb, "nu", "nog") is in the match's own sentence.
    """

    categories: FrozenSet[str]
    markers: Tuple[Pattern, ...]
    recurring: Tuple[Pattern, ...]
    current: Tuple[Pattern, ...]

    @property
    def patterns(self) -> Tuple[Pattern, ...]:
        """Every marker pattern, for the word index."""
        return self.markers + self.recurring + self.current


@dataclass(frozen=True)
class PatternSet:
    """All compiled positive and negative patterns plus the extra lemma forms."""

    positive: Tuple[Pattern, ...]
    negative: Tuple[Pattern, ...]
    lemmas: Mapping[str, str]
    answer_words: FrozenSet[str] = frozenset()
    """Words of plain answers; a short message of only these is not read by the model."""
    answer_words_max: int = 0
    never_answer_words: FrozenSet[str] = frozenset()
    """Words that never count as answer words, nor do words one typo away from them."""
    exact_words: FrozenSet[str] = frozenset()
    """Everyday words read only as themselves, never as a typo of a pattern word."""
    past: Optional[PastReading] = None
    """How a crisis told as long past and over is recognised (None: never)."""
    index: WordIndex = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Build the word index of all patterns (also the past markers) once."""
        extra = self.past.patterns if self.past else ()
        index = WordIndex(self.positive + self.negative + extra, self.exact_words)
        object.__setattr__(self, "index", index)


def normalise(text: str) -> str:
    """Folded text with short forms and laughing emoji spelled out."""
    return _spoken(fold(text))


def _spoken(text: str) -> str:
    """Fold short forms (m'n, 'k) and laughing emoji before splitting into words."""
    text = _LAUGHING.sub(" haha ", text)
    for pattern, replacement in _SHORT_FORMS:
        text = pattern.sub(replacement, text)
    return text


def tokenize(text: str) -> List[str]:
    """Split folded text into words, with BOUNDARY for sentence ends (always last)."""
    tokens: List[str] = []
    for piece in _WORD.findall(_spoken(fold(text))):
        if piece[0].isalnum():
            tokens.append(piece[:MAX_TOKEN_CHARS])
        elif tokens and tokens[-1] != BOUNDARY:
            tokens.append(BOUNDARY)
    if not tokens or tokens[-1] != BOUNDARY:
        tokens.append(BOUNDARY)
    return tokens


def _dedouble(word: str) -> str:
    """Collapse double letters, so 'leeven' and 'leven' compare equal."""
    return _DOUBLES.sub(r"\1", word)


def _typo_limit(word: str) -> int:
    """How many typos a word of this length may contain and still match."""
    if len(word) >= 10:
        return 2
    if len(word) >= 6:
        return 1
    return 0


def _prefix_matches(form: str, prefix: str) -> bool:
    """Compare one token form with a prefix pattern, allowing one typo (6+ letters)."""
    if form.startswith(prefix):
        return True
    limit = min(1, _typo_limit(prefix))
    if not limit or form[:1] != prefix[:1]:
        return False
    n = len(prefix)
    return any(
        within_edits(form[:k], prefix, limit)
        for k in range(max(1, n - limit), n + limit + 1)
    )


def _parse_element(raw: str) -> Element:
    """Turn one pattern word ('a|b', 'pre*', '~', '$') into an element."""
    if raw == "~":
        return Gap()
    if raw == "~~":
        return SentenceGap()
    if raw == BOUNDARY:
        return Boundary()
    words, prefixes = [], []
    for option in raw.split("|"):
        option = fold(option)
        if option == BOUNDARY:
            raise ValueError(f"'$' cannot be an alternative: {raw!r}")
        if option.endswith("*"):
            prefixes.append(option[:-1])
        else:
            words.append(option)
    return Alternatives(frozenset(words), tuple(prefixes))


def _parse_alternatives_with_boundary(raw: str) -> Tuple[Element, ...]:
    """Parse one pattern word; '$|a|b' means a boundary or one of the words."""
    options = raw.split("|")
    if BOUNDARY in options and len(options) > 1:
        rest = "|".join(o for o in options if o != BOUNDARY)
        alternatives = _parse_element(rest)
        assert isinstance(alternatives, Alternatives)
        return (BoundaryOr(alternatives),)
    return (_parse_element(raw),)


def compile_pattern(
    source: str,
    category: str = "",
    level: str = CRISIS,
    unconditional: bool = False,
    unsilenced: bool = False,
) -> Pattern:
    """Compile one pattern string of the language described in crisis_patterns.yml."""
    elements: List[Element] = []
    for raw in source.split():
        elements.extend(_parse_alternatives_with_boundary(raw))
    if not elements or isinstance(elements[0], (Gap, SentenceGap)):
        raise ValueError(f"pattern must start with a word: {source!r}")
    for here, after in zip(elements, list(elements[1:]) + [None], strict=True):
        if isinstance(here, SentenceGap) and not isinstance(after, Alternatives):
            raise ValueError(f"'~~' must be followed by a plain word: {source!r}")
    if level not in LEVELS and category != "negative":
        raise ValueError(f"unknown level {level!r} for {source!r}")
    return Pattern(source, category, tuple(elements), level, unconditional, unsilenced)


def _deletions(word: str, depth: int) -> Set[str]:
    """The word with up to ``depth`` letters deleted (SymSpell neighbourhood)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _alternatives_of(pattern: Pattern) -> Iterator[Alternatives]:
    """Every word position of a pattern."""
    for element in pattern.elements:
        if isinstance(element, Alternatives):
            yield element
        elif isinstance(element, BoundaryOr):
            yield element.alternatives


class WordIndex:
    """Finds, for one word form, every pattern position it matches (typos included)."""

    CACHE_LIMIT = 100_000

    def __init__(
        self, patterns: Sequence[Pattern], exact_words: FrozenSet[str] = frozenset()
    ) -> None:
        """Index exact words, their double-letter-free forms, typo neighbourhoods, prefixes.

        ``exact_words`` are everyday words that only ever match as themselves
        ("verwachting" is no typo of "verkrachting").
        """
        self.exact_words = exact_words
        self.exact: Dict[str, Set[int]] = {}
        self.neighbours: Dict[str, Set[str]] = {}
        self.word_alts: Dict[str, Set[int]] = {}
        prefixes: Dict[str, Set[int]] = {}
        for pattern in patterns:
            for alt in _alternatives_of(pattern):
                for word in alt.words:
                    for key in (word, _dedouble(word)):
                        self.exact.setdefault(key, set()).add(id(alt))
                    self.word_alts.setdefault(word, set()).add(id(alt))
                    limit = _typo_limit(word)
                    for variant in _deletions(word, limit) if limit else ():
                        self.neighbours.setdefault(variant, set()).add(word)
                for prefix in alt.prefixes:
                    prefixes.setdefault(prefix, set()).add(id(alt))
        self.prefixes = sorted(prefixes.items())
        self._cache: Dict[str, FrozenSet[int]] = {}

    def lookup(self, form: str) -> FrozenSet[int]:
        """Ids of the pattern positions (Alternatives) this word form matches."""
        cached = self._cache.get(form)
        if cached is not None:
            return cached
        hits: Set[int] = set(self.exact.get(form, ())) | self.exact.get(
            _dedouble(form), set()
        )
        if form in self.exact_words:
            for prefix, alt_ids in self.prefixes:
                if form.startswith(prefix):
                    hits |= alt_ids
            return frozenset(hits)
        depth = 2 if len(form) >= 9 else 1
        for variant in _deletions(form, depth) if len(form) >= 4 else ():
            for word in self.neighbours.get(variant, ()):
                if form[:1] == word[:1] and within_edits(form, word, _typo_limit(word)):
                    hits |= self.word_alts[word]
        for prefix, alt_ids in self.prefixes:
            if _prefix_matches(form, prefix):
                hits |= alt_ids
        result = frozenset(hits)
        if len(self._cache) > self.CACHE_LIMIT:
            self._cache.clear()
        self._cache[form] = result
        return result


def load_patterns(path: Path = PATTERNS_PATH) -> PatternSet:
    """Read and compile a patterns file (compiled anew; see `_default_patterns`)."""
    data = load_file(path)
    categories: Mapping[str, Mapping[str, Any]] = data["categories"]
    for p in data["positive"]:
        if p["category"] not in categories:
            raise ValueError(f"unknown category {p['category']!r} in {path}")
        if set(p) - {"category", "pattern", "unsilenced"}:
            raise ValueError(f"unknown key in positive pattern {p!r} in {path}")
        if not isinstance(p.get("unsilenced", False), bool) or (
            p.get("unsilenced") and categories[p["category"]]["level"] != CHECK
        ):
            raise ValueError(f"'unsilenced' is true or false, on check level: {p!r}")
    positive = tuple(
        compile_pattern(
            p["pattern"],
            p["category"],
            str(categories[p["category"]]["level"]),
            bool(categories[p["category"]].get("unconditional", False)),
            bool(p.get("unsilenced", False)),
        )
        for p in data["positive"]
    )
    for p in data.get("negative", []):
        if set(p) - {"pattern"}:
            raise ValueError(f"a negative pattern takes only 'pattern': {p!r}")
    negative = tuple(
        compile_pattern(p["pattern"], "negative") for p in data.get("negative", [])
    )
    lemmas = {fold(k): fold(v) for k, v in (data.get("lemmas") or {}).items()}
    answer_words = frozenset(fold(str(w)) for w in data.get("answer_words") or [])
    never = {fold(str(w)) for w in data.get("answer_words_never") or []}
    if answer_words & never:
        raise ValueError(
            f"answer_words may not hold {sorted(answer_words & never)} in {path}"
        )
    return PatternSet(
        positive,
        negative,
        lemmas,
        answer_words,
        int(data.get("answer_words_max") or 0),
        frozenset(never),
        frozenset(fold(str(w)) for w in data.get("exact_words") or []),
        _past_reading(data.get("past"), categories, path),
    )


def _past_reading(
    data: Optional[Mapping[str, Any]],
    categories: Mapping[str, Mapping[str, Any]],
    path: Path,
) -> Optional[PastReading]:
    """Compile the `past` block of a patterns file (None when it has none)."""
    if not data:
        return None
    names = frozenset(str(c) for c in data["categories"])
    for name in names:
        if name not in categories or categories[name].get("unconditional"):
            raise ValueError(f"past: {name!r} must be a conditional category in {path}")

    def compiled(key: str) -> Tuple[Pattern, ...]:
        return tuple(compile_pattern(p, "past") for p in data.get(key) or [])

    return PastReading(
        names, compiled("markers"), compiled("recurring"), compiled("current")
    )


FUZZY_ANSWER_WORD_MIN = 4
"""Answer words of at least this length are also recognised with one typo."""


def plain_answer(text: str, patterns: Optional[PatternSet] = None) -> bool:
    """True for a short message made only of the patterns file's answer words.

    A word of at least :data:`FUZZY_ANSWER_WORD_MIN` letters one typo away from
    an answer word of that length counts too ("noit", "hellemaal").
    """
    patterns = patterns or _default_patterns()
    words = [t for t in tokenize(text) if t != BOUNDARY]
    return 0 < len(words) <= patterns.answer_words_max and all(
        _answer_word(word, patterns.answer_words, patterns.never_answer_words)
        for word in words
    )


def _answer_word(
    word: str, answer_words: FrozenSet[str], never: FrozenSet[str]
) -> bool:
    if word in answer_words:
        return True
    if len(word) < FUZZY_ANSWER_WORD_MIN or any(one_edit(word, w) for w in never):
        return False
    return any(
        len(known) >= FUZZY_ANSWER_WORD_MIN and one_edit(word, known)
        for known in answer_words
    )


def one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, change or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=1)
def model_settings(path: Path = PATTERNS_PATH) -> Any:
    """Settings of the learned model (section ``model`` of the patterns file)."""
    from hechtwijzer_core.crisis_model import ModelSettings

    data = load_file(path)
    return ModelSettings.from_mapping(data.get("model"))


@lru_cache(maxsize=1)
def _default_patterns() -> PatternSet:
    """The project's patterns, loaded once on first use."""
    return load_patterns()


@lru_cache(maxsize=1)
def _lemma_table() -> Dict[str, str]:
    """Dutch lemma lookup table from spacy-lookups-data (empty when not installed)."""
    try:
        path = (
            resources.files("spacy_lookups_data") / "data" / "nl_lemma_lookup.json.gz"
        )
        with gzip.open(str(path), "rt", encoding="utf-8") as handle:
            table: Dict[str, str] = json.load(handle)
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return {}
    return table


class _Matcher:
    """Matches compiled patterns against one tokenised message."""

    def __init__(
        self,
        tokens: Sequence[str],
        patterns: PatternSet,
        extra: Mapping[str, str],
    ) -> None:
        """Prepare per-token forms (surface and lemmas), hits and sentence numbers."""
        table = _lemma_table()
        lemmas = patterns.lemmas
        self.tokens = list(tokens)
        self.hits: List[FrozenSet[int]] = []
        self.sentence: List[int] = []
        self.starts: Dict[int, List[int]] = {}
        sentence = 0
        for pos, token in enumerate(self.tokens):
            self.sentence.append(sentence)
            if token == BOUNDARY:
                sentence += 1
                self.hits.append(frozenset())
                continue
            options = [token]
            for source in (extra, lemmas):
                lemma = source.get(token)
                if lemma and lemma not in options:
                    options.append(lemma)
            lemma = table.get(token)
            if lemma:
                lemma = fold(lemma)
                if lemma not in options:
                    options.append(lemma)
                mapped = lemmas.get(lemma)
                if mapped and mapped not in options:
                    options.append(mapped)
            found: FrozenSet[int] = frozenset().union(
                *(patterns.index.lookup(form) for form in options)
            )
            self.hits.append(found)
            for alt_id in found:
                self.starts.setdefault(alt_id, []).append(pos)
        self.next_boundary: List[int] = [0] * len(self.tokens)
        upcoming = len(self.tokens)
        for pos in range(len(self.tokens) - 1, -1, -1):
            if self.tokens[pos] == BOUNDARY:
                upcoming = pos
            self.next_boundary[pos] = upcoming

    def _match_from(self, elements: Sequence[Element], pos: int) -> Optional[int]:
        """Match elements starting at token `pos`; return the end position or None."""
        if not elements:
            return pos
        head, rest = elements[0], elements[1:]
        n = len(self.tokens)
        if isinstance(head, Gap):
            limit = min(pos + MAX_GAP, self.next_boundary[pos] if pos < n else n)
            for end in range(pos, limit + 1):
                found = self._match_from(rest, end)
                if found is not None:
                    return found
            return None
        if isinstance(head, SentenceGap):
            # Jump straight to the places where the next word occurs in this sentence.
            limit = min(
                self.next_boundary[pos] if pos < n else n, pos + SENTENCE_GAP_MAX
            )
            target = rest[0] if rest else None
            if not isinstance(target, Alternatives):
                raise ValueError("'~~' must be followed by a word")
            places = self.starts.get(id(target), [])
            for place in places[bisect.bisect_left(places, pos) :]:
                if place >= limit:
                    break
                found = self._match_from(rest, place)
                if found is not None:
                    return found
            return None
        if isinstance(head, Boundary):
            if pos < n and self.tokens[pos] == BOUNDARY:
                return self._match_from(rest, pos + 1)
            return self._match_from(rest, pos) if pos >= n else None
        if isinstance(head, BoundaryOr):
            if pos < n and self.tokens[pos] == BOUNDARY:
                return self._match_from(rest, pos + 1)
            head = head.alternatives
        if pos >= n or id(head) not in self.hits[pos]:
            return None
        return self._match_from(rest, pos + 1)

    def find(self, pattern: Pattern) -> List[Tuple[int, int]]:
        """All (start, end) spans where the pattern matches."""
        first = pattern.elements[0]
        alt = first.alternatives if isinstance(first, BoundaryOr) else first
        candidates = (
            self.starts.get(id(alt), [])
            if isinstance(alt, Alternatives)
            else range(len(self.tokens))
        )
        spans = []
        for start in candidates:
            end = self._match_from(pattern.elements, start)
            if end is not None:
                spans.append((start, end))
        return spans


def _windows(tokens: Sequence[str]) -> Iterator[List[str]]:
    """Cut tokens into windows of whole sentences (long sentences with an overlap)."""
    window: List[str] = []
    sentence: List[str] = []
    for token in tokens:
        sentence.append(token)
        if token != BOUNDARY:
            continue
        if len(window) + len(sentence) > WINDOW_TOKENS and window:
            yield window
            window = []
        if len(sentence) <= WINDOW_TOKENS:
            window.extend(sentence)
        else:
            step = WINDOW_TOKENS - WINDOW_OVERLAP
            for begin in range(0, len(sentence), step):
                piece = sentence[begin : begin + WINDOW_TOKENS]
                yield piece if piece[-1] == BOUNDARY else piece + [_CUT]
                if begin + WINDOW_TOKENS >= len(sentence):
                    break
        sentence = []
    if window:
        yield window


def _detect_window(
    tokens: Sequence[str], patterns: PatternSet, extra: Mapping[str, str]
) -> Tuple[List[CrisisMatch], List[CrisisMatch], int]:
    """Kept and cancelled matches plus the number of idioms in one window."""
    matcher = _Matcher(tokens, patterns, extra)
    negative_spans: List[Tuple[int, int]] = []
    for pattern in patterns.negative:
        negative_spans.extend(matcher.find(pattern))
    kept: List[CrisisMatch] = []
    dropped: List[CrisisMatch] = []
    for pattern in patterns.positive:
        for start, end in matcher.find(pattern):
            match = CrisisMatch(
                pattern.category,
                pattern.source,
                start,
                end,
                pattern.level,
                unsilenced=pattern.unsilenced,
            )
            # The words of the match, without a closing sentence boundary.
            core_end = (
                end - 1 if end > start + 1 and tokens[end - 1] == BOUNDARY else end
            )
            overlapped = any(s < core_end and start < e for s, e in negative_spans)
            # An idiom cancels only the match whose words it shares, and never an
            # overdose, a method or a plan.
            if overlapped and not pattern.unconditional:
                dropped.append(match)
            else:
                kept.append(match)
    if patterns.past and kept:
        kept = _read_past(matcher, patterns.past, kept)
    return kept, dropped, len(negative_spans)


def _read_past(
    matcher: _Matcher, past: PastReading, kept: List[CrisisMatch]
) -> List[CrisisMatch]:
    """Mark the matches that this window tells as long past and over."""
    if not any(m.category in past.categories for m in kept):
        return kept
    told_past = {
        matcher.sentence[start] for p in past.markers for start, _ in matcher.find(p)
    }
    if not told_past or any(matcher.find(p) for p in past.recurring):
        return kept
    current = {
        matcher.sentence[start] for p in past.current for start, _ in matcher.find(p)
    }
    return [
        (
            replace(m, level=CHECK, past=True)
            if m.category in past.categories
            and matcher.sentence[m.start] in told_past
            and matcher.sentence[m.start] not in current
            else m
        )
        for m in kept
    ]


def detect(
    text: str,
    extra_lemmas: Optional[Mapping[str, str]] = None,
    patterns: Optional[PatternSet] = None,
    budget: float = DEFAULT_BUDGET_SECONDS,
    use_model: bool = True,
) -> CrisisResult:
    """Run every pattern and the learned model on `text`.

    `extra_lemmas` maps words to lemmas (e.g. spaCy's). Reading stops after
    ``budget`` seconds; the result is then ``incomplete`` and its level at least
    ``check``.
    """
    if not text or not text.strip():
        return CrisisResult(())
    patterns = patterns or _default_patterns()
    extra = {fold(k): fold(v) for k, v in (extra_lemmas or {}).items() if k and v}
    if use_model:
        from hechtwijzer_core.crisis_model import default_model

        default_model()  # trained once per process; not part of a message's budget
    deadline = time.perf_counter() + budget
    kept: List[CrisisMatch] = []
    dropped: List[CrisisMatch] = []
    idioms = 0
    incomplete = False
    for window in _windows(tokenize(text)):
        if time.perf_counter() > deadline:
            incomplete = True
            break
        window_kept, window_dropped, window_idioms = _detect_window(
            window, patterns, extra
        )
        kept.extend(window_kept)
        dropped.extend(window_dropped)
        idioms += window_idioms
    if not use_model or incomplete or (not kept and plain_answer(text, patterns)):
        return CrisisResult(tuple(kept), tuple(dropped), idioms, incomplete)
    model_level, model_none, incomplete, silence_at = _model_reading(text, deadline)
    return CrisisResult(
        tuple(kept),
        tuple(dropped),
        idioms,
        incomplete,
        model_level,
        model_none,
        silence_at,
    )


def _model_reading(text: str, deadline: float) -> Tuple[str, float, bool, float]:
    """Read ``text`` piece by piece with the learned model.

    Returns the highest level, the lowest P(none), whether the deadline stopped the
    reading, and the silence threshold.
    """
    from hechtwijzer_core.crisis_model import chunks, default_model

    model = default_model()
    found, lowest_none = NONE, 1.0
    for piece in chunks(text):
        if time.perf_counter() > deadline:
            return found, lowest_none, True, model.settings.silence_threshold
        probabilities = model.probabilities([piece])[0]
        lowest_none = min(lowest_none, probabilities.get(NONE, 0.0))
        level = model.level_of(probabilities)
        if level == CRISIS:
            found = CRISIS
        elif level == CHECK and found == NONE:
            found = CHECK
    return found, lowest_none, False, model.settings.silence_threshold


def assess(text: str, extra_lemmas: Optional[Mapping[str, str]] = None) -> str:
    """Shortcut: the level of this text (``crisis``, ``check`` or ``none``)."""
    return detect(text, extra_lemmas).level


def is_crisis(text: str, extra_lemmas: Optional[Mapping[str, str]] = None) -> bool:
    """Shortcut: True when the detector finds a clear crisis signal in this text."""
    return detect(text, extra_lemmas).level == CRISIS
