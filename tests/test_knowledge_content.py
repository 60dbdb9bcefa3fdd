"""Knowledge content: every concept answered, every text fits a chat bubble.

Also checks that the NLU data, the responses, the content file and the held-out
set fit together (no topic without an answer, no synonym the actions cannot
read, no held-out example that is also trained on).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from actions import knowledge as kn

ROOT = Path(__file__).resolve().parent.parent
#: The chat-bubble limit for one message, in characters.
MAX_MESSAGE_CHARS = 480
MIN_FAQ_EXAMPLES = 12
MIN_HELDOUT_EXAMPLES = 5
MY_NLU_FILES = ["faq.yml", "knowledge.yml", "chitchat.yml", "out_of_scope.yml"]

#: Every concept of the article and where its answer lives:
#: ("faq", topic) -> utter_faq/<topic>; ("style", code); ("term", key).
CONCEPTS: Dict[str, Tuple[str, str]] = {
    "what attachment is": ("faq", "what_is_attachment"),
    "why attachment exists (evolution, seeking closeness)": ("faq", "why_attachment"),
    "Bowlby": ("faq", "bowlby"),
    "how styles arise (early care, self-image, image of the other)": (
        "faq",
        "how_styles_arise",
    ),
    "hyperactivating and deactivating strategies": ("faq", "strategies"),
    "hyperactiverend": ("term", "hyperactiverend"),
    "deactiverend": ("term", "deactiverend"),
    "the four styles": ("faq", "four_styles"),
    "secure style": ("style", "secure"),
    "avoidant style": ("style", "avoidant"),
    "anxious style": ("style", "anxious"),
    "disorganised style": ("style", "disorganised"),
    "the two dimensions": ("faq", "two_dimensions"),
    "the continuum": ("faq", "continuum"),
    "the three levels of the continuum": ("faq", "continuum_levels"),
    "symptoom": ("term", "symptoom"),
    "karaktertrekken": ("term", "karaktertrekken"),
    "persoonlijkheidsstructuur": ("term", "persoonlijkheidsstructuur"),
    "key experiences": ("faq", "key_experiences"),
    "complex / developmental trauma": ("faq", "complex_trauma"),
    "internal working models": ("faq", "working_models"),
    "the glasses metaphor": ("faq", "glasses"),
    "triggers": ("faq", "triggers"),
    "child then, adult now (the manager example)": ("faq", "adult_now"),
    "romantic relationships": ("faq", "relationships"),
    "bindingsangst": ("faq", "fear_of_commitment"),
    "verlatingsangst": ("faq", "fear_of_abandonment"),
    "several styles at once": ("faq", "several_styles"),
    "earned secure attachment": ("faq", "earned_secure"),
    "passing it on to your children": ("faq", "children"),
    "sources (Bowlby, Mikulincer & Shaver 2017, Wallin 2017)": ("faq", "sources"),
    "FAQ: how do I know my style": ("faq", "how_to_know_style"),
    "what Hechtwijzer is not": ("faq", "about_hechtwijzer"),
    "is insecure attachment bad": ("faq", "is_insecure_bad"),
    "can a relationship change your style": ("faq", "change_through_relationship"),
    "is it my parents' fault": ("faq", "parents_blame"),
    "the situation matters": ("faq", "situation_matters"),
    "ijkpunt / referentiepunt": ("term", "ijkpunt"),
    "werkmodel": ("term", "werkmodel"),
    "bril": ("term", "bril"),
    "trigger": ("term", "trigger"),
    "sleutelervaring": ("term", "sleutelervaring"),
    "continuüm": ("term", "continuum"),
    "verworven veilige hechting": ("term", "verworven_veilig"),
    "complex trauma": ("term", "complex_trauma"),
}
#: Topics whose answer speaks to the person's own style when there is a result.
PERSONAL_TOPICS = [
    "earned_secure",
    "relationships",
    "several_styles",
    "how_to_know_style",
]
#: Style names people use that must be understood.
STYLE_NAMES = [
    "vermijdend",
    "afwijzend",
    "gepreoccupeerd",
    "ambivalent",
    "vastklampend",
    "angstig",
    "gedesorganiseerd",
    "gedesoriënteerd",
    "onopgelost",
    "veilig",
    "dismissing",
    "fearful-avoidant",
    "angstig-vermijdend",
    "angstig-vastklampend",
]


def load(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def faq_responses() -> Dict[str, Any]:
    return dict(load("data/nlu/responses_faq.yml")["responses"])


def all_responses() -> Dict[str, Any]:
    responses = dict(faq_responses())
    responses.update(load("data/nlu/chitchat.yml")["responses"])
    responses.update(load("domain/knowledge.yml")["responses"])
    return responses


def nlu_blocks(path: Path) -> Iterator[Dict[str, Any]]:
    yield from (load(str(path.relative_to(ROOT))) or {}).get("nlu", [])


def examples(block: Dict[str, Any]) -> List[str]:
    return [
        line[2:].strip()
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]


def plain(example: str) -> str:
    """Example text without entity annotations."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", example)
    return re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", text).strip().lower()


