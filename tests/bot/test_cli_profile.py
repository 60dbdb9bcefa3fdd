"""Production profile: endpoints file, start-up refusals, lock lifetime, deploy files.

No servers run here: Rasa's own readers load the endpoints file, Redis and
PostgreSQL are never contacted (a closed port shows the lock store is lazy).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional

import pytest

from bot import cli

REPO = Path(cli.__file__).resolve().parent.parent
MODEL = Path("models/m.tar.gz")
PRODUCTION = {
    "HW_PROFILE": "production",
    "HW_DB_URL": "postgresql://hw:s3cret@db.example:5432/hechtwijzer",
    "HW_REDIS_HOST": "redis.example",
}

EnvOf = Callable[..., Dict[str, str]]


@pytest.fixture
def env_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EnvOf:
    """``load_env`` over exactly the given values (never the developer's .env)."""
    monkeypatch.setattr(cli, "ROOT", tmp_path)

    def make(**values: str) -> Dict[str, str]:
        return cli.load_env({"PATH": os.environ.get("PATH", "/usr/bin"), **values})

    return make


def endpoints_arg(env: Dict[str, str]) -> str:
    cmd = cli.server_commands(env, MODEL)["rasa"]
    return cmd[cmd.index("--endpoints") + 1]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------ profiles
def test_profile_selects_the_endpoints_file(env_of: EnvOf) -> None:
    assert endpoints_arg(env_of()) == "endpoints.yml"
    assert endpoints_arg(env_of(**PRODUCTION)) == "endpoints.production.yml"
    for name in ("endpoints.yml", "endpoints.production.yml"):
        assert (REPO / name).is_file()


def test_unknown_profile_is_refused(env_of: EnvOf) -> None:
    env = env_of(HW_PROFILE="cloud")
    with pytest.raises(SystemExit, match=r"\[hw\] HW_PROFILE='cloud' is unknown"):
        cli.check_profile(env)
    with pytest.raises(SystemExit):
        cli.server_commands(env, MODEL)


def test_production_does_not_fall_back_to_sqlite(env_of: EnvOf) -> None:
    env = env_of(HW_PROFILE="production")
    assert "HW_DB_URL" not in env and "HW_REDIS_HOST" not in env
    assert env["HW_DB_DIALECT"] == "postgresql"
    with pytest.raises(SystemExit, match="PostgreSQL"):
        cli.check_profile(env)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///hechtwijzer.db",
        "postgres://hw:s3cret@db/hechtwijzer",  # SQLAlchemy 1.4 rejects this scheme
        "mysql://hw:s3cret@db/hechtwijzer",
        "",
    ],
)
def test_production_without_postgresql_is_refused(env_of: EnvOf, url: str) -> None:
    env = env_of(**dict(PRODUCTION, HW_DB_URL=url))
    with pytest.raises(SystemExit, match=r"\[hw\] HW_PROFILE=production needs") as err:
        cli.server_commands(env, MODEL)
    assert "s3cret" not in str(err.value)  # never echo the password


@pytest.mark.parametrize("redis_host", [None, "", "  "])
def test_production_without_redis_is_refused(
    env_of: EnvOf, redis_host: Optional[str]
) -> None:
    values = {k: v for k, v in PRODUCTION.items() if k != "HW_REDIS_HOST"}
    if redis_host is not None:
        values["HW_REDIS_HOST"] = redis_host
    with pytest.raises(SystemExit, match="HW_REDIS_HOST"):
        cli.check_profile(env_of(**values))


