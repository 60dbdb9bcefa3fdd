"""Finding names of concepts with typos and in compounds (hechtwijzer_core/names.py)."""

from __future__ import annotations

import pytest

from hechtwijzer_core.names import (
    NameTable,
    background_names,
    foreground,
    name_reading,
    typo_limit,
    within,
)

TABLE = NameTable.build(
    [
        ("sleutelervaring", "key_experience"),
        ("nabijheid", "closeness"),
        ("symptoom", "symptom"),
        ("continuüm", "continuum"),
        ("verworven veilig", "earned_secure"),
        ("verworven", "earned"),
        ("angstig", "anxious"),
        ("angstig vermijdend", "fearful"),
        ("vermijdend", "avoidant"),
        ("bril", "glasses"),
        ("schaal", "continuum"),
        ("vermijder", "avoidant"),
        ("complex trauma", "complex_trauma"),
        ("beeld van de ander", "other"),
        ("de bril", "glasses"),
    ],
    heads=["hechtings"],
    tails=["niveau"],
    plain=["vermijden", "verwijder"],
)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("wat is een sleutelervaring", ["key_experience"]),
        ("sleutlervaring?? nooit van gehoord", ["key_experience"]),
        ("nabijhied wat is dat", ["closeness"]),
        ("wat is het symptoomniveau?", ["symptom"]),
        ("het hechtingscontinuum", ["continuum"]),
        ("iemand had het over een hechtingsbril", ["glasses"]),
        ("verworfen veilig, wat is dat", ["earned_secure"]),
        ("angstig-vermijdend of angstig?", ["fearful", "anxious"]),
        ("ben ik vermijdent", ["avoidant"]),
        ("wat is angstig-vermijdnd?", ["fearful"]),
        ("ben ik niet-vermijdend?", []),
        ("een on-angstig kind", []),
        ("complex truama", ["complex_trauma"]),
        ("wat is het beelt van de ander?", ["other"]),
        ("beeld van de andre", ["other"]),
    ],
)
def test_names_are_found_with_a_typo_or_glued_to_a_head_or_tail(
    text: str, keys: list[str]
) -> None:
    """Exact names first, then names with a slip, in text order, each key once."""
    assert TABLE.find(text) == keys


@pytest.mark.parametrize(
    "text",
    [
        "ik wil ruzie vermijden",  # a plain word one slip from a name
        "mijn brul is kwijt",  # short names only exactly
        "symptomen van griep",  # two slips in an eight-letter name
        "verwijder mijn gegevens",  # a plain word one slip from "vermijder"
        "ik schaam me",  # one slip from "schaal", but too short to read loosely
        "nabijheid"[1:],  # the first letter must be right
        "complx truama",  # a slip in every word of a name: nothing vouches
        "beelt van de andre",  # two words with a slip
        "complex drama",  # the first letter must be right here too
        "een compleet trauma",  # the vouching word must be exact
        "ik ben de brul kwijt",  # too short for a slip, even beside "de"
    ],
)
def test_ordinary_words_near_a_name_are_not_read_as_it(text: str) -> None:
    """Plain words, short names and unvouched slips stay unread.

    Unvouched: two slips in a short name, or slips in more than one word of a
    longer name.
    """
    assert TABLE.find(text) == []


def test_typo_limits_and_swaps() -> None:
    """One slip from seven letters, two from eleven; a swap of neighbours is one."""
    assert typo_limit("bril") == 0
    assert typo_limit("trigger") == 1
    assert typo_limit("sleutelervaring") == 2
    assert within("nabijhied", "nabijheid", 1)
    assert not within("abijheid", "nabijheid", 1)
    assert within("sleutlervarng", "sleutelervaring", 2)


def test_reading_rules_come_from_a_content_block() -> None:
    """heads, tails and plain words are read from the content's ``names`` block."""
    reading = name_reading({"names": {"heads": ["x"], "plain": ["y"]}})
    assert reading == {"heads": ("x",), "tails": (), "plain": ("y",)}
    assert name_reading({}) == {"heads": (), "tails": (), "plain": ()}


def test_a_background_name_counts_only_alone() -> None:
    """A background key gives way to any other key named; alone it stays."""
    background = background_names({"names": {"background": ["hechting"]}})
    assert background == frozenset({"hechting"})
    assert foreground(["hechting", "symptoom"], background) == ["symptoom"]
    assert foreground(["hechting"], background) == ["hechting"]
    assert foreground([], background) == []
    assert background_names({}) == frozenset()
