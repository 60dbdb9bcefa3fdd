"""Every text in the project's own words: no passage copied from the source article.

The checker lives outside the checkout, in ``../shared/tools/check_verbatim.py``
(beside the article it compares with). On a developer's clone without ``../shared``
the test skips. In CI it never skips: CI is recognised by the ``CI`` environment
variable (set by every common CI service, and by ``.ci/run`` itself), and a missing
checker there is a failure that names the path it looked for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT.parent / "shared" / "tools" / "check_verbatim.py"
CHECKED = [
    "data",
    "domain",
    "actions",
    "bot/content",
    "hechtwijzer_core/content",
    "bot/widget/src",
    "bot/widget/demo",
    "README.md",
]


def in_ci(env: Mapping[str, str]) -> bool:
    """Whether this run is CI: ``CI`` set to anything but empty, 0, false or no."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def checker_or_skip(checker: Path, env: Mapping[str, str]) -> Path:
    """The checker's path; a skip outside CI and a failure in CI when it is missing."""
    if checker.is_file():
        return checker
    if in_ci(env):
        pytest.fail(
            f"CI run without the verbatim checker: {checker} is missing "
            "(CI must provide ../shared beside the checkout)",
            pytrace=False,
        )
    pytest.skip(f"{checker} is not beside this checkout (not CI)")


def test_no_text_copied_from_the_article() -> None:
    checker = checker_or_skip(CHECKER, os.environ)
    result = subprocess.run(
        [sys.executable, str(checker), *[p for p in CHECKED if (ROOT / p).exists()]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 copied passage" in result.stdout


@pytest.mark.parametrize(
    "value, expected",
    [("true", True), ("1", True), ("yes", True), ("", False), ("false", False)],
)
def test_ci_is_recognised_by_its_variable(value: str, expected: bool) -> None:
    assert in_ci({"CI": value}) is expected
    assert in_ci({}) is False


def test_a_missing_checker_fails_in_ci_and_skips_elsewhere(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "tools" / "check_verbatim.py"
    with pytest.raises(pytest.fail.Exception, match="check_verbatim.py is missing"):
        checker_or_skip(missing, {"CI": "true"})
    with pytest.raises(pytest.skip.Exception):
        checker_or_skip(missing, {})
    missing.parent.mkdir(parents=True)
    missing.write_text("", encoding="utf-8")
    assert checker_or_skip(missing, {"CI": "true"}) == missing


def test_ci_entry_marks_its_run_as_ci() -> None:
    """``.ci/run`` sets CI, so the repository's own CI entry never skips the check."""
    run = subprocess.run(
        ["bash", "-c", 'source <(sed -n "/^export CI=/p" .ci/run) && echo "$CI"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "CI"},
    )
    assert in_ci({"CI": run.stdout.strip()})
