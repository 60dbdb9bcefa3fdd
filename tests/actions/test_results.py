"""Tests for actions/results/: the result as a conversation.

Every action test asserts both the returned events and the messages sent. The
expected Dutch comes from ``actions/content/results.yml`` (never copied here),
so the tests check that the right piece of content reaches the person. Profiles
are built by hand, so these tests do not depend on the scoring thresholds.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Callable, Dict, List, Optional, Tuple
from unittest import mock

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.results import content, messages, records
from actions.results.follow_ups import available_topics, follow_up_buttons
from actions.results.result_actions import (
    ActionAnswerResultTopic,
    ActionCompareProfiles,
    ActionDescribeResult,
    ActionExplainResult,
    ActionRevisitQuestion,
    ActionSendSummary,
    ActionShowDimensions,
    ActionShowResult,
    ActionStartAnotherRelationship,
)
from actions.results.self_check import read_typed_rating
from actions.results.self_check_actions import (
    ActionRateSelfCheck,
    ActionSkipSelfCheck,
    ActionStartSelfCheck,
)
from actions.scoring import STYLES, Profile, ResponseCheck

Events = List[Dict[str, Any]]
Messages = List[Dict[str, Any]]
Outcome = Tuple[Events, Messages]
Act = Callable[..., Outcome]
texts = content.texts


def words(*path: str) -> str:
    """One stripped text of the results content."""
    return content.words(*path)


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


def make_profile(
    outcome: str = "style",
    style: Optional[str] = "anxious",
    continuum: Optional[str] = "traits",
    reason: str = "given",
    levels: Tuple[str, str] = ("high", "low"),
    check: Optional[ResponseCheck] = None,
    answered: int = 16,
    secondary: Optional[str] = None,
    clarity: str = "clear",
    scattered: Tuple[bool, bool] = (False, False),
) -> Profile:
    """A hand-built Profile as the scoring contract describes it.

    A scattered axis is "middle" with a concern far from the border.
    """
    concern = {"low": 0.2, "middle": 0.5, "high": 0.8}
    if scattered[0] or scattered[1]:
        concern = {**concern, "middle": 0.8}
    return Profile(
        outcome=outcome,  # type: ignore[arg-type]
        self_concern=None if outcome == "too_few" else concern[levels[0]],
        other_concern=None if outcome == "too_few" else concern[levels[1]],
        self_level=None if outcome == "too_few" else levels[0],  # type: ignore[arg-type]
        other_level=None if outcome == "too_few" else levels[1],  # type: ignore[arg-type]
        style=style if outcome == "style" else None,
        secondary_style=secondary,
        clarity=clarity if outcome == "style" else None,  # type: ignore[arg-type]
        continuum=continuum if outcome == "style" else None,  # type: ignore[arg-type]
        continuum_reason=reason if outcome == "style" else "no_style",  # type: ignore[arg-type]
        response_check=check,
        answered=answered,
        total=16,
        contributions={
            "self": [("q01", 0.1), ("q03", -0.05)],
            "other": [("q04", -0.05)],
        },
        self_scattered=scattered[0],
        other_scattered=scattered[1],
    )


ANSWERS: Dict[str, Any] = {
    "q01": 5,
    "q03": 4,
    "q04": 2,
    "q13": 4,
    "q14": 3,
    "q15": 4,
    "q16": 2,
}


def all_answers(value: int = 4, **changed: Optional[int]) -> Dict[str, Any]:
    """Every scored question answered with ``value``, except the ``changed`` ones."""
    return {**{qid: value for qid in content.scored_ids()}, **changed}


def record_of(
    profile: Profile, seq: int = 1, answers: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """The stored record of a profile, normalised as the actions read it."""
    stored = records.profile_record(
        profile, seq, ANSWERS if answers is None else answers
    )
    found = records.normalised(stored)
    assert found is not None
    return found


def profiles_slot(
    *items: Tuple[str, Profile], answers: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """A ``profiles`` slot value with one record per (context, profile), oldest first."""
    return {
        context: records.profile_record(
            profile, seq, ANSWERS if answers is None else answers
        )
        for seq, (context, profile) in enumerate(items, start=1)
    }


def by_slot(events: Events) -> Dict[str, Any]:
    """Map slot names to the values the events set."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts_of(sent: Messages) -> List[str]:
    """The text of every message that has one."""
    return [m["text"] for m in sent if m.get("text")]


def payloads(sent: Messages) -> List[str]:
    """Every button payload in these messages."""
    return [b["payload"] for m in sent for b in m.get("buttons") or []]


def show(act: Act, profile: Profile, context: str = "partner", **slots: Any) -> Outcome:
    """Run action_show_result with ``score`` returning ``profile``."""
    with mock.patch("actions.results.result_actions.score", return_value=profile):
        return act(
            ActionShowResult(), {"relationship_context": context, **ANSWERS, **slots}
        )


# --------------------------------------------------------------------------- the headline


