"""The rated self-check, after Bartholomew & Horowitz (pure helpers).

Four neutral descriptions, each rated 1..7 one at a time, then a second
estimate is compared with the questions.

The ratings live in the ``self_check_ratings`` slot (style code -> 1..7) while
the check runs; fewer than four ratings means it is still going.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, Optional

from actions.results.content import format_words, style_adjective, texts, words
from actions.scoring import STYLES, SelfCheckEstimate

RATINGS_SLOT = "self_check_ratings"
ITEM_ENTITY = "check_item"
RATING_ENTITY = "check_rating"
RATING_MIN = 1
RATING_MAX = 7
_DIGIT = re.compile(r"(?<!\d)([1-7])(?!\d)")
_NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
}


def ratings_from_value(value: Any) -> Dict[str, int]:
    """The valid ratings in a slot value (style code -> 1..7)."""
    if not isinstance(value, Mapping):
        return {}
    found: Dict[str, int] = {}
    for style in STYLES:
        rating = as_rating(value.get(style))
        if rating is not None:
            found[style] = rating
    return found


def as_rating(value: Any) -> Optional[int]:
    """A rating 1..7 from a button value or number, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if RATING_MIN <= number <= RATING_MAX else None


def read_typed_rating(text: str) -> Optional[int]:
    """A rating from typed text: exactly one digit 1..7 or one number word."""
    digits = _DIGIT.findall(text)
    if len(digits) == 1:
        return int(digits[0])
    if digits:
        return None
    found = {
        value
        for word, value in _NUMBER_WORDS.items()
        if re.search(rf"\b{word}\b", text.lower())
    }
    return found.pop() if len(found) == 1 else None


def pending_item(ratings: Mapping[str, int]) -> Optional[str]:
    """The first description without a rating, None when all four are rated."""
    return next((style for style in STYLES if style not in ratings), None)


def rating_payload(item: str, rating: int) -> str:
    """``/rate_self_check{"check_item":"anxious","check_rating":"5"}``."""
    entities = json.dumps(
        {ITEM_ENTITY: item, RATING_ENTITY: str(rating)}, separators=(",", ":")
    )
    return f"/rate_self_check{entities}"


def prompt(item: str) -> tuple[str, List[Dict[str, str]]]:
    """The text and buttons (1..7 and Stop) for rating one description."""
    section = texts()["self_check"]
    text = format_words(
        section["prompt"],
        number=STYLES.index(item) + 1,
        description=str(section["descriptions"][item]).strip(),
    )
    buttons = [
        {"title": str(value), "payload": rating_payload(item, value)}
        for value in range(RATING_MIN, RATING_MAX + 1)
    ]
    buttons.append({"title": str(section["skip_title"]), "payload": "/skip_self_check"})
    return text, buttons


def outcome_text(estimate: SelfCheckEstimate, agreement: Optional[str]) -> str:
    """The second estimate and how it compares with the questions."""
    section = texts()["self_check"]
    if estimate.style in STYLES:
        parts = [
            format_words(
                section["estimate"]["style"], adjective=style_adjective(estimate.style)
            )
        ]
    else:
        parts = [words("self_check", "estimate", "none")]
    if agreement is None:
        parts.append(words("self_check", "no_result"))
    else:
        parts.append(words("self_check", "agreement", agreement))
        if agreement == "partly":
            parts.append(words("self_check", "partly_meaning"))
    return " ".join(parts)
