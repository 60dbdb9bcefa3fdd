"""Which answer a question asks for, and when to ask back instead of guessing.

Pure (no Rasa import). ``bot.components.topic_resolver`` feeds it what the intent
classifier and the FAQ response selector said about a message; ``bench/`` feeds it
recorded predictions to tune the settings.

Answers are labelled ``faq/<topic>``, ``style/<code>`` and ``term/<key>`` (the
knowledge answers); any other intent keeps its own name. Three steps:

1. ``answer_scores``: one probability per answer. The FAQ intent's probability is
   shared over the response selector's topics; ``explain_term`` and ``ask_style``
   go to the term or style the text names (as the actions read it). An
   ``ask_style`` that names no style is shared over the styles by the second
   reader (``with_described_style``).
2. Named concepts: when the text names a specific concept of the article
   (bindingsangst, zelfbeeld, dismissing, ...), the answers about that concept gain
   ``concept_mass`` (shared in proportion to what the classifier gave them) and the
   answers about *other* concepts are multiplied by ``other_concept_factor``.
   Answers about no particular concept (relationships, children, ...) are left
   alone, so "heb ik bindingsangst?" and "wat is bindingsangst?" can still differ.
3. ``decide``: equivalent answers (``EQUIVALENT``) count as one. The best one is
   answered when it is clearly ahead; otherwise, when the message looks like a
   question about the article, the two or three likeliest answers are offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from hechtwijzer_core.names import (
    NameTable,
    background_names,
    foreground,
    name_reading,
)

FAQ_INTENT = "faq"
TERM_INTENT = "explain_term"
STYLE_INTENT = "ask_style"
FALLBACK_INTENT = "nlu_fallback"
UNCLEAR_INTENT = "unclear_question"
CHOICE_INTENT = "choose_topic"
KNOWLEDGE_PREFIXES = ("faq/", "style/", "term/")
#: The umbrella "onveilig": names no one style.
INSECURE_STYLE = "style/insecure"
_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]+")
#: Example metadata key of an ``ask_style`` training example that describes a
#: style without naming it: the style code ("avoidant").
DESCRIBED_STYLE_KEY = "style"
#: The typed or pressed choice "none of these".
OTHER = "other"

#: Answers that answer the same question: a term's explanation and the FAQ topic
#: that is about exactly that term. Counted as one answer when deciding, and as
#: right for each other when measuring.
EQUIVALENT: Dict[str, str] = {
    "term/bindingsangst": "faq/fear_of_commitment",
    "term/verlatingsangst": "faq/fear_of_abandonment",
    "term/sleutelervaring": "faq/key_experiences",
    "term/werkmodel": "faq/working_models",
    "term/bril": "faq/glasses",
    "term/trigger": "faq/triggers",
    "term/continuum": "faq/continuum",
    "term/verworven_veilig": "faq/earned_secure",
    "term/complex_trauma": "faq/complex_trauma",
    "term/hyperactiverend": "faq/strategies",
    "term/deactiverend": "faq/strategies",
    "term/symptoom": "faq/continuum_levels",
    "term/karaktertrekken": "faq/continuum_levels",
    "term/persoonlijkheidsstructuur": "faq/continuum_levels",
    "term/zelfbeeld": "faq/two_dimensions",
    "term/beeld_van_de_ander": "faq/two_dimensions",
    "term/hechtingsstijl": "faq/what_is_attachment",
}


def canonical(label: str) -> str:
    """The label an answer is counted under (its FAQ topic when it has one)."""
    return EQUIVALENT.get(label, label)


def is_knowledge(label: str) -> bool:
    """True for ``faq/…``, ``style/…`` and ``term/…`` answers."""
    return label.startswith(KNOWLEDGE_PREFIXES)


@dataclass(frozen=True)
class Settings:
    """The knobs, tuned on development data (``bench/nlu_heldout.py --tune``)."""

    #: The message is a question about the article when the answers together
    #: have at least this share of the probability ...
    knowledge_share: float = 0.5
    #: ... and then the best answer needs this share among the answers ...
    min_score: float = 0.5
    #: ... and this lead over the next one, or the bot asks back.
    min_margin: float = 0.2
    #: Below ``knowledge_share`` the bot still asks back when the answers have at
    #: least ``min_knowledge`` and no other reading reaches ``fallback_score``.
    min_knowledge: float = 0.4
    fallback_score: float = 0.45
    #: Probability mass a named concept (a term of the article) adds to the
    #: answers about it; ``style_mass`` the same for a named style. Style names
    #: occur in many broader questions ("hoe herken ik of ik vermijdend ben"),
    #: so they get their own weight.
    concept_mass: float = 0.5
    style_mass: float = 0.0
    #: Mass for the style a question ends by asking about ("..., is dat
    #: vermijdend?", "ben ik dan angstig gehecht?"): there the name is the point
    #: of the question, not a word in passing.
    asked_style_mass: float = 0.0
    #: Answers about another concept than the one named are multiplied by this.
    other_concept_factor: float = 0.3
    #: When the best answer is a topic whose cue words the message holds ("is
    #: onveilig gehecht een stoornis?" for whether insecure is bad, "kan ik daar
    #: vanaf komen?" for growing more secure), the classifier and the words agree:
    #: it needs only this share instead of ``min_score``. Cue words add no weight
    #: of their own: an everyday message that holds one is not made a question.
    cued_min_score: float = 1.0
    #: Weight of the second reader (``bot.components.knowledge_reader``, built
    #: differently from the classifier) in each answer's score: a weighted
    #: geometric mean of the two. Where they agree the answer gains, where they
    #: disagree neither is clearly ahead and the bot asks back. 0 leaves it out.
    reading_weight: float = 0.0
    #: Options offered: up to ``max_options``, each at least this share of the best.
    max_options: int = 3
    option_ratio: float = 0.25

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from a config mapping; unknown keys are ignored."""
        known = {
            name: values[name] for name in cls.__dataclass_fields__ if name in values
        }
        return cls(**known)


