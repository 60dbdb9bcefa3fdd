"""The questionnaire as content: questions, answer scale and answer buttons.

Built from ``actions/content/questions.yml`` and ``actions/content/answer_scale.yml``;
reading typed answers is done by :mod:`actions.answer_reading` with the phrases
and rules found here. No Rasa import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from actions.answer_reading import (
    ReadingRules,
    is_question,
    mentions,
    parse_answer,
    parse_choice,
    says_it_agrees,
    says_it_declines,
    says_it_varies,
    tells_about_someone_else,
)
from actions.content_store import load_content
from actions.scoring import QuestionSpec, load_specs

ANSWER_INTENT = "answer_question"
QUESTION_ID_ENTITY = "question_id"
ANSWER_VALUE_ENTITY = "answer_value"


@dataclass(frozen=True)
class Option:
    """One answer option of the context question."""

    code: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question as the form asks it."""

    id: str
    dimension: str
    text: str
    why: str
    number: int | None
    """Position among the scored questions (1-based); None for the context question."""
    options: tuple[Option, ...] = ()
    about_others: bool = False
    """The question asks about other people ("bij familie, vrienden of collega's"):
    an answer that opens with them is an answer, not one about someone else."""


@dataclass(frozen=True)
class Questionnaire:
    """The questions, the answer scale and how progress is shown."""

    questions: tuple[Question, ...]
    specs: tuple[QuestionSpec, ...]
    progress_format: str
    labels: dict[int, str]
    scale: dict[int, tuple[str, ...]]
    weak_phrases: tuple[str, ...]
    negations: tuple[str, ...] = ()
    rules: ReadingRules = ReadingRules()
    own_child_phrases: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """Slot names in the order the form asks them."""
        return tuple(question.id for question in self.questions)

    @property
    def total(self) -> int:
        """How many numbered (scored) questions there are."""
        return sum(1 for question in self.questions if question.number is not None)

    def question(self, question_id: Any) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    def previous(self, question_id: str) -> Question | None:
        """The question asked before this one, or None for the first."""
        index = self.ids.index(question_id)
        return self.questions[index - 1] if index > 0 else None

    def prompt(self, question: Question) -> str:
        """The message text: progress line (numbered questions) plus the question."""
        if question.number is None:
            return question.text
        progress = self.progress_format.format(number=question.number, total=self.total)
        return f"{progress}\n{question.text}"

    def buttons(self, question: Question) -> list[dict[str, str]]:
        """Answer buttons; each payload names the question it answers."""
        if question.options:
            choices = [(option.label, option.code) for option in question.options]
        else:
            choices = [(label, str(value)) for value, label in self.labels.items()]
        return [
            {"title": title, "payload": answer_payload(question.id, value)}
            for title, value in choices
        ]

    def read_free_text(self, question: Question, text: str) -> str | int | None:
        """Map typed text to an answer for ``question``; None when unclear."""
        if question.options:
            if mentions(text, self.own_child_phrases):
                return None
            return parse_choice(text, self.choice_table(question))
        return parse_answer(
            text,
            self.scale,
            self.weak_phrases,
            self.negations,
            self.rules_for(question),
        )

    def rules_for(self, question: Question | None) -> ReadingRules:
        """The reading rules for ``question`` (no "someone else" where it asks about others)."""
        if question is not None and question.about_others:
            return replace(self.rules, someone_else=())
        return self.rules

    @staticmethod
    def choice_table(question: Question) -> dict[str, tuple[str, ...]]:
        """Option code -> button title and phrases."""
        return {o.code: (o.label, *o.phrases) for o in question.options}

    def names_own_child(self, question: Question, text: str) -> bool:
        """True when a typed relationship answer names one's own child and no option."""
        if not question.options or not mentions(text, self.own_child_phrases):
            return False
        return parse_choice(text, self.choice_table(question)) is None

    def says_it_varies(self, text: str) -> bool:
        """True when typed text says that it differs ("hangt ervan af")."""
        return says_it_varies(text, self.rules, self.negations)

    def unclear_because(
        self, text: str, question: Question | None = None
    ) -> str | None:
        """Why typed text that reads as no point is unclear, when it says so.

        ``"someone_else"``: it tells about another person ("mijn ex deed dat
        altijd"); ``"varies"``: it differs ("hangt ervan af"); ``"agrees"``: a
        bare yes ("klopt", "dat herken ik wel"); ``"declines"``: a bare no
        ("nee", "nope"). None for anything else.
        """
        if tells_about_someone_else(text, self.rules_for(question), self.weak_phrases):
            return "someone_else"
        if self.says_it_varies(text):
            return "varies"
        if says_it_agrees(text, self.rules):
            return "agrees"
        if says_it_declines(text, self.rules):
            return "declines"
        return None

    def reads_as_answer(self, question: Question, text: str) -> bool:
        """True when typed text is no question and reads clearly for ``question``."""
        if is_question(text, self.rules):
            return False
        return self.read_free_text(question, text) is not None or self.names_own_child(
            question, text
        )

    def read_button_value(self, question: Question, raw: Any) -> str | int | None:
        """Check a button's ``answer_value`` for ``question``; None when invalid."""
        value = str(raw).strip() if raw is not None else ""
        if question.options:
            codes = {option.code for option in question.options}
            return value if value in codes else None
        if value.isdigit() and int(value) in self.labels:
            return int(value)
        return None

    def label_for(self, question: Question, value: str | int) -> str:
        """The button title that belongs to an answer value."""
        if question.options:
            return next(o.label for o in question.options if o.code == value)
        return self.labels[int(value)]


