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
WILDCARD = "*"
WILDCARD_MAX_WORDS = 5
WILDCARD_END_WORDS = 3

K = TypeVar("K")

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ZERO_IN_WORD = re.compile(r"(?<=[a-z])0+(?=[a-z])")
_APOSTROPHES = re.compile(r"['’‘`´]")
_OUT_OF_FIVE = re.compile(r"\b([1-5])\s*(?:/|van de|van|op|uit)\s*5\b")
_NEIGHBOURS_OR = re.compile(r"\b4\s*/\s*5\b")
""""4/5" may be "4 out of 5" or "4 or 5": asked again."""
_NEGATIVE_NUMBER = re.compile(r"(?:^|\s)[-−]\s*\d")
_DECIMAL = re.compile(r"\d\s*[.,]\s*\d")
_SENTENCE_END = re.compile(r"[.!?;]+\s+")


#: The table key of the "it differs" phrases: outside the scale, so never stored.
VARIES = SCALE_MIN - 1


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
    ``corrections``: words that take back what came before ("nooit, nee wacht,
    altijd"): only what follows the last one is read, and nothing after it means
    ask again. ``opening_corrections`` count as such only when they open a
    clause ("vaak, wacht, zelden"; not "ik wacht gewoon af").
    ``clause_corrections`` do so only at the start of a clause, after an answer
    and before another one that reads on its own ("4, nee 5").
    ``reason_starts``: a later clause starting with one of these words explains
    the answer in the first clause ("zelden, ik laat dat meestal los");
    ``contrast_words`` in such a clause make it a second answer instead
    ("vroeger vaak, ik doe het nu nooit meer").
    ``plain_words``: ordinary words one slip away from an answer word that are
    never mended into it ("nummer" is no "nimmer").
    ``word_aliases``: spellings in the message read as another word before the
    phrases are looked for (Flemish "nie" as "niet", "noit" as "nooit"); the
    phrases themselves are written with the full word.
    ``varies``: phrases saying that it differs ("hangt ervan af", "wisselt"):
    no scale point of their own, and the re-ask says so.
    ``varies_fits``: the points that can stand beside such a phrase and then
    give the answer ("soms, hangt van mijn bui af" is Soms); beside any other
    point ("nooit, hangt ervan af") the answer is asked again.
    ``agrees``: a bare yes or "that's right" as the whole answer ("klopt", "dat
    herken ik"): it says the reaction is known, not how often; asked again, and the
    re-ask says so. Beside a point ("ja, vaak") they count as before.
    ``declines``: a bare no as the whole answer ("nee", "nope"): it turns the
    reaction down without saying whether that is never or seldom; asked again, and
    the re-ask offers those two. Beside a point ("nee, nooit") they count as before.
    ``someone_else``: an answer that opens with one of these ("mijn moeder deed
    dat altijd") tells about another person: asked again, and the re-ask says so.
    ``vague``: phrases that as the whole answer leave more than one point open
    ("niet altijd"): asked again.
    ``double_negatives``: words after which a negation only stresses them
    (Flemish "nooit nie"): that negation is left out.
    ``number_words``: spelled-out numbers for shares ("een op de drie").
    ``shares``: (point, lowest, highest) share of the times each point stands for;
    a share between two ranges is asked again ("1 op de 4 keer").
    ``narrowing_openers`` and ``narrowing_words``: a last clause that opens with an
    opener ("maar") and holds nothing but a point, with only narrowing words
    beside it ("maar wel zelden"), narrows what came before: it is the answer when
    the rest reads as no point or as one step more ("'t is al ne keer gebeurd,
    maar zelden").
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
    corrections: tuple[str, ...] = ()
    opening_corrections: tuple[str, ...] = ()
    clause_corrections: tuple[str, ...] = ()
    reason_starts: tuple[str, ...] = ()
    contrast_words: tuple[str, ...] = ()
    plain_words: tuple[str, ...] = ()
    word_aliases: Mapping[str, str] = field(default_factory=dict)
    varies: tuple[str, ...] = ()
    varies_fits: tuple[int, ...] = ()
    agrees: tuple[str, ...] = ()
    declines: tuple[str, ...] = ()
    someone_else: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()
    double_negatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    number_words: Mapping[str, int] = field(default_factory=dict)
    shares: tuple[tuple[int, float, float], ...] = ()
    narrowing_openers: tuple[str, ...] = ()
    narrowing_words: tuple[str, ...] = ()

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
            corrections=_strings(raw.get("corrections")),
            opening_corrections=_strings(raw.get("opening_corrections")),
            clause_corrections=_strings(raw.get("clause_corrections")),
            reason_starts=_strings(raw.get("reason_starts")),
            contrast_words=_strings(raw.get("contrast_words")),
            plain_words=_strings(raw.get("plain_words")),
            word_aliases={
                normalise(str(k)): normalise(str(v))
                for k, v in (raw.get("word_aliases") or {}).items()
            },
            varies=_strings(raw.get("varies")),
            varies_fits=tuple(int(v) for v in raw.get("varies_fits") or ()),
            agrees=_strings(raw.get("agrees")),
            declines=_strings(raw.get("declines")),
            someone_else=_strings(raw.get("someone_else")),
            vague=_strings(raw.get("vague")),
            double_negatives={
                normalise(str(k)): tuple(normalise(str(w)) for w in v or ())
                for k, v in (raw.get("double_negatives") or {}).items()
            },
            number_words={
                normalise(str(k)): int(v)
                for k, v in (raw.get("number_words") or {}).items()
            },
            shares=tuple(
                (int(item["point"]), float(item["from"]), float(item["to"]))
                for item in raw.get("shares") or ()
            ),
            narrowing_openers=_strings((raw.get("narrowing") or {}).get("openers")),
            narrowing_words=_strings((raw.get("narrowing") or {}).get("words")),
        )


NO_RULES = ReadingRules()


def _strings(items: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in items or ())


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lowercase, drop accents/apostrophes/punctuation, squeeze letters typed 3+ times.

    A zero between letters is the letter o ("n00it").
    """
    plain = _APOSTROPHES.sub("", unaccented(text))
    plain = _ZERO_IN_WORD.sub(lambda m: "o" * len(m.group()), plain)
    plain = _NON_WORD.sub(" ", plain)
    plain = squeeze_repeats(plain)
    return " ".join(plain.split())


def _find(tokens: Sequence[str], phrase: str) -> int:
    """Index where the normalised ``phrase`` starts as whole words, or -1."""
    spans = _spans(tokens, normalise_phrase(phrase).split())
    return spans[0][0] if spans else -1


def normalise_phrase(phrase: str) -> str:
    """Like :func:`normalise`, but a ``*`` (some words, see :func:`_spans`) is kept."""
    return " ".join(
        WILDCARD if part == WILDCARD else normalise(part)
        for part in phrase.replace(WILDCARD, f" {WILDCARD} ").split()
    ).strip()


def _spans(tokens: Sequence[str], words: Sequence[str]) -> list[tuple[int, int]]:
    """Every (start, end) where ``words`` occur in ``tokens``.

    A ``*`` stands for one to five words, as few as the rest of the phrase
    needs ("hangt van * af"), or one to three, as many as there are, when it
    ends the phrase ("hangt af van *").
    """
    if not words:
        return []
    found = []
    for start in range(len(tokens)):
        end = _match_at(tokens, start, words)
        if end is not None:
            found.append((start, end))
    return found


def _match_at(tokens: Sequence[str], at: int, words: Sequence[str]) -> int | None:
    """End index when ``words`` match ``tokens`` from ``at``, else None."""
    if not words:
        return at
    head, rest = words[0], words[1:]
    if head != WILDCARD:
        if at < len(tokens) and tokens[at] == head:
            return _match_at(tokens, at + 1, rest)
        return None
    widths = range(1, (WILDCARD_MAX_WORDS if rest else WILDCARD_END_WORDS) + 1)
    for width in reversed(widths) if not rest else widths:
        if at + width <= len(tokens):
            end = _match_at(tokens, at + width, rest)
            if end is not None:
                return end
    return None


def _match_phrases(
    text: str,
    table: Mapping[K, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
    tokens: Sequence[str] | None = None,
    plain: Collection[str] = (),
) -> K | None:
    """Find the one key whose phrases occur in ``text``, or None when unclear.

    Phrases match as whole words; overlapping matches are resolved longest
    first. ``weak`` phrases (bare "ja"/"nee") only count when nothing else
    matched. A ``negations`` word right before or after a match that is not
    itself part of a known phrase ("zeker niet" when only "zeker" is known)
    makes the text unclear, as do different keys in what is left, except that
    a phrase starting with a negation ("niet altijd") after or before a clearer
    phrase only bounds it ("vaak, niet altijd" is "vaak"). Nothing found: a close
    match of the whole text counts, unless it holds one of the ``plain`` words.
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
            norm = normalise_phrase(phrase)
            for start, end in _spans(tokens, norm.split()):
                candidates.append(
                    (end - start, len(norm), start, key, norm in weak_norm)
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
    points = {
        normalise_phrase(phrase) for phrases in table.values() for phrase in phrases
    }
    keys = _without_bounds(chosen, tokens, negation_words, points)
    if len(keys) == 1:
        return next(iter(keys))
    if keys:
        return None
    if any(token in plain for token in tokens):
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
    chosen: list[tuple[int, int, K]],
    tokens: Sequence[str],
    negations: set[str],
    points: Collection[str] = (),
) -> set[K]:
    """The keys left when negated phrases only bound a clearer one.

    "soms, niet vaak": "niet vaak" (2) says no more than one step above it, and
    "soms" (3) fits, so the answer is "soms". Only for numeric keys, and only for
    a phrase that negates a point of the scale: "niet echt" negates none, so "niet
    echt nooit" is no Nooit.
    """
    keys = {key for _, _, key in chosen}
    if len(keys) < 2:
        return keys

    def bounds_a_point(start: int, n_words: int) -> bool:
        negated = tokens[start + 1 : start + n_words]
        return tokens[start] in negations and (
            not points
            or " ".join(negated) in points
            or any(t in points for t in negated)
        )

    bounds = [key for start, n, key in chosen if bounds_a_point(start, n)]
    plain = {key for start, n, key in chosen if not bounds_a_point(start, n)}
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
    key_of: dict[str, K] = {}
    for key, phrases in table.items():
        for phrase in phrases:
            if WILDCARD not in phrase:
                key_of.setdefault(normalise(phrase), key)
    close = difflib.get_close_matches(norm, list(key_of), n=3, cutoff=FUZZY_CUTOFF)
    keys = {key_of[match] for match in close}
    return next(iter(keys)) if len(keys) == 1 else None


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, set[str]]:
    """Letter -> the letters around it on a QWERTY keyboard."""
    places = {
        letter: (row, col)
        for row, keys in enumerate(_KEYBOARD_ROWS)
        for col, letter in enumerate(keys)
    }
    return {
        letter: {
            other
            for other, (r, c) in places.items()
            if other != letter and abs(r - row) <= 1 and abs(c - col) <= 1
        }
        for letter, (row, col) in places.items()
    }


_NEIGHBOURS = _keyboard_neighbours()
TYPO_MIN_CHARS = 4
TYPO_MAX_WAYS = 8
"""Shorter words are mended only when two letters were swapped ("teo")."""


def one_slip(typed: str, word: str) -> bool:
    """True when ``typed`` is ``word`` with one slip of the fingers.

    A letter typed twice ("jaa", "altijdd"), two neighbouring letters swapped
    ("sosm"), one letter dropped ("altij") or added ("soems"), or one letter
    replaced by a key next to it ("somd"). Words under four letters allow only
    the doubled letter and the swap, and a dropped letter needs four letters
    left, so "sms" never becomes "soms".
    """
    if typed == word:
        return False
    if len(typed) == len(word) + 1 and any(
        typed[i] == typed[i + 1] and typed[:i] + typed[i + 1 :] == word
        for i in range(len(typed) - 1)
    ):
        return len(word) >= 2
    if len(typed) == len(word):
        diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == word[diff[1]]
            and typed[diff[1]] == word[diff[0]]
        ):
            return True
        return (
            len(word) >= TYPO_MIN_CHARS
            and len(diff) == 1
            and typed[diff[0]] in _NEIGHBOURS.get(word[diff[0]], set())
        )
    if len(word) < TYPO_MIN_CHARS or min(len(typed), len(word)) < TYPO_MIN_CHARS:
        return False
    longer, shorter = (typed, word) if len(typed) > len(word) else (word, typed)
    if len(longer) != len(shorter) + 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def mend_typos(
    tokens: Sequence[str], phrases: Sequence[str], known: Collection[str]
) -> list[list[str]]:
    """The ways ``tokens`` can be read with their slips mended (at least one).

    A known word stays. An unknown one becomes each answer word it is one slip
    away from: when that is more than one word, every way is returned and the
    caller reads the text only when they all agree, so a slip never decides
    between two scale points. Words typed together ("afentoe", "af entoe") are
    split into the phrase words they spell. At most ``TYPO_MAX_WAYS`` ways.
    """
    words, joined = _typo_targets(tuple(phrases))
    ways: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        merged = _merged_phrase(tokens, i, joined, known)
        if merged is not None:
            phrase, used = merged
            options = [list(phrase)]
            i += used
        else:
            token = tokens[i]
            i += 1
            close = (
                sorted(word for word in words if one_slip(token, word))
                if token not in known and not token.isdigit()
                else []
            )
            options = [[word] for word in close] or [[token]]
        ways = [way + option for way in ways for option in options][:TYPO_MAX_WAYS]
    return ways


@lru_cache(maxsize=16)
def _typo_targets(
    phrases: tuple[str, ...],
) -> tuple[frozenset[str], dict[str, list[str]]]:
    """The words a slip is mended towards, and the phrases by their letters.

    Multi-word phrases are keyed by their letters alone ("afentoe" -> "af en toe").
    """
    normalised = [normalise_phrase(phrase).split() for phrase in phrases]
    words = frozenset(w for ws in normalised for w in ws if w.isalpha())
    joined = {
        "".join(ws): ws for ws in normalised if len(ws) > 1 and WILDCARD not in ws
    }
    return words, joined


def _merged_phrase(
    tokens: Sequence[str],
    at: int,
    joined: Mapping[str, list[str]],
    known: Collection[str],
) -> tuple[list[str], int] | None:
    """The phrase that one to three tokens from ``at`` spell without their spaces."""
    for width in (3, 2, 1):
        window = tokens[at : at + width]
        if len(window) < width or all(token in known for token in window):
            continue
        phrase = joined.get("".join(window))
        if phrase is not None and phrase != list(window):
            return phrase, width
    return None


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
    fillers = {normalise(word) for word in rules.fillers}
    tokens = spelled_out(text, rules).split()
    tokens = _intensify([t for t in tokens if t not in fillers], rules)
    spans = [
        span
        for phrase in phrases
        for span in _spans(tokens, normalise_phrase(phrase).split())
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


def spelled_out(text: str, rules: ReadingRules) -> str:
    """Normalised text with signs as words, "3/5" as "3" and word aliases applied."""
    text = _OUT_OF_FIVE.sub(r"\1", text.lower())
    for symbol, word in rules.symbols.items():
        text = text.replace(symbol, f" {word} ")
    plain = _OUT_OF_FIVE.sub(r"\1", normalise(text))
    tokens = plain.split()
    if rules.double_negatives:
        tokens = [
            token
            for i, token in enumerate(tokens)
            if not (i and token in rules.double_negatives.get(tokens[i - 1], ()))
        ]
    return " ".join(rules.word_aliases.get(token, token) for token in tokens)


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


def first_sentence(text: str) -> str:
    """The text up to the first sentence end ("Vaak. Ik weet niet waarom" -> "Vaak")."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def parse_answer(
    text: str,
    scale: Mapping[int, Sequence[str]],
    weak: Collection[str] = (),
    negations: Collection[str] = (),
    rules: ReadingRules = NO_RULES,
) -> int | None:
    """Map a free-text answer to 1..5, or None when it cannot be read safely.

    ``scale`` maps each value to its phrases (button title included). A digit
    1..5 counts as that value ("4.", "optie 4", "3/5"; "4/5" may mean "4 or 5"
    and is asked again); any other number makes the text unclear. ``weak``,
    ``negations`` and ``rules`` as in the content file ``answer_scale.yml``. Questions are not answers. A self-correction
    counts with what follows it; a first clause followed by a reason counts on
    its own. None means: ask again, never guess.
    """
    if is_question(text, rules) or says_it_agrees(text, rules):
        return None
    if says_it_declines(text, rules):
        return None
    if tells_about_someone_else(text, rules, weak):
        return None
    if _whole_answer_is(text, rules, rules.vague):
        return None
    shared = with_shares(text, scale, rules)
    if shared is None:
        return None
    text = shared
    if any(p.search(text) for p in (_NEGATIVE_NUMBER, _DECIMAL, _NEIGHBOURS_OR)):
        return None
    if mentions_tokens(_answer_tokens(first_sentence(text), rules), rules.unsure):
        return None
    reader = _Reader.build(scale, weak, negations, rules)
    clauses = [c for c in _CLAUSE_END.split(text) if normalise(c)]
    corrected = reader.after_correction(clauses)
    if corrected is not _NOT_CORRECTED:
        return corrected if isinstance(corrected, int) else None
    if _differs_per_person(clauses, reader, rules):
        return None
    if (
        len(clauses) > 1
        and (says_it_agrees(clauses[0], rules) or says_it_declines(clauses[0], rules))
        and reader.read(" , ".join(clauses[1:])) is None
    ):
        return None  # "nee, want ik praat het liever uit": still a bare no
    value = reader.with_first_clause(clauses, reader.read(text))
    if value is None:
        value = reader.beside_varies(clauses)
    if value is None:
        value = reader.narrowed(clauses)
    return value


def _whole_answer_is(text: str, rules: ReadingRules, phrases: Sequence[str]) -> bool:
    """True when ``text`` without fillers is one of ``phrases`` (no question)."""
    if not phrases or is_question(text, rules):
        return False
    fillers = {normalise(word) for word in rules.fillers}
    words = " ".join(w for w in spelled_out(text, rules).split() if w not in fillers)
    return any(words == normalise(phrase) for phrase in phrases)


def says_it_agrees(text: str, rules: ReadingRules = NO_RULES) -> bool:
    """True when the whole answer is a bare yes ("klopt", "dat herken ik wel", "👍").

    It says that the reaction is known, not how often: asked again.
    """
    return _whole_answer_is(text, rules, rules.agrees)


def says_it_declines(text: str, rules: ReadingRules = NO_RULES) -> bool:
    """True when the whole answer is a bare no ("nee", "nope", "nee hoor").

    It turns the reaction down, but leaves Nooit and Zelden open: asked again.
    """
    return _whole_answer_is(text, rules, rules.declines)


def tells_about_someone_else(
    text: str, rules: ReadingRules = NO_RULES, weak: Collection[str] = ()
) -> bool:
    """True when the answer opens with another person ("mijn ex deed dat altijd").

    Fillers and ``weak`` words (a bare yes or no) before it are skipped ("ja,
    mijn moeder ..."); a question never counts.
    """
    if not rules.someone_else or is_question(text, rules):
        return False
    skipped = {normalise(word) for word in (*rules.fillers, *weak)}
    words = normalise(text).split()
    while words and words[0] in skipped:
        words.pop(0)
    phrases = [normalise(p).split() for p in rules.someone_else]
    return any(words[: len(phrase)] == phrase for phrase in phrases if phrase)


def _differs_per_person(
    clauses: Sequence[str], reader: _Reader, rules: ReadingRules
) -> bool:
    """True when clauses about two people give different answers.

    "bij mijn partner wel, bij mijn moeder nooit" answers for two relationships; the
    questions ask about one, so it is asked again. What follows "bij <person>" is
    read on its own ("nooit"; a bare "wel" or "niet" counts as a yes or a no); the same
    point for both, or a clause without a point of its own ("bij mijn vader ook"),
    counts as one answer.
    """
    phrases = [["bij", *normalise(p).split()] for p in rules.someone_else]
    points: set[int | str] = set()
    about_people = 0
    for clause in clauses:
        words = normalise(clause).split()
        phrase = next((p for p in phrases if words[: len(p)] == p), None)
        if phrase is None:
            continue
        about_people += 1
        rest = " ".join(words[len(phrase) :])
        value: int | str | None = reader.read(rest)
        if value is None and _whole_answer_is(rest, rules, rules.agrees):
            value = "yes"  # "bij mijn partner wel": a bare yes, no point of its own
        elif value is None and _whole_answer_is(rest, rules, rules.declines):
            value = "no"
        if value is not None:
            points.add(value)
    return about_people >= 2 and len(points) > 1


_COUNTED_AFTER_SHARE = ("keer", "keren", "maal", "x")


def _share_pattern(rules: ReadingRules) -> re.Pattern[str]:
    """``<n> [keer] op de <m> [keer]``, ``<n>/<m>`` and ``<n> procent``, digits or words."""
    words = sorted(rules.number_words, key=len, reverse=True)
    number = r"(\d{1,3}|" + "|".join(re.escape(w) for w in words) + r")"
    counted = "|".join(_COUNTED_AFTER_SHARE)
    return re.compile(
        rf"\b{number}\s*(?:(?:keer|maal|x)\s+)?(op\s+|van\s+|uit\s+|per\s+|/\s*)"
        rf"(de\s+|die\s+)?{number}\b"
        rf"(\s*(?:{counted})\b)?|\b(\d{{1,3}})\s*(?:%|procent\b)"
    )


def _number(token: str, rules: ReadingRules) -> int:
    return int(token) if token.isdigit() else rules.number_words[token]


def with_shares(
    text: str, scale: Mapping[int, Sequence[str]], rules: ReadingRules = NO_RULES
) -> str | None:
    """``text`` with each share of the times written as the point it stands for.

    "1 op de 10 keer" reads as Zelden, "75%" as Vaak, by the ranges of
    ``rules.shares``. A share between two ranges, or more than the whole, gives
    None: asked again. "4 op 5" without "de" or a counted word is a mark out of
    five, not a share, and is left alone, as are "2/3" (it may mean "2 or 3") and
    "50/50": a slash is a share only of less than the whole, out of more than five
    ("1/10").
    """
    if not rules.shares:
        return text
    lowered = unaccented(text.lower())
    pieces: list[str] = []
    last = 0
    for match in _share_pattern(rules).finditer(lowered):
        if match.group(6) is not None:
            part, whole = int(match.group(6)), 100
        else:
            part = _number(match.group(1), rules)
            whole = _number(match.group(4), rules)
            if whole == SCALE_MAX and not (match.group(3) or match.group(5)):
                continue
            if match.group(2).startswith("/") and (whole <= SCALE_MAX or part >= whole):
                continue  # "2/3" may mean "2 or 3", "50/50" is half; "1/10" is a share
        if whole < 2 or part > whole:
            return None
        share = part / whole
        point = next((p for p, low, high in rules.shares if low <= share <= high), None)
        if point is None or point not in scale or not scale[point]:
            return None
        pieces += [lowered[last : match.start()], f" {scale[point][0]} "]
        last = match.end()
    return "".join(pieces) + lowered[last:] if pieces else text


def says_it_varies(
    text: str, rules: ReadingRules = NO_RULES, negations: Collection[str] = ()
) -> bool:
    """True when ``text`` says that it differs ("hangt ervan af", "wisselt").

    Not for a question, nor when a negation follows ("het verschilt niet").
    """
    if is_question(text, rules):
        return False
    words = spelled_out(text, rules).split()
    negating = {normalise(word) for word in negations}
    for phrase in rules.varies:
        for _, end in _spans(words, normalise_phrase(phrase).split()):
            if not negating & set(words[end : end + 2]):
                return True
    return False


_CLAUSE_END = re.compile(r"[,;:.!?…]+|\s[-–—]+\s")
_NOT_CORRECTED = object()


@dataclass(frozen=True)
class _Reader:
    """One scale's phrases and rules, ready to read a text or a part of one."""

    table: Mapping[int, Sequence[str]]
    weak: Collection[str]
    negations: frozenset[str]
    rules: ReadingRules
    phrases: tuple[str, ...]
    answer_words: frozenset[str]
    known: frozenset[str]
    plain: frozenset[str]

    @classmethod
    def build(
        cls,
        scale: Mapping[int, Sequence[str]],
        weak: Collection[str],
        negations: Collection[str],
        rules: ReadingRules,
    ) -> _Reader:
        """Collect the phrases (digits 1..5 added) and the words they use."""
        table: dict[int, list[str]] = {value: list(p) for value, p in scale.items()}
        for point in range(SCALE_MIN, SCALE_MAX + 1):
            table.setdefault(point, []).append(str(point))
        if rules.varies:
            # matched like any phrase (the longest wins), but no point of the scale
            table[VARIES] = list(rules.varies)
        phrases = tuple(p for values in table.values() for p in values)
        answer_words = {
            w for p in phrases for w in normalise_phrase(p).split() if w != WILDCARD
        }
        other_lists = (
            weak,
            negations,
            rules.reason_markers,
            rules.intensifiers,
            rules.intensifiable,
            rules.question_words,
            rules.question_starts,
            rules.fillers,
            tuple(rules.alone),
            rules.unsure,
            rules.not_a_choice_next_to_number,
            rules.corrections,
            rules.opening_corrections,
            rules.clause_corrections,
            rules.reason_starts,
            rules.contrast_words,
            rules.plain_words,
        )
        known = answer_words | {
            w for words in other_lists for p in words for w in normalise(p).split()
        }
        return cls(
            table=table,
            weak=weak,
            negations=frozenset(normalise(w) for w in negations),
            rules=rules,
            phrases=phrases,
            answer_words=frozenset(answer_words),
            plain=frozenset(normalise(w) for w in rules.plain_words),
            known=frozenset(known),
        )

    def tokens(self, text: str) -> list[str]:
        """The normalised words of ``text``, slips mended the first way."""
        return self.ways(text)[0]

    def ways(self, text: str) -> list[list[str]]:
        """The normalised words of ``text``, in each way its slips can be mended."""
        return mend_typos(
            spelled_out(text, self.rules).split(), self.phrases, self.known
        )

    def read(self, text: str, weak: bool = True) -> int | None:
        """The value of ``text`` read as one answer, or None when unclear.

        Read once for every way its slips can be mended: only a value they all
        agree on counts. With ``weak`` false a bare yes or no does not count:
        what is left must say how often on its own.
        """
        values = {self._read_words(text, way, weak) for way in self.ways(text)}
        return values.pop() if len(values) == 1 else None

    def _read_words(self, text: str, words: list[str], weak: bool) -> int | None:
        """The value of one way of reading ``text``'s words."""
        tokens = _answer_tokens(" ".join(words), self.rules, self.phrases)
        if not tokens or _counts_something(tokens, self.rules):
            return None
        alone = {normalise(p): value for p, value in self.rules.alone.items()}
        if " ".join(tokens) in alone:
            return alone[" ".join(tokens)] if weak else None
        table = self.table
        if not weak:
            bare = {normalise(p) for p in self.weak}
            table = {
                key: [p for p in phrases if normalise(p) not in bare]
                for key, phrases in self.table.items()
            }
        value = _match_phrases(
            text, table, self.weak, self.negations, tokens=tokens, plain=self.plain
        )
        if value is None or not SCALE_MIN <= value <= SCALE_MAX:
            return None
        if any(token.isdigit() and token not in self.known for token in tokens):
            return None
        return value

    def after_correction(self, clauses: Sequence[str]) -> object:
        """The value after the last self-correction, or ``_NOT_CORRECTED``.

        After one of the ``corrections`` ("nee wacht", "ik bedoel") only what
        follows counts, and nothing readable there means ask again. A
        ``clause_corrections`` word ("nee") corrects only at the start of a
        clause, between two answers that read on their own, and not before a
        negated phrase ("vaak, nee niet altijd" bounds, it does not correct).
        """
        parts = [self.tokens(clause) for clause in clauses]
        fillers = {normalise(w) for w in self.rules.fillers}
        found: tuple[int, int, bool] | None = None
        for index, words in enumerate(parts):
            for marker in self.rules.corrections:
                for _, end in _spans(words, normalise(marker).split()):
                    found = max(found or (index, end, True), (index, end, True))
            lead = 0
            while lead < len(words) and words[lead] in fillers:
                lead += 1
            last = index == len(parts) - 1
            for marker in self.rules.opening_corrections:
                marker_words = normalise(marker).split()
                if words[lead : lead + len(marker_words)] == marker_words:
                    end = lead + len(marker_words)
                    tail = " ".join(words[end:])
                    if tail and self.read(tail) is None:
                        continue  # "vaak, wacht ik gewoon af": the verb, not a correction
                elif last and words[-len(marker_words) :] == marker_words:
                    end = len(words)  # "altijd wacht": nothing follows it
                else:
                    continue
                found = max(found or (index, end, True), (index, end, True))
            for marker in self.rules.clause_corrections:
                marker_words = normalise(marker).split()
                if index and words[lead : lead + len(marker_words)] == marker_words:
                    found = max(
                        found or (index, lead + len(marker_words), False),
                        (index, lead + len(marker_words), False),
                    )
        if found is None:
            return _NOT_CORRECTED
        index, end, explicit = found
        rest = " , ".join([" ".join(parts[index][end:]), *clauses[index + 1 :]])
        before = " , ".join([*clauses[:index], " ".join(parts[index][:end])])
        if explicit:
            return self.read(rest)
        rest_words = [w for w in self.tokens(rest) if w not in fillers]
        if mentions_tokens(rest_words, self.rules.unsure):
            return None
        if not rest_words or rest_words[0] in self.negations:
            return _NOT_CORRECTED
        if self.read(before) is None:
            return _NOT_CORRECTED
        value = self.read(rest)
        return _NOT_CORRECTED if value is None else value

    def with_first_clause(
        self, clauses: Sequence[str], value: int | None
    ) -> int | None:
        """The first clause's answer when the clauses after it only give a reason.

        Later clauses that all start with a ``reason_starts`` word, hold no
        ``contrast_words`` and do not end on an answer explain the answer: a
        clear first clause counts ("zelden, ik laat dat meestal los" is
        Zelden). A bare yes or no first counts only within one step of the
        whole message ("ja, ik doe het altijd" is Bijna altijd, "ja, zelden"
        is asked again).
        """
        if len(clauses) < 2:
            return value
        first = self.read(clauses[0])
        if first is None:
            return value
        if self.read(clauses[0], weak=False) is None:
            if value is not None and abs(value - first) > 1:
                return None
            return value
        return first if self._only_reasons(clauses[1:]) else value

    def beside_varies(self, clauses: Sequence[str]) -> int | None:
        """The point of the one clause beside clauses that say it differs.

        "soms, hangt van mijn bui af" is Soms: the person chose a point and added
        that it varies. Only for separate clauses ("hangt ervan af hoe vaak ik hem
        zie" is no answer), only for a point of ``varies_fits`` ("nooit, hangt
        ervan af" contradicts itself), and only when every other clause says that it
        differs and reads as no point on its own.
        """
        if len(clauses) < 2 or not self.rules.varies_fits:
            return None
        points: list[int] = []
        for clause in clauses:
            if says_it_varies(clause, self.rules, self.negations):
                if self.read(clause) is not None:
                    return None
                continue
            value = self.read(clause)
            if value is None:
                return None
            points.append(value)
        if len(points) != 1 or points[0] not in self.rules.varies_fits:
            return None
        return points[0]

    def narrowed(self, clauses: Sequence[str]) -> int | None:
        """The point of a last "maar …" clause that narrows what came before.

        "niet echt nooit, maar wel zelden" and "'t is al ne keer gebeurd, maar
        zelden" are Zelden. The last clause must open with a ``narrowing_openers``
        word and hold nothing but one answer phrase and ``narrowing_words``; the
        clauses before it must read as no point of their own, or as one step more
        (never as less: "nooit, maar soms wel" stays asked again).
        """
        rules = self.rules
        if len(clauses) < 2 or not rules.narrowing_openers:
            return None
        openers = {normalise(w) for w in rules.narrowing_openers}
        extra = {normalise(w) for w in (*rules.narrowing_words, *rules.fillers)}
        words = self.tokens(clauses[-1])
        if not words or words[0] not in openers:
            return None
        rest = [w for w in words[1:] if w not in extra]
        bare = {normalise(p) for p in self.weak}
        phrase = " ".join(rest)
        value = next(
            (
                key
                for key, phrases in self.table.items()
                if SCALE_MIN <= key <= SCALE_MAX
                and any(
                    normalise_phrase(p) == phrase and normalise(p) not in bare
                    for p in phrases
                )
            ),
            None,
        )
        if value is None:
            return None
        before = self.read(" , ".join(clauses[:-1]))
        return value if before is None or before == value + 1 else None

    def _only_reasons(self, clauses: Sequence[str]) -> bool:
        """True when every clause starts with a reason word and only explains.

        A clause that holds a contrast word, or that ends on an answer phrase
        ("ik doe het altijd"), gives a second answer, not a reason.
        """
        fillers = {normalise(w) for w in self.rules.fillers}
        starts = {normalise(w) for w in self.rules.reason_starts}
        bare = {normalise(p) for p in self.weak}
        endings = [
            normalise_phrase(p).split()
            for phrases in self.table.values()
            for p in phrases
            if normalise(p) not in bare
        ]
        for clause in clauses:
            words = self.tokens(clause)
            plain = [w for w in words if w not in fillers]
            if not plain or plain[0] not in starts:
                return False
            if mentions_tokens(words, self.rules.contrast_words):
                return False
            if any(end == len(plain) for e in endings for _, end in _spans(plain, e)):
                return False
        return True


def _counts_something(tokens: Sequence[str], rules: ReadingRules) -> bool:
    """True when a number stands next to a word it counts ("2 keer", "vraag 3")."""
    counted = {normalise(word) for word in rules.not_a_choice_next_to_number}
    return any(
        token.isdigit()
        and not (token == "0" and len(tokens) == 2 and i == 0)  # "0 keer" is Nooit
        and any(0 <= j < len(tokens) and tokens[j] in counted for j in (i - 1, i + 1))
        for i, token in enumerate(tokens)
    )


def mentions_tokens(tokens: Sequence[str], phrases: Sequence[str]) -> bool:
    """True when one of ``phrases`` occurs in ``tokens`` as whole words."""
    return any(_find(tokens, phrase) >= 0 for phrase in phrases)


def mentions_beside(text: str, markers: Sequence[str], phrases: Sequence[str]) -> bool:
    """True when one of ``markers`` occurs in ``text`` outside every phrase.

    "opnieuw" in "elke keer opnieuw" is part of an answer; in "nooit, ik wil
    opnieuw beginnen" it is not.
    """
    tokens = normalise(text).split()
    inside = {
        i
        for phrase in phrases
        for start, end in _spans(tokens, normalise_phrase(phrase).split())
        for i in range(start, end)
    }
    return any(
        not inside & set(range(start, end))
        for marker in markers
        for start, end in _spans(tokens, normalise(marker).split())
    )


def parse_choice(text: str, options: Mapping[str, Sequence[str]]) -> str | None:
    """Map free text to one option code (e.g. the relationship), or None."""
    return _match_phrases(text, options)


def mentions(text: str, phrases: Sequence[str]) -> bool:
    """True when one of ``phrases`` occurs in ``text`` as whole words."""
    return mentions_tokens(normalise(text).split(), phrases)