def test_style_result_is_a_short_headline_picture_and_follow_up_buttons(
    act: Act,
) -> None:
    events, sent = show(act, make_profile())
    assert len(sent) == 3
    headline, picture, offer = sent
    assert headline["text"].startswith(content.context_intro("partner"))
    assert "**angstig-vastklampende**" in headline["text"]
    assert words("headline", "gist", "anxious") in headline["text"]
    assert len(headline["text"]) < 400 and not headline.get("buttons")
    assert picture["image"].startswith("data:image/png;base64,")
    assert offer["text"] == words("headline", "offer")
    titles = [b["title"] for b in offer["buttons"]]
    assert titles == [
        texts()["follow_ups"]["titles"][t]
        for t in (
            "stress",
            "love",
            "work",
            "why",
            "growth",
            "depth",
            "compare",
            "self_check",
            "summary",
        )
    ]
    slots = by_slot(events)
    assert slots["result_style"] == "anxious"
    assert slots["result_continuum"] == "traits"
    assert slots["result_topics_seen"] == []
    stored = slots["profiles"]["partner"]
    assert stored["outcome"] == "style" and stored["self_level"] == "high"
    assert stored["answers"]["q01"] == 5 and stored["self_check"] is None
    # the old wall of text is gone: no bril, no bullets, no self-check prompt
    everything = "\n".join(texts_of(sent))
    assert "bril" not in everything and "•" not in everything


def test_depth_button_only_with_a_continuum_statement(act: Act) -> None:
    _, sent = show(act, make_profile(continuum=None, reason="too_few"))
    assert "/ask_result_depth" not in payloads(sent)
    assert "/ask_result_stress" in payloads(sent)
    _, sent = show(act, make_profile(continuum=None, reason="unclear"))
    assert "/ask_result_depth" in payloads(sent)


def test_a_weak_result_with_a_secondary_style_keeps_the_hedge(act: Act) -> None:
    unclear = make_profile(
        levels=("high", "middle"), secondary="disorganised", clarity="unclear"
    )
    _, sent = show(act, unclear)
    assert words("headline", "unclear") in sent[0]["text"]
    moderate = make_profile(
        levels=("high", "middle"), secondary="disorganised", clarity="moderate"
    )
    _, sent = show(act, moderate)
    assert words("headline", "tentative") in sent[0]["text"]
    _, sent = show(act, make_profile(clarity="moderate"))
    assert words("headline", "tentative") not in sent[0]["text"]


def test_a_scattered_axis_is_not_called_near_the_border(act: Act) -> None:
    profile = make_profile(
        style="avoidant",
        levels=("middle", "high"),
        secondary="disorganised",
        scattered=(True, False),
    )
    _, sent = show(act, profile)
    text = sent[0]["text"]
    assert (
        content.format_words(
            texts()["headline"]["secondary_scattered"],
            axis=content.axis_name("self"),
            secondary="gedesorganiseerde",
        )
        in text
    )
    assert "dicht bij de grens" not in text


def test_no_pattern_with_a_scattered_axis_does_not_say_middle(act: Act) -> None:
    profile = make_profile(
        outcome="no_pattern", levels=("middle", "low"), scattered=(True, False)
    )
    _, sent = show(act, profile)
    text = sent[0]["text"]
    axes = texts()["headline"]["no_pattern_axes"]
    assert str(axes["self"]["scattered"]) in text
    assert str(axes["other"]["low"]) in text
    assert "midden" not in text
    stored = records.normalised(by_slot(show(act, profile)[0])["profiles"]["partner"])
    assert stored is not None and stored["self_scattered"] is True
    summary = messages.summary_line("partner", stored)
    assert words("levels", "short", "self", "scattered") in summary


def test_gists_hedge_what_was_not_measured_and_name_the_naming_trap() -> None:
    gist = texts()["headline"]["gist"]
    assert "misschien" in gist["anxious"] and "heel belangrijk" in gist["anxious"]
    assert "De ander is heel belangrijk" not in gist["anxious"]
    assert "misschien verlang je" in gist["disorganised"]
    assert "je verlangt naar contact" not in gist["disorganised"]
    avoidant = " ".join(str(gist["avoidant"]).split())
    assert "'angstig'" in avoidant and "positief beeld van jezelf" in avoidant
    assert "'dismissing'" in avoidant and "'fearful'" in avoidant


def test_secure_text_only_for_a_secure_style(act: Act) -> None:
    _, sent = show(
        act,
        make_profile(
            style="secure", continuum=None, reason="secure_side", levels=("low", "low")
        ),
    )
    assert words("headline", "gist", "secure") in texts_of(sent)[0]
    for outcome in ("no_pattern", "mixed"):
        _, other = show(act, make_profile(outcome=outcome, levels=("low", "low")))
        assert words("headline", "gist", "secure") not in "\n".join(texts_of(other))


def test_no_pattern_has_no_style_and_no_bril_but_the_picture(act: Act) -> None:
    events, sent = show(
        act, make_profile(outcome="no_pattern", levels=("middle", "low"))
    )
    headline = sent[0]["text"]
    assert headline.startswith(
        content.format_words(
            texts()["headline"]["no_pattern"], intro=content.context_intro("partner")
        )
    )
    axes = texts()["headline"]["no_pattern_axes"]
    assert str(axes["self"]["middle"]) in headline
    assert str(axes["other"]["low"]) in headline  # a clearly low axis is named
    assert str(axes["both_middle"]) not in headline
    for name in texts()["style_names"].values():
        assert name not in headline
    assert "bril" not in headline
    assert sent[1]["image"].startswith("data:image/png")
    assert payloads(sent) == [
        "/explain_result",
        "/ask_result_growth",
        "/another_relationship",
        "/request_self_check",
        "/request_summary",
    ]
    slots = by_slot(events)
    assert slots["result_style"] is None and slots["result_continuum"] is None
    assert slots["profiles"]["partner"]["outcome"] == "no_pattern"


