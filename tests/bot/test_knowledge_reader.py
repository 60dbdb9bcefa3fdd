"""The second reader of knowledge questions: training, storing, reading.

Trained on a small set with the real content's names, no full model.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.knowledge_reader import PROPERTY, KnowledgeReader, plain

FAQ = {
    "several_styles": [
        "kan ik meerdere hechtingsstijlen hebben",
        "heb je per relatie een andere stijl",
        "kun je twee stijlen tegelijk hebben",
        "bij mijn moeder anders dan bij mijn vriend, kan dat",
    ],
    "earned_secure": [
        "kan ik veiliger gehecht raken",
        "kan onveilige hechting overgaan",
        "is het te laat om veilig gehecht te worden",
        "kan ik groeien naar veilige hechting",
    ],
}
OTHER = {"greet": ["hallo", "hoi", "goedemorgen"]}
TERMS = ["wat betekent bindingsangst", "bindingsangst uitleg", "wat is bindingsangst"]


def examples() -> List[Message]:
    rows = [
        Message(data={"text": t, "intent": "faq", "intent_response_key": f"faq/{k}"})
        for k, texts in FAQ.items()
        for t in texts
    ]
    rows += [
        Message(data={"text": t, "intent": i}) for i, ts in OTHER.items() for t in ts
    ]
    rows += [Message(data={"text": t, "intent": "explain_term"}) for t in TERMS]
    return rows


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model", node_name="reader")


@pytest.fixture
def trained(tmp_path: Path, context: ExecutionContext) -> KnowledgeReader:
    storage = LocalModelStorage(tmp_path)
    reader = KnowledgeReader.create(
        KnowledgeReader.get_default_config(), storage, Resource("reader"), context
    )
    reader.train(TrainingData(training_examples=examples()))
    return KnowledgeReader.load(
        KnowledgeReader.get_default_config(), storage, Resource("reader"), context
    )


def read(reader: KnowledgeReader, text: str) -> List[List[object]]:
    message = Message(data={"text": text})
    reader.process([message])
    return list(message.get(PROPERTY))


def test_it_learns_the_answers_not_the_other_intents(trained: KnowledgeReader) -> None:
    """FAQ topics and named terms (as their FAQ answer) are learnt; greetings not."""
    assert sorted(trained.labels) == [
        "faq/earned_secure",
        "faq/fear_of_commitment",  # the term bindingsangst, counted as its topic
        "faq/several_styles",
    ]


def test_a_stored_reader_reads_like_the_trained_one(
    tmp_path: Path, context: ExecutionContext
) -> None:
    storage = LocalModelStorage(tmp_path)
    reader = KnowledgeReader.create({}, storage, Resource("reader"), context)
    reader.train(TrainingData(training_examples=examples()))
    loaded = KnowledgeReader.load({}, storage, Resource("reader"), context)
    text = "kan ik ooit nog veilig gehecht raken"
    assert read(loaded, text) == read(reader, text)
    assert read(loaded, text)[0][0] == "faq/earned_secure"


def test_the_ranking_holds_probabilities(trained: KnowledgeReader) -> None:
    ranking = read(trained, "twee hechtingsstijlen tegelijk, kan dat?")
    assert ranking[0][0] == "faq/several_styles"
    assert abs(sum(float(p) for _, p in ranking) - 1.0) < 1e-3  # all three ranked
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_an_untrained_reader_adds_nothing(
    tmp_path: Path, context: ExecutionContext
) -> None:
    storage = LocalModelStorage(tmp_path)
    reader = KnowledgeReader.create({}, storage, Resource("reader"), context)
    reader.train(TrainingData(training_examples=examples()[:4]))  # one answer only
    loaded = KnowledgeReader.load({}, storage, Resource("reader"), context)
    message = Message(data={"text": "kan ik meerdere stijlen hebben"})
    loaded.process([message])
    assert message.get(PROPERTY) is None


def test_text_is_read_plain() -> None:
    assert plain("  Kan IK\tmeerdere\n stijlen ") == "kan ik meerdere stijlen"


@pytest.mark.parametrize(
    "text", ["Kan ik meerdere stijlen hebben?", "bindingsangst bindingsangst", "🙂", ""]
)
def test_the_fast_row_is_the_vectorizers_row(
    trained: KnowledgeReader, text: str
) -> None:
    """The row built by hand equals sklearn's transform (sublinear tf-idf, unit length)."""
    import numpy as np
    from scipy.sparse import hstack

    expected = hstack(
        [v.transform([plain(text)]) for v in trained.vectorizers]
    ).toarray()[0]
    columns, values = trained.features(text)
    built = np.zeros_like(expected)
    built[columns] = values
    assert np.allclose(built, expected)


