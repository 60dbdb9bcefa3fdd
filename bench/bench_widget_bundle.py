"""Print the size of the widget bundle (raw and gzip) and where the bytes come from.

Run after `npm run build` in bot/widget:  .venv/bin/python bench/bench_widget_bundle.py
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "bot" / "widget"
BUNDLE = WIDGET / "dist" / "hechtwijzer-widget.js"
MAP = WIDGET / "dist" / "hechtwijzer-widget.js.map"


def kib(size: int) -> str:
    """Human-readable KiB."""
    return f"{size / 1024:.1f} KiB"


def main() -> int:
    """Print the figures."""
    if not BUNDLE.is_file():
        print("bundle not built: cd bot/widget && npm ci && npm run build")
        return 1
    raw = BUNDLE.read_bytes()
    print(
        f"bundle            {kib(len(raw))} raw, {kib(len(gzip.compress(raw, 9)))} gzip -9"
    )
    if MAP.is_file():
        sourcemap = json.loads(MAP.read_text())
        per_package: dict[str, int] = {}
        for source, content in zip(
            sourcemap["sources"], sourcemap.get("sourcesContent") or [], strict=False
        ):
            parts = source.split("node_modules/")
            name = parts[-1].split("/")[0] if len(parts) > 1 else "(widget src)"
            if name.startswith("@") and len(parts) > 1:
                name = "/".join(parts[-1].split("/")[:2])
            per_package[name] = per_package.get(name, 0) + len(content or "")
        print("unminified source by package:")
        for name, size in sorted(per_package.items(), key=lambda item: -item[1]):
            print(f"  {name:28s} {kib(size)}")
    node = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=False
    )
    print(f"node {node.stdout.strip() or 'missing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
