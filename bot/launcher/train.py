"""``./hw train``: train only when what shapes the model changed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Optional

from bot import serving, settings
from bot.launcher.common import VENV_BIN, root, run_step, say


def train(force: bool = False, pipeline: Optional[str] = None) -> Path:
    """Train when the training inputs changed; return the model path."""
    if pipeline is None:
        from bot.launcher.setup import ensure_spacy_model

        pipeline = ensure_spacy_model()
    target = serving.model_path(pipeline)
    if target.is_file() and not force:
        say(f"model is up to date: {target.name} (not retraining)")
        return target
    target.parent.mkdir(exist_ok=True)
    say(f"training {target.name} (under a minute)")
    started = time.monotonic()
    run_step(
        "training",
        [
            str(VENV_BIN / "rasa"),
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(target.parent),
            "--fixed-model-name",
            target.name[: -len(".tar.gz")],
        ],
        cwd=root(),
        env=settings.load_env(),
    )
    say(f"trained in {time.monotonic() - started:.0f} s")
    return target


def command(args: argparse.Namespace) -> int:
    """``./hw train [-f]``."""
    train(force=args.force)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``train``."""
    parser = commands.add_parser(
        "train",
        help="train when config, domain, data or components changed",
        description="Train a model into models/, named after a fingerprint of "
        "config.yml, domain/, data/, bot/components/, the spaCy pipeline and the "
        "Rasa version; an up-to-date model is not trained again.",
    )
    parser.add_argument(
        "-f", "--force", action="store_true", help="train even when up to date"
    )
    parser.set_defaults(handler=command)
