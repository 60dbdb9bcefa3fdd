"""``./hw run`` (both servers, supervised), ``telegram-poll`` and ``cleanup``."""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import subprocess
import time
from typing import Dict, List

from bot import serving, settings, startup_checks
from bot.launcher.common import VENV_BIN, LauncherError, root, say


def check_port_free(host: str, port: int, name: str) -> None:
    """Refuse a port another process listens on, before minutes of setup."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return  # not ours to judge (an IPv6 host, say): the server will tell
            raise LauncherError(
                f"port {port} ({name}) is in use, perhaps by another ./hw run; stop "
                f"that or choose another port: {name}={port + 1} ./hw run"
            ) from None


def check_ports(env: Dict[str, str]) -> None:
    """Both servers' ports must be free."""
    config = settings.Settings.from_env(env)
    check_port_free(config.host, config.port, "HW_PORT")
    check_port_free("127.0.0.1", config.action_port, "HW_ACTION_PORT")


def run(_args: object = None) -> int:
    """Set up, train if needed, and serve until Ctrl-C."""
    from bot.launcher.setup import ensure_spacy_model
    from bot.launcher.train import train
    from bot.launcher.widget import ensure_widget

    first = settings.load_env()
    startup_checks.check_profile(first, warn=False)  # refuse before minutes of setup
    check_ports(first)
    pipeline = ensure_spacy_model()
    ensure_widget()
    model = train(pipeline=pipeline)
    env = settings.load_env()
    startup_checks.ensure_session_secret(env)
    commands = serving.server_commands(env, model)
    return supervise(commands, env)


def supervise(commands: Dict[str, List[str]], env: Dict[str, str]) -> int:
    """Start the action server, then Rasa; stop both when one stops or on Ctrl-C."""
    procs: List[subprocess.Popen] = []
    stopping = {"now": False}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        actions = subprocess.Popen(commands["actions"], cwd=root(), env=env)
        procs.append(actions)
        rasa = subprocess.Popen(commands["rasa"], cwd=root(), env=env)
        procs.append(rasa)
        base = f"http://localhost:{env['HW_PORT']}"
        if serving.wait_for(f"{base}/webhooks/rest/", 300, rasa):
            say(f"Hechtwijzer is running. Chat in your browser: {base}/chat/")
            say(
                f"REST: curl -s -XPOST {base}/webhooks/rest/webhook "
                "-H 'Content-Type: application/json' "
                '-d \'{"sender":"x","message":"hoi"}\'   (Ctrl-C stops)'
            )
        while not stopping["now"] and all(p.poll() is None for p in procs):
            time.sleep(0.3)
        if not stopping["now"]:
            say(
                "a server stopped unexpectedly (its messages are above); "
                "stopping the other one"
            )
            return 1
        say("stopping…")
        return 0
    finally:
        serving.stop(procs)


def module_command(module: str):  # type: ignore[no-untyped-def]
    """A handler that runs ``python -m module`` with the launcher's environment."""

    def handler(args: argparse.Namespace) -> int:
        cmd = [str(VENV_BIN / "python"), "-m", module, *args.passed]
        return subprocess.run(cmd, cwd=root(), env=settings.load_env()).returncode

    return handler


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``run``, ``telegram-poll`` and ``cleanup``."""
    parser = commands.add_parser(
        "run",
        help="set up, train if needed, start the action server and Rasa",
        description="Set up, train when needed, then start the action server and the "
        "Rasa server with every channel; Ctrl-C stops both. Settings come from the "
        "environment and .env (README, Configuration).",
    )
    parser.set_defaults(handler=run)

    poll = commands.add_parser(
        "telegram-poll",
        help="Telegram in polling mode (no public URL needed)",
        description="Poll Telegram for updates and forward them to the running "
        "server (python -m bot.telegram_poll); needs TELEGRAM_TOKEN.",
    )
    poll.add_argument("--rasa-url", help="base URL of the running server")
    poll.add_argument("--offset-file", help="where the next update offset is kept")
    poll.add_argument(
        "--once", action="store_true", help="handle queued updates, then stop"
    )
    poll.set_defaults(handler=module_command("bot.telegram_poll"), forwards=True)

    cleanup = commands.add_parser(
        "cleanup",
        help="delete conversations older than HW_RETENTION_DAYS, once",
        description="Delete conversations whose newest message is older than "
        "HW_RETENTION_DAYS days, once (python -m bot.cleanup). Every Rasa server "
        "also does this by itself, daily (bot/retention.py).",
    )
    cleanup.add_argument("--days", type=int, help="retention in days")
    cleanup.add_argument("--batch", type=int, help="conversations per batch")
    cleanup.add_argument("--endpoints", help="endpoints file (default endpoints.yml)")
    cleanup.add_argument("--db-url", help="SQLAlchemy URL (overrides)")
    cleanup.set_defaults(handler=module_command("bot.cleanup"), forwards=True)
