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


def test_api_needs_a_token() -> None:
    env = cli.load_env({"PATH": "/usr/bin", "HW_ENABLE_API": "1", "HW_API_TOKEN": ""})
    with pytest.raises(SystemExit):
        cli.server_commands(env, Path("m.tar.gz"))
    env["HW_API_TOKEN"] = "s3cret"
    cmd = cli.server_commands(env, Path("m.tar.gz"))["rasa"]
    assert cmd[cmd.index("--auth-token") + 1] == "s3cret"


def test_cors_limited_to_configured_origins() -> None:
    env = cli.load_env(
        {"PATH": "/usr/bin", "HW_CORS_ORIGINS": "https://a.nl,https://b.nl"}
    )
    cmd = cli.server_commands(env, Path("m.tar.gz"))["rasa"]
    start = cmd.index("--cors") + 1
    assert cmd[start:] == ["https://a.nl", "https://b.nl"]


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
