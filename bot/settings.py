"""Settings: every environment variable's default, read in one way, in one place.

Standard library only and nothing runs at import, so the launcher can read it with
any Python (``./hw --help`` needs no venv) and the servers at no cost.

Two uses:

- ``load_env`` fills in the environment the servers start with (process env, then
  ``.env``, then ``DEFAULTS``), as ``./hw run``, ``deploy/serve.py``, the tests and
  the benchmarks do;
- the readers (``action_timeout``, ``max_message_chars``, ...) turn one variable into
  a typed value inside a running server: unset, empty or unreadable means the
  default, and each has a floor.

``Settings`` is the typed view of a filled-in environment that the launcher uses to
build command lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------- defaults
# Seconds Rasa waits for the action server (HW_ACTION_TIMEOUT); Rasa's own is 300.
DEFAULT_ACTION_TIMEOUT = 20

# Longest typed message handed to NLU (HW_MAX_MESSAGE_CHARS); longer ones get a
# friendly request to shorten.
DEFAULT_MAX_MESSAGE_CHARS = 1500

# Largest request body or socket.io message in bytes (HW_MAX_REQUEST_BYTES); never
# below MIN_REQUEST_BYTES.
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
MIN_REQUEST_BYTES = 4 * 1024

# Seconds the crisis detector may spend on one long message (HW_CRISIS_BUDGET).
DEFAULT_CRISIS_BUDGET = 1.0

# Days a conversation is kept after its newest message (HW_RETENTION_DAYS); the widget's
# browser copy and a deletion's tombstone last as long.
DEFAULT_RETENTION_DAYS = 30

# Hours between two runs of the clean-up inside every Rasa server
# (HW_CLEANUP_INTERVAL_HOURS, fractions allowed; it cannot be switched off). The first
# run is shortly after the server started.
DEFAULT_CLEANUP_INTERVAL_HOURS = 24

# Conversations deleted per transaction by the clean-up (HW_CLEANUP_BATCH): small, so a
# failure rolls back one batch only and no write lock is held for long.
DEFAULT_CLEANUP_BATCH = 200

# Seconds a recorded tracker-store failure keeps the health report at 'degraded'
# (HW_HEALTH_FAILURE_WINDOW).
DEFAULT_HEALTH_FAILURE_WINDOW = 300.0

# A session longer than this many events starts a new conversation segment
# (HW_SEGMENT_EVENTS, 0 = never), which copies the last HW_SEGMENT_KEEP_TURNS turns.
DEFAULT_SEGMENT_EVENTS = 120
DEFAULT_SEGMENT_KEEP_TURNS = 6

# Rate limits (bot/channels/ratelimit.py): token buckets per conversation
# (HW_RATE_PER_MINUTE, HW_RATE_BURST) and per client address on REST and socket.io
# (HW_RATE_ADDRESS_PER_MINUTE, HW_RATE_ADDRESS_BURST; several people may share one
# address), and at most HW_QUEUE_PER_CONVERSATION turns of one conversation running
# or waiting at a time (on Telegram: queued updates per chat). A message the crisis
# detector flags is never refused.
DEFAULT_RATE_PER_MINUTE = 60
DEFAULT_RATE_BURST = 20
DEFAULT_RATE_ADDRESS_PER_MINUTE = 300
DEFAULT_RATE_ADDRESS_BURST = 100
DEFAULT_QUEUE_PER_CONVERSATION = 3

# What the launcher fills in for the servers when neither the process nor .env set it.
DEFAULTS: Dict[str, str] = {
    "HW_PROFILE": "embedded",
    "HW_HOST": "127.0.0.1",
    "HW_PORT": "5005",
    "HW_ACTION_PORT": "5055",
    "HW_ENABLE_API": "0",
    "HW_API_TOKEN": "",
    "HW_REST_TOKEN": "",
    "HW_CORS_ORIGINS": "",
    "HW_MAX_MESSAGE_CHARS": str(DEFAULT_MAX_MESSAGE_CHARS),
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


# ---------------------------------------------------------------------- readers
def _raw(name: str, environ: Optional[Mapping[str, str]]) -> Optional[str]:
    return (os.environ if environ is None else environ).get(name)


def env_int(
    name: str,
    default: int,
    minimum: int,
    environ: Optional[Mapping[str, str]] = None,
) -> int:
    """``name`` as a whole number, at least ``minimum``; the default when unreadable."""
    raw = _raw(name, environ)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        return default
    return max(minimum, value)


def env_float(
    name: str,
    default: float,
    minimum: Optional[float] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> float:
    """``name`` as a number (at least ``minimum`` when given); the default otherwise."""
    raw = _raw(name, environ)
    try:
        value = float(default) if raw is None or not raw.strip() else float(raw)
    except ValueError:
        return float(default)
    return value if minimum is None else max(minimum, value)


def action_timeout(environ: Optional[Mapping[str, str]] = None) -> int:
    """Seconds Rasa waits for the action server (``HW_ACTION_TIMEOUT``, at least 1)."""
    return env_int("HW_ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT, 1, environ)


def max_message_chars(environ: Optional[Mapping[str, str]] = None) -> int:
    """Longest text handed to NLU (``HW_MAX_MESSAGE_CHARS``, at least 1)."""
    return env_int("HW_MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS, 1, environ)


def crisis_budget(environ: Optional[Mapping[str, str]] = None) -> float:
    """Seconds for screening one long message (``HW_CRISIS_BUDGET``, at least 0.05)."""
    return env_float("HW_CRISIS_BUDGET", DEFAULT_CRISIS_BUDGET, 0.05, environ)


def retention_days(environ: Optional[Mapping[str, str]] = None) -> int:
    """Days conversations are kept (``HW_RETENTION_DAYS``, at least 1)."""
    return env_int("HW_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, environ)


def cleanup_batch(environ: Optional[Mapping[str, str]] = None) -> int:
    """Conversations per clean-up transaction (``HW_CLEANUP_BATCH``, at least 1)."""
    return env_int("HW_CLEANUP_BATCH", DEFAULT_CLEANUP_BATCH, 1, environ)


def health_failure_window(environ: Optional[Mapping[str, str]] = None) -> float:
    """Seconds a failure keeps the health report degraded (``HW_HEALTH_FAILURE_WINDOW``)."""
    return env_float(
        "HW_HEALTH_FAILURE_WINDOW", DEFAULT_HEALTH_FAILURE_WINDOW, None, environ
    )


# ------------------------------------------------------------------ environment
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


def load_env(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Environment for the servers: process env, then ``ROOT/.env``, then defaults."""
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


