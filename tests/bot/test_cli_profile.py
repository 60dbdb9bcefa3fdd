"""Production profile: endpoints file, start-up refusals, lock lifetime, deploy files.

No servers run here: Rasa's own readers load the endpoints file, Redis and
PostgreSQL are never contacted (a closed port shows the lock store is lazy).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from bot import serving, settings, startup_checks
from bot.launcher import run as launcher_run
from bot.launcher import setup as launcher_setup

REPO = settings.ROOT
DEPLOY = REPO / "deploy"
MODEL = Path("models/m.tar.gz")
PRODUCTION = {
    "HW_PROFILE": "production",
    "HW_DB_URL": "postgresql://hw:s3cret@db.example:5432/hechtwijzer",
    "HW_REDIS_HOST": "redis.example",
    "HW_SESSION_SECRET": "one-secret-for-every-server-" + "z" * 16,
}

EnvOf = Callable[..., Dict[str, str]]


@pytest.fixture
def env_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EnvOf:
    """``load_env`` over exactly the given values (never the developer's .env)."""
    monkeypatch.setattr(settings, "ROOT", tmp_path)

    def make(**values: str) -> Dict[str, str]:
        return settings.load_env({"PATH": os.environ.get("PATH", "/usr/bin"), **values})

    return make


def endpoints_arg(env: Dict[str, str]) -> str:
    cmd = serving.server_commands(env, MODEL)["rasa"]
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
        startup_checks.check_profile(env)
    with pytest.raises(SystemExit):
        serving.server_commands(env, MODEL)


def test_production_does_not_fall_back_to_sqlite(env_of: EnvOf) -> None:
    env = env_of(HW_PROFILE="production")
    assert "HW_DB_URL" not in env and "HW_REDIS_HOST" not in env
    assert env["HW_DB_DIALECT"] == "postgresql"
    with pytest.raises(SystemExit, match="PostgreSQL"):
        startup_checks.check_profile(env)


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
        serving.server_commands(env, MODEL)
    assert "s3cret" not in str(err.value)  # never echo the password


@pytest.mark.parametrize("redis_host", [None, "", "  "])
def test_production_without_redis_is_refused(
    env_of: EnvOf, redis_host: Optional[str]
) -> None:
    values = {k: v for k, v in PRODUCTION.items() if k != "HW_REDIS_HOST"}
    if redis_host is not None:
        values["HW_REDIS_HOST"] = redis_host
    with pytest.raises(SystemExit, match="HW_REDIS_HOST"):
        startup_checks.check_profile(env_of(**values))


def test_production_needs_one_session_secret_for_all_servers(env_of: EnvOf) -> None:
    values = {k: v for k, v in PRODUCTION.items() if k != "HW_SESSION_SECRET"}
    with pytest.raises(SystemExit, match=r"\[hw\] HW_PROFILE=production needs HW_SES"):
        serving.server_commands(env_of(**values), MODEL)
    # the launcher never makes one up for the production profile
    assert "HW_SESSION_SECRET" not in env_of(**values)


def test_production_with_postgresql_and_redis_starts(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_of(**PRODUCTION)
    startup_checks.check_profile(env)
    assert serving.server_commands(env, MODEL)["actions"][1:3] == ["-m", "rasa_sdk"]
    assert capsys.readouterr().err == ""  # no warnings for a sound setup


def test_run_refuses_before_setup_and_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setenv("HW_PROFILE", "production")
    monkeypatch.delenv("HW_DB_URL", raising=False)

    def setup_ran() -> str:
        raise AssertionError("setup ran before the profile was checked")

    monkeypatch.setattr(launcher_setup, "ensure_spacy_model", setup_ran)
    with pytest.raises(SystemExit, match="PostgreSQL"):
        launcher_run.run()


# -------------------------------------------------------------- lock lifetime
def test_the_rasa_patch_and_the_launcher_read_one_action_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rasa.core.actions.action as action_module
    import rasa.utils.endpoints as endpoints_module

    from bot.rasa_patches import behaviour

    monkeypatch.setattr(action_module, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.setattr(endpoints_module, "DEFAULT_REQUEST_TIMEOUT", 300)
    for raw, seconds in ((None, 20), ("7", 7), ("soon", 20), ("0", 1)):
        if raw is None:
            monkeypatch.delenv("HW_ACTION_TIMEOUT", raising=False)
        else:
            monkeypatch.setenv("HW_ACTION_TIMEOUT", raw)
        assert behaviour.configure_action_timeout() == seconds
        assert settings.action_timeout() == seconds


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
        serving.server_commands(env, MODEL)


def test_lifetime_must_be_a_number(env_of: EnvOf) -> None:
    with pytest.raises(SystemExit, match="TICKET_LOCK_LIFETIME='soon'"):
        startup_checks.check_profile(env_of(TICKET_LOCK_LIFETIME="soon"))


def test_short_lifetimes_warn_outside_production(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    startup_checks.check_profile(env_of(TICKET_LOCK_LIFETIME="10"))
    assert "WARNING: TICKET_LOCK_LIFETIME=10 s is shorter" in capsys.readouterr().err
    # long enough for one action call, not for a turn with several: a warning
    startup_checks.check_profile(env_of(**PRODUCTION, TICKET_LOCK_LIFETIME="30"))
    assert "can outlive its lock" in capsys.readouterr().err


# --------------------------------------------------------------- Sanic workers
def test_several_workers_with_the_memory_lock_store_are_refused(
    env_of: EnvOf,
) -> None:
    with pytest.raises(SystemExit, match=r"SANIC_WORKERS=2 needs a lock store"):
        serving.server_commands(env_of(SANIC_WORKERS="2"), MODEL)
    with pytest.raises(SystemExit, match="SANIC_WORKERS"):
        startup_checks.check_profile(env_of(SANIC_WORKERS="2", HW_LOCK_STORE=""))


@pytest.mark.parametrize("workers", ["two", "0", "-1"])
def test_workers_must_be_a_positive_number(env_of: EnvOf, workers: str) -> None:
    with pytest.raises(SystemExit, match="SANIC_WORKERS"):
        startup_checks.check_profile(env_of(SANIC_WORKERS=workers))


def test_several_workers_with_a_shared_lock_store_start_with_a_warning(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    atomic = "bot.lock_store.AtomicRedisLockStore"
    startup_checks.check_profile(env_of(SANIC_WORKERS="3", HW_LOCK_STORE=atomic))
    assert "socket.io" in capsys.readouterr().err
    startup_checks.check_profile(env_of(**PRODUCTION, SANIC_WORKERS="3"))
    assert "socket.io" in capsys.readouterr().err
    startup_checks.check_profile(env_of(SANIC_WORKERS="1"))
    assert capsys.readouterr().err == ""


def test_rasas_racy_redis_lock_store_gets_a_warning(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    startup_checks.check_profile(env_of(HW_LOCK_STORE="redis"))
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
    assert tracker is not None
    assert tracker.type == "bot.tracker_store.SegmentedSQLTrackerStore"
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


# ------------------------------------------------------------------- deploy/
def compose() -> Dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def kubernetes() -> List[Dict[str, Any]]:
    text = (DEPLOY / "kubernetes.yml").read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def our_compose_services() -> Dict[str, Dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if "deploy/serve.py" in (service.get("command") or [])
    }


def our_k8s_containers() -> List[Dict[str, Any]]:
    found = []
    for doc in kubernetes():
        spec = doc.get("spec", {})
        pod = spec.get("template", {}).get("spec") or (
            spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
        )
        for container in (pod or {}).get("containers", []):
            if "hechtwijzer" in container.get("image", ""):
                found.append(container)
    return found


def k8s_secret() -> Dict[str, str]:
    secrets = [d for d in kubernetes() if d["kind"] == "Secret"]
    assert len(secrets) == 1
    return dict(secrets[0]["stringData"])


def launcher_knows() -> set:
    sources = "".join(
        Path(module.__file__ or "").read_text(encoding="utf-8")
        for module in (settings, startup_checks, serving)
    )
    return set(settings.DEFAULTS) | set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', sources))


def test_deploy_files_are_marked_as_sketches() -> None:
    for name in ("docker-compose.yml", "kubernetes.yml", "Dockerfile", "nginx.conf"):
        head = (DEPLOY / name).read_text(encoding="utf-8")[:1200]
        assert "SKETCH" in head and "our machines" in head, name


def test_compose_has_the_scale_out_topology() -> None:
    services = compose()["services"]
    assert set(our_compose_services()) == {"rasa-1", "rasa-2", "actions-1", "actions-2"}
    assert {"nginx", "postgres", "redis"} <= set(services)
    for name in ("rasa-1", "rasa-2"):
        assert services[name]["environment"]["HW_PROFILE"] == "production"
        assert services[name]["command"][-1] == "rasa"
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_deploy_sets_only_variables_the_launcher_knows() -> None:
    known = launcher_knows()
    names = set()
    for service in our_compose_services().values():
        names |= set(service.get("environment") or {})
    for container in our_k8s_containers():
        names |= {item["name"] for item in container.get("env", [])}
    names |= set(k8s_secret())
    assert names, "no variables found"
    assert names - known == set()


COMPOSE_TEST_VALUES = {"POSTGRES_PASSWORD": "pw", "HW_SESSION_SECRET": "h" * 64}


def expand_compose(value: str) -> str:
    """Compose's ${VAR:?msg} and ${VAR:-default}, with test values."""
    return re.sub(
        r"\$\{([A-Z_]+)(?::[?-][^}]*)?\}",
        lambda m: COMPOSE_TEST_VALUES.get(m.group(1), ""),
        value,
    )


def test_deploy_settings_pass_the_production_checks(
    env_of: EnvOf, capsys: pytest.CaptureFixture[str]
) -> None:
    rasa = our_compose_services()["rasa-1"]["environment"]
    env = env_of(**{k: expand_compose(str(v)) for k, v in rasa.items()})
    assert endpoints_arg(env) == "endpoints.production.yml"
    assert env["HW_DB_URL"].startswith("postgresql://hechtwijzer:pw@postgres:")
    for container in our_k8s_containers():
        if container["command"][-1] == "rasa":
            values = dict(k8s_secret())
            values.update({e["name"]: e["value"] for e in container["env"]})
            assert endpoints_arg(env_of(**values)) == "endpoints.production.yml"
    assert capsys.readouterr().err == ""


def test_kubernetes_sketch_probes_and_sticky_socketio() -> None:
    docs = kubernetes()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == {"hechtwijzer-rasa", "hechtwijzer-actions"}
    rasa = deployments["hechtwijzer-rasa"]["spec"]["template"]["spec"]["containers"][0]
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/webhooks/rest/health"
    assert rasa["envFrom"] == [{"secretRef": {"name": "hechtwijzer"}}]
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    by_path = {
        path["path"]: (ingress, path["backend"]["service"]["name"])
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    socketio, socketio_service = by_path["/socket.io"]
    rest, rest_service = by_path["/"]
    sticky = "nginx.ingress.kubernetes.io/upstream-hash-by"
    assert socketio["metadata"]["annotations"][sticky] == "$remote_addr"
    assert sticky not in rest["metadata"].get("annotations", {})
    assert socketio_service != rest_service  # separate upstreams in ingress-nginx


def nginx_blocks(text: str, keyword: str) -> Dict[str, str]:
    return dict(re.findall(keyword + r"\s+(\S+)\s*\{([^}]*)\}", text))


def test_nginx_is_sticky_for_socketio_only() -> None:
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstreams = nginx_blocks(text, "upstream")
    locations = nginx_blocks(text, "location")

    def upstream_of(location: str) -> str:
        found = re.search(r"proxy_pass http://(\w+);", locations[location])
        assert found, location
        return upstreams[found.group(1)]

    assert "hash $remote_addr" in upstream_of("/socket.io/")
    assert "Upgrade $http_upgrade" in locations["/socket.io/"]
    assert "hash" not in upstream_of("/")  # REST: round robin
    assert "backup" in upstream_of("/webhooks/telegram/")  # one server at a time


def test_deploy_sketches_keep_rest_closed_and_share_the_session_secret() -> None:
    nginx = nginx_blocks(
        (DEPLOY / "nginx.conf").read_text(encoding="utf-8"), "location"
    )
    assert nginx["/webhooks/rest"].split() == ["deny", "all;"]
    closed = [
        (ingress, path)
        for ingress in kubernetes()
        if ingress["kind"] == "Ingress"
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
        if path["path"] == "/webhooks/rest"
    ]
    assert len(closed) == 1
    ingress, path = closed[0]
    annotation = "nginx.ingress.kubernetes.io/whitelist-source-range"
    assert ingress["metadata"]["annotations"][annotation] == "127.0.0.1/32"
    assert path["pathType"] == "Prefix"
    # one secret for every server, from the environment or the Secret, never literal
    for service in our_compose_services().values():
        if service["command"][-1] == "rasa":
            value = service["environment"]["HW_SESSION_SECRET"]
            assert value.startswith("${HW_SESSION_SECRET:?")
    assert "HW_SESSION_SECRET" in k8s_secret()
    assert "HW_REST_TOKEN" not in k8s_secret()


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    local = re.sub(r"\b(rasa|actions)-[12]:", "127.0.0.1:", text)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(local, encoding="utf-8")
    result = subprocess.run(
        [
            "nginx",
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            "stderr",
            "-g",
            f"pid {tmp_path / 'nginx.pid'};",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_installs_the_runtime_lock_like_the_launcher() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    launcher = (REPO / "hw").read_text(encoding="utf-8")
    assert "FROM python:3.10-slim" in dockerfile
    assert "--require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "requirements-dev" not in dockerfile  # no test tools in the image
    assert "--require-hashes --no-deps -r requirements-dev.lock" in launcher
    for text in (dockerfile, launcher):
        assert "--no-deps --no-build-isolation" in text and "./bot/spacy_nl" in text
    assert '"deploy/serve.py"' in dockerfile
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert {".venv", "**/node_modules", ".env"} <= set(ignored.split())


def test_serve_does_not_import_the_launcher() -> None:
    """Loading the production entry pulls in bot.serving, never bot.launcher.

    Checked on what is imported, not on the text: a comment naming the launcher
    is harmless, an import through another module is not.
    """
    probe = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('serve', sys.argv[1])\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('bot'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe, str(DEPLOY / "serve.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "bot.serving" in loaded
    assert [m for m in loaded if m.startswith("bot.launcher")] == []


# ------------------------------------------------------------ deploy/serve.py
@pytest.fixture
def serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ModuleType, List[List[str]]]]:
    spec = importlib.util.spec_from_file_location("hw_serve", DEPLOY / "serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started: List[List[str]] = []
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setattr(serving, "MODELS", tmp_path)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr(os, "execvpe", lambda f, cmd, env: started.append(cmd))
    import hechtwijzer_nl

    monkeypatch.setattr(hechtwijzer_nl, "pipeline_id", lambda: "blank:nl+lookups")
    monkeypatch.setattr(
        serving,
        "model_path",
        lambda pipeline: tmp_path / f"hechtwijzer-{pipeline}.tar.gz",
    )
    for key, value in PRODUCTION.items():
        monkeypatch.setenv(key, value)
    yield module, started


def test_serve_starts_rasa_with_the_matching_model(
    serve: tuple[ModuleType, List[List[str]]], tmp_path: Path
) -> None:
    module, started = serve
    model = tmp_path / "hechtwijzer-blank:nl+lookups.tar.gz"
    (tmp_path / "hechtwijzer-old.tar.gz").write_bytes(b"stale")
    with pytest.raises(SystemExit, match="Run ./hw train"):
        module.main(["rasa"])
    model.write_bytes(b"model")
    module.main(["rasa"])
    module.main(["actions"])
    rasa, actions = started
    assert rasa[rasa.index("--model") + 1] == str(model)
    assert rasa[rasa.index("--endpoints") + 1] == "endpoints.production.yml"
    assert actions[1:3] == ["-m", "rasa_sdk"]
    with pytest.raises(SystemExit, match="usage"):
        module.main([])


def test_serve_refuses_what_the_launcher_refuses(
    serve: tuple[ModuleType, List[List[str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module, started = serve
    (tmp_path / "hechtwijzer-blank:nl+lookups.tar.gz").write_bytes(b"model")
    monkeypatch.setenv("HW_DB_URL", "sqlite:///x.db")
    with pytest.raises(SystemExit, match="PostgreSQL"):
        module.main(["rasa"])
    assert started == []
