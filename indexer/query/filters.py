"""What a search may be restricted to, written once: `Filters` states its conditions on document
fields; the engine evaluates them over the index's documents, and a vector store that filters
by itself (Milvus) translates the same conditions into its own expression.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from indexer.errors import QueryError
from indexer.parse.validity import Validity, is_day
from indexer.types import DocumentInfo

REGION_FIELDS = ("province", "city", "county", "region")
STATUSES = ("in_force", "expired", "not_yet", "unknown")


def day_or_today(as_of: str | None) -> str:
    """The day validity is judged on: `as_of` (YYYY-MM-DD) when given, else today."""
    return as_of or datetime.date.today().isoformat()


def validity(doc: DocumentInfo) -> Validity:
    """A document's validity as the index stores it (parse/validity.py)."""
    return Validity(doc.effective_from, doc.effective_to, doc.validity_basis, doc.validity_stated)


@dataclass(frozen=True)
class Condition:
    """One test on document fields: `op` is 'eq' (a field equals `value`), 'contains' (`value` is
    a substring of the field), 'in' (the field is one of `value`), 'range' (the field is set and
    lo <= field <= hi, `value` = (lo, hi), either end None) or 'status' (the document's validity
    on a day is one of some statuses, `value` = (statuses, ISO day); parse/validity.py)."""

    op: str
    field: str
    value: object

    def test(self, doc: DocumentInfo) -> bool:
        have = doc.id if self.field in ("document_id", "validity") else getattr(doc, self.field)
        if self.op == "eq":
            return have == self.value
        if self.op == "contains":
            return self.value in have
        if self.op == "in":
            return have in self.value
        if self.op == "status":
            statuses, day = self.value
            return validity(doc).status(day) in statuses
        lo, hi = self.value
        return have is not None and (lo is None or lo <= have) and (hi is None or have <= hi)


@dataclass(frozen=True)
class Filters:
    """Restrict results by region (any part: 浙江省, 舟山市, 嵊泗县), issuer (substring), document
    ids, a year range (inclusive), and validity: documents whose status (in_force, expired,
    not_yet, unknown; several joined by commas) holds on `as_of` (an ISO day; default today)."""

    region: str = ""
    issuer: str = ""
    documents: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    status: tuple[str, ...] = ()
    as_of: str = ""

    def __post_init__(self):
        if self.as_of and not is_day(self.as_of):
            raise QueryError("bad_date", name="as_of", value=self.as_of)
        unknown = [s for s in self.status if s not in STATUSES]
        if unknown:
            raise QueryError("bad_choice", name="status", choices=", ".join(STATUSES), value=unknown[0])

    def __bool__(self) -> bool:
        return bool(self.region or self.issuer or self.documents or self.status
                    or self.year_from is not None or self.year_to is not None)

    @property
    def day(self) -> str:
        """The day validity is judged on: `as_of`, or today."""
        return day_or_today(self.as_of)

    def groups(self) -> list[tuple[str, tuple[Condition, ...]]]:
        """The filters as (name, alternatives): a document passes when, for every group, one
        of its conditions holds. Raises: QueryError for a year range that ends before it starts."""
        out = []
        region = self.region.strip()
        if region:
            alternatives = [Condition("eq", f, region) for f in REGION_FIELDS]
            if len(region) >= 2:  # '舟山' finds 浙江省·舟山市·嵊泗县
                alternatives.append(Condition("contains", "region", region))
            out.append(("region", tuple(alternatives)))
        if self.issuer:
            out.append(("issuer", (Condition("contains", "issuer", self.issuer),)))
        if self.documents:
            out.append(("documents", (Condition("in", "document_id", tuple(self.documents)),)))
        if self.year_from is not None or self.year_to is not None:
            if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
                raise QueryError("year_order", year_from=self.year_from, year_to=self.year_to)
            out.append(("year", (Condition("range", "year", (self.year_from, self.year_to)),)))
        if self.status:
            out.append(("status", (Condition("status", "validity", (self.status, self.day)),)))
        return out


def document_mask(filters: Filters, documents: list[DocumentInfo]) -> np.ndarray | None:
    """Which documents pass (None when unfiltered).

    Raises: QueryError for a value that matches no indexed document, so a typo is not mistaken
    for 'no results'.
    """
    if not filters:
        return None
    known = {d.id for d in documents}
    unknown = [d for d in filters.documents if d not in known]
    if unknown:
        raise QueryError("unknown_document", value=unknown[0])
    keep = np.ones(len(documents), dtype=bool)
    for name, alternatives in filters.groups():
        match = np.array([any(c.test(d) for c in alternatives) for d in documents], dtype=bool)
        if name == "region" and not match.any():
            raise QueryError("unknown_region", value=filters.region.strip())
        if name == "issuer" and not match.any():
            raise QueryError("unknown_issuer", value=filters.issuer)
        keep &= match
    return keep
