"""``./hw lint``: black, ruff, mypy and lint-imports, from .venv-lint (not Rasa's pins)."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys

from bot.launcher.common import VENV_BIN, root, run_step, say

LOCK = "requirements-lint.lock"
PATHS = ["hechtwijzer_core", "actions", "bot", "testsupport", "tests", "bench"]


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
    """Run black --check, ruff, mypy and lint-imports; exit code 0 when all are clean."""
    tools = ensure_lint_venv()
    code = 0
    for cmd in (
        [f"{tools}/black", "--check", *PATHS],
        [f"{tools}/ruff", "check", *PATHS],
        [
            f"{tools}/mypy",
            "--python-executable",
            str(VENV_BIN / "python"),
            "hechtwijzer_core",
            "actions",
            "bot",
        ],
        [f"{tools}/lint-imports"],
    ):
        code |= subprocess.run(cmd, cwd=root()).returncode
    return code


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``lint``."""
    parser = commands.add_parser(
        "lint",
        help="black, ruff, mypy and the import contracts",
        description="black --check and ruff on hechtwijzer_core, actions, bot, testsupport, "
        "tests and bench; mypy on hechtwijzer_core, actions and bot (against .venv's "
        "packages); lint-imports checks the contracts in .importlinter. The tools "
        f"live in .venv-lint, installed from {LOCK}.",
    )
    parser.set_defaults(handler=lint)
