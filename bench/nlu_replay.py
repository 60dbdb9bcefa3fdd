"""Replaying the answer decision on recorded predictions: outcomes, cross-validation, tuning.

Used by ``bench/nlu_heldout.py``. Everything here runs in-process on a trained
model:

- ``parse_texts``: the model's own parse of each text (the same NLU as the running
  bot); ``TopicResolver`` stores what it decided from (intent and FAQ rankings) in
  the property ``topic_choice``, so the decision can be replayed with other settings.
- ``cross_validation``: k-fold predictions on the training data. The model's
  featurizers are run once on every example (their vocabulary comes from all the
  data, but a word seen only in the held-out fold gets no weight in a fold's
  classifier, so no label leaks); per fold the intent classifier and the FAQ
  selector are refitted with the settings of ``config.yml``.
- ``outcome`` / ``tally``: right, asked back, rephrase, other reply, wrong.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.components import topic_choice as tc  # noqa: E402

CACHE = ROOT / ".hechtwijzer" / "bench"
RIGHT, ASKED, REPHRASE, OTHER, WRONG = "right", "asked", "rephrase", "other", "wrong"
KINDS = (RIGHT, ASKED, REPHRASE, OTHER, WRONG)
#: Replies that ask the person to say it again (no options): counted with asked back.
REPHRASE_INTENTS = ("nlu_fallback", "explain_term", "ask_style")
FALLBACK_THRESHOLD = 0.45
#: The intent classifier of config.yml (its input is the featurized message).
INTENT_CLASSIFIERS = ("LogisticRegressionClassifier", "LinearIntentClassifier")


@dataclass(frozen=True)
class Case:
    """One message with its expected label and what the classifiers said."""

    expected: str
    text: str
    intents: Tuple[Tuple[str, float], ...]
    topics: Tuple[Tuple[str, float], ...]
    #: The second reader's answers (in cross-validation: a reader fitted on the
    #: fold's training part).
    reading: Tuple[Tuple[str, float], ...] = ()


def read_tsv(path: Path) -> List[Tuple[str, str]]:
    """(label, message) rows of a ``label<TAB>message`` file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        if text.strip():
            rows.append((label.strip(), text.strip()))
    return rows


def content() -> Dict[str, Any]:
    """The knowledge content."""
    return dict(
        yaml.safe_load(
            (ROOT / "actions" / "content" / "knowledge.yml").read_text(encoding="utf-8")
        )
    )


def vocabulary() -> tc.Vocabulary:
    return tc.Vocabulary.from_content(content())