def test_mixed_shows_the_pairs_with_answers_and_offers_to_look_again(act: Act) -> None:
    check = ResponseCheck(kind="contradiction", pairs=(("q01", "q03"),))
    events, sent = show(act, make_profile(outcome="mixed", check=check))
    assert len(sent) == 1 and not sent[0].get("image")
    text = sent[0]["text"]
    assert (
        content.short_question("q01") in text and content.short_question("q03") in text
    )
    assert "Vraag 1 (" in text and "Vraag 3 (" in text
    assert ": bijna altijd." in text and ": vaak." in text  # q01 = 5, q03 = 4
    for name in texts()["style_adjectives"].values():
        assert name not in text
    assert payloads(sent)[:3] == [
        '/revisit_question{"question_id":"q01"}',
        '/revisit_question{"question_id":"q03"}',
        "/show_dimensions",
    ]
    assert text.endswith(words("headline", "mixed_offer", "revisit"))
    assert "/restart_questionnaire" not in payloads(sent)
    titles = [b["title"] for b in sent[0]["buttons"]]
    assert titles[:2] == ["Vraag 1 nog eens", "Vraag 3 nog eens"]
    assert by_slot(events)["profiles"]["partner"]["response_check"] == {
        "kind": "contradiction",
        "pairs": [["q01", "q03"]],
    }


def test_mixed_without_pairs_names_the_response_style(act: Act) -> None:
    check = ResponseCheck(kind="straight_line", pairs=())
    _, sent = show(act, make_profile(outcome="mixed", check=check))
    intro = content.context_intro("partner")
    text = sent[0]["text"]
    assert text.startswith(
        content.format_words(
            texts()["headline"]["mixed_kind"]["straight_line"], intro=intro
        )
    )
    assert "die vragen" not in text and "•" not in text
    assert payloads(sent)[:2] == ["/restart_questionnaire", "/show_dimensions"]
    assert not any(p.startswith("/revisit_question") for p in payloads(sent))


ALL_PAIRS = (
    ("q01", "q03"),
    ("q02", "q04"),
    ("q05", "q09"),
    ("q06", "q08"),
    ("q11", "q07"),
    ("q12", "q10"),
)


@pytest.mark.parametrize("kind", ["straight_line", "acquiescence"])
def test_a_response_style_names_its_kind_two_pairs_and_offers_a_restart(
    act: Act, kind: str
) -> None:
    check = ResponseCheck(kind=kind, pairs=ALL_PAIRS)  # type: ignore[arg-type]
    _, sent = show(act, make_profile(outcome="mixed", check=check), **all_answers(4))
    text = sent[0]["text"]
    intro = content.context_intro("partner")
    assert text.startswith(
        content.format_words(texts()["headline"]["mixed_kind"][kind], intro=intro)
    )
    assert words("headline", "mixed_pairs_intro", "same_answer") in text
    assert text.count("•") == 2 and text.count(": vaak.") == 4
    assert text.endswith(words("headline", "mixed_offer", "restart"))
    assert "die vragen" not in text
    titles = [b["title"] for b in sent[0]["buttons"]]
    assert titles[:2] == [
        words("follow_ups", "titles", "restart"),
        words("follow_ups", "titles", "dimensions"),
    ]
    assert not any(p.startswith("/revisit_question") for p in payloads(sent))


def test_many_contradicting_pairs_show_two_and_also_offer_a_restart(act: Act) -> None:
    check = ResponseCheck(kind="contradiction", pairs=ALL_PAIRS[:4])
    _, sent = show(act, make_profile(outcome="mixed", check=check))
    text = sent[0]["text"]
    assert text.count("•") == 2
    assert text.endswith(words("headline", "mixed_offer", "revisit_more"))
    revisits = [p for p in payloads(sent) if p.startswith("/revisit_question")]
    assert len(revisits) == 4
    assert "/restart_questionnaire" in payloads(sent)


def test_too_few_answers_keep_earlier_results(act: Act) -> None:
    events, sent = show(act, make_profile(outcome="too_few", answered=4))
    assert texts_of(sent) == [messages.too_few_message(4, 16)]
    assert events == []


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("partner", "je partner"),
        ("family", "die ouder"),
        ("friends", "die vriend of vriendin"),
    ],
)
def test_relationship_names(context: str, expected: str) -> None:
    assert content.context_name(context) == expected
    assert expected in content.context_intro(context)


def test_work_is_phrased_as_reacting_at_work(act: Act) -> None:
    _, sent = show(act, make_profile(), context="work")
    headline = sent[0]["text"]
    assert headline.startswith("Met je werk in gedachten lijken je antwoorden")
    assert " Zo reageer je op je werk onder spanning. " in headline
    assert "minder over hechting dan nauwe relaties" in headline
    assert "spanning lijken" not in headline and "spanning wijzen" not in headline


def test_a_work_result_does_not_offer_love(act: Act) -> None:
    _, sent = show(act, make_profile(), context="work")
    assert "/ask_result_love" not in payloads(sent)
    assert "/ask_result_work" in payloads(sent)
    _, sent = show(act, make_profile(), context="partner")
    assert "/ask_result_love" in payloads(sent)