# ---------------------------------------------------------------- typed view
@dataclass(frozen=True)
class Settings:
    """What the launcher starts the servers with, typed (from a filled-in env)."""

    profile: str
    host: str
    port: int
    action_port: int
    enable_api: bool
    api_token: str
    rest_token: str
    cors_origins: Tuple[str, ...]
    action_timeout: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read a ``load_env`` result; a port that is not a number is refused."""
        return cls(
            profile=env.get("HW_PROFILE", "") or DEFAULTS["HW_PROFILE"],
            host=env.get("HW_HOST", "") or DEFAULTS["HW_HOST"],
            port=_port(env, "HW_PORT"),
            action_port=_port(env, "HW_ACTION_PORT"),
            enable_api=env.get("HW_ENABLE_API") == "1",
            api_token=env.get("HW_API_TOKEN", "").strip(),
            rest_token=env.get("HW_REST_TOKEN", "").strip(),
            cors_origins=tuple(
                o.strip()
                for o in env.get("HW_CORS_ORIGINS", "").split(",")
                if o.strip()
            ),
            action_timeout=action_timeout(env),
        )


def _port(env: Mapping[str, str], name: str) -> int:
    raw = (env.get(name, "") or DEFAULTS[name]).strip()
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"[hw] {name}={raw!r} is not a port number (1-65535).")
    return int(raw)