@dataclass(frozen=True)
class Decision:
    """What to do with a message.

    ``kind``: ``answer`` (give ``label``), ``ask`` (offer ``options``) or ``pass``
    (leave the classifier's reading alone).
    """

    kind: str
    label: Optional[str] = None
    options: Tuple[str, ...] = ()
    scores: Tuple[Tuple[str, float], ...] = ()


# --------------------------------------------------------------------- vocabulary
@dataclass(frozen=True)
class Vocabulary:
    """Names of answers and concepts, and the words of a typed choice.

    Built from ``actions/content/knowledge.yml`` by ``from_content``.
    """

    #: Every alias of a term -> ``term/<key>`` (as the term action reads them).
    term_names: NameTable = NameTable()
    #: Every alias of a style name -> ``style/<code>`` (``style/insecure`` for the
    #: umbrella name, as the style action answers it).
    style_names: NameTable = NameTable()
    #: Terms named in passing (``names.background``, as ``term/<key>``): a message
    #: that names another term too asks about the other.
    background_terms: FrozenSet[str] = frozenset()
    #: Only the specific aliases: these count as naming a concept.
    concept_names: NameTable = NameTable()
    #: Answer label -> the concepts it is about (empty: no particular concept).
    about: Mapping[str, FrozenSet[str]] = field(default_factory=dict)
    #: Answer label -> names a typed choice may use for it.
    option_names: Mapping[str, NameTable] = field(default_factory=dict)
    #: Typed choice words: per position (1, 2, 3), "the last", yes, none of these.
    ordinals: Tuple[Tuple[str, ...], ...] = ()
    last_words: Tuple[str, ...] = ()
    yes_words: Tuple[str, ...] = ()
    other_words: Tuple[str, ...] = ()
    #: A typed reply longer than this many words is read as a new question.
    max_choice_words: int = 6
    #: How a question ends that asks whether something is a style: words that may
    #: come first ("dus", "dan"), the openings ("is dat", "ben ik") and the words
    #: that may stand beside the name alone ("vermijdende hechting?").
    style_question_leads: FrozenSet[str] = frozenset()
    style_question_frames: Tuple[str, ...] = ()
    style_question_fillers: FrozenSet[str] = frozenset()
    #: Cue words of a topic -> ``faq/<topic>`` (``ask_back.topic_cues``).
    topic_cues: NameTable = NameTable()

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> Vocabulary:
        """Read the knowledge content (topics, styles, variants, terms, ask_back)."""
        ask_back = dict(content.get("ask_back") or {})
        weak = {str(alias).lower() for alias in ask_back.get("weak_names") or []}
        generic = {str(key) for key in ask_back.get("generic_terms") or []}
        term_pairs: List[Tuple[str, str]] = []
        concept_pairs: List[Tuple[str, str]] = []
        about: Dict[str, set[str]] = {}
        names: Dict[str, List[Tuple[str, str]]] = {}
        for key, entry in dict(content.get("terms") or {}).items():
            label = f"term/{key}"
            aliases = [str(a) for a in entry.get("aliases") or []]
            term_pairs += [(alias, label) for alias in aliases]
            names.setdefault(label, []).extend((a, label) for a in aliases)
            if key in generic:
                continue
            concept_pairs += [(a, label) for a in aliases if a.lower() not in weak]
            about.setdefault(label, set()).add(label)
            related = entry.get("related")
            if related:
                topic = f"faq/{related}"
                about.setdefault(topic, set()).add(label)
                names.setdefault(topic, []).extend((a, topic) for a in aliases)
        style_pairs: List[Tuple[str, str]] = []
        for entry in dict(content.get("variants") or {}).values():
            code = str(entry.get("style") or "")
            label = f"style/{code if code != 'none' else 'insecure'}"
            aliases = [str(a) for a in entry.get("aliases") or []]
            style_pairs += [(alias, label) for alias in aliases]
            names.setdefault(label, []).extend((a, label) for a in aliases)
            if code == "none":
                continue
            concept_pairs += [(a, label) for a in aliases if a.lower() not in weak]
            about.setdefault(label, set()).add(label)
        for key, entry in dict(content.get("topics") or {}).items():
            title = str(entry.get("title") or "")
            if title:
                names.setdefault(f"faq/{key}", []).append((title, f"faq/{key}"))
        for code, entry in dict(content.get("styles") or {}).items():
            title = str(entry.get("title") or "")
            if title:
                names.setdefault(f"style/{code}", []).append((title, f"style/{code}"))
        cue_pairs = [
            (str(cue), f"faq/{topic}")
            for topic, cues in dict(ask_back.get("topic_cues") or {}).items()
            for cue in cues or []
        ]
        words = dict(ask_back.get("choice_words") or {})
        asking = dict(ask_back.get("style_question") or {})
        reading = name_reading(content)
        return cls(
            term_names=NameTable.build(term_pairs, **reading),
            background_terms=frozenset(
                f"term/{key}" for key in background_names(content)
            ),
            style_names=NameTable.build(style_pairs, **reading),
            concept_names=NameTable.build(concept_pairs, **reading),
            about={label: frozenset(concepts) for label, concepts in about.items()},
            option_names={
                label: NameTable.build(pairs, **reading)
                for label, pairs in names.items()
            },
            ordinals=tuple(
                tuple(_normal(w) for w in group)
                for group in words.get("ordinals") or []
            ),
            last_words=tuple(_normal(w) for w in words.get("last") or []),
            yes_words=tuple(_normal(w) for w in words.get("agree") or []),
            other_words=tuple(_normal(w) for w in words.get("other") or []),
            max_choice_words=int(ask_back.get("max_choice_words") or 6),
            style_question_leads=frozenset(
                _normal(w) for w in asking.get("leads") or []
            ),
            style_question_frames=tuple(_normal(w) for w in asking.get("frames") or []),
            style_question_fillers=frozenset(
                _normal(w) for w in asking.get("fillers") or []
            ),
            topic_cues=NameTable.build(
                cue_pairs,
                plain=[
                    *reading.get("plain", ()),
                    *(str(w) for w in ask_back.get("topic_cue_plain") or []),
                ],
            ),
        )

    def named_terms(self, text: str) -> List[str]:
        """The terms the text asks about (``term/…``), in text order.

        A background term counts only when no other term is named.
        """
        return foreground(self.term_names.find(text), self.background_terms)

    def cues_in(self, text: str) -> FrozenSet[str]:
        """The topics whose cue words the text holds (``faq/…``)."""
        return frozenset(self.topic_cues.find(text))

    def concepts_in(self, text: str) -> FrozenSet[str]:
        """The specific concepts the text names (``term/…`` and ``style/…``)."""
        return frozenset(self.concept_names.find(text))

    def asked_style(self, text: str) -> Optional[str]:
        """The style the message's last clause asks about, if it does.

        Only when the whole message names that one style, and the last clause
        either opens with a frame ("is dat …", "ben ik dan …") or holds nothing
        but the name and filler words ("vermijdende hechting?").
        """
        named = set(self.style_names.find(text)) - {INSECURE_STYLE}
        if len(named) != 1:
            return None
        clauses = [c for c in _CLAUSE_BREAK.split(str(text)) if c.strip()]
        if not clauses or set(self.style_names.find(clauses[-1])) != named:
            return None
        words = _normal(clauses[-1]).split()
        while words and words[0] in self.style_question_leads:
            words.pop(0)
        phrase = " ".join(words)
        style = named.pop()
        if any(f"{phrase} ".startswith(f"{f} ") for f in self.style_question_frames):
            return style
        rest = [
            w
            for w in words
            if w not in self.style_question_fillers and not self.style_names.find(w)
        ]
        return None if rest else style