# every context with every outcome: the intro opens a main clause (verb follows)
VERBS_AFTER_INTRO = ("lijken", "springt", "wijzen", "gaf", "antwoordde")
CAPITALISED = {"Engels", "Nederlandse", "Vraag", "Opnieuw", "Kies", "Je", "Zie"}


def rendered_headlines(context: str) -> List[str]:
    """The headline of every kind of result for one relationship."""
    found = [
        messages.headline(record_of(make_profile(style=style)), context)
        for style in STYLES
    ]
    found.append(
        messages.headline(
            record_of(
                make_profile(
                    levels=("high", "middle"),
                    secondary="disorganised",
                    clarity="moderate",
                )
            ),
            context,
        )
    )
    for levels, scattered in (
        (("middle", "middle"), (False, False)),
        (("middle", "low"), (True, False)),
        (("low", "middle"), (False, False)),
    ):
        profile = make_profile(outcome="no_pattern", levels=levels, scattered=scattered)
        found.append(messages.headline(record_of(profile), context))
    for kind in ("straight_line", "acquiescence", "disacquiescence", "contradiction"):
        for pairs in ((), (("q01", "q03"), ("q05", "q09"), ("q02", "q04"))):
            check = ResponseCheck(kind=kind, pairs=pairs)  # type: ignore[arg-type]
            profile = make_profile(outcome="mixed", check=check)
            found.append(messages.headline(record_of(profile), context))
    return found


@pytest.mark.parametrize("context", [*content.CONTEXTS, content.GENERAL_CONTEXT])
def test_every_context_and_outcome_reads_as_one_sentence_opening(context: str) -> None:
    intro = content.context_intro(context)
    for text in rendered_headlines(context):
        assert text.startswith(intro + " "), text
        first = text[len(intro) + 1 :].split()[0]
        assert first in VERBS_AFTER_INTRO, (first, text)
        assert "  " not in text and " ." not in text and ".." not in text
        for sentence in re.split(r"(?<=[.:?!])\s+|\n", text):
            words_in = sentence.replace("**", "").split()
            for word in words_in[1:]:
                bare = word.strip("(\"'•:;,.")
                if bare[:1].isupper():
                    assert bare in CAPITALISED, (bare, sentence)


def test_partial_counts_only_the_questions_about_the_two_axes(act: Act) -> None:
    missing_two = all_answers(q02=None, q05=None)
    _, sent = show(act, make_profile(answered=14), **missing_two)
    assert "10 van de 12" in sent[0]["text"]
    # a skipped childhood question does not thin the style
    _, sent = show(act, make_profile(answered=15), **all_answers(q15=None))
    partial = str(texts()["headline"]["partial"]).split("{")[0].strip()
    assert partial not in sent[0]["text"]


# --------------------------------------------------------------------------- follow-ups


def latest_slots(profile: Profile, seen: Optional[List[str]] = None) -> Dict[str, Any]:
    """Slots after a result for the partner."""
    return {
        "profiles": profiles_slot(("partner", profile)),
        "result_topics_seen": seen or [],
    }


@pytest.mark.parametrize(
    ("intent", "topic"),
    [
        ("ask_result_stress", "stress"),
        ("ask_result_love", "love"),
        ("ask_result_work", "work"),
        ("ask_result_growth", "growth"),
    ],
)
def test_each_topic_is_one_bubble_with_the_remaining_buttons(
    act: Act, intent: str, topic: str
) -> None:
    events, sent = act(
        ActionAnswerResultTopic(), latest_slots(make_profile(), ["why"]), intent=intent
    )
    assert len(sent) == 1
    assert sent[0]["text"].startswith(words("topics", topic, "anxious"))
    assert sent[0]["text"].endswith(words("follow_ups", "offer_more"))
    offered = payloads(sent)
    assert f"/{intent}" not in offered and "/explain_result" not in offered
    assert "/request_summary" in offered
    assert by_slot(events) == {"result_topics_seen": ["why", topic]}


def test_topics_without_a_style_do_not_invent_one(act: Act) -> None:
    slots = latest_slots(make_profile(outcome="no_pattern"))
    _, sent = act(ActionAnswerResultTopic(), slots, intent="ask_result_stress")
    assert sent[0]["text"].startswith(words("topics", "no_style"))
    _, sent = act(ActionAnswerResultTopic(), slots, intent="ask_result_growth")
    assert sent[0]["text"].startswith(words("topics", "growth", "general"))


def test_when_every_topic_was_seen_the_closing_ones_stay(act: Act) -> None:
    seen = [
        "stress",
        "love",
        "work",
        "why",
        "growth",
        "depth",
        "compare",
        "self_check",
        "summary",
    ]
    _, sent = act(
        ActionAnswerResultTopic(),
        latest_slots(make_profile(), seen[:-4]),
        intent="ask_result_depth",
    )
    assert sent[0]["text"].endswith(words("follow_ups", "offer_done"))
    assert payloads(sent) == [
        "/another_relationship",
        "/request_self_check",
        "/request_summary",
    ]


def test_no_result_yet(act: Act) -> None:
    """A result question with no general counterpart says there is no result yet."""
    events, sent = act(ActionAnswerResultTopic(), {}, intent="ask_result_work")
    assert texts_of(sent) == [words("topics", "no_result")] and events == []


