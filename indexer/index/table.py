"""The query side's view of meta.sqlite (meta.py owns the schema and the writer): `ClauseTable`,
a version's documents and per-clause columns, held in memory or read from the file on demand
above `LAZY_ROWS` clauses, behind one interface.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from indexer.errors import IndexUnavailableError
from indexer.index.meta import FILE, LAZY_ROWS, connect, document_text
from indexer.types import DocumentInfo, Heading, Responsibility

__all__ = ["FILE", "LAZY_ROWS", "Candidate", "ClauseTable", "Column", "RowValues"]


# ----- the query side's view -------------------------------------------------------------------

_DOCUMENT_SELECT = f"SELECT {', '.join(DocumentInfo.__dataclass_fields__)} FROM documents ORDER BY id"


def _document_info(row: Sequence) -> DocumentInfo:
    info = DocumentInfo(*row)
    return replace(info, issuers=tuple(json.loads(info.issuers or "[]")))


def _units(values: Sequence[str]) -> Responsibility:
    return Responsibility(*(tuple(json.loads(x)) for x in values))


# Per-clause column -> (SQL select list, row values -> Python value).
COLUMNS: dict[str, tuple[str, Callable[[Sequence], object]]] = {
    "clause_ids": ("id", lambda r: r[0]),
    "sections": ("section", lambda r: tuple(Heading(*h) for h in json.loads(r[0]))),
    "labels": ("label", lambda r: r[0]),
    "texts": ("text", lambda r: r[0]),
    "spans": ('start, "end"', lambda r: (r[0], r[1])),
    "responsibility": ("lead, cooperating, persons, from_text", _units),
    "pages": ("pages", lambda r: tuple(json.loads(r[0]))),
}
_ALL = ", ".join(expr for expr, _ in COLUMNS.values())


def _slices(start: int):
    """(column name, converter, where its values sit) in a row selecting _ALL from `start` on."""
    for name, (expr, convert) in COLUMNS.items():
        width = expr.count(",") + 1
        yield name, convert, slice(start, start + width)
        start += width


class Column(Protocol):
    """One per-clause value by row: `column[row]`, `len(column)`, `column.take(rows)`."""

    def __getitem__(self, row: int): ...
    def __len__(self) -> int: ...
    def take(self, rows: Sequence[int]) -> list: ...


class _ListColumn(list):
    """A column held in memory."""

    def take(self, rows: Sequence[int]) -> list:
        return [self[r] for r in rows]


class _File:
    """A version's meta.sqlite kept open for reading clause rows on demand (thread-safe)."""

    BATCH = 500  # fids per IN (...) query: well under SQLite's bound on parameters

    def __init__(self, version: Path, fids: np.ndarray):
        self.conn = connect(version)
        self.path = version / FILE
        self.fids = fids
        self.lock = threading.Lock()

    def one(self, sql: str, args: tuple):
        with self.lock, self.guard():
            return self.conn.execute(sql, args).fetchone()

    @contextlib.contextmanager
    def guard(self):
        """A file damaged after it was opened is an unavailable index (503), not a bug (500)."""
        try:
            yield
        except sqlite3.Error as exc:
            raise IndexUnavailableError(f"index metadata {self.path} is unreadable: {exc}") from exc

    def by_rows(self, expr: str, rows: Sequence[int], convert: Callable) -> list:
        """convert(values) of the `expr` columns of each row, in the rows' order."""
        fids = [int(self.fids[r]) for r in rows]
        found = {}
        for start in range(0, len(fids), self.BATCH):
            part = fids[start:start + self.BATCH]
            sql = f"SELECT fid, {expr} FROM clauses WHERE fid IN ({','.join('?' * len(part))})"
            with self.lock, self.guard():
                values = self.conn.execute(sql, part).fetchall()
            for fid, *rest in values:
                found[fid] = convert(rest)
        return [found[f] for f in fids]

    def close(self) -> None:
        self.conn.close()


class _FileColumn(Sequence):
    """A column read from the file by row (row -> fid, the table's rowid)."""

    def __init__(self, file: _File, expr: str, convert: Callable):
        self.file, self.expr, self.convert = file, expr, convert
        self.sql = f"SELECT {expr} FROM clauses WHERE fid = ?"

    def __len__(self) -> int:
        return len(self.file.fids)

    def __getitem__(self, row):
        return self.convert(self.file.one(self.sql, (int(self.file.fids[row]),)))

    def take(self, rows: Sequence[int]) -> list:
        return self.file.by_rows(self.expr, rows, self.convert)


class _RowOfId:
    """clause id -> row, through the clauses table's unique index on id."""

    def __init__(self, file: _File):
        self.file = file

    def __contains__(self, clause_id) -> bool:
        return self.file.one("SELECT ord FROM clauses WHERE id = ?", (clause_id,)) is not None

    def __getitem__(self, clause_id) -> int:
        found = self.file.one("SELECT ord FROM clauses WHERE id = ?", (clause_id,))
        if found is None:
            raise KeyError(clause_id)
        return int(found[0])


