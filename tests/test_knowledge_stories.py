"""Knowledge test stories and a live conversation through the REST channel."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, List

import pytest
import yaml

from actions import knowledge as kn

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "tests" / "stories" / "test_knowledge.yml"


def faq_text(topic: str) -> str:
    data = yaml.safe_load(
        (ROOT / "data/nlu/responses_faq.yml").read_text(encoding="utf-8")
    )
    return " ".join(str(data["responses"][f"utter_faq/{topic}"][0]["text"]).split())


def squash(texts: List[str]) -> List[str]:
    return [" ".join(t.split()) for t in texts]


@pytest.mark.slow
def test_knowledge_test_stories_pass(trained_model: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            str(STORIES),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = (
        failed.read_text(encoding="utf-8")
        if failed.is_file()
        else result.stdout[-3000:]
    )
    assert result.returncode == 0, details


@pytest.mark.stack
def test_faq_outside_and_inside_the_questions(stack: Any) -> None:
    sender = "knowledge-live-1"
    answer = squash(stack.texts(sender, "kan ik meerdere hechtingsstijlen hebben?"))
    assert answer[0] == faq_text("several_styles")
    deeper = squash(stack.texts(sender, "vertel meer"))
    assert deeper == [" ".join(str(kn.topics()["several_styles"]["deeper"][0]).split())]

    stack.texts(sender, "hoi")  # the greeting carries the start button
    question = squash(stack.texts(sender, "/start_questionnaire"))
    assert question, "the questions did not start"
    during = squash(stack.texts(sender, "hoe werkt zo'n sleutelervaring eigenlijk?"))
    assert during[0] == faq_text("key_experiences")
    assert during[-1] == question[-1], "the same question must come back"
