"""Where a query is scored: fusing dense (FAISS) and lexical (BM25) evidence.

Convex fusion of min-max normalised scores, with the lexical weight scaled by how much of the
query the corpus vocabulary covers: a Chinese question whose words all occur in the corpus
leans on BM25 as much as on the embedding; an English question (BM25 sees none of it) is
ranked by the embedding alone, so lexical noise cannot push a good dense hit down, unless the
glossary knows its domain terms (query/glossary.py): the words a Chinese term stands for count
as covered, so "technology commissioners" leans on BM25's 科技特派员. The weights
were chosen by measurement on bench/questions_seed.jsonl and NCP dev (docs/BENCHMARKS.md).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

LEXICAL_WEIGHT = 0.4  # weight of BM25 when the query is fully covered (measured: docs/BENCHMARKS.md)


@dataclass(frozen=True)
class Fusion:
    """Combine dense and lexical scores over a candidate set (same order in both arrays).

    Args: the BM25 weight at full query coverage; the method, picked once here: 'hybrid' (the
    product's), or 'dense', 'lexical' and 'rrf' (kept for the benchmarks).
    Raises: ValueError for an unknown method.
    """

    lexical_weight: float = LEXICAL_WEIGHT
    mode: str = "hybrid"
    _method: Callable[[Fusion, np.ndarray, np.ndarray, float], np.ndarray] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.mode not in _METHODS:
            raise ValueError(f"unknown fusion mode {self.mode!r}; one of {', '.join(_METHODS)}")
        object.__setattr__(self, "_method", _METHODS[self.mode])

    def weights(self, coverage: float) -> tuple[float, float]:
        """(dense weight, lexical weight) for a query whose tokens the vocabulary covers by `coverage`."""
        if self.mode == "dense":
            return 1.0, 0.0
        if self.mode == "lexical":
            return 0.0, 1.0
        lexical = self.lexical_weight * coverage
        return 1.0 - lexical, lexical

    def combine(self, dense: np.ndarray, lexical: np.ndarray, coverage: float) -> np.ndarray:
        """Fused scores.

        Args: raw cosine scores and raw BM25 scores of the candidates, query coverage.
        Returns: one score per candidate (in [0, 1] for the convex methods).
        """
        return self._method(self, dense, lexical, coverage)


def _convex(fusion: Fusion, dense: np.ndarray, lexical: np.ndarray, coverage: float) -> np.ndarray:
    wd, wl = fusion.weights(coverage)
    return wd * _minmax(dense) + wl * _minmax(lexical)


def _rrf(fusion: Fusion, dense: np.ndarray, lexical: np.ndarray, coverage: float) -> np.ndarray:
    # Reciprocal rank fusion (k=60), lexical weighted by coverage like the convex mix.
    return 1.0 / (60 + _ranks(dense)) + coverage / (60 + _ranks(lexical))


_METHODS = {"hybrid": _convex, "dense": _convex, "lexical": _convex, "rrf": _rrf}


def _ranks(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


def _minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-9:
        return np.where(scores > 0, 1.0, 0.0).astype(np.float32) if hi > 0 else np.zeros_like(scores)
    return ((scores - lo) / (hi - lo)).astype(np.float32)