class _RowOfFid:
    """fid -> row by binary search over the sorted fids (a dict of a million ints is ~100 MB)."""

    def __init__(self, fids: np.ndarray):
        self.order = np.argsort(fids, kind="stable")
        self.sorted = fids[self.order]

    def __getitem__(self, fid: int) -> int:
        at = int(np.searchsorted(self.sorted, fid))
        if at == len(self.sorted) or self.sorted[at] != fid:
            raise KeyError(fid)
        return int(self.order[at])


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a row: its clause id, text and units (`units_key` compares equal
    exactly when two rows' responsibility does; `units` decodes it)."""

    row: int
    clause_id: str
    text: str
    units_key: object

    @property
    def units(self) -> Responsibility:
        key = self.units_key
        return key if isinstance(key, Responsibility) else _units(key)


class ClauseTable:
    """A version's documents and clause columns, rows in lexical-index order.

    Columns (`clause_ids`, `sections`, `labels`, `texts`, `spans`, `responsibility`, `pages`)
    index by row. In memory up to `lazy_above` clauses; above, each read goes to the file.
    Args: the version directory; the clause count above which columns are read lazily.
    """

    def __init__(self, version: Path, lazy_above: int = LAZY_ROWS):
        conn = connect(version)
        try:
            docs = conn.execute(_DOCUMENT_SELECT).fetchall()
            self.lazy = conn.execute("SELECT COUNT(*) FROM clauses").fetchone()[0] > lazy_above
            select = "fid, document_id" + ("" if self.lazy else ", " + _ALL)
            rows = conn.execute(f"SELECT {select} FROM clauses ORDER BY ord").fetchall()
        except sqlite3.Error as exc:
            raise IndexUnavailableError(f"index metadata at {version} is unreadable: {exc}") from exc
        finally:
            conn.close()
        self.version = version
        self.documents = [_document_info(d) for d in docs]
        self.doc_index = {d.id: i for i, d in enumerate(self.documents)}
        self.fids = np.asarray([r[0] for r in rows], dtype=np.int64)
        self.doc_of_row = np.asarray([self.doc_index[r[1]] for r in rows], dtype=np.int32)
        self._file: _File | None = None
        if self.lazy:
            self._file = _File(version, self.fids)
            columns = {name: _FileColumn(self._file, expr, convert) for name, (expr, convert) in COLUMNS.items()}
            self.row_of_id = _RowOfId(self._file)
            self.row_of_fid = _RowOfFid(self.fids)
        else:
            columns = {name: _ListColumn(convert(r[at]) for r in rows) for name, convert, at in _slices(2)}
        self.clause_ids: Column = columns["clause_ids"]
        self.sections: Column = columns["sections"]
        self.labels: Column = columns["labels"]
        self.texts: Column = columns["texts"]
        self.spans: Column = columns["spans"]
        self.responsibility: Column = columns["responsibility"]
        self.pages: Column = columns["pages"]
        if not self.lazy:
            self.row_of_id = {cid: i for i, cid in enumerate(self.clause_ids)}
            self.row_of_fid = {int(f): i for i, f in enumerate(self.fids)}

    def __len__(self) -> int:
        return len(self.fids)

    def document_of(self, row: int) -> DocumentInfo:
        return self.documents[self.doc_of_row[row]]

    def candidates(self, rows: Sequence[int]) -> list[Candidate]:
        """Id, text and units of each row (one query per batch when read lazily, the units
        left as stored JSON so that comparing candidates decodes nothing)."""
        rows = list(rows)
        if self._file is None:
            return [Candidate(r, self.clause_ids[r], self.texts[r], self.responsibility[r]) for r in rows]
        expr = COLUMNS["responsibility"][0]
        values = self._file.by_rows(f"id, text, {expr}", rows, tuple)
        return [Candidate(r, v[0], v[1], tuple(v[2:])) for r, v in zip(rows, values)]

    def values(self, rows: Sequence[int]) -> RowValues:
        """Every column of a few rows, read together (one query when read lazily)."""
        rows = sorted(set(rows))
        if self._file is None:
            found = {name: {r: getattr(self, name)[r] for r in rows} for name in COLUMNS}
        else:
            read = self._file.by_rows(_ALL, rows, tuple)
            found = {name: {r: convert(v[at]) for r, v in zip(rows, read)} for name, convert, at in _slices(0)}
        return RowValues(**found)

    def document_text(self, doc_id: str) -> str | None:
        return document_text(self.version, doc_id)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass(frozen=True)
class RowValues:
    """The columns of a few rows, each as {row: value} (see ClauseTable.values)."""

    clause_ids: dict
    sections: dict
    labels: dict
    texts: dict
    spans: dict
    responsibility: dict
    pages: dict
