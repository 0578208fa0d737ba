"""Scale: FAISS index types, BM25 and the whole query pipeline at 100k and 1M clauses.

    python bench/bench_scale.py --n 100000                # index types + BM25 at 100k
    python bench/bench_scale.py --n 1000000 --e2e ivf-sq8 # ... at 1M, plus the serving process
    python bench/bench_scale.py --plot                    # docs/scale_latency.png from the results

Vectors are synthesised from real NCP clause embeddings (the dev index's embedding cache), not
drawn at random (random vectors make ANN recall meaningless): each synthetic clause is a real one
(in turn) mixed with a random second real clause (weight 0–0.35) plus Gaussian noise drawn from
the real embeddings' own covariance, renormalised. Metadata follows: synthetic clause i belongs to
replica i // n_real of its real clause's document (same issuer, region, year, sections), and its
BM25 tokens are the real clause's tokens plus a share of the second clause's. Queries are the 58
NCP dev questions (embedded with the real model) and 142 real clause vectors (similar-clause
searches). Ground truth is an exact inner-product scan of the float32 vectors.

Each index is built here, written to var/bench/scale/, then loaded and queried in a fresh
process, one query at a time on one thread, so RSS and latency are the serving process' own.
Results are appended to var/bench/scale/results.jsonl; the tables are printed as Markdown.

Prerequisites (checked first; the run stops with this advice when one is missing):
- the NCP dataset at ../shared/datasets/ncp-policy-qa (or $POLICY_SHARED_DIR/datasets/…);
- the NCP dev index, whose embedding cache supplies the real clause vectors (~10 min on 2 cores):
      policy-search index ../shared/datasets/ncp-policy-qa/docs --index var/bench/ncp-dev-index
- for the plot only, matplotlib (`pip install -e '.[bench]'`): without it the tables and
  results.jsonl are complete and the plot is skipped with a note.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = Path(os.environ.get("POLICY_SHARED_DIR", REPO.parent / "shared"))
NCP = SHARED / "datasets" / "ncp-policy-qa"
NCP_INDEX = REPO / "var" / "bench" / "ncp-dev-index"
OUT = REPO / "var" / "bench" / "scale"
PLOT = REPO / "docs" / "scale_latency.png"
MODEL = "multilingual-e5-small"
K = 100  # what SearchEngine asks the vector store for (CANDIDATES)
QUERIES = 200
# Per-stage timings SearchEngine reports; BM25 runs on its own thread while the query is
# embedded, so "lexical_ms" overlaps "embed_ms" and only "lexical_wait_ms" adds to the total.
STAGES = ("embed_ms", "dense_ms", "lexical_ms", "lexical_wait_ms", "fusion_ms")

# name -> (factory string or special, search parameter name, values swept)
VARIANTS = {
    "flat": ("flat", None, [None]),
    "hnsw": ("hnsw", "efSearch", [64, 128, 256]),
    "ivf": ("ivf", "nprobe", [8, 16, 32, 64]),
    "ivf-sq8": ("ivf-sq8", "nprobe", [8, 16, 32, 64]),
    "ivf-pq": ("ivf-pq", "nprobe", [16, 64]),
}


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ----- real NCP material -------------------------------------------------------------------------

def check_prerequisites() -> str | None:
    """What is missing for a run from scratch (see the module docstring), or None."""
    if (OUT / "base.pkl").exists():
        return None
    cache = NCP_INDEX / "cache" / "embeddings.sqlite"
    if not (NCP / "docs").is_dir() or not (NCP / "questions.dev.jsonl").exists():
        return f"the NCP dataset is not at {NCP} (set POLICY_SHARED_DIR to the directory holding datasets/)"
    if not cache.exists():
        return (f"no NCP embedding cache at {cache}: build the NCP dev index first with\n"
                f"    policy-search index {NCP / 'docs'} --index {NCP_INDEX}")
    return None


def real_base() -> dict:
    """Real NCP clauses that have an embedding: vectors, token lists, texts, document metadata."""
    cache_file = OUT / "base.pkl"
    if cache_file.exists():
        return pickle.loads(cache_file.read_bytes())
    from indexer.embed.cache import EmbeddingCache, text_key
    from indexer.embed.runtimes import PASSAGE
    from indexer.index.build import BuildReport, parse_corpus, passage_text
    from indexer.index.tokens import Tokenizer

    documents = parse_corpus([NCP / "docs"], BuildReport())
    rows = [(d, c, passage_text(d, c)) for d in documents for c in d.clauses]
    with EmbeddingCache(NCP_INDEX / "cache" / "embeddings.sqlite") as cache:
        found = cache.get(MODEL, [text_key(p, PASSAGE) for _, _, p in rows], 384)
    keep = [(d, c, p) for d, c, p in rows if text_key(p, PASSAGE) in found]
    if not keep:
        raise SystemExit(f"bench_scale: none of the {len(rows)} NCP clauses has an embedding in "
                         f"{NCP_INDEX / 'cache' / 'embeddings.sqlite'}: rebuild the index there with\n"
                         f"    policy-search index {NCP / 'docs'} --index {NCP_INDEX}")
    tokenizer = Tokenizer()
    base = {
        "vectors": np.stack([found[text_key(p, PASSAGE)] for _, _, p in keep]).astype(np.float32),
        "tokens": [tokenizer.tokens(p) or ["∅"] for _, _, p in keep],
        "texts": [c.text for _, c, _ in keep],
        "sections": [json.dumps([[h.label, h.title] for h in c.section], ensure_ascii=False) for _, c, _ in keep],
        "labels": [c.label for _, c, _ in keep],
        "doc": [d.id for d, _, _ in keep],
        "documents": {d.id: (d.title, d.doc_number, d.issuer, d.date, d.year, d.region.province,
                             d.region.city, d.region.county, d.region.label) for d in documents},
        "clauses_total": len(rows),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    cache_file.write_bytes(pickle.dumps(base))
    return base


def real_queries(base: dict) -> tuple[np.ndarray, list[list[str]]]:
    """200 query vectors (58 questions + real clauses) and the questions' BM25 tokens."""
    cache_file = OUT / "queries.pkl"
    if cache_file.exists():
        return pickle.loads(cache_file.read_bytes())
    from indexer.embed.runtimes import load_embedder
    from indexer.index.tokens import Tokenizer

    questions = [json.loads(line)["question"] for line in (NCP / "questions.dev.jsonl").open(encoding="utf-8")]
    embedder = load_embedder(MODEL, threads=1)
    qvecs = embedder.encode_queries(questions)
    rng = np.random.default_rng(7)
    clause_q = base["vectors"][rng.choice(len(base["vectors"]), QUERIES - len(questions), replace=False)]
    tokenizer = Tokenizer()
    result = (np.vstack([qvecs, clause_q]).astype(np.float32), [tokenizer.tokens(q) for q in questions])
    cache_file.write_bytes(pickle.dumps(result))
    return result


