"""Lazy, cached access to the Dutch content files in ``actions/content/``.

Read through the shared loader (``hechtwijzer_core.content``), which caches every
file and raises :class:`ContentError` for a missing or empty one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hechtwijzer_core.content import ContentError, load

__all__ = ["CONTENT_DIR", "ContentError", "load_content"]

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def load_content(name: str) -> Any:
    """Return the parsed YAML of ``actions/content/<name>.yml`` (read once)."""
    return load(name, CONTENT_DIR)
