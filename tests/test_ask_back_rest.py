"""'Bedoel je …?' on the running bot: buttons, typed choices, inside the questions."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions import ask_back as ab
from actions import knowledge as kn
from tests.test_knowledge_stories import faq_text, squash

#: Names two broad things at once and asks nothing in particular: no answer is
#: clearly ahead, so the bot asks back.
VAGUE = "hechting en angst"


def asked(replies: List[Dict[str, Any]]) -> List[str]:
    """The option labels of a "Bedoel je …?" reply (without "iets anders")."""
    for reply in replies:
        if reply.get("text") in (kn.message("ask_back"), kn.message("ask_back_one")):
            labels = [
                str(b["payload"]).split('"topic_choice":"')[1].rstrip('"}')
                for b in reply.get("buttons") or []
            ]
            assert labels[-1] == ab.OTHER
            return labels[:-1]
    raise AssertionError(f"no question back in {replies!r}")


def answer_of(label: str) -> str:
    """The first text of the answer a label stands for."""
    kind, _, key = label.partition("/")
    if kind == "faq":
        return faq_text(key)
    if kind == "style":
        return " ".join(kn.clean(kn.styles()[key]["intro"]).split())
    return " ".join(kn.clean(kn.terms()[key]["text"]).split())


def texts(replies: List[Dict[str, Any]]) -> List[str]:
    return squash([str(r.get("text") or "") for r in replies if r.get("text")])


@pytest.mark.stack
def test_vague_question_is_asked_back_and_a_button_answers_it(stack: Any) -> None:
    sender = "ask-back-button"
    options = asked(stack.post(sender, VAGUE))
    assert 2 <= len(options) <= 3
    replies = stack.post(sender, ab.payload(options[1]))
    assert texts(replies)[0] == answer_of(options[1])


@pytest.mark.stack
@pytest.mark.parametrize(("reply", "position"), [("de eerste", 0), ("ja", 0)])
def test_typed_position_answers_it(stack: Any, reply: str, position: int) -> None:
    sender = f"ask-back-typed-{position}-{len(reply)}"
    options = asked(stack.post(sender, VAGUE))
    assert texts(stack.post(sender, reply))[0] == answer_of(options[position])


@pytest.mark.stack
def test_typed_name_answers_it(stack: Any) -> None:
    sender = "ask-back-typed-name"
    options = asked(stack.post(sender, VAGUE))
    name = ab.title(options[-1])
    assert texts(stack.post(sender, name.lower()))[0] == answer_of(options[-1])


@pytest.mark.stack
def test_something_else_asks_to_rephrase(stack: Any) -> None:
    sender = "ask-back-other"
    asked(stack.post(sender, VAGUE))
    replies = stack.post(sender, "nee iets anders")
    assert texts(replies) == [" ".join(kn.message("ask_back_rephrase").split())]
    assert len(replies[0]["buttons"]) == len(ab.settings()["menu"])
    # a menu button answers its topic
    chosen = stack.post(sender, replies[0]["buttons"][0]["payload"])
    menu_topic = ab.settings()["menu"][0]
    assert texts(chosen)[0] == faq_text(menu_topic)


@pytest.mark.stack
def test_asked_back_during_the_questions_then_the_same_question(stack: Any) -> None:
    sender = "ask-back-questions"
    stack.texts(sender, "hoi")
    question = texts(stack.post(sender, "/start_questionnaire"))
    assert question, "the questions did not start"
    replies = stack.post(sender, VAGUE)
    options = asked(replies)
    assert texts(replies)[-1] != question[-1], "the question waits for the choice"
    after = texts(stack.post(sender, "de tweede"))
    assert after[0] == answer_of(options[1])
    assert after[-1] == question[-1], "the same question must come back"
    # and the question is still answered normally afterwards
    assert texts(stack.post(sender, "mijn partner"))[-1] != question[-1]


@pytest.mark.stack
def test_question_back_during_the_questions_can_be_left_by_answering(
    stack: Any,
) -> None:
    sender = "ask-back-questions-answer"
    stack.texts(sender, "hoi")
    question = texts(stack.post(sender, "/start_questionnaire"))
    asked(stack.post(sender, VAGUE))
    nxt = texts(stack.post(sender, "mijn partner"))
    assert nxt[-1] != question[-1], "the answer to the question counts"


@pytest.mark.stack
def test_named_concept_is_answered(stack: Any) -> None:
    """A named concept decides what the classifier alone leaves open.

    The classifier's best reading is relationships (then working models, the two
    dimensions); the text names zelfbeeld, so the bot explains the two images.
    """
    replies = stack.post("ask-back-concept", "wat heeft mijn zelfbeeld ermee te maken")
    assert texts(replies)[0] in (
        answer_of("faq/two_dimensions"),
        answer_of("term/zelfbeeld"),
    )


@pytest.mark.stack
def test_a_described_style_gets_that_style(stack: Any) -> None:
    """No style name in the text: the second reader says which style is described."""
    replies = stack.post(
        "described-style",
        "ik doe alles liever alleen en vind het benauwend als mensen op me leunen. "
        "welke stijl is dat?",
    )
    assert texts(replies)[0] == answer_of("style/avoidant")