@pytest.mark.parametrize(
    ("intent", "faq_key"),
    [
        ("ask_result_growth", "earned_secure"),
        ("ask_result_love", "relationships"),
        ("ask_result_depth", "continuum_levels"),
        ("ask_result_stress", "strategies"),
    ],
)
def test_before_a_result_the_general_answer_is_given(
    act: Act, intent: str, faq_key: str
) -> None:
    """A growth question before the questions gets the general answer."""
    events, sent = act(ActionAnswerResultTopic(), {}, intent=intent)
    assert sent[0].get("response") == f"utter_faq/{faq_key}"
    assert texts_of(sent)[-1] == words("topics", "general_offer")
    assert {"event": "slot", "name": "last_topic", "value": faq_key} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


# --------------------------------------------------------------------------- depth


@pytest.mark.parametrize("level", ["symptom", "traits", "structure"])
def test_depth_is_attributed_and_hedged(act: Act, level: str) -> None:
    _, sent = act(
        ActionAnswerResultTopic(),
        latest_slots(make_profile(continuum=level)),
        intent="ask_result_depth",
    )
    text = sent[0]["text"]
    assert text.startswith(f"{words('depth', 'intro')} {words('depth', level)}")
    assert "behandelaar" in words("depth", "intro")  # a clinician's view
    assert "geen vastgesteld onderzoek" in words("depth", "intro")


def test_structure_is_hedged_suggests_help_and_presumes_nothing() -> None:
    text = words("depth", "structure")
    assert "Misschien zit het diep" in text and "vragenlijst niet vaststellen" in text
    assert "huisarts" in text and "psycholoog" in text
    lowered = " ".join(str(v) for v in texts()["depth"].values()).lower()
    for presumption in ("trauma", "mishandel", "misbruik", "meegemaakt", "verwaarloos"):
        assert presumption not in lowered


def depth_and_why(profile: Profile, answers: Dict[str, Any]) -> Tuple[str, str]:
    """The texts of "Zit het diep?" and "Waarom kom ik hier uit?" for one record."""
    record = record_of(profile, answers=answers)
    return messages.depth_text(record), messages.continuum_explanation(record)


def test_depth_names_only_the_missing_childhood_answer() -> None:
    # three of the four answered, the childhood one skipped
    depth, why = depth_and_why(
        make_profile(continuum=None, reason="too_few"), all_answers(q15=None)
    )
    names = texts()["depth"]["missing_names"]
    assert depth == content.format_words(
        texts()["depth"]["missing_one"], missing=names["childhood"]
    )
    assert names["childhood"] in why and names["step_back"] not in why
    assert names["step_back"] not in depth
    assert "laatste vier" not in depth + why


def test_depth_names_only_the_missing_step_back_answer() -> None:
    depth, why = depth_and_why(
        make_profile(continuum=None, reason="too_few"), all_answers(q16=None)
    )
    names = texts()["depth"]["missing_names"]
    assert names["step_back"] in depth and names["childhood"] not in depth
    assert names["step_back"] in why and names["childhood"] not in why


def test_depth_with_both_required_but_too_few_answers_counts_them() -> None:
    depth, why = depth_and_why(
        make_profile(continuum=None, reason="too_few"),
        all_answers(q13=None, q14=None),
    )
    assert depth == content.format_words(texts()["depth"]["too_few"], answered=2)
    assert "beantwoordde je er 2" in why


@pytest.mark.parametrize(
    ("continuum_answers", "key"),
    [
        ({"q13": 3, "q14": 3, "q15": 3, "q16": 3}, "unclear_middle"),
        ({"q13": 1, "q14": 2, "q15": 1, "q16": 5}, "unclear_strong"),
    ],
)
def test_unclear_depth_is_said_honestly(
    act: Act, continuum_answers: Dict[str, int], key: str
) -> None:
    profile = make_profile(continuum=None, reason="unclear")
    answers = all_answers(**continuum_answers)
    depth, why = depth_and_why(profile, answers)
    assert depth == words("depth", key)
    assert words("explain", "continuum_reasons", key) in why
    assert content.short_question("q15") in why  # the answers that were given
    # worth telling: the button is offered, and the summary says it too
    assert "depth" in available_topics(record_of(profile, answers=answers))
    line = messages.summary_line("partner", record_of(profile, answers=answers))
    assert words("depth", "short", "unclear") in line


# --------------------------------------------------------------------------- why


def test_why_names_the_answers_and_the_continuum_answers(act: Act) -> None:
    events, sent = act(ActionExplainResult(), latest_slots(make_profile()))
    text = sent[0]["text"]
    assert texts()["explain"]["self_heading"] in text
    assert content.short_question("q01").capitalize() + ": bijna altijd" in text
    assert content.short_question("q15") + " (vaak)" in text
    assert content.short_question("q16") + " (zelden)" in text
    assert by_slot(events) == {"result_topics_seen": ["why"]}


def test_why_without_a_continuum_statement_gives_the_reason(act: Act) -> None:
    slots = {
        "profiles": profiles_slot(
            ("partner", make_profile(continuum=None, reason="too_few")),
            answers=all_answers(q15=None, q16=None),
        )
    }
    _, sent = act(ActionExplainResult(), slots)
    names = texts()["depth"]["missing_names"]
    reason = content.format_words(
        texts()["explain"]["continuum_reasons"]["missing_both"],
        missing=names["childhood"]
        + texts()["depth"]["missing_join"]
        + names["step_back"],
    )
    assert reason in sent[0]["text"]