# ------------------------------------------------------------------------ scoring
Ranking = Sequence[Tuple[str, float]]


def answer_scores(
    intent_ranking: Ranking,
    faq_ranking: Ranking,
    text: str,
    vocabulary: Vocabulary,
) -> Dict[str, float]:
    """One probability per answer label, from the classifier alone."""
    scores: Dict[str, float] = {}
    faq_total = sum(max(0.0, q) for _, q in faq_ranking)
    terms = vocabulary.named_terms(text)
    styles = vocabulary.style_names.find(text)
    for intent, probability in intent_ranking:
        p = max(0.0, float(probability))
        if intent in (FALLBACK_INTENT, UNCLEAR_INTENT):
            continue
        if intent == FAQ_INTENT and faq_total > 0:
            for topic, q in faq_ranking:
                label = f"faq/{topic}"
                scores[label] = scores.get(label, 0.0) + p * max(0.0, q) / faq_total
            continue
        if intent == TERM_INTENT and terms:
            label = terms[0]
        elif intent == STYLE_INTENT and styles:
            label = styles[0]
        else:
            label = intent
        scores[label] = scores.get(label, 0.0) + p
    return scores


def with_described_style(
    scores: Mapping[str, float], reading: Optional[Mapping[str, float]]
) -> Dict[str, float]:
    """Scores with an ``ask_style`` that names no style shared over the styles.

    The classifier can tell that a message asks about a style it describes ("ik
    doe alles liever alleen, welke stijl is dat?") but not which one; the second
    reader learned that from described examples. Each style gets the intent's
    probability times the reader's probability for it; what the reader gives to
    other answers stays on ``ask_style`` (no answer), so a reader that is not sure
    of a style leaves the message to be asked back or passed on.
    """
    adjusted = dict(scores)
    mass = adjusted.get(STYLE_INTENT, 0.0)
    styles = {
        label: value
        for label, value in (reading or {}).items()
        if label.startswith("style/") and label != INSECURE_STYLE and value > 0
    }
    if mass <= 0 or not styles:
        return adjusted
    given = 0.0
    for label, value in styles.items():
        share = mass * min(1.0, value)
        adjusted[label] = adjusted.get(label, 0.0) + share
        given += share
    adjusted[STYLE_INTENT] = max(0.0, mass - given)
    return adjusted


