"""Tests for the answer decision (bot/components/topic_choice.py) and its component."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from actions import knowledge as kn
from bot.components import topic_choice as tc
from bot.components.topic_resolver import TopicResolver, pending_options

SETTINGS = tc.Settings()


@pytest.fixture(scope="module")
def vocabulary() -> tc.Vocabulary:
    """The vocabulary of the real content."""
    return tc.Vocabulary.from_content(kn.knowledge())


@pytest.fixture(scope="module")
def resolver(vocabulary: tc.Vocabulary) -> TopicResolver:
    """The component with the default settings and the real content."""
    return TopicResolver(TopicResolver.get_default_config(), vocabulary)


def decide(
    vocabulary: tc.Vocabulary,
    intents: Sequence[Tuple[str, float]],
    topics: Sequence[Tuple[str, float]] = (),
    text: str = "vraag",
    settings: tc.Settings = SETTINGS,
) -> tc.Decision:
    return tc.resolve(intents, topics, text, vocabulary, settings)


# ------------------------------------------------------------------- the decision
def test_clear_faq_question_is_answered(vocabulary: tc.Vocabulary) -> None:
    decision = decide(
        vocabulary,
        [("faq", 0.97), ("chitchat", 0.03)],
        [("earned_secure", 0.9), ("change_through_relationship", 0.1)],
        "kan ik veiliger gehecht raken?",
    )
    assert decision.kind == "answer"
    assert decision.label == "faq/earned_secure"


def test_two_close_topics_are_asked_back(vocabulary: tc.Vocabulary) -> None:
    decision = decide(
        vocabulary,
        [("faq", 0.95), ("chitchat", 0.05)],
        [("how_styles_arise", 0.45), ("earned_secure", 0.4), ("children", 0.15)],
        "hoe kan ik daarin veranderen dan",
    )
    assert decision.kind == "ask"
    assert decision.options == (
        "faq/how_styles_arise",
        "faq/earned_secure",
        "faq/children",
    )


def test_weak_options_are_not_offered(vocabulary: tc.Vocabulary) -> None:
    decision = decide(
        vocabulary,
        [("faq", 1.0)],
        [("how_styles_arise", 0.42), ("earned_secure", 0.4), ("children", 0.05)],
    )
    assert decision.options == ("faq/how_styles_arise", "faq/earned_secure")


def test_equivalent_answers_count_as_one(vocabulary: tc.Vocabulary) -> None:
    """A term's explanation and the FAQ topic about it do not compete."""
    decision = decide(
        vocabulary,
        [("faq", 0.5), ("explain_term", 0.5)],
        [("fear_of_commitment", 1.0)],
        "bindingsangst, hoe zit dat",
    )
    assert decision.kind == "answer"
    assert tc.canonical(str(decision.label)) == "faq/fear_of_commitment"


def test_clear_other_intent_is_left_alone(vocabulary: tc.Vocabulary) -> None:
    decision = decide(
        vocabulary, [("greet", 0.95), ("faq", 0.05)], [("bowlby", 1.0)], "hoi"
    )
    assert decision.kind == "pass"


def test_unclear_message_that_looks_like_a_question_is_asked_back(
    vocabulary: tc.Vocabulary,
) -> None:
    """FallbackClassifier would give up; the answers together are likely."""
    decision = decide(
        vocabulary,
        [("answer_question", 0.3), ("faq", 0.45), ("ask_style", 0.25)],
        [("relationships", 0.5), ("fear_of_abandonment", 0.5)],
        "en als ik steeds bang ben in de liefde",
    )
    assert decision.kind == "ask"
    assert set(decision.options) == {"faq/relationships", "faq/fear_of_abandonment"}


def test_unclear_message_without_a_question_is_left_alone(
    vocabulary: tc.Vocabulary,
) -> None:
    decision = decide(
        vocabulary,
        [("answer_question", 0.4), ("affirm", 0.35), ("faq", 0.25)],
        [("relationships", 1.0)],
        "ja soms",
    )
    assert decision.kind == "pass"


