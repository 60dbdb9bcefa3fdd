"""The measured blind lists as training data (testsupport/visitor_phrasings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.components import topic_choice as tc
from hechtwijzer_core import crisis_model
from testsupport import visitor_phrasings as vp


@pytest.fixture(scope="module")
def vocab() -> tc.Vocabulary:
    return vp.vocabulary()


def write_list(folder: Path, name: str, rows: list[tuple[str, str]]) -> None:
    (folder / name).write_text(
        "".join(f"{label}\t{text}\n" for label, text in rows), encoding="utf-8"
    )


def test_the_committed_file_is_what_the_lists_give() -> None:
    """Edit a list or the rules and forget to run the script: this fails."""
    text, count = vp.generated()
    assert vp.OUT.read_text(encoding="utf-8") == text
    assert count > 3000


def test_the_newest_blind_list_is_never_trained_on() -> None:
    """The list with the highest number measures the round: it stays out."""
    numbered = {
        int(m.group(1)): p.name
        for p in vp.LISTS.glob("heldout_*.tsv")
        if (m := re.fullmatch(r"heldout_(\d+)\.tsv", p.name))
    }
    newest = numbered[max(numbered)]
    assert newest not in vp.MEASURED
    trained = {vp.plain(text) for text in vp.trained_texts()}
    older = {
        vp.plain(text)
        for name in vp.MEASURED
        for _, text in vp.read_tsv(vp.LISTS / name)
    }
    only_newest = [
        text
        for _, text in vp.read_tsv(vp.LISTS / newest)
        if vp.plain(text) not in older
    ]
    assert only_newest
    assert not [text for text in only_newest if vp.plain(text) in trained]


@pytest.mark.parametrize(
    ("label", "text", "intent"),
    [
        ("faq/several_styles", "kan ik twee stijlen hebben", "faq/several_styles"),
        ("term/zelfbeeld", "wat bedoel je met zelfbeeld", tc.TERM_INTENT),
        ("style/avoidant", "wat is vermijdend gehecht", tc.STYLE_INTENT),
        # no name: the FAQ topic that answers the same question, else left out
        (
            "term/bindingsangst",
            "ik ren weg als het serieus wordt",
            "faq/fear_of_commitment",
        ),
        # a style described, not named: ask_style with the style in its metadata
        (
            "style/anxious",
            "ik app hem tien keer als hij niet reageert",
            vp.DESCRIBED + "anxious",
        ),
        ("style/anxious", "ik denk dat ik vermijdend ben", None),  # another style
        ("term/autonomie", "mag ik ook mijn eigen ding doen", None),
    ],
)
def test_each_label_becomes_the_intent_the_bot_reads_it_with(
    vocab: tc.Vocabulary, label: str, text: str, intent: str | None
) -> None:
    assert vp.intent_for(label, text, vocab) == intent


def test_repeats_conflicts_markup_and_known_examples_are_left_out(
    vocab: tc.Vocabulary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_list(
        tmp_path,
        "a.tsv",
        [
            ("faq/bowlby", "wie was bowlby"),
            ("faq/bowlby", "Wie  was Bowlby"),  # the same message again
            ("faq/sources", "waar komt dit vandaan"),
            ("faq/how_styles_arise", "waar komt dit vandaan"),  # two answers
            ("faq/triggers", "wat is een [trigger](term)"),  # Rasa markup
            ("faq/children", "wat is hechting"),  # already trained on
            ("crisis", "ik wil dood"),  # no knowledge answer
        ],
    )
    monkeypatch.setattr(vp, "LISTS", tmp_path)
    found = vp.collect(["a.tsv"], {"wat is hechting"}, vocab)
    assert dict(found) == {"faq/bowlby": ["wie was bowlby"]}


def test_the_learned_crisis_model_does_not_learn_from_them() -> None:
    """As 'none' examples they raised its false alarms on crisis near-misses."""
    crisis_texts = {text for _, text in crisis_model.read_nlu_examples()}
    visitors = vp.trained_texts()
    assert len(visitors) > 3000
    assert not set(visitors) & crisis_texts


def test_described_styles_are_written_with_their_style() -> None:
    """Rasa reads them as ask_style examples carrying the style code."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(vp.OUT))
    described = [
        m
        for m in data.training_examples
        if m.get("intent") == tc.STYLE_INTENT
        and (m.get("metadata") or {}).get("example")
    ]
    assert len(described) >= 20
    codes = {m.get("metadata")["example"][tc.DESCRIBED_STYLE_KEY] for m in described}
    assert codes <= {"secure", "avoidant", "anxious", "disorganised"}
    assert {"avoidant", "anxious", "disorganised"} <= codes
    assert len(vp.trained_texts()) == vp.generated()[1]


def test_a_quoted_passage_is_left_out_of_the_training_data() -> None:
    """A visitor quoting the article word for word does not bring its words in."""
    assert vp.quotes_a_passage("'de bril waardoor je naar de wereld kijkt', wat is dat")
    assert not vp.quotes_a_passage("wat betekent 'bril' eigenlijk")
    assert not vp.quotes_a_passage(
        "bij m'n pa ben ik dismissive en bij m'n lief anxious"
    )
    trained = vp.trained_texts()
    assert trained and not any(vp.quotes_a_passage(text) for text in trained)
