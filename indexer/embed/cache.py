"""The embedding cache: vectors already computed, keyed by model and text, so re-indexing
embeds only clauses whose text changed (`EmbeddingCache`, `embed_with_cache`).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer.embed.runtimes import PASSAGE, QUERY, Embedder, as_list, cache_key_of
from indexer.errors import StorageError

if TYPE_CHECKING:
    from typing import Self


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
    items = as_list(texts)
    keys = [text_key(t, role) for t in items]
    key = cache_key_of(embedder)
    known = cache.get(key, keys, embedder.dim)
    missing = list({k: t for k, t in zip(keys, items, strict=True) if k not in known}.items())
    encode = embedder.encode_passages if role == PASSAGE else embedder.encode_queries
    show = progress and sys.stderr.isatty()
    with tqdm(total=len(missing), unit="clause", desc=f"embedding ({embedder.name})",
              file=sys.stderr, disable=not show) as bar:
        for batch in _batches(missing, max(1, batch_size)):
            batch_keys = [k for k, _ in batch]
            vectors = encode([t for _, t in batch])
            cache.put(key, batch_keys, vectors)
            known.update(zip(batch_keys, vectors, strict=True))
            bar.update(len(batch))
    out = np.empty((len(items), embedder.dim), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = known[key]
    fresh = {k for k, _ in missing}
    cached = sum(1 for k in keys if k not in fresh)
    return out, EmbedStats(embedded=len(missing), cached=cached)
