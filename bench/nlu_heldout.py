"""Intent and response-selection F1 on the held-out NLU set (never trained on).

Runs ``rasa test nlu`` on ``tests/nlu_heldout/`` (or the files given) with a
trained model and prints the weighted F1 of intents and of the response
selectors (faq/<topic>, chitchat/<topic>), overall and for the knowledge
intents, plus the examples that went wrong.

Usage (from the project root):
    .venv/bin/python bench/nlu_heldout.py [--model models/x.tar.gz] [--out DIR] [FILE_OR_DIR ...]

Without ``--model`` it uses the newest ``models/*.tar.gz``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "bin" / "rasa"
KNOWLEDGE_INTENTS = (
    "faq",
    "chitchat",
    "ask_style",
    "tell_more",
    "explain_term",
    "request_diagnosis",
    "english",
    "out_of_scope",
)
KNOWLEDGE_FILES = ("faq.yml", "knowledge.yml", "chitchat.yml")


def newest_model() -> Path:
    """The most recently written model in ``models/``."""
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit("no model in models/: train first (./hw train)")
    return models[-1]


def run_rasa_test(model: Path, data: Sequence[Path], out: Path) -> None:
    """``rasa test nlu`` on one data file or folder, reports into ``out``."""
    nlu_arg: Path
    if len(data) == 1:
        nlu_arg = data[0]
    else:
        nlu_arg = out / "heldout_data"
        nlu_arg.mkdir(parents=True, exist_ok=True)
        for path in data:
            (nlu_arg / path.name).write_text(
                path.read_text(encoding="utf-8"), encoding="utf-8"
            )
    cmd = [
        str(RASA),
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(nlu_arg),
        "--out",
        str(out),
        "--no-plot",
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def report(path: Path) -> Dict[str, Any]:
    """A Rasa JSON report, or an empty one when it was not written."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def weighted_f1(rows: Dict[str, Any], keep: Any = None) -> tuple[float, int]:
    """Support-weighted F1 over the label rows (optionally only some labels)."""
    total, weighted = 0, 0.0
    for label, row in rows.items():
        if (
            not isinstance(row, dict)
            or "f1-score" not in row
            or label in ("accuracy", "macro avg", "weighted avg", "micro avg")
        ):
            continue
        if keep is not None and not keep(label):
            continue
        support = int(row.get("support", 0))
        total += support
        weighted += float(row["f1-score"]) * support
    return (weighted / total if total else 0.0), total


def errors(out: Path, name: str) -> List[Dict[str, Any]]:
    """The wrongly predicted examples of one report."""
    path = out / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("data", nargs="*", type=Path)
    args = parser.parse_args(argv)
    model = args.model or newest_model()
    data = args.data or [ROOT / "tests" / "nlu_heldout"]
    out = args.out or Path(tempfile.mkdtemp(prefix="nlu_heldout_"))
    run_rasa_test(model, data, out)

    intents = report(out / "intent_report.json")
    selection = report(out / "response_selection_report.json")
    f1_all, n_all = weighted_f1(intents)
    f1_mine, n_mine = weighted_f1(intents, lambda label: label in KNOWLEDGE_INTENTS)
    rs_all, n_rs = weighted_f1(selection)
    rs_faq, n_faq = weighted_f1(selection, lambda label: str(label).startswith("faq/"))
    rs_chat, n_chat = weighted_f1(
        selection, lambda label: str(label).startswith("chitchat/")
    )

    print(f"model: {model.name}")
    print(
        f"held-out data: {', '.join(str(p.relative_to(ROOT)) if p.is_absolute() else str(p) for p in data)}"
    )
    print(f"intent F1 (weighted), all held-out intents:      {f1_all:.3f}  (n={n_all})")
    print(
        f"intent F1 (weighted), knowledge intents:         {f1_mine:.3f}  (n={n_mine})"
    )
    print(f"response-selection F1 (weighted), all:           {rs_all:.3f}  (n={n_rs})")
    print(f"response-selection F1 (weighted), faq/*:         {rs_faq:.3f}  (n={n_faq})")
    print(
        f"response-selection F1 (weighted), chitchat/*:    {rs_chat:.3f}  (n={n_chat})"
    )
    wrong_intents = errors(out, "intent_errors.json")
    wrong_responses = errors(out, "response_selection_errors.json")
    if wrong_intents:
        print(f"\nwrong intents ({len(wrong_intents)}):")
        for item in wrong_intents:
            predicted = (item.get("intent_prediction") or {}).get("name")
            print(
                f"  {item.get('text')!r}: expected {item.get('intent')}, got {predicted}"
            )
    if wrong_responses:
        print(f"\nwrong responses ({len(wrong_responses)}):")
        for item in wrong_responses:
            predicted = (item.get("intent_response_key_prediction") or {}).get("name")
            print(
                f"  {item.get('text')!r}: expected {item.get('intent_response_key_target')}, got {predicted}"
            )
    print(f"\nreports: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