def intent_examples(folder: str, files: List[str]) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for name in files:
        path = ROOT / folder / name
        if not path.is_file():
            continue
        for block in nlu_blocks(path):
            if "intent" in block:
                found.setdefault(block["intent"], []).extend(examples(block))
    return found


def content_texts() -> Iterator[Tuple[str, str]]:
    """Every text the knowledge actions can send, with where it comes from."""
    data = kn.knowledge()
    for topic, entry in data["topics"].items():
        for i, text in enumerate(entry.get("deeper") or []):
            yield f"topics.{topic}.deeper[{i}]", str(text).strip()
        for style, text in (entry.get("personal") or {}).items():
            yield f"topics.{topic}.personal.{style}", str(text).strip()
    for code, entry in data["styles"].items():
        yield f"styles.{code}.intro", str(entry["intro"]).strip()
        for i, text in enumerate(entry["deeper"]):
            yield f"styles.{code}.deeper[{i}]", str(text).strip()
    for key, entry in data["variants"].items():
        if entry.get("note"):
            yield f"variants.{key}.note", str(entry["note"]).strip()
    for key, entry in data["terms"].items():
        yield f"terms.{key}.text", str(entry["text"]).strip()
    for key, text in data["messages"].items():
        yield f"messages.{key}", str(text).strip()


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s])


# ------------------------------------------------------------------ every concept
@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_every_concept_has_an_answer(concept: str) -> None:
    kind, key = CONCEPTS[concept]
    data = kn.knowledge()
    if kind == "faq":
        assert f"utter_faq/{key}" in faq_responses()
        assert key in data["topics"]
    elif kind == "style":
        assert str(data["styles"][key]["intro"]).strip()
    else:
        assert str(data["terms"][key]["text"]).strip()


def test_faq_topics_responses_content_and_nlu_match() -> None:
    responses = {name.split("/", 1)[1] for name in faq_responses()}
    trained = {i.split("/", 1)[1] for i in intent_examples("data/nlu", ["faq.yml"])}
    assert responses == set(kn.topics()) == trained


@pytest.mark.parametrize("topic", sorted(kn.topics()))
def test_faq_topic_has_enough_varied_examples(topic: str) -> None:
    found = intent_examples("data/nlu", ["faq.yml"])[f"faq/{topic}"]
    assert len(found) >= MIN_FAQ_EXAMPLES
    assert len({plain(e) for e in found}) == len(found)


@pytest.mark.parametrize("topic", PERSONAL_TOPICS)
def test_personal_topics_speak_to_every_style(topic: str) -> None:
    personal = kn.topics()[topic]["personal"]
    assert set(personal) == set(kn.STYLE_CODES)
    assert len({str(v).strip() for v in personal.values()}) == 4


