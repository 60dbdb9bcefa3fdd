"""The shared folding step."""

from __future__ import annotations

import pytest

from hechtwijzer_core.text import fold, squeeze_repeats, unaccented


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Één Café", "een cafe"),
        ("Heeeeel VAAAAK", "heel vaak"),
        ("zoo", "zoo"),
        ("naïef!!!", "naief!!!"),
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_steps_apart() -> None:
    assert unaccented("Ç'ÈST") == "c'est"
    assert squeeze_repeats("jaaaa nee") == "jaa nee"
    assert squeeze_repeats("JAAAA") == "JAAAA"  # only after lower-casing
