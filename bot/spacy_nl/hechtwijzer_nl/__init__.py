"""Dutch spaCy pipeline for Hechtwijzer.

``spacy.load("hechtwijzer_nl")`` returns ``nl_core_news_sm`` when that package is
importable (setup installs it where the internet allows) and otherwise a pipeline
built from ``spacy.blank("nl")`` with the lookup lemmatizer tables of
``spacy-lookups-data``. Either way the caller gets Dutch tokens and lemmas, and the
choice is logged once.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Tuple

from spacy.language import Language

logger = logging.getLogger(__name__)

PREFERRED_MODEL = "nl_core_news_sm"
FALLBACK_NAME = "blank:nl+lookups"
META_PATH = Path(__file__).with_name("meta.json")
FALLBACK_DIR = Path(__file__).with_name("fallback_pipeline")


def preferred_model_available() -> bool:
    """Tell whether the intended spaCy model package can be imported."""
    try:
        importlib.import_module(PREFERRED_MODEL)
    except ImportError:
        return False
    return True


def pipeline_id() -> str:
    """Name the pipeline ``load`` would build (part of the training fingerprint)."""
    if preferred_model_available():
        module = importlib.import_module(PREFERRED_MODEL)
        return f"{PREFERRED_MODEL}-{getattr(module, '__version__', 'unknown')}"
    return FALLBACK_NAME


def build_fallback(target: Path = FALLBACK_DIR) -> Path:
    """Build a blank Dutch pipeline with a lookup lemmatizer and save it to disk.

    Saved once (the lemma tables go with it), so later loads are fast and the
    pipeline has a path, as Rasa's SpacyNLP expects of a real model.
    """
    import spacy

    if not (target / "config.cfg").is_file():
        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        nlp.to_disk(target)
    return target


_LOADED: Dict[Tuple[Any, ...], Language] = {}


def load(
    vocab: Any = True,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    exclude: Iterable[str] = (),
    config: Optional[dict] = None,
    **_: Any,
) -> Language:
    """Load the best Dutch pipeline available (the spaCy package entry point).

    Rasa loads the spaCy model once per graph node that needs it (twice for our
    pipeline, 2.2 s each); the same settings return the pipeline already loaded.
    """
    key = (
        tuple(disable),
        tuple(enable),
        tuple(exclude),
        repr(sorted((config or {}).items())),
    )
    if vocab is True and key in _LOADED:
        log_pipeline()
        return _LOADED[key]
    nlp = _load(vocab, disable, enable, exclude, config)
    if vocab is True:
        _LOADED[key] = nlp
    return nlp


def _load(
    vocab: Any,
    disable: Iterable[str],
    enable: Iterable[str],
    exclude: Iterable[str],
    config: Optional[dict],
) -> Language:
    """Load without the cache."""
    if preferred_model_available():
        module = importlib.import_module(PREFERRED_MODEL)
        nlp: Language = module.load(
            vocab=vocab,
            disable=list(disable),
            enable=list(enable),
            exclude=list(exclude),
            config=config or {},
        )
        log_pipeline()
        return nlp
    import spacy

    nlp = spacy.load(
        build_fallback(),
        vocab=vocab,
        disable=list(disable),
        enable=list(enable),
        exclude=list(exclude),
        config=config or {},
    )
    log_pipeline()
    return nlp


def log_pipeline() -> None:
    """Say which Dutch pipeline runs (so the logs show which one)."""
    if preferred_model_available():
        logger.info("spaCy pipeline: %s (trained Dutch model)", pipeline_id())
    else:
        logger.warning(
            "spaCy pipeline: %s (nl_core_news_sm is not installed; using the blank "
            "Dutch pipeline with lookup lemmas)",
            FALLBACK_NAME,
        )