def test_two_answers_get_two_probabilities(
    tmp_path: Path, context: ExecutionContext
) -> None:
    """With two answers the model has one row of weights; both still get their share."""
    storage = LocalModelStorage(tmp_path)
    reader = KnowledgeReader.create({}, storage, Resource("reader"), context)
    two = [e for e in examples() if e.get("intent") == "faq"]
    reader.train(TrainingData(training_examples=two))
    ranking = dict(read(reader, "kan ik veiliger gehecht raken"))
    assert set(ranking) == {"faq/earned_secure", "faq/several_styles"}
    assert ranking["faq/earned_secure"] > 0.5 > ranking["faq/several_styles"]


def test_a_broken_store_gives_an_untrained_reader(
    tmp_path: Path, context: ExecutionContext
) -> None:
    """A missing array file is no crash at load: the classifier then decides alone."""
    storage = LocalModelStorage(tmp_path)
    reader = KnowledgeReader.create({}, storage, Resource("reader"), context)
    reader.train(TrainingData(training_examples=examples()))
    with storage.read_from(Resource("reader")) as directory:
        (directory / "reader.npz").unlink()
    loaded = KnowledgeReader.load({}, storage, Resource("reader"), context)
    assert loaded.weights is None


def test_a_button_payload_is_not_read(trained: KnowledgeReader) -> None:
    message = Message(
        data={"text": '/choose_topic{"topic_choice": "faq/several_styles"}'}
    )
    trained.process([message])
    assert message.get(PROPERTY) is None


def test_a_described_style_is_learnt_from_its_metadata() -> None:
    """An ask_style example that names no style counts as the style its metadata gives."""
    from bot.components.knowledge_reader import answer_label
    from bot.components.topic_resolver import content_vocabulary

    vocabulary = content_vocabulary("actions/content/knowledge.yml")
    described = Message.build(
        "ik doe alles liever alleen, welke stijl is dat",
        "ask_style",
        None,
        None,
        {"style": "avoidant"},
    )
    bare = Message.build("welke stijl is dat", "ask_style")
    named = Message.build(
        "wat is vastklampend", "ask_style", None, None, {"style": "secure"}
    )
    assert answer_label(described, vocabulary) == "style/avoidant"
    assert answer_label(bare, vocabulary) is None
    # a code that is no style, or metadata of another shape, gives nothing
    for metadata in ({"style": "insecure"}, {"style": "vermijdend"}, "avoidant"):
        odd = Message.build("welke stijl is dat", "ask_style", None, None, metadata)
        assert answer_label(odd, vocabulary) is None
    # a name in the text goes before the metadata
    assert answer_label(named, vocabulary) == "style/anxious"


def test_the_content_file_is_part_of_the_fingerprint(tmp_path: Path) -> None:
    """A change to the content file (which labels the examples) retrains the reader."""
    content = tmp_path / "knowledge.yml"
    content.write_text("terms: {}\n", encoding="utf-8")
    config = {"content": str(content)}
    first = KnowledgeReader.fingerprint_addon(config)
    assert first and KnowledgeReader.fingerprint_addon(config) == first
    content.write_text("terms: {bril: {aliases: [bril]}}\n", encoding="utf-8")
    assert KnowledgeReader.fingerprint_addon(config) != first
    assert KnowledgeReader.fingerprint_addon({}) != first
