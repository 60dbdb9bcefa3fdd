"""One loader for the YAML content files of every content root.

Each part keeps its Dutch content in a folder of its own (``actions/content``,
``bot/content`` and ``hechtwijzer_core/content``); this module reads a file of any
of them once, on first use, and fails the same way for all of them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(RuntimeError):
    """A content file is missing or malformed."""


@cache
def load_file(path: Path) -> Any:
    """The parsed YAML of ``path`` (read once; callers must not change it)."""
    if not path.is_file():
        raise ContentError(f"content file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if data is None:
        raise ContentError(f"content file is empty: {path}")
    return data


def load(name: str, root: Path = CONTENT_DIR) -> Any:
    """The parsed ``<root>/<name>.yml`` (read once)."""
    return load_file(root / f"{name}.yml")


def load_mapping(name: str, root: Path = CONTENT_DIR) -> dict[str, Any]:
    """Like :func:`load`, for a file that must hold a mapping."""
    data = load(name, root)
    if not isinstance(data, dict):
        raise ContentError(f"content file must hold a mapping: {root / name}.yml")
    return data
