"""Tests for actions/results.py: the result, explanation, self-check, relationships, summary."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Mapping, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import results
from actions.results import (
    ActionCompareProfiles,
    ActionDescribeResult,
    ActionExplainResult,
    ActionOfferSelfCheck,
    ActionReflectSelfCheck,
    ActionSendSummary,
    ActionShowResult,
    ActionStartAnotherRelationship,
    describe_profiles,
    question_items,
    result_messages,
    short_question,
    style_adjective,
    texts,
)
from actions.scoring import STYLES, Profile

QUADRANTS = {
    "secure": (False, False),
    "anxious": (True, False),
    "avoidant": (False, True),
    "disorganised": (True, True),
}


# --------------------------------------------------------------------------- helpers


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    intent: str = "affirm",
) -> Tracker:
    """Build a tracker with the given slots and latest-message entities."""
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message={"text": "", "intent": {"name": intent}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, tracker: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run an action; return (events, messages sent)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def answers(self_high: bool, other_high: bool, continuum: int = 3) -> Dict[str, Any]:
    """Prototype answers: every self/other question answered to the extreme wanted."""
    slots: Dict[str, Any] = {}
    for item in question_items():
        dimension, keyed = item["dimension"], item["keyed"]
        if dimension == "continuum":
            slots[item["id"]] = continuum if keyed == "+" else 6 - continuum
        elif dimension in ("self", "other"):
            high = self_high if dimension == "self" else other_high
            agree = high == (keyed == "+")
            slots[item["id"]] = 5 if agree else 1
    return slots


def by_slot(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Map slot names to the values the events set."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts_of(messages: List[Dict[str, Any]]) -> List[str]:
    """The text of every message that has one."""
    return [m["text"] for m in messages if m.get("text")]


def profile(
    style: Optional[str] = "anxious",
    secondary: Optional[str] = None,
    continuum: Optional[str] = "traits",
    clarity: Optional[str] = "clear",
    answered: int = 16,
    total: int = 16,
) -> Profile:
    """A small Profile for text tests."""
    return Profile(
        self_concern=0.8,
        other_concern=0.2,
        style=style,
        secondary_style=secondary,
        clarity=clarity,  # type: ignore[arg-type]
        continuum=continuum,  # type: ignore[arg-type]
        answered=answered,
        total=total,
        contributions={"self": [("q01", 0.1)], "other": [("q04", -0.05)]},
    )


def show(slots: Dict[str, Any]) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run action_show_result on these slots."""
    return run(ActionShowResult(), make_tracker(slots))


# --------------------------------------------------------------------------- show result


@pytest.mark.parametrize("style", STYLES)
def test_show_result_names_each_style_and_sets_codes(style: str) -> None:
    self_high, other_high = QUADRANTS[style]
    slots = {**answers(self_high, other_high), "relationship_context": "partner"}
    events, messages = show(slots)

    values = by_slot(events)
    assert values["result_style"] == style
    assert values["result_secondary_style"] is None
    assert values["result_continuum"] in ("secure", "symptom", "traits", "structure")
    record = values["profiles"]["partner"]
    assert record["style"] == style and record["seq"] == 1
    assert values["self_check_style"] is None

    sent = texts_of(messages)
    words = texts()["result"]
    assert words["style"][style].strip() in sent[0]
    assert texts()["context_names"]["partner"] in sent[0]
    assert words["strategy"][style].strip() in sent
    assert words["recognise"][style].strip() in sent
    images = [m["image"] for m in messages if m.get("image")]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    # the disclaimer is said exactly once, and no disorder is ever named
    joined = "\n".join(sent)
    assert joined.count(words["disclaimer"].strip()) == 1
    assert "stoornis" not in joined.lower()
    # the last message is the self-check with four buttons
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        f'/self_check{{"self_check_style":"{s}"}}' for s in STYLES
    ]