# --------------------------------------------------------------------------- dimensions, revisit


def test_dimensions_without_label(act: Act) -> None:
    check = ResponseCheck(kind="contradiction", pairs=(("q01", "q03"),))
    slots = latest_slots(
        make_profile(outcome="mixed", check=check, levels=("high", "middle"))
    )
    events, sent = act(ActionShowDimensions(), slots)
    assert sent[0]["image"].startswith("data:image/png")
    assert sent[1]["text"].startswith(
        "\n".join(
            [
                words("dimensions", "intro"),
                words("levels", "self", "high"),
                words("levels", "other", "middle"),
            ]
        )
    )
    for name in texts()["style_adjectives"].values():
        assert name not in sent[1]["text"]
    assert "/show_dimensions" not in payloads(sent)
    assert by_slot(events) == {"result_topics_seen": ["dimensions"]}


def test_dimensions_name_a_scattered_axis_as_such(act: Act) -> None:
    profile = make_profile(
        outcome="no_pattern", levels=("middle", "low"), scattered=(True, False)
    )
    _, sent = act(ActionShowDimensions(), latest_slots(profile))
    text = sent[1]["text"]
    assert words("levels", "self", "scattered") in text
    assert words("levels", "self", "middle") not in text
    assert words("levels", "other", "low") in text


def test_revisit_by_button_clears_only_that_answer(act: Act) -> None:
    events, sent = act(
        ActionRevisitQuestion(),
        {"q03": 4, "q01": 5},
        intent="revisit_question",
        entities=[{"entity": "question_id", "value": "q03"}],
    )
    assert texts_of(sent) == [str(texts()["revisit"]["start"]).format(number=3)]
    assert by_slot(events) == {"q03": None, "questionnaire_paused": False}


def test_revisit_typed_number(act: Act) -> None:
    events, _ = act(ActionRevisitQuestion(), {}, text="ik wil vraag 12 nog eens")
    assert by_slot(events)["q12"] is None


@pytest.mark.parametrize("text", ["vraag nog eens", "vraag 99", "vraag 3 en 4"])
def test_revisit_unclear_changes_nothing(act: Act, text: str) -> None:
    events, sent = act(ActionRevisitQuestion(), {}, text=text)
    assert events == [] and texts_of(sent) == [words("revisit", "unknown")]


def test_revisit_ignores_a_forged_question_id(act: Act) -> None:
    events, _ = act(
        ActionRevisitQuestion(),
        {},
        entities=[{"entity": "question_id", "value": "relationship_context"}],
    )
    assert events == []


# --------------------------------------------------------------------------- describe


def test_describe_is_hedged_and_names_the_research_terms(act: Act) -> None:
    _, sent = act(ActionDescribeResult(), latest_slots(make_profile(style="avoidant")))
    assert sent[0]["text"].startswith(words("describe", "more", "avoidant"))
    assert "dismissing" in words("describe", "more", "avoidant")
    assert "fearful" in words("describe", "more", "avoidant")
    disorganised = words("describe", "more", "disorganised")
    assert "fearful" in disorganised and "observatie" in disorganised
    assert "unresolved" in disorganised


def test_describe_without_style(act: Act) -> None:
    _, sent = act(
        ActionDescribeResult(), latest_slots(make_profile(outcome="no_pattern"))
    )
    assert sent[0]["text"].startswith(words("describe", "no_style"))


# --------------------------------------------------------------------------- records


def test_old_records_without_outcome_still_load() -> None:
    old = {
        "self": 0.71,
        "other": 0.32,
        "style": "anxious",
        "secondary": None,
        "continuum": "secure",
        "clarity": "clear",
        "answered": 14,
        "total": 14,
        "seq": 1,
        "why": {"self": [["q01", 0.2, 5]], "other": []},
    }
    found = records.profiles_from_value({"partner": old, "broken": {"style": "x"}})
    assert list(found) == ["partner"]
    record = found["partner"]
    assert record["outcome"] == "style" and record["continuum"] is None
    assert record["answers"] == {} and record["self_check"] is None
    assert "partner" in messages.summary_text(found)
    assert messages.describe_profiles({"partner": old})
    profile = records.profile_from_record(record)
    assert profile.style == "anxious" and profile.self_level is None


def test_comparison_keeps_working_with_every_outcome(act: Act) -> None:
    slots = {
        "profiles": profiles_slot(
            ("partner", make_profile()),
            ("work", make_profile(outcome="no_pattern")),
            ("family", make_profile(outcome="mixed")),
        )
    }
    events, sent = act(ActionCompareProfiles(), slots)
    assert sent[0]["image"].startswith("data:image/png")
    text = sent[1]["text"]
    assert "• partner: de angstig-vastklampende stijl" in text
    assert "• werk: " + words("compare", "outcomes", "no_pattern") in text
    assert "• ouder: " + words("compare", "outcomes", "mixed") in text
    assert "/compare_profiles" not in payloads(sent)
    assert by_slot(events) == {"result_topics_seen": ["compare"]}


def test_compare_button_depends_on_how_many_results(act: Act) -> None:
    one = follow_up_buttons(record_of(make_profile()), [], several_records=False)
    two = follow_up_buttons(record_of(make_profile()), [], several_records=True)
    assert "/another_relationship" in [b["payload"] for b in one]
    assert "/compare_profiles" in [b["payload"] for b in two]


