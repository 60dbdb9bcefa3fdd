"""The actions of the rated self-check: start, rate one description, skip."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.results.content import words
from actions.results.picture import picture_points, send_picture
from actions.results.records import (
    PROFILES_SLOT,
    latest,
    profile_from_record,
    stored_profiles,
)
from actions.results.result_actions import send_with_offer
from actions.results.self_check import (
    ITEM_ENTITY,
    RATING_ENTITY,
    RATINGS_SLOT,
    as_rating,
    outcome_text,
    pending_item,
    prompt,
    ratings_from_value,
    read_typed_rating,
)
from actions.scoring import compare_with_self_check, self_check_estimate

Events = List[Dict[str, Any]]


def latest_entity(tracker: Tracker, name: str) -> Any:
    """The value of the first ``name`` entity in the latest message, or None."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def in_progress(value: Any) -> Optional[Dict[str, int]]:
    """The ratings of a self-check that is still going, None when none is."""
    if not isinstance(value, Mapping):
        return None
    ratings = ratings_from_value(value)
    return ratings if pending_item(ratings) is not None else None


def ask(dispatcher: CollectingDispatcher, item: str, before: str = "") -> None:
    """Send the rating prompt of one description (with an optional first line)."""
    text, buttons = prompt(item)
    dispatcher.utter_message(
        text=f"{before}\n{text}" if before else text, buttons=buttons
    )


class ActionStartSelfCheck(Action):
    """Start the self-check (or pick it up at the first description not rated yet)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_start_self_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Explain the check once and ask the first open description."""
        ratings = in_progress(tracker.get_slot(RATINGS_SLOT))
        if ratings is None:
            ratings = {}
        item = pending_item(ratings)
        assert item is not None  # a fresh or unfinished check always has one
        ask(dispatcher, item, words("self_check", "intro") if not ratings else "")
        return [SlotSet(RATINGS_SLOT, ratings)]


class ActionRateSelfCheck(Action):
    """Store one rating (button or typed 1..7) and ask the next, or give the outcome."""

    def name(self) -> str:
        """Return the action name."""
        return "action_rate_self_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Read the rating for the open description; finish after the fourth."""
        ratings = in_progress(tracker.get_slot(RATINGS_SLOT))
        if ratings is None:
            return send_with_offer(
                dispatcher, tracker, words("self_check", "not_running"), None
            )
        item = pending_item(ratings)
        assert item is not None
        pressed = latest_entity(tracker, ITEM_ENTITY)
        if pressed is not None and pressed != item:
            ask(dispatcher, item, words("self_check", "old_button"))
            return []
        if pressed is not None:
            rating = as_rating(latest_entity(tracker, RATING_ENTITY))
        else:
            rating = read_typed_rating(
                str((tracker.latest_message or {}).get("text") or "")
            )
        if rating is None:
            ask(dispatcher, item, words("self_check", "not_understood"))
            return []
        ratings = {**ratings, item: rating}
        following = pending_item(ratings)
        if following is not None:
            ask(dispatcher, following)
            return [SlotSet(RATINGS_SLOT, ratings)]
        return [
            SlotSet(RATINGS_SLOT, ratings),
            *self.finish(dispatcher, tracker, ratings),
        ]

    @staticmethod
    def finish(
        dispatcher: CollectingDispatcher, tracker: Tracker, ratings: Dict[str, int]
    ) -> Events:
        """Give the second estimate, compare it with the latest result, store both."""
        estimate = self_check_estimate(ratings)
        if estimate is None:  # cannot happen with four valid ratings
            return []
        profiles = stored_profiles(tracker)
        found = latest(profiles)
        agreement: Optional[str] = None
        events: Events = []
        if found is not None:
            context, record = found
            agreement = compare_with_self_check(profile_from_record(record), estimate)
            stored = dict(profiles)
            stored[context] = {
                **record,
                "self_check": {
                    "ratings": dict(ratings),
                    "agreement": agreement,
                    "style": estimate.style,
                },
            }
            events.append(SlotSet(PROFILES_SLOT, stored))
            point = (estimate.self_concern, estimate.other_concern)
            send_picture(dispatcher, picture_points([found], self_check=point))
        text = outcome_text(estimate, agreement)
        return [*events, *send_with_offer(dispatcher, tracker, text, "self_check")]


class ActionSkipSelfCheck(Action):
    """Stop the self-check at any moment; nothing half-done is kept."""

    def name(self) -> str:
        """Return the action name."""
        return "action_skip_self_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        """Say it is skipped and offer the other follow-ups."""
        events: Events = [SlotSet(RATINGS_SLOT, None)]
        return [
            *events,
            *send_with_offer(dispatcher, tracker, words("self_check", "skipped"), None),
        ]