def test_production_with_postgresql_and_redis_starts(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_of(**PRODUCTION)
    cli.check_profile(env)
    assert cli.server_commands(env, MODEL)["actions"][1:3] == ["-m", "rasa_sdk"]
    assert capsys.readouterr().err == ""  # no warnings for a sound setup


def test_run_refuses_before_setup_and_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setenv("HW_PROFILE", "production")
    monkeypatch.delenv("HW_DB_URL", raising=False)

    def setup_ran() -> str:
        raise AssertionError("setup ran before the profile was checked")

    monkeypatch.setattr(cli, "ensure_spacy_model", setup_ran)
    with pytest.raises(SystemExit, match="PostgreSQL"):
        cli.run()


# -------------------------------------------------------------- lock lifetime
def test_the_action_timeout_default_lives_in_the_guard() -> None:
    from bot.channels import guard

    assert cli.default_action_timeout() == guard.DEFAULT_ACTION_TIMEOUT


@pytest.mark.parametrize(
    "timeout, lifetime",
    [(None, "90"), ("8", "60"), ("45", "190"), ("nonsense", "90"), ("0", "60")],
)
def test_lock_lifetime_is_derived_from_the_action_timeout(
    env_of: EnvOf, timeout: Optional[str], lifetime: str
) -> None:
    values = {} if timeout is None else {"HW_ACTION_TIMEOUT": timeout}
    assert env_of(**values)["TICKET_LOCK_LIFETIME"] == lifetime


def test_a_lifetime_that_is_set_is_kept(env_of: EnvOf) -> None:
    assert env_of(TICKET_LOCK_LIFETIME="300")["TICKET_LOCK_LIFETIME"] == "300"
    # an empty line in .env would crash Rasa (int("")): it means "derive"
    assert env_of(TICKET_LOCK_LIFETIME="")["TICKET_LOCK_LIFETIME"] == "90"


def test_rasa_uses_the_derived_lifetime(env_of: EnvOf) -> None:
    env = env_of(HW_ACTION_TIMEOUT="30")
    code = (
        "import inspect; from rasa.core import lock_store as s; "
        "print(s.LOCK_LIFETIME, "
        "inspect.signature(s.LockStore.lock).parameters['lock_lifetime'].default)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert out == ["130", "130"]  # 4 x 30 s + 10 s, not Rasa's 60 s


@pytest.mark.parametrize(
    "values",
    [
        {"TICKET_LOCK_LIFETIME": "10"},
        {"TICKET_LOCK_LIFETIME": "19"},
        # 0 means Rasa's 60 s, shorter than a 120 s action timeout
        {"TICKET_LOCK_LIFETIME": "0", "HW_ACTION_TIMEOUT": "120"},
    ],
)
def test_production_refuses_a_lifetime_below_the_action_timeout(
    env_of: EnvOf, values: Dict[str, str]
) -> None:
    env = env_of(**PRODUCTION, **values)
    with pytest.raises(
        SystemExit, match=r"\[hw\] TICKET_LOCK_LIFETIME=\d+ s is shorter"
    ):
        cli.server_commands(env, MODEL)


def test_lifetime_must_be_a_number(env_of: EnvOf) -> None:
    with pytest.raises(SystemExit, match="TICKET_LOCK_LIFETIME='soon'"):
        cli.check_profile(env_of(TICKET_LOCK_LIFETIME="soon"))


def test_short_lifetimes_warn_outside_production(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.check_profile(env_of(TICKET_LOCK_LIFETIME="10"))
    assert "WARNING: TICKET_LOCK_LIFETIME=10 s is shorter" in capsys.readouterr().err
    # long enough for one action call, not for a turn with several: a warning
    cli.check_profile(env_of(**PRODUCTION, TICKET_LOCK_LIFETIME="30"))
    assert "can outlive its lock" in capsys.readouterr().err


# --------------------------------------------------------------- Sanic workers
def test_several_workers_with_the_memory_lock_store_are_refused(
    env_of: EnvOf,
) -> None:
    with pytest.raises(SystemExit, match=r"SANIC_WORKERS=2 needs a lock store"):
        cli.server_commands(env_of(SANIC_WORKERS="2"), MODEL)
    with pytest.raises(SystemExit, match="SANIC_WORKERS"):
        cli.check_profile(env_of(SANIC_WORKERS="2", HW_LOCK_STORE=""))


@pytest.mark.parametrize("workers", ["two", "0", "-1"])
def test_workers_must_be_a_positive_number(env_of: EnvOf, workers: str) -> None:
    with pytest.raises(SystemExit, match="SANIC_WORKERS"):
        cli.check_profile(env_of(SANIC_WORKERS=workers))


def test_several_workers_with_a_shared_lock_store_start_with_a_warning(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    atomic = "bot.lock_store.AtomicRedisLockStore"
    cli.check_profile(env_of(SANIC_WORKERS="3", HW_LOCK_STORE=atomic))
    assert "socket.io" in capsys.readouterr().err
    cli.check_profile(env_of(**PRODUCTION, SANIC_WORKERS="3"))
    assert "socket.io" in capsys.readouterr().err
    cli.check_profile(env_of(SANIC_WORKERS="1"))
    assert capsys.readouterr().err == ""


def test_rasas_racy_redis_lock_store_gets_a_warning(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.check_profile(env_of(HW_LOCK_STORE="redis"))
    assert "AtomicRedisLockStore" in capsys.readouterr().err


# ------------------------------------------- endpoints.production.yml with Rasa
@pytest.fixture
def production_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    port = closed_port()
    monkeypatch.setenv("HW_ACTION_ENDPOINT", "http://actions.example:5055/webhook")
    monkeypatch.setenv("HW_DB_URL", PRODUCTION["HW_DB_URL"])
    monkeypatch.setenv("HW_REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("HW_REDIS_PORT", str(port))
    yield port


def test_production_endpoints_load_with_rasas_reader(
    production_environ: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.core.lock_store import LockError, LockStore
    from rasa.core.utils import number_of_sanic_workers
    from rasa.utils.endpoints import read_endpoint_config

    from bot.lock_store import AtomicRedisLockStore

    path = str(REPO / "endpoints.production.yml")
    tracker = read_endpoint_config(path, "tracker_store")
    assert tracker is not None and tracker.type == "SQL"
    assert tracker.kwargs["dialect"] == "postgresql"
    assert tracker.url == PRODUCTION["HW_DB_URL"]
    action = read_endpoint_config(path, "action_endpoint")
    assert action is not None and action.url == "http://actions.example:5055/webhook"

    lock = read_endpoint_config(path, "lock_store")
    assert lock is not None and lock.type == "bot.lock_store.AtomicRedisLockStore"
    store = LockStore.create(lock)  # no Redis listens on that port: still fine
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == "hechtwijzer:lock:"
    pool = store.red.connection_pool.connection_kwargs
    assert (pool["host"], pool["port"]) == ("127.0.0.1", production_environ)
    with pytest.raises(LockError):  # Redis is first contacted when a lock is used
        store.issue_ticket("someone")

    # Rasa honours SANIC_WORKERS with this lock store, and quietly ignores it with
    # the in-memory one (why the launcher refuses that combination).
    monkeypatch.setenv("SANIC_WORKERS", "3")
    assert number_of_sanic_workers(lock) == 3
    monkeypatch.setenv("HW_DB_DIALECT", "sqlite")
    monkeypatch.setenv("HW_LOCK_STORE", "in_memory")
    memory = read_endpoint_config(str(REPO / "endpoints.yml"), "lock_store")
    assert number_of_sanic_workers(memory) == 1


def test_cleanup_finds_the_production_database(
    env_of: EnvOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``./hw cleanup`` (compose, CronJob) reads endpoints.yml with the launcher's env."""
    from bot.cleanup import database_url

    env = env_of(**PRODUCTION)
    for key, value in env.items():
        if key.startswith("HW_"):
            monkeypatch.setenv(key, value)
    assert database_url(str(REPO / "endpoints.yml")) == PRODUCTION["HW_DB_URL"]
