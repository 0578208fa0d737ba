"""The lexical side: BM25 (bm25s, sparse-matrix scoring) over jieba tokens of each clause.

Rows of the BM25 matrix are clause rows in the metadata order, so scores line up with the
engine's arrays without any id translation.
"""
from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import bm25s
import numpy as np

from indexer.errors import IndexUnavailableError
from indexer.index.tokens import Tokenizer


class LexicalIndex:
    """BM25 over tokenised clauses, plus the tokenizer that made the tokens."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: Tokenizer):
        self.bm25 = bm25
        self.tokenizer = tokenizer
        self.vocab = set(bm25.vocab_dict) if getattr(bm25, "vocab_dict", None) else set()

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer) -> LexicalIndex:
        """Index texts (one per clause row). Args: texts, tokenizer. Returns: the index."""
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        tokens = [tokenizer.tokens(t) or ["∅"] for t in texts]
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        return cls(bm25, tokenizer)

    def save(self, directory: Path, lexicon: Path) -> None:
        """Write the index and its unit names. Raises: OSError, with errno ENOSPC when the disk
        is full (numpy reports a short write as '13658 requested and 12256 written', no errno)."""
        try:
            self.bm25.save(str(directory), show_progress=False)
            lexicon.write_text("\n".join(self.tokenizer.extra_words) + "\n", encoding="utf-8")
        except OSError as exc:
            if exc.errno is not None:
                raise
            # A short write to a regular file means the device refused more data.
            raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)}: cannot write the BM25 index "
                                        f"{directory} ({exc})") from exc

    @classmethod
    def load(cls, directory: Path, lexicon: Path) -> LexicalIndex:
        """Read a saved index. Raises IndexUnavailableError when files are corrupt."""
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        try:
            bm25 = bm25s.BM25.load(str(directory), show_progress=False)
            words = lexicon.read_text(encoding="utf-8").split("\n")
        except (OSError, ValueError) as exc:
            raise IndexUnavailableError(f"lexical index {directory} is unreadable: {exc}") from exc
        return cls(bm25, Tokenizer(w for w in words if w))

    def query_tokens(self, text: str) -> list[str]:
        return self.tokenizer.tokens(text)

    def coverage(self, tokens: list[str]) -> float:
        """Share of query tokens the corpus vocabulary knows: how much BM25 can see of the query."""
        if not tokens:
            return 0.0
        return sum(1 for t in tokens if t in self.vocab) / len(tokens)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every clause row for the query tokens (zeros when none is known)."""
        known = [t for t in tokens if t in self.vocab]
        n = int(self.bm25.scores["num_docs"])
        if not known:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)

    def token_scores(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows that contain a token and its BM25 score in each (what `scores([token])` gives
        them; every other row scores 0), read from the score matrix without a dense array."""
        if token not in self.vocab:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        matrix, at = self.bm25.scores, self.bm25.vocab_dict[token]
        start, end = matrix["indptr"][at], matrix["indptr"][at + 1]
        return np.asarray(matrix["indices"][start:end]), np.asarray(matrix["data"][start:end], dtype=np.float32)

    def idf(self, tokens: list[str]) -> np.ndarray:
        """BM25's (Lucene) IDF of each token; a token the vocabulary lacks gets the IDF of a
        word in no clause, the rarest there can be."""
        n = int(self.bm25.scores["num_docs"])
        indptr = self.bm25.scores["indptr"]
        vocab = self.bm25.vocab_dict
        df = np.asarray([indptr[vocab[t] + 1] - indptr[vocab[t]] if t in self.vocab else 0 for t in tokens],
                        dtype=np.float64)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    @property
    def k1(self) -> float:
        return float(self.bm25.k1)
