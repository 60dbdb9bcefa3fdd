"""Fuzz the real REST channel with a generated corpus of 1,000+ odd inputs.

Every reply must be HTTP 200 with a non-empty Dutch reply, and the server must be
alive at the end. The corpus is generated from a fixed seed, so failures repeat.
"""

from __future__ import annotations

import json
import random
import re
import string
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Tuple

import pytest

pytestmark = pytest.mark.stack

SEED = 20240607
DUTCH = re.compile(
    r"\b(je|ik|de|het|een|en|niet|wat|dat|mij|jou|hoi|graag|kun|kan)\b", re.I
)

EMOJI = ["😀", "😢", "❤️", "👍🏽", "🤷‍♀️", "🇳🇱", "🔥", "💔", "🙈", "🥲", "👨‍👩‍👧‍👦", "✨"]
HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>vet</b>",
    "</div><iframe src='//evil'>",
    "javascript:alert(document.cookie)",
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "{{7*7}}",
    "${jndi:ldap://x}",
    "<svg/onload=alert(1)>",
    "[klik](javascript:alert(1))",
    "**vet** _schuin_ `code`",
]
OTHER_LANGUAGES = [
    "What is attachment theory?",
    "Wie geht es dir?",
    "¿Qué es el apego?",
    "Qu'est-ce que l'attachement ?",
    "Что такое привязанность?",
    "愛着スタイルとは何ですか",
    "什么是依恋",
    "مرحبا كيف حالك",
    "שלום מה שלומך",
    "Merhaba, nasılsın?",
    "Cześć, jak się masz?",
    "Γεια σου",
    "안녕하세요",
    "नमस्ते",
]
ODD_CHARS = [
    "\u202e",
    "\u202d",
    "\u200b",
    "\u200f",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\ud7ff",
    "\U0010ffff",
]
INTENTS = [
    "restart",
    "session_start",
    "greet",
    "crisis",
    "answer_question",
    "show_result",
    "delete_data",
    "confirm_delete_data",
    "start_questionnaire",
    "faq",
    "nlu_fallback",
    "back",
    "out_of_scope",
    "anything",
    "",
    "💥",
]
SLOTS = [
    "result_style",
    "q01",
    "requested_slot",
    "questionnaire_paused",
    "crisis_detected",
    "session_started_metadata",
]
WORDS = "ik je hechting relatie bang boos stress wat hoe waarom partner vriend werk mama papa niet wel graag vraag".split()


def slash_payload(rng: random.Random) -> str:
    """A typed '/intent{...}' payload, well-formed or broken."""
    intent = rng.choice(INTENTS)
    body = {rng.choice(SLOTS): rng.choice(["secure", "5", None, True, 3, "x" * 50])}
    shapes = [
        f"/{intent}",
        f"/{intent}{json.dumps(body)}",
        f"/{intent}{{broken",
        f"/{intent}@0.99{json.dumps(body)}",
        f"//{intent}",
        f"/ {intent}",
        f'/answer_question{{"question_id":"q{rng.randint(0, 99):02d}","answer_value":"{rng.randint(-5, 9)}"}}',
    ]
    return rng.choice(shapes)


def random_unicode(rng: random.Random, length: int) -> str:
    """Random printable and unprintable code points (no surrogates)."""
    chars = []
    for _ in range(length):
        point = rng.choice(
            [
                rng.randint(0x20, 0x7E),
                rng.randint(0xA0, 0x2FFF),
                rng.randint(0x1F300, 0x1FAFF),
                rng.randint(0, 0x1F),
            ]
        )
        chars.append(chr(point))
    return "".join(chars)


def build_corpus() -> List[Any]:
    """The fixed corpus: about 1,100 odd messages (and a few non-string values)."""
    rng = random.Random(SEED)
    corpus: List[Any] = ["", " ", "   ", "\n", "\t\t", "\u00a0", "\u3000", " \n \t "]
    corpus += [None, 0, 42, 3.14, True, [], ["hoi"], {"text": "hoi"}]
    corpus += ["x" * n for n in (1499, 1500, 1501, 5000, 20000)]
    corpus += ["😀" * 2000, "ik " * 7000, "<script>" * 2500]
    for _ in range(120):
        corpus.append("".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 12))))
    for _ in range(120):
        corpus.append(
            rng.choice(HTML)
            + rng.choice(["", " hoi", " wat is hechting?", rng.choice(HTML)])
        )
    for _ in range(120):
        corpus.append(
            rng.choice(OTHER_LANGUAGES) + rng.choice(["", "?", " " + rng.choice(EMOJI)])
        )
    for _ in range(120):
        odd = "".join(rng.choice(ODD_CHARS) for _ in range(rng.randint(1, 6)))
        corpus.append(
            rng.choice([odd, odd + "hoi", "hoi" + odd, odd * 3 + rng.choice(WORDS)])
        )
    for _ in range(220):
        corpus.append(slash_payload(rng))
    for _ in range(200):
        corpus.append(random_unicode(rng, rng.randint(1, 80)))
    for _ in range(100):
        corpus.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 25))))
    for _ in range(40):
        corpus.append(
            "".join(rng.choice(string.punctuation) for _ in range(rng.randint(1, 30)))
        )
    return corpus


CORPUS = build_corpus()


def test_corpus_is_big_and_varied() -> None:
    """1,000+ inputs, including the kinds of bad input users send."""
    texts = [c for c in CORPUS if isinstance(c, str)]
    assert len(CORPUS) >= 1000
    assert "" in texts and any(len(t) >= 20000 for t in texts)
    assert any("<script>" in t for t in texts) and any("\u202e" in t for t in texts)
    assert any(t.startswith("/") for t in texts) and any(c is None for c in CORPUS)


def test_fuzz_rest_channel(stack: Any) -> None:
    """Every odd input gets HTTP 200 and a non-empty Dutch reply; server alive after."""

    def send(item: Tuple[int, Any]) -> Tuple[int, Any, int, str]:
        index, message = item
        status, body = stack.post_raw(
            {"sender": f"fuzz-{index % 40}", "message": message}, timeout=180
        )
        return index, message, status, body

    failures = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for index, message, status, body in pool.map(send, enumerate(CORPUS)):
            if status != 200:
                failures.append((index, repr(message)[:60], status, body[:200]))
                continue
            replies = json.loads(body)
            text = " ".join(r.get("text", "") for r in replies if isinstance(r, dict))
            if not text.strip() or not DUTCH.search(text):
                failures.append((index, repr(message)[:60], status, body[:200]))
    print(f"\nfuzz: {len(CORPUS)} inputs through REST, {len(failures)} failures")
    assert failures == []
    with urllib.request.urlopen(f"{stack.base_url}/webhooks/rest/", timeout=30) as resp:
        assert resp.status == 200
    assert DUTCH.search(" ".join(stack.texts("fuzz-after", "hoi")))
