"""Lineage (引用/被引用): which documents a document cites, and which documents cite it.

The citations are parsed at build time (indexer/parse/citations.py, stored per document in
meta.sqlite); here they are resolved against the index's documents by canonical 文号 or title,
once per engine (`lineage_of`). A citation that names no indexed document stays, as printed,
with `document_id` null. A document never resolves a citation to itself (the notice that
prints its own title cites nothing), so it is never its own `cited_by`; cycles (A cites B, B
cites A) are simply two edges.
"""
from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from indexer.index import meta
from indexer.index.table import ClauseTable
from indexer.parse.citations import Citation, catalogue, cites_itself, resolve
from indexer.query.shapes import clause_url, document_url
from indexer.query.units import per_engine


@dataclass(frozen=True)
class Lineage:
    """Both directions of every citation of a version: document id -> `cites` entries
    (text, title, doc_number, clause, document_id, url) and -> `cited_by` entries (document_id,
    title, clause, url)."""

    cites: Mapping[str, tuple[dict, ...]]
    cited_by: Mapping[str, tuple[dict, ...]]

    def of(self, doc_id: str) -> dict:
        """A document's lineage, as the document payload shows it.

        Args: the document id. Returns: {"cites": [...], "cited_by": [...]} (empty lists when none).
        """
        return {"cites": [dict(c) for c in self.cites.get(doc_id, ())],
                "cited_by": [dict(c) for c in self.cited_by.get(doc_id, ())]}


def build_lineage(table: ClauseTable, citations: Mapping[str, Sequence[Mapping]]) -> Lineage:
    """Resolve every document's citations against the table's documents.

    Args:
        table: the version's clause table (documents, clause spans).
        citations: document id -> its citations as stored (`Citation.to_dict()`); ids the table
            does not hold are ignored.
    Returns:
        The Lineage. `cites` keeps each document's citations in text order; `cited_by` lists
        each citing document once (at its first citing clause), in document id order.
    """
    known = catalogue(table.documents)
    titles = {d.id: d.title for d in table.documents}
    cites: dict[str, tuple[dict, ...]] = {}
    cited_by: dict[str, list[dict]] = {}
    for doc_id in sorted(citations):
        if doc_id not in table.doc_index:
            continue
        # A document quoting its own title or 文号 (a 印发 notice naming what it issues) cites nothing.
        doc = table.documents[table.doc_index[doc_id]]
        found = [Citation(**{k: c[k] for k in Citation.__dataclass_fields__}) for c in citations[doc_id]]
        found = [c for c in found if not cites_itself(c, doc.title, doc.doc_number)]
        clauses = _ClauseFinder(table, doc_id)
        entries = []
        for c, target in zip(found, resolve(found, known, self_id=doc_id)):
            clause = clauses.at(c.start)
            entries.append({"text": c.text, "title": c.title, "doc_number": c.doc_number, "clause": clause,
                            "document_id": target, "url": document_url(target) if target else None})
            if target and target != doc_id and all(e["document_id"] != doc_id for e in cited_by.get(target, ())):
                cited_by.setdefault(target, []).append({
                    "document_id": doc_id, "title": titles[doc_id], "clause": clause,
                    "url": clause_url(doc_id, clause) if clause else document_url(doc_id)})
        cites[doc_id] = tuple(entries)
    return Lineage(cites, {k: tuple(v) for k, v in cited_by.items()})


class _ClauseFinder:
    """The clause of one document whose span holds a character offset."""

    def __init__(self, table: ClauseTable, doc_id: str):
        rows = [int(r) for r in (table.doc_of_row == table.doc_index[doc_id]).nonzero()[0]]
        spans = table.spans.take(rows)
        order = sorted(range(len(rows)), key=lambda i: spans[i][0])
        self.starts = [spans[i][0] for i in order]
        self.ends = [spans[i][1] for i in order]
        self.ids = table.clause_ids.take([rows[i] for i in order])

    def at(self, offset: int) -> str | None:
        """Args: an offset into the document text. Returns: the clause id there, or None (the
        preamble, the closing lines, a gap between clauses)."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.ids[i] if i >= 0 and offset < self.ends[i] else None


def lineage_of(engine: object) -> Lineage:
    """The engine's lineage, resolved on first use (see units.per_engine).

    Args: an engine with `table` and `version`. Returns: its Lineage.
    """
    return per_engine(engine, "_lineage", lambda: build_lineage(engine.table, meta.citations(engine.version)))
