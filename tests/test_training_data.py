"""Training data, domain and dialogue: validated by Rasa, tested by test stories."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
ACCEPTED = ROOT / "tests" / "data" / "accepted_validation_warnings.txt"


def accepted_patterns() -> list[re.Pattern[str]]:
    """Validator warnings we decided to accept (one regex a line, with a reason)."""
    if not ACCEPTED.is_file():
        return []
    lines = ACCEPTED.read_text(encoding="utf-8").splitlines()
    return [
        re.compile(line) for line in lines if line.strip() and not line.startswith("#")
    ]


UNUSED_UTTERANCE = re.compile(
    r"The utterance '([^']+)' is not used in any story or rule"
)


def responses_sent_by_actions() -> set[str]:
    """Response names that custom actions or channels send by name.

    The validator only counts responses used in stories and rules; a response that
    an action dispatches (``response="utter_x"``) is used too, so its warning is
    accepted when the name really occurs in the code or a content file.
    """
    names: set[str] = set()
    sources = [
        *ROOT.glob("actions/**/*.py"),
        *ROOT.glob("actions/content/*.yml"),
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("hechtwijzer_core/**/*.py"),
    ]
    for path in sources:
        names.update(re.findall(r"utter_[a-z0-9_]+", path.read_text(encoding="utf-8")))
    return names


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [
            RASA,
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    warnings = [
        m.group(1).strip()
        for m in re.finditer(r"UserWarning: (.+?)(?:\n|\x1b)", output)
    ]
    patterns = accepted_patterns()
    sent_by_code = responses_sent_by_actions()
    unexpected = [
        w
        for w in warnings
        if not any(p.search(w) for p in patterns)
        and not (UNUSED_UTTERANCE.search(w) and UNUSED_UTTERANCE.search(w).group(1) in sent_by_code)  # type: ignore[union-attr]
    ]
    assert not unexpected, "\n".join(unexpected)


@pytest.mark.slow
def test_all_test_stories_pass(trained_model: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            "tests/stories",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.is_file() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + details[
        -6000:
    ]
    assert (
        "# None of the test stories failed" in details or not details.strip()
    ), details