def test_strategy_words_match_the_style() -> None:
    _, anxious = show(answers(True, False))
    _, avoidant = show(answers(False, True))
    assert "hyperactiverend" in "\n".join(texts_of(anxious))
    assert "deactiverend" not in "\n".join(texts_of(anxious))
    assert "deactiverend" in "\n".join(texts_of(avoidant))
    assert "bindingsangst" in "\n".join(texts_of(avoidant))
    assert "verlatingsangst" in "\n".join(texts_of(anxious))


def test_without_context_the_profile_is_stored_as_general() -> None:
    events, messages = show(answers(False, False))
    assert list(by_slot(events)["profiles"]) == ["general"]
    assert texts()["context_names"]["general"] in texts_of(messages)[0]


@pytest.mark.parametrize("continuum", ["secure", "symptom", "traits", "structure"])
def test_continuum_uses_the_glasses_words(continuum: str) -> None:
    sent = result_messages(profile(continuum=continuum), "work", {})
    words = texts()["result"]
    assert any(words["continuum"][continuum].strip() in m for m in sent)
    assert any(words["continuum_intro"] in m for m in sent)
    support = words["structure_support"].strip()
    assert any(support in m for m in sent) == (continuum == "structure")
    assert "huisarts" in "\n".join(sent) if continuum == "structure" else True


def test_deep_end_result_suggests_gp_and_names_no_disorder() -> None:
    events, messages = show(answers(True, True, continuum=5))
    assert by_slot(events)["result_continuum"] == "structure"
    joined = "\n".join(texts_of(messages)).lower()
    assert "huisarts" in joined and "psycholoog" in joined
    assert "stoornis" not in joined


def test_no_result_text_names_a_disorder() -> None:
    sent = [
        "\n".join(result_messages(profile(style=s, continuum=c, secondary=None), "partner", {}))
        for s in STYLES
        for c in ("secure", "symptom", "traits", "structure")
    ]
    assert all("stoornis" not in text.lower() for text in sent)


def test_border_result_mentions_secondary_style() -> None:
    with_secondary = result_messages(profile(secondary="disorganised"), "partner", {})
    without = result_messages(profile(secondary=None), "partner", {})
    mention = texts()["result"]["secondary"].format(secondary=style_adjective("disorganised"))
    assert any(mention.strip() in m for m in with_secondary)
    assert "gedesorganiseerde" in "\n".join(with_secondary)
    assert not any("dicht bij de grens" in m for m in without)


def test_border_answers_give_secondary_style_in_events_and_text() -> None:
    slots = answers(True, False)
    # pull the image of the other to just above neutral: answers of 3, one leaning
    for item in question_items():
        if item["dimension"] == "other":
            slots[item["id"]] = 3
    first_other = next(i for i in question_items() if i["dimension"] == "other")
    slots[first_other["id"]] = 4 if first_other["keyed"] == "+" else 2
    events, messages = show(slots)
    values = by_slot(events)
    assert values["result_style"] == "disorganised"
    assert values["result_secondary_style"] == "anxious"
    assert style_adjective("anxious") in "\n".join(texts_of(messages))


def test_unclear_result_says_so() -> None:
    sent = result_messages(profile(clarity="unclear"), "partner", {})
    assert any(texts()["result"]["unclear"].strip() in m for m in sent)
    clear = result_messages(profile(clarity="clear"), "partner", {})
    assert not any(texts()["result"]["unclear"].strip() in m for m in clear)


def test_too_few_answers_gives_no_style() -> None:
    slots = answers(True, False)
    scored = [i["id"] for i in question_items() if i["dimension"] in ("self", "other")]
    for qid in scored[3:]:
        slots[qid] = "skipped"
    events, messages = show(slots)
    assert events == []
    assert len(messages) == 1
    text = messages[0]["text"]
    assert "van de 16 vragen" in text
    assert not any(texts()["style_names"][s] in text for s in STYLES)
    assert not messages[0].get("image")


