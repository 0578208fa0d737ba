"""The dense side: a FAISS index of normalised clause vectors, addressed by stable int64 ids.

Every index type is wrapped in IndexIDMap2 so clause ids survive updates and vectors can be
read back (similar-clause search starts from a clause's own vector). Flat and IVF indexes are
updated in place (remove_ids + add_with_ids); HNSW cannot delete, so it is rebuilt.
"""
from __future__ import annotations

import threading
from pathlib import Path

import faiss
import numpy as np

from .errors import IndexUnavailableError

INDEX_TYPES = ("auto", "flat", "hnsw", "ivf")
# Below this many clauses an exact scan is both fast enough (~15 ms at 100k, one thread) and
# exact; above it the approximate indexes pay for themselves. See docs/BENCHMARKS.md.
FLAT_MAX = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
IVF_NPROBE = 16

_THREADS_LOCK = threading.Lock()


def choose_index_type(requested: str, count: int) -> str:
    """Resolve 'auto' by corpus size; pass an explicit choice through.

    Args: the requested type and the number of vectors. Returns: 'flat', 'hnsw' or 'ivf'.
    """
    if requested not in INDEX_TYPES:
        raise ValueError(f"unknown index type {requested!r}; choose one of {', '.join(INDEX_TYPES)}")
    if requested != "auto":
        return requested
    return "flat" if count <= FLAT_MAX else "hnsw"


def new_index(index_type: str, dim: int, train: np.ndarray | None = None) -> faiss.Index:
    """An empty id-mapped index of the given type (IVF is trained on `train`)."""
    if index_type == "flat":
        inner = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    elif index_type == "ivf":
        n = 0 if train is None else len(train)
        nlist = max(1, min(4096, int(4 * np.sqrt(max(n, 1)))))
        quantizer = faiss.IndexFlatIP(dim)
        inner = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        if train is None or len(train) < nlist:
            raise ValueError("an IVF index needs at least as many training vectors as lists")
        inner.train(np.ascontiguousarray(train, dtype=np.float32))
        inner.nprobe = IVF_NPROBE
    else:
        raise ValueError(f"unknown index type {index_type!r}")
    return faiss.IndexIDMap2(inner)


def supports_remove(index: faiss.Index) -> bool:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    return not isinstance(inner, faiss.IndexHNSW)


def add(index: faiss.Index, ids: np.ndarray, vectors: np.ndarray) -> None:
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                           np.ascontiguousarray(ids, dtype=np.int64))


def remove(index: faiss.Index, ids: np.ndarray) -> int:
    if not len(ids):
        return 0
    return int(index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path) -> faiss.Index:
    """Read an index file. Raises IndexUnavailableError when it is corrupt."""
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexUnavailableError(f"vector index {path} is corrupt: {str(exc).splitlines()[0]}") from exc
    return index


def search(index: faiss.Index, query: np.ndarray, k: int,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k inner products for one query vector.

    Args: the index, a (dim,) query, k, optional int64 ids the results must come from.
    Returns: (scores, ids) of length ≤ k, best first.
    """
    k = min(k, index.ntotal)
    if k <= 0:
        return np.empty(0, np.float32), np.empty(0, np.int64)
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    params = None
    if allowed is not None:
        if not len(allowed):
            return np.empty(0, np.float32), np.empty(0, np.int64)
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        params = faiss.SearchParameters(sel=selector)
    scores, ids = index.search(q, k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def reconstruct(index: faiss.Index, fid: int) -> np.ndarray:
    return index.reconstruct(int(fid))


def set_threads(count: int) -> None:
    """FAISS' OpenMP threads for this process (one query at a time stays on one core)."""
    with _THREADS_LOCK:
        faiss.omp_set_num_threads(max(1, int(count)))


class FaissStore:
    """The vector store a SearchEngine queries: a FAISS index file of one version.

    Another store (e.g. a Milvus collection) can stand in by offering the same three members.
    """

    def __init__(self, index: faiss.Index):
        self.index = index

    @classmethod
    def open(cls, path: Path) -> FaissStore:
        return cls(load(path))

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one normalised query, optionally restricted to `allowed` ids."""
        return search(self.index, query, k, allowed)

    def reconstruct(self, fid: int) -> np.ndarray:
        return reconstruct(self.index, fid)