def with_concepts(
    scores: Mapping[str, float],
    named: FrozenSet[str],
    vocabulary: Vocabulary,
    settings: Settings,
    asked: Optional[str] = None,
) -> Dict[str, float]:
    """Scores after the named-concept evidence, normalised to sum 1.

    ``asked``: the style the question ends by asking about (gains
    ``asked_style_mass``).
    """
    adjusted = dict(scores)
    if asked and settings.asked_style_mass > 0:
        adjusted[asked] = adjusted.get(asked, 0.0) + settings.asked_style_mass
    if not named:
        return _normalised(adjusted)
    for label, value in list(adjusted.items()):
        if label == asked:
            continue
        about = vocabulary.about.get(label)
        if about and not about & named:
            adjusted[label] = value * settings.other_concept_factor
    for prefix, mass in (
        ("term/", settings.concept_mass),
        ("style/", settings.style_mass),
    ):
        kind = frozenset(c for c in named if c.startswith(prefix))
        if not kind or mass <= 0:
            continue
        consistent = sorted(
            label for label, about in vocabulary.about.items() if about & kind
        )
        # The added mass follows the classifier among the fitting answers, with a
        # floor so an answer the classifier missed can still be offered.
        weights = {label: adjusted.get(label, 0.0) + 0.05 for label in consistent}
        total_weight = sum(weights.values())
        for label, weight in weights.items():
            adjusted[label] = adjusted.get(label, 0.0) + mass * weight / total_weight
    return _normalised(adjusted)


