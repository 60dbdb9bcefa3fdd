"""The result through the real REST channel (running stack, trained model).

Answers every question by button as a prototype anxious person, then checks
that the result arrives with style, continuum position and picture, and that
the follow-up buttons (self-check, summary, another relationship) work.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from actions.results import question_items, texts

pytestmark = [pytest.mark.stack, pytest.mark.slow]

Replies = list[dict[str, Any]]


def payloads(replies: Replies) -> list[str]:
    """All button payloads in these replies."""
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def all_text(replies: Replies) -> str:
    """Every reply text joined."""
    return "\n".join(r.get("text") or "" for r in replies)


def answer_for(question_id: str, self_high: bool, other_high: bool) -> str:
    """The prototype answer (1..5) for one question."""
    item = next(i for i in question_items() if i["id"] == question_id)
    if item["dimension"] == "continuum":
        return "4" if item["keyed"] == "+" else "2"
    high = self_high if item["dimension"] == "self" else other_high
    return "5" if high == (item["keyed"] == "+") else "1"


def answer_all(
    stack: Any,
    sender: str,
    replies: Replies,
    context: str,
    self_high: bool,
    other_high: bool,
) -> Replies:
    """Press the bot's own answer buttons until no question is asked any more."""
    for _ in range(40):
        asked = [p for p in payloads(replies) if p.startswith("/answer_question")]
        if not asked:
            return replies
        question_id = json.loads("{" + asked[0].split("{", 1)[1])["question_id"]
        value = (
            context
            if question_id == "relationship_context"
            else answer_for(question_id, self_high, other_high)
        )
        body = {"question_id": question_id, "answer_value": value}
        payload = "/answer_question" + json.dumps(body, separators=(",", ":"))
        assert payload in asked, (payload, asked)
        replies = stack.post(sender, payload)
    raise AssertionError("the questions never ended")


def test_result_arrives_with_style_continuum_picture_and_follow_ups(stack: Any) -> None:
    sender = f"res-{uuid.uuid4().hex[:8]}"
    stack.post(sender, "hoi")  # the greeting offers the start button
    replies = stack.post(sender, "/start_questionnaire")
    replies = answer_all(stack, sender, replies, "partner", True, False)

    text = all_text(replies)
    result = texts()["result"]
    assert result["style"]["anxious"].strip() in text
    assert result["continuum_intro"] in text
    assert result["disclaimer"].strip() in text
    images = [r["image"] for r in replies if r.get("image")]
    assert len(images) == 1
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG") and len(png) < 60_000
    assert '/self_check{"self_check_style":"anxious"}' in payloads(replies)

    # the self-check by button: a different pick gets a kind reflection
    replies = stack.post(sender, '/self_check{"self_check_style":"secure"}')
    assert "allebei kan waar zijn" in all_text(replies)
    assert "/request_summary" in payloads(replies)

    # the summary by button, and "waarom kom ik hier uit?" in words
    replies = stack.post(sender, "/request_summary")
    assert texts()["summary"]["heading"] in all_text(replies)
    assert "partner: angstig-vastklampende stijl" in all_text(replies)
    replies = stack.post(sender, "waarom kom ik hier uit?")
    assert texts()["explain"]["self_heading"] in all_text(replies)

    # another relationship: the questions again, then a comparison in words and picture
    replies = stack.post(sender, "/another_relationship")
    assert texts()["another"]["start"].strip() in all_text(replies)
    replies = answer_all(stack, sender, replies, "work", False, True)
    text = all_text(replies)
    assert result["style"]["avoidant"].strip() in text
    assert texts()["compare"]["heading"] in text
    assert (
        "• partner: angstig-vastklampend" in text
        and "• werk: angstig-vermijdend" in text
    )
    assert len([r for r in replies if r.get("image")]) == 1
