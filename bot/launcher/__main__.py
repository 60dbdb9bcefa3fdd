"""``./hw`` commands: parse, then hand over to the command's module.

``HW_PREFLIGHT=1`` only checks the arguments (any Python 3, no venv): help is
printed and exit status 100 says "answered"; a mistake gives usage and status 2;
status 0 means the command may run (then ``./hw`` prepares the venv and calls this
again without ``HW_PREFLIGHT``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Dict, List, Optional

from bot import settings
from bot.launcher import lint, run, setup, shell, test, train
from bot.launcher.common import LauncherError, say

ANSWERED = 100
EPILOG = """\
Without a command, ./hw runs the bot (./hw run). ./hw COMMAND -h explains a command.
Settings come from the environment and .env; README.md lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The launcher's argument parser (standard library only)."""
    parser = argparse.ArgumentParser(
        prog="./hw",
        description="Hechtwijzer launcher: finds Python 3.10, keeps .venv in step "
        "with the locked requirements, then sets up, trains, serves and tests.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (setup, train, run, test, shell, lint):
        module.register(commands)
    helper = commands.add_parser("help", help="this help, or a command's: help COMMAND")
    helper.add_argument("topic", nargs="?", metavar="COMMAND")
    for sub in commands.choices.values():
        sub.allow_abbrev = False
    return parser


def parse(parser: argparse.ArgumentParser, argv: List[str]) -> argparse.Namespace:
    """Parse ``argv``; only ``test`` passes unknown arguments on (to pytest)."""
    args, extras = parser.parse_known_args(argv)
    command = args.command or "run"
    if extras and not getattr(args, "forwards_unknown", False):
        complaint = _choices(parser).get(args.command or "", parser)
        complaint.error(f"unrecognized arguments: {' '.join(extras)}")
    if command == "help":
        if args.topic and args.topic not in _choices(parser):
            parser.error(f"unknown command {args.topic!r}")
        target = [args.topic, "-h"] if args.topic else ["-h"]
        parser.parse_args(target)  # prints the help and exits 0
    if getattr(args, "forwards_unknown", False):
        args.passed = extras
    elif getattr(args, "forwards", False):
        args.passed = argv[argv.index(command) + 1 :]
    else:
        args.passed = []
    args.command = command
    return args


def _choices(parser: argparse.ArgumentParser) -> Dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: Optional[List[str]] = None) -> int:
    """Run one launcher command; expected failures end in one ``[hw]`` line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    preflight = os.environ.get("HW_PREFLIGHT") == "1"
    try:
        args = parse(parser, argv)
    except SystemExit as done:
        if preflight and done.code in (0, None):
            return ANSWERED
        raise
    if preflight:
        return 0
    os.chdir(settings.ROOT)
    handler = getattr(args, "handler", None) or run.run
    try:
        return int(handler(args) or 0)
    except LauncherError as error:
        say(str(error))
        return 1
    except subprocess.CalledProcessError as error:
        say(f"{error.cmd[0]} failed (exit code {error.returncode}); see above.")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
