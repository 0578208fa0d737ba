"""Indexing throughput on the NCP corpus: a fresh build's clauses/s against the embedder's own
clauses/s on the same texts, and a re-index of the unchanged corpus as % of the fresh build.

    python bench/bench_indexing.py                      # all 599 NCP notices, this process
    python bench/bench_indexing.py --docs 100           # the first 100 notices (quicker)
    python bench/bench_indexing.py --engine ray         # embedding on a local Ray instance

Every build starts from an empty embedding cache in a temporary directory, so the fresh build
embeds every clause; the re-index then finds every clause unchanged and embeds none.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.embed.runtimes import (
    INDEX_THREADS,
    RUNTIME_CHOICES,
    load_embedder,
    runtime_of,
)
from indexer.index.build import BuildReport, build_index, parse_corpus, passage_text

SHARED = Path(os.environ.get("POLICY_SHARED_DIR", REPO.parent / "shared"))
NCP_DOCS = SHARED / "datasets" / "ncp-policy-qa" / "docs"
MODEL = "multilingual-e5-small"
SAMPLE = 512  # texts for the embedder's own throughput


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def corpus_subset(work: Path, docs: int | None) -> Path:
    if not docs:
        return NCP_DOCS
    target = work / "corpus"
    target.mkdir()
    for path in sorted(p for p in NCP_DOCS.iterdir() if p.is_file())[:docs]:
        shutil.copy(path, target / path.name)
    return target


def embedder_throughput(embedder, corpus: Path) -> tuple[float, int]:
    """Clauses/s of the model alone on (a sample of) the corpus' passages, batches of 32."""
    documents = parse_corpus([corpus], BuildReport())
    texts = [passage_text(d, c) for d in documents for c in d.clauses]
    step = max(1, len(texts) // SAMPLE)
    sample = texts[::step][:SAMPLE]
    t = time.perf_counter()
    for start in range(0, len(sample), 32):
        embedder.encode_passages(sample[start:start + 32])
    return len(sample) / (time.perf_counter() - t), len(sample)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None, help="only the first N notices")
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--threads", type=int, default=INDEX_THREADS, help="model threads (local engine)")
    parser.add_argument("--runtime", choices=RUNTIME_CHOICES, default="auto", help="embedding runtime")
    args = parser.parse_args()
    embedder = load_embedder(MODEL, threads=args.threads, runtime=args.runtime)
    with tempfile.TemporaryDirectory(prefix="bench-indexing-") as tmp:
        work = Path(tmp)
        corpus = corpus_subset(work, args.docs)
        own, sampled = embedder_throughput(embedder, corpus)
        embed_fn, stack = None, None
        if args.engine == "ray":
            os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
            from indexer.embed.ray_engine import RayEmbedding, RayOptions

            stack = RayEmbedding(MODEL, RayOptions(), work / "shards")
            embed_fn = stack
        try:
            t = time.perf_counter()
            fresh = build_index([corpus], work / "index", embedder, progress=False, embed_fn=embed_fn)
            fresh_s = time.perf_counter() - t
            t = time.perf_counter()
            again = build_index([corpus], work / "index", embedder, progress=False, embed_fn=embed_fn)
            again_s = time.perf_counter() - t
        finally:
            if stack is not None:
                stack.close()
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in fresh.seconds.items())
    print(f"corpus: {fresh.documents} documents, {fresh.clauses} clauses ({len(fresh.errors)} files skipped); "
          f"engine {args.engine}; runtime {'/'.join(runtime_of(embedder))}; load {load_avg()}\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| embedder alone ({args.threads} threads, {sampled} passages, batches of 32) | {own:.1f} clauses/s |")
    print(f"| fresh build, end to end | {fresh_s:.0f} s = {fresh.clauses / fresh_s:.1f} clauses/s "
          f"({fresh.clauses / fresh_s / own:.0%} of the embedder alone) |")
    print(f"| fresh build stages | {stages} |")
    print(f"| re-index, unchanged corpus | {again_s:.1f} s = {again_s / fresh_s:.1%} of the fresh build "
          f"(embedded {again.embedded}, kept {again.kept}) |")
    print(f"| re-index stages | {', '.join(f'{k} {v:.1f}s' for k, v in again.seconds.items())} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
