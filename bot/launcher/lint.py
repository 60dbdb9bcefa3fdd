"""``./hw lint``: black, ruff and mypy from .venv-lint (apart from Rasa's pins)."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys

from bot.launcher.common import VENV_BIN, root, run_step, say

LOCK = "requirements-lint.lock"
PATHS = ["actions", "bot", "tests", "bench"]


def ensure_lint_venv() -> str:
    """.venv-lint with exactly the hashed lint lock; its bin folder."""
    tools = root() / ".venv-lint"
    lock = root() / LOCK
    want = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    stamp = tools / ".hw-installed"
    if not (tools / "bin" / "python").exists():
        run_step("creating .venv-lint", [sys.executable, "-m", "venv", str(tools)])
    if not stamp.is_file() or stamp.read_text().strip() != want:
        say(f"installing the lint tools ({LOCK})")
        run_step(
            "installing the lint tools",
            [
                str(tools / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-hashes",
                "--no-deps",
                "-r",
                str(lock),
            ],
        )
        stamp.write_text(want + "\n")
    return str(tools / "bin")


def lint(_args: argparse.Namespace) -> int:
    """Run black --check, ruff and mypy; the exit code says whether all were clean."""
    tools = ensure_lint_venv()
    code = 0
    for cmd in (
        [f"{tools}/black", "--check", *PATHS],
        [f"{tools}/ruff", "check", *PATHS],
        [
            f"{tools}/mypy",
            "--python-executable",
            str(VENV_BIN / "python"),
            "actions",
            "bot",
        ],
    ):
        code |= subprocess.run(cmd, cwd=root()).returncode
    return code


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``lint``."""
    parser = commands.add_parser(
        "lint",
        help="black, ruff and mypy",
        description="black --check and ruff on actions, bot, tests and bench; mypy "
        "on actions and bot (against .venv's packages). The tools live in "
        f".venv-lint, installed from {LOCK}.",
    )
    parser.set_defaults(handler=lint)
