"""Launcher behaviour that does not need running servers."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bot import serving, settings, startup_checks
from bot.launcher import __main__ as launcher
from bot.launcher import common, fast_lane
from bot.launcher import setup as launcher_setup
from bot.launcher import test as launcher_test
from bot.launcher import train as launcher_train

REPO = settings.ROOT
LONG_TOKEN = "k" * 32


# ------------------------------------------------------------- ./hw itself
@pytest.fixture
def bare_checkout(tmp_path: Path) -> Path:
    """``hw`` and ``bot/`` without any venv; building one would fail at once."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy2(REPO / "hw", checkout / "hw")
    (checkout / "bot").symlink_to(REPO / "bot")
    return checkout


def hw(checkout: Path, *args: str, python: str = "/nonexistent/python3.10"):
    """Run ``checkout/hw``; HW_PYTHON points nowhere, so no venv can be made."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(checkout),
        "HW_PYTHON": python,
    }
    started = time.monotonic()
    done = subprocess.run(
        [str(checkout / "hw"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return done, time.monotonic() - started


@pytest.mark.parametrize("ask", [["-h"], ["--help"], ["help"]])
def test_help_answers_at_once_without_a_venv(
    bare_checkout: Path, ask: List[str]
) -> None:
    done, seconds = hw(bare_checkout, *ask)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: ./hw")
    for command in ("run", "test", "train", "setup", "shell", "lint"):
        assert f"\n    {command} " in done.stdout
    assert "telegram-poll" in done.stdout and "cleanup" in done.stdout
    assert not (bare_checkout / ".venv").exists()
    assert seconds < 5  # measured well under 1 s; a venv build takes minutes


@pytest.mark.parametrize(
    "ask, expected",
    [
        (["train", "-h"], "--force"),
        (["help", "test"], "--fast"),
        (["cleanup", "--help"], "--days"),
        (["telegram-poll", "-h"], "--once"),
    ],
)
def test_each_command_has_its_own_help(
    bare_checkout: Path, ask: List[str], expected: str
) -> None:
    done, _ = hw(bare_checkout, *ask)
    assert done.returncode == 0
    assert done.stdout.startswith(
        f"usage: ./hw {ask[-1] if ask[0] == 'help' else ask[0]}"
    )
    assert expected in done.stdout


@pytest.mark.parametrize(
    "ask, usage",
    [
        (["bogus"], "usage: ./hw [-h] COMMAND"),
        (["--bogus"], "usage: ./hw [-h] COMMAND"),
        (["train", "--bogus"], "usage: ./hw train"),
        (["run", "extra"], "usage: ./hw run"),
        (["help", "bogus"], "usage: ./hw [-h] COMMAND"),
    ],
)
def test_unknown_commands_and_options_exit_2_with_usage(
    bare_checkout: Path, ask: List[str], usage: str
) -> None:
    done, _ = hw(bare_checkout, *ask)
    assert done.returncode == 2
    assert done.stderr.startswith(usage)
    assert not (bare_checkout / ".venv").exists()


def test_no_python_310_is_one_line(bare_checkout: Path) -> None:
    done, _ = hw(bare_checkout, "train", python="/bin/false")
    assert done.returncode == 1
    assert done.stderr == (
        "[hw] HW_PYTHON=/bin/false is not a working Python 3.10; point it at a "
        "python3.10 binary.\n"
    )
    assert not (bare_checkout / ".venv").exists()


def test_test_passes_unknown_arguments_to_pytest() -> None:
    parser = launcher.build_parser()
    args = launcher.parse(parser, ["test", "--fast", "tests/bot", "-k", "guard"])
    assert args.fast and args.passed == ["tests/bot", "-k", "guard"]
    assert launcher_test.pytest_command(True, args.passed)[-5:] == [
        "-p",
        "bot.launcher.fast_lane",
        "tests/bot",
        "-k",
        "guard",
    ]
    full = launcher.parse(parser, ["test"])
    assert not full.fast
    assert launcher_test.pytest_command(False, full.passed)[-3:] == [
        "-m",
        "pytest",
        "tests",
    ]
    assert launcher.parse(parser, []).command == "run"


@pytest.mark.parametrize(
    "command, module",
    [("cleanup", "bot/cleanup.py"), ("telegram-poll", "bot/telegram_poll.py")],
)
def test_forwarded_commands_know_their_module_options(
    command: str, module: str
) -> None:
    source = (REPO / module).read_text(encoding="utf-8")
    main_part = source[source.index("def main(") :]
    theirs = set(re.findall(r'add_argument\(\s*"(--[a-z-]+)"', main_part))
    parser = launcher.build_parser()
    ours = {
        option
        for action in launcher._choices(parser)[command]._actions
        for option in action.option_strings
    } - {"-h", "--help"}
    assert ours == theirs
    args = launcher.parse(
        parser,
        [command, "--once"] if command != "cleanup" else [command, "--days", "3"],
    )
    assert args.passed == (["--once"] if command != "cleanup" else ["--days", "3"])


# ------------------------------------------------------- expected failures
def test_a_failed_training_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setattr(launcher_setup, "ensure_spacy_model", lambda: "blank:nl")
    monkeypatch.setattr(serving, "model_path", lambda p: tmp_path / "m" / "x.tar.gz")

    def rasa_fails(cmd: List[str], **kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, cmd)

    monkeypatch.setattr(subprocess, "run", rasa_fails)
    assert launcher.main(["train", "-f"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("[hw] training failed (exit code 1)")
    assert "Traceback" not in err


def test_a_port_in_use_is_refused_before_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(settings, "ROOT", tmp_path)

    def setup_ran() -> str:
        raise AssertionError("setup ran before the ports were checked")

    monkeypatch.setattr(launcher_setup, "ensure_spacy_model", setup_ran)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("HW_PORT", str(port))
        monkeypatch.setenv("HW_HOST", "127.0.0.1")
        assert launcher.main(["run"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"[hw] port {port} (HW_PORT) is in use, perhaps by another ./hw run; stop "
        f"that or choose another port: HW_PORT={port + 1} ./hw run\n"
    )


def test_run_step_names_the_step_not_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(common.LauncherError, match=r"^npm ci failed: /no/npm was not"):
        common.run_step("npm ci", ["/no/npm", "ci"])


# ------------------------------------------------------------ the fast lane
def test_the_fast_lane_leaves_out_stack_browser_slow_and_training(
    tmp_path: Path,
) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef trained_model():\n    raise AssertionError('trained')\n\n"
        "@pytest.fixture\ndef stack(trained_model):\n    return trained_model\n"
    )
    (tmp_path / "test_lane.py").write_text(
        "import pytest\n\n"
        "def test_unit():\n    pass\n\n"
        "@pytest.mark.stack\ndef test_marked_stack():\n    pass\n\n"
        "@pytest.mark.browser\ndef test_marked_browser():\n    pass\n\n"
        "@pytest.mark.slow\ndef test_marked_slow():\n    pass\n\n"
        "def test_unmarked_with_a_stack(stack):\n    pass\n\n"
        "def test_unmarked_training(trained_model):\n    pass\n"
    )
    ini = "[pytest]\nmarkers =\n  stack: s\n  browser: b\n  slow: s\n"
    (tmp_path / "pytest.ini").write_text(ini)

    def outcome(*extra: str) -> str:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *extra,
                ".",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
            timeout=120,
        )
        return done.stdout.strip().splitlines()[-1]

    assert "1 passed, 5 deselected" in outcome("-p", fast_lane.__name__)
    assert "error" in outcome()  # without the plugin the fixtures would run


# --------------------------------------------------------------- settings
@pytest.mark.parametrize(
    "reader, name, default, floor",
    [
        (settings.action_timeout, "HW_ACTION_TIMEOUT", 20, 1),
        (settings.max_message_chars, "HW_MAX_MESSAGE_CHARS", 1500, 1),
        (settings.retention_days, "HW_RETENTION_DAYS", 30, 1),
        (settings.cleanup_batch, "HW_CLEANUP_BATCH", 200, 1),
        (settings.crisis_budget, "HW_CRISIS_BUDGET", 1.0, 0.05),
    ],
)
def test_settings_read_defaults_and_floors(
    reader, name: str, default: float, floor: float  # type: ignore[no-untyped-def]
) -> None:
    for unreadable in ({}, {name: ""}, {name: "nonsense"}):
        assert reader(unreadable) == default
    assert reader({name: "-5"}) == floor
    assert reader({name: " 42 "}) == 42


def test_health_window_has_no_floor() -> None:
    assert settings.health_failure_window({}) == 300.0
    assert settings.health_failure_window({"HW_HEALTH_FAILURE_WINDOW": "0"}) == 0.0


def test_servers_read_their_settings_from_the_one_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import cleanup, health
    from bot.channels import guard

    values = {
        "HW_MAX_MESSAGE_CHARS": "99",
        "HW_CRISIS_BUDGET": "0.5",
        "HW_RETENTION_DAYS": "9",
        "HW_CLEANUP_BATCH": "7",
        "HW_HEALTH_FAILURE_WINDOW": "12.5",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    assert guard.max_message_chars() == 99 and guard.screening_budget() == 0.5
    assert cleanup.retention_days() == 9 and cleanup.cleanup_batch() == 7
    assert health.failure_window() == 12.5


def test_launcher_defaults_match_the_typed_defaults() -> None:
    defaults: Dict[str, str] = settings.DEFAULTS
    assert defaults["HW_MAX_MESSAGE_CHARS"] == str(settings.DEFAULT_MAX_MESSAGE_CHARS)
    assert defaults["HW_RETENTION_DAYS"] == str(settings.DEFAULT_RETENTION_DAYS)
    typed = settings.Settings.from_env(settings.load_env({"PATH": "/usr/bin"}))
    assert (typed.host, typed.port, typed.action_port) == ("127.0.0.1", 5005, 5055)
    assert typed.profile == "embedded" and not typed.enable_api
    with pytest.raises(SystemExit, match=r"\[hw\] HW_PORT='http' is not a port"):
        settings.Settings.from_env({"HW_PORT": "http"})


def test_defaults_keep_api_off_and_use_sqlite() -> None:
    env = settings.load_env({"PATH": "/usr/bin"})
    cmd = serving.server_commands(env, Path("models/x.tar.gz"))["rasa"]
    assert "--enable-api" not in cmd
    assert env["HW_DB_URL"].startswith("sqlite:///")
    assert env["HW_HOST"] == "127.0.0.1"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


def test_api_needs_a_token() -> None:
    env = settings.load_env(
        {"PATH": "/usr/bin", "HW_ENABLE_API": "1", "HW_API_TOKEN": ""}
    )
    with pytest.raises(SystemExit):
        serving.server_commands(env, Path("m.tar.gz"))
    env["HW_API_TOKEN"] = LONG_TOKEN
    cmd = serving.server_commands(env, Path("m.tar.gz"))["rasa"]
    assert cmd[cmd.index("--auth-token") + 1] == LONG_TOKEN


@pytest.mark.parametrize("name", ["HW_API_TOKEN", "HW_REST_TOKEN", "HW_SESSION_SECRET"])
def test_short_tokens_and_secrets_are_refused(name: str) -> None:
    short = "s3cret-" + "x" * 24  # 31 characters
    env = settings.load_env({"PATH": "/usr/bin", "HW_ENABLE_API": "1", name: short})
    env.setdefault("HW_API_TOKEN", LONG_TOKEN)
    if name != "HW_API_TOKEN":
        env["HW_API_TOKEN"] = LONG_TOKEN
    with pytest.raises(SystemExit) as refused:
        serving.server_commands(env, Path("m.tar.gz"))
    message = str(refused.value)
    assert message.startswith(f"[hw] {name} has 31 characters") and "\n" not in message
    assert short not in message  # never echoed
    env[name] = short + "x"
    serving.server_commands(env, Path("m.tar.gz"))
    # an API token counts only when the API is on
    if name == "HW_API_TOKEN":
        env.update(HW_ENABLE_API="0", HW_API_TOKEN=short)
        assert (
            "--enable-api" not in serving.server_commands(env, Path("m.tar.gz"))["rasa"]
        )


def test_run_refuses_a_short_api_token_before_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setenv("HW_ENABLE_API", "1")
    monkeypatch.setenv("HW_API_TOKEN", "tooshort")

    def setup_ran() -> str:
        raise AssertionError("setup ran before the token was checked")

    monkeypatch.setattr(launcher_setup, "ensure_spacy_model", setup_ran)
    with pytest.raises(SystemExit) as refused:
        launcher.main(["run"])
    assert str(refused.value).startswith("[hw] HW_API_TOKEN has 8 characters")


def test_cors_limited_to_configured_origins() -> None:
    env = settings.load_env(
        {"PATH": "/usr/bin", "HW_CORS_ORIGINS": "https://a.nl,https://b.nl"}
    )
    cmd = serving.server_commands(env, Path("m.tar.gz"))["rasa"]
    start = cmd.index("--cors") + 1
    assert cmd[start:] == ["https://a.nl", "https://b.nl"]


@pytest.mark.parametrize("origins", [None, "", " , "])
def test_no_cors_origins_means_no_cors_at_all(origins: str | None) -> None:
    values = {"PATH": "/usr/bin"}
    if origins is not None:
        values["HW_CORS_ORIGINS"] = origins
    env = settings.load_env(values)
    assert env["HW_CORS_ORIGINS"].strip(" ,") == ""
    assert "--cors" not in serving.server_commands(env, Path("m.tar.gz"))["rasa"]


def test_the_request_cap_is_not_set_for_every_sanic_app() -> None:
    """No SANIC_REQUEST_MAX_SIZE: the Rasa server's channels set the cap themselves.

    The variable would cap the action server too, which gets the whole conversation
    with every call.
    """
    env = settings.load_env({"PATH": "/usr/bin"})
    assert env["HW_MAX_REQUEST_BYTES"] == "65536"
    assert not any(key.startswith("SANIC_REQUEST") for key in env)


def test_session_secret_is_generated_once_outside_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    env: dict = {}
    path = startup_checks.ensure_session_secret(env)
    assert path == tmp_path / ".hechtwijzer" / "session_secret"
    assert len(env["HW_SESSION_SECRET"]) >= 32
    assert path.stat().st_mode & 0o777 == 0o600
    again: dict = {}
    startup_checks.ensure_session_secret(again)
    assert again["HW_SESSION_SECRET"] == env["HW_SESSION_SECRET"]
    own = {"HW_SESSION_SECRET": "mine-" + "m" * 40}
    startup_checks.ensure_session_secret(own)
    assert own["HW_SESSION_SECRET"] == "mine-" + "m" * 40
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".hechtwijzer/session_secret"], cwd=REPO
    )
    assert ignored.returncode == 0


def test_fingerprint_follows_training_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("config.yml", "domain", "data"):
        src = REPO / name
        dst = tmp_path / name
        if src.is_file():
            dst.write_bytes(src.read_bytes())
        else:
            dst.mkdir()
            (dst / "a.yml").write_text("version: '3.1'\n")
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    first = serving.training_fingerprint("blank:nl+lookups")
    assert serving.training_fingerprint("blank:nl+lookups") == first
    assert serving.training_fingerprint("nl_core_news_sm-3.4.0") != first
    (tmp_path / "data" / "a.yml").write_text("version: '3.1'\nnlu: []\n")
    second = serving.training_fingerprint("blank:nl+lookups")
    assert second != first
    # the shared core's name finder and the knowledge content shape the readers
    (tmp_path / "hechtwijzer_core").mkdir()
    (tmp_path / "hechtwijzer_core" / "names.py").write_text("LIMIT = 5\n")
    third = serving.training_fingerprint("blank:nl+lookups")
    assert third != second
    (tmp_path / "actions" / "content").mkdir(parents=True)
    (tmp_path / "actions" / "content" / "knowledge.yml").write_text("terms: {}\n")
    assert serving.training_fingerprint("blank:nl+lookups") != third


def test_second_start_does_not_retrain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / serving.model_path("blank:nl+lookups").name
    monkeypatch.setattr(serving, "model_path", lambda pipeline: target)
    target.write_bytes(b"model")
    calls: list = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    assert launcher_train.train(pipeline="blank:nl+lookups") == target
    assert calls == []


def test_dotenv_is_read_but_process_env_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("HW_PORT=6000\n# comment\nHW_RETENTION_DAYS='7'\n")
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    env = settings.load_env({"HW_PORT": "7000"})
    assert env["HW_PORT"] == "7000"
    assert env["HW_RETENTION_DAYS"] == "7"


# ------------------------------------------------------------------ locks
def pins(name: str) -> Dict[str, str]:
    """``{package: version}`` of a compiled lock; every pin must carry hashes."""
    text = (REPO / name).read_text(encoding="utf-8")
    found: Dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if head:
            assert "--hash=sha256:" in block, f"{name}: {head.group(1)} has no hash"
            found[head.group(1).lower().replace("_", "-")] = head.group(2)
    return found


def test_locks_are_hashed_and_the_runtime_lock_has_no_test_tools() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {k: dev[k] for k in runtime} == runtime  # the same pins in both
    for name, version in {
        "rasa": "3.6.21",
        "python-socketio": "5.8.0",
        "python-engineio": "4.7.1",
        "pip": "24.0",
        "setuptools": "70.3.0",
    }.items():
        assert runtime[name] == version
    tools = {"pytest", "pytest-timeout", "hypothesis", "playwright", "types-pyyaml"}
    assert tools <= set(dev) and not tools & set(runtime)
    assert pins("requirements-lint.lock")["black"] == "24.8.0"
