"""Logistic-regression intent classifier and response selector (no TensorFlow).

Built from real Rasa pieces on a small training set: whitespace tokens and
Rasa's ``CountVectorsFeaturizer``, no full model training.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_classifiers import (
    LinearResponseSelector,
)

INTENTS: Dict[str, List[str]] = {
    "greet": ["hallo", "hoi daar", "goedemorgen", "hallo allemaal", "hoi"],
    "goodbye": ["doei", "tot ziens", "dag hoor", "tot later", "doei doei"],
    "start_questionnaire": [
        "ik wil de vragenlijst doen",
        "start de vragenlijst",
        "begin met de vragen",
        "laat de vragenlijst zien",
    ],
}

FAQ: Dict[str, List[str]] = {
    "a": [
        "wat is hechting",
        "wat betekent hechting",
        "leg hechting eens uit",
        "hechting wat is dat",
    ],
    "b": [
        "hoe lang duurt de test",
        "hoe lang duren de vragen",
        "hoeveel tijd kost de test",
        "duurt het lang",
    ],
    "c": [
        "is dit een diagnose",
        "krijg ik een diagnose",
        "stel je een diagnose",
        "geeft dit een officiele diagnose",
    ],
}

CHITCHAT: Dict[str, List[str]] = {
    "weather": ["wat voor weer is het", "regent het buiten", "is het mooi weer"],
    "name": ["hoe heet jij", "wat is jouw naam", "heb je een naam"],
}

SOLO: Dict[str, List[str]] = {"only": ["vertel een mop", "ken je een grap"]}


def answer(retrieval_intent: str, key: str) -> List[Dict[str, Any]]:
    """The (single) response text of one retrieval answer."""
    return [{"text": f"Antwoord {retrieval_intent}/{key}."}]


def retrieval_examples(
    retrieval_intent: str, texts: Dict[str, List[str]]
) -> List[Message]:
    """Training messages of a retrieval intent, labelled ``intent/key``."""
    return [
        Message(
            data={
                "text": text,
                "intent": retrieval_intent,
                "intent_response_key": f"{retrieval_intent}/{key}",
            }
        )
        for key, examples in texts.items()
        for text in examples
    ]


@pytest.fixture(scope="module")
def context() -> ExecutionContext:
    """A minimal execution context, as a graph node gets one."""
    return ExecutionContext(GraphSchema({}), "test-model", node_name="test_node")


@pytest.fixture
def storage(tmp_path: Path) -> ModelStorage:
    """A fresh local model storage per test."""
    return LocalModelStorage(tmp_path)


class Featurize:
    """Whitespace tokens + Rasa's CountVectorsFeaturizer, trained once."""

    def __init__(self, storage: ModelStorage, context: ExecutionContext) -> None:
        """Create the (untrained) tokenizer and featurizer."""
        self.tokenizer = WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(),
            storage,
            Resource("tokenizer"),
            context,
        )
        self.featurizer = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(),
            storage,
            Resource("count_vectors"),
            context,
        )

    def train(self, data: TrainingData) -> TrainingData:
        """Tokenize, train the featurizer and featurize the training data."""
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        return self.featurizer.process_training_data(data)

    def message(self, text: str) -> Message:
        """A new user message with the same features as at training time."""
        message = Message(data={"text": text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        return message


@pytest.fixture(scope="module")
def featurized(
    tmp_path_factory: pytest.TempPathFactory, context: ExecutionContext
) -> tuple[TrainingData, Featurize]:
    """The small training set, featurized, and the featurizer for new messages."""
    examples = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in INTENTS.items()
        for text in texts
    ]
    examples += retrieval_examples("faq", FAQ)
    examples += retrieval_examples("chitchat", CHITCHAT)
    examples += retrieval_examples("solo", SOLO)
    responses = {
        f"utter_{intent}/{key}": answer(intent, key)
        for intent, texts in (("faq", FAQ), ("chitchat", CHITCHAT), ("solo", SOLO))
        for key in texts
    }
    data = TrainingData(examples, responses=responses)
    featurize = Featurize(
        LocalModelStorage(tmp_path_factory.mktemp("featurizer")), context
    )
    return featurize.train(data), featurize


@pytest.fixture
def data(featurized: tuple[TrainingData, Featurize]) -> TrainingData:
    """The featurized training data."""
    return featurized[0]


@pytest.fixture
def featurize(featurized: tuple[TrainingData, Featurize]) -> Featurize:
    """Featurizes new messages like the training data."""
    return featurized[1]


def trained_selector(
    config: Dict[str, Any],
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    name: str = "selector",
) -> LinearResponseSelector:
    """A response selector trained on ``data``."""
    selector = LinearResponseSelector.create(config, storage, Resource(name), context)
    selector.train(data)
    return selector


# ------------------------------------------------------------ response selector


def test_training_data_has_the_retrieval_intents(data: TrainingData) -> None:
    """The fixture is what the tests below assume."""
    assert data.retrieval_intents == {"faq", "chitchat", "solo"}
    assert data.training_examples[0].get_sparse_features("text")[1] is not None


def test_selector_writes_rasa_response_selector_structure(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
) -> None:
    """Output has the keys Rasa's ResponseSelector writes, ranking best first."""
    selector = trained_selector({"retrieval_intent": "faq"}, storage, context, data)
    message = featurize.message("hoe lang duurt de vragenlijst")
    selector.process([message])

    properties = message.get("response_selector")
    assert "response_selector" in message.output_properties
    assert set(properties) == {"all_retrieval_intents", "faq"}
    assert sorted(properties["all_retrieval_intents"]) == ["chitchat", "faq", "solo"]

    prediction = properties["faq"]
    assert set(prediction) == {"response", "ranking"}
    response = prediction["response"]
    assert set(response) == {
        "responses",
        "confidence",
        "intent_response_key",
        "utter_action",
    }
    ranking = prediction["ranking"]
    assert {item["intent_response_key"] for item in ranking} == {
        "faq/a",
        "faq/b",
        "faq/c",
    }
    for item in ranking:
        assert set(item) == {"id", "confidence", "intent_response_key"}
    confidences = [item["confidence"] for item in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert ranking[0]["intent_response_key"] == response["intent_response_key"]
    assert ranking[0]["confidence"] == pytest.approx(response["confidence"])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("wat betekent hechting eigenlijk", "a"),
        ("hoe lang duurt de test ongeveer", "b"),
        ("krijg ik hier een diagnose", "c"),
    ],
)
def test_selector_picks_the_matching_answer(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
    text: str,
    key: str,
) -> None:
    """A clearly matching question gets its answer, utter action and texts."""
    selector = trained_selector({"retrieval_intent": "faq"}, storage, context, data)
    message = featurize.message(text)
    selector.process([message])

    response = message.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == f"faq/{key}"
    assert response["utter_action"] == f"utter_faq/{key}"
    assert response["responses"] == answer("faq", key)
    assert response["confidence"] > 1 / len(FAQ)


