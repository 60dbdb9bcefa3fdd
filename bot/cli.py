"""Hechtwijzer command line (called by ``./hw``; the venv already exists then).

Commands:
  setup          spaCy model, web widget bundle (idempotent)
  train [-f]     train only when config, domain or data changed (``-f``: always)
  run            setup, train if needed, start action server + Rasa (Ctrl-C stops both)
  test [ARGS]    setup, test prerequisites, then pytest (ARGS go to pytest)
  shell          chat with a running bot in the terminal (REST channel)
  telegram-poll  run the Telegram channel in polling mode (no public URL needed)
  cleanup        delete conversations older than HW_RETENTION_DAYS days, once (every
                 Rasa server also does this by itself, daily: bot/retention.py)
  lint           black, ruff and mypy
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bot.channels.limits import DEFAULT_MAX_REQUEST_BYTES
from bot.defaults import (
    DEFAULT_ACTION_TIMEOUT,
    DEFAULT_CLEANUP_BATCH,
    DEFAULT_CLEANUP_INTERVAL_HOURS,
    DEFAULT_QUEUE_PER_CONVERSATION,
    DEFAULT_RATE_ADDRESS_BURST,
    DEFAULT_RATE_ADDRESS_PER_MINUTE,
    DEFAULT_RATE_BURST,
    DEFAULT_RATE_PER_MINUTE,
    DEFAULT_RETENTION_DAYS,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MODELS = ROOT / "models"
WIDGET = ROOT / "bot" / "widget"
TRAINING_INPUTS = ("config.yml", "domain", "data", "bot/components", "bot/spacy_nl")

DEFAULTS: Dict[str, str] = {
    "HW_PROFILE": "embedded",
    "HW_HOST": "127.0.0.1",
    "HW_PORT": "5005",
    "HW_ACTION_PORT": "5055",
    "HW_ENABLE_API": "0",
    "HW_API_TOKEN": "",
    "HW_REST_TOKEN": "",
    "HW_CORS_ORIGINS": "",
    "HW_MAX_MESSAGE_CHARS": "1500",
    "HW_MAX_REQUEST_BYTES": str(DEFAULT_MAX_REQUEST_BYTES),
    "HW_RATE_PER_MINUTE": str(DEFAULT_RATE_PER_MINUTE),
    "HW_RATE_BURST": str(DEFAULT_RATE_BURST),
    "HW_RATE_ADDRESS_PER_MINUTE": str(DEFAULT_RATE_ADDRESS_PER_MINUTE),
    "HW_RATE_ADDRESS_BURST": str(DEFAULT_RATE_ADDRESS_BURST),
    "HW_QUEUE_PER_CONVERSATION": str(DEFAULT_QUEUE_PER_CONVERSATION),
    "HW_RETENTION_DAYS": str(DEFAULT_RETENTION_DAYS),
    "HW_CLEANUP_INTERVAL_HOURS": str(DEFAULT_CLEANUP_INTERVAL_HOURS),
    "HW_CLEANUP_BATCH": str(DEFAULT_CLEANUP_BATCH),
    "HW_DB_DIALECT": "sqlite",
    "HW_DB_URL": "sqlite:///hechtwijzer.db",
    "HW_LOCK_STORE": "in_memory",
    "HW_REDIS_HOST": "localhost",
    "HW_REDIS_PORT": "6379",
    "TELEGRAM_TOKEN": "",
    "TELEGRAM_WEBHOOK_URL": "",
    "TELEGRAM_SECRET": "",
    "TELEGRAM_API_BASE_URL": "",
}

log = logging.getLogger("hw")


def say(message: str) -> None:
    """Print a launcher message."""
    print(f"[hw] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------- environment
def read_dotenv(path: Path) -> Dict[str, str]:
    """Parse a simple ``KEY=value`` file (comments and blank lines ignored)."""
    values: Dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


# Settings the production profile never fills in from DEFAULTS: a SQLite file and a
# Redis on localhost are right for one machine, wrong for several servers.
PRODUCTION_REQUIRED = ("HW_DB_URL", "HW_REDIS_HOST")

# Rasa's lock ticket lifetime when TICKET_LOCK_LIFETIME is unset or 0
# (rasa.core.constants.DEFAULT_LOCK_LIFETIME).
RASA_LOCK_LIFETIME = 60
# The longest turns call the action server about four times in a row, each call
# allowed HW_ACTION_TIMEOUT seconds: "verder" runs action_continue_questionnaire,
# then the form activates (validate_questionnaire_form, which Rasa may call twice:
# on activation and on the step) and asks the next question (action_ask_qNN).
ACTION_CALLS_PER_TURN = 4
# Room for NLU, policies and the tracker-store reads and writes of the same turn.
LOCK_LIFETIME_MARGIN = 10


def action_timeout(env: Dict[str, str]) -> int:
    """Seconds Rasa waits for the action server (parsed as the guard parses it)."""
    try:
        return max(1, int(env.get("HW_ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT)))
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT


def derived_lock_lifetime(timeout: int) -> int:
    """Ticket lifetime that outlives the longest turn.

    A Rasa lock ticket expires ``TICKET_LOCK_LIFETIME`` seconds after it was issued,
    also while its turn still runs; the next message of the same person then runs
    at the same time (the race the lock exists to prevent). Rasa's 60 s was chosen
    for a 300 s action timeout nobody waits for; with ours a turn can take
    ``ACTION_CALLS_PER_TURN`` action calls of ``timeout`` seconds each, plus a margin.
    Longer is cheap: a ticket only outlives its turn when a server dies mid-turn,
    and then that one conversation waits that long.
    """
    return max(
        RASA_LOCK_LIFETIME, ACTION_CALLS_PER_TURN * timeout + LOCK_LIFETIME_MARGIN
    )


def load_env(environ: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment for the servers: process env, then ``.env``, then defaults."""
    env = dict(os.environ if environ is None else environ)
    for key, value in read_dotenv(ROOT / ".env").items():
        env.setdefault(key, value)
    production = env.get("HW_PROFILE") == "production"
    if production:
        env.setdefault("HW_DB_DIALECT", "postgresql")
    for key, value in DEFAULTS.items():
        if not (production and key in PRODUCTION_REQUIRED):
            env.setdefault(key, value)
    env.setdefault(
        "HW_ACTION_ENDPOINT", f"http://127.0.0.1:{env['HW_ACTION_PORT']}/webhook"
    )
    # Rasa reads TICKET_LOCK_LIFETIME once, when rasa.core.lock_store is imported.
    if not env.get("TICKET_LOCK_LIFETIME", "").strip():
        env["TICKET_LOCK_LIFETIME"] = str(derived_lock_lifetime(action_timeout(env)))
    env["PYTHONPATH"] = str(ROOT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


# ------------------------------------------------------------------------- spaCy
def ensure_spacy_model() -> str:
    """Install nl_core_news_sm where the internet allows; report the pipeline used."""
    stamp = VENV_BIN.parent / ".hw-spacy-download-tried"
    check = [
        str(VENV_BIN / "python"),
        "-c",
        "import hechtwijzer_nl as m; print(m.pipeline_id())",
    ]
    current = subprocess.run(
        check, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    if current.startswith("nl_core_news_sm") or stamp.exists():
        say(f"spaCy pipeline: {current or 'unknown'}")
        return current
    say("trying to download spaCy model nl_core_news_sm 3.4.0 (falls back offline)")
    try:
        subprocess.run(
            [
                str(VENV_BIN / "python"),
                "-m",
                "spacy",
                "download",
                "nl_core_news_sm-3.4.0",
                "--direct",
                "--",
                "--quiet",
                "--timeout",
                "15",
                "--retries",
                "0",
            ],
            cwd=ROOT,
            timeout=180,
            capture_output=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pass
    stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    current = subprocess.run(
        check, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    if current.startswith("nl_core_news_sm"):
        say(f"spaCy pipeline: {current}")
    else:
        say(f"spaCy pipeline: {current} (nl_core_news_sm could not be downloaded here)")
    return current


# ------------------------------------------------------------------------ widget
def _tree_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_widget() -> bool:
    """Install the widget's npm packages and build its bundle when sources changed."""
    if not (WIDGET / "package.json").is_file():
        return False
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        say(
            "Node.js 18+ is needed for the web chat widget (https://nodejs.org); skipping it."
        )
        return False
    major = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(major.strip().lstrip("v").split(".")[0] or 0) < 18:
        say(f"Node.js 18+ is needed for the web chat widget (found {major.strip()}).")
        return False
    lock_hash = _tree_hash([WIDGET / "package.json", WIDGET / "package-lock.json"])
    deps_stamp = WIDGET / "node_modules" / ".hw-installed"
    if not deps_stamp.is_file() or deps_stamp.read_text() != lock_hash:
        say("installing the widget's npm packages (npm ci)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WIDGET, check=True)
        deps_stamp.write_text(lock_hash)
    sources = [
        p
        for p in WIDGET.rglob("*")
        if "node_modules" not in p.parts and "dist" not in p.parts
    ]
    build_hash = _tree_hash(sources)
    build_stamp = WIDGET / "dist" / ".hw-built"
    if not build_stamp.is_file() or build_stamp.read_text() != build_hash:
        say("building the widget bundle (npm run build)")
        subprocess.run([npm, "run", "build"], cwd=WIDGET, check=True)
        build_stamp.parent.mkdir(exist_ok=True)
        build_stamp.write_text(build_hash)
    return True


# ---------------------------------------------------------------------- training
def training_fingerprint(pipeline: str) -> str:
    """Hash of what shapes the model: config, domain, data, our components, spaCy."""
    files: List[Path] = []
    for name in TRAINING_INPUTS:
        path = ROOT / name
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
    digest = hashlib.sha256(_tree_hash(files).encode())
    digest.update(pipeline.encode())
    digest.update(rasa_version().encode())
    return digest.hexdigest()[:12]


def rasa_version() -> str:
    """Installed Rasa version (without importing Rasa)."""
    from importlib.metadata import version

    return version("rasa")


def model_path(pipeline: str) -> Path:
    """Where the model for the current training inputs lives."""
    return MODELS / f"hechtwijzer-{training_fingerprint(pipeline)}.tar.gz"


def train(force: bool = False, pipeline: Optional[str] = None) -> Path:
    """Train when the training inputs changed; return the model path."""
    pipeline = pipeline or ensure_spacy_model()
    target = model_path(pipeline)
    if target.is_file() and not force:
        say(f"model is up to date: {target.name} (not retraining)")
        return target
    MODELS.mkdir(exist_ok=True)
    say(f"training {target.name} (under a minute)")
    started = time.monotonic()
    subprocess.run(
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
            str(MODELS),
            "--fixed-model-name",
            target.name[: -len(".tar.gz")],
        ],
        cwd=ROOT,
        env=load_env(),
        check=True,
    )
    say(f"trained in {time.monotonic() - started:.0f} s")
    return target


# ----------------------------------------------------------------------- serving
PROFILES = {
    "embedded": "endpoints.yml",
    "production": "endpoints.production.yml",
}


def endpoints_file(env: Dict[str, str]) -> str:
    """The endpoints file of the profile that ``HW_PROFILE`` selects."""
    profile = env.get("HW_PROFILE", "embedded")
    if profile not in PROFILES:
        raise SystemExit(
            f"[hw] HW_PROFILE={profile!r} is unknown; use one of {', '.join(PROFILES)}."
        )
    return PROFILES[profile]


def _whole_number(env: Dict[str, str], name: str, default: int) -> int:
    """``env[name]`` as an int (``default`` when unset or empty); refuse otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"[hw] {name}={raw!r} is not a whole number.") from None


# ----------------------------------------------------------------------- secrets
MIN_SECRET_CHARS = 32
SESSION_SECRET_FILE = Path(".hechtwijzer") / "session_secret"
MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def check_secrets(env: Dict[str, str]) -> None:
    """Refuse a missing API token, and tokens or secrets short enough to guess.

    Never echoes a value: only how long it is.
    """
    if env.get("HW_ENABLE_API") == "1" and not env.get("HW_API_TOKEN", "").strip():
        raise SystemExit(
            "[hw] HW_ENABLE_API=1 needs HW_API_TOKEN (the API is never open)."
        )
    if (
        env.get("HW_PROFILE") == "production"
        and not env.get("HW_SESSION_SECRET", "").strip()
    ):
        raise SystemExit(
            "[hw] HW_PROFILE=production needs HW_SESSION_SECRET, the same on every "
            "server (it signs the web widget's session ids), at least "
            f"{MIN_SECRET_CHARS} characters: {MAKE_SECRET}"
        )
    used = {
        "HW_API_TOKEN": env.get("HW_ENABLE_API") == "1",
        "HW_REST_TOKEN": True,
        "HW_SESSION_SECRET": True,
    }
    for name, in_use in used.items():
        value = env.get(name, "").strip()
        if in_use and value and len(value) < MIN_SECRET_CHARS:
            raise SystemExit(
                f"[hw] {name} has {len(value)} characters; it needs at least "
                f"{MIN_SECRET_CHARS}: {MAKE_SECRET}"
            )


def ensure_session_secret(env: Dict[str, str]) -> Path:
    """Fill in ``HW_SESSION_SECRET`` from a generated file when it is not set.

    The file (``.hechtwijzer/session_secret``, mode 600, ignored by git) is written
    on the first run and reused, so widget sessions outlive restarts. The production
    profile never gets here without its own secret (``check_secrets``).
    """
    path = ROOT / SESSION_SECRET_FILE
    if env.get("HW_SESSION_SECRET", "").strip():
        return path
    secret = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    if len(secret) < MIN_SECRET_CHARS:
        import secrets

        path.parent.mkdir(mode=0o700, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        say(f"generated the widget's session secret in {SESSION_SECRET_FILE}")
    os.chmod(path, 0o600)
    env["HW_SESSION_SECRET"] = secret
    return path


def check_profile(env: Dict[str, str], warn: bool = True) -> None:
    """Refuse settings under which servers would not share conversations safely.

    Production profile: PostgreSQL tracker store and a Redis host are required, and
    lock tickets must live at least as long as one action call. Any profile:
    ``SANIC_WORKERS`` > 1 needs a lock store the workers share (Rasa would quietly
    run one worker with the in-memory one). ``warn=False`` only refuses.
    """
    profile = env.get("HW_PROFILE", "embedded")
    endpoints_file(env)  # refuses an unknown profile
    timeout = action_timeout(env)
    # Rasa: int(TICKET_LOCK_LIFETIME) or 60 (so 0 means 60).
    lifetime = _whole_number(env, "TICKET_LOCK_LIFETIME", 0) or RASA_LOCK_LIFETIME
    workers = _whole_number(env, "SANIC_WORKERS", 1)
    if workers < 1:
        raise SystemExit(f"[hw] SANIC_WORKERS={workers} must be at least 1.")
    notes: List[str] = []
    if profile == "production":
        url = env.get("HW_DB_URL", "").strip()
        if not url.startswith("postgresql"):
            # the scheme only: the rest of the URL can hold the password
            now = f"starts with {url.split(':', 1)[0]!r}" if url else "is not set"
            raise SystemExit(
                "[hw] HW_PROFILE=production needs the PostgreSQL tracker store that all "
                f"servers share, but HW_DB_URL {now}; set "
                "HW_DB_URL=postgresql://user:password@host:5432/hechtwijzer."
            )
        if not env.get("HW_REDIS_HOST", "").strip():
            raise SystemExit(
                "[hw] HW_PROFILE=production needs Redis for the lock store that all "
                "servers share: set HW_REDIS_HOST (and HW_REDIS_PORT, default 6379)."
            )
        _whole_number(env, "HW_REDIS_PORT", 6379)
        if lifetime < timeout:
            raise SystemExit(
                f"[hw] TICKET_LOCK_LIFETIME={lifetime} s is shorter than "
                f"HW_ACTION_TIMEOUT={timeout} s: a conversation's lock would expire "
                "while its turn still waits for the action server, and the next "
                "message would run at the same time. Unset TICKET_LOCK_LIFETIME "
                f"(then {derived_lock_lifetime(timeout)} s) or raise it."
            )
    else:
        lock_store = env.get("HW_LOCK_STORE", "in_memory").strip() or "in_memory"
        if workers > 1 and lock_store == "in_memory":
            raise SystemExit(
                f"[hw] SANIC_WORKERS={workers} needs a lock store the workers share; "
                "with HW_LOCK_STORE=in_memory Rasa would quietly run 1 worker. Set "
                "SANIC_WORKERS=1, or HW_LOCK_STORE=bot.lock_store.AtomicRedisLockStore "
                "with HW_REDIS_HOST (or HW_PROFILE=production)."
            )
        if lock_store == "redis":
            notes.append(
                "HW_LOCK_STORE=redis is Rasa's own Redis lock store, which can hand "
                "out the same ticket to two servers; use "
                "bot.lock_store.AtomicRedisLockStore."
            )
        if lifetime < timeout:
            notes.append(
                f"TICKET_LOCK_LIFETIME={lifetime} s is shorter than "
                f"HW_ACTION_TIMEOUT={timeout} s: a slow turn loses its lock."
            )
    check_secrets(env)
    if lifetime >= timeout and lifetime < derived_lock_lifetime(timeout):
        notes.append(
            f"TICKET_LOCK_LIFETIME={lifetime} s is less than "
            f"{ACTION_CALLS_PER_TURN} x HW_ACTION_TIMEOUT + {LOCK_LIFETIME_MARGIN} s; "
            "a turn with several slow action calls can outlive its lock."
        )
    if workers > 1:
        notes.append(
            f"SANIC_WORKERS={workers}: socket.io clients on the long-polling "
            "transport need every request on one process, which Sanic workers do "
            "not guarantee (websocket clients are fine); prefer more servers "
            "behind a sticky load balancer (docs/scale-out.md)."
        )
    if warn:
        for note in notes:
            say(f"WARNING: {note}")


def server_commands(env: Dict[str, str], model: Path) -> Dict[str, List[str]]:
    """The two server command lines (action server, Rasa)."""
    check_profile(env)
    rasa_cmd = [
        str(VENV_BIN / "rasa"),
        "run",
        "--model",
        str(model),
        "--endpoints",
        endpoints_file(env),
        "--credentials",
        "credentials.yml",
        "--interface",
        env["HW_HOST"],
        "--port",
        env["HW_PORT"],
    ]
    # No origins: no CORS headers at all, so only the bot's own pages may call it.
    origins = [o.strip() for o in env.get("HW_CORS_ORIGINS", "").split(",")]
    if any(origins):
        rasa_cmd += ["--cors", *[o for o in origins if o]]
    if env.get("HW_ENABLE_API") == "1":
        rasa_cmd += ["--enable-api", "--auth-token", env["HW_API_TOKEN"].strip()]
    actions_cmd = [
        str(VENV_BIN / "python"),
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        env["HW_ACTION_PORT"],
    ]
    return {"actions": actions_cmd, "rasa": rasa_cmd}


def wait_for(url: str, timeout: float, proc: Optional[subprocess.Popen] = None) -> bool:
    """Poll ``url`` until it answers 200 (or the process dies / time runs out)."""
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
    procs = [p for p in procs if p.poll() is None]
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run() -> int:
    """Set up, train if needed, and serve until Ctrl-C."""
    check_profile(load_env(), warn=False)  # refuse before minutes of setup
    pipeline = ensure_spacy_model()
    ensure_widget()
    model = train(pipeline=pipeline)
    env = load_env()
    ensure_session_secret(env)
    commands = server_commands(env, model)
    procs: List[subprocess.Popen] = []
    stopping = {"now": False}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        actions = subprocess.Popen(commands["actions"], cwd=ROOT, env=env)
        procs.append(actions)
        rasa = subprocess.Popen(commands["rasa"], cwd=ROOT, env=env)
        procs.append(rasa)
        base = f"http://localhost:{env['HW_PORT']}"
        if wait_for(f"{base}/webhooks/rest/", 300, rasa):
            say(f"Hechtwijzer is running. Chat in your browser: {base}/chat/")
            say(
                f"REST: curl -s -XPOST {base}/webhooks/rest/webhook "
                "-H 'Content-Type: application/json' "
                '-d \'{"sender":"x","message":"hoi"}\'   (Ctrl-C stops)'
            )
        while not stopping["now"] and all(p.poll() is None for p in procs):
            time.sleep(0.3)
        if not stopping["now"]:
            say("a server stopped unexpectedly; stopping the other one")
            return 1
        say("stopping…")
        return 0
    finally:
        stop(procs)


# ------------------------------------------------------------------------- tests
APT_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "postgresql": "/usr/lib/postgresql",
    "redis-server": "/usr/bin/redis-server",
    "nginx-light": "/usr/sbin/nginx",
}


def ensure_test_prerequisites() -> None:
    """Debian packages the tests use for real (browser, PostgreSQL)."""
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
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def test(pytest_args: List[str]) -> int:
    """Set everything up, then run the whole test suite."""
    pipeline = ensure_spacy_model()
    ensure_widget()
    ensure_test_prerequisites()
    train(pipeline=pipeline)
    env = load_env()
    cmd = [str(VENV_BIN / "python"), "-m", "pytest", *(pytest_args or ["tests"])]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


# ------------------------------------------------------------------------- shell
def shell() -> int:
    """A small terminal chat against the running bot's REST channel."""
    env = load_env()
    url = f"http://localhost:{env['HW_PORT']}/webhooks/rest/webhook"
    sender = f"shell-{os.getpid()}"
    buttons: List[Dict[str, str]] = []
    print("Typ je bericht (Ctrl-D stopt). Een cijfer kiest een knop.")
    while True:
        try:
            text = input("jij> ")
        except EOFError:
            print()
            return 0
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        body = json.dumps({"sender": sender, "message": text}).encode()
        headers = {"Content-Type": "application/json"}
        if env.get("HW_REST_TOKEN", "").strip():
            headers["Authorization"] = f"Bearer {env['HW_REST_TOKEN'].strip()}"
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as resp:
                replies = json.loads(resp.read())
        except (urllib.error.URLError, OSError) as error:
            print(f"(geen verbinding met {url}: {error}; draait ./hw run?)")
            continue
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            if reply.get("image"):
                print("bot> [afbeelding]")
            for button in reply.get("buttons") or []:
                buttons.append(button)
                print(f"     {len(buttons)}. {button.get('title')}")


# -------------------------------------------------------------------------- main
def main(argv: Optional[List[str]] = None) -> int:
    """Dispatch a launcher command."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "run"
    os.chdir(ROOT)
    if command == "setup":
        ensure_spacy_model()
        ensure_widget()
        return 0
    if command == "train":
        train(force="-f" in args or "--force" in args)
        return 0
    if command == "run":
        return run()
    if command == "test":
        return test(args)
    if command == "shell":
        return shell()
    if command == "telegram-poll":
        return subprocess.run(
            [str(VENV_BIN / "python"), "-m", "bot.telegram_poll", *args], env=load_env()
        ).returncode
    if command == "cleanup":
        return subprocess.run(
            [str(VENV_BIN / "python"), "-m", "bot.cleanup", *args], env=load_env()
        ).returncode
    if command == "lint":
        return lint()
    print(__doc__)
    return 2


def lint() -> int:
    """Black --check, ruff and mypy (tools in .venv-lint, kept apart from Rasa's pins)."""
    tools = ROOT / ".venv-lint"
    if not (tools / "bin" / "ruff").exists():
        subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
        subprocess.run(
            [
                str(tools / "bin" / "pip"),
                "install",
                "-q",
                "-r",
                "requirements-lint.txt",
            ],
            check=True,
        )
    code = 0
    for cmd in (
        [str(tools / "bin" / "black"), "--check", "actions", "bot", "tests", "bench"],
        [str(tools / "bin" / "ruff"), "check", "actions", "bot", "tests", "bench"],
        [
            str(tools / "bin" / "mypy"),
            "--python-executable",
            str(VENV_BIN / "python"),
            "actions",
            "bot",
        ],
    ):
        code |= subprocess.run(cmd, cwd=ROOT).returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
