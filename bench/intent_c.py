"""Intent classifier: Rasa's LogisticRegressionClassifier against a tuned ``C``.

    .venv/bin/python bench/intent_c.py --model models/<model>.tar.gz [--folds 5]

Stratified k-fold cross-validation on the NLU training data only (``data/``; never
the held-out sets). The features come from the trained model's own featurizers, run
on every training example once; each fold then fits a logistic regression exactly as
Rasa's ``LogisticRegressionClassifier`` does (lbfgs, balanced class weights) with the
``C`` and ``max_iter`` of the row. The featurizers' vocabulary was fitted on all
training texts, so a fold's test examples may have words no training example of that
fold has: a regularised linear model gives such columns no weight, so this moves
every row alike. Prints weighted and macro intent F1 (mean and spread over folds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROWS: List[Tuple[str, float, int]] = [
    ("Rasa LogisticRegressionClassifier (C=1, max_iter 100)", 1.0, 100),
    ("C=0.3", 0.3, 300),
    ("C=1", 1.0, 300),
    ("C=3", 3.0, 300),
    ("C=10", 10.0, 300),
    ("C=30 (config.yml before)", 30.0, 300),
    ("C=100", 100.0, 300),
]


def training_examples() -> Tuple[List[str], List[str]]:
    """Texts and intents of the NLU training data, as Rasa's classifier sees them."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "domain"),
        training_data_paths=[str(ROOT / "data")],
    )
    data = importer.get_nlu_data()
    pairs = [
        (e.get("text"), e.get("intent"))
        for e in data.intent_examples
        if e.get("intent") and e.get("text")
    ]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def featurize(model: Path, texts: List[str]) -> Any:
    """Sentence features of ``texts`` from the model's last featurizer (as Rasa stacks them)."""
    from rasa.core.channels import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE
    from rasa.engine.loader import load_predict_graph_runner
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.shared.nlu.constants import TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    with tempfile.TemporaryDirectory() as storage:
        metadata, runner = load_predict_graph_runner(
            Path(storage), model, LocalModelStorage, DaskGraphRunner
        )
        names = [
            name
            for name in metadata.predict_schema.nodes
            if "Featurizer" in name and name.startswith("run_")
        ]
        target = sorted(names, key=lambda n: int("".join(filter(str.isdigit, n))))[-1]
        messages = runner.run(
            inputs={PLACEHOLDER_MESSAGE: [UserMessage(t) for t in texts]},
            targets=[target],
        )[target]
    rows = []
    for message in messages:
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        dense = message.get_dense_features(attribute=TEXT)[1]
        parts = [csr_matrix(f.features) for f in (sparse, dense) if f is not None]
        rows.append(hstack(parts))
    return vstack(rows).tocsr()


def main(argv: Optional[List[str]] = None) -> int:
    """Cross-validate every row and print a table."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    texts, intents = training_examples()
    features = featurize(args.model, texts)
    labels = np.array(intents)
    print(
        f"{len(texts)} training examples, {len(set(intents))} intents, "
        f"{features.shape[1]} features, {args.folds} folds",
        flush=True,
    )
    folds = list(
        StratifiedKFold(args.folds, shuffle=True, random_state=0).split(
            features, labels
        )
    )
    print("\n| classifier | weighted F1 | macro F1 | fit s |")
    print("| --- | ---: | ---: | ---: |")
    for name, c, max_iter in ROWS:
        weighted, macro, seconds = [], [], []
        for train, test in folds:
            classifier = LogisticRegression(
                C=c,
                solver="lbfgs",
                max_iter=max_iter,
                class_weight="balanced",
                tol=1e-4,
                random_state=42,
            )
            start = time.perf_counter()
            classifier.fit(features[train], labels[train])
            seconds.append(time.perf_counter() - start)
            predicted = classifier.predict(features[test])
            weighted.append(f1_score(labels[test], predicted, average="weighted"))
            macro.append(f1_score(labels[test], predicted, average="macro"))
        print(
            f"| {name} | {np.mean(weighted):.3f} ± {np.std(weighted):.3f} "
            f"| {np.mean(macro):.3f} ± {np.std(macro):.3f} | {np.mean(seconds):.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