def test_a_broken_picture_never_costs_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(results, "render_picture", broken)
    events, messages = show(answers(False, True))
    assert by_slot(events)["result_style"] == "avoidant"
    assert not any(m.get("image") for m in messages)
    assert texts()["result"]["style"]["avoidant"].strip() in messages[0]["text"]


# --------------------------------------------------------------------------- several relationships


def two_profiles() -> Dict[str, Any]:
    """Profiles after a partner round (anxious) and a work round (avoidant)."""
    events, _ = show({**answers(True, False), "relationship_context": "partner"})
    first = by_slot(events)["profiles"]
    events, _ = show(
        {**answers(False, True), "relationship_context": "work", "profiles": first}
    )
    return by_slot(events)["profiles"]


def test_second_relationship_keeps_first_and_compares() -> None:
    events, _ = show({**answers(True, False), "relationship_context": "partner"})
    first = by_slot(events)["profiles"]
    events, messages = show(
        {**answers(False, True), "relationship_context": "work", "profiles": first}
    )
    profiles = by_slot(events)["profiles"]
    assert profiles["partner"]["style"] == "anxious"
    assert profiles["work"]["style"] == "avoidant"
    assert profiles["work"]["seq"] == 2
    joined = "\n".join(texts_of(messages))
    assert texts()["compare"]["heading"] in joined
    assert texts()["compare"]["different_styles"].strip() in joined
    assert "• partner: angstig-vastklampend" in joined
    assert "• werk: angstig-vermijdend" in joined


def test_same_context_again_replaces_its_profile() -> None:
    events, _ = show({**answers(True, False), "relationship_context": "partner"})
    first = by_slot(events)["profiles"]
    events, _ = show(
        {**answers(False, False), "relationship_context": "partner", "profiles": first}
    )
    profiles = by_slot(events)["profiles"]
    assert list(profiles) == ["partner"]
    assert profiles["partner"]["style"] == "secure" and profiles["partner"]["seq"] == 2


def test_describe_profiles_same_style() -> None:
    profiles = {
        "partner": {"style": "secure", "continuum": "secure", "seq": 1},
        "friends": {"style": "secure", "continuum": "secure", "seq": 2},
    }
    text = describe_profiles(profiles)
    assert texts()["compare"]["same_style"].format(style="veilige").strip() in text
    assert "• vrienden: veilig" in text


def test_describe_profiles_with_one_or_none() -> None:
    assert describe_profiles({}) == texts()["compare"]["none"].strip()
    one = describe_profiles({"family": {"style": "anxious", "seq": 1}})
    assert "je ouders of familie" in one and "angstig-vastklampende" in one


def test_compare_action_sends_words_and_picture() -> None:
    events, messages = run(ActionCompareProfiles(), make_tracker({"profiles": two_profiles()}))
    assert events == []
    assert texts()["compare"]["heading"] in messages[0]["text"]
    assert messages[1]["image"].startswith("data:image/png;base64,")


def test_compare_action_with_one_profile_invites_another_round() -> None:
    events, _ = show({**answers(True, False), "relationship_context": "partner"})
    tracker = make_tracker({"profiles": by_slot(events)["profiles"]})
    events, messages = run(ActionCompareProfiles(), tracker)
    assert events == [] and len(messages) == 1
    assert "nog een keer voor een andere relatie" in messages[0]["text"]


def test_start_another_relationship_clears_answers_but_keeps_profiles() -> None:
    slots = {**answers(True, False), "relationship_context": "partner"}
    events, messages = run(ActionStartAnotherRelationship(), make_tracker(slots))
    cleared = by_slot(events)
    ids = [str(item["id"]) for item in question_items()]
    assert set(ids) <= set(cleared)
    assert {"relationship_context", "requested_slot"} <= set(cleared)
    assert all(value is None for value in cleared.values())
    assert "profiles" not in cleared and "result_style" not in cleared
    assert messages[0]["text"] == texts()["another"]["start"].strip()


# --------------------------------------------------------------------------- explain


