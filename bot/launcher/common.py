"""What every launcher command shares: messages, expected failures, paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, List, Mapping, Optional

from bot import settings

VENV_BIN = Path(sys.executable).parent


class LauncherError(Exception):
    """An expected failure: ``./hw`` prints its message as one ``[hw]`` line."""


def say(message: str) -> None:
    """Print a launcher message."""
    print(f"[hw] {message}", file=sys.stderr, flush=True)


def root() -> Path:
    """The checkout (``bot.settings.ROOT``, looked up now so tests can move it)."""
    return settings.ROOT


def run_step(
    what: str,
    cmd: List[str],
    cwd: Optional[Path] = None,
    env: Optional[Mapping[str, str]] = None,
    **kwargs: Any,
) -> subprocess.CompletedProcess:
    """Run one setup step; a failure becomes a ``LauncherError`` naming ``what``."""
    try:
        return subprocess.run(
            cmd,
            cwd=cwd or root(),
            env=None if env is None else dict(env),
            check=True,
            **kwargs,
        )
    except FileNotFoundError:
        raise LauncherError(f"{what} failed: {cmd[0]} was not found.") from None
    except subprocess.CalledProcessError as error:
        raise LauncherError(
            f"{what} failed (exit code {error.returncode}); its messages are above."
        ) from None
