"""The result as a conversation, through the real REST channel (running stack).

Answers every question by button, then checks the short headline with its
follow-up buttons, each follow-up, the no_pattern and mixed outcomes (with
"Vraag N nog eens" reopening that one question), and the rated self-check.
The expected outcome of an answer set comes from ``actions.scoring.score``,
so these tests follow the scoring rather than repeat its thresholds.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Dict, List, Optional

import pytest

from actions.results.content import (
    context_intro,
    format_words,
    short_question,
    specs,
    texts,
    words,
)
from actions.scoring import score

pytestmark = [pytest.mark.stack, pytest.mark.slow]

Replies = List[Dict[str, Any]]


def payloads(replies: Replies) -> List[str]:
    """All button payloads in these replies."""
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def all_text(replies: Replies) -> str:
    """Every reply text joined."""
    return "\n".join(r.get("text") or "" for r in replies)


def prototype(self_high: bool, other_high: bool, depth: int = 4) -> Dict[str, int]:
    """Answers at the extremes of both axes; continuum answers at ``depth``."""
    answers: Dict[str, int] = {}
    for spec in specs():
        if spec.dimension == "continuum":
            answers[spec.id] = depth if spec.keyed == "+" else 6 - depth
        elif spec.dimension in ("self", "other"):
            high = self_high if spec.dimension == "self" else other_high
            answers[spec.id] = 5 if high == (spec.keyed == "+") else 1
    return answers


def near_the_middle() -> Dict[str, int]:
    """Answers close to the middle of both axes: nothing stands out."""
    answers = {spec.id: 3 for spec in specs() if spec.dimension != "context"}
    answers.update(q01=4, q03=2, q02=2, q04=4)
    return answers


def contradicting() -> Dict[str, int]:
    """A clear pattern except two pairs that point different ways."""
    answers = prototype(True, False)
    answers.update(q03=5, q09=5)
    return answers


def press_answers(
    stack: Any, sender: str, replies: Replies, context: str, answers: Dict[str, int]
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
            else str(answers[question_id])
        )
        body = {"question_id": question_id, "answer_value": value}
        payload = "/answer_question" + json.dumps(body, separators=(",", ":"))
        assert payload in asked, (payload, asked)
        replies = stack.post(sender, payload)
    raise AssertionError("the questions never ended")


def result_for(
    stack: Any, answers: Dict[str, int], context: str = "partner"
) -> tuple[str, Replies]:
    """A fresh conversation that answers everything; (sender, result replies)."""
    sender = f"res-{uuid.uuid4().hex[:8]}"
    stack.post(sender, "hoi")
    replies = stack.post(sender, "/start_questionnaire")
    return sender, press_answers(stack, sender, replies, context, answers)


def expected(answers: Dict[str, int]) -> Any:
    """What the scoring says about these answers."""
    return score(dict(answers), specs())


def title_payload(replies: Replies, title: str) -> Optional[str]:
    """The payload of the button with this title."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            if button["title"] == title:
                return str(button["payload"])
    return None


# --------------------------------------------------------------------------- style


