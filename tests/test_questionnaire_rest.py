"""The questions through the real REST channel (running stack, trained model)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = [pytest.mark.stack, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PROGRESS = re.compile(r"^Vraag (\d+) van (\d+)$", re.MULTILINE)


def responses() -> dict[str, Any]:
    """The questionnaire's domain responses."""
    domain = yaml.safe_load((ROOT / "domain" / "questionnaire.yml").read_text())
    return dict(domain["responses"])


def first_text(name: str) -> str:
    """The first line of a response (without template variables)."""
    text = str(responses()[name][0]["text"])
    return text.split("{")[0].splitlines()[0]


def question_number(replies: list[dict[str, Any]]) -> int | None:
    """The number of the question asked in these replies, if any."""
    numbers = [
        int(m.group(1)) for r in replies for m in PROGRESS.finditer(r.get("text") or "")
    ]
    return numbers[-1] if numbers else None


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    """All button payloads in these replies."""
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def all_text(replies: list[dict[str, Any]]) -> str:
    """Every reply text joined."""
    return "\n".join(r.get("text") or "" for r in replies)


def press(
    stack: Any, sender: str, question_id: str, value: str
) -> list[dict[str, Any]]:
    """Press the answer button of a question (the payload the bot sent)."""
    body = json.dumps(
        {"question_id": question_id, "answer_value": value}, separators=(",", ":")
    )
    payload = f"/answer_question{body}"
    return stack.post(sender, payload)


def start(stack: Any) -> tuple[str, list[dict[str, Any]]]:
    """A new conversation that started the questions and got the context question."""
    sender = f"qn-{uuid.uuid4().hex[:8]}"
    stack.post(sender, "hoi")  # the greeting offers the start button
    replies = stack.post(sender, "/start_questionnaire")
    assert any('"question_id":"relationship_context"' in p for p in payloads(replies))
    return sender, replies


def test_full_path_by_buttons_reaches_the_result(stack: Any) -> None:
    """Context + 16 questions by button; numbered 1..16; then the form hands over."""
    sender, _ = start(stack)
    replies = press(stack, sender, "relationship_context", "partner")
    seen = []
    for number in range(1, 17):
        assert question_number(replies) == number
        assert f'"question_id":"q{number:02d}"' in " ".join(payloads(replies))
        seen.append(number)
        replies = press(stack, sender, f"q{number:02d}", "4" if number % 2 else "2")
    assert seen == list(range(1, 17))
    assert question_number(replies) is None
    assert replies, "the result should follow the last answer"
    # a button from the finished round changes nothing
    stray = press(stack, sender, "q05", "1")
    assert first_text("utter_stray_answer_finished") in all_text(stray)


def test_free_text_old_button_back_and_skip(stack: Any) -> None:
    """Typed answers are echoed, old buttons never answer, 'terug' and 'sla over' work."""
    sender, _ = start(stack)
    replies = stack.post(sender, "mijn moeder")
    assert "Een van mijn ouders" in all_text(replies)
    assert question_number(replies) == 1
    replies = stack.post(sender, "ja, heel vaak")
    assert "Bijna altijd" in all_text(replies)
    assert question_number(replies) == 2
    replies = press(stack, sender, "q02", "3")
    assert question_number(replies) == 3
    # the q02 button again, while q03 is asked: not stored, same question back
    replies = press(stack, sender, "q02", "5")
    assert first_text("utter_answer_old_button") in all_text(replies)
    assert question_number(replies) == 3
    # text that is no answer: friendly re-ask of the same question
    replies = stack.post(sender, "paars met groene stippen")
    assert question_number(replies) == 3
    # back to q02
    replies = stack.post(sender, "terug")
    assert question_number(replies) == 2
    replies = press(stack, sender, "q02", "1")
    assert question_number(replies) == 3
    replies = stack.post(sender, "sla over")
    assert question_number(replies) == 4


def test_why_faq_and_stop_continue_keep_the_place(stack: Any) -> None:
    """Why, an FAQ question and stop/continue all come back to the same question."""
    sender, _ = start(stack)
    press(stack, sender, "relationship_context", "work")
    press(stack, sender, "q01", "2")
    replies = stack.post(sender, "waarom vraag je dit?")
    assert question_number(replies) == 2
    replies = stack.post(sender, "welke hechtingsstijlen zijn er?")
    assert question_number(replies) == 2
    replies = stack.post(sender, "stop")
    assert question_number(replies) is None
    assert "/continue_questionnaire" in payloads(replies)
    replies = stack.post(sender, "verder met de vragen")
    assert question_number(replies) == 2
    replies = stack.post(sender, "opnieuw beginnen")
    assert any('"question_id":"relationship_context"' in p for p in payloads(replies))


def test_typed_answers_mid_questionnaire(stack: Any) -> None:
    """'weinig', 'nee, nooit', an answer with a reason and one that says 'terug' are stored."""
    sender, _ = start(stack)
    press(stack, sender, "relationship_context", "partner")
    for number in range(1, 8):
        replies = press(stack, sender, f"q{number:02d}", "3")
    assert question_number(replies) == 8
    for text, label in (
        ("weinig", "Zelden"),
        ("nee, nooit", "Nooit"),
        ("meestal wel, zeker als ik moe ben", "Vaak"),
        ("amper", "Zelden"),
        ("ik trek me dan vaak terug", "Vaak"),
    ):
        replies = stack.post(sender, text)
        assert f"Genoteerd: {label}." in all_text(replies), text
        assert question_number(replies) == 9, text
        replies = stack.post(sender, "terug")
        assert question_number(replies) == 8, text
    replies = stack.post(sender, "wat bedoel je met vaak?")
    assert "Genoteerd" not in all_text(replies)
    assert question_number(replies) == 8
    replies = stack.post(sender, "nee")
    assert first_text("utter_answer_declines") in all_text(replies)
    assert "Genoteerd" not in all_text(replies)
    assert question_number(replies) == 8
    replies = stack.post(sender, "zelden")
    assert "Genoteerd: Zelden." in all_text(replies)
    assert question_number(replies) == 9


def test_own_child_is_explained_and_work_gets_a_note(stack: Any) -> None:
    """'mijn kind': a kind explanation and the buttons again; work: one sentence on it."""
    sender, _ = start(stack)
    replies = stack.post(sender, "mijn kind")
    assert first_text("utter_context_own_child") in all_text(replies)
    assert any('"question_id":"relationship_context"' in p for p in payloads(replies))
    assert question_number(replies) is None
    replies = stack.post(sender, "mijn werk")
    assert "Genoteerd: Mijn werk." in all_text(replies)
    assert first_text("utter_context_work_note") in all_text(replies)
    assert question_number(replies) == 1
