"""Fit the relevance calibration (indexer/query/relevance.py) and print its held-out figures.

    python bench/fit_relevance.py             # fit, print the tables, write calibration.json
    python bench/fit_relevance.py --dry-run   # print only

Labelled searches (top 10 hits each): the seed questions, Chinese and English (a hit is
positive when it is an expected clause), NCP dev (positive when its text contains the
answer: bench_retrieval.ncp_hit, "answer anywhere"), and bench/negatives.jsonl, whose every
hit is negative (on the seed index; on NCP too, except the other-policy questions, which the
NCP notices may well answer). Features do not depend on the fit, so every question is searched
once; the model is then fitted 5 times, each time leaving out a fifth of the questions, and
every figure printed is of held-out predictions. The threshold of `relevant` is the highest
whose held-out first positive hit stays relevant for >= 95% of answerable questions; the
coefficients written are those fitted on all questions.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_retrieval import NCP, ensure_index, ncp_hit, seed_hit

from indexer.config import Config
from indexer.embed.runtimes import load_embedder
from indexer.query.engine import open_engine
from indexer.query.relevance import CALIBRATION, FEATURES, Calibration, fit_logistic

FOLDS = 5
FIRST_POSITIVE_RECALL = 0.95
L2 = 0.1
MODEL = "multilingual-e5-small"


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def labelled(engine, questions: list[dict], label, set_name: str) -> list[dict]:
    """One record per question: its features (hits x FEATURES), labels, and set."""
    records = []
    for q in questions:
        result = engine.search(q["question"], k=10)
        y = np.asarray([label(h, q) for h in result.hits], dtype=float)
        records.append({"id": f"{set_name}:{q['id']}", "set": set_name, "x": result.features, "y": y})
    return records


def collect(work: Path, threads: int) -> list[dict]:
    build = load_embedder(MODEL, threads=threads)
    query = load_embedder(MODEL, threads=1)
    negatives = read(REPO / "bench" / "negatives.jsonl")
    records = []
    seed_index = work / "seed-index"
    ensure_index(REPO / "corpus", seed_index, build)
    engine = open_engine(Config(index_dir=seed_index), embedder=query)

    def by_ids(hit, q):
        return any(seed_hit(engine.table.clause_ids[r], q["expected"]) for r in hit.members)

    records += labelled(engine, read(REPO / "bench" / "questions_seed.jsonl"), by_ids, "seed")
    records += labelled(engine, read(REPO / "bench" / "questions_seed_en.jsonl"), by_ids, "seed-en")
    records += labelled(engine, negatives, lambda h, q: False, "negatives")
    if NCP.exists():
        ncp_index = work / "ncp-dev-index"
        ensure_index(NCP / "docs", ncp_index, build)
        ncp = open_engine(Config(index_dir=ncp_index), embedder=query)
        records += labelled(ncp, read(NCP / "questions.dev.jsonl"), lambda h, q: ncp_hit(ncp, h, q, False), "ncp-dev")
        records += labelled(ncp, [q for q in negatives if q["kind"] != "other-policy"], lambda h, q: False,
                            "negatives-ncp")
    else:
        print(f"# skipping NCP: {NCP} not found (set POLICY_SHARED_DIR)", file=sys.stderr)
    return records


def fit(records: list[dict]) -> Calibration:
    x = np.vstack([r["x"] for r in records if len(r["x"])])
    y = np.concatenate([r["y"] for r in records])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, intercept = fit_logistic((x - mean) / scale, y, L2)
    return Calibration(FEATURES, mean, scale, coef, intercept, 0.5, MODEL)


def held_out(records: list[dict]) -> list[np.ndarray]:
    """Each record's relevance as predicted by the model fitted without its fold."""
    order = np.random.default_rng(13).permutation(len(records))
    fold_of = np.empty(len(records), dtype=int)
    fold_of[order] = np.arange(len(records)) % FOLDS
    predicted: list[np.ndarray] = [np.zeros(0)] * len(records)
    for fold in range(FOLDS):
        model = fit([r for r, f in zip(records, fold_of) if f != fold])
        for i in np.nonzero(fold_of == fold)[0]:
            predicted[i] = model.probabilities(records[i]["x"])
    return predicted


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    ranks = np.empty(len(p))
    order = np.argsort(p, kind="stable")
    ranks[order] = np.arange(1, len(p) + 1)
    for value in np.unique(p):  # average ranks of ties
        tied = p == value
        ranks[tied] = ranks[tied].mean()
    positives = y == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def rates(records: list[dict], predicted: list[np.ndarray], threshold: float, sets: set[str]) -> dict:
    """At a threshold, over the records of `sets`: share of answerable questions whose first
    positive hit is relevant, share of negative-set questions with no relevant hit, and the
    precision and recall of `relevant` over hits."""
    first = answerable = empty = negative_questions = tp = fp = fn = 0
    for r, p in zip(records, predicted):
        if r["set"] not in sets:
            continue
        flags = p >= threshold
        if r["set"].startswith("negatives"):
            negative_questions += 1
            empty += not flags.any()
        positives = np.nonzero(r["y"] == 1)[0]
        if len(positives):
            answerable += 1
            first += bool(flags[positives[0]])
        tp += int((flags & (r["y"] == 1)).sum())
        fp += int((flags & (r["y"] == 0)).sum())
        fn += int((~flags & (r["y"] == 1)).sum())
    return {"first": first / answerable if answerable else float("nan"), "answerable": answerable,
            "empty": empty / negative_questions if negative_questions else float("nan"),
            "negatives": negative_questions,
            "precision": tp / (tp + fp) if tp + fp else float("nan"), "recall": tp / (tp + fn) if tp + fn else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--threads", type=int, default=2, help="embedding threads for building")
    parser.add_argument("--dry-run", action="store_true", help="print only; do not write calibration.json")
    args = parser.parse_args()

    records = collect(args.work, args.threads)
    predicted = held_out(records)
    p, y = np.concatenate(predicted), np.concatenate([r["y"] for r in records])
    eps = 1e-12
    log_loss = float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
    print(f"# {len(records)} questions, {len(y)} hits ({int(y.sum())} positive); {FOLDS}-fold by question\n")
    print("| held-out | log loss | Brier | AUC |")
    print("|---|---|---|---|")
    print(f"| all hits | {log_loss:.3f} | {float(np.mean((p - y) ** 2)):.3f} | {auc(p, y):.3f} |")

    answerable = {"seed", "seed-en", "ncp-dev"}
    everything = answerable | {"negatives", "negatives-ncp"}
    print("\n| threshold | first positive relevant | negatives with 0 relevant | precision | recall |")
    print("|---|---|---|---|---|")
    chosen = 0.0
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        m = rates(records, predicted, t, everything)
        print(f"| {t:.2f} | {m['first']:.3f} ({m['answerable']}) | {m['empty']:.3f} ({m['negatives']}) "
              f"| {m['precision']:.3f} | {m['recall']:.3f} |")
    # The finest threshold step: the highest one keeping the first positive relevant often enough.
    for t in np.round(np.arange(0.01, 0.99, 0.01), 2):
        if rates(records, predicted, t, answerable)["first"] >= FIRST_POSITIVE_RECALL:
            chosen = float(t)
    print(f"\nthreshold: {chosen:.2f} (highest with first positive relevant >= {FIRST_POSITIVE_RECALL:.0%}, held out)\n")
    print("| set (held out) | questions | first positive relevant | 0 relevant | mean relevant count | precision |")
    print("|---|---|---|---|---|---|")
    for name in ("seed", "seed-en", "ncp-dev", "negatives", "negatives-ncp"):
        chosen_records = [(r, q) for r, q in zip(records, predicted) if r["set"] == name]
        if not chosen_records:
            continue
        m = rates(records, predicted, chosen, {name})
        zero = np.mean([not (q >= chosen).any() for _, q in chosen_records])
        count = np.mean([(q >= chosen).sum() for _, q in chosen_records])
        first = f"{m['first']:.3f} ({m['answerable']})" if m["answerable"] else "-"
        print(f"| {name} | {len(chosen_records)} | {first} | {zero:.3f} | {count:.2f} | {m['precision']:.3f} |")

    final = fit(records)
    final = Calibration(final.names, final.mean, final.scale, final.coef, final.intercept, chosen, MODEL)
    print("\ncoefficients (standardised features, all questions):")
    for name, c in zip(FEATURES, final.coef):
        print(f"  {name:14s} {c:+.3f}")
    print(f"  {'intercept':14s} {final.intercept:+.3f}")
    if not args.dry_run:
        CALIBRATION.write_text(json.dumps(final.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {CALIBRATION.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
