"""Tests for actions/results.py: the result, explanation, self-check, relationships, summary.

Every action test asserts both the returned events and the messages sent. The
expected Dutch comes from ``actions/content/results.yml`` (never copied here),
so the tests check that the right piece of content reaches the person.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional, Tuple

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

Events = List[Dict[str, Any]]
Messages = List[Dict[str, Any]]
Outcome = Tuple[Events, Messages]
Act = Callable[..., Outcome]
Reflect = Callable[[Optional[str], Dict[str, Any]], Outcome]
CONTINUUM = ("secure", "symptom", "traits", "structure")
QUADRANTS = {
    "secure": (False, False),
    "anxious": (True, False),
    "avoidant": (False, True),
    "disorganised": (True, True),
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def act(
    dispatcher: CollectingDispatcher,
    tracker: Callable[..., Tracker],
    domain: Dict[str, Any],
) -> Act:
    """Run an action on a tracker built from slots; return (events, messages it sent)."""

    def go(
        action: Action, slots: Optional[Dict[str, Any]] = None, **kwargs: Any
    ) -> Outcome:
        before = len(dispatcher.messages)
        built = tracker(slots=slots or {}, **kwargs)
        events = asyncio.run(action.run(dispatcher, built, domain))
        return events, dispatcher.messages[before:]

    return go


def answers(self_high: bool, other_high: bool, continuum: int = 3) -> Dict[str, Any]:
    """Prototype answers: every self/other question answered to the extreme wanted."""
    slots: Dict[str, Any] = {}
    for item in question_items():
        dimension, keyed = item["dimension"], item["keyed"]
        if dimension == "continuum":
            slots[item["id"]] = continuum if keyed == "+" else 6 - continuum
        elif dimension in ("self", "other"):
            high = self_high if dimension == "self" else other_high
            slots[item["id"]] = 5 if high == (keyed == "+") else 1
    return slots


def scored_ids() -> List[str]:
    """Ids of the self/other questions, in questionnaire order."""
    return [i["id"] for i in question_items() if i["dimension"] in ("self", "other")]


def by_slot(events: Events) -> Dict[str, Any]:
    """Map slot names to the values the events set."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts_of(messages: Messages) -> List[str]:
    """The text of every message that has one."""
    return [m["text"] for m in messages if m.get("text")]


def profile(
    style: Optional[str] = "anxious",
    secondary: Optional[str] = None,
    continuum: Optional[str] = "traits",
    clarity: Optional[str] = "clear",
) -> Profile:
    """A small Profile for the text helpers."""
    return Profile(
        self_concern=0.8,
        other_concern=0.2,
        style=style,
        secondary_style=secondary,
        clarity=clarity,  # type: ignore[arg-type]
        continuum=continuum,  # type: ignore[arg-type]
        answered=16,
        total=16,
        contributions={"self": [("q01", 0.1)], "other": [("q04", -0.05)]},
    )


@pytest.fixture
def two_profiles(act: Act) -> Dict[str, Any]:
    """Profiles after a partner round (anxious) and then a work round (avoidant)."""
    events, _ = act(
        ActionShowResult(), {**answers(True, False), "relationship_context": "partner"}
    )
    first = by_slot(events)["profiles"]
    slots = {**answers(False, True), "relationship_context": "work", "profiles": first}
    events, _ = act(ActionShowResult(), slots)
    return dict(by_slot(events)["profiles"])


@pytest.fixture
def reflect(act: Act) -> Reflect:
    """Run the self-check reflection with a pick (entity) and these slots."""

    def go(picked: Optional[str], slots: Dict[str, Any]) -> Outcome:
        entities = (
            [] if picked is None else [{"entity": "self_check_style", "value": picked}]
        )
        return act(
            ActionReflectSelfCheck(), slots, entities=entities, intent="self_check"
        )

    return go


# --------------------------------------------------------------------------- domain


def test_domain_declares_what_the_actions_use(domain: Dict[str, Any]) -> None:
    names = {
        a.name()
        for a in (
            ActionShowResult(),
            ActionDescribeResult(),
            ActionExplainResult(),
            ActionSendSummary(),
            ActionStartAnotherRelationship(),
            ActionCompareProfiles(),
            ActionOfferSelfCheck(),
            ActionReflectSelfCheck(),
        )
    }
    assert names <= set(domain["actions"])
    for slot in (
        "result_style",
        "result_secondary_style",
        "result_continuum",
        "profiles",
        "self_check_style",
    ):
        # set by actions only: no entity or text can fill these
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}]
    assert "self_check_style" in domain["entities"]