# ---------------------------------------------------------------- named concepts
def test_named_concept_wins_over_a_neighbouring_topic(
    vocabulary: tc.Vocabulary,
) -> None:
    """The classifier alone would answer how styles arise; the text names zelfbeeld."""
    intents = [("faq", 0.9), ("explain_term", 0.1)]
    topics = [("how_styles_arise", 0.6), ("two_dimensions", 0.25), ("bowlby", 0.15)]
    text = "wat heeft mijn zelfbeeld ermee te maken"
    alone = tc.decide(tc.answer_scores(intents, topics, text, vocabulary), SETTINGS)
    assert alone.label == "faq/how_styles_arise"
    decision = decide(vocabulary, intents, topics, text)
    best = decision.label if decision.kind == "answer" else decision.options[0]
    assert tc.canonical(str(best)) == "faq/two_dimensions"


@pytest.mark.parametrize(
    "text, term",
    [
        (
            "wanneer noem je een hechtingspatroon een karaktertrek",
            "term/karaktertrekken",
        ),
        ("wat betekent hechting als symptoom", "term/symptoom"),
        ("hechtingsstijl, wat is dat precies", "term/hechtingsstijl"),
    ],
)
def test_a_term_question_is_about_the_term_not_named_in_passing(
    vocabulary: tc.Vocabulary, text: str, term: str
) -> None:
    """The word "hechting" is named in passing by most questions: another term wins."""
    scores = tc.answer_scores([("explain_term", 1.0)], [], text, vocabulary)
    assert scores == {term: 1.0}


def test_named_concept_keeps_the_classifiers_reading_of_the_question(
    vocabulary: tc.Vocabulary,
) -> None:
    """'wat is bindingsangst?' gets the term, 'heb ik bindingsangst?' the topic."""
    term = decide(
        vocabulary,
        [("explain_term", 0.9), ("faq", 0.1)],
        [("fear_of_commitment", 1.0)],
        "wat is bindingsangst?",
    )
    assert (term.kind, term.label) == ("answer", "term/bindingsangst")
    topic = decide(
        vocabulary,
        [("faq", 0.9), ("explain_term", 0.1)],
        [("fear_of_commitment", 0.8), ("relationships", 0.2)],
        "heb ik bindingsangst?",
    )
    assert (topic.kind, topic.label) == ("answer", "faq/fear_of_commitment")


def test_named_concept_does_not_take_over_a_clear_broader_question(
    vocabulary: tc.Vocabulary,
) -> None:
    """A topic about no particular concept keeps a clear lead."""
    decision = decide(
        vocabulary,
        [("faq", 0.98), ("explain_term", 0.02)],
        [("children", 0.95), ("fear_of_commitment", 0.05)],
        "geef ik mijn bindingsangst door aan mijn kinderen?",
        tc.Settings(concept_mass=0.3, min_margin=0.2, min_score=0.5),
    )
    assert (decision.kind, decision.label) == ("answer", "faq/children")


def test_concept_that_is_another_answers_topic_is_weakened(
    vocabulary: tc.Vocabulary,
) -> None:
    raw = {"faq/glasses": 0.6, "faq/triggers": 0.4}
    adjusted = tc.with_concepts(
        raw, vocabulary.concepts_in("wat is een trigger"), vocabulary, SETTINGS
    )
    assert adjusted["faq/triggers"] > adjusted["faq/glasses"]


def test_everyday_words_name_no_concept(vocabulary: tc.Vocabulary) -> None:
    assert not vocabulary.concepts_in("hoe word ik veilig gehecht en dichtbij")
    assert vocabulary.concepts_in("wat is dismissive avoidant") == {"style/avoidant"}
    assert vocabulary.concepts_in("mijn persoonlijkheidsstructuur") == {
        "term/persoonlijkheidsstructuur"
    }


