"""``./hw setup``: the Dutch spaCy pipeline and the web widget bundle (idempotent)."""

from __future__ import annotations

import argparse
import subprocess
import time

from bot.launcher.common import VENV_BIN, root, say
from bot.launcher.widget import ensure_widget

SPACY_MODEL = "nl_core_news_sm-3.4.0"


def pipeline_id() -> str:
    """The pipeline hechtwijzer_nl loads ('' when it cannot say)."""
    check = [
        str(VENV_BIN / "python"),
        "-c",
        "import hechtwijzer_nl as m; print(m.pipeline_id())",
    ]
    return subprocess.run(
        check, capture_output=True, text=True, cwd=root()
    ).stdout.strip()


def ensure_spacy_model() -> str:
    """Install nl_core_news_sm where the internet allows; report the pipeline used."""
    stamp = VENV_BIN.parent / ".hw-spacy-download-tried"
    current = pipeline_id()
    if current.startswith("nl_core_news_sm") or stamp.exists():
        say(f"spaCy pipeline: {current or 'unknown'}")
        return current
    say(f"trying to download spaCy model {SPACY_MODEL} (falls back offline)")
    download = [str(VENV_BIN / "python"), "-m", "spacy", "download", SPACY_MODEL]
    options = ["--direct", "--", "--quiet", "--timeout", "15", "--retries", "0"]
    try:
        subprocess.run(
            download + options,
            cwd=root(),
            timeout=180,
            capture_output=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pass
    stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    current = pipeline_id()
    if current.startswith("nl_core_news_sm"):
        say(f"spaCy pipeline: {current}")
    else:
        say(f"spaCy pipeline: {current} (nl_core_news_sm could not be downloaded here)")
    return current


def setup(_args: argparse.Namespace) -> int:
    """Set up the spaCy pipeline and the widget bundle."""
    ensure_spacy_model()
    ensure_widget()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``setup``."""
    parser = commands.add_parser(
        "setup",
        help="Python packages, spaCy pipeline, web widget bundle (idempotent)",
        description="Install the locked Python packages into .venv (./hw does that "
        "before every command when the locks changed), the Dutch spaCy pipeline "
        "(nl_core_news_sm where the internet allows, else a blank Dutch one) and "
        "the web widget bundle (npm ci and build, when Node.js 18+ is there).",
    )
    parser.set_defaults(handler=setup)