def test_style_headline_then_each_follow_up_in_one_bubble(stack: Any) -> None:
    answers = prototype(True, False)
    profile = expected(answers)
    assert profile.outcome == "style" and profile.style == "anxious"
    sender, replies = result_for(stack, answers)

    # a short headline, the picture, and the follow-up buttons
    assert len(replies) == 3, replies
    assert replies[0]["text"].startswith(context_intro("partner"))
    assert words("headline", "gist", "anxious") in replies[0]["text"]
    png = base64.b64decode(replies[1]["image"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    offered = payloads(replies)
    for payload in (
        "/ask_result_stress",
        "/ask_result_love",
        "/ask_result_work",
        "/explain_result",
        "/ask_result_growth",
        "/another_relationship",
        "/request_self_check",
        "/request_summary",
    ):
        assert payload in offered, offered
    assert ("/ask_result_depth" in offered) == (profile.continuum is not None)

    # each follow-up: one bubble that ends with the remaining buttons
    for payload, expected_text in (
        ("/ask_result_stress", words("topics", "stress", "anxious")),
        ("/ask_result_love", words("topics", "love", "anxious")),
        ("/ask_result_work", words("topics", "work", "anxious")),
        ("/ask_result_growth", words("topics", "growth", "anxious")),
        ("/explain_result", texts()["explain"]["self_heading"]),
    ):
        answer = stack.post(sender, payload)
        assert len(answer) == 1, answer
        assert expected_text in answer[0]["text"]
        assert payload not in payloads(answer)
        assert "/request_summary" in payloads(answer)
    if profile.continuum is not None:
        answer = stack.post(sender, "/ask_result_depth")
        assert answer[0]["text"].startswith(words("depth", "intro"))
        assert words("depth", profile.continuum) in answer[0]["text"]

    # typed requests reach the same follow-ups
    answer = stack.post(sender, "wat betekent dit bij stress?")
    assert words("topics", "stress", "anxious") in all_text(answer)
    answer = stack.post(sender, "waarom kom ik hier uit?")
    assert texts()["explain"]["self_heading"] in all_text(answer)

    summary = stack.post(sender, "/request_summary")
    assert summary[0]["text"].startswith(texts()["summary"]["heading"])
    assert "- partner: angstig-vastklampende stijl" in summary[0]["text"]
    assert "Bartholomew & Horowitz (1991)" in summary[0]["text"]


# --------------------------------------------------------------------------- no_pattern


def test_no_pattern_result(stack: Any) -> None:
    answers = near_the_middle()
    assert expected(answers).outcome == "no_pattern"
    _, replies = result_for(stack, answers)
    headline = replies[0]["text"]
    assert headline.startswith(
        format_words(texts()["headline"]["no_pattern"], intro=context_intro("partner"))
    )
    assert words("headline", "no_pattern_axes", "both_middle") in headline
    assert "bril" not in all_text(replies)
    for name in texts()["style_adjectives"].values():
        assert name not in all_text(replies)
    assert replies[1].get("image")
    assert "/ask_result_stress" not in payloads(replies)
    assert "/explain_result" in payloads(replies)


# --------------------------------------------------------------------------- mixed


def test_mixed_result_and_revisiting_a_question(stack: Any) -> None:
    answers = contradicting()
    profile = expected(answers)
    assert profile.outcome == "mixed" and profile.response_check is not None
    sender, replies = result_for(stack, answers)
    assert len(replies) == 1 and not replies[0].get("image")
    text = replies[0]["text"]
    for first, second in profile.response_check.pairs:
        assert short_question(first) in text and short_question(second) in text
    for name in texts()["style_adjectives"].values():
        assert name not in text

    # the axes without a label
    payload = title_payload(replies, words("follow_ups", "titles", "dimensions"))
    assert payload == "/show_dimensions"
    shown = stack.post(sender, payload)
    assert shown[0].get("image") and shown[1]["text"].startswith(
        words("dimensions", "intro")
    )

    # "Vraag 3 nog eens" asks only question 3; the result comes again
    payload = title_payload(replies, "Vraag 3 nog eens")
    assert payload == '/revisit_question{"question_id":"q03"}'
    again = stack.post(sender, payload)
    assert all_text(again).startswith(str(texts()["revisit"]["start"]).format(number=3))
    assert any(
        p.startswith('/answer_question{"question_id":"q03"') for p in payloads(again)
    )
    fixed = {**answers, "q03": 1}
    after = stack.post(
        sender, '/answer_question{"question_id":"q03","answer_value":"1"}'
    )
    new_profile = expected(fixed)
    assert not any(p.startswith("/answer_question") for p in payloads(after))
    if new_profile.outcome == "style":
        assert words("headline", "gist", str(new_profile.style)) in all_text(after)
    else:
        assert all_text(after).startswith(context_intro("partner"))


def test_the_same_answer_everywhere_offers_a_fresh_start(stack: Any) -> None:
    answers = {spec.id: 4 for spec in specs() if spec.dimension != "context"}
    profile = expected(answers)
    assert profile.outcome == "mixed" and profile.response_check is not None
    assert profile.response_check.kind == "straight_line"
    sender, replies = result_for(stack, answers, context="work")
    text = replies[0]["text"]
    assert text.startswith(f"{context_intro('work')} gaf je")
    assert text.count("•") == 2 and "die vragen" not in text
    assert not any(p.startswith("/revisit_question") for p in payloads(replies))
    payload = title_payload(replies, words("follow_ups", "titles", "restart"))
    assert payload == "/restart_questionnaire"
    again = stack.post(sender, payload)
    asked = [p for p in payloads(again) if p.startswith("/answer_question")]
    assert asked and '"question_id":"relationship_context"' in asked[0], again


# --------------------------------------------------------------------------- self-check


def test_rated_self_check_and_its_agreement(stack: Any) -> None:
    answers = prototype(True, False)
    sender, _ = result_for(stack, answers)
    first = stack.post(sender, "/request_self_check")
    assert first[0]["text"].startswith(words("self_check", "intro"))
    assert '/rate_self_check{"check_item":"secure","check_rating":"2"}' in payloads(
        first
    )
    # one at a time: a button, a typed digit, a button, a button
    second = stack.post(
        sender, '/rate_self_check{"check_item":"secure","check_rating":"2"}'
    )
    assert "Beschrijving 2 van 4" in second[0]["text"]
    third = stack.post(sender, "1")
    assert "Beschrijving 3 van 4" in third[0]["text"], third
    stack.post(sender, '/rate_self_check{"check_item":"anxious","check_rating":"7"}')
    done = stack.post(
        sender, '/rate_self_check{"check_item":"disorganised","check_rating":"3"}'
    )
    assert done[0].get("image")
    assert words("self_check", "agreement", "agree") in all_text(done)
    summary = stack.post(sender, "/request_summary")
    assert words("summary", "self_check", "agree") in all_text(summary)


def test_self_check_can_be_skipped_midway(stack: Any) -> None:
    sender, _ = result_for(stack, prototype(False, True))
    stack.post(sender, "/request_self_check")
    skipped = stack.post(sender, "/skip_self_check")
    assert skipped[0]["text"].startswith(words("self_check", "skipped"))
    assert "/request_summary" in payloads(skipped)
