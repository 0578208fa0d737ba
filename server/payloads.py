"""The JSON shapes of the API, built from the engine. Pages render the same dicts, so every
page's JSON twin is exactly what its template saw.
"""
from __future__ import annotations

import time
from urllib.parse import quote

from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters
from indexer.query.request import MAX_K
from indexer.query.shapes import Hit, filters_dict, search_dict
from indexer.types import DocumentInfo


def search_payload(engine: SearchEngine, query: str, k: int, filters: Filters) -> dict:
    """Ranked clauses for a question, with the answer card for who-questions.

    Args: the engine, the raw question, how many, filters. Returns: the /api/search body.
    """
    start = time.perf_counter()
    result = engine.search(query, k, filters)
    return search_dict(engine.table, result, k, filters, _ms(start))


def clause_payload(engine: SearchEngine, clause_id: str) -> dict:
    """One clause in the Hit shape (score null: there is no query) plus its neighbours."""
    row = engine.row(clause_id)
    data = engine.hit_dict(Hit(clause_id, 0.0, row, engine.table.responsibility[row]))
    data["score"] = None
    previous, following = engine.neighbours(clause_id)
    data["neighbours"] = {"previous": previous, "next": following}
    return data


def similar_payload(engine: SearchEngine, clause_id: str, k: int, scope: str) -> dict:
    """Clauses like a clause, by default from other documents."""
    start = time.perf_counter()
    hits = engine.similar(clause_id, k, scope)
    return {"clause": clause_id, "scope": scope, "took_ms": _ms(start),
            "results": engine.hit_dicts(hits)}


def document_summary(doc: DocumentInfo) -> dict:
    """Metadata of a document as listed by /api/documents."""
    return {**doc.to_dict(), "year": doc.year, "province": doc.province, "city": doc.city,
            "county": doc.county, "source": doc.source, "clause_count": doc.clause_count,
            "url": document_url(doc.id), "api_url": f"/api/documents/{quote(doc.id, safe='~')}"}


def documents_payload(engine: SearchEngine) -> dict:
    """All indexed documents, and the values the search filters accept."""
    return {"count": len(engine.documents),
            "documents": [document_summary(d) for d in engine.documents],
            "facets": facets(engine)}


def document_payload(engine: SearchEngine, doc_id: str) -> dict:
    """A document's metadata, its full text and its clauses with character spans into the text."""
    rows = engine.document_rows(doc_id)  # raises NotFoundError for ids the index does not hold
    doc = engine.documents[engine.table.doc_index[doc_id]]
    clauses = [{"id": engine.table.clause_ids[r], "label": engine.table.labels[r],
                "section": [h.text for h in engine.table.sections[r]], "span": list(engine.table.spans[r]),
                "pages": list(engine.table.pages[r]), "responsibility": engine.table.responsibility[r].to_dict(),
                "citation": engine.citation(r)} for r in rows]
    return {**document_summary(doc), "text": engine.document_text(doc_id), "clauses": clauses}


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
    for key, data in zip(best, engine.hit_dicts(list(best.values()))):
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


def document_url(doc_id: str) -> str:
    return f"/documents/{quote(doc_id, safe='~')}"


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
