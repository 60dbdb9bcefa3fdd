"""Refusals before a server starts: profile, secrets, lock lifetime, workers.

Shared by ``./hw run`` and ``deploy/serve.py`` (standard library only). Every refusal
is a ``SystemExit`` with one ``[hw]`` line saying what to set; values of tokens and
secrets are never echoed, only how long they are.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List

from bot import settings
from bot.settings import (
    ACTION_CALLS_PER_TURN,
    LOCK_LIFETIME_MARGIN,
    RASA_LOCK_LIFETIME,
    action_timeout,
    derived_lock_lifetime,
)

PROFILES = {
    "embedded": "endpoints.yml",
    "production": "endpoints.production.yml",
}
MIN_SECRET_CHARS = 32
SESSION_SECRET_FILE = Path(".hechtwijzer") / "session_secret"
MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def say(message: str) -> None:
    """Print a launcher message."""
    print(f"[hw] {message}", file=sys.stderr, flush=True)


def endpoints_file(env: Dict[str, str]) -> str:
    """The endpoints file of the profile that ``HW_PROFILE`` selects."""
    profile = env.get("HW_PROFILE", "embedded")
    if profile not in PROFILES:
        raise SystemExit(
            f"[hw] HW_PROFILE={profile!r} is unknown; use one of {', '.join(PROFILES)}."
        )
    return PROFILES[profile]


def whole_number(env: Dict[str, str], name: str, default: int) -> int:
    """``env[name]`` as an int (``default`` when unset or empty); refuse otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"[hw] {name}={raw!r} is not a whole number.") from None


def check_secrets(env: Dict[str, str]) -> None:
    """Refuse a missing API token, and tokens or secrets short enough to guess."""
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
    path = settings.ROOT / SESSION_SECRET_FILE
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


def _check_production(env: Dict[str, str], lifetime: int, timeout: int) -> None:
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
    whole_number(env, "HW_REDIS_PORT", 6379)
    if lifetime < timeout:
        raise SystemExit(
            f"[hw] TICKET_LOCK_LIFETIME={lifetime} s is shorter than "
            f"HW_ACTION_TIMEOUT={timeout} s: a conversation's lock would expire "
            "while its turn still waits for the action server, and the next "
            "message would run at the same time. Unset TICKET_LOCK_LIFETIME "
            f"(then {derived_lock_lifetime(timeout)} s) or raise it."
        )


def _check_embedded(
    env: Dict[str, str], lifetime: int, timeout: int, workers: int
) -> List[str]:
    notes: List[str] = []
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
    return notes


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
    lifetime = whole_number(env, "TICKET_LOCK_LIFETIME", 0) or RASA_LOCK_LIFETIME
    workers = whole_number(env, "SANIC_WORKERS", 1)
    if workers < 1:
        raise SystemExit(f"[hw] SANIC_WORKERS={workers} must be at least 1.")
    notes: List[str] = []
    if profile == "production":
        _check_production(env, lifetime, timeout)
    else:
        notes = _check_embedded(env, lifetime, timeout, workers)
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