def test_explain_names_the_strongest_questions() -> None:
    slots = {qid: 3 for qid in (i["id"] for i in question_items())}
    by_id = {i["id"]: i for i in question_items()}
    strong = [i for i in question_items() if i["dimension"] in ("self", "other")][:2]
    for item in strong:
        slots[item["id"]] = 5
    slots["relationship_context"] = "partner"
    events, _ = show(slots)
    profiles = by_slot(events)["profiles"]

    events, messages = run(ActionExplainResult(), make_tracker({"profiles": profiles}))
    assert events == []
    text = messages[0]["text"]
    for item in strong:
        assert f"‘{short_question(item)}’ Jij: bijna altijd." in text
    neutral = [i for i in question_items() if i["dimension"] in ("self", "other")][2:]
    assert not any(short_question(by_id[i["id"]]) in text for i in neutral)
    assert texts()["explain"]["self_heading"] in text
    assert texts()["explain"]["other_heading"] in text


def test_explain_lists_at_most_three_per_dimension_with_direction() -> None:
    events, _ = show(answers(True, False))
    profiles = by_slot(events)["profiles"]
    _, messages = run(ActionExplainResult(), make_tracker({"profiles": profiles}))
    text = messages[0]["text"]
    directions = texts()["explain"]["directions"]
    assert text.count(directions["self_up"]) == 3
    assert text.count(directions["other_down"]) == 3
    assert directions["self_down"] not in text


def test_explain_uses_the_latest_relationship() -> None:
    profiles = two_profiles()
    _, messages = run(ActionExplainResult(), make_tracker({"profiles": profiles}))
    text = messages[0]["text"]
    assert texts()["context_names"]["work"] in text
    assert texts()["explain"]["directions"]["other_up"] in text


def test_explain_without_result() -> None:
    events, messages = run(ActionExplainResult(), make_tracker({}))
    assert events == []
    assert messages[0]["text"] == texts()["explain"]["no_result"].strip()


def test_short_question_takes_the_question_line_and_cuts_long_text() -> None:
    item = {"id": "qx", "text": "Vraag 3 van 16\nDe ander zegt iets.\nWat doe je?"}
    assert short_question(item) == "Wat doe je?"
    assert short_question({"id": "qw", "text": "Vraag 1 van 16\nAlleen dit."}) == "Alleen dit."
    long_item = {"id": "qy", "text": "woord " * 30}
    short = short_question(long_item)
    assert short.endswith("…") and len(short) <= results.SHORT_QUESTION_CHARS + 1
    assert short_question({"id": "qz", "short": "Kort", "text": "Lang"}) == "Kort"


# --------------------------------------------------------------------------- self-check


