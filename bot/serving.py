"""Which model and which command lines the two servers start with.

Shared by ``./hw run``, ``deploy/serve.py``, the tests and the benchmarks (standard
library only): the model file named after a fingerprint of what shaped it, the
action-server and Rasa command lines for a filled-in environment
(``bot.settings.load_env``), and waiting for and stopping servers.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bot import settings
from bot.startup_checks import check_profile, endpoints_file

VENV_BIN = Path(sys.executable).parent
MODELS = settings.ROOT / "models"
#: What shapes a model. The shared core and the knowledge content count too: the
#: components read names and labels from them while they train.
TRAINING_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "bot/components",
    "bot/spacy_nl",
    "hechtwijzer_core",
    "actions/content/knowledge.yml",
)


def tree_hash(paths: Iterable[Path], root: Optional[Path] = None) -> str:
    """Short hash of the names (relative to ``root``) and contents of ``paths``."""
    base = settings.ROOT if root is None else root
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rasa_version() -> str:
    """Installed Rasa version (without importing Rasa)."""
    from importlib.metadata import version

    return version("rasa")


def training_fingerprint(pipeline: str) -> str:
    """Hash of what shapes the model: config, domain, data, our components, spaCy."""
    root = settings.ROOT
    files: List[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        files.extend(
            [path]
            if path.is_file()
            else sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yml", ".py")
                and not {"__pycache__", "build"} & set(p.parts)
            )
        )
    digest = hashlib.sha256(tree_hash(files, root).encode())
    digest.update(pipeline.encode())
    digest.update(rasa_version().encode())
    return digest.hexdigest()[:12]


def model_path(pipeline: str) -> Path:
    """Where the model for the current training inputs lives."""
    return MODELS / f"hechtwijzer-{training_fingerprint(pipeline)}.tar.gz"


def server_commands(env: Dict[str, str], model: Path) -> Dict[str, List[str]]:
    """The two server command lines (action server, Rasa), after the checks."""
    check_profile(env)
    config = settings.Settings.from_env(env)
    # Rasa's own command line, with bot/rasa_patches installed first.
    rasa_cmd = [
        str(VENV_BIN / "python"),
        "-m",
        "bot.rasa_patches.server",
        "run",
        "--model",
        str(model),
        "--endpoints",
        endpoints_file(env),
        "--credentials",
        "credentials.yml",
        "--interface",
        config.host,
        "--port",
        str(config.port),
    ]
    # No origins: no CORS headers at all, so only the bot's own pages may call it.
    if config.cors_origins:
        rasa_cmd += ["--cors", *config.cors_origins]
    if config.enable_api:
        rasa_cmd += ["--enable-api", "--auth-token", config.api_token]
    actions_cmd = [
        str(VENV_BIN / "python"),
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        str(config.action_port),
    ]
    return {"actions": actions_cmd, "rasa": rasa_cmd}


def wait_for(url: str, timeout: float, proc: Optional[subprocess.Popen] = None) -> bool:
    """Poll ``url`` until it answers 200 (or the process dies / time runs out)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def stop(procs: Iterable[subprocess.Popen]) -> None:
    """Stop servers gently, then firmly."""
    running = [p for p in procs if p.poll() is None]
    for proc in running:
        proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for proc in running:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
