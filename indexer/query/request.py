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
# What a question may cost: only its first MAX_SEARCHED_CHARS characters' worth (after
# normalising) are embedded and BM25-scored. Embedding time grows faster than linearly with
# length (~20 ms for a 20-character question, 0.1-0.2 s at 200 Chinese characters, seconds at
# 1000), and real questions are far shorter. The limit is in Chinese characters: a letter of an
# English word or a space costs ASCII_COST of one, as the embedder reads about three letters of
# English to a token and one or two Chinese characters (600 characters of English embed in ~105
# ms, 200 of Chinese in ~127: docs/BENCHMARKS.md, session 14); a digit, a punctuation mark or a
# letter of a run longer than a word (_WORD_LETTERS) costs OTHER_ASCII_COST, as such strings read
# nearly a token a character. An English question of 200 letters says about a third of what a
# Chinese one does, and its last words are often what it asks ('…temporary work subsidies?').
MAX_SEARCHED_CHARS = 200
ASCII_COST = 1 / 3
OTHER_ASCII_COST = 1.5
_WORD_LETTERS = 20
_LETTERS = re.compile(r"[A-Za-z]+")
_CUT_BACK = 40  # characters a cut inside a word moves back, to the space before the word
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
    """What a search reads of a question: validate_query's text, cut where its characters cost
    more than MAX_SEARCHED_CHARS (see ASCII_COST: 200 characters of Chinese, about 600 of
    English), at the space before a word the cut would split. Raises: QueryError as
    validate_query."""
    text = validate_query(query)
    costs = [1.0 if not char.isascii() else ASCII_COST if char == " " else OTHER_ASCII_COST for char in text]
    for word in _LETTERS.finditer(text):
        if word.end() - word.start() <= _WORD_LETTERS:
            costs[word.start():word.end()] = [ASCII_COST] * (word.end() - word.start())
    total = 0.0
    for at, cost in enumerate(costs):
        total += cost
        if total > MAX_SEARCHED_CHARS + 1e-9:
            if text[at].isalpha() and text[at].isascii() and at > 0 and text[at - 1].isalpha():
                space = text.rfind(" ", max(0, at - _CUT_BACK), at)
                at = space if space > 0 else at
            return text[:at].rstrip()
    return text


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