def test_style_names_give_the_style_answer(vocabulary: tc.Vocabulary) -> None:
    decision = decide(
        vocabulary,
        [("ask_style", 0.55), ("faq", 0.45)],
        [("four_styles", 0.7), ("is_insecure_bad", 0.3)],
        "wat is fearful-avoidant",
    )
    assert decision.kind == "answer"
    assert decision.label == "style/disorganised"


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("ik app hem de hele dag, is dat vastklampend?", "style/anxious"),
        ("hij zegt nooit wat hij voelt. is hij vermijdend gehecht", "style/avoidant"),
        ("allez, ik klap dicht bij ruzie, ben ik dan avoidant?", "style/avoidant"),
        (
            "ik trek me terug als het spannend wordt, vermijdende hechting?",
            "style/avoidant",
        ),
        ("ze blijft altijd rustig, dus is ze secure", "style/secure"),
        # The name in passing, not the point of the question: no asked style.
        ("is gedesorganiseerde hechting een gevolg van trauma", None),
        ("hoe herken ik of ik vermijdend ben", None),
        ("kan ik van angstig naar veilig groeien, is dat veilig?", None),
        ("is het erg als ik vermijdend ben", None),
        ("wat is vermijdend", None),
    ],
)
def test_the_style_a_question_ends_by_asking_about(
    vocabulary: tc.Vocabulary, text: str, style: Optional[str]
) -> None:
    assert vocabulary.asked_style(text) == style


def test_a_style_asked_about_wins_over_a_neighbouring_topic(
    vocabulary: tc.Vocabulary,
) -> None:
    """A story about clinging that ends "is dat vastklampend?" gets the style.

    The classifier reads the story as the love-relationships topic; without the
    asked style's mass that answer would be given.
    """
    intents = [("faq", 0.85), ("ask_style", 0.15)]
    topics = [("relationships", 0.9), ("fear_of_abandonment", 0.1)]
    text = "ik raak in paniek als hij niet antwoordt, is dat vastklampend?"
    without = decide(vocabulary, intents, topics, text, tc.Settings(min_margin=0.1))
    assert (without.kind, without.label) == ("answer", "faq/relationships")
    settings = tc.Settings(min_margin=0.1, asked_style_mass=1.0)
    decision = decide(vocabulary, intents, topics, text, settings)
    assert (decision.kind, decision.label) == ("answer", "style/anxious")
    # The same story ending in a broader question keeps the topic.
    broader = decide(
        vocabulary,
        intents,
        topics,
        "ik raak in paniek als hij niet antwoordt, hoe komt dat in een relatie",
        settings,
    )
    assert (broader.kind, broader.label) == ("answer", "faq/relationships")


# ------------------------------------------------------------------ typed choices
OPTIONS = ["faq/fear_of_commitment", "faq/relationships", "term/trigger"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("de eerste", "faq/fear_of_commitment"),
        ("2", "faq/relationships"),
        ("nummer drie", "term/trigger"),
        ("de laatste graag", "term/trigger"),
        ("bindingsangst", "faq/fear_of_commitment"),
        ("hechting in de liefde", "faq/relationships"),
        ("die over triggers", "term/trigger"),
        ("ja", "faq/fear_of_commitment"),
        ("ja, de tweede", "faq/relationships"),
        ("nee iets anders", tc.OTHER),
        ("geen van allen", tc.OTHER),
        ("iets anders", tc.OTHER),
        ("soms", None),
        ("wie was bowlby eigenlijk en wat heeft hij ontdekt", None),
        ("hoe komt dat zo", None),
    ],
)
def test_typed_choice(
    vocabulary: tc.Vocabulary, reply: str, expected: Optional[str]
) -> None:
    assert tc.read_choice(reply, OPTIONS, vocabulary) == expected


def test_position_beyond_the_options_is_no_choice(vocabulary: tc.Vocabulary) -> None:
    assert tc.read_choice("de derde", OPTIONS[:2], vocabulary) is None


