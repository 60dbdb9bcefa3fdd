"""The web chat widget bundle: npm packages and build, only when sources changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bot.launcher.common import root, run_step, say
from bot.serving import tree_hash


def widget_dir() -> Path:
    """Where the widget's sources live."""
    return root() / "bot" / "widget"


def node_major(node: str) -> int:
    """Major version of the Node.js at ``node`` (0 when it cannot say)."""
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    head = out.strip().lstrip("v").split(".")[0]
    return int(head) if head.isdigit() else 0


def ensure_widget() -> bool:
    """Install the widget's npm packages and build its bundle when sources changed."""
    widget = widget_dir()
    if not (widget / "package.json").is_file():
        return False
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        say(
            "Node.js 18+ is needed for the web chat widget (https://nodejs.org); skipping it."
        )
        return False
    if node_major(node) < 18:
        say("Node.js 18+ is needed for the web chat widget; skipping it.")
        return False
    lock_hash = tree_hash([widget / "package.json", widget / "package-lock.json"])
    deps_stamp = widget / "node_modules" / ".hw-installed"
    if not deps_stamp.is_file() or deps_stamp.read_text() != lock_hash:
        say("installing the widget's npm packages (npm ci)")
        run_step("npm ci", [npm, "ci", "--no-audit", "--no-fund"], cwd=widget)
        deps_stamp.write_text(lock_hash)
    sources = [
        p
        for p in widget.rglob("*")
        if "node_modules" not in p.parts and "dist" not in p.parts
    ]
    build_hash = tree_hash(sources)
    build_stamp = widget / "dist" / ".hw-built"
    if not build_stamp.is_file() or build_stamp.read_text() != build_hash:
        say("building the widget bundle (npm run build)")
        run_step("the widget build", [npm, "run", "build"], cwd=widget)
        build_stamp.parent.mkdir(exist_ok=True)
        build_stamp.write_text(build_hash)
    return True