def test_another_relationship_keeps_profiles(act: Act) -> None:
    events, sent = act(ActionStartAnotherRelationship(), latest_slots(make_profile()))
    slots = by_slot(events)
    assert "profiles" not in slots and slots["q01"] is None
    assert (
        slots["relationship_context"] is None and slots["questionnaire_paused"] is False
    )
    assert texts_of(sent) == [words("another", "start")]


# --------------------------------------------------------------------------- summary


def test_summary_mentions_outcomes_self_check_and_sources(act: Act) -> None:
    slot = profiles_slot(
        ("partner", make_profile()),
        ("work", make_profile(outcome="no_pattern", levels=("middle", "low"))),
    )
    slot["partner"]["self_check"] = {
        "ratings": {},
        "agreement": "partly",
        "style": None,
    }
    events, sent = act(ActionSendSummary(), {"profiles": slot})
    text = sent[0]["text"]
    assert text.startswith(texts()["summary"]["heading"])
    assert (
        "- partner: angstig-vastklampende stijl, " + words("depth", "short", "traits")
        in text
    )
    assert words("summary", "self_check", "partly") in text
    assert "- werk: geen duidelijk patroon (" in text
    assert words("levels", "short", "self", "middle") in text
    assert "Bartholomew & Horowitz (1991)" in text
    assert by_slot(events) == {"result_topics_seen": ["summary"]}


def test_summary_without_results(act: Act) -> None:
    events, sent = act(ActionSendSummary(), {})
    assert texts_of(sent) == [words("summary", "none")] and events == []


# --------------------------------------------------------------------------- self-check


RATE = "/rate_self_check"


def test_self_check_starts_with_the_first_neutral_description(act: Act) -> None:
    events, sent = act(ActionStartSelfCheck(), {})
    text = sent[0]["text"]
    assert text.startswith(words("self_check", "intro"))
    assert str(texts()["self_check"]["descriptions"]["secure"]) in text
    for name in texts()["style_names"].values():
        assert name not in text
    titles = [b["title"] for b in sent[0]["buttons"]]
    assert titles == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        words("self_check", "skip_title"),
    ]
    assert payloads(sent)[4] == RATE + '{"check_item":"secure","check_rating":"5"}'
    assert payloads(sent)[-1] == "/skip_self_check"
    assert by_slot(events) == {"self_check_ratings": {}}


def test_descriptions_carry_no_style_names() -> None:
    for text in texts()["self_check"]["descriptions"].values():
        for name in [*texts()["style_names"].values(), "hecht"]:
            assert name not in str(text).lower()


def rate(
    act: Act, ratings: Dict[str, int], item: str, value: str, **slots: Any
) -> Outcome:
    """Press one rating button."""
    return act(
        ActionRateSelfCheck(),
        {"self_check_ratings": ratings, **slots},
        intent="rate_self_check",
        entities=[
            {"entity": "check_item", "value": item},
            {"entity": "check_rating", "value": value},
        ],
    )


def test_a_rating_is_stored_and_the_next_description_asked(act: Act) -> None:
    events, sent = rate(act, {}, "secure", "6")
    assert by_slot(events) == {"self_check_ratings": {"secure": 6}}
    assert str(texts()["self_check"]["descriptions"]["avoidant"]) in sent[0]["text"]
    assert sent[0]["text"].startswith("Beschrijving 2 van 4")


def test_typed_digits_and_words_count(act: Act) -> None:
    events, _ = act(
        ActionRateSelfCheck(),
        {"self_check_ratings": {"secure": 6}},
        text="een 3 denk ik",
    )
    assert by_slot(events) == {"self_check_ratings": {"secure": 6, "avoidant": 3}}
    assert read_typed_rating("zeven") == 7 and read_typed_rating("8") is None
    assert read_typed_rating("3 of 4") is None


def test_an_old_rating_button_does_not_rate_the_wrong_description(act: Act) -> None:
    events, sent = rate(act, {"secure": 6}, "secure", "2")
    assert events == []
    assert sent[0]["text"].startswith(words("self_check", "old_button"))
    assert "Beschrijving 2 van 4" in sent[0]["text"]


def test_unclear_rating_asks_again(act: Act) -> None:
    events, sent = act(
        ActionRateSelfCheck(), {"self_check_ratings": {}}, text="weet ik niet"
    )
    assert events == []
    assert sent[0]["text"].startswith(words("self_check", "not_understood"))


@pytest.mark.parametrize(
    ("ratings", "agreement"),
    [
        # anxious questions (self high, other low) against ratings that lean anxious
        ({"secure": 2, "avoidant": 1, "anxious": 7}, "agree"),
        # ... against ratings that lean avoidant (self low, other high)
        ({"secure": 2, "avoidant": 7, "anxious": 1}, "differ"),
    ],
)
def test_fourth_rating_gives_the_second_estimate_and_agreement(
    act: Act, ratings: Dict[str, int], agreement: str
) -> None:
    slots = latest_slots(make_profile())
    events, sent = rate(act, ratings, "disorganised", "2", **slots)
    found = by_slot(events)
    assert len(found["self_check_ratings"]) == 4
    stored = found["profiles"]["partner"]["self_check"]
    assert stored["agreement"] == agreement
    assert stored["ratings"]["disorganised"] == 2
    assert sent[0]["image"].startswith("data:image/png")
    text = sent[1]["text"]
    assert words("self_check", "agreement", agreement) in text
    assert "/request_self_check" not in payloads(sent)
    assert found["result_topics_seen"] == ["self_check"]