# --------------------------------------------------------------------- component
def classified(
    text: str,
    intents: List[Tuple[str, float]],
    topics: List[Tuple[str, float]] = (),  # type: ignore[assignment]
) -> Message:
    """A message as the classifiers and FallbackClassifier leave it."""
    message = Message(data={"text": text})
    ranking = [{"name": name, "confidence": value} for name, value in intents]
    top = dict(ranking[0])
    if top["confidence"] < 0.45:
        top = {"name": "nlu_fallback", "confidence": 1 - top["confidence"]}
        ranking = [dict(top)] + ranking
    message.set("intent", top)
    message.set("intent_ranking", ranking)
    if topics:
        message.set(
            "response_selector",
            {
                "all_retrieval_intents": ["faq", "chitchat"],
                "faq": {
                    "response": {
                        "intent_response_key": f"faq/{topics[0][0]}",
                        "utter_action": f"utter_faq/{topics[0][0]}",
                        "confidence": topics[0][1],
                        "responses": [{"text": "x"}],
                    },
                    "ranking": [
                        {"intent_response_key": f"faq/{t}", "confidence": c, "id": i}
                        for i, (t, c) in enumerate(topics)
                    ],
                },
            },
        )
    return message


def test_component_asks_back_with_the_options(resolver: TopicResolver) -> None:
    message = classified(
        "hoe kan ik daarin veranderen dan",
        [("faq", 0.95), ("chitchat", 0.05)],
        [("how_styles_arise", 0.5), ("earned_secure", 0.5)],
    )
    resolver.process([message])
    assert message.get("intent")["name"] == "unclear_question"
    assert message.get("topic_choice")["options"] == [
        "faq/earned_secure",
        "faq/how_styles_arise",
    ]
    names = [entry["name"] for entry in message.get("intent_ranking")]
    assert names[0] == "unclear_question" and "faq" in names


def test_component_moves_the_faq_prediction_to_the_named_concept(
    resolver: TopicResolver,
) -> None:
    message = classified(
        "wat heeft mijn zelfbeeld ermee te maken",
        [("faq", 0.9), ("explain_term", 0.1)],
        [("how_styles_arise", 0.6), ("two_dimensions", 0.25), ("bowlby", 0.15)],
    )
    TopicResolver(
        {**TopicResolver.get_default_config(), "concept_mass": 1.0},
        resolver.vocabulary,
    ).process([message])
    assert message.get("intent")["name"] == "faq"
    response = message.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == "faq/two_dimensions"
    assert response["utter_action"] == "utter_faq/two_dimensions"
    assert kn.faq_topic(message.as_dict()) == "two_dimensions"


def test_component_answers_what_the_fallback_gave_up_on(
    resolver: TopicResolver,
) -> None:
    message = classified(
        "bindingsangst?",
        [("explain_term", 0.44), ("faq", 0.4), ("greet", 0.16)],
        [("fear_of_commitment", 1.0)],
    )
    resolver.process([message])
    assert message.get("intent")["name"] in ("explain_term", "faq")


def test_a_described_style_is_shared_out_by_the_second_reader(
    vocabulary: tc.Vocabulary,
) -> None:
    """ask_style without a name: the reader's styles say which one is meant."""
    text = "ik doe alles liever alleen en hulp vragen voelt zwak, welke stijl is dat"
    intents = [("ask_style", 0.9), ("faq", 0.1)]
    topics = [("how_to_know_style", 1.0)]
    reading = {"style/avoidant": 0.9, "style/anxious": 0.05, "faq/relationships": 0.05}
    without = tc.resolve(intents, topics, text, vocabulary, SETTINGS)
    with_reader = tc.resolve(intents, topics, text, vocabulary, SETTINGS, reading)
    assert without.label != "style/avoidant"
    assert with_reader.kind == "answer" and with_reader.label == "style/avoidant"
    # a reader with no style leaves the intent as it was
    assert tc.with_described_style({"ask_style": 0.9}, {"faq/bowlby": 1.0}) == {
        "ask_style": 0.9
    }


