"""The result as a conversation in Telegram: the real bot against the fake Bot API.

The same flow as in the widget: a short headline, the picture (``sendPhoto``),
the follow-ups as an inline keyboard, one bubble per follow-up, and the rated
self-check with its 1..7 keys in one row.
"""

from __future__ import annotations

import html
import re
from typing import Any, Dict, List

import pytest

from actions.results.content import specs, words
from tests.bot.test_telegram import (
    StackChat,
    all_keys,
    has_button,
    keyboard_of,
    start_questions,
    starts_with,
)
from testsupport.fake_telegram import ApiCall, FakeTelegram, text_update

pytestmark = [pytest.mark.stack, pytest.mark.slow]


@pytest.fixture()
def fake(fake_telegram: FakeTelegram) -> FakeTelegram:
    """The run's fake Bot API server, emptied for one test."""
    fake_telegram.reset()
    return fake_telegram


def anxious_answers() -> Dict[str, int]:
    """Answers at the anxious extreme (self high, other low), continuum in the middle."""
    answers: Dict[str, int] = {}
    for spec in specs():
        if spec.dimension == "continuum":
            answers[spec.id] = 4 if spec.keyed == "+" else 2
        elif spec.dimension in ("self", "other"):
            high = spec.dimension == "self"
            answers[spec.id] = 5 if high == (spec.keyed == "+") else 1
    return answers


def answer_everything(chat: StackChat, answers: Dict[str, int]) -> None:
    """Press the answer key of every numbered question, in order."""
    start_questions(chat)
    ids = [spec.id for spec in specs() if spec.dimension != "context"]
    for number, question_id in enumerate(ids, start=1):
        asked = chat.wait_for_message(starts_with(f"Vraag {number} van"))
        keys = all_keys(asked)
        chat.press(keys[answers[question_id] - 1]["callback_data"])


def plain(text: str) -> str:
    """Text as the person reads it: without markdown stars or HTML tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", text.replace("**", "")))


def read(call: ApiCall) -> str:
    """The readable text of a sent message."""
    return plain(str(call.params.get("text", "")))


def texts_after(chat: StackChat, count: int) -> List[ApiCall]:
    """The messages sent to this chat after the first ``count``."""
    return chat.messages()[count:]


@pytest.mark.stack
def test_telegram_result_follow_ups_and_rated_self_check(
    stack: Any, fake: FakeTelegram
) -> None:
    chat = StackChat(stack, fake)
    answer_everything(chat, anxious_answers())

    offer = chat.wait_for_message(has_button("/ask_result_stress"))
    assert read(offer) == plain(words("headline", "offer"))
    headline = [m for m in chat.messages() if "angstig-vastklampende" in read(m)]
    assert headline and read(headline[-1]).startswith("Met je partner")
    assert fake.calls_to("sendPhoto", chat.chat_id)
    assert all(len(row) == 1 for row in keyboard_of(offer))  # long titles: one per row

    # a follow-up: one bubble with the remaining keys
    before = len(chat.messages())
    chat.press("/ask_result_stress")
    answer = chat.wait_for_message(has_button("/ask_result_love"))
    assert plain(words("topics", "stress", "anxious")) in read(answer)
    assert not has_button("/ask_result_stress")(answer)
    assert len(texts_after(chat, before)) == 1

    # typed works too
    before = len(chat.messages())
    assert chat.post(text_update(chat.uid(), chat.chat_id, "en in de liefde?")) == 200
    chat.fake.wait_for(lambda _: len(chat.messages()) > before, timeout=90)
    assert plain(words("topics", "love", "anxious")) in read(chat.messages()[-1])

    # the rated self-check: 1..7 and Stop in one row, a typed digit counts
    chat.press("/request_self_check")
    intro = plain(words("self_check", "intro"))
    first = chat.wait_for_message(lambda m: read(m).startswith(intro))
    rows = keyboard_of(first)
    assert len(rows) == 1 and [k["text"] for k in rows[0]][:7] == list("1234567")
    chat.press(rows[0][1]["callback_data"])  # secure: 2
    chat.wait_for_message(lambda m: "Beschrijving 2 van 4" in m.params["text"])
    assert chat.post(text_update(chat.uid(), chat.chat_id, "1")) == 200  # avoidant: 1
    third = chat.wait_for_message(lambda m: "Beschrijving 3 van 4" in m.params["text"])
    chat.press(all_keys(third)[6]["callback_data"])  # anxious: 7
    fourth = chat.wait_for_message(lambda m: "Beschrijving 4 van 4" in m.params["text"])
    photos = len(fake.calls_to("sendPhoto", chat.chat_id))
    chat.press(all_keys(fourth)[2]["callback_data"])  # disorganised: 3
    agreement = plain(words("self_check", "agreement", "agree"))
    chat.wait_for_message(lambda m: agreement in read(m))
    assert len(fake.calls_to("sendPhoto", chat.chat_id)) == photos + 1