# --------------------------------------------------------------------------- show result


@pytest.mark.parametrize("style", STYLES)
def test_show_result_names_each_style_and_sets_codes(act: Act, style: str) -> None:
    self_high, other_high = QUADRANTS[style]
    slots = {**answers(self_high, other_high), "relationship_context": "partner"}
    events, messages = act(ActionShowResult(), slots)

    values = by_slot(events)
    assert values["result_style"] == style
    assert values["result_secondary_style"] is None
    assert values["result_continuum"] in CONTINUUM
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
    # short messages, not a wall
    assert all(len(text) < 700 for text in sent)
    # the last message is the self-check with four buttons
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        f'/self_check{{"self_check_style":"{s}"}}' for s in STYLES
    ]


def test_strategy_and_love_words_match_the_style(act: Act) -> None:
    anxious = "\n".join(texts_of(act(ActionShowResult(), answers(True, False))[1]))
    avoidant = "\n".join(texts_of(act(ActionShowResult(), answers(False, True))[1]))
    secure = "\n".join(texts_of(act(ActionShowResult(), answers(False, False))[1]))
    assert "hyperactiverend" in anxious and "deactiverend" not in anxious
    assert "deactiverend" in avoidant and "hyperactiverend" not in avoidant
    assert "verlatingsangst" in anxious and "bindingsangst" in avoidant
    assert texts()["result"]["growth"]["insecure"].strip() in anxious
    assert "verworven veilige hechting" in anxious
    assert texts()["result"]["growth"]["secure"].strip() in secure


def test_without_context_the_profile_is_stored_as_general(act: Act) -> None:
    events, messages = act(ActionShowResult(), answers(False, False))
    assert list(by_slot(events)["profiles"]) == ["general"]
    assert texts()["context_names"]["general"] in texts_of(messages)[0]


@pytest.mark.parametrize("continuum", CONTINUUM)
def test_continuum_uses_the_glasses_words(continuum: str) -> None:
    sent = result_messages(profile(continuum=continuum), "work", {})
    words = texts()["result"]
    assert any(words["continuum"][continuum].strip() in m for m in sent)
    assert any(words["continuum_intro"] in m for m in sent)
    support = words["structure_support"].strip()
    assert any(support in m for m in sent) == (continuum == "structure")


def test_deep_end_result_suggests_gp_and_names_no_disorder(act: Act) -> None:
    events, messages = act(ActionShowResult(), answers(True, True, continuum=5))
    assert by_slot(events)["result_continuum"] == "structure"
    joined = "\n".join(texts_of(messages)).lower()
    assert "huisarts" in joined and "psycholoog" in joined
    assert "stoornis" not in joined


def test_no_result_text_names_a_disorder() -> None:
    for style in STYLES:
        for continuum in CONTINUUM:
            text = "\n".join(
                result_messages(profile(style, continuum=continuum), "partner", {})
            )
            assert "stoornis" not in text.lower()


def test_border_result_mentions_secondary_style() -> None:
    with_secondary = result_messages(profile(secondary="disorganised"), "partner", {})
    without = result_messages(profile(secondary=None), "partner", {})
    mention = texts()["result"]["secondary"].format(
        secondary=style_adjective("disorganised")
    )
    assert any(mention.strip() in m for m in with_secondary)
    assert "gedesorganiseerde" in "\n".join(with_secondary)
    assert "gedesorganiseerde" not in "\n".join(without)


def test_border_answers_give_secondary_style_in_events_and_text(act: Act) -> None:
    slots = answers(True, False)
    others = [i for i in question_items() if i["dimension"] == "other"]
    for item in others:
        slots[item["id"]] = 3
    # one answer leans just over the border towards a negative image of the other
    slots[others[0]["id"]] = 4 if others[0]["keyed"] == "+" else 2
    events, messages = act(ActionShowResult(), slots)
    values = by_slot(events)
    assert values["result_style"] == "disorganised"
    assert values["result_secondary_style"] == "anxious"
    assert values["profiles"]["general"]["secondary"] == "anxious"
    mention = texts()["result"]["secondary"].format(
        secondary=style_adjective("anxious")
    )
    assert mention.strip() in "\n".join(texts_of(messages))


