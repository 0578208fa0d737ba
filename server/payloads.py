"""The JSON shapes of the API, built from the engine. Pages render the same dicts, so every
page's JSON twin is exactly what its template saw.
"""
from __future__ import annotations

import time
from urllib.parse import quote

from indexer.errors import QueryError
from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters, day_or_today, validity
from indexer.query.phrases import side_by_side
from indexer.query.request import MAX_K
from indexer.query.shapes import Hit, document_url, filters_dict, search_dict
from indexer.types import DocumentInfo


def search_payload(engine: SearchEngine, query: str, k: int, filters: Filters, offset: int = 0,
                   sort: str = "relevance") -> dict:
    """Ranked clauses for a question, with the answer card, one page at a time.

    Args: the engine, the raw question, how many, filters, where the page starts, the order
    ('relevance' or 'date'). Returns: the /api/search body. Raises: QueryError when the page
    ends beyond MAX_K results.
    """
    if offset + k > MAX_K:
        raise QueryError("page_range", offset=offset, k=k, limit=MAX_K)
    start = time.perf_counter()
    # Always the first MAX_K results (~4 ms more than 10 on NCP): relevant_count and the facets
    # then count the same results on every page, and has_more is known.
    result = engine.search(query, MAX_K, filters)
    return search_dict(engine.table, result, k, filters, _ms(start), offset, sort)


def clause_payload(engine: SearchEngine, clause_id: str) -> dict:
    """One clause in the Hit shape (score null: there is no query) plus its neighbours."""
    row = engine.row(clause_id)
    data = engine.hit_dict(Hit(clause_id, 0.0, row, engine.table.responsibility[row]))
    data["score"] = None
    previous, following = engine.neighbours(clause_id)
    data["neighbours"] = {"previous": previous, "next": following}
    return data


def similar_payload(engine: SearchEngine, clause_id: str | None, k: int, scope: str,
                    text: str | None = None, filters: Filters | None = None) -> dict:
    """Clauses on the same topic as a clause (or a pasted text), by default from other
    documents: each with relevance, the piece of the source it matched, and copies marked."""
    start = time.perf_counter()
    result = engine.similar(clause_id, k, scope, text=text, filters=filters)
    return {"clause": clause_id, "took_ms": _ms(start), **result.to_dict(engine)}


def side_by_side_payload(engine: SearchEngine, a: str, b: str) -> dict:
    """Two clauses side by side, their shared phrases marked (query/phrases.py)."""
    rows = (engine.row(a), engine.row(b))
    texts = [engine.table.texts[r] for r in rows]
    pair = side_by_side(*texts)
    return {"a": engine.hit_dict(Hit(a, 0.0, rows[0], engine.table.responsibility[rows[0]])),
            "b": engine.hit_dict(Hit(b, 0.0, rows[1], engine.table.responsibility[rows[1]])),
            "segments": {"a": pair["a"], "b": pair["b"]}, "shared_chars_ratio": pair["shared_chars_ratio"]}


def document_summary(doc: DocumentInfo, as_of: str | None = None) -> dict:
    """Metadata of a document as listed by /api/documents, with its validity on `as_of` (today)."""
    day = day_or_today(as_of)
    return {**doc.to_dict(), "validity": validity(doc).to_dict(day), "year": doc.year,
            "province": doc.province, "city": doc.city,
            "county": doc.county, "source": doc.source, "clause_count": doc.clause_count,
            "url": document_url(doc.id), "api_url": f"/api/documents/{quote(doc.id, safe='~')}"}


def documents_payload(engine: SearchEngine) -> dict:
    """All indexed documents, and the values the search filters accept."""
    return {"count": len(engine.documents),
            "documents": [document_summary(d) for d in engine.documents],
            "facets": facets(engine)}


def document_payload(engine: SearchEngine, doc_id: str) -> dict:
    """A document's metadata, its full text, its clauses with character spans into the text, and
    its lineage: `cites` (the documents it cites, resolved or not) and `cited_by`."""
    from indexer.query.lineage import lineage_of

    rows = engine.document_rows(doc_id)  # raises NotFoundError for ids the index does not hold
    doc = engine.documents[engine.table.doc_index[doc_id]]
    clauses = [{"id": engine.table.clause_ids[r], "label": engine.table.labels[r],
                "section": [h.text for h in engine.table.sections[r]], "span": list(engine.table.spans[r]),
                "pages": list(engine.table.pages[r]), "responsibility": engine.table.responsibility[r].to_dict(),
                "citation": engine.citation(r)} for r in rows]
    return {**document_summary(doc), "text": engine.document_text(doc_id), "clauses": clauses,
            **lineage_of(engine).of(doc_id)}


def compare_payload(engine: SearchEngine, query: str, filters: Filters, by: str) -> dict:
    """The best matching clause of each document (by='document') or region (by='region'),
    best first, for reading provinces and counties side by side.

    Args: the engine, the question, filters, the grouping. Returns: the /api/compare body.
    """
    start = time.perf_counter()
    # Uncollapsed: a text republished by several documents must keep a column for each.
    result = engine.search(query, MAX_K, filters, collapse=False)
    best: dict[str, Hit] = {}
    for hit in result.hits:
        doc = engine.documents[engine.table.doc_of_row[hit.row]]
        best.setdefault(doc.id if by == "document" else (doc.region or "（地区不详）"), hit)
    columns = []
    for key, data in zip(best, engine.hit_dicts(list(best.values()), filters.day)):
        doc = data["document"]
        columns.append({"key": key, "title": doc["title"] if by == "document" else key,
                        "region": doc["region"], "hit": data})
    return {"query": result.query, "took_ms": _ms(start), "timings": result.timings, "by": by,
            "filters": filters_dict(filters), "columns": columns}


def facets(engine: SearchEngine) -> dict:
    """Filter values present in the index: regions at every level (浙江省, 浙江省·舟山市, …),
    issuers, and years, for the filter menus."""
    regions: dict[str, None] = {}
    for doc in sorted(engine.documents, key=lambda d: d.region):
        parts = [p for p in (doc.province, doc.city, doc.county) if p]
        for depth in range(1, len(parts) + 1):
            regions["·".join(parts[:depth])] = None
    issuers = sorted({d.issuer for d in engine.documents if d.issuer})
    years = sorted({d.year for d in engine.documents if d.year is not None}, reverse=True)
    return {"regions": list(regions), "issuers": issuers, "years": years}


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