#: The second reader's probability for an answer it did not rank.
READING_FLOOR = 1e-4


def with_reading(
    scores: Mapping[str, float],
    reading: Mapping[str, float],
    weight: float,
) -> Dict[str, float]:
    """Each answer's score blended with the second reader's probability for it.

    ``reading`` maps canonical answer labels to probabilities. An answer's score
    becomes ``score^(1-weight) * (reader share)^weight``; the answers keep their
    joint share, so whether the message is a question about the article at all
    stays the classifier's call. Other intents are left as they are.
    """
    if weight <= 0 or not reading:
        return dict(scores)
    share = sum(v for label, v in scores.items() if is_knowledge(label))
    if share <= 0:
        return dict(scores)
    blended = {
        label: (
            value ** (1 - weight)
            * (reading.get(canonical(label), READING_FLOOR) * share) ** weight
            if is_knowledge(label)
            else value
        )
        for label, value in scores.items()
    }
    total = sum(v for label, v in blended.items() if is_knowledge(label))
    if total <= 0:
        return dict(scores)
    return {
        label: value * share / total if is_knowledge(label) else value
        for label, value in blended.items()
    }


def _normalised(adjusted: Mapping[str, float]) -> Dict[str, float]:
    """Scores divided by their sum (empty when nothing is left)."""
    total = sum(adjusted.values())
    if total <= 0:
        return {}
    return {label: value / total for label, value in adjusted.items()}


def grouped(scores: Mapping[str, float]) -> List[Tuple[str, float, str]]:
    """(canonical label, summed score, best member) per group, best first."""
    sums: Dict[str, float] = {}
    best: Dict[str, Tuple[float, str]] = {}
    for label, value in scores.items():
        key = canonical(label)
        sums[key] = sums.get(key, 0.0) + value
        if key not in best or value > best[key][0]:
            best[key] = (value, label)
    rows = [(key, total, best[key][1]) for key, total in sums.items()]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return rows