def test_unclear_result_says_so() -> None:
    unclear = texts()["result"]["unclear"].strip()
    assert any(
        unclear in m for m in result_messages(profile(clarity="unclear"), "partner", {})
    )
    assert not any(
        unclear in m for m in result_messages(profile(clarity="clear"), "partner", {})
    )


def test_skipped_answers_are_mentioned_with_the_result(act: Act) -> None:
    slots = answers(True, False)
    slots[scored_ids()[0]] = "skipped"
    _, messages = act(ActionShowResult(), slots)
    partial = texts()["result"]["partial"].format(answered=15, total=16)
    assert partial in texts_of(messages)[0]


def test_too_few_answers_gives_no_style(act: Act) -> None:
    slots = answers(True, False)
    for qid in scored_ids()[3:]:
        slots[qid] = "skipped"
    events, messages = act(ActionShowResult(), slots)
    assert events == []
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text == texts()["result"]["too_few"].format(answered=7, total=16).strip()
    assert not any(texts()["style_names"][s] in text for s in STYLES)
    assert not messages[0].get("image")


def test_too_few_answers_keeps_earlier_results(
    act: Act, two_profiles: Dict[str, Any]
) -> None:
    slots = {
        "profiles": two_profiles,
        "result_style": "avoidant",
        "relationship_context": "friends",
    }
    events, messages = act(ActionShowResult(), slots)
    assert events == []  # no slot touched: profiles and the last result stay
    assert "van de 16 vragen" in messages[0]["text"]


