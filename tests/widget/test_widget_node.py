"""Run the widget's JavaScript unit tests (node --test) as part of pytest."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.widget.conftest import WIDGET


def test_widget_unit_tests_pass(widget_bundle: object) -> None:
    """markdown, messages, config, storage and connection modules (bot/widget/test)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js 18+ is needed for the widget's unit tests")
        return
    run = subprocess.run(
        [node, "--test", "test/"],
        cwd=WIDGET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
    passed = [line for line in run.stdout.splitlines() if line.startswith("# pass ")]
    assert passed and int(passed[0].split()[-1]) >= 40, passed