def test_topic_links_point_to_real_topics_and_terms() -> None:
    table = kn.topics()
    for topic, entry in table.items():
        assert set(entry["related"]) <= set(table), topic
        assert set(entry["terms"]) <= set(kn.terms()), topic
        assert str(entry["prompt"]).strip() and str(entry["title"]).strip()
    for code, entry in kn.styles().items():
        assert set(entry["terms"]) <= set(kn.terms()), code
    for key, entry in kn.terms().items():
        assert entry["related"] in table, key
    for key, entry in kn.variants().items():
        assert entry["style"] in (*kn.STYLE_CODES, "none"), key


# ---------------------------------------------------------------- chat-sized texts
@pytest.mark.parametrize("name", sorted(all_responses()))
def test_every_response_fits_a_chat_bubble(name: str) -> None:
    for variant in all_responses()[name]:
        assert 0 < len(str(variant["text"]).strip()) <= MAX_MESSAGE_CHARS, name


@pytest.mark.parametrize("where,text", list(content_texts()))
def test_every_content_text_fits_a_chat_bubble(where: str, text: str) -> None:
    assert 0 < len(text) <= MAX_MESSAGE_CHARS, where


@pytest.mark.parametrize("name", sorted(faq_responses()))
def test_faq_answer_is_two_to_four_sentences_with_an_offer(name: str) -> None:
    [variant] = faq_responses()[name]
    text = str(variant["text"]).strip()
    assert 2 <= sentences(text) <= 5, name  # 2-4 sentences plus the offer
    last = re.split(r"(?<=[.?!])\s+", text)[-1]
    assert last.endswith("?") or variant.get("buttons") or "vertel meer" in last, name


# --------------------------------------------------------------- names and terms
@pytest.mark.parametrize("name", STYLE_NAMES)
def test_style_name_is_recognised(name: str) -> None:
    assert kn.find_aliases(f"wat is {name}?", "variants"), name


def synonyms(path: str) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for block in nlu_blocks(ROOT / path):
        if "synonym" in block:
            found.setdefault(str(block["synonym"]), []).extend(examples(block))
    return found


def test_every_nlu_synonym_is_readable_by_the_actions() -> None:
    variants, terms = kn.variants(), kn.terms()
    for value, names in synonyms("data/nlu/knowledge.yml").items():
        section = "variants" if value in variants else "terms"
        assert value in (variants if section == "variants" else terms), value
        for name in names:
            assert kn.find_aliases(name, section) == [value], (value, name)


def annotated(example: str) -> List[Tuple[str, str]]:
    return re.findall(r"\[([^\]]+)\]\(([^)]+)\)", example)


def test_every_annotated_entity_resolves_to_a_known_key() -> None:
    for block in nlu_blocks(ROOT / "data/nlu/knowledge.yml"):
        if block.get("intent") not in ("ask_style", "explain_term"):
            continue
        section = "variants" if block["intent"] == "ask_style" else "terms"
        for example in examples(block):
            for name, _ in annotated(example):
                assert kn.find_aliases(name, section), (example, name)


# ---------------------------------------------------------------------- held-out
def test_heldout_has_five_per_intent_and_is_never_trained_on() -> None:
    trained = intent_examples(
        "data/nlu", sorted(p.name for p in (ROOT / "data/nlu").glob("*.yml"))
    )
    heldout = intent_examples("tests/nlu_heldout", MY_NLU_FILES)
    mine = [
        i
        for i in trained
        if i.split("/")[0]
        in (
            "faq",
            "chitchat",
            "ask_style",
            "tell_more",
            "explain_term",
            "request_diagnosis",
            "english",
        )
    ]
    for intent in mine:
        assert len(heldout.get(intent, [])) >= MIN_HELDOUT_EXAMPLES, intent
    seen: Set[str] = {plain(e) for items in trained.values() for e in items}
    for intent, items in heldout.items():
        for example in items:
            assert plain(example) not in seen, (intent, example)


def test_background_terms_are_terms_of_the_content() -> None:
    """A misspelt key in ``names.background`` would switch the rule off unnoticed."""
    from hechtwijzer_core.names import background_names

    background = background_names(kn.knowledge())
    assert background
    assert background <= set(kn.knowledge()["terms"])
