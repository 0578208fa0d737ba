"""Targets (指标) across documents: the quantitative targets parse/targets.py read from each
clause ('至2027年高新技术企业数量达到10家'), listed and compared by metric, region and target year.

The targets are stored per clause at build time (meta.sqlite); `targets_of` reads them once
per engine. A question matches a target's metric by substring (after NFKC, spaces and case
removed, either way round: '高新技术企业数' finds 高新技术企业) or, failing that, when every jieba
token of the question is a token of the metric ('经费支出比重' finds R&D经费支出占GDP比重; a looser
overlap let '高新技术企业' find 高新技术产业产值 through 高新 and 技术).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from indexer.index import meta
from indexer.index.table import ClauseTable
from indexer.index.tokens import Tokenizer
from indexer.query.filters import Filters, document_mask
from indexer.query.shapes import citation, clause_url, document_url
from indexer.query.units import per_engine

_NOISE = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class TargetRow:
    """One stated target with the clause that states it: the table row, the clause id, and the
    target as stored (`Target.to_dict()`: metric, value, unit, comparator, year, start, end, text)."""

    row: int
    clause_id: str
    target: Mapping


def squeeze(text: str) -> str:
    """A metric or question compared without width, case, spaces or punctuation.

    Args: any text. Returns: NFKC-normalised, lower-cased text of its letters and digits only.
    """
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


_COUNTED = ("的数量", "的总数", "总数量", "数量", "总数", "个数", "家数", "人数")


def metric_key(metric: str) -> str:
    """The key one metric is compared under: squeezed, without a trailing word for "number of"
    ('高新技术企业数量' and '高新技术企业' are one metric in 家)."""
    key = squeeze(metric)
    for word in _COUNTED:
        if key.endswith(word) and len(key) > len(word) + 1:
            return key[:-len(word)]
    return key


class TargetTable:
    """Every target of an index version, filterable by metric, region and target year.

    Args:
        table: the version's clause table.
        stored: (clause id, document id, [target dicts]) per clause, as `meta.targets` reads them;
            clauses the table does not hold are skipped.
        tokenizer: the tokeniser for token overlap (default: a plain jieba Tokenizer, made when
            first needed).
    """

    def __init__(self, table: ClauseTable, stored: Iterable[tuple[str, str, Sequence[Mapping]]],
                 tokenizer: Tokenizer | None = None):
        self.table = table
        self.rows = [TargetRow(table.row_of_id[cid], cid, t) for cid, _doc, found in stored
                     if cid in table.row_of_id for t in found]
        self._tokenizer = tokenizer

    def __len__(self) -> int:
        return len(self.rows)

    def select(self, q: str = "", region: str = "", year: int | None = None) -> list[TargetRow]:
        """The targets matching all that is given, sorted by metric, region, year and value.

        Args:
            q: words of the metric ('' for all).
            region: any level of a region, as the search filter reads it ('' for all).
            year: the target year (None for any; a target with no year never matches a year).
        Returns:
            The matching rows.
        Raises:
            QueryError: a region no indexed document is from.
        """
        mask = document_mask(Filters(region=region), self.table.documents) if region.strip() else None
        matches = self._matcher(q)
        chosen = [r for r in self.rows
                  if (mask is None or mask[self.table.doc_of_row[r.row]])
                  and (year is None or r.target.get("year") == year) and matches(r.target.get("metric", ""))]
        return sorted(chosen, key=lambda r: (squeeze(r.target.get("metric", "")), self._region(r),
                                             r.target.get("year") or 0, r.target.get("value") or 0, r.clause_id))

    def _region(self, r: TargetRow) -> str:
        return self.table.document_of(r.row).region

    def _matcher(self, q: str):
        key = squeeze(q)
        if not key:
            return lambda metric: True
        tokenizer = self._tokenizer or Tokenizer()
        self._tokenizer = tokenizer
        wanted = set(tokenizer.tokens(q))

        def matches(metric: str) -> bool:
            name = squeeze(metric)
            if name and (key in name or name in key):
                return True
            have = set(tokenizer.tokens(metric))
            return bool(wanted) and wanted <= have

        return matches

    def as_dicts(self, rows: Sequence[TargetRow]) -> list[dict]:
        """The /api/targets shape of rows.

        Args: rows from `select`. Returns: [{"metric", "value", "unit", "comparator", "year",
        "text", "clause", "url", "citation", "document": {"id", "title", "doc_number", "region",
        "year", "issuer", "url"}}], value an int when whole.
        """
        values = self.table.values([r.row for r in rows])
        out = []
        for r in rows:
            doc, t = self.table.document_of(r.row), r.target
            value = t.get("value")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out.append({"metric": t.get("metric", ""), "value": value, "unit": t.get("unit", ""),
                        "comparator": t.get("comparator", ""), "year": t.get("year"), "text": t.get("text", ""),
                        "clause": r.clause_id, "url": clause_url(doc.id, r.clause_id),
                        "citation": citation(doc, values.sections[r.row], values.pages[r.row]),
                        "document": {"id": doc.id, "title": doc.title, "doc_number": doc.doc_number,
                                     "region": doc.region, "year": doc.year, "issuer": doc.issuer,
                                     "url": document_url(doc.id)}})
        return out


def targets_of(engine: object) -> TargetTable:
    """The engine's targets, read on first use (see units.per_engine); token overlap uses the
    engine's BM25 tokeniser (it knows the domain terms and the index's unit names).

    Args: an engine with `table`, `version` and `lexical`. Returns: its TargetTable.
    """
    tokenizer = getattr(getattr(engine, "lexical", None), "tokenizer", None)
    return per_engine(engine, "_targets", lambda: TargetTable(engine.table, meta.targets(engine.version), tokenizer))


def target_sheet(targets: Sequence[Mapping]) -> tuple[list[str], list[list]]:
    """Targets as a sheet for CSV export.

    Args: dicts from `TargetTable.as_dicts`. Returns: the header and one row per target.
    """
    header = ["指标 metric", "目标值 value", "单位 unit", "表述 comparator", "目标年份 year", "地区 region",
              "文件 document", "文号 doc_number", "条款 clause", "引用 citation", "原文 text"]
    rows = [[t["metric"], t["value"], t["unit"], t["comparator"], t["year"] if t["year"] is not None else "",
             t["document"]["region"], t["document"]["title"], t["document"]["doc_number"], t["clause"],
             t["citation"], t["text"]] for t in targets]
    return header, rows
