"""``./hw test``: the full run (what .ci/run calls) or ``--fast``, the unit lane."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path
from typing import List

from bot import settings
from bot.launcher.common import VENV_BIN, root, run_step, say

# Debian packages the full run uses for real (browser, PostgreSQL, Redis, nginx).
APT_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "postgresql": "/usr/lib/postgresql",
    "redis-server": "/usr/bin/redis-server",
    "nginx-light": "/usr/sbin/nginx",
}
# The unit lane: no running bot, no browser, no trained model (bot/launcher/fast_lane.py).
FAST_PLUGIN = "bot.launcher.fast_lane"


def ensure_test_prerequisites() -> None:
    """Install the Debian packages the tests use, when root; else say what skips."""
    missing = [name for name, path in APT_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        say(
            f"missing for some tests: {', '.join(missing)} (install with apt-get); those tests skip"
        )
        return
    say(f"installing test prerequisites: {', '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(
        ["apt-get", "update", "-q"], check=False, env=env, stdout=subprocess.DEVNULL
    )
    run_step(
        "apt-get install",
        ["apt-get", "install", "-y", "-q", *missing],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def pytest_command(fast: bool, pytest_args: List[str]) -> List[str]:
    """The pytest command line of a lane."""
    cmd = [str(VENV_BIN / "python"), "-m", "pytest"]
    if fast:
        cmd += ["-p", FAST_PLUGIN]
    return cmd + (pytest_args or ["tests"])


def test(args: argparse.Namespace) -> int:
    """Set up what the lane needs, then run pytest."""
    if not args.fast:
        from bot.launcher.setup import ensure_spacy_model
        from bot.launcher.train import train
        from bot.launcher.widget import ensure_widget

        pipeline = ensure_spacy_model()
        ensure_widget()
        ensure_test_prerequisites()
        train(pipeline=pipeline)
    cmd = pytest_command(args.fast, args.passed)
    return subprocess.run(cmd, cwd=root(), env=settings.load_env()).returncode


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``test``."""
    parser = commands.add_parser(
        "test",
        help="set up, then run all tests (--fast: the unit lane)",
        description="Without --fast: set up (spaCy, widget bundle, Debian test "
        "packages when root), train when needed, then run every test; this is "
        "what .ci/run does. With --fast: only the unit lane, no setup, no "
        "running bot, no browser, no training (well under two minutes). Other "
        "arguments go to pytest, e.g. ./hw test --fast tests/bot -k guard.",
        usage="%(prog)s [-h] [--fast] [PYTEST_ARGS ...]",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="unit lane: skip tests marked stack, browser or slow, and any test "
        "that needs a trained model, PostgreSQL or Redis",
    )
    parser.set_defaults(handler=test, forwards=True, forwards_unknown=True)