def answer_payload(question_id: str, value: str) -> str:
    """``/answer_question{"question_id":"q03","answer_value":"4"}``."""
    entities = json.dumps(
        {QUESTION_ID_ENTITY: question_id, ANSWER_VALUE_ENTITY: value},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return f"/{ANSWER_INTENT}{entities}"


def build_questionnaire(
    questions_raw: dict[str, Any], scale_raw: dict[str, Any]
) -> Questionnaire:
    """Build the questionnaire from the parsed content files."""
    entries = list(questions_raw["questions"])
    specs = tuple(load_specs(entries))
    questions: list[Question] = []
    number = 0
    for entry, spec in zip(entries, specs, strict=True):
        options = tuple(
            Option(
                code=str(option["code"]),
                label=str(option["label"]),
                phrases=tuple(str(p) for p in option.get("phrases", [])),
            )
            for option in entry.get("options", [])
        )
        if spec.dimension != "context":
            number += 1
        questions.append(
            Question(
                id=spec.id,
                dimension=spec.dimension,
                text=str(entry["text"]).strip(),
                why=str(entry["why"]).strip(),
                number=None if spec.dimension == "context" else number,
                options=options,
                about_others=bool(entry.get("about_others", False)),
            )
        )
    points = {int(value): point for value, point in scale_raw["scale"].items()}
    return Questionnaire(
        questions=tuple(questions),
        specs=specs,
        progress_format=str(questions_raw["progress_format"]),
        labels={value: str(point["label"]) for value, point in sorted(points.items())},
        scale={
            value: (str(point["label"]), *(str(p) for p in point["phrases"]))
            for value, point in sorted(points.items())
        },
        weak_phrases=tuple(str(p) for p in scale_raw.get("weak_phrases", [])),
        negations=tuple(str(p) for p in scale_raw.get("negations", [])),
        rules=ReadingRules.from_content(scale_raw.get("reading") or {}),
        own_child_phrases=tuple(str(p) for p in scale_raw.get("own_child_phrases", [])),
    )


@lru_cache(maxsize=1)
def load_questionnaire() -> Questionnaire:
    """The questionnaire from ``questions.yml`` and ``answer_scale.yml`` (read once)."""
    return build_questionnaire(load_content("questions"), load_content("answer_scale"))


def question_ids() -> tuple[str, ...]:
    """The question ids of ``questions.yml`` in asking order: the answer slots' names.

    Only the ids are read, so the ask actions can be defined from them without
    building the whole questionnaire.
    """
    return tuple(str(entry["id"]) for entry in load_content("questions")["questions"])
