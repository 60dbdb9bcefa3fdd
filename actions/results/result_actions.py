"""The actions around a result: the short headline and the follow-ups, one bubble each."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import knowledge as kn
from actions.results.content import (
    question_for_number,
    question_ids,
    question_number,
    scored_ids,
    specs,
    texts,
    words,
)
from actions.results.follow_ups import (
    INTENT_TOPICS,
    SEEN_SLOT,
    follow_up_buttons,
    offer_text,
    seen_topics,
    with_seen,
)
from actions.results.messages import (
    depth_text,
    describe_more,
    describe_profiles,
    dimensions_text,
    explanation,
    headline,
    summary_text,
    too_few_message,
    topic_text,
)
from actions.results.picture import picture_points, send_picture
from actions.results.records import (
    CONTEXT_SLOT,
    PROFILES_SLOT,
    Record,
    answers_from_tracker,
    context_of,
    latest,
    normalised,
    ordered,
    stored_profiles,
    with_record,
)
from actions.scoring import STYLES, score
from hechtwijzer_core.contract import PAUSED_SLOT, REQUESTED_SLOT

RESULT_STYLE_SLOT = "result_style"
RESULT_SECONDARY_SLOT = "result_secondary_style"
RESULT_CONTINUUM_SLOT = "result_continuum"
QUESTION_ID_ENTITY = "question_id"
_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")

Events = List[Dict[str, Any]]


def newest(tracker: Tracker) -> Tuple[Dict[str, Record], Optional[Tuple[str, Record]]]:
    """All stored records and the latest (context, record)."""
    profiles = stored_profiles(tracker)
    return profiles, latest(profiles)


def send_with_offer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    topic: Optional[str],
) -> Events:
    """Send one bubble ending with buttons for the topics not seen yet."""
    profiles, found = newest(tracker)
    context, record = found if found else ("", None)
    seen = with_seen(tracker, topic) if topic else seen_topics(tracker)
    buttons = follow_up_buttons(
        record, seen, several_records=len(profiles) >= 2, context=context
    )
    if buttons:
        text = f"{text}\n{offer_text(record, seen, context)}"
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(SEEN_SLOT, seen)] if topic else []


class ActionShowResult(Action):
    """Score the answers; show a short headline, the picture and follow-up buttons."""

    def name(self) -> str:
        """Return the action name."""
        return "action_show_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Compute the profile, store it per relationship and present it briefly."""
        answers = answers_from_tracker(tracker)
        profile = score(answers, specs())
        if profile.outcome == "too_few":
            # No guess: earlier results (other relationships) stay as they are.
            dispatcher.utter_message(
                text=too_few_message(profile.answered, profile.total)
            )
            return []
        context = context_of(tracker)
        profiles = with_record(stored_profiles(tracker), context, profile, answers)
        record = normalised(profiles[context]) or profiles[context]
        buttons = follow_up_buttons(
            record, [], several_records=len(profiles) >= 2, context=context
        )
        if record["outcome"] == "mixed":
            # no picture and no label: the text itself ends with the offer
            dispatcher.utter_message(text=headline(record, context), buttons=buttons)
        else:
            dispatcher.utter_message(text=headline(record, context))
            send_picture(dispatcher, picture_points([(context, record)]))
            dispatcher.utter_message(text=words("headline", "offer"), buttons=buttons)
        return [
            SlotSet(RESULT_STYLE_SLOT, profile.style),
            SlotSet(RESULT_SECONDARY_SLOT, profile.secondary_style),
            SlotSet(RESULT_CONTINUUM_SLOT, profile.continuum),
            SlotSet(PROFILES_SLOT, profiles),
            SlotSet(SEEN_SLOT, []),
        ]


class ActionAnswerResultTopic(Action):
    """Answer one follow-up (stress, love, work, growth, depth) in one short bubble."""

    def name(self) -> str:
        """Return the action name."""
        return "action_answer_result_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Pick the topic from the intent and answer it for the latest result."""
        intent = str((tracker.latest_message or {}).get("intent", {}).get("name") or "")
        topic = INTENT_TOPICS.get(intent, "stress")
        _, found = newest(tracker)
        record = found[1] if found else None
        if record is None:
            return answer_in_general(dispatcher, tracker, topic)
        text = depth_text(record) if topic == "depth" else topic_text(topic, record)
        return send_with_offer(dispatcher, tracker, text, topic)


