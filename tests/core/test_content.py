"""The one content loader: read once, the same errors for every content root."""

from __future__ import annotations

from pathlib import Path

import pytest

from hechtwijzer_core import content


def test_reads_a_file_once(tmp_path: Path) -> None:
    (tmp_path / "notes.yml").write_text("a: 1\n", encoding="utf-8")
    first = content.load("notes", tmp_path)
    (tmp_path / "notes.yml").write_text("a: 2\n", encoding="utf-8")
    assert content.load("notes", tmp_path) is first
    assert first == {"a": 1}


def test_missing_and_empty_files_are_content_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.yml").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(content.ContentError, match="not found"):
        content.load("absent", tmp_path)
    with pytest.raises(content.ContentError, match="empty"):
        content.load("empty", tmp_path)


def test_a_mapping_is_required_where_asked(tmp_path: Path) -> None:
    (tmp_path / "items.yml").write_text("- a\n- b\n", encoding="utf-8")
    assert content.load("items", tmp_path) == ["a", "b"]
    with pytest.raises(content.ContentError, match="mapping"):
        content.load_mapping("items", tmp_path)


def test_the_shared_content_lives_beside_the_package() -> None:
    assert content.load_mapping("crisis_patterns")["categories"]
