"""Launcher behaviour that does not need running servers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot import cli


def test_defaults_keep_api_off_and_use_sqlite() -> None:
    env = cli.load_env({"PATH": "/usr/bin"})
    cmd = cli.server_commands(env, Path("models/x.tar.gz"))["rasa"]
    assert "--enable-api" not in cmd
    assert env["HW_DB_URL"].startswith("sqlite:///")
    assert env["HW_HOST"] == "127.0.0.1"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


LONG_TOKEN = "k" * 32


def test_api_needs_a_token() -> None:
    env = cli.load_env({"PATH": "/usr/bin", "HW_ENABLE_API": "1", "HW_API_TOKEN": ""})
    with pytest.raises(SystemExit):
        cli.server_commands(env, Path("m.tar.gz"))
    env["HW_API_TOKEN"] = LONG_TOKEN
    cmd = cli.server_commands(env, Path("m.tar.gz"))["rasa"]
    assert cmd[cmd.index("--auth-token") + 1] == LONG_TOKEN


@pytest.mark.parametrize("name", ["HW_API_TOKEN", "HW_REST_TOKEN", "HW_SESSION_SECRET"])
def test_short_tokens_and_secrets_are_refused(name: str) -> None:
    short = "s3cret-" + "x" * 24  # 31 characters
    env = cli.load_env({"PATH": "/usr/bin", "HW_ENABLE_API": "1", name: short})
    env.setdefault("HW_API_TOKEN", LONG_TOKEN)
    if name != "HW_API_TOKEN":
        env["HW_API_TOKEN"] = LONG_TOKEN
    with pytest.raises(SystemExit) as refused:
        cli.server_commands(env, Path("m.tar.gz"))
    message = str(refused.value)
    assert message.startswith(f"[hw] {name} has 31 characters") and "\n" not in message
    assert short not in message  # never echoed
    env[name] = short + "x"
    cli.server_commands(env, Path("m.tar.gz"))
    # an API token counts only when the API is on
    if name == "HW_API_TOKEN":
        env.update(HW_ENABLE_API="0", HW_API_TOKEN=short)
        assert "--enable-api" not in cli.server_commands(env, Path("m.tar.gz"))["rasa"]


def test_run_refuses_a_short_api_token_before_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setenv("HW_ENABLE_API", "1")
    monkeypatch.setenv("HW_API_TOKEN", "tooshort")

    def setup_ran() -> str:
        raise AssertionError("setup ran before the token was checked")

    monkeypatch.setattr(cli, "ensure_spacy_model", setup_ran)
    with pytest.raises(SystemExit) as refused:
        cli.main(["run"])
    assert str(refused.value).startswith("[hw] HW_API_TOKEN has 8 characters")


def test_cors_limited_to_configured_origins() -> None:
    env = cli.load_env(
        {"PATH": "/usr/bin", "HW_CORS_ORIGINS": "https://a.nl,https://b.nl"}
    )
    cmd = cli.server_commands(env, Path("m.tar.gz"))["rasa"]
    start = cmd.index("--cors") + 1
    assert cmd[start:] == ["https://a.nl", "https://b.nl"]


@pytest.mark.parametrize("origins", [None, "", " , "])
def test_no_cors_origins_means_no_cors_at_all(origins: str | None) -> None:
    values = {"PATH": "/usr/bin"}
    if origins is not None:
        values["HW_CORS_ORIGINS"] = origins
    env = cli.load_env(values)
    assert env["HW_CORS_ORIGINS"].strip(" ,") == ""
    assert "--cors" not in cli.server_commands(env, Path("m.tar.gz"))["rasa"]


def test_the_request_cap_is_not_set_for_every_sanic_app() -> None:
    """No SANIC_REQUEST_MAX_SIZE: the Rasa server's channels set the cap themselves.

    The variable would cap the action server too, which gets the whole conversation
    with every call.
    """
    env = cli.load_env({"PATH": "/usr/bin"})
    assert env["HW_MAX_REQUEST_BYTES"] == "65536"
    assert not any(key.startswith("SANIC_REQUEST") for key in env)


def test_session_secret_is_generated_once_outside_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_root = cli.ROOT
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    env: dict = {}
    path = cli.ensure_session_secret(env)
    assert path == tmp_path / ".hechtwijzer" / "session_secret"
    assert len(env["HW_SESSION_SECRET"]) >= 32
    assert path.stat().st_mode & 0o777 == 0o600
    again: dict = {}
    cli.ensure_session_secret(again)
    assert again["HW_SESSION_SECRET"] == env["HW_SESSION_SECRET"]
    own = {"HW_SESSION_SECRET": "mine-" + "m" * 40}
    cli.ensure_session_secret(own)
    assert own["HW_SESSION_SECRET"] == "mine-" + "m" * 40
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".hechtwijzer/session_secret"], cwd=real_root
    )
    assert ignored.returncode == 0


def test_fingerprint_follows_training_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("config.yml", "domain", "data"):
        src = cli.ROOT / name
        dst = tmp_path / name
        if src.is_file():
            dst.write_bytes(src.read_bytes())
        else:
            dst.mkdir()
            (dst / "a.yml").write_text("version: '3.1'\n")
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    first = cli.training_fingerprint("blank:nl+lookups")
    assert cli.training_fingerprint("blank:nl+lookups") == first
    assert cli.training_fingerprint("nl_core_news_sm-3.4.0") != first
    (tmp_path / "data" / "a.yml").write_text("version: '3.1'\nnlu: []\n")
    assert cli.training_fingerprint("blank:nl+lookups") != first


def test_second_start_does_not_retrain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "MODELS", tmp_path)
    target = cli.model_path("blank:nl+lookups")
    monkeypatch.setattr(cli, "model_path", lambda pipeline: tmp_path / target.name)
    (tmp_path / target.name).write_bytes(b"model")
    calls: list = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    assert cli.train(pipeline="blank:nl+lookups") == tmp_path / target.name
    assert calls == []


def test_dotenv_is_read_but_process_env_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("HW_PORT=6000\n# comment\nHW_RETENTION_DAYS='7'\n")
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    env = cli.load_env({"HW_PORT": "7000"})
    assert env["HW_PORT"] == "7000"
    assert env["HW_RETENTION_DAYS"] == "7"
