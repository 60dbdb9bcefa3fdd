"""Tests for the pure crisis detector (bot/crisis.py) and its utterance lists."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bot import crisis

DATA = Path(__file__).resolve().parents[1] / "data"


def read_list(name: str) -> List[str]:
    """Read one of the utterance lists, skipping comments and blank lines."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


CRISIS = read_list("crisis_utterances.txt")
NEAR_MISSES = read_list("crisis_near_misses.txt")


def test_lists_are_big_enough_and_disjoint() -> None:
    """The issue asks for 50+ of each; a sentence cannot be on both lists."""
    assert len(CRISIS) >= 50
    assert len(NEAR_MISSES) >= 50
    assert not set(CRISIS) & set(NEAR_MISSES)


def test_recall_is_complete_on_crisis_list() -> None:
    """Every crisis utterance fires the detector (recall 100%)."""
    missed = [text for text in CRISIS if not crisis.is_crisis(text)]
    recall = 1 - len(missed) / len(CRISIS)
    print(
        f"\ncrisis detector recall: {recall:.1%} ({len(CRISIS) - len(missed)}/{len(CRISIS)})"
    )
    assert missed == []


def test_false_alarm_rate_on_near_misses() -> None:
    """Near-misses stay quiet; the rate is printed and must stay at or below 5%."""
    alarms = [text for text in NEAR_MISSES if crisis.is_crisis(text)]
    rate = len(alarms) / len(NEAR_MISSES)
    print(
        f"\ncrisis detector false alarms: {rate:.1%} ({len(alarms)}/{len(NEAR_MISSES)}): {alarms}"
    )
    assert rate <= 0.05


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik wil niet meer leven", "suicide"),
        ("ik kras in mijn armen", "self_harm"),
        ("mijn vriend slaat me", "violence"),
        ("ik sta op het spoor", "danger"),
    ],
)
def test_categories(text: str, category: str) -> None:
    """Each kind of crisis is labelled with its category."""
    assert category in crisis.detect(text).categories


def test_fold_removes_accents_case_and_stretched_letters() -> None:
    """Folding makes 'SUÏCIDAAAAL' and 'suicidaal' the same word."""
    assert crisis.fold("SUÏCIDAAAAL") == "suicidaal"
    assert crisis.fold("leeeeeven") == "leeven"


def test_tokenize_marks_sentence_boundaries() -> None:
    """Punctuation becomes one boundary token; the message always ends with one."""
    assert crisis.tokenize("Ik kan niet meer. Echt!!") == [
        "ik",
        "kan",
        "niet",
        "meer",
        "$",
        "echt",
        "$",
    ]
    assert crisis.tokenize("") == ["$"]


@pytest.mark.parametrize(
    "text",
    [
        "ik wil mezelf ombregen",
        "ik denk aan zelfmord",
        "ik ben suicdaal",
        "ik wil nie meer leeeeven",
    ],
)
def test_typos_still_fire(text: str) -> None:
    """One typo in a longer word, dropped letters or stretched letters still match."""
    assert crisis.is_crisis(text)


def test_short_words_need_exact_match() -> None:
    """'leven' (5 letters) allows no typo, so 'lezen' is not 'leven'."""
    assert not crisis.is_crisis("ik wil nooit meer lezen")
    assert crisis.is_crisis("ik wil nooit meer leven")


def test_lemma_table_matches_inflected_forms() -> None:
    """'sneed' is matched through its lemma 'snijden'."""
    assert crisis.is_crisis("gisteren sneed ik mezelf")


def test_extra_lemmas_from_pipeline_are_used() -> None:
    """Lemmas handed in by the NLU tokenizer extend the built-in table."""
    assert not crisis.is_crisis("ik wil mezelf fribbelen")
    assert crisis.is_crisis("ik wil mezelf fribbelen", {"fribbelen": "ombrengen"})


def test_boundary_anchor() -> None:
    """'ik kan niet meer' fires at a sentence end but not when a verb follows."""
    assert crisis.is_crisis("ik kan niet meer, echt")
    assert not crisis.is_crisis("ik kan niet meer fietsen")


def test_negative_span_suppresses_only_its_own_match() -> None:
    """'dood van het lachen' is dropped, but a real crisis later in the text survives."""
    quiet = crisis.detect("ik ga dood van het lachen")
    assert not quiet.is_crisis
    loud = crisis.detect(
        "ik ging dood van het lachen. maar eigenlijk wil ik niet meer leven"
    )
    assert loud.is_crisis
    assert loud.categories == ("suicide",)


def test_sentence_scope_negative() -> None:
    """'per ongeluk' silences its own sentence only."""
    assert not crisis.is_crisis("ik sneed mezelf per ongeluk")
    assert crisis.is_crisis("ik sneed mezelf per ongeluk. en nu wil ik mezelf snijden")


def test_gap_does_not_cross_sentences() -> None:
    """A gap never spans a sentence boundary."""
    assert not crisis.is_crisis("ik wil. niet meer leven met die regel in de code")
    assert crisis.is_crisis("ik wil echt niet meer leven")


def test_empty_and_whitespace() -> None:
    """Nothing to detect in nothing."""
    assert not crisis.is_crisis("")
    assert not crisis.is_crisis("   \n\t")


def test_long_text_with_crisis_at_the_end() -> None:
    """The guard runs the detector on messages too long for NLU (20,000+ chars)."""
    text = "bla " * 5000 + "ik wil er een eind aan maken"
    assert crisis.is_crisis(text)
    assert not crisis.is_crisis("bla " * 5000)


def test_compile_rejects_leading_gap() -> None:
    """A pattern cannot start with a gap."""
    with pytest.raises(ValueError):
        crisis.compile_pattern("~ dood")


def test_custom_pattern_set(tmp_path: Path) -> None:
    """load_patterns reads a patterns file of the documented format."""
    path = tmp_path / "p.yml"
    path.write_text(
        "lemmas: {blub: blob}\n"
        "positive:\n  - {category: test, pattern: 'blob ~ x|y $'}\n"
        "negative:\n  - {pattern: 'z'}\n",
        encoding="utf-8",
    )
    patterns = crisis.load_patterns(path)
    assert crisis.detect("een blub en y", patterns=patterns).categories == ("test",)
    assert not crisis.detect("een blub en y z", patterns=patterns).is_crisis
    assert not crisis.detect("blub y is het", patterns=patterns).is_crisis


def test_rule_layer_agrees_with_the_training_data() -> None:
    """Crisis examples fire the rules; no other intent's example does (or it would be hijacked)."""
    import yaml

    root = Path(__file__).resolve().parents[2]
    wrong = []
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in (block.get("examples") or "").splitlines():
                example = line.strip()[2:].strip()
                if example and crisis.is_crisis(example) != (
                    block["intent"] == "crisis"
                ):
                    wrong.append(f"{path.name} {block['intent']}: {example}")
    assert wrong == []


def test_idioms_are_recognised() -> None:
    """Negative patterns also tell the guard that a sentence is an everyday idiom."""
    assert crisis.detect("ik verveel me dood").only_idioms
    assert crisis.detect("ik ben doodop").only_idioms
    assert not crisis.detect("wat is hechting?").only_idioms
    assert not crisis.detect("ik wil niet meer leven").only_idioms