def test_difference_explains_what_it_may_mean() -> None:
    text = words("self_check", "agreement", "differ")
    assert "op je best" in text and "onder spanning" in text
    assert "één relatie" in text


def test_self_check_without_a_result(act: Act) -> None:
    events, sent = rate(
        act, {"secure": 5, "avoidant": 3, "anxious": 3}, "disorganised", "3"
    )
    assert "profiles" not in by_slot(events)
    assert words("self_check", "no_result") in sent[0]["text"]


def test_self_check_can_be_skipped(act: Act) -> None:
    events, sent = act(
        ActionSkipSelfCheck(),
        {**latest_slots(make_profile()), "self_check_ratings": {"secure": 4}},
    )
    assert by_slot(events) == {"self_check_ratings": None}
    assert sent[0]["text"].startswith(words("self_check", "skipped"))
    assert sent[0]["buttons"]


def test_a_new_self_check_resumes_or_starts_over(act: Act) -> None:
    events, sent = act(ActionStartSelfCheck(), {"self_check_ratings": {"secure": 4}})
    assert by_slot(events) == {"self_check_ratings": {"secure": 4}}
    assert sent[0]["text"].startswith("Beschrijving 2 van 4")
    full = {style: 4 for style in STYLES}
    events, sent = act(ActionStartSelfCheck(), {"self_check_ratings": full})
    assert by_slot(events) == {"self_check_ratings": {}}
    assert sent[0]["text"].startswith(words("self_check", "intro"))


def test_typed_rating_outside_the_self_check(act: Act) -> None:
    events, sent = act(ActionRateSelfCheck(), {}, text="7")
    assert events == [] and sent[0]["text"].startswith(
        words("self_check", "not_running")
    )


# --------------------------------------------------------------------------- honest texts


def test_texts_claim_only_what_was_measured() -> None:
    everything = " ".join(str(v) for v in _strings(texts()))
    assert "relaties aan waarin" not in everything
    assert "helpend" not in everything
    disorganised = (
        " ".join(
            str(texts()[section][key]["disorganised"])
            for section, key in (("headline", "gist"), ("describe", "more"))
        )
        + " "
        + " ".join(
            str(texts()["topics"][t]["disorganised"])
            for t in ("stress", "love", "work", "growth")
        )
    )
    for presumption in ("niet veilig was", "onveilige ouder", "trauma", "mishandel"):
        assert presumption not in disorganised.lower()


def _strings(node: Any) -> List[str]:
    """Every string in a content tree."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_every_question_has_a_short_form_that_fits_its_text() -> None:
    shorts = texts()["question_shorts"]
    assert sorted(shorts) == sorted(content.scored_ids())
    assert shorts["q11"] == "bevestiging nodig hebben als de ander afstandelijk lijkt"
    questions = {
        str(item["id"]): str(item["text"]) for item in content.question_items()
    }
    # (a word of the question, the same thought in its short form)
    matches = {
        "q01": ("piekeren", "piekeren"),
        "q02": ("trek je je", "terugtrekken"),
        "q03": ("rustig", "rustig"),
        "q04": ("steun", "steun"),
        "q05": ("tekortschiet", "tekortschieten"),
        "q06": ("valt dat vast tegen", "tegenvalt"),
        "q07": ("zeg je dan wat je zelf vindt", "zeggen wat je vindt"),
        "q08": ("reken je er dan op", "erop rekenen"),
        "q09": ("de moeite waard", "de moeite waard"),
        "q10": ("goed met je voorheeft", "goed met je voorheeft"),
        "q11": ("bevestiging nodig", "bevestiging nodig"),
        "q12": ("zorgvuldig", "zorgvuldig"),
        "q13": ("kleine dingen", "kleine dingen"),
        "q14": ("andere relaties", "andere relaties"),
        "q15": ("als kind", "als kind"),
        "q16": ("anders te kiezen", "anders kiezen"),
    }
    for qid, (in_question, in_short) in matches.items():
        assert in_question in " ".join(questions[qid].split()), qid
        assert in_short in shorts[qid], qid


def test_clumsy_phrases_are_gone() -> None:
    everything = " ".join(" ".join(_strings(texts())).split())
    for clumsy in (
        "Zo kun je naar wat",
        "maakte je beeld van jezelf wat kwetsbaarder",
        "favoriete basis",
    ):
        assert clumsy not in everything
    assert "Zo kun je groeien naar wat" in everything
    assert words("explain", "directions", "self_up") == (
        "wees op een kwetsbaarder beeld van jezelf"
    )
    assert "een vaste basis" in everything


def test_available_topics_per_outcome() -> None:
    assert "depth" in available_topics(record_of(make_profile()))
    assert "stress" not in available_topics(
        record_of(make_profile(outcome="no_pattern"))
    )
    assert available_topics(record_of(make_profile(outcome="mixed")))[0] == "dimensions"
    assert available_topics(None) == []


def test_describe_from_the_style_slot_alone(act: Act) -> None:
    events, sent = act(ActionDescribeResult(), {"result_style": "anxious"})
    assert texts_of(sent) == [words("describe", "more", "anxious")] and events == []