def reflect(picked: Optional[str], slots: Dict[str, Any]) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Run the self-check reflection with this pick."""
    entities = [] if picked is None else [{"entity": "self_check_style", "value": picked}]
    return run(ActionReflectSelfCheck(), make_tracker(slots, entities, intent="self_check"))


def test_self_check_mismatch_reflects_kindly() -> None:
    events, messages = reflect("anxious", {"result_style": "avoidant"})
    assert events == [SlotSet("self_check_style", "anxious")]
    expected = texts()["self_check"]["differs"].format(
        picked="angstig-vastklampende", style="angstig-vermijdende"
    )
    assert messages[0]["text"] == expected.strip()
    assert "allebei kan waar zijn" in messages[0]["text"]
    assert messages[1]["text"] == texts()["invitation"]["text"]
    assert len(messages[1]["buttons"]) == 4


def test_self_check_same_style() -> None:
    events, messages = reflect("secure", {"result_style": "secure"})
    assert events == [SlotSet("self_check_style", "secure")]
    assert messages[0]["text"] == texts()["self_check"]["same"].format(style="veilige").strip()


def test_self_check_pick_equal_to_secondary_style() -> None:
    _, messages = reflect(
        "disorganised", {"result_style": "anxious", "result_secondary_style": "disorganised"}
    )
    assert messages[0]["text"] == texts()["self_check"]["matches_secondary"].format(
        picked="gedesorganiseerde", style="angstig-vastklampende"
    ).strip()


def test_self_check_before_any_result() -> None:
    events, messages = reflect("avoidant", {})
    assert events == [SlotSet("self_check_style", "avoidant")]
    assert "angstig-vermijdende" in messages[0]["text"]
    assert messages[0]["text"] == texts()["self_check"]["no_result"].format(
        picked="angstig-vermijdende"
    ).strip()


@pytest.mark.parametrize("picked", [None, "narcissistic", "SECURE"])
def test_self_check_unknown_pick_is_asked_again(picked: Optional[str]) -> None:
    events, messages = reflect(picked, {"result_style": "secure"})
    assert events == []
    assert messages[0]["text"] == texts()["self_check"]["invalid"]
    assert len(messages[0]["buttons"]) == 4


def test_offer_self_check_has_four_descriptions_and_valid_payloads() -> None:
    events, messages = run(ActionOfferSelfCheck(), make_tracker({}))
    assert events == []
    for style in STYLES:
        assert texts()["self_check"]["descriptions"][style] in messages[0]["text"]
    for button, style in zip(messages[0]["buttons"], STYLES):
        intent, _, payload = button["payload"][1:].partition("{")
        assert intent == "self_check"
        assert json.loads("{" + payload) == {"self_check_style": style}


# --------------------------------------------------------------------------- ask my result


@pytest.mark.parametrize("style", STYLES)
def test_describe_result_uses_the_stored_style(style: str) -> None:
    tracker = make_tracker({"result_style": style, "result_continuum": "symptom"})
    events, messages = run(ActionDescribeResult(), tracker)
    assert events == []
    assert messages[0]["text"] == texts()["describe"]["more"][style].strip()
    assert texts()["result"]["continuum"]["symptom"].strip() in messages[1]["text"]
    assert messages[-1]["buttons"]


def test_describe_result_mentions_secondary_and_deep_end_support() -> None:
    tracker = make_tracker(
        {
            "result_style": "anxious",
            "result_secondary_style": "secure",
            "result_continuum": "structure",
        }
    )
    _, messages = run(ActionDescribeResult(), tracker)
    assert "huisarts" in messages[1]["text"]
    assert "veilige" in messages[1]["text"]


def test_describe_result_without_result() -> None:
    events, messages = run(ActionDescribeResult(), make_tracker({}))
    assert events == []
    assert len(messages) == 1
    assert messages[0]["text"] == texts()["describe"]["no_result"].strip()
    assert not messages[0].get("buttons")


# --------------------------------------------------------------------------- summary


def test_summary_lists_every_relationship_and_the_self_check() -> None:
    tracker = make_tracker({"profiles": two_profiles(), "self_check_style": "secure"})
    events, messages = run(ActionSendSummary(), tracker)
    assert events == []
    text = messages[0]["text"]
    lines = text.splitlines()
    assert lines[0] == texts()["summary"]["heading"]
    assert lines[1].startswith("- partner: angstig-vastklampende stijl")
    assert lines[2].startswith("- werk: angstig-vermijdende stijl")
    assert texts()["summary"]["self_check"].format(picked="veilige") in text
    assert "geen diagnose" in text
    assert "**" not in text  # plain text to keep


def test_summary_mentions_secondary_style() -> None:
    profiles = {
        "partner": {"style": "anxious", "secondary": "secure", "continuum": "symptom", "seq": 1}
    }
    _, messages = run(ActionSendSummary(), make_tracker({"profiles": profiles}))
    assert "(dicht bij de veilige stijl)" in messages[0]["text"]
    assert "de bril af en toe op" in messages[0]["text"]


def test_summary_without_result() -> None:
    events, messages = run(ActionSendSummary(), make_tracker({"profiles": {"x": "broken"}}))
    assert events == []
    assert messages[0]["text"] == texts()["summary"]["none"].strip()