def test_component_names_a_described_style_for_the_action(
    resolver: TopicResolver,
) -> None:
    """The style was not named: the entity tells action_explain_style which one."""
    message = classified(
        "ik app hem tien keer als hij niet reageert, welke stijl is dat",
        [("ask_style", 0.9), ("faq", 0.1)],
        [("fear_of_abandonment", 1.0)],
    )
    message.set("knowledge_reading", [["style/anxious", 0.95], ["faq/bowlby", 0.05]])
    resolver.process([message])
    assert message.get("intent")["name"] == "ask_style"
    entities = message.get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("attachment_style", "anxious")
    ]
    assert kn.mentioned(message.as_dict(), "attachment_style", "variants") == [
        "anxious"
    ]


def test_component_adds_no_style_entity_when_the_style_is_named(
    resolver: TopicResolver,
) -> None:
    message = classified("wat is vermijdende hechting", [("ask_style", 0.95)])
    message.set("knowledge_reading", [["style/anxious", 0.9], ["faq/bowlby", 0.1]])
    resolver.process([message])
    assert message.get("intent")["name"] == "ask_style"
    assert message.get("topic_choice")["label"] == "style/avoidant"
    assert not message.get("entities")


def test_a_reader_unsure_of_any_style_gives_no_style(vocabulary: tc.Vocabulary) -> None:
    """Small style probabilities are no choice: the rest stays on ask_style."""
    intents = [("ask_style", 0.6), ("ask_my_result", 0.4)]
    reading = {"faq/how_to_know_style": 0.95, "style/secure": 0.02}
    decision = tc.resolve(
        intents, [], "en wat is mijn stijl dan", vocabulary, SETTINGS, reading
    )
    assert decision.label != "style/secure"
    shared = tc.with_described_style({"ask_style": 0.6}, reading)
    assert shared["style/secure"] == pytest.approx(0.012)
    assert shared["ask_style"] == pytest.approx(0.588)


def test_component_leaves_other_intents_and_payloads_alone(
    resolver: TopicResolver,
) -> None:
    hello = classified("hoi", [("greet", 0.98), ("faq", 0.02)], [("bowlby", 1.0)])
    payload = classified('/choose_topic{"topic_choice":"faq/bowlby"}', [("faq", 0.3)])
    resolver.process([hello, payload])
    assert hello.get("intent")["name"] == "greet"
    assert payload.get("intent")["name"] == "nlu_fallback"
    assert payload.get("topic_choice") is None


def asked_tracker(options: Any, then: Sequence[Any] = ()) -> DialogueStateTracker:
    events = [
        UserUttered("iets vaags", {"name": "unclear_question", "confidence": 1.0}),
        ActionExecuted("action_ask_which_topic"),
        SlotSet("topic_options", options),
        ActionExecuted("action_listen"),
        *then,
    ]
    return DialogueStateTracker.from_events("someone", events)


def test_typed_choice_becomes_the_choice_intent(resolver: TopicResolver) -> None:
    message = classified("de tweede", [("answer_question", 0.6), ("faq", 0.4)])
    resolver.process([message], asked_tracker(OPTIONS))
    assert message.get("intent")["name"] == "choose_topic"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("topic_choice", "faq/relationships")
    ]


def test_choice_counts_only_right_after_the_question() -> None:
    assert pending_options(asked_tracker(OPTIONS)) == OPTIONS
    later = [
        UserUttered("soms", {"name": "answer_question", "confidence": 1.0}),
        ActionExecuted("questionnaire_form"),
        ActionExecuted("action_listen"),
    ]
    assert pending_options(asked_tracker(OPTIONS, later)) == []
    assert pending_options(None) == []


