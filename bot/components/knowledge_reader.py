"""A second reader of knowledge questions, built differently from the classifier.

The intent classifier and the FAQ selector read Rasa's count features of lemmas
and character 2-4-grams with a strongly regularised logistic regression. This
reader sees the plain lowercased text through its own TF-IDF of words and word
pairs and of character 3-5-grams, and learns the answers (``faq/<topic>``,
``style/<code>``, ``term/<key>``, counted as in ``topic_choice.canonical``)
directly, with little regularisation. ``TopicResolver`` blends the two
(``reading_weight``): where both readers point at one answer it is given, where
they disagree the bot asks back.

It writes the property ``knowledge_reading``: its likeliest answers with their
probabilities. Stored as JSON and NumPy arrays (no pickle).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    METADATA,
    METADATA_EXAMPLE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack

from bot.components import topic_choice
from bot.components.topic_choice import (
    DESCRIBED_STYLE_KEY,
    FAQ_INTENT,
    STYLE_INTENT,
    TERM_INTENT,
    Vocabulary,
    canonical,
    is_knowledge,
)
from bot.components.topic_resolver import ROOT, content_vocabulary
from hechtwijzer_core import names
from hechtwijzer_core.contract import STYLES

logger = logging.getLogger(__name__)

PROPERTY = "knowledge_reading"
_SPACE = re.compile(r"\s+")
#: (name, analyzer, n-gram range) of the two feature sets.
FEATURE_SETS: Tuple[Tuple[str, str, Tuple[int, int]], ...] = (
    ("chars", "char_wb", (3, 5)),
    ("words", "word", (1, 2)),
)


def plain(text: str) -> str:
    """Lowercased text with runs of white space as one space."""
    return _SPACE.sub(" ", text.lower()).strip()


def answer_label(example: Message, vocabulary: Vocabulary) -> Optional[str]:
    """The knowledge answer a training example stands for, or None."""
    intent = example.get(INTENT)
    text = str(example.get(TEXT) or "")
    label: Optional[str] = None
    if intent == FAQ_INTENT and example.get(INTENT_RESPONSE_KEY):
        label = str(example.get(INTENT_RESPONSE_KEY))
    elif intent == TERM_INTENT:
        label = next(iter(vocabulary.named_terms(text)), None)
    elif intent == STYLE_INTENT:
        label = next(iter(vocabulary.style_names.find(text)), None)
        if label is None:
            label = described_style(example)
    if label is None or not is_knowledge(label):
        return None
    return canonical(label)


def described_style(example: Message) -> Optional[str]:
    """``style/<code>`` from an example's metadata (a style described, not named)."""
    metadata = example.get(METADATA)
    inner = metadata.get(METADATA_EXAMPLE) if isinstance(metadata, dict) else None
    code = inner.get(DESCRIBED_STYLE_KEY) if isinstance(inner, dict) else None
    return f"style/{code}" if code in STYLES else None