def test_selector_learns_only_its_own_retrieval_intent(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
) -> None:
    """The chitchat selector ranks chitchat answers only and keeps the faq entry."""
    faq = trained_selector({"retrieval_intent": "faq"}, storage, context, data, "faq")
    chitchat = trained_selector(
        {"retrieval_intent": "chitchat"}, storage, context, data, "chitchat"
    )
    assert set(chitchat.responses) == {"utter_chitchat/weather", "utter_chitchat/name"}
    message = featurize.message("hoe heet jij eigenlijk")
    faq.process([message])
    chitchat.process([message])

    properties = message.get("response_selector")
    assert set(properties) == {"all_retrieval_intents", "faq", "chitchat"}
    assert {
        item["intent_response_key"] for item in properties["chitchat"]["ranking"]
    } == {
        "chitchat/weather",
        "chitchat/name",
    }
    assert properties["chitchat"]["response"]["utter_action"] == "utter_chitchat/name"


def test_selector_ranking_length(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
) -> None:
    """``ranking_length`` caps the ranking."""
    selector = trained_selector(
        {"retrieval_intent": "faq", "ranking_length": 2}, storage, context, data
    )
    message = featurize.message("wat is hechting")
    selector.process([message])
    assert len(message.get("response_selector")["faq"]["ranking"]) == 2


def test_selector_persist_and_load_give_the_same_prediction(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
) -> None:
    """A selector loaded from storage predicts exactly what the trained one did."""
    config = {"retrieval_intent": "faq"}
    trained = trained_selector(config, storage, context, data)
    loaded = LinearResponseSelector.load(
        {**LinearResponseSelector.get_default_config(), **config},
        storage,
        Resource("selector"),
        context,
    )
    assert loaded.classifier is not None
    assert loaded.classifier is not trained.classifier

    for text in ("wat is hechting", "duurt het lang", "is dit een diagnose"):
        fresh, restored = featurize.message(text), featurize.message(text)
        trained.process([fresh])
        loaded.process([restored])
        assert restored.get("response_selector") == fresh.get("response_selector")


