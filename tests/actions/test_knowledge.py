"""Action tests for actions/knowledge.py: returned events and messages sent."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions import knowledge as kn
from actions.results import describe_profiles

STYLES = ("secure", "avoidant", "anxious", "disorganised")


def run(
    action: Action, tracker: Any, dispatcher: Any, domain: Dict[str, Any]
) -> List[Dict[str, Any]]:
    """Run an async SDK action to completion."""
    return asyncio.run(action.run(dispatcher, tracker, domain))


def faq_message(topic: str, key: str = "faq", text: str = "vraag") -> Dict[str, Any]:
    """A parsed user message as the ResponseSelector leaves it."""
    return {
        "text": text,
        "intent": {"name": "faq", "confidence": 0.99},
        "entities": [],
        "response_selector": {
            "all_retrieval_intents": ["faq", "chitchat"],
            key: {
                "response": {
                    "intent_response_key": f"faq/{topic}",
                    "utter_action": f"utter_faq/{topic}",
                    "confidence": 0.97,
                },
                "ranking": [],
            },
        },
    }


def texts(dispatcher: Any) -> List[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def content() -> Dict[str, Any]:
    return kn.knowledge()


def strip(text: Any) -> str:
    return str(text).strip()


# ----------------------------------------------------------------- answer question
def test_answer_without_result_sends_response_and_sets_topic(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionAnswerQuestion(),
        tracker(latest_message=faq_message("earned_secure")),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages] == [
        "utter_faq/earned_secure"
    ]
    assert texts(dispatcher) == []
    assert events == [
        SlotSet("last_topic", "earned_secure"),
        SlotSet("last_topic_depth", 1.0),
    ]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    "topic", ["earned_secure", "relationships", "several_styles", "children"]
)
def test_answer_with_result_adds_personal_line(
    style: str,
    topic: str,
    tracker: Callable[..., Any],
    dispatcher: Any,
    domain: Dict[str, Any],
) -> None:
    events = run(
        kn.ActionAnswerQuestion(),
        tracker(slots={"result_style": style}, latest_message=faq_message(topic)),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages] == [
        f"utter_faq/{topic}",
        None,
    ]
    assert texts(dispatcher) == [strip(content()["topics"][topic]["personal"][style])]
    assert events == [SlotSet("last_topic", topic), SlotSet("last_topic_depth", 1.0)]


def test_personal_lines_differ_per_style() -> None:
    lines = {kn.personal_line("earned_secure", style) for style in STYLES}
    assert len(lines) == 4 and None not in lines


def test_topic_without_personal_line_sends_only_the_answer(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionAnswerQuestion(),
        tracker(
            slots={"result_style": "anxious"}, latest_message=faq_message("bowlby")
        ),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages] == ["utter_faq/bowlby"]


def test_several_styles_uses_the_persons_own_profiles(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    profiles = {
        "partner": {
            "self": 0.3,
            "other": 0.7,
            "style": "anxious",
            "secondary": None,
            "continuum": "traits",
            "clarity": "clear",
            "answered": 14,
            "total": 14,
            "seq": 1,
        },
        "work": {
            "self": 0.7,
            "other": 0.3,
            "style": "avoidant",
            "secondary": None,
            "continuum": "symptom",
            "clarity": "clear",
            "answered": 14,
            "total": 14,
            "seq": 2,
        },
    }
    run(
        kn.ActionAnswerQuestion(),
        tracker(
            slots={"result_style": "avoidant", "profiles": profiles},
            latest_message=faq_message("several_styles"),
        ),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages][
        0
    ] == "utter_faq/several_styles"
    assert texts(dispatcher) == [describe_profiles(profiles).strip()]


@pytest.mark.parametrize("key", ["faq", "default"])
def test_topic_is_read_from_either_selector_key(key: str) -> None:
    assert kn.faq_topic(faq_message("children", key=key)) == "children"


def test_topic_from_full_retrieval_intent_name() -> None:
    message = {"intent": {"name": "faq", "full_retrieval_intent_name": "faq/sources"}}
    assert kn.faq_topic(message) == "sources"


def test_chitchat_prediction_is_not_a_faq_topic() -> None:
    message = {
        "response_selector": {
            "default": {"response": {"intent_response_key": "chitchat/joke"}}
        }
    }
    assert kn.faq_topic(message) is None


@pytest.mark.parametrize("message", [{"text": "hm"}, faq_message("does_not_exist")])
def test_unknown_topic_gets_friendly_message_and_no_events(
    message: Dict[str, Any],
    tracker: Callable[..., Any],
    dispatcher: Any,
    domain: Dict[str, Any],
) -> None:
    events = run(
        kn.ActionAnswerQuestion(), tracker(latest_message=message), dispatcher, domain
    )
    assert texts(dispatcher) == [kn.message("faq_not_understood")]
    assert events == []


# ------------------------------------------------------------------------ tell more
def test_tell_more_goes_one_level_deeper_each_time(
    tracker: Callable[..., Any], domain: Dict[str, Any]
) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    deeper = [strip(t) for t in content()["topics"]["continuum_levels"]["deeper"]]
    assert len(deeper) == 3
    for depth, expected in enumerate(deeper, start=1):
        dispatcher = CollectingDispatcher()
        events = run(
            kn.ActionTellMore(),
            tracker(
                slots={
                    "last_topic": "continuum_levels",
                    "last_topic_depth": float(depth),
                }
            ),
            dispatcher,
            domain,
        )
        assert texts(dispatcher) == [expected]
        assert events == [
            SlotSet("last_topic", "continuum_levels"),
            SlotSet("last_topic_depth", float(depth + 1)),
        ]


def test_tell_more_out_of_levels_says_so_and_suggests_topics(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionTellMore(),
        tracker(slots={"last_topic": "bowlby", "last_topic_depth": 2.0}),
        dispatcher,
        domain,
    )
    [text] = texts(dispatcher)
    assert text.startswith("Over John Bowlby")
    for related in content()["topics"]["bowlby"]["related"]:
        assert strip(content()["topics"][related]["prompt"]) in text
    assert events == []


def test_tell_more_without_topic_invites_a_question(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(kn.ActionTellMore(), tracker(), dispatcher, domain)
    [text] = texts(dispatcher)
    assert strip(content()["topics"]["what_is_attachment"]["prompt"]) in text
    assert events == []


def test_tell_more_on_a_style_uses_the_style_levels(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionTellMore(),
        tracker(slots={"last_topic": "style_anxious", "last_topic_depth": 1.0}),
        dispatcher,
        domain,
    )
    assert texts(dispatcher) == [strip(content()["styles"]["anxious"]["deeper"][0])]
    assert events == [
        SlotSet("last_topic", "style_anxious"),
        SlotSet("last_topic_depth", 2.0),
    ]


def test_tell_more_after_a_term_opens_its_topic(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionTellMore(),
        tracker(slots={"last_topic": "term_bril", "last_topic_depth": 1.0}),
        dispatcher,
        domain,
    )
    assert [m.get("response") for m in dispatcher.messages] == ["utter_faq/glasses"]
    assert events == [
        SlotSet("last_topic", "glasses"),
        SlotSet("last_topic_depth", 1.0),
    ]


# ---------------------------------------------------------------------- explain term
@pytest.mark.parametrize(
    "text,entities,key",
    [
        (
            "wat bedoel je met hyperactiverend?",
            [{"entity": "term", "value": "hyperactiverend"}],
            "hyperactiverend",
        ),
        ("wat bedoel je met deactiverende", [], "deactiverend"),
        ("wat is dat, een intern werkmodel?", [], "werkmodel"),
        ("sleutelervaringen snap ik niet", [], "sleutelervaring"),
        ("wat bedoel je met ontwikkelingstrauma", [], "complex_trauma"),
        ("wat betekent verworven veilige hechting", [], "verworven_veilig"),
        ("huh referentiepunt?", [], "ijkpunt"),
        ("en dat continuüm?", [], "continuum"),
        ("wat bedoel je daarmee", [{"entity": "term", "value": "trigger"}], "trigger"),
        # "hechting" in passing: the question is about the other term.
        (
            "wanneer zit hechting in je persoonlijkheidsstructuur",
            [],
            "persoonlijkheidsstructuur",
        ),
        ("bij veilige hechting staat iets over autonomie, wat is dat", [], "autonomie"),
        ("wat is een hechtingsstijl eigenlijk", [], "hechtingsstijl"),
    ],
)
def test_explain_term_by_name(
    text: str,
    entities: List[Dict[str, Any]],
    key: str,
    tracker: Callable[..., Any],
    dispatcher: Any,
    domain: Dict[str, Any],
) -> None:
    events = run(
        kn.ActionExplainTerm(),
        tracker(text=text, entities=entities),
        dispatcher,
        domain,
    )
    assert texts(dispatcher) == [
        strip(content()["terms"][key]["text"]),
        kn.message("term_offer"),
    ]
    assert events == [
        SlotSet("last_topic", f"term_{key}"),
        SlotSet("last_topic_depth", 1.0),
    ]


def test_explain_term_from_the_last_answer(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionExplainTerm(),
        tracker(slots={"last_topic": "key_experiences"}, text="wat bedoel je daarmee?"),
        dispatcher,
        domain,
    )
    assert texts(dispatcher)[0] == strip(content()["terms"]["sleutelervaring"]["text"])


def test_explain_term_from_the_last_style(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionExplainTerm(),
        tracker(slots={"last_topic": "style_avoidant"}, text="hoe bedoel je?"),
        dispatcher,
        domain,
    )
    assert texts(dispatcher)[0] == strip(content()["terms"]["deactiverend"]["text"])


def test_explain_two_terms_at_once(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionExplainTerm(),
        tracker(text="wat is bindingsangst en verlatingsangst"),
        dispatcher,
        domain,
    )
    assert texts(dispatcher)[:2] == [
        strip(content()["terms"]["bindingsangst"]["text"]),
        strip(content()["terms"]["verlatingsangst"]["text"]),
    ]


def test_unknown_term_asks_which_word(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionExplainTerm(),
        tracker(text="wat bedoel je met flapdrol"),
        dispatcher,
        domain,
    )
    [text] = texts(dispatcher)
    assert "sleutelervaring" in text and text.startswith("Welk woord")
    assert events == []


# --------------------------------------------------------------------- explain style
def _all_aliases() -> List[tuple]:
    table = kn.variants()
    return [
        (key, str(alias)) for key, entry in table.items() for alias in entry["aliases"]
    ]


@pytest.mark.parametrize("key,alias", _all_aliases())
def test_explain_style_for_every_name(
    key: str,
    alias: str,
    tracker: Callable[..., Any],
    dispatcher: Any,
    domain: Dict[str, Any],
) -> None:
    entry = kn.variants()[key]
    events = run(
        kn.ActionExplainStyle(), tracker(text=f"wat is {alias}?"), dispatcher, domain
    )
    expected: List[str] = [strip(entry["note"])] if entry.get("note") else []
    if entry["style"] in STYLES:
        expected.append(strip(content()["styles"][entry["style"]]["intro"]))
        assert events == [
            SlotSet("last_topic", f"style_{entry['style']}"),
            SlotSet("last_topic_depth", 1.0),
        ]
    else:
        assert events == [
            SlotSet("last_topic", "four_styles"),
            SlotSet("last_topic_depth", 1.0),
        ]
    assert texts(dispatcher) == expected


@pytest.mark.parametrize("value", list(kn.variants()))
def test_explain_style_from_entity_value_only(
    value: str, tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    entry = kn.variants()[value]
    run(
        kn.ActionExplainStyle(),
        tracker(
            text="wat is dat?",
            entities=[{"entity": "attachment_style", "value": value}],
        ),
        dispatcher,
        domain,
    )
    if value in STYLES:
        # a bare style code (a described style, a button): no name to bridge
        assert texts(dispatcher) == [strip(content()["styles"][value]["intro"])]
        return
    assert texts(dispatcher)[0] == strip(
        entry["note"]
        if entry.get("note")
        else content()["styles"][entry["style"]]["intro"]
    )


def test_a_named_style_keeps_its_note_beside_a_style_code(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    """The text names "vermijdend": its bridge note comes first, whatever the entity."""
    run(
        kn.ActionExplainStyle(),
        tracker(
            text="is dat vermijdend?",
            entities=[{"entity": "attachment_style", "value": "avoidant"}],
        ),
        dispatcher,
        domain,
    )
    assert texts(dispatcher) == [
        strip(kn.variants()["avoidant"]["note"]),
        strip(content()["styles"]["avoidant"]["intro"]),
    ]


def test_bridge_angstig_vermijdend_is_dismissing_not_fearful(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionExplainStyle(),
        tracker(text="wat is angstig-vermijdend"),
        dispatcher,
        domain,
    )
    note, intro = texts(dispatcher)
    assert (
        "dismissing" in note
        and "fearful-avoidant" in note.lower()
        and "gedesorganiseerd" in note
    )
    assert intro == strip(content()["styles"]["avoidant"]["intro"])


def test_bridge_fearful_avoidant_is_disorganised(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionExplainStyle(),
        tracker(text="ik ben fearful avoidant zegt mijn coach"),
        dispatcher,
        domain,
    )
    note, intro = texts(dispatcher)
    assert "gedesorganiseerd" in note and "dismissing" in note
    assert intro == strip(content()["styles"]["disorganised"]["intro"])
    assert events[0] == SlotSet("last_topic", "style_disorganised")


def test_both_names_in_one_question_get_both_notes(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    run(
        kn.ActionExplainStyle(),
        tracker(
            text="wat is het verschil tussen angstig-vermijdend en fearful-avoidant?"
        ),
        dispatcher,
        domain,
    )
    sent = texts(dispatcher)
    assert sent == [
        strip(kn.variants()["anxious_avoidant"]["note"]),
        strip(kn.variants()["fearful_avoidant"]["note"]),
        strip(content()["styles"]["avoidant"]["intro"]),
    ]


def test_no_style_named_uses_own_result(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionExplainStyle(),
        tracker(slots={"result_style": "anxious"}, text="wat is dat?"),
        dispatcher,
        domain,
    )
    assert texts(dispatcher) == [
        strip(content()["styles"]["anxious"]["intro"]),
        kn.message("your_style"),
    ]
    assert events[0] == SlotSet("last_topic", "style_anxious")


def test_no_style_named_and_no_result_asks_which(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    events = run(
        kn.ActionExplainStyle(), tracker(text="wat is die stijl"), dispatcher, domain
    )
    assert texts(dispatcher) == [kn.message("unknown_style")]
    assert events == []


# ------------------------------------------------------------------------- helpers
@pytest.mark.parametrize(
    "text,expected",
    [
        ("angstig-vermijdend", ["anxious_avoidant"]),
        ("angstig vermijdend of angstig", ["anxious_avoidant", "anxious"]),
        ("onveilig of veilig", ["insecure", "secure"]),
        ("dismissive-avoidant", ["dismissing"]),
        ("Gedesoriënteerd", ["disorganised"]),
        ("niets hier", []),
    ],
)
def test_find_aliases_longest_name_wins(text: str, expected: List[str]) -> None:
    assert kn.find_aliases(text, "variants") == expected


def test_depth_of_bad_slot_value_is_one(tracker: Callable[..., Any]) -> None:
    t: Optional[Any] = tracker(slots={"last_topic_depth": "onzin"})
    assert kn.depth_of(t) == 1


# ------------------------------------------------------- follow-ups on a result
RESULT_EVENTS = [
    {"event": "user", "text": "bijna altijd"},
    {"event": "action", "name": "questionnaire_form"},
    {"event": "action", "name": "action_show_result"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "wat betekent dat?"},
]


@pytest.mark.parametrize("action", [kn.ActionExplainTerm(), kn.ActionTellMore()])
def test_follow_up_right_after_the_result_explains_the_result(
    action: Action, tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    from actions.results import texts as result_texts

    t = tracker(
        slots={
            "result_style": "anxious",
            "result_continuum": "traits",
            "last_topic": "bril",
        },
        intent="explain_term",
        text="wat betekent dat?",
        events=RESULT_EVENTS,
    )
    run(action, t, dispatcher, domain)
    sent = texts(dispatcher)
    assert strip(result_texts()["describe"]["more"]["anxious"]) in sent


def test_follow_up_after_another_answer_stays_on_the_topic(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    from actions.results import texts as result_texts

    events = [
        *RESULT_EVENTS[:4],
        {"event": "user", "text": "wat is een trigger"},
        {"event": "action", "name": "action_explain_term"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "en verder?"},
    ]
    t = tracker(
        slots={"result_style": "anxious", "last_topic": "faq_triggers"},
        intent="tell_more",
        events=events,
    )
    assert not kn.follows_result(t)
    run(kn.ActionTellMore(), t, dispatcher, domain)
    assert strip(result_texts()["describe"]["more"]["anxious"]) not in texts(dispatcher)


def test_follow_up_after_a_result_topic_explains_the_result(
    tracker: Callable[..., Any], dispatcher: Any, domain: Dict[str, Any]
) -> None:
    """'wat betekent dat?' after a result follow-up (e.g. 'bij stress') is about the result."""
    from actions.results import texts as result_texts

    events = [
        *RESULT_EVENTS[:3],
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "wat betekent dit bij stress?"},
        {"event": "action", "name": "action_answer_result_topic"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "wat betekent dat?"},
    ]
    t = tracker(
        slots={"result_style": "anxious", "last_topic": "bril"},
        intent="explain_term",
        text="wat betekent dat?",
        events=events,
    )
    run(kn.ActionExplainTerm(), t, dispatcher, domain)
    assert strip(result_texts()["describe"]["more"]["anxious"]) in texts(dispatcher)


@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        ("iemand had het over een hechtingsbril", "terms", ["bril"]),
        (
            "persoonlijkheidsstuctuur, wat is dat",
            "terms",
            ["persoonlijkheidsstructuur"],
        ),
        ("fear of abandonment, wat betekent dat", "terms", ["verlatingsangst"]),
        ("self-image, wat is dat", "terms", ["zelfbeeld"]),
        ("onopgeloste hechting?", "variants", ["unresolved"]),
        ("ik wil ruzie vermijden", "variants", []),
    ],
)
def test_names_with_typos_compounds_and_english_are_found(
    text: str, section: str, expected: List[str]
) -> None:
    """The content's names block and aliases let the action read how people type."""
    assert kn.find_aliases(text, section) == expected
