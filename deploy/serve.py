"""Container entry point: one server per container, ``rasa`` or ``actions``.

    python deploy/serve.py rasa       # Rasa server (HW_PROFILE=production)
    python deploy/serve.py actions    # action server

Same settings, checks and command lines as ``./hw run`` (``bot/settings.py``,
``bot/startup_checks.py``, ``bot/serving.py``; never the launcher), but without
setup or training: the image carries the model that ``./hw train`` made, and this
picks the one whose fingerprint matches the image's config, domain, data and spaCy
pipeline (never a stale one).

SKETCH: written for deploy/Dockerfile, not run in a container on our machines.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

from bot import serving, settings


def find_model() -> Path:
    """The model trained for exactly this image (``./hw train`` names it)."""
    import hechtwijzer_nl

    pipeline = hechtwijzer_nl.pipeline_id()
    model = serving.model_path(pipeline)
    if not model.is_file():
        found = sorted(p.name for p in serving.MODELS.glob("*.tar.gz")) or ["none"]
        raise SystemExit(
            f"[hw] no model for this config, domain, data and spaCy pipeline "
            f"({pipeline}): expected models/{model.name}, found {', '.join(found)}. "
            "Run ./hw train (with the same spaCy pipeline as the image) before "
            "building the image."
        )
    return model


def main(argv: Optional[List[str]] = None) -> int:
    """Replace this process with the chosen server."""
    args = list(sys.argv[1:] if argv is None else argv)
    role = args[0] if args else ""
    if role not in ("rasa", "actions"):
        raise SystemExit("usage: python deploy/serve.py rasa|actions")
    env = settings.load_env()
    model = find_model() if role == "rasa" else serving.MODELS / "unused"
    command = serving.server_commands(env, model)[role]
    os.chdir(settings.ROOT)
    os.execvpe(command[0], command, env)
    return 0  # pragma: no cover - execvpe does not return


if __name__ == "__main__":
    sys.exit(main())
