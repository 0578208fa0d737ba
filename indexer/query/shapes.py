"""The JSON shapes of results: a hit, a search, citations and clause links. `/api/search` and
`policy-search search --json` both print `search_dict`, so the two cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import numpy as np

from indexer.index.table import ClauseTable
from indexer.query.answers import Answer
from indexer.query.filters import Filters, day_or_today, validity
from indexer.query.glossary import Expansion
from indexer.query.spans import ValueAnswer
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
    answer_span: tuple[int, int] | None = None  # the answering sentence, offsets into the shown text

    @property
    def members(self) -> tuple[int, ...]:
        """The rows whose text this hit shows, in document order."""
        return self.rows or (self.row,)


@dataclass
class SearchResult:
    """A search's hits best first, the answer card of a who-question, per-stage timings in ms,
    the glossary terms the query was expanded with, and the features each hit's relevance was
    judged on (hits x relevance.FEATURES; bench/fit_relevance.py fits on them), and the places and
    organs the question named (query/places.py)."""

    query: str
    hits: list[Hit]
    answer: Answer | ValueAnswer | None
    timings: dict[str, float] = field(default_factory=dict)
    expansions: list[Expansion] = field(default_factory=list)
    features: np.ndarray | None = None
    preferred: list[str] = field(default_factory=list)  # places, organs and 文号 the question named

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


def document_url(doc_id: str) -> str:
    """The document page of a document id. Args: the id. Returns: the path."""
    return f"/documents/{quote(doc_id, safe='~')}"


def clause_url(doc_id: str, *clause_ids: str) -> str:
    """The document page at a clause; several ids (a passage) are marked together, separated
    by a space in the fragment (ids never contain one)."""
    return f"{document_url(doc_id)}#" + "%20".join(quote(c, safe=':~') for c in clause_ids)


def hit_dicts(table: ClauseTable, hits: Sequence[Hit], as_of: str | None = None) -> list[dict]:
    """The API's Hit shape for each hit. A passage shows its pieces' text as one, with every
    piece's id in `ids`; `also_in` cites the same text in other documents; `validity` says
    whether its document is in force on `as_of` (default today). The rows they need are read
    together (one query when clause metadata is read lazily)."""
    day = day_or_today(as_of)
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
            "answer_span": list(hit.answer_span) if hit.answer_span else None,
            "section": [h.text for h in rows.sections[row]],
            "label": rows.labels[row],
            "responsibility": rows.responsibility[row].to_dict(),
            "document": doc.to_dict(),
            "validity": validity(doc).to_dict(day),
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
            "year_from": filters.year_from, "year_to": filters.year_to,
            "status": ",".join(filters.status), "as_of": filters.as_of}


FACETS = ("region", "issuer", "year", "status", "lead")


def result_facets(results: Sequence[dict]) -> dict:
    """Facets of the relevant results: for region, issuer, year, validity status and lead unit,
    each value with how many relevant results have it, most first.

    Args: hit dicts (hit_dicts' shape). Returns: {facet: [{"value", "count"}]}.
    """
    counts: dict[str, dict] = {name: {} for name in FACETS}
    for hit in results:
        if not hit["relevant"]:
            continue
        doc = hit["document"]
        values = {"region": [doc["region"]], "issuer": list(doc.get("issuers") or [doc["issuer"]]),
                  "year": [doc["date"][:4]], "status": [hit["validity"]["status"]],
                  "lead": hit["responsibility"]["lead"]}
        for name, found in values.items():
            for value in dict.fromkeys(v for v in found if v):
                counts[name][value] = counts[name].get(value, 0) + 1
    return {name: [{"value": v, "count": c} for v, c in sorted(found.items(), key=lambda vc: -vc[1])]
            for name, found in counts.items()}


SORTS = ("relevance", "date")


def answer_dict(table: ClauseTable, answer: Answer | ValueAnswer | None) -> dict | None:
    """The answer card; a value answer also carries its clause's citation and link, and a
    who-answer the citation and link of each clause it names (`sources`), so it is cited
    whatever page of results is shown — its clauses need not be among the results at all."""
    if answer is None:
        return None
    data = answer.to_dict()
    if data["kind"] == "value":
        data.update(_source(table, answer.clause))
    else:
        data["sources"] = {cid: _source(table, cid) for cid in data["clauses"] if cid in table.row_of_id}
    return data


def _source(table: ClauseTable, clause_id: str) -> dict:
    row = table.row_of_id[clause_id]
    doc = table.document_of(row)
    return {"citation": citation(doc, table.sections[row], table.pages[row]), "url": clause_url(doc.id, clause_id)}


def search_dict(table: ClauseTable, result: SearchResult, k: int, filters: Filters, took_ms: float,
                offset: int = 0, sort: str = "relevance") -> dict:
    """The search shape (docs/API.md): the normalised query, total and per-stage time in ms, k,
    the filters, the glossary terms the query was expanded with and the places it named, the
    answer card, how many results are relevant (relevance ≥ the calibrated threshold), one page
    of the results (`offset`, `k`; `has_more` when the search found more), and facets with
    counts over the relevant results.

    Args: the table, the search result (holding at least offset + k hits when there are that
    many), k, the filters, the time taken, the page's offset, and the order: 'relevance'
    (relevant results in the engine's order — those of the first ten by relevance, the rest as
    ranked —, then the others) or 'date' (relevant results newest first, then the others in
    rank order).
    """
    results = hit_dicts(table, result.hits, filters.day)
    # Relevant results first (in the engine's order, or newest first), then the others in rank order:
    # a page never shows a "maybe" result while a relevant one waits on a later page.
    relevant = [h for h in results if h["relevant"]]
    if sort == "date":
        relevant.sort(key=lambda h: h["document"]["date"] or "", reverse=True)
    results = relevant + [h for h in results if not h["relevant"]]
    return {"query": result.query, "took_ms": took_ms, "timings": result.timings,
            "k": k, "offset": offset, "sort": sort, "has_more": len(results) > offset + k,
            "filters": filters_dict(filters),
            "expansions": [{"text": e.text, "term": e.term} for e in result.expansions],
            "preferred": result.preferred,
            "answer": answer_dict(table, result.answer),
            "relevant_count": result.relevant_count,
            "results": results[offset:offset + k], "facets": result_facets(results)}
