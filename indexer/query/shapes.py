"""The JSON shapes of results: a hit, a search, citations and clause links. `/api/search` and
`policy-search search --json` both print `search_dict`, so the two cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import numpy as np

from indexer.index.meta import ClauseTable
from indexer.query.answers import Answer
from indexer.query.filters import Filters
from indexer.query.glossary import Expansion
from indexer.types import DocumentInfo, Heading, Responsibility


@dataclass(frozen=True)
class Hit:
    """One ranked clause with everything needed to cite it.

    A hit may be a passage: `rows` then lists consecutive pieces of one long item in document
    order (`row` and `clause_id` are the first). `duplicates` are rows whose text is the same
    as this hit's, in other documents (one measure republished by several notices).
    `score` ranks hits within one search (the fused score, 1.0 for the first); `relevance` is
    the estimated probability that the clause answers the question, comparable across searches,
    and `relevant` whether it reaches the calibrated threshold (query/relevance.py).
    """

    clause_id: str
    score: float
    row: int
    responsibility: Responsibility
    terms: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    duplicates: tuple[int, ...] = ()
    relevance: float | None = None  # None: not judged (similar clauses, look-ups)
    relevant: bool = False

    @property
    def members(self) -> tuple[int, ...]:
        """The rows whose text this hit shows, in document order."""
        return self.rows or (self.row,)


@dataclass
class SearchResult:
    """A search's hits best first, the answer card of a who-question, per-stage timings in ms,
    the glossary terms the query was expanded with, and the features each hit's relevance was
    judged on (hits x relevance.FEATURES; bench/fit_relevance.py fits on them)."""

    query: str
    hits: list[Hit]
    answer: Answer | None
    timings: dict[str, float] = field(default_factory=dict)
    expansions: list[Expansion] = field(default_factory=list)
    features: np.ndarray | None = None

    @property
    def relevant_count(self) -> int:
        return sum(hit.relevant for hit in self.hits)


def citation(doc: DocumentInfo, sections: Sequence[Heading], pages: Sequence[int]) -> str:
    """'《title》（文号）二、（二）2．' plus '第N页' for paged sources, of a clause (or passage:
    its pages) of `doc` under `sections`."""
    number = f"（{doc.doc_number}）" if doc.doc_number else ""
    position = "".join(h.label for h in sections)
    page = ""
    if pages:
        page = f" 第{pages[0]}页" if len(pages) == 1 else f" 第{pages[0]}–{pages[-1]}页"
    return f"《{doc.title}》{number}{position}{page}"


def clause_url(doc_id: str, *clause_ids: str) -> str:
    """The document page at a clause; several ids (a passage) are marked together, separated
    by a space in the fragment (ids never contain one)."""
    return f"/documents/{quote(doc_id, safe='~')}#" + "%20".join(quote(c, safe=':~') for c in clause_ids)


def hit_dicts(table: ClauseTable, hits: Sequence[Hit]) -> list[dict]:
    """The API's Hit shape for each hit. A passage shows its pieces' text as one, with every
    piece's id in `ids`; `also_in` cites the same text in other documents. The rows they need
    are read together (one query when clause metadata is read lazily)."""
    rows = table.values([r for hit in hits for r in (*hit.members, *hit.duplicates)])
    out = []
    for hit in hits:
        row, members = hit.row, hit.members
        doc = table.document_of(row)
        ids = [rows.clause_ids[r] for r in members]
        pages = sorted({p for r in members for p in rows.pages[r]})
        also_in = []
        for r in hit.duplicates:
            other = table.document_of(r)
            also_in.append({"id": rows.clause_ids[r], "document": other.to_dict(),
                            "citation": citation(other, rows.sections[r], rows.pages[r]),
                            "url": clause_url(other.id, rows.clause_ids[r])})
        out.append({
            "id": hit.clause_id,
            "ids": ids,
            "text": "".join(rows.texts[r] for r in members),
            "score": hit.score,
            "relevance": hit.relevance,
            "relevant": hit.relevant,
            "section": [h.text for h in rows.sections[row]],
            "label": rows.labels[row],
            "responsibility": rows.responsibility[row].to_dict(),
            "document": doc.to_dict(),
            "citation": citation(doc, rows.sections[row], pages),
            "url": clause_url(doc.id, *ids),
            "span": [rows.spans[members[0]][0], rows.spans[members[-1]][1]],
            "pages": pages,
            "terms": list(hit.terms),
            "also_in": also_in,
        })
    return out


def filters_dict(filters: Filters) -> dict:
    """The filters as echoed in responses and kept in page links."""
    return {"region": filters.region, "issuer": filters.issuer, "doc": list(filters.documents),
            "year_from": filters.year_from, "year_to": filters.year_to}


def search_dict(table: ClauseTable, result: SearchResult, k: int, filters: Filters, took_ms: float) -> dict:
    """The search shape (docs/API.md): the normalised query, total and per-stage time in ms, k,
    the filters, the glossary terms the query was expanded with, the answer card of a
    who-question, how many results are relevant (relevance ≥ the calibrated threshold), and
    the results."""
    return {"query": result.query, "took_ms": took_ms, "timings": result.timings,
            "k": k, "filters": filters_dict(filters),
            "expansions": [{"text": e.text, "term": e.term} for e in result.expansions],
            "answer": result.answer.to_dict() if result.answer else None,
            "relevant_count": result.relevant_count,
            "results": hit_dicts(table, result.hits)}
