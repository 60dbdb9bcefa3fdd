"""The Dutch spaCy shim: fallback here, nl_core_news_sm whenever it is importable."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import hechtwijzer_nl
import spacy


def test_fallback_pipeline_gives_dutch_lemmas() -> None:
    if hechtwijzer_nl.preferred_model_available():  # pragma: no cover - other machines
        assert hechtwijzer_nl.pipeline_id().startswith("nl_core_news_sm")
        return
    nlp = spacy.load("hechtwijzer_nl", disable=["parser"])
    assert nlp.lang == "nl"
    assert nlp.path is not None  # Rasa's SpacyNLP refuses pipelines without a path
    lemmas = [t.lemma_ for t in nlp("ik voelde me afgewezen en liep weg")]
    assert lemmas == ["ik", "voelen", "me", "afwijzen", "en", "lopen", "weg"]
    assert hechtwijzer_nl.pipeline_id() == "blank:nl+lookups"


def test_loader_logs_which_pipeline(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("INFO", logger="hechtwijzer_nl")
    spacy.load("hechtwijzer_nl")
    assert any("spaCy pipeline:" in r.getMessage() for r in caplog.records)


def test_loader_prefers_nl_core_news_sm_when_importable(tmp_path: Path) -> None:
    """A stand-in package named nl_core_news_sm is picked over the fallback."""
    package = tmp_path / "nl_core_news_sm"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            import spacy
            __version__ = "3.4.0"
            def load(**overrides):
                nlp = spacy.blank("nl")
                nlp.meta["name"] = "stand_in_core_news_sm"
                return nlp
            """
        )
    )
    script = textwrap.dedent(
        """
        import json, sys, spacy, hechtwijzer_nl
        nlp = spacy.load("hechtwijzer_nl")
        print(json.dumps({"id": hechtwijzer_nl.pipeline_id(), "name": nlp.meta["name"]}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"id": "nl_core_news_sm-3.4.0", "name": "stand_in_core_news_sm"}


def test_same_settings_load_once() -> None:
    """Rasa asks twice per start; the second load is the pipeline already loaded."""
    first = hechtwijzer_nl.load(disable=["parser"])
    assert hechtwijzer_nl.load(disable=["parser"]) is first
    assert hechtwijzer_nl.load(disable=["parser", "ner"]) is not first