def test_without_a_question_a_typed_ordinal_is_no_choice(
    resolver: TopicResolver,
) -> None:
    message = classified("de tweede", [("answer_question", 0.9), ("faq", 0.1)])
    resolver.process([message], DialogueStateTracker.from_events("x", []))
    assert message.get("intent")["name"] == "answer_question"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("is onveilig gehecht zijn een stoornis?", "faq/is_insecure_bad"),
        ("kan ik ooit van mijn vermijdende hechting afkomen", "faq/earned_secure"),
        ("is het de schuld van mijn ouders", "faq/parents_blame"),
        ("kun je meerdere stijlen tegelijk hebben", "faq/several_styles"),
        ("welke bronnen gebruik je", "faq/sources"),
    ],
)
def test_cue_words_name_their_topic(
    vocabulary: tc.Vocabulary, text: str, topic: str
) -> None:
    assert topic in vocabulary.cues_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "soms, als we ruzie hebben",
        "hangt er vanaf",
        "hangt van de situatie af",
        "ik heb ergens gelezen dat je kan veranderen",
        "ik ben bang voor afwijzing",
        "mijn oma is overleden",
    ],
)
def test_everyday_words_cue_no_topic(vocabulary: tc.Vocabulary, text: str) -> None:
    """Typed answers and words one typo from a cue ('gelezen', 'afwijzing')."""
    assert vocabulary.cues_in(text) == frozenset()


def test_a_cued_topic_on_top_needs_a_smaller_share(vocabulary: tc.Vocabulary) -> None:
    """The classifier puts "is insecure bad" first, not far enough ahead on its own.

    The cue word ("stoornis") agrees: answered. The same ranking without a cue
    word, or with the cue of another topic, is asked back.
    """
    intents = [("faq", 0.7), ("ask_style", 0.3)]
    topics = [("is_insecure_bad", 0.95), ("continuum", 0.05)]
    settings = tc.Settings(min_score=0.9, min_margin=0.1, cued_min_score=0.5)
    cued = decide(
        vocabulary, intents, topics, "is onveilig gehecht een stoornis", settings
    )
    assert (cued.kind, cued.label) == ("answer", "faq/is_insecure_bad")
    plain = decide(vocabulary, intents, topics, "is onveilig gehecht ok", settings)
    assert plain.kind == "ask"
    other = decide(
        vocabulary,
        intents,
        topics,
        "is onveilig gehecht de schuld van mijn ouders",
        settings,
    )
    assert other.kind == "ask"
    off = decide(
        vocabulary,
        intents,
        topics,
        "is onveilig gehecht een stoornis",
        tc.Settings(min_score=0.9, min_margin=0.1),
    )
    assert off.kind == "ask"


def test_default_settings_match_config() -> None:
    """config.yml sets every setting explicitly (the tuned values)."""
    import yaml

    from bot.components.topic_resolver import ROOT

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    entry: Dict[str, Any] = next(
        item for item in config["pipeline"] if item["name"].endswith("TopicResolver")
    )
    assert set(tc.Settings.__dataclass_fields__) <= set(entry)


@pytest.mark.parametrize("safety", ["crisis", "crisis_check"])
def test_a_crisis_reading_of_the_classifier_is_never_replaced(
    resolver: TopicResolver, safety: str
) -> None:
    """Even when the answers together weigh more, the safety layer must see it."""
    message = classified(
        "ik zie het niet meer zitten met mijn hechting",
        [(safety, 0.44), ("faq", 0.4), ("explain_term", 0.16)],
        [("earned_secure", 0.5), ("is_insecure_bad", 0.5)],
    )
    resolver.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    names = [entry["name"] for entry in message.get("intent_ranking")]
    assert names[:2] == ["nlu_fallback", safety]


# ------------------------------------------------------------- the second reader
READING_SETTINGS = tc.Settings(min_score=0.8, min_margin=0.1, reading_weight=0.6)
CLOSE = (
    [("faq", 0.95), ("chitchat", 0.05)],
    [("several_styles", 0.86), ("parents_blame", 0.14)],
)