def decide(
    scores: Mapping[str, float],
    settings: Settings,
    cued: FrozenSet[str] = frozenset(),
) -> Decision:
    """Answer, ask back, or leave the classifier's reading alone.

    Two questions: is this a question about the article (the answers' share of
    the probability), and if so, which answer (the shares among the answers).
    ``cued``: topics whose cue words the message holds.
    """
    rows = grouped(scores)
    shown = tuple((label, round(value, 4)) for label, value in _top(scores, 6))
    knowledge = [row for row in rows if is_knowledge(row[0])]
    if not knowledge:
        return Decision("pass", scores=shown)
    share = sum(row[1] for row in knowledge)
    other = max((row[1] for row in rows if not is_knowledge(row[0])), default=0.0)
    if share >= settings.knowledge_share and share > other:
        best = knowledge[0][1] / share
        second = knowledge[1][1] / share if len(knowledge) > 1 else 0.0
        needed = settings.min_score
        if knowledge[0][0] in {canonical(label) for label in cued}:
            needed = min(needed, settings.cued_min_score)
        if best >= needed and best - second >= settings.min_margin:
            return Decision("answer", label=knowledge[0][2], scores=shown)
    elif other >= settings.fallback_score or share < settings.min_knowledge:
        return Decision("pass", scores=shown)
    top = knowledge[0][1]
    options = tuple(
        label
        for _, value, label in knowledge[: settings.max_options]
        if value >= settings.option_ratio * top
    )
    return Decision("ask", options=options, scores=shown)


def _top(scores: Mapping[str, float], count: int) -> List[Tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:count]


@dataclass(frozen=True)
class Evidence:
    """What one message gives the decision before any setting is applied."""

    raw: Dict[str, float]
    named: FrozenSet[str]
    asked: Optional[str]
    cued: FrozenSet[str]
    reading: Mapping[str, float]


def evidence(
    intent_ranking: Ranking,
    faq_ranking: Ranking,
    text: str,
    vocabulary: Vocabulary,
    reading: Optional[Mapping[str, float]] = None,
) -> Evidence:
    """The settings-free part of the decision (computed once when tuning)."""
    return Evidence(
        raw=with_described_style(
            answer_scores(intent_ranking, faq_ranking, text, vocabulary), reading
        ),
        named=vocabulary.concepts_in(text),
        asked=vocabulary.asked_style(text),
        cued=vocabulary.cues_in(text),
        reading=dict(reading or {}),
    )


def decide_on(found: Evidence, vocabulary: Vocabulary, settings: Settings) -> Decision:
    """The decision from a message's evidence under ``settings``."""
    scores = with_concepts(found.raw, found.named, vocabulary, settings, found.asked)
    scores = with_reading(scores, found.reading, settings.reading_weight)
    return decide(scores, settings, found.cued)


def resolve(
    intent_ranking: Ranking,
    faq_ranking: Ranking,
    text: str,
    vocabulary: Vocabulary,
    settings: Settings,
    reading: Optional[Mapping[str, float]] = None,
) -> Decision:
    """The whole decision for one message (``reading``: the second reader's)."""
    found = evidence(intent_ranking, faq_ranking, text, vocabulary, reading)
    return decide_on(found, vocabulary, settings)


# ------------------------------------------------------------------ typed choices
def _normal(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).lower()).split())


def _has_phrase(normal: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {normal} "


def read_choice(
    text: str, options: Sequence[str], vocabulary: Vocabulary
) -> Optional[str]:
    """The option a typed reply to "Bedoel je …?" picks, ``OTHER``, or None.

    None means the reply is not a choice (a new question, an answer to a question
    of the questionnaire, ...). A named option wins over a position ("de eerste"),
    that over "iets anders"/"nee", that over "ja" (the first option).
    """
    normal = _normal(text)
    if not normal or not options:
        return None
    named = [
        option
        for option in options
        if vocabulary.option_names.get(option, NameTable()).find(text)
    ]
    if len(named) == 1:
        return named[0]
    if len(normal.split()) > vocabulary.max_choice_words:
        return None
    for position, words in enumerate(vocabulary.ordinals):
        if position < len(options) and any(_has_phrase(normal, w) for w in words):
            return options[position]
    if any(_has_phrase(normal, w) for w in vocabulary.last_words):
        return options[-1]
    if any(_opens_with(normal, w) for w in vocabulary.other_words):
        return OTHER
    if any(_opens_with(normal, w) for w in vocabulary.yes_words):
        return options[0]
    return None


def _opens_with(normal: str, phrase: str) -> bool:
    """The reply starts with ``phrase``, or holds it when it is several words."""
    if not phrase:
        return False
    if f"{normal} ".startswith(f"{phrase} "):
        return True
    return " " in phrase and _has_phrase(normal, phrase)
