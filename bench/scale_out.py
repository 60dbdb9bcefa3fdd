"""Scale-out for real: nginx in front of two Rasa servers and two action servers.

Run from the project root::

    .venv/bin/python bench/scale_out.py [--conversations N] [--model PATH]

Starts PostgreSQL, Redis and nginx from Debian's packages (installed first when
missing and run as root), two action servers and two Rasa servers in the production
profile, then N people at once through nginx, each a full round of the questions;
the servers, the script of each person and the checks (lost, duplicated or out of
order, in the replies and in PostgreSQL; both servers serving) are described in
``testsupport/scale_out.py``, which ``tests/test_scale_out_lb.py`` runs too.

Prints conversations, messages, replies, lost, duplicated, out of order, messages
per server, latency percentiles through nginx, wall time and messages/s; exits 1
when anything is lost, duplicated or out of order, or a Rasa server served
nothing.

``--unsafe-lock-store`` runs the same with a lock per server instead of the shared
Redis one (what Rasa does with ``in_memory``): the simultaneous messages then race
on two servers and PostgreSQL loses events, which the report shows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.launcher.test import APT_PACKAGES  # noqa: E402
from bot.launcher.train import train  # noqa: E402
from testsupport.scale_out import UNSAFE_LOCKS, run_scenario  # noqa: E402


def ensure_servers() -> None:
    """Install Debian's PostgreSQL, Redis and nginx when missing (as root)."""
    missing = [
        name
        for name in ("postgresql", "redis-server", "nginx-light")
        if not Path(APT_PACKAGES[name]).exists()
    ]
    if not missing or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    print(f"installing {', '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main(argv: Optional[List[str]] = None) -> int:
    """Parse arguments, run, print the report; 1 when anything went wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", "-n", type=int, default=20)
    parser.add_argument("--model", type=Path, help="default: the current model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep logs in this folder")
    parser.add_argument(
        "--unsafe-lock-store",
        action="store_true",
        help="each server locks only its own turns: shows what the checks catch",
    )
    args = parser.parse_args(argv)
    ensure_servers()
    model = args.model or train()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    report = run_scenario(
        model,
        args.conversations,
        args.keep,
        UNSAFE_LOCKS if args.unsafe_lock_store else None,
        seed=args.seed,
    )
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