def test_readers_that_agree_answer(vocabulary: tc.Vocabulary) -> None:
    intents, topics = CLOSE
    agree = {"faq/several_styles": 0.9, "faq/parents_blame": 0.05}
    decision = tc.resolve(
        intents, topics, "bij mijn moeder anders", vocabulary, READING_SETTINGS, agree
    )
    assert (decision.kind, decision.label) == ("answer", "faq/several_styles")


def test_readers_that_disagree_ask_back(vocabulary: tc.Vocabulary) -> None:
    """The classifier alone would answer; the second reader points elsewhere."""
    intents, topics = CLOSE
    alone = tc.resolve(
        intents, topics, "bij mijn moeder anders", vocabulary, READING_SETTINGS
    )
    assert (alone.kind, alone.label) == ("answer", "faq/several_styles")
    disagree = {"faq/parents_blame": 0.9, "faq/several_styles": 0.05}
    decision = tc.resolve(
        intents,
        topics,
        "bij mijn moeder anders",
        vocabulary,
        READING_SETTINGS,
        disagree,
    )
    assert decision.kind == "ask"
    assert set(decision.options) == {"faq/several_styles", "faq/parents_blame"}
    off = tc.Settings(min_score=0.8, min_margin=0.1, reading_weight=0.0)
    ignored = tc.resolve(
        intents, topics, "bij mijn moeder anders", vocabulary, off, disagree
    )
    assert ignored.kind == "answer"


def test_the_reader_moves_only_the_answers_among_themselves() -> None:
    """The answers' joint share and the other intents stay the classifier's."""
    scores = {"faq/a": 0.5, "term/bindingsangst": 0.2, "chitchat": 0.3}
    blended = tc.with_reading(
        scores, {"faq/a": 0.1, "faq/fear_of_commitment": 0.9}, 0.6
    )
    assert blended["chitchat"] == pytest.approx(0.3)
    assert blended["faq/a"] + blended["term/bindingsangst"] == pytest.approx(0.7)
    # a term counts as its FAQ topic, which the reader prefers
    assert blended["term/bindingsangst"] > blended["faq/a"]
    assert tc.with_reading(scores, {}, 0.6) == scores


def test_component_reads_the_second_reader(resolver: TopicResolver) -> None:
    """What KnowledgeReader wrote on the message takes part in the decision."""
    config = {**TopicResolver.get_default_config(), **READING_SETTINGS.__dict__}
    component = TopicResolver(config, resolver.vocabulary)
    intents, topics = CLOSE
    message = classified("bij mijn moeder anders dan bij mijn vriend", intents, topics)
    message.set(
        "knowledge_reading", [["faq/parents_blame", 0.9], ["faq/several_styles", 0.05]]
    )
    component.process([message])
    assert message.get("intent")["name"] == "unclear_question"
    assert message.get("topic_choice")["reading"] == [
        ["faq/parents_blame", 0.9],
        ["faq/several_styles", 0.05],
    ]
    plain = classified("bij mijn moeder anders dan bij mijn vriend", intents, topics)
    component.process([plain])
    assert plain.get("intent")["name"] == "faq"


@pytest.mark.parametrize("min_score", [0.5, 0.75, 0.95])
def test_evidence_once_decides_as_resolve_under_any_settings(
    vocabulary: tc.Vocabulary, min_score: float
) -> None:
    """The replay that tunes the settings computes the evidence once per message."""
    intents = [("ask_style", 0.88), ("faq", 0.12)]
    topics = [("two_dimensions", 0.6), ("several_styles", 0.4)]
    text = "ik sta altijd voor iedereen klaar en verlies mezelf, welke stijl is dat"
    reading = {"style/anxious": 0.95, "style/avoidant": 0.01}
    settings = tc.Settings(min_score=min_score, reading_weight=0.6)
    found = tc.evidence(intents, topics, text, vocabulary, reading)
    expected = tc.resolve(intents, topics, text, vocabulary, settings, reading)
    assert tc.decide_on(found, vocabulary, settings) == expected
    assert "style/anxious" in found.raw
