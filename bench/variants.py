"""What each speed change did, to speed and to understanding.

Run from the project root on an idle machine (about 25 minutes the first time;
trained variant models are cached in ``.hechtwijzer/bench/models/``)::

    .venv/bin/python bench/variants.py [--only A,F]

Every variant is a pipeline (``config.yml`` or one in ``bench/configs/``) plus
settings. For each it prints training time, model size, held-out intent and
answer-selection F1 (``tests/nlu_heldout``, never trained on), time to ready,
resident memory of the Rasa server, the median reply time of one person doing a
visit or asking questions, and messages per second with 10 people at once.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    CACHE,
    ROOT,
    faq_script,
    hechtwijzer_script,
    run_load,
    scratch_dir,
    start_hechtwijzer,
)
from nlu_heldout import report, run_rasa_test, weighted_f1  # noqa: E402

from bot import serving, settings  # noqa: E402
from bot.launcher.setup import ensure_spacy_model  # noqa: E402

OFF = {"HW_SPEEDUPS": "0", "HW_SEGMENT_EVENTS": "0"}
ONE_THREAD = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


@dataclass
class Variant:
    """A pipeline and the settings it runs with."""

    key: str
    label: str
    config: str
    env: Dict[str, str] = field(default_factory=dict)


VARIANTS = [
    Variant(
        "A",
        "DIET + 2 ResponseSelectors + TED, Rasa as is (before)",
        "bench/configs/diet_ted.yml",
        dict(OFF),
    ),
    Variant(
        "B",
        "A + UnexpecTEDIntentPolicy (the stock bot has it)",
        "bench/configs/diet_ted_unexpected.yml",
        dict(OFF),
    ),
    Variant(
        "C",
        "A, TensorFlow on one thread",
        "bench/configs/diet_ted.yml",
        {**OFF, **ONE_THREAD},
    ),
    Variant(
        "D",
        "A + our speed-ups (validation, events, SQLite, JSON)",
        "bench/configs/diet_ted.yml",
        {"HW_SEGMENT_EVENTS": "0"},
    ),
    Variant(
        "E",
        "logistic regression NLU + TED + speed-ups",
        "bench/configs/linear_ted.yml",
        {"HW_SEGMENT_EVENTS": "0"},
    ),
    Variant("F", "E without TED", "config.yml", {"HW_SEGMENT_EVENTS": "0"}),
    Variant("G", "F + conversation segments (committed)", "config.yml", {}),
]


def trained(config: str) -> tuple[Path, float]:
    """A model for ``config`` (cached by its content and the training data)."""
    digest = hashlib.sha256((ROOT / config).read_bytes())
    digest.update(serving.training_fingerprint(ensure_spacy_model()).encode())
    name = f"{Path(config).stem}-{digest.hexdigest()[:10]}"
    folder = CACHE / "models"
    model = folder / f"{name}.tar.gz"
    seconds_file = folder / f"{name}.seconds"
    if model.exists() and seconds_file.exists():
        return model, float(seconds_file.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    print(f"[bench] training {config} …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(serving.VENV_BIN / "rasa"),
            "train",
            "--config",
            config,
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(folder),
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        env=settings.load_env(),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - started
    seconds_file.write_text(f"{seconds:.1f}")
    return model, seconds


def heldout(model: Path) -> tuple[float, float]:
    """Held-out intent F1 and answer-selection F1 of a model."""
    out = Path(tempfile.mkdtemp(prefix="hw-variant-nlu-"))
    run_rasa_test(model, [ROOT / "tests" / "nlu_heldout"], out)
    intent, _ = weighted_f1(report(out / "intent_report.json"))
    answers, _ = weighted_f1(report(out / "response_selection_report.json"))
    return intent, answers


def measure(variant: Variant, model: Path) -> Dict[str, float]:
    """Ready time, memory, one-person latency and 10-person throughput."""
    # The variant's settings (TF_* too) reach the servers through their env.
    bot = start_hechtwijzer(model, scratch_dir(variant.key), variant.env)
    try:
        run_load(bot.base, hechtwijzer_script, 2, 40, prefix="warm")
        visit = run_load(bot.base, hechtwijzer_script, 1, 150, prefix="v1")
        questions = run_load(bot.base, faq_script, 1, 150, prefix="q1")
        busy = run_load(bot.base, hechtwijzer_script, 10, 300, prefix="v10")
        return {
            "ready_s": bot.ready_s,
            "rss_mb": bot.rss()["rasa"],
            "visit_p50": visit.percentile(50),
            "questions_p50": questions.percentile(50),
            "visit10_rate": busy.rate,
            "errors": float(visit.errors + questions.errors + busy.errors),
        }
    finally:
        bot.stop()


def main(argv: Optional[List[str]] = None) -> int:
    """Measure the variants and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated variant keys")
    args = parser.parse_args(argv)
    wanted = {k.strip() for k in args.only.split(",") if k.strip()}
    rows = []
    scores: Dict[str, tuple[float, float]] = {}
    for variant in VARIANTS:
        if wanted and variant.key not in wanted:
            continue
        model, train_s = trained(variant.config)
        if variant.config not in scores:
            scores[variant.config] = heldout(model)
        figures = measure(variant, model)
        intent, answers = scores[variant.config]
        row = (
            f"| {variant.key} | {variant.label} | {train_s:.0f} | "
            f"{model.stat().st_size / 1e6:.1f} | {intent:.3f} | {answers:.3f} | "
            f"{figures['ready_s']:.1f} | {figures['rss_mb']:.0f} | "
            f"{figures['visit_p50']:.1f} | {figures['questions_p50']:.1f} | "
            f"{figures['visit10_rate']:.1f} |"
        )
        print(row, flush=True)
        rows.append(row)
    print()
    print(
        "| | variant | train s | model MB | intent F1 | answer F1 | ready s | "
        "RSS MB | visit p50 ms | questions p50 ms | visit msg/s, 10 people |"
    )
    print(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
