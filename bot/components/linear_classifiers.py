"""Response selector built on logistic regression, not TensorFlow.

Rasa's ``ResponseSelector`` is a DIET network: every message runs a TensorFlow
graph per retrieval intent, which cost about a sixth of the server's time per
message (py-spy, BENCHMARKS.md) and most of the start-up time. On our sparse
word and character features a regularised logistic regression chooses the same
answers on the held-out set (``bench/nlu_heldout.py``), in well under a
millisecond, with no graph to build at start-up.

The component writes exactly what Rasa's selector writes
(``response_selector[<retrieval intent>]`` with ``response`` and ``ranking``), so
``utter_<retrieval intent>``, ``full_retrieval_intent_name`` and our own actions work
unchanged.
"""

from __future__ import annotations

import json
import logging
import weakref
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

logger = logging.getLogger(__name__)


# Besides skops' defaults (NumPy, builtins), the one type our classifier files hold.
TRUSTED_TYPES = ("sklearn.linear_model._logistic.LogisticRegression",)


# Rows built per message, keyed by the message's id and kept only while the message
# lives (the weak reference's callback drops the entry); nothing is stored on Rasa's
# Message itself.
_ROWS: Dict[int, Tuple[Any, int, csr_matrix]] = {}


def sentence_features(message: Message) -> csr_matrix:
    """The message's sparse and dense sentence features side by side (one row).

    The same row Rasa's ``LogisticRegressionClassifier`` builds for the intent. Both
    selectors need it: it is built once per message (about a millisecond) and
    rebuilt when features were added since.
    """
    key = id(message)
    cached = _ROWS.get(key)
    if cached is not None and cached[0]() is message:
        if cached[1] == len(message.features):
            return cached[2]
    row = _build_row(message)

    def forget(_gone: Any) -> None:
        _ROWS.pop(key, None)

    _ROWS[key] = (weakref.ref(message, forget), len(message.features), row)
    return row


def _build_row(message: Message) -> csr_matrix:
    """Sparse and dense sentence features of ``message`` as one CSR row."""
    sparse = message.get_sparse_features(attribute=TEXT)[1]
    dense = message.get_dense_features(attribute=TEXT)[1]
    parts = [
        csr_matrix(sparse.features) if sparse is not None else None,
        csr_matrix(dense.features) if dense is not None else None,
    ]
    present = [part for part in parts if part is not None]
    return hstack(present).tocsr() if present else csr_matrix((1, 0))


class UntrustedModelFile(RuntimeError):
    """A stored classifier holds types that loading it could run code from."""


def load_trusted(path: Any) -> Any:
    """Load a skops file that holds only a logistic regression and NumPy data.

    Like Rasa's own loader, anything else is refused: skops would have to build
    objects of those types (which may run code). The trusted list is explicit, never
    read from the file itself; the error names the file and the refused types.
    """
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return sio.load(path, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise UntrustedModelFile(
            f"{path} holds types outside {sorted(TRUSTED_TYPES)} and skops' "
            f"defaults ({error}); retrain the model (./hw train)."
        ) from error


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=True,
)
class LinearResponseSelector(GraphComponent):
    """Pick the ``<retrieval intent>/<key>`` answer with logistic regression."""

    @classmethod
    def required_components(cls) -> List[type]:
        """Needs sentence features."""
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[str]:
        """scikit-learn (already a Rasa dependency)."""
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``retrieval_intent`` (required), regularisation ``C``, ``ranking_length``."""
        return {
            "retrieval_intent": None,
            "C": 10.0,
            "max_iter": 1000,
            "ranking_length": 10,
            "random_state": 42,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Any = None,
        responses: Optional[Dict[str, List[Dict[str, Any]]]] = None,
        retrieval_intents: Optional[List[str]] = None,
    ) -> None:
        """Create the component (untrained unless ``classifier`` is given)."""
        self.config = {**self.get_default_config(), **config}
        if not self.config["retrieval_intent"]:
            raise ValueError("LinearResponseSelector needs a retrieval_intent.")
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier
        self.responses = responses or {}
        self.retrieval_intents = retrieval_intents or []

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearResponseSelector:
        """New, untrained component."""
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------ training
    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the examples of the retrieval intent, labelled ``intent/key``."""
        from sklearn.linear_model import LogisticRegression

        intent = self.config["retrieval_intent"]
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        self.responses = {
            key: list(value)
            for key, value in training_data.responses.items()
            if key.startswith(f"utter_{intent}/")
        }
        examples = [
            example
            for example in training_data.intent_examples
            if example.get(INTENT) == intent
            and example.get(INTENT_RESPONSE_KEY)
            and example.get(TEXT)
        ]
        labels = [example.get(INTENT_RESPONSE_KEY) for example in examples]
        if len(set(labels)) < 2:
            logger.warning(
                "LinearResponseSelector(%s): fewer than two answers to choose from.",
                intent,
            )
            self.classifier = None
            self.persist()
            return self._resource
        classifier = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            class_weight="balanced",
            random_state=self.config["random_state"],
        )
        classifier.fit(vstack([sentence_features(e) for e in examples]), labels)
        self.classifier = classifier
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Store the classifier (skops, no pickle) and the responses (JSON)."""
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            if self.classifier is not None:
                sio.dump(self.classifier, directory / "classifier.skops")
            (directory / "responses.json").write_text(
                json.dumps(
                    {
                        "responses": self.responses,
                        "retrieval_intents": self.retrieval_intents,
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearResponseSelector:
        """Load a trained component (an untrained one if nothing was stored)."""
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads(
                    (directory / "responses.json").read_text(encoding="utf-8")
                )
                classifier = None
                path = directory / "classifier.skops"
                if path.exists():
                    classifier = load_trusted(path)
        except ValueError:
            return cls.create(config, model_storage, resource, execution_context)
        return cls(
            config,
            model_storage,
            resource,
            classifier,
            stored.get("responses"),
            stored.get("retrieval_intents"),
        )

    # ---------------------------------------------------------------- inference
    def process(self, messages: List[Message]) -> List[Message]:
        """Add the chosen answer and the ranking to each message."""
        if self.classifier is None:
            return messages
        intent = self.config["retrieval_intent"]
        rows = vstack([sentence_features(m) for m in messages])
        probabilities = self.classifier.predict_proba(rows)
        labels = [str(label) for label in self.classifier.classes_]
        for message, row in zip(messages, probabilities, strict=False):
            order = np.argsort(-row)[: max(1, int(self.config["ranking_length"]))]
            ranking = [
                {
                    "id": int(index),
                    PREDICTED_CONFIDENCE_KEY: float(row[index]),
                    INTENT_RESPONSE_KEY: labels[index],
                }
                for index in order
            ]
            best = ranking[0][INTENT_RESPONSE_KEY]
            template = f"utter_{best}"
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(
                        template, [{TEXT: best}]
                    ),
                    PREDICTED_CONFIDENCE_KEY: ranking[0][PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {}) or {}
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
            properties[intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to training data."""
        return training_data