def answer_in_general(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str
) -> Events:
    """Without a result: the general answer of the same question, or "no result yet".

    "Hoe word ik veiliger?" before the questions is a question about the topic at
    large; it gets that answer and the offer to do the questions.
    """
    general = texts()["topics"].get("general_without_result") or {}
    faq_key = general.get(topic)
    if not faq_key or faq_key not in kn.topics():
        dispatcher.utter_message(text=words("topics", "no_result"))
        return []
    events = kn.send_topic(dispatcher, tracker, str(faq_key))
    dispatcher.utter_message(text=words("topics", "general_offer"))
    return events


class ActionDescribeResult(Action):
    """Tell more about the stored result ("wat betekent mijn stijl?", "vertel meer")."""

    def name(self) -> str:
        """Return the action name."""
        return "action_describe_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Explain the latest style a little more, with hedged origins."""
        _, found = newest(tracker)
        if found is None:
            # a style known only from its slot (no stored record) is still described
            style = tracker.get_slot(RESULT_STYLE_SLOT)
            known = {"outcome": "style", "style": style} if style in STYLES else None
            dispatcher.utter_message(text=describe_more(known))
            return []
        return send_with_offer(dispatcher, tracker, describe_more(found[1]), None)


class ActionExplainResult(Action):
    """Name the answers that moved each axis most ("waarom kom ik hier uit?")."""

    def name(self) -> str:
        """Return the action name."""
        return "action_explain_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Explain the latest stored result from its strongest contributions."""
        profiles, found = newest(tracker)
        if found is None:
            dispatcher.utter_message(text=words("explain", "no_result"))
            return []
        context, record = found
        text = explanation(context, record, several=len(profiles) >= 2)
        return send_with_offer(dispatcher, tracker, text, "why")


class ActionShowDimensions(Action):
    """The picture and a sentence per axis, without a style label."""

    def name(self) -> str:
        """Return the action name."""
        return "action_show_dimensions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Draw the latest result and describe both axes in plain words."""
        _, found = newest(tracker)
        if found is None or found[1].get("self") is None:
            dispatcher.utter_message(text=words("dimensions", "no_result"))
            return []
        send_picture(dispatcher, picture_points([found]))
        return send_with_offer(
            dispatcher, tracker, dimensions_text(found[1]), "dimensions"
        )


class ActionSendSummary(Action):
    """Send a short plain-text summary to keep (``/samenvatting``)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_send_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Summarise every stored result and the self-check outcome."""
        profiles = stored_profiles(tracker)
        if not profiles:
            dispatcher.utter_message(text=summary_text(profiles))
            return []
        return send_with_offer(dispatcher, tracker, summary_text(profiles), "summary")


class ActionCompareProfiles(Action):
    """Compare the results of several relationships in words and in the picture."""

    def name(self) -> str:
        """Return the action name."""
        return "action_compare_profiles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Describe the stored profiles side by side and draw them together."""
        profiles = stored_profiles(tracker)
        if len(profiles) >= 2:
            send_picture(dispatcher, picture_points(ordered(profiles)))
        text = describe_profiles(profiles)
        if not profiles:
            dispatcher.utter_message(text=text)
            return []
        return send_with_offer(dispatcher, tracker, text, "compare")


class ActionStartAnotherRelationship(Action):
    """Clear the answers (keeping ``profiles``) so the form runs for another relationship."""

    def name(self) -> str:
        """Return the action name."""
        return "action_start_another_relationship"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Reset the answer and context slots and unpause; the rule then starts the form."""
        dispatcher.utter_message(text=words("another", "start"))
        names = [*question_ids(), CONTEXT_SLOT, REQUESTED_SLOT]
        events: Events = [SlotSet(name, None) for name in dict.fromkeys(names)]
        events.append(SlotSet(PAUSED_SLOT, False))
        return events


def requested_question(tracker: Tracker) -> Optional[str]:
    """The question a "Vraag N nog eens" asks for: the button's id or a typed number."""
    message = tracker.latest_message or {}
    for entity in message.get("entities") or []:
        if entity.get("entity") == QUESTION_ID_ENTITY:
            value = str(entity.get("value"))
            return value if value in scored_ids() else None
    numbers = _NUMBER.findall(str(message.get("text") or ""))
    if len(numbers) == 1:
        return question_for_number(int(numbers[0]))
    return None


class ActionRevisitQuestion(Action):
    """Handle "Vraag N nog eens": empty that answer only; the form then asks it."""

    def name(self) -> str:
        """Return the action name."""
        return "action_revisit_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Clear the chosen answer; the other answers stay."""
        question_id = requested_question(tracker)
        if question_id is None:
            dispatcher.utter_message(text=words("revisit", "unknown"))
            return []
        dispatcher.utter_message(
            text=str(texts()["revisit"]["start"]).format(
                number=question_number(question_id)
            )
        )
        return [SlotSet(question_id, None), SlotSet(PAUSED_SLOT, False)]
