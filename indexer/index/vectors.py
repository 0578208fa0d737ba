"""The dense side: a FAISS index of normalised clause vectors, addressed by stable int64 ids.

Flat and HNSW indexes are wrapped in IndexIDMap2 so clause ids survive updates and vectors can
be read back (similar-clause search starts from a clause's own vector); IVF indexes keep the ids
themselves, with a hash-table direct map for reading vectors back (an IndexIDMap2 around IVF
mis-maps ids after remove_ids). Flat and IVF indexes are updated in place (remove_ids +
add_with_ids); HNSW cannot delete, so it is rebuilt.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from indexer.errors import IndexUnavailableError

INDEX_TYPES = ("auto", "flat", "hnsw", "ivf", "ivf-sq8")
# Measured with bench/bench_scale.py (docs/BENCHMARKS.md, docs/SCALING.md), one thread, k=100:
# an exact scan costs ~14 ms at 100k and ~100 ms at 1M; up to FLAT_MAX it is exact and fast
# enough. Above, IVF with 8-bit scalar-quantised vectors: ~4x less memory than float32 (the
# only type that keeps a 1M-clause serving process under 1.5 GB), ~1 ms, recall@10 >= 0.95,
# and, unlike HNSW, updated in place.
FLAT_MAX = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
IVF_NPROBE = 32  # 1M clauses: recall@10 0.955 (ivf-sq8) / 0.996 (ivf) at 1.7 / 2.3 ms; 16 gives 0.950 / 0.990
IVF_MAX_LISTS = 4096
IVF_TRAIN_PER_LIST = 64  # k-means on a sample: 64 points a list is plenty and ~4x faster at 1M
# A filter keeping at most this many clauses is answered exactly from their own vectors;
# a wider one widens the IVF probe / HNSW beam by 1/share so as many allowed vectors are seen.
EXACT_SUBSET_MAX = 10_000
FILTERED_EF_MAX = 4096

_THREADS_LOCK = threading.Lock()


def choose_index_type(requested: str, count: int) -> str:
    """Resolve 'auto' by corpus size; pass an explicit choice through.

    Args: the requested type and the number of vectors. Returns: 'flat', 'hnsw' or 'ivf'.
    """
    if requested not in INDEX_TYPES:
        raise ValueError(f"unknown index type {requested!r}; choose one of {', '.join(INDEX_TYPES)}")
    if requested != "auto":
        return requested
    return "flat" if count <= FLAT_MAX else "ivf-sq8"


def new_index(index_type: str, dim: int, train: np.ndarray | None = None) -> faiss.Index:
    """An empty id-mapped index of the given type (IVF is trained on `train`)."""
    if index_type == "flat":
        inner = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    elif index_type in ("ivf", "ivf-sq8"):
        return _new_ivf(index_type, dim, train)
    else:
        raise ValueError(f"unknown index type {index_type!r}")
    return faiss.IndexIDMap2(inner)


def _new_ivf(index_type: str, dim: int, train: np.ndarray | None) -> faiss.Index:
    n = 0 if train is None else len(train)
    nlist = max(1, min(IVF_MAX_LISTS, int(4 * np.sqrt(max(n, 1)))))
    if train is None or n < nlist:
        raise ValueError("an IVF index needs at least as many training vectors as lists")
    quantizer = faiss.IndexFlatIP(dim)
    if index_type == "ivf":
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    if n > IVF_TRAIN_PER_LIST * nlist:
        train = train[np.random.default_rng(0).choice(n, IVF_TRAIN_PER_LIST * nlist, replace=False)]
    index.train(np.ascontiguousarray(train, dtype=np.float32))
    index.nprobe = IVF_NPROBE
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    return index


def _inner(index: faiss.Index) -> faiss.Index:
    return faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else \
        faiss.downcast_index(index)


def supports_remove(index: faiss.Index) -> bool:
    return not isinstance(_inner(index), faiss.IndexHNSW)


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
        inner = _inner(index)
        if len(allowed) <= EXACT_SUBSET_MAX and not isinstance(inner, faiss.IndexFlat):
            return _search_subset(index, q[0], k, np.asarray(allowed, dtype=np.int64))
        params = _filtered_params(inner, np.ascontiguousarray(allowed, dtype=np.int64), index.ntotal)
    scores, ids = index.search(q, k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def _filtered_params(inner: faiss.Index, allowed: np.ndarray, total: int) -> faiss.SearchParameters:
    """Search parameters restricted to `allowed`, with the IVF probe or HNSW beam widened by
    1/share: a filter keeping 5% of the clauses would otherwise see 5% of the candidates."""
    selector = faiss.IDSelectorBatch(allowed)
    widen = total / max(1, len(allowed))
    if isinstance(inner, faiss.IndexIVF):
        return faiss.SearchParametersIVF(sel=selector, nprobe=int(min(inner.nlist, np.ceil(inner.nprobe * widen))))
    if isinstance(inner, faiss.IndexHNSW):
        ef = int(min(FILTERED_EF_MAX, np.ceil(inner.hnsw.efSearch * widen)))
        return faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
    return faiss.SearchParameters(sel=selector)


def _search_subset(index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k over a few allowed clauses, from their stored vectors."""
    scores = index.reconstruct_batch(allowed) @ query
    top = np.argsort(-scores, kind="stable")[:k]
    return scores[top].astype(np.float32), allowed[top]


def reconstruct(index: faiss.Index, fid: int) -> np.ndarray:
    return index.reconstruct(int(fid))


def set_threads(count: int) -> None:
    """FAISS' OpenMP threads for this process (one query at a time stays on one core)."""
    with _THREADS_LOCK:
        faiss.omp_set_num_threads(max(1, int(count)))


class VectorStore(Protocol):
    """What the query side needs of where vectors live (FaissStore, index.milvus.MilvusStore).

    `search` takes the allowed ids and the query's filters (query.filters.Filters) together: a
    store that can filter by itself pushes the filters down, another restricts to `allowed`.
    """

    @property
    def ntotal(self) -> int: ...

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               filters=None) -> tuple[np.ndarray, np.ndarray]: ...

    def reconstruct(self, fid: int) -> np.ndarray: ...

    def reconstruct_batch(self, fids: np.ndarray) -> np.ndarray: ...


class FaissStore:
    """The vector store of one version: its FAISS index file (see VectorStore)."""

    def __init__(self, index: faiss.Index):
        self.index = index

    @classmethod
    def open(cls, path: Path) -> FaissStore:
        return cls(load(path))

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               filters=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one normalised query, restricted to `allowed` ids when given
        (FAISS filters by id only: `filters` are already in `allowed`)."""
        return search(self.index, query, k, allowed)

    def add(self, fids: np.ndarray, vectors: np.ndarray) -> None:
        add(self.index, fids, vectors)

    def remove(self, fids: np.ndarray) -> int:
        return remove(self.index, fids)

    def reconstruct(self, fid: int) -> np.ndarray:
        return reconstruct(self.index, fid)

    def reconstruct_batch(self, fids: np.ndarray) -> np.ndarray:
        """Vectors of several clauses, in the order asked. Returns (len(fids), dim) float32."""
        return np.stack([reconstruct(self.index, f) for f in fids]) if len(fids) \
            else np.empty((0, self.index.d), dtype=np.float32)
