"""End-to-end through the real REST channel of a running server."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.stack

DUTCH = re.compile(r"\b(je|ik|de|het|een|en|niet|wat|dat|mij|jou|hoi|graag)\b", re.I)


def test_greeting_is_dutch_and_introduces_the_bot(stack) -> None:  # type: ignore[no-untyped-def]
    replies = stack.post("rest-greet", "hoi")
    text = " ".join(r.get("text", "") for r in replies)
    assert "Hechtwijzer" in text
    assert "geen diagnose" in text
    assert DUTCH.search(text)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 20_000,
        "😀😀😀",
        "🙂",
        "<script>alert(1)</script>",
        "مرحبا كيف حالك",
        "\u202e\u202d",
    ],
    ids=["empty", "spaces", "20k", "emoji", "one-emoji", "script", "arabic", "bidi"],
)
def test_bad_input_gets_a_dutch_reply(stack, message: str) -> None:  # type: ignore[no-untyped-def]
    replies = stack.post(f"rest-bad-{len(message)}", message)
    texts = [r.get("text", "") for r in replies if r.get("text")]
    assert texts, replies
    assert DUTCH.search(" ".join(texts))


def test_invalid_json_is_a_clear_400_and_server_keeps_running(stack) -> None:  # type: ignore[no-untyped-def]
    status, body = stack.post_raw("{not json")
    assert status == 400
    assert "JSON" in body
    status, body = stack.post_raw({"message": "hoi"})
    assert status == 400
    assert "sender" in body
    assert stack.texts("rest-alive", "hallo")


def test_typed_restart_does_not_restart(stack) -> None:  # type: ignore[no-untyped-def]
    stack.post("rest-forge", "hoi")
    replies = stack.post("rest-forge", "/restart")
    assert replies and all(r.get("text") for r in replies)