def test_selector_load_without_stored_model_is_untrained(
    storage: ModelStorage, context: ExecutionContext, featurize: Featurize
) -> None:
    """Loading a resource that was never written gives an untrained selector."""
    loaded = LinearResponseSelector.load(
        {"retrieval_intent": "faq"}, storage, Resource("nooit_getraind"), context
    )
    assert loaded.classifier is None
    message = featurize.message("wat is hechting")
    loaded.process([message])
    assert message.get("response_selector") is None


def test_selector_with_fewer_than_two_answers_leaves_messages_untouched(
    storage: ModelStorage,
    context: ExecutionContext,
    data: TrainingData,
    featurize: Featurize,
) -> None:
    """One answer (or none) to choose from: trains, stores, and adds nothing."""
    for intent in ("solo", "bestaat_niet"):
        selector = trained_selector(
            {"retrieval_intent": intent}, storage, context, data, intent
        )
        assert selector.classifier is None
        loaded = LinearResponseSelector.load(
            {"retrieval_intent": intent}, storage, Resource(intent), context
        )
        for component in (selector, loaded):
            message = featurize.message("vertel een mop")
            before = copy.copy(message.data)
            assert component.process([message]) == [message]
            assert message.data == before
            assert "response_selector" not in message.data


@pytest.mark.parametrize(
    "config", [{}, {"retrieval_intent": None}, {"retrieval_intent": ""}]
)
def test_selector_needs_a_retrieval_intent(
    storage: ModelStorage, context: ExecutionContext, config: Dict[str, Any]
) -> None:
    """Without ``retrieval_intent`` the selector refuses to be built."""
    with pytest.raises(ValueError, match="retrieval_intent"):
        LinearResponseSelector.create(config, storage, Resource("selector"), context)


def test_selector_is_registered_with_the_recipe() -> None:
    """config.yml names the selector by module path; the recipe must know it."""
    path = "bot.components.linear_classifiers.LinearResponseSelector"
    registered = DefaultV1Recipe._from_registry(path)
    assert registered.clazz is LinearResponseSelector
    assert registered.is_trainable is True


# ------------------------------------------------------------------- features


def test_sentence_features_are_the_row_rasas_classifier_builds(
    featurize: Featurize,
) -> None:
    """The selectors' row: Rasa's intent row, once per message, gone with it."""
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.training_data.features import Features

    from bot.components.linear_classifiers import sentence_features

    message = featurize.message("hallo daar")
    attributes = set(vars(message))
    first = sentence_features(message)
    assert sentence_features(message) is first
    rasa_row = LogisticRegressionClassifier._create_X(None, [message])  # type: ignore[arg-type]
    assert (first != rasa_row).nnz == 0
    assert set(vars(message)) == attributes  # nothing kept on Rasa's Message
    message.add_features(
        Features(np.ones((1, 3)), "sentence", "text", "extra_featurizer")
    )
    grown = sentence_features(message)
    assert grown is not first and grown.shape[1] == first.shape[1] + 3
    import gc

    from bot.components import linear_classifiers

    key = id(message)
    assert key in linear_classifiers._ROWS
    del message
    gc.collect()
    assert key not in linear_classifiers._ROWS


def test_selector_refuses_a_model_file_with_untrusted_types(
    storage: ModelStorage, context: ExecutionContext
) -> None:
    """A classifier file that would make skops call a function is never loaded."""
    import json
    import operator

    import skops.io as sio
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from bot.components.linear_classifiers import UntrustedModelFile

    crafted = Pipeline(
        [("call", FunctionTransformer(operator.neg)), ("lr", LogisticRegression())]
    )
    with storage.write_to(Resource("selector")) as directory:
        sio.dump(crafted, directory / "classifier.skops")
        (directory / "responses.json").write_text(
            json.dumps({"responses": {}, "retrieval_intents": []})
        )
    with pytest.raises(UntrustedModelFile, match="_operator.neg"):
        LinearResponseSelector.load(
            {"retrieval_intent": "faq"}, storage, Resource("selector"), context
        )
