"""How well Hechtwijzer understands free questions: held-out sets, cross-validation, tuning.

Two evaluations:

1. ``--tsv FILE`` (``label<TAB>message``, labels ``faq/<key>``, ``style/<code>``,
   ``term/<key>``): every message goes THROUGH THE REAL PIPELINE, the running bot
   over REST (its own bot unless ``--base``), each in a fresh conversation. The reply
   is read back to the answer it gives. Per label and overall: right / asked back
   ("Bedoel je …?") / rephrase (asked to say it differently) / other reply (no
   answer, e.g. the diagnosis note) / wrong (another topic's answer), the confusion
   pairs, and the table of answers that count as the same (``EQUIVALENT`` in
   ``bot/components/topic_choice.py``). Beside it, ``--cv`` gives k-fold
   cross-validation on the training data (``bench/nlu_replay.py``), and
   ``--curve`` the trade-off (threshold -> right / asked back / wrong) on the same
   messages parsed in-process and on the folds; ``--tune`` searches the settings
   of ``TopicResolver`` on the development list and the folds (never on a held-out
   list).
2. Without ``--tsv``: ``rasa test nlu`` on ``tests/nlu_heldout/`` (or the YAML files
   given), printing the weighted F1 of intents and response selection.

Usage (from the project root):
    .venv/bin/python bench/nlu_heldout.py --tsv tests/data/nlu/development.tsv [--cv] [--curve]
    .venv/bin/python bench/nlu_heldout.py --tune [--tsv DEV.tsv ...]
    .venv/bin/python bench/nlu_heldout.py [--model models/x.tar.gz] [--out DIR] [FILE_OR_DIR ...]

Without ``--model`` it uses the newest ``models/*.tar.gz``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import nlu_replay as nr  # noqa: E402
from bot.components import topic_choice as tc  # noqa: E402
from hechtwijzer_core.text import unaccented  # noqa: E402

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


def yaml_evaluation(model: Path, data: Sequence[Path], out: Path) -> int:
    """``rasa test nlu`` on YAML held-out files; print the F1 figures and the misses."""
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


# --------------------------------------------------------------- through the bot
SAFETY = "reply:safety"
"""A crisis reply or check-in question: an alarm, not an answer about a topic."""
WITH_CHECK_IN = " (with a check-in)"
"""Added to what was given when the right answer came with a check-in question."""
#: Replies of another kind that answer what the label asks, counted as right (the
#: report says how many): "what is this bot?" is answered by the bot-challenge,
#: disclaimer, no-diagnosis and help replies as the FAQ answer does (a chatbot that
#: explains, no diagnosis, no treatment, what it can do), and "who made you?" or
#: "who are you?" by the small-talk replies about the bot's maker and name; "how do
#: I find out my style?" / "can I do a test?" by starting the questions.
FITTING_REPLIES: Dict[str, Tuple[str, ...]] = {
    "faq/about_hechtwijzer": (
        "reply:utter_bot_challenge",
        "reply:utter_disclaimer",
        "reply:utter_request_diagnosis",
        "reply:utter_help",
        "reply:utter_chitchat/creator",
        "reply:utter_chitchat/name",
    ),
    "faq/how_to_know_style": ("reply:utter_questionnaire_intro",),
}


def _squash(text: Any) -> str:
    return " ".join(str(text).split()).lower()


class ReplyReader:
    """Reads a reply of the bot back to the answer it gives."""

    def __init__(self) -> None:
        self.known: List[Tuple[str, str]] = []
        faq = yaml.safe_load(
            (ROOT / "data" / "nlu" / "responses_faq.yml").read_text(encoding="utf-8")
        )
        for name, variants in (faq.get("responses") or {}).items():
            for variant in variants:
                self._add(variant.get("text"), str(name)[len("utter_") :])
        data = nr.content()
        for code, entry in data["styles"].items():
            self._add(entry["intro"], f"style/{code}")
        self._add(data["variants"]["insecure"]["note"], "style/insecure")
        for key, entry in data["terms"].items():
            self._add(entry["text"], f"term/{key}")
        messages = data["messages"]
        for key in ("ask_back", "ask_back_one"):
            self._add(messages[key], nr.ASKED)
        for key in ("faq_not_understood", "unknown_term", "unknown_style"):
            self._add(messages[key], nr.REPHRASE)
        helplines = yaml.safe_load(
            (ROOT / "hechtwijzer_core" / "content" / "helplines.yml").read_text(
                encoding="utf-8"
            )
        )
        for text in (helplines.get("reply") or {}).get("opening", {}).values():
            self._add(text, SAFETY)
        chitchat = yaml.safe_load(
            (ROOT / "data" / "nlu" / "chitchat.yml").read_text(encoding="utf-8")
        )
        for name, variants in (chitchat.get("responses") or {}).items():
            for variant in variants or []:
                self._add(variant.get("text"), f"reply:{name}")
        for path in sorted((ROOT / "domain").glob("*.yml")):
            domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for name, variants in (domain.get("responses") or {}).items():
                kind = (
                    nr.REPHRASE
                    if name in ("utter_default", "utter_questionnaire_fallback")
                    else SAFETY if "crisis" in name else f"reply:{name}"
                )
                for variant in variants or []:
                    self._add(variant.get("text"), kind)

    def _add(self, text: Any, label: str) -> None:
        if text:
            prefix = _squash(text)[:48]
            if "{" not in prefix:
                self.known.append((prefix, label))

    def checks_in(self, replies: List[Dict[str, Any]]) -> bool:
        """True when a crisis reply or check-in question is among ``replies``."""
        return any(
            label == SAFETY
            for reply in replies
            for pre, label in self.known
            if _squash(reply.get("text") or "").startswith(pre)
        )

    def read(self, replies: List[Dict[str, Any]]) -> Tuple[str, List[str]]:
        """(ASKED / REPHRASE / ``answer`` / ``reply:<name>`` / ``reply:?``, answers)."""
        answers: List[str] = []
        first_other = ""
        for reply in replies:
            text = _squash(reply.get("text") or "")
            if not text:
                continue
            label = next((lab for pre, lab in self.known if text.startswith(pre)), "")
            if label in (nr.ASKED, nr.REPHRASE):
                return label, answers
            if label and not label.startswith("reply:"):
                answers.append(label)
            elif not first_other:
                first_other = label or f"reply:? {text[:40]}"
        if answers:
            return "answer", answers
        return first_other or "reply:(nothing)", answers


def rest_outcome(expected: str, kind: str, answers: List[str]) -> Tuple[str, str]:
    """(right / asked / rephrase / other / wrong, what was given)."""
    if kind == nr.ASKED:
        return nr.ASKED, "asked back"
    if kind == nr.REPHRASE:
        return nr.REPHRASE, "rephrase"
    if kind == "answer":
        if any(nr.is_right(expected, label) for label in answers):
            return nr.RIGHT, expected
        return nr.WRONG, answers[0]
    if kind in FITTING_REPLIES.get(expected, ()):
        return nr.RIGHT, kind
    return nr.OTHER, kind


def rest_evaluation(
    base: str, rows: List[Tuple[str, str]], workers: int
) -> List[Tuple[str, str, str, str]]:
    """(expected, text, outcome, given) for every row, sent through the bot."""
    from concurrent.futures import ThreadPoolExecutor

    from bench.harness import post

    reader = ReplyReader()
    stamp = time.time_ns()

    def one(item: Tuple[int, Tuple[str, str]]) -> Tuple[str, str, str, str]:
        index, (expected, text) = item
        replies = post(base, f"nlu-eval-{stamp}-{index}", text)
        kind, answers = reader.read(replies)
        got, given = rest_outcome(expected, kind, answers)
        if got == nr.RIGHT and reader.checks_in(replies):
            given += WITH_CHECK_IN
        return expected, text, got, given

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, enumerate(rows)))


def _pct(counter: Counter, kind: str) -> str:
    total = sum(counter.values())
    return f"{counter.get(kind, 0) / total:6.1%}" if total else "   n/a"


def _row(name: str, counter: Counter) -> str:
    total = sum(counter.values())
    cells = " ".join(f"{_pct(counter, kind):>8}" for kind in nr.KINDS)
    return f"{name:<34}{total:>5} {cells}"


HEADER = f"{'':<34}{'n':>5} " + " ".join(f"{k:>8}" for k in nr.KINDS)


def print_headline(name: str, counter: Counter) -> None:
    """Right / asked back (with rephrase) / wrong (with other replies)."""
    total = sum(counter.values()) or 1
    right = counter[nr.RIGHT] / total
    asked = (counter[nr.ASKED] + counter[nr.REPHRASE]) / total
    wrong = (counter[nr.WRONG] + counter[nr.OTHER]) / total
    print(
        f"{name}: right {right:.1%}, asked back {asked:.1%} "
        f"(of which rephrase {counter[nr.REPHRASE] / total:.1%}), "
        f"wrong {wrong:.1%} (of which other reply {counter[nr.OTHER] / total:.1%})"
        f"  n={sum(counter.values())}"
    )


def _plain(text: str) -> str:
    """Lowercase words only: how a message is compared with the training data."""
    folded = unaccented(text)
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def training_texts() -> set[str]:
    """Every NLU training example, compared as :func:`_plain` text."""
    return {_plain(text) for text, _, _ in nr.training_examples()}


def print_unseen(results: List[Tuple[str, str, str, str]], seen: set[str]) -> None:
    """The headline again for the messages that are not a training example.

    People type common questions the same way ("welke hechtingsstijlen zijn er"), so
    a list written blind still shares some messages with the training data word for
    word; the figure without them is the one for new wordings.
    """
    unseen: Dict[str, Counter] = defaultdict(Counter)
    for expected, text, got, _ in results:
        if _plain(text) not in seen:
            unseen[expected.split("/")[0]][got] += 1
            unseen["ALL"][got] += 1
    same = len(results) - sum(unseen["ALL"].values())
    print(f"\nnot word for word in the training data ({same} of {len(results)} are):")
    print(HEADER)
    for kind in sorted(unseen):
        print(_row(f"{kind}/*" if kind != "ALL" else "ALL", unseen[kind]))
    print_headline("unseen", unseen["ALL"])


def print_rest_report(name: str, results: List[Tuple[str, str, str, str]]) -> None:
    """Per label, per kind of label, overall; then confusion pairs and misses."""
    per_label: Dict[str, Counter] = defaultdict(Counter)
    per_kind: Dict[str, Counter] = defaultdict(Counter)
    overall: Counter = Counter()
    confusion: Counter = Counter()
    for expected, _, got, given in results:
        per_label[expected][got] += 1
        per_kind[expected.split("/")[0]][got] += 1
        overall[got] += 1
        if got in (nr.WRONG, nr.OTHER):
            confusion[(expected, given)] += 1
    print(f"\n== {name} (through the running bot, REST)")
    print(HEADER)
    for label in sorted(per_label):
        print(_row(label, per_label[label]))
    print("-" * len(HEADER))
    for kind in sorted(per_kind):
        print(_row(f"{kind}/*", per_kind[kind]))
    print(_row("ALL", overall))
    print_headline("overall", overall)
    fitting = sum(
        1
        for expected, _, got, given in results
        if got == nr.RIGHT and given in FITTING_REPLIES.get(expected, ())
    )
    print(
        f"of the right ones, a fitting reply of another kind (FITTING_REPLIES): "
        f"{fitting} ({fitting / (len(results) or 1):.1%})"
    )
    beside = sum(1 for _, _, got, given in results if given.endswith(WITH_CHECK_IN))
    print(
        f"of the right ones, answered with a check-in question beside: "
        f"{beside} ({beside / (len(results) or 1):.1%})"
    )
    safety = sum(1 for _, _, got, given in results if given == SAFETY)
    print(
        f"of the other replies, crisis replies and check-in questions: "
        f"{safety} ({safety / (len(results) or 1):.1%})"
    )
    if confusion:
        print("\nconfusion pairs (expected -> given), wrong and other replies:")
        for (expected, given), count in confusion.most_common():
            print(f"  {count:>3}  {expected} -> {given}")
        print("\nmisses:")
        for expected, text, got, given in results:
            if got in (nr.WRONG, nr.OTHER):
                print(f"  [{expected} -> {given}] {text}")


def print_equivalences() -> None:
    print(
        "\nanswers that count as the same (EQUIVALENT, bot/components/topic_choice.py):"
    )
    for term, topic in sorted(tc.EQUIVALENT.items()):
        print(f"  {term:<34} = {topic}")


def print_curve(name: str, cases: Sequence[nr.Case], settings: tc.Settings) -> None:
    vocab = nr.vocabulary()
    print(
        f"\n-- trade-off on {name}: min_margin -> right / asked / wrong "
        f"(other settings as configured)"
    )
    print(f"{'min_margin':>10} {'right':>7} {'asked':>7} {'wrong':>7}")
    for margin, counter in nr.curve(cases, vocab, settings):
        sh = nr.shares(counter)
        print(
            f"{margin:>10.2f} {sh[nr.RIGHT]:>7.1%} {sh[nr.ASKED] + sh[nr.REPHRASE]:>7.1%}"
            f" {sh[nr.WRONG] + sh[nr.OTHER]:>7.1%}"
        )
    print(f"{'min_score':>10} {'right':>7} {'asked':>7} {'wrong':>7}")
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        adjusted = tc.Settings(**{**settings.__dict__, "min_score": threshold})
        sh = nr.shares(nr.summary(cases, vocab, adjusted))
        print(
            f"{threshold:>10.2f} {sh[nr.RIGHT]:>7.1%} {sh[nr.ASKED] + sh[nr.REPHRASE]:>7.1%}"
            f" {sh[nr.WRONG] + sh[nr.OTHER]:>7.1%}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluations asked for and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--tsv", type=Path, action="append", default=[])
    parser.add_argument(
        "--base", help="a running bot at this URL (else one is started)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cv", action="store_true", help="k-fold on the training data")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--curve", action="store_true", help="the trade-off curves")
    parser.add_argument("--tune", action="store_true", help="search the settings")
    parser.add_argument("data", nargs="*", type=Path)
    args = parser.parse_args(argv)
    model = args.model or newest_model()
    if not (args.tsv or args.cv or args.tune):
        data = args.data or [ROOT / "tests" / "nlu_heldout"]
        out = args.out or Path(tempfile.mkdtemp(prefix="nlu_heldout_"))
        return yaml_evaluation(model, data, out)

    print(f"model: {model.name}")
    settings = nr.config_settings()
    print(f"settings (config.yml): {settings}")
    print_equivalences()
    lists = {str(p): nr.read_tsv(p) for p in args.tsv}
    if args.tsv and not args.tune:
        bot = None
        base = args.base
        if base is None:
            from bench.harness import scratch_dir, start_hechtwijzer

            bot = start_hechtwijzer(model, scratch_dir("nlu-heldout"))
            base = bot.base
        seen = training_texts()
        try:
            for name, rows in lists.items():
                started = time.monotonic()
                results = rest_evaluation(base, rows, args.workers)
                print_rest_report(
                    f"{name} ({time.monotonic() - started:.0f} s)", results
                )
                print_unseen(results, seen)
        finally:
            if bot is not None:
                bot.stop()
    if not (args.cv or args.curve or args.tune):
        return 0
    agent = nr.load_agent(model)
    sets: Dict[str, List[nr.Case]] = {}
    for name, rows in lists.items():
        parses = nr.parse_texts(agent, [text for _, text in rows])
        sets[name] = [
            nr.case_from_parse(label, p)
            for (label, _), p in zip(rows, parses, strict=False)
        ]
    if args.cv or args.tune:
        folds, seconds = nr.cross_validation(model, args.folds, agent)
        sets[f"cross-validation ({args.folds} folds)"] = folds
        vocab = nr.vocabulary()
        counter = nr.summary(folds, vocab, settings)
        print(
            f"\n== cross-validation on the training data, {args.folds} folds"
            f" ({seconds:.0f} s; 0 = cached), knowledge examples, in-process"
        )
        print(HEADER)
        print(_row("ALL", counter))
        print_headline("cross-validation", counter)
        alarms = nr.false_alarms(folds, vocab, settings)
        total = sum(alarms.values()) or 1
        print(
            f"other training messages (greetings, answers to the questions, ...): "
            f"left alone {alarms['pass'] / total:.1%}, asked back "
            f"{alarms['ask'] / total:.1%}, given a knowledge answer "
            f"{alarms['answer'] / total:.1%}  n={total}"
        )
    if args.curve:
        for name, cases in sets.items():
            print_curve(name, cases, settings)
    if args.tune:
        vocab = nr.vocabulary()
        ranked = nr.tune(sets, vocab, settings)
        print(
            f"\n== tuning over {len(ranked)} settings (score: right - "
            f"{nr.WRONG_COST:g} x wrong answer - {nr.OTHER_COST:g} x other reply - "
            f"{nr.ALARM_COST:g} x needless question back, averaged over "
            f"{', '.join(sets)}); right/asked/wrong+other per set"
        )
        for total, tuned, per_set, alarms in ranked[:12]:
            cells = "; ".join(
                f"{nr.shares(c)[nr.RIGHT]:.1%}/"
                f"{nr.shares(c)[nr.ASKED] + nr.shares(c)[nr.REPHRASE]:.1%}/"
                f"{nr.shares(c)[nr.WRONG] + nr.shares(c)[nr.OTHER]:.1%}"
                for c in per_set.values()
            )
            knobs = ", ".join(f"{k}={getattr(tuned, k)}" for k in nr.GRID)
            n_alarm = sum(alarms.values()) or 1
            print(
                f"  {total:+.3f}  {knobs}\n      right/asked/wrong: {cells}; other "
                f"messages asked back {alarms['ask'] / n_alarm:.1%}, answered "
                f"{alarms['answer'] / n_alarm:.1%}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