# ----- synthesis ---------------------------------------------------------------------------------

def synthesize(base: dict, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n unit vectors with the structure of the real ones.

    Returns: (vectors (memory-mapped), primary real row, partner real row, partner weight).
    """
    path = OUT / f"vectors-{n}.npy"
    real = base["vectors"]
    m = len(real)
    rng = np.random.default_rng(seed)
    primary = np.arange(n) % m
    partner = rng.integers(0, m, n)
    weight = rng.uniform(0.0, 0.35, n).astype(np.float32)
    if path.exists():
        return np.load(path, mmap_mode="r"), primary, partner, weight
    centred = real - real.mean(axis=0)
    # Noise from the real covariance: z @ (sqrt(eigenvalues) * eigenvectors^T).
    eigval, eigvec = np.linalg.eigh(centred.T @ centred / m)
    shape = (np.sqrt(np.clip(eigval, 0, None))[:, None] * eigvec.T).astype(np.float32)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, real.shape[1]))
    for start in range(0, n, 100_000):
        s = slice(start, min(n, start + 100_000))
        w = weight[s, None]
        noise = rng.standard_normal((s.stop - s.start, real.shape[1])).astype(np.float32) @ shape
        v = (1 - w) * real[primary[s]] + w * real[partner[s]] + 0.6 * noise
        out[s] = v / np.linalg.norm(v, axis=1, keepdims=True)
    out.flush()
    return np.load(path, mmap_mode="r"), primary, partner, weight


def structure(base: dict, vectors: np.ndarray, queries: np.ndarray, primary: np.ndarray) -> str:
    """How the synthetic set resembles the real one: cosine to its source clause, and the
    queries' best-match cosine in the real and the synthetic set."""
    sample = np.arange(0, len(vectors), max(1, len(vectors) // 20_000))
    to_source = np.einsum("ij,ij->i", vectors[sample], base["vectors"][primary[sample]])
    real = base["vectors"]
    pairs = real @ real.T
    np.fill_diagonal(pairs, -1)
    return (f"cos(synthetic, its real source) median {np.median(to_source):.3f}, "
            f"cos(real clause, nearest other real clause) median {np.median(pairs.max(axis=1)):.3f}")


def ground_truth(vectors: np.ndarray, queries: np.ndarray, n: int) -> np.ndarray:
    import faiss

    path = OUT / f"truth-{n}.npy"
    if path.exists():
        return np.load(path)
    faiss.cvar.distance_compute_blas_threshold = 20  # batched exact search through BLAS
    index = faiss.IndexFlatIP(vectors.shape[1])
    for start in range(0, n, 200_000):
        index.add(np.ascontiguousarray(vectors[start:start + 200_000]))
    _, ids = index.search(queries, 10)
    np.save(path, ids)
    return ids


# ----- index types -------------------------------------------------------------------------------

def build(kind: str, vectors: np.ndarray, n: int):
    """The index vectors.new_index builds for the product's types (ivf-pq: for comparison only)."""
    import faiss

    from indexer.index import vectors as product

    dim = vectors.shape[1]
    nlist = max(1, min(4096, int(4 * np.sqrt(n))))
    train = np.ascontiguousarray(vectors[np.random.default_rng(1).choice(n, min(n, 100 * nlist, 200_000),
                                                                           replace=False)])
    if kind in product.INDEX_TYPES:
        index = product.new_index(kind, dim, train if kind.startswith("ivf") else None)
    else:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, 48, 8, faiss.METRIC_INNER_PRODUCT)
        index.train(train)
    ids = np.arange(1, n + 1, dtype=np.int64)
    for start in range(0, n, 100_000):
        index.add_with_ids(np.ascontiguousarray(vectors[start:start + 100_000]), ids[start:start + 100_000])
    return index


def unwrap(index):
    import faiss

    return faiss.downcast_index(index.index if isinstance(index, faiss.IndexIDMap2) else index)


def probe(path: str, queries_path: str, truth_path: str, param: str | None, values: list) -> dict:
    """In a fresh process: load an index file, then per parameter value the recall@10 and the
    single-thread latency of k=100 searches, and the process' RSS."""
    import faiss

    before = rss_mb()
    t = time.perf_counter()
    index = faiss.read_index(path)
    load_s = time.perf_counter() - t
    faiss.omp_set_num_threads(1)
    queries, truth = np.load(queries_path), np.load(truth_path)
    inner = unwrap(index)
    rows = []
    for value in values:
        if param == "efSearch":
            inner.hnsw.efSearch = value
        elif param == "nprobe":
            inner.nprobe = value
        for q in queries[:20]:  # warm caches
            index.search(q[None], K)
        times, hits = [], 0
        for q, exact in zip(queries, truth):
            t = time.perf_counter()
            _, ids = index.search(q[None], K)
            times.append((time.perf_counter() - t) * 1000)
            hits += len(set((ids[0][:10] - 1).tolist()) & set(exact.tolist()))
        rows.append({"param_value": value, "recall10": hits / truth.size, "p50_ms": float(np.percentile(times, 50)),
                     "p95_ms": float(np.percentile(times, 95))})
    return {"rss_mb": rss_mb(), "rss_index_mb": rss_mb() - before, "load_s": load_s, "rows": rows}


def run_types(n: int, kinds: list[str], vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> list[dict]:
    import faiss

    faiss.omp_set_num_threads(2)
    np.save(OUT / "queries.npy", queries)
    np.save(OUT / f"truth10-{n}.npy", truth)
    results = []
    for kind in kinds:
        path = OUT / f"index-{kind}-{n}.faiss"
        t = time.perf_counter()
        index = build(kind, vectors, n)
        build_s = time.perf_counter() - t
        faiss.write_index(index, str(path))
        del index
        _, param, values = VARIANTS[kind]
        done = subprocess.run([sys.executable, __file__, "--probe", str(path), str(OUT / "queries.npy"),
                               str(OUT / f"truth10-{n}.npy"), param or "", json.dumps(values)],
                              capture_output=True, text=True, check=True)
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        for row in measured["rows"]:
            results.append({"bench": "ann", "n": n, "type": kind, "build_s": round(build_s, 1),
                            "file_mb": round(path.stat().st_size / 2**20), "rss_mb": round(measured["rss_mb"]),
                            "load_s": round(measured["load_s"], 1), "param": param, **row,
                            "load": load_avg()})
            print(_row(results[-1]), flush=True)
    return results


def _row(r: dict) -> str:
    param = f"{r['param']}={r['param_value']}" if r.get("param") else "exact"
    return (f"| {r['n']:,} | {r['type']} | {param} | {r['build_s']} | {r['file_mb']} | {r['rss_mb']} | "
            f"{r['recall10']:.3f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['load']} |")


# ----- BM25 --------------------------------------------------------------------------------------

def synthetic_tokens(base: dict, primary: np.ndarray, partner: np.ndarray, weight: np.ndarray) -> list[list[str]]:
    rng = np.random.default_rng(3)
    tokens = base["tokens"]
    out = []
    for p, q, w in zip(primary, partner, weight):
        extra = tokens[q]
        take = int(w * len(extra))
        out.append(tokens[p] + ([extra[i] for i in rng.choice(len(extra), take, replace=False)] if take else []))
    return out


def run_bm25(n: int, base: dict, primary, partner, weight, query_tokens: list[list[str]]) -> dict:
    """Build bm25s over n synthetic token lists, save it, then load and query it in a fresh process."""
    import bm25s

    directory = OUT / f"bm25-{n}"
    t = time.perf_counter()
    corpus = synthetic_tokens(base, primary, partner, weight)
    synth_s = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    build_s = time.perf_counter() - t
    bm25.save(str(directory), show_progress=False)
    tokens_total = sum(len(c) for c in corpus)
    del bm25, corpus
    (OUT / "query_tokens.json").write_text(json.dumps(query_tokens, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, __file__, "--probe-bm25", str(directory),
                           str(OUT / "query_tokens.json")], capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    result = {"bench": "bm25", "n": n, "tokens": tokens_total, "synth_s": round(synth_s, 1),
              "build_s": round(build_s, 1), **measured, "load": load_avg()}
    print(f"| {n:,} | {tokens_total / n:.1f} | {build_s:.0f} | {measured['rss_mb']:.0f} | "
          f"{measured['p50_ms']:.1f} | {measured['p95_ms']:.1f} | {measured['top_p50_ms']:.1f} | {load_avg()} |",
          flush=True)
    return result


def probe_bm25(directory: str, tokens_path: str) -> dict:
    """In a fresh process: load the BM25 index; time scoring of every row plus the top-100
    selection, as SearchEngine does for each question."""
    import bm25s

    from indexer.index.lexical import LexicalIndex
    from indexer.index.tokens import Tokenizer

    bm25 = bm25s.BM25.load(directory, show_progress=False)
    lexical = LexicalIndex(bm25, Tokenizer())
    queries = json.loads(Path(tokens_path).read_text(encoding="utf-8"))
    score_ms, top_ms = [], []
    for tokens in queries * 2:
        t = time.perf_counter()
        scores = lexical.scores(tokens)
        score_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        top = np.argpartition(-scores, K)[:K]
        top[np.argsort(-scores[top])]
        top_ms.append((time.perf_counter() - t) * 1000)
    return {"rss_mb": rss_mb(), "p50_ms": float(np.percentile(score_ms, 50)),
            "p95_ms": float(np.percentile(score_ms, 95)), "top_p50_ms": float(np.percentile(top_ms, 50))}


# ----- the serving process end to end ------------------------------------------------------------

def write_version(n: int, kind: str, base: dict, primary: np.ndarray) -> Path:
    """A complete synthetic index version (meta.sqlite, lexical, vectors of `kind`, manifest)
    in the product's on-disk format, so SearchEngine opens it as it would a real one."""
    import shutil

    from indexer.index import meta, store

    root = OUT / f"engine-{kind}-{n}"
    if (root / "CURRENT").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    version = root / "versions" / "v000001-synthetic"
    version.mkdir(parents=True)
    m = len(base["vectors"])
    docs = base["documents"]
    doc_names = sorted(set(base["doc"]))
    with meta.MetaWriter(version) as writer:
        replicas = -(-n // m)
        writer.add_documents(dict(zip(meta.DOCUMENT_COLUMNS, (f"{d}~{r}", *docs[d], "", "", "", "[]", 0), strict=True))
                             for r in range(replicas) for d in doc_names)

        def clause(i: int) -> dict:
            p = int(primary[i])
            text = base["texts"][p]
            return {"fid": i + 1, "id": f"c{i}", "document_id": f"{base['doc'][p]}~{i // m}", "ord": i,
                    "section": base["sections"][p], "label": base["labels"][p], "text": text, "start": 0,
                    "end": len(text), "lead": "[]", "cooperating": "[]", "persons": "[]", "pages": "[]",
                    "text_hash": ""}

        writer.add_clauses(clause(i) for i in range(n))
        writer.drop_documents_without_clauses()
    shutil.copytree(OUT / f"bm25-{n}", version / store.LEXICAL)
    (version / store.LEXICON).write_text("\n", encoding="utf-8")
    shutil.copy(OUT / f"index-{kind}-{n}.faiss", version / store.VECTORS)
    manifest = {"format_version": store.FORMAT_VERSION, "version": version.name, "model": MODEL, "dim": 384,
                "index_type": kind, "documents": 0, "clauses": n, "next_fid": n + 1}
    (version / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (root / "CURRENT").write_text(version.name + "\n", encoding="utf-8")
    return root


def run_e2e(n: int, kind: str, param: int | None, base: dict, primary: np.ndarray) -> dict:
    root = write_version(n, kind, base, primary)
    done = subprocess.run([sys.executable, __file__, "--probe-engine", str(root), kind, json.dumps(param)],
                          capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    result = {"bench": "e2e", "n": n, "type": kind, "param": param, **measured, "load": load_avg()}
    stages = " | ".join(f"{measured[s]:.1f}" for s in STAGES)
    print(f"| {n:,} | {kind} ({param}) | {measured['open_s']:.0f} | {measured['rss_mb']:.0f} | "
          f"{measured['p50_ms']:.1f} | {measured['p95_ms']:.1f} | {stages} | {load_avg()} |", flush=True)
    return result


def probe_engine(root: str, kind: str, param) -> dict:
    """In a fresh process: open SearchEngine on the synthetic version and ask the 58 questions."""
    import faiss

    from indexer.config import Config
    from indexer.query.engine import open_engine

    faiss.omp_set_num_threads(1)
    questions = [json.loads(line)["question"] for line in (NCP / "questions.dev.jsonl").open(encoding="utf-8")]
    t = time.perf_counter()
    engine = open_engine(Config(index_dir=Path(root), model=MODEL), workers=1)
    open_s = time.perf_counter() - t
    inner = unwrap(engine.vectors.index)
    if param is not None:
        if hasattr(inner, "hnsw"):
            inner.hnsw.efSearch = param
        else:
            inner.nprobe = param
    for q in questions[:5]:
        engine.search(q, 10)
    totals, stages = [], {s: [] for s in STAGES}
    for q in questions * 2:
        t = time.perf_counter()
        result = engine.search(q, 10)
        totals.append((time.perf_counter() - t) * 1000)
        for stage, values in stages.items():
            values.append(result.timings[stage])
    return {"open_s": open_s, "rss_mb": rss_mb(), "p50_ms": float(np.percentile(totals, 50)),
            "p95_ms": float(np.percentile(totals, 95)),
            **{s: float(np.percentile(v, 50)) for s, v in stages.items()}}


# ----- plot --------------------------------------------------------------------------------------

def plot(results: list[dict]) -> None:
    """Draw PLOT from the results; skipped with a note when matplotlib (the bench extra) is absent."""
    try:
        import matplotlib
    except ImportError:
        print(f"plot skipped: matplotlib is not installed (pip install -e '.[bench]'); "
              f"the results are in {OUT / 'results.jsonl'}", file=sys.stderr)
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ann = [r for r in results if r["bench"] == "ann"]
    for kind in VARIANTS:
        # per N the fastest setting with recall@10 >= 0.95 (flat: exact)
        points = []
        for n in sorted({r["n"] for r in ann if r["type"] == kind}):
            ok = [r for r in ann if r["type"] == kind and r["n"] == n and r["recall10"] >= 0.95]
            if ok:
                best = min(ok, key=lambda r: r["p50_ms"])
                points.append((n, best["p50_ms"], best))
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=kind)
            for n, ms, r in points:
                label = f"{r['param']}={r['param_value']}" if r.get("param") else ""
                if label:
                    ax.annotate(label, (n, ms), textcoords="offset points", xytext=(4, 4), fontsize=7)
    bm25 = sorted((r["n"], r["p50_ms"] + r["top_p50_ms"]) for r in results if r["bench"] == "bm25")
    if bm25:
        ax.plot([b[0] for b in bm25], [b[1] for b in bm25], marker="s", linestyle="--", color="grey",
                label="BM25 (bm25s, all rows + top-100)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("clauses (N)")
    ax.set_ylabel("p50 latency per query, ms (1 thread, k=100)")
    ax.set_title("Vector search latency vs N (recall@10 ≥ 0.95)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT)
    print(f"wrote {PLOT}")


def read_results() -> list[dict]:
    path = OUT / "results.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        print(json.dumps(probe(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] or None, json.loads(sys.argv[6]))))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--probe-bm25":
        print(json.dumps(probe_bm25(sys.argv[2], sys.argv[3])))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--probe-engine":
        print(json.dumps(probe_engine(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="synthetic clauses (100000, 1000000)")
    parser.add_argument("--types", default="flat,hnsw,ivf,ivf-sq8,ivf-pq", help="index types to compare")
    parser.add_argument("--no-bm25", action="store_true")
    parser.add_argument("--e2e", metavar="TYPE[:PARAM]", help="open SearchEngine on a synthetic version")
    parser.add_argument("--plot", action="store_true", help="draw docs/scale_latency.png from all results")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    if args.n and (missing := check_prerequisites()):
        print(f"bench_scale: {missing}", file=sys.stderr)
        return 2
    if args.n:
        base = real_base()
        queries, query_tokens = real_queries(base)
        print(f"real NCP clauses with embeddings: {len(base['vectors'])} of {base['clauses_total']}; "
              f"N={args.n:,}; load {load_avg()}", flush=True)
        t = time.perf_counter()
        vectors, primary, partner, weight = synthesize(base, args.n)
        truth = ground_truth(vectors, queries, args.n)
        print(f"synthesised + ground truth in {time.perf_counter() - t:.0f}s; {structure(base, vectors, queries, primary)}",
              flush=True)
        kinds = [k for k in args.types.split(",") if k]
        if kinds:
            print("\n| N | type | param | build s | file MB | RSS MB | recall@10 | p50 ms | p95 ms | load |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            results += run_types(args.n, kinds, vectors, queries, truth)
        if not args.no_bm25:
            print("\n| N | tokens/clause | build s | RSS MB | score p50 ms | score p95 ms | top-100 p50 ms | load |")
            print("|---|---|---|---|---|---|---|---|")
            results.append(run_bm25(args.n, base, primary, partner, weight, query_tokens))
        if args.e2e:
            kind, _, param = args.e2e.partition(":")
            print("\n| N | vectors | open s | RSS MB | p50 ms | p95 ms | embed | dense | lexical (own thread) "
                  "| lexical wait | fusion | load |")
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            results.append(run_e2e(args.n, kind, int(param) if param else None, base, primary))
        with (OUT / "results.jsonl").open("a", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.plot or args.n:
        plot(read_results())
    return 0


if __name__ == "__main__":
    sys.exit(main())