def config_settings() -> tc.Settings:
    """The TopicResolver settings in ``config.yml``."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for item in config["pipeline"]:
        if str(item["name"]).endswith("TopicResolver"):
            return tc.Settings.from_mapping(item)
    return tc.Settings()


def is_right(expected: str, label: Optional[str]) -> bool:
    """The answer given is the one expected, or counts as the same."""
    return label is not None and tc.canonical(label) == tc.canonical(expected)


# ------------------------------------------------------------------ in-process parse
def load_agent(model: Path) -> Any:
    """The trained model as an in-process agent (quiet)."""
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    agent = Agent.load(str(model))
    configure_structlog(logging.WARNING)
    return agent


def parse_texts(agent: Any, texts: Sequence[str]) -> List[Dict[str, Any]]:
    """The parse data of every text (a fresh conversation each)."""

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def case_from_parse(expected: str, parse: Dict[str, Any]) -> Case:
    """A case from the recorded inputs of the resolver."""
    prop = parse.get("topic_choice") or {}
    return Case(
        expected,
        str(parse.get("text") or ""),
        tuple((str(n), float(v)) for n, v in prop.get("intents") or []),
        tuple((str(n), float(v)) for n, v in prop.get("topics") or []),
        tuple((str(n), float(v)) for n, v in prop.get("reading") or []),
    )


# ----------------------------------------------------------------- cross-validation
def _model_key(model: Path, folds: int) -> str:
    """Cache name: the model, the training texts and config.yml."""
    digest = hashlib.sha1(model.name.encode())
    for text, intent, key in training_examples():
        digest.update(f"{text}\t{intent}\t{key}\n".encode())
    digest.update((ROOT / "config.yml").read_bytes())
    return f"nlu_cv_{digest.hexdigest()[:12]}_{folds}.json"


def cross_validation(
    model: Path, folds: int = 4, agent: Any = None
) -> Tuple[List[Case], float]:
    """K-fold cases on the training data (cached per model); and the seconds taken."""
    import time

    cached = CACHE / _model_key(model, folds)
    if cached.is_file():
        rows = json.loads(cached.read_text(encoding="utf-8"))
        return [Case(r[0], r[1], *(tuple(map(tuple, part)) for part in r[2:])) for r in rows], 0.0  # type: ignore[arg-type]
    started = time.monotonic()
    cases = _cross_validate(agent or load_agent(model), folds)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(
        json.dumps(
            [[c.expected, c.text, c.intents, c.topics, c.reading] for c in cases],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return cases, time.monotonic() - started


def training_examples() -> List[Tuple[str, str, Optional[str]]]:
    """(text, intent, response key) of every NLU training example."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain"), [str(ROOT / "data")]
    )
    data = importer.get_nlu_data()
    rows = []
    for example in data.intent_examples:
        text = example.get("text")
        if text:
            rows.append(
                (
                    str(text),
                    str(example.get("intent")),
                    example.get("intent_response_key"),
                )
            )
    return rows