def test_a_broken_picture_never_costs_the_result(
    act: Act, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(results, "render_picture", broken)
    events, messages = act(ActionShowResult(), answers(False, True))
    assert by_slot(events)["result_style"] == "avoidant"
    assert not any(m.get("image") for m in messages)
    assert texts()["result"]["style"]["avoidant"].strip() in messages[0]["text"]


# --------------------------------------------------------------------------- several relationships


def test_second_relationship_keeps_first_and_compares(act: Act) -> None:
    events, _ = act(
        ActionShowResult(), {**answers(True, False), "relationship_context": "partner"}
    )
    first = by_slot(events)["profiles"]
    slots = {**answers(False, True), "relationship_context": "work", "profiles": first}
    events, messages = act(ActionShowResult(), slots)
    values = by_slot(events)
    assert values["result_style"] == "avoidant"
    profiles = values["profiles"]
    assert profiles["partner"]["style"] == "anxious" and profiles["partner"]["seq"] == 1
    assert profiles["work"]["style"] == "avoidant" and profiles["work"]["seq"] == 2
    joined = "\n".join(texts_of(messages))
    assert texts()["compare"]["heading"] in joined
    assert texts()["compare"]["different_styles"].strip() in joined
    assert "• partner: angstig-vastklampend" in joined
    assert "• werk: angstig-vermijdend" in joined


def test_same_context_again_replaces_its_profile(act: Act) -> None:
    events, _ = act(
        ActionShowResult(), {**answers(True, False), "relationship_context": "partner"}
    )
    first = by_slot(events)["profiles"]
    slots = {
        **answers(False, False),
        "relationship_context": "partner",
        "profiles": first,
    }
    events, _ = act(ActionShowResult(), slots)
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
    assert texts()["compare"]["different_styles"].strip() not in text


def test_describe_profiles_with_one_or_none() -> None:
    assert describe_profiles({}) == texts()["compare"]["none"].strip()
    one = describe_profiles({"family": {"style": "anxious", "seq": 1}})
    assert (
        one
        == texts()["compare"]["one"]
        .format(context="je ouders of familie", style="angstig-vastklampende")
        .strip()
    )


def test_compare_action_sends_words_and_picture(
    act: Act, two_profiles: Dict[str, Any]
) -> None:
    events, messages = act(ActionCompareProfiles(), {"profiles": two_profiles})
    assert events == []
    assert messages[0]["text"] == describe_profiles(two_profiles)
    assert messages[1]["image"].startswith("data:image/png;base64,")


def test_compare_action_with_one_profile_invites_another_round(act: Act) -> None:
    events, _ = act(
        ActionShowResult(), {**answers(True, False), "relationship_context": "partner"}
    )
    events, messages = act(
        ActionCompareProfiles(), {"profiles": by_slot(events)["profiles"]}
    )
    assert events == [] and len(messages) == 1
    assert "nog een keer voor een andere relatie" in messages[0]["text"]


def test_start_another_relationship_clears_answers_but_keeps_profiles(
    act: Act, two_profiles: Dict[str, Any]
) -> None:
    slots = {
        **answers(True, False),
        "relationship_context": "partner",
        "profiles": two_profiles,
    }
    events, messages = act(ActionStartAnotherRelationship(), slots)
    cleared = by_slot(events)
    ids = [str(item["id"]) for item in question_items()]
    assert set(ids) <= set(cleared)
    assert {"relationship_context", "requested_slot"} <= set(cleared)
    assert cleared.pop("questionnaire_paused") is False
    assert all(value is None for value in cleared.values())
    assert "profiles" not in cleared and "result_style" not in cleared
    assert len(messages) == 1
    assert messages[0]["text"] == texts()["another"]["start"].strip()


# --------------------------------------------------------------------------- explain


def test_explain_names_the_strongest_questions(act: Act) -> None:
    slots: Dict[str, Any] = {qid: 3 for qid in scored_ids()}
    strong, neutral = scored_ids()[:2], scored_ids()[2:]
    for qid in strong:
        slots[qid] = 5
    events, _ = act(ActionShowResult(), slots)
    profiles = by_slot(events)["profiles"]

    events, messages = act(ActionExplainResult(), {"profiles": profiles})
    assert events == [] and len(messages) == 1
    text = messages[0]["text"]
    by_id = {i["id"]: i for i in question_items()}
    for qid in strong:
        assert f"‘{short_question(by_id[qid])}’ Jij: bijna altijd." in text
    assert not any(short_question(by_id[qid]) in text for qid in neutral)
    assert texts()["explain"]["self_heading"] in text
    assert texts()["explain"]["other_heading"] in text


def test_explain_lists_at_most_three_per_dimension_with_direction(act: Act) -> None:
    events, _ = act(ActionShowResult(), answers(True, False))
    _, messages = act(ActionExplainResult(), {"profiles": by_slot(events)["profiles"]})
    text = messages[0]["text"]
    directions = texts()["explain"]["directions"]
    assert text.count(directions["self_up"]) == 3
    assert text.count(directions["other_down"]) == 3
    assert directions["self_down"] not in text and directions["other_up"] not in text


def test_explain_uses_the_latest_relationship(
    act: Act, two_profiles: Dict[str, Any]
) -> None:
    events, messages = act(ActionExplainResult(), {"profiles": two_profiles})
    assert events == []
    text = messages[0]["text"]
    assert texts()["context_names"]["work"] in text
    assert texts()["explain"]["directions"]["other_up"] in text


def test_explain_without_result(act: Act) -> None:
    events, messages = act(ActionExplainResult(), {})
    assert events == []
    assert [m["text"] for m in messages] == [texts()["explain"]["no_result"].strip()]


def test_short_question_takes_the_question_line_and_cuts_long_text() -> None:
    item = {"id": "qx", "text": "Vraag 3 van 16\nDe ander zegt iets.\nWat doe je?"}
    assert short_question(item) == "Wat doe je?"
    assert (
        short_question({"id": "qw", "text": "Vraag 1 van 16\nAlleen dit."})
        == "Alleen dit."
    )
    short = short_question({"id": "qy", "text": "woord " * 30})
    assert short.endswith("…") and len(short) <= results.SHORT_QUESTION_CHARS + 1
    assert short_question({"id": "qz", "short": "Kort", "text": "Lang"}) == "Kort"


# --------------------------------------------------------------------------- self-check


def test_self_check_mismatch_reflects_kindly(reflect: Reflect) -> None:
    events, messages = reflect("anxious", {"result_style": "avoidant"})
    assert events == [SlotSet("self_check_style", "anxious")]
    expected = texts()["self_check"]["differs"].format(
        picked="angstig-vastklampende", style="angstig-vermijdende"
    )
    assert messages[0]["text"] == expected.strip()
    assert "allebei kan waar zijn" in messages[0]["text"]
    assert messages[1]["text"] == texts()["invitation"]["text"]
    assert len(messages[1]["buttons"]) == 4


def test_self_check_same_style(reflect: Reflect) -> None:
    events, messages = reflect("secure", {"result_style": "secure"})
    assert events == [SlotSet("self_check_style", "secure")]
    assert (
        messages[0]["text"]
        == texts()["self_check"]["same"].format(style="veilige").strip()
    )


def test_self_check_pick_equal_to_secondary_style(reflect: Reflect) -> None:
    slots = {"result_style": "anxious", "result_secondary_style": "disorganised"}
    events, messages = reflect("disorganised", slots)
    assert events == [SlotSet("self_check_style", "disorganised")]
    assert (
        messages[0]["text"]
        == texts()["self_check"]["matches_secondary"]
        .format(picked="gedesorganiseerde", style="angstig-vastklampende")
        .strip()
    )


def test_self_check_before_any_result(reflect: Reflect) -> None:
    events, messages = reflect("avoidant", {})
    assert events == [SlotSet("self_check_style", "avoidant")]
    assert (
        messages[0]["text"]
        == texts()["self_check"]["no_result"]
        .format(picked="angstig-vermijdende")
        .strip()
    )


@pytest.mark.parametrize("picked", [None, "narcissistic", "SECURE"])
def test_self_check_unknown_pick_is_asked_again(
    reflect: Reflect, picked: Optional[str]
) -> None:
    events, messages = reflect(picked, {"result_style": "secure"})
    assert events == []
    assert messages[0]["text"] == texts()["self_check"]["invalid"]
    assert len(messages[0]["buttons"]) == 4


def test_offer_self_check_has_four_descriptions_and_valid_payloads(act: Act) -> None:
    events, messages = act(ActionOfferSelfCheck(), {})
    assert events == []
    for style in STYLES:
        assert texts()["self_check"]["descriptions"][style] in messages[0]["text"]
    for button, style in zip(messages[0]["buttons"], STYLES, strict=True):
        intent, _, payload = button["payload"][1:].partition("{")
        assert intent == "self_check"
        assert json.loads("{" + payload) == {"self_check_style": style}
        assert len(button["payload"].encode()) <= 64  # Telegram callback_data limit


# --------------------------------------------------------------------------- ask my result


@pytest.mark.parametrize("style", STYLES)
def test_describe_result_uses_the_stored_style(act: Act, style: str) -> None:
    slots = {"result_style": style, "result_continuum": "symptom"}
    events, messages = act(ActionDescribeResult(), slots)
    assert events == []
    assert messages[0]["text"] == texts()["describe"]["more"][style].strip()
    assert texts()["result"]["continuum"]["symptom"].strip() in messages[1]["text"]
    assert messages[-1]["buttons"]


def test_describe_result_mentions_secondary_and_deep_end_support(act: Act) -> None:
    slots = {
        "result_style": "anxious",
        "result_secondary_style": "secure",
        "result_continuum": "structure",
    }
    events, messages = act(ActionDescribeResult(), slots)
    assert events == []
    assert "huisarts" in messages[1]["text"]
    assert "veilige" in messages[1]["text"]


def test_describe_result_without_result(act: Act) -> None:
    events, messages = act(ActionDescribeResult(), {})
    assert events == []
    assert len(messages) == 1
    assert messages[0]["text"] == texts()["describe"]["no_result"].strip()
    assert not messages[0].get("buttons")


# --------------------------------------------------------------------------- summary


def test_summary_lists_every_relationship_and_the_self_check(
    act: Act, two_profiles: Dict[str, Any]
) -> None:
    slots = {"profiles": two_profiles, "self_check_style": "secure"}
    events, messages = act(ActionSendSummary(), slots)
    assert events == [] and len(messages) == 1
    lines = messages[0]["text"].splitlines()
    assert lines[0] == texts()["summary"]["heading"]
    assert lines[1].startswith("- partner: angstig-vastklampende stijl")
    assert lines[2].startswith("- werk: angstig-vermijdende stijl")
    text = messages[0]["text"]
    assert texts()["summary"]["self_check"].format(picked="veilige") in text
    assert "geen diagnose" in text
    assert "**" not in text  # plain text to keep


def test_summary_mentions_secondary_style(act: Act) -> None:
    profiles = {
        "partner": {
            "style": "anxious",
            "secondary": "secure",
            "continuum": "symptom",
            "seq": 1,
        }
    }
    events, messages = act(ActionSendSummary(), {"profiles": profiles})
    assert events == []
    assert "(dicht bij de veilige stijl)" in messages[0]["text"]
    assert "de bril af en toe op" in messages[0]["text"]


def test_summary_without_result(act: Act) -> None:
    events, messages = act(ActionSendSummary(), {"profiles": {"x": "broken"}})
    assert events == []
    assert [m["text"] for m in messages] == [texts()["summary"]["none"].strip()]
