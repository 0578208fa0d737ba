"""Plain data the whole product passes around: documents, clauses, responsibility, hits.

Everything here is a frozen dataclass so that a parsed corpus can be shared between
threads (the server) and compared in tests without surprises.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Region:
    """Administrative region as 省 / 市 / 县 (province / city / county); empty parts are ''."""

    province: str = ""
    city: str = ""
    county: str = ""

    @property
    def label(self) -> str:
        """Human label such as '浙江省·舟山市·嵊泗县'."""
        return "·".join(p for p in (self.province, self.city, self.county) if p)

    def __bool__(self) -> bool:
        return bool(self.province or self.city or self.county)


@dataclass(frozen=True)
class Responsibility:
    """责任分工 of one item: lead units (牵头单位/责任处室/责任单位), cooperating units (配合单位)
    and responsible persons (责任人), each kept as written (brackets normalised to full width).
    `from_text` names those the clause's prose makes responsible ("由市商务局负责", "办公室设在…")
    rather than a responsibility note: their source is "text", everyone else's "note"."""

    lead: tuple[str, ...] = ()
    cooperating: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    from_text: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lead or self.cooperating or self.persons)

    def to_dict(self) -> dict:
        return {"lead": list(self.lead), "cooperating": list(self.cooperating),
                "persons": list(self.persons), "from_text": list(self.from_text)}

    def source_of(self, name: str) -> str:
        """'text' when only the prose names this party, else 'note'."""
        return "text" if name in self.from_text else "note"


@dataclass(frozen=True)
class Heading:
    """One level of a section path: its number label ('二、', '（二）', '2．') and title."""

    label: str
    title: str

    @property
    def text(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True)
class Clause:
    """The unit of search: one numbered item (or one clause-sized piece of it).

    `id` is `<document id>:<position key>`; the key comes from the numbering (e.g. 'h2.p2.n2'
    for 二、（二）2．) so it survives re-indexing of an unchanged document.
    """

    id: str
    document_id: str
    section: tuple[Heading, ...]
    label: str
    text: str
    start: int
    end: int
    responsibility: Responsibility = field(default_factory=Responsibility)
    pages: tuple[int, ...] = ()
    targets: tuple[dict, ...] = ()  # quantitative targets the text states (parse/targets.py)

    @property
    def section_labels(self) -> list[str]:
        """Section path as the user reads it: ['二、重点任务', '（二）…', '2．…']."""
        return [h.text for h in self.section]

    @property
    def position(self) -> str:
        """Compact citation path such as '二、（二）2．'."""
        return "".join(h.label for h in self.section)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "section": self.section_labels,
            "label": self.label,
            "text": self.text,
            "span": [self.start, self.end],
            "responsibility": self.responsibility.to_dict(),
            "pages": list(self.pages),
            "targets": list(self.targets),
        }


@dataclass(frozen=True)
class Document:
    """A policy document with the metadata read from its own text (or a sidecar)."""

    id: str
    title: str
    doc_number: str  # 文号, e.g. 浙政办发〔2019〕11号
    issuer: str  # 发文机关
    date: str  # ISO date (成文 or 发布), '' when unknown
    region: Region
    source: str  # path relative to the corpus root
    text: str
    clauses: tuple[Clause, ...] = ()
    warnings: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()  # co-issuing organs in order; `issuer` joins them by a space
    kind: str = "notice"  # 'notice' (an organ's own document) or 'news' (a report about one)
    # When it is in force, as the text states it (parse/validity.py): ISO dates or '', and
    # the phrase that decided it.
    effective_from: str = ""
    effective_to: str = ""
    validity_basis: str = ""
    validity_stated: str = ""  # 'in_force' / 'expired' as a web capture's field states it, or ''
    citations: tuple[dict, ...] = ()  # documents it cites (parse/citations.py), unresolved

    @property
    def year(self) -> int | None:
        """Year of the date, else the year printed in the 文号 (郴科发〔2012〕29号 -> 2012)."""
        if self.date[:4].isdigit():
            return int(self.date[:4])
        m = re.search(r"〔(\d{4})〕", self.doc_number)
        return int(m.group(1)) if m else None

    def metadata(self) -> dict:
        """Everything but the text and clauses, as JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "date": self.date,
            "year": self.year,
            "region": self.region.label,
            "region_parts": asdict(self.region),
            "source": self.source,
        }

    def to_dict(self) -> dict:
        data = self.metadata()
        data["issuers"] = list(self.issuers)
        data["kind"] = self.kind
        data["effective_from"] = self.effective_from
        data["effective_to"] = self.effective_to
        data["validity_basis"] = self.validity_basis
        data["validity_stated"] = self.validity_stated
        data["citations"] = list(self.citations)
        data["text"] = self.text
        data["clauses"] = [c.to_dict() for c in self.clauses]
        data["warnings"] = list(self.warnings)
        return data


@dataclass(frozen=True)
class SourceText:
    """What a format reader hands to the parser: clean text plus container metadata.

    `meta` holds hints the container states outright (HTML meta tags, PDF info): keys among
    title, doc_number, issuer, date, source_url. `pages` maps character spans of `text` to
    page numbers for paged formats: ((start, end, page_no), ...).
    """

    text: str
    meta: dict = field(default_factory=dict)
    pages: tuple[tuple[int, int, int], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentInfo:
    """A document as the query side sees it (its text stays in the file)."""

    id: str
    title: str
    doc_number: str
    issuer: str
    date: str
    year: int | None
    province: str
    city: str
    county: str
    region: str
    source: str
    clause_count: int
    kind: str = "notice"
    issuers: tuple[str, ...] = ()
    effective_from: str = ""
    effective_to: str = ""
    validity_basis: str = ""
    validity_stated: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "doc_number": self.doc_number,
                "issuer": self.issuer, "issuers": list(self.issuers), "kind": self.kind,
                "region": self.region, "date": self.date}