def _featurized(agent: Any, texts: Sequence[str]) -> Any:
    """Sentence feature rows of ``texts`` from the model's own featurizers."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE
    from scipy.sparse import vstack

    from bot.components.linear_classifiers import sentence_features

    processor = agent.processor
    schema = processor.model_metadata.predict_schema
    classifier = next(
        name
        for name, node in schema.nodes.items()
        if node.uses.__name__ in INTENT_CLASSIFIERS
    )
    source = schema.nodes[classifier].needs["messages"]
    rows = []
    for start in range(0, len(texts), 256):
        batch = [UserMessage(text) for text in texts[start : start + 256]]
        result = processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: batch}, targets=[source]
        )
        rows.extend(sentence_features(m) for m in result[source])
    return vstack(rows).tocsr()


def _classifier_settings() -> Tuple[Dict[str, Any], Dict[str, Any]]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    intent: Dict[str, Any] = {}
    selector: Dict[str, Any] = {}
    for item in config["pipeline"]:
        if str(item["name"]).split(".")[-1] in INTENT_CLASSIFIERS:
            intent = item
        if (
            str(item["name"]).endswith("LinearResponseSelector")
            and item.get("retrieval_intent") == "faq"
        ):
            selector = item
    return intent, selector


def _cross_validate(agent: Any, folds: int) -> List[Case]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    examples = training_examples()
    texts = [t for t, _, _ in examples]
    strata = [key or intent for _, intent, key in examples]
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else "rare" for s in strata]
    features = _featurized(agent, texts)
    intent_cfg, selector_cfg = _classifier_settings()
    intents = np.array([intent for _, intent, _ in examples])
    keys = np.array([str(key or "") for _, _, key in examples])
    vocab = vocabulary()
    cases: List[Case] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    for train, test in splitter.split(np.zeros(len(texts)), strata):
        intent_clf = LogisticRegression(
            C=float(intent_cfg.get("C", 1.0)),
            max_iter=int(intent_cfg.get("max_iter", 100)),
            class_weight="balanced",
            solver="lbfgs",
            tol=1e-4,
            random_state=42,
        ).fit(features[train], intents[train])
        faq_train = [i for i in train if intents[i] == "faq" and keys[i]]
        selector_clf = LogisticRegression(
            C=float(selector_cfg.get("C", 10.0)),
            max_iter=int(selector_cfg.get("max_iter", 1000)),
            class_weight="balanced",
            random_state=42,
        ).fit(features[faq_train], keys[faq_train])
        intent_p = intent_clf.predict_proba(features[test])
        topic_p = selector_clf.predict_proba(features[test])
        reader = _fold_reader(
            [texts[i] for i in train],
            [expected_label(texts[i], intents[i], keys[i], vocab) for i in train],
        )
        for row, index in enumerate(test):
            expected = expected_label(texts[index], intents[index], keys[index], vocab)
            ranked = np.argsort(-intent_p[row])[:10]
            ranked_topics = np.argsort(-topic_p[row])[:10]
            cases.append(
                Case(
                    expected,
                    texts[index],
                    tuple(
                        (str(intent_clf.classes_[i]), float(intent_p[row][i]))
                        for i in ranked
                    ),
                    tuple(
                        (
                            str(selector_clf.classes_[i]).partition("/")[2],
                            float(topic_p[row][i]),
                        )
                        for i in ranked_topics
                    ),
                    tuple(reader.ranking(texts[index])) if reader else (),
                )
            )
    return cases


def _fold_reader(texts: Sequence[str], labels: Sequence[str]) -> Any:
    """The second reader of config.yml fitted on one fold (None when not in use)."""
    from bot.components.knowledge_reader import KnowledgeReader

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    entry = next(
        (i for i in config["pipeline"] if str(i["name"]).endswith("KnowledgeReader")),
        None,
    )
    if entry is None:
        return None
    reader = KnowledgeReader(dict(entry), None, None)  # type: ignore[arg-type]
    kept = [
        (text, tc.canonical(label))
        for text, label in zip(texts, labels, strict=True)
        if tc.is_knowledge(label)
    ]
    reader.fit([text for text, _ in kept], [label for _, label in kept])
    return reader


def expected_label(text: str, intent: str, key: str, vocab: tc.Vocabulary) -> str:
    """The answer label a training example stands for (its intent when none)."""
    if intent == "faq" and key:
        return key
    if intent == tc.TERM_INTENT:
        named = vocab.named_terms(text)
        return named[0] if named else intent
    if intent == tc.STYLE_INTENT:
        named = vocab.style_names.find(text)
        return named[0] if named else intent
    return intent


# ----------------------------------------------------------------------- outcomes
_EVIDENCE: Dict[Tuple[Case, int], tc.Evidence] = {}


def decide(case: Case, vocab: tc.Vocabulary, settings: tc.Settings) -> tc.Decision:
    """``tc.resolve`` with the settings-free part computed once per case."""
    key = (case, id(vocab))
    if key not in _EVIDENCE:
        _EVIDENCE[key] = tc.evidence(
            case.intents, case.topics, case.text, vocab, dict(case.reading)
        )
    return tc.decide_on(_EVIDENCE[key], vocab, settings)


def outcome(case: Case, decision: tc.Decision) -> Tuple[str, str]:
    """(kind, what was given) for one case under one decision.

    ``pass`` leaves the classifier's top intent; below the fallback threshold that
    is a request to rephrase, as are a term or style question without a name.
    """
    expected = case.expected
    if decision.kind == "answer":
        given = str(decision.label)
    elif decision.kind == "ask":
        return ASKED, "asked: " + ", ".join(decision.options)
    else:
        top, confidence = case.intents[0] if case.intents else ("nlu_fallback", 0.0)
        if confidence < FALLBACK_THRESHOLD:
            top = "nlu_fallback"
        given = top
    knowledge_expected = tc.is_knowledge(expected)
    if knowledge_expected:
        if is_right(expected, given):
            return RIGHT, given
        if given in REPHRASE_INTENTS:
            return REPHRASE, given
        return (WRONG if tc.is_knowledge(given) else OTHER), given
    # A message that is not a knowledge question: right when it is left alone.
    if tc.is_knowledge(given):
        return WRONG, given
    return (RIGHT if given == expected or decision.kind == "pass" else OTHER), given


def tally(kinds: Iterable[str]) -> Counter:
    counter: Counter = Counter()
    for kind in kinds:
        counter[kind] += 1
    return counter


def shares(counter: Counter) -> Dict[str, float]:
    total = sum(counter.values()) or 1
    return {kind: counter.get(kind, 0) / total for kind in KINDS}


def summary(
    cases: Sequence[Case], vocab: tc.Vocabulary, settings: tc.Settings
) -> Counter:
    """Kinds over the knowledge cases only."""
    return tally(
        outcome(case, decide(case, vocab, settings))[0]
        for case in cases
        if tc.is_knowledge(case.expected)
    )


def false_alarms(
    cases: Sequence[Case], vocab: tc.Vocabulary, settings: tc.Settings
) -> Counter:
    """Messages that are no knowledge question: left alone, asked back, or answered."""
    counter: Counter = Counter()
    for case in cases:
        if tc.is_knowledge(case.expected) or case.expected in REPHRASE_INTENTS:
            continue
        decision = decide(case, vocab, settings)
        counter[decision.kind] += 1
    return counter


# ----------------------------------------------------------------------- tuning
GRID = {
    "knowledge_share": (0.4, 0.5),
    "min_score": (0.5, 0.6, 0.7, 0.8, 0.9),
    "min_margin": (0.0, 0.1, 0.2, 0.3),
    "concept_mass": (0.0, 0.5, 1.0, 2.0),
    "style_mass": (0.0, 0.25, 0.5, 1.0),
    "other_concept_factor": (1.0, 0.5),
    "min_knowledge": (0.3,),
    "fallback_score": (0.8,),
}
#: A wrong answer costs this many right ones: asking back is the lesser evil.
WRONG_COST = 5.0


#: Another reply than an answer (a results note, small talk): mostly the intent
#: classifier's doing, and no wrong information.
OTHER_COST = 1.0
#: A question back on a message that is no knowledge question ("soms", "hoi") costs this.
ALARM_COST = 1.0


def score(counter: Counter, alarms: Counter) -> float:
    """Right minus the weighted wrong answers and needless questions back."""
    s = shares(counter)
    total_alarms = sum(alarms.values()) or 1
    return (
        s[RIGHT]
        - WRONG_COST * s[WRONG]
        - OTHER_COST * s[OTHER]
        - ALARM_COST * alarms.get("ask", 0) / total_alarms
        - WRONG_COST * alarms.get("answer", 0) / total_alarms
    )


def tune(
    sets: Dict[str, Sequence[Case]], vocab: tc.Vocabulary, base: tc.Settings
) -> List[Tuple[float, tc.Settings, Dict[str, Counter], Counter]]:
    """Every grid point with its mean score over the case sets, best first.

    Needless questions back are counted on the messages of the sets that are no
    knowledge question (the training examples of the other intents).
    """
    results = []
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        settings = tc.Settings(
            **{**base.__dict__, **dict(zip(names, values, strict=False))}
        )
        per_set = {
            name: summary(cases, vocab, settings) for name, cases in sets.items()
        }
        alarms: Counter = Counter()
        for cases in sets.values():
            alarms.update(false_alarms(cases, vocab, settings))
        total = sum(score(c, alarms) for c in per_set.values()) / len(per_set)
        results.append((total, settings, per_set, alarms))
    results.sort(key=lambda item: -item[0])
    return results


def curve(
    cases: Sequence[Case],
    vocab: tc.Vocabulary,
    base: tc.Settings,
    margins: Sequence[float] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5),
) -> List[Tuple[float, Counter]]:
    """The trade-off over ``min_margin`` with the other settings fixed."""
    rows = []
    for margin in margins:
        settings = tc.Settings(**{**base.__dict__, "min_margin": margin})
        rows.append((margin, summary(cases, vocab, settings)))
    return rows