def _vectorizer(analyzer: str, ngram_range: Tuple[int, int], **kwargs: Any) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True, **kwargs
    )


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=True,
)
class KnowledgeReader(GraphComponent):
    """Read which knowledge answer a message asks for, on its own features."""

    @staticmethod
    def required_packages() -> List[str]:
        """scikit-learn (already a Rasa dependency)."""
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The content file (names of terms and styles), ``C``, ranking length."""
        return {
            "content": "actions/content/knowledge.yml",
            "C": 30.0,
            "max_iter": 3000,
            "ranking_length": 12,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizers: Sequence[Any] = (),
        weights: Optional[np.ndarray] = None,
        bias: Optional[np.ndarray] = None,
        labels: Sequence[str] = (),
    ) -> None:
        """Create the reader (untrained unless weights are given)."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers = list(vectorizers)
        self.weights = weights
        self.bias = bias
        self.labels = list(labels)
        self._analyzers: List[Tuple[Any, Dict[str, int], np.ndarray]] = []

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """What shapes the labels besides the training data: train again on a change.

        The content file and the name finder decide which answer an example stands
        for; Rasa's training cache sees neither.
        """
        content = Path(
            str(config.get("content") or cls.get_default_config()["content"])
        )
        if not content.is_absolute():
            content = ROOT / content
        digest = hashlib.sha256()
        for path in (content, Path(names.__file__), Path(topic_choice.__file__)):
            digest.update(path.read_bytes() if path.is_file() else b"-")
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeReader:
        """New, untrained reader."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ training
    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every example that stands for a knowledge answer."""
        vocabulary = content_vocabulary(self.config["content"])
        texts: List[str] = []
        labels: List[str] = []
        for example in training_data.intent_examples:
            label = answer_label(example, vocabulary)
            if label is not None and example.get(TEXT):
                texts.append(str(example.get(TEXT)))
                labels.append(label)
        if len(set(labels)) < 2:
            logger.warning("KnowledgeReader: fewer than two answers to learn.")
        else:
            self.fit(texts, labels)
        self.persist()
        return self._resource

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        """Learn ``labels`` (answer labels) from ``texts``."""
        from sklearn.linear_model import LogisticRegression

        self.vectorizers = [_vectorizer(a, n) for _, a, n in FEATURE_SETS]
        plain_texts = [plain(text) for text in texts]
        rows = hstack([v.fit_transform(plain_texts) for v in self.vectorizers])
        model = LogisticRegression(
            C=float(self.config["C"]), max_iter=int(self.config["max_iter"])
        )
        model.fit(rows.tocsr(), list(labels))
        self.labels = [str(label) for label in model.classes_]
        self._analyzers = []
        self.weights = np.asarray(model.coef_, dtype=np.float64)
        self.bias = np.asarray(model.intercept_, dtype=np.float64)

    def ranking(self, text: str) -> List[Tuple[str, float]]:
        """The likeliest answers for ``text`` with their probabilities."""
        row = self.probabilities([text])[0]
        order = np.argsort(-row)[: max(1, int(self.config["ranking_length"]))]
        return [(self.labels[i], round(float(row[i]), 5)) for i in order]

    def persist(self) -> None:
        """Vocabularies and labels as JSON, the numbers as a NumPy archive."""
        with self._model_storage.write_to(self._resource) as directory:
            if self.weights is None or self.bias is None:
                return
            sets = [
                {
                    "vocabulary": sorted(
                        vectorizer.vocabulary_, key=vectorizer.vocabulary_.get
                    ),
                }
                for vectorizer in self.vectorizers
            ]
            (directory / "reader.json").write_text(
                json.dumps({"labels": self.labels, "sets": sets}, ensure_ascii=False),
                encoding="utf-8",
            )
            np.savez(
                directory / "reader.npz",
                weights=self.weights,
                bias=self.bias,
                **{f"idf_{i}": v.idf_ for i, v in enumerate(self.vectorizers)},
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KnowledgeReader:
        """Load the trained reader (an untrained one if nothing was stored)."""
        try:
            with model_storage.read_from(resource) as directory:
                if not (directory / "reader.json").exists():
                    return cls.create(
                        config, model_storage, resource, execution_context
                    )
                stored = json.loads(
                    (directory / "reader.json").read_text(encoding="utf-8")
                )
                with np.load(directory / "reader.npz", allow_pickle=False) as arrays:
                    weights = np.array(arrays["weights"])
                    bias = np.array(arrays["bias"])
                    idfs = [
                        np.array(arrays[f"idf_{i}"]) for i in range(len(FEATURE_SETS))
                    ]
        except (ValueError, KeyError, OSError) as error:
            logger.warning("KnowledgeReader: nothing usable stored (%s).", error)
            return cls.create(config, model_storage, resource, execution_context)
        if len(stored["sets"]) != len(FEATURE_SETS):
            logger.warning("KnowledgeReader: stored features differ; retrain.")
            return cls.create(config, model_storage, resource, execution_context)
        vectorizers = []
        for (_, analyzer, ngrams), kept, idf in zip(
            FEATURE_SETS, stored["sets"], idfs, strict=True
        ):
            vectorizer = _vectorizer(
                analyzer,
                ngrams,
                vocabulary={term: i for i, term in enumerate(kept["vocabulary"])},
            )
            vectorizer.idf_ = idf
            vectorizers.append(vectorizer)
        return cls(
            config,
            model_storage,
            resource,
            vectorizers,
            weights,
            bias,
            stored["labels"],
        )

    # ---------------------------------------------------------------- inference
    def features(self, text: str) -> Tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of ``text``'s TF-IDF row.

        The same row as the vectorizers' ``transform`` (sublinear counts times
        idf, each feature set scaled to unit length), built directly: a message
        takes a few microseconds instead of sklearn's milliseconds per call.
        """
        if not self._analyzers:
            self._analyzers = [
                (v.build_analyzer(), v.vocabulary_, np.asarray(v.idf_))
                for v in self.vectorizers
            ]
        columns: List[np.ndarray] = []
        values: List[np.ndarray] = []
        offset = 0
        for analyze, vocabulary, idf in self._analyzers:
            counts: Dict[int, int] = {}
            for term in analyze(plain(text)):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if counts:
                index_array = np.fromiter(counts, dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                weight = (1.0 + np.log(tf)) * idf[index_array]
                weight /= np.sqrt(np.dot(weight, weight))
                columns.append(index_array + offset)
                values.append(weight)
            offset += len(vocabulary)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row of answer probabilities per text (columns: ``self.labels``)."""
        assert self.weights is not None and self.bias is not None
        logits = np.empty((len(texts), len(self.labels)))
        for row, text in enumerate(texts):
            columns, values = self.features(text)
            scores = self.weights[:, columns] @ values + self.bias
            # two answers: one row of weights, for the second against the first
            logits[row] = (0.0, scores[0]) if len(self.labels) == 2 else scores
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the likeliest answers with their probabilities to each message."""
        if self.weights is None or not self.labels:
            return messages
        for message in messages:
            text = message.get(TEXT)
            # button payloads ("/intent{...}") are no questions to read
            if isinstance(text, str) and text.strip() and not text.startswith("/"):
                message.set(
                    PROPERTY,
                    [[label, p] for label, p in self.ranking(text)],
                    add_to_output=True,
                )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to training data."""
        return training_data
