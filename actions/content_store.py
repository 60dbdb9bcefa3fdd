"""Lazy, cached access to the Dutch content files in ``actions/content/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(RuntimeError):
    """A content file is missing or malformed."""


@cache
def load_content(name: str) -> Any:
    """Return the parsed YAML of ``actions/content/<name>.yml`` (read once)."""
    path = CONTENT_DIR / f"{name}.yml"
    if not path.is_file():
        raise ContentError(f"content file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if data is None:
        raise ContentError(f"content file is empty: {path}")
    return data
