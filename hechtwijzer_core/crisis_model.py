"""A small learned crisis classifier next to the pattern rules (pure: no Rasa import).

Patterns catch the shapes someone wrote down; people in crisis use many more words.
This model reads character and word n-grams of the whole message and gives three
probabilities: ``crisis``, ``check`` and ``none``. It is trained, on first use, from
files in the repository:

- ``data/crisis/development.tsv``: messages labelled clear / passive / near_miss;
- ``data/nlu/*.yml``: every NLU example (``crisis`` -> crisis, ``crisis_check`` ->
  check, any other intent -> none: what people ordinarily type to this bot). Only
  the top level: ``data/nlu/visitors/`` (the questions of the measured blind lists)
  is left out, because as "none" examples they raised the false alarms on the
  near-misses of the blind crisis lists.

The held-out list (``tests/data/crisis/heldout.tsv``) is never read here. Training
takes about two seconds and is deterministic; the servers warm it up at start.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_LIST = ROOT / "data" / "crisis" / "development.tsv"
NLU_DIR = ROOT / "data" / "nlu"
KIND_TO_LABEL = {"clear": "crisis", "passive": "check", "near_miss": "none"}
INTENT_TO_LABEL = {"crisis": "crisis", "crisis_check": "check"}
LABELS = ("crisis", "check", "none")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


@dataclass(frozen=True)
class ModelSettings:
    """Thresholds and regularisation (from ``crisis_patterns.yml``, section ``model``)."""

    crisis_threshold: float = 0.5
    check_threshold: float = 0.4
    silence_threshold: float = 0.9
    c: float = 10.0

    @classmethod
    def from_mapping(cls, values: Optional[Mapping[str, object]]) -> ModelSettings:
        """Read the ``model`` section; missing keys keep their defaults."""
        values = values or {}
        return cls(
            crisis_threshold=float(values.get("crisis_threshold", cls.crisis_threshold)),  # type: ignore[arg-type]
            check_threshold=float(values.get("check_threshold", cls.check_threshold)),  # type: ignore[arg-type]
            silence_threshold=float(values.get("silence_threshold", cls.silence_threshold)),  # type: ignore[arg-type]
            c=float(values.get("C", cls.c)),  # type: ignore[arg-type]
        )


def read_development_list(path: Path = DEVELOPMENT_LIST) -> List[Tuple[str, str, str]]:
    """Rows (kind, category, text) of a tab-separated crisis list."""
    rows: List[Tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, category, text = line.split("\t", 2)
        if kind not in KIND_TO_LABEL:
            raise ValueError(f"unknown kind {kind!r} in {path}")
        rows.append((kind, category, text))
    return rows


def read_nlu_examples(folder: Path = NLU_DIR) -> List[Tuple[str, str]]:
    """(label, text) for every NLU example in the top level of ``folder``."""
    examples: List[Tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent or not isinstance(block.get("examples"), str):
                continue
            label = INTENT_TO_LABEL.get(str(intent).split("/")[0], "none")
            for line in block["examples"].splitlines():
                text = line.strip()
                if text.startswith("- "):
                    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text[2:])
                    if text and not text.startswith("/"):
                        examples.append((label, text))
    return examples


def training_corpus() -> Tuple[List[str], List[str]]:
    """Texts and labels the model learns from (development list + NLU examples)."""
    texts: List[str] = []
    labels: List[str] = []
    for kind, _, text in read_development_list():
        texts.append(text)
        labels.append(KIND_TO_LABEL[kind])
    for label, text in read_nlu_examples():
        texts.append(text)
        labels.append(label)
    return texts, labels


def _prepare(text: str) -> str:
    """The detector's normalisation (accents, case, short forms, laughing emoji)."""
    from hechtwijzer_core.crisis import normalise

    return normalise(text)


class CrisisModel:
    """Character + word n-gram logistic regression over three labels."""

    def __init__(self, settings: ModelSettings) -> None:
        """An untrained model with these settings."""
        self.settings = settings
        self._pipeline = None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> CrisisModel:
        """Train on ``texts`` with ``labels`` (each one of LABELS)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
            ),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        )
        classifier = LogisticRegression(
            C=self.settings.c, class_weight="balanced", max_iter=3000
        )
        pipeline = make_pipeline(features, classifier)
        pipeline.fit([_prepare(t) for t in texts], list(labels))
        self._pipeline = pipeline
        return self

    def probabilities(self, texts: Sequence[str]) -> List[Dict[str, float]]:
        """Label -> probability for each text."""
        if self._pipeline is None:
            raise RuntimeError("the crisis model is not trained")
        classes = list(self._pipeline.classes_)
        rows = self._pipeline.predict_proba([_prepare(t) for t in texts])
        return [dict(zip(classes, map(float, row), strict=False)) for row in rows]

    def level_of(self, probabilities: Mapping[str, float]) -> str:
        """``crisis``, ``check`` or ``none`` for one row of probabilities."""
        crisis = probabilities.get("crisis", 0.0)
        if crisis >= self.settings.crisis_threshold:
            return "crisis"
        if crisis + probabilities.get("check", 0.0) >= self.settings.check_threshold:
            return "check"
        return "none"

    def levels(self, texts: Sequence[str]) -> List[str]:
        """The level of each text."""
        return [self.level_of(p) for p in self.probabilities(texts)]


_lock = threading.Lock()
_model: Optional[CrisisModel] = None


def default_model(settings: Optional[ModelSettings] = None) -> CrisisModel:
    """The project's model, trained once per process on first use (thread-safe)."""
    global _model
    with _lock:
        if _model is None:
            if settings is None:
                from hechtwijzer_core.crisis import model_settings

                settings = model_settings()
            texts, labels = training_corpus()
            _model = CrisisModel(settings).fit(texts, labels)
        return _model


def chunks(text: str, size: int = 1200) -> Iterable[str]:
    """Cut a long text into pieces of about ``size`` characters at sentence ends."""
    if len(text) <= size:
        yield text
        return
    piece: List[str] = []
    length = 0
    for sentence in re.split(r"(?<=[.!?\n])\s+", text):
        while len(sentence) > size:
            if piece:
                yield " ".join(piece)
                piece, length = [], 0
            yield sentence[:size]
            sentence = sentence[size:]
        if length + len(sentence) > size and piece:
            yield " ".join(piece)
            piece, length = [], 0
        piece.append(sentence)
        length += len(sentence) + 1
    if piece:
        yield " ".join(piece)
