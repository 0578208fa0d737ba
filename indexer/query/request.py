"""What a query may be: its text (validated, normalised, cut to what a search may cost), k,
the similar-clause scopes, and `ParsedQuery`, the first stage's output.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from indexer.errors import QueryError
from indexer.query.filters import Filters
from indexer.query.glossary import Expansion

MAX_QUERY_CHARS = 1000
# What a question may cost: only its first MAX_SEARCHED_CHARS characters (after normalising) are
# embedded and BM25-scored. Embedding time grows faster than linearly with length (~20 ms for
# a 20-character question, ~45 ms at 200, ~0.5-5 s at 1000), and real questions are far shorter.
MAX_SEARCHED_CHARS = 200
MAX_K = 100
SCOPES = ("other-documents", "other-regions", "all")


def validate_query(query: str) -> str:
    """Normalise a question and refuse what cannot be searched.

    Args: raw query text. Returns: NFKC-normalised, whitespace-collapsed text.
    Raises: QueryError for empty, too long, or word-less queries.
    """
    if query is None or not query.strip():
        raise QueryError("query_empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError("query_too_long", length=len(query), limit=MAX_QUERY_CHARS)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", query)).strip()
    if not any(ch.isalnum() for ch in text):
        raise QueryError("query_no_words")
    return text


def searched_text(query: str) -> str:
    """What a search reads of a question: validate_query's text, cut to MAX_SEARCHED_CHARS.
    Raises: QueryError as validate_query."""
    return validate_query(query)[:MAX_SEARCHED_CHARS].rstrip()


def validate_k(k) -> int:
    """k as an int in 1..MAX_K, else QueryError."""
    try:
        value = int(k)
    except (TypeError, ValueError):
        raise QueryError("k_not_number", limit=MAX_K, value=k) from None
    if not 1 <= value <= MAX_K:
        raise QueryError("k_range", limit=MAX_K, value=value)
    return value


@dataclass(frozen=True)
class ParsedQuery:
    """A validated query: its text, k, filters and row mask, what BM25 and the embedder read (a
    who-question's topic: "孵化器由哪个部门负责" -> 孵化器), and the glossary terms the topic
    names, which BM25 also reads ("technology commissioners" -> 科技特派员)."""

    text: str
    k: int
    filters: Filters
    mask: np.ndarray | None
    who: bool
    topic: str
    expansions: tuple[Expansion, ...] = ()
