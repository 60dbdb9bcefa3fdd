"""The REST channel's Dutch texts are content (bot/content/rest.yml), not code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels import rest

KEYS = ("invalid_json", "not_an_object", "missing_sender")


@pytest.mark.parametrize("key", KEYS)
def test_each_400_text_comes_from_the_content_file(key: str) -> None:
    text = rest.request_error(key)
    assert text.strip() and text in (rest.CONTENT_DIR / "rest.yml").read_text("utf-8")
    # The code holds none of it: the text lives only in the content file.
    assert text not in Path(rest.__file__).read_text("utf-8")


def test_the_texts_name_the_fields_a_client_must_send() -> None:
    assert "JSON" in rest.request_error("invalid_json")
    assert "sender" in rest.request_error("missing_sender")
