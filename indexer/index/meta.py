"""meta.sqlite, the index's document and clause tables: schema, writer and reader in one place.

- `SCHEMA`, `DOCUMENT_COLUMNS`, `CLAUSE_COLUMNS`: what the file holds.
- `MetaWriter`: writes rows by column name (the build, the scale benchmark).
- `ClauseTable` (table.py, the reading half of this module): a version's documents and
  per-clause columns for the query side, held in memory, or read from the file on demand above
  `LAZY_ROWS` clauses, behind one interface.
- `clause_hashes`, `clause_fids`, `filter_rows`, `check_readable`: what the build, the Milvus
  mirror and the store need to read.
Nothing but this module and table.py writes SQL against this file.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer.errors import IndexUnavailableError
from indexer.types import Clause, Document

if TYPE_CHECKING:
    from typing import Self

FILE = "meta.sqlite"

DOCUMENT_COLUMNS = ("id", "title", "doc_number", "issuer", "date", "year", "province", "city", "county",
                    "region", "source", "text", "content_hash", "warnings", "clause_count", "kind", "issuers",
                    "effective_from", "effective_to", "validity_basis", "validity_stated", "citations")
CLAUSE_COLUMNS = ("fid", "id", "document_id", "ord", "section", "label", "text", "start", "end",
                  "lead", "cooperating", "persons", "pages", "text_hash", "from_text", "targets")

SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY, title TEXT, doc_number TEXT, issuer TEXT, date TEXT, year INTEGER,
    province TEXT, city TEXT, county TEXT, region TEXT, source TEXT, text TEXT,
    content_hash TEXT, warnings TEXT, clause_count INTEGER, kind TEXT, issuers TEXT,
    effective_from TEXT, effective_to TEXT, validity_basis TEXT, validity_stated TEXT, citations TEXT
);
CREATE TABLE clauses (
    fid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, document_id TEXT NOT NULL, ord INTEGER,
    section TEXT, label TEXT, text TEXT, start INTEGER, "end" INTEGER,
    lead TEXT, cooperating TEXT, persons TEXT, pages TEXT, text_hash TEXT, from_text TEXT, targets TEXT
);
CREATE INDEX clauses_by_document ON clauses(document_id, ord);
"""

# Above this many clauses the per-clause details stay in meta.sqlite and are read when a hit
# needs them: as Python objects they cost ~2.5 KB a clause (2.5 GB at 1M, bench/bench_scale.py).
LAZY_ROWS = 200_000


def connect(version: Path, create: bool = False) -> sqlite3.Connection:
    """Open a version's metadata database (read-only unless creating).

    Args: the version directory; create the tables when `create`. Returns: a connection.
    Raises: OSError when it cannot be created, IndexUnavailableError when it cannot be read.
    """
    path = version / FILE
    if create:
        conn = sqlite3.connect(path)
        try:
            conn.executescript(SCHEMA)
        except sqlite3.Error as exc:  # e.g. "database or disk is full"
            conn.close()
            raise OSError(f"cannot write index metadata {path}: {exc}") from exc
        return conn
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise IndexUnavailableError(f"index metadata {path} is unreadable: {exc}") from exc


# ----- writing ---------------------------------------------------------------------------------

def document_record(doc: Document, content_hash: str) -> dict:
    """The documents row of a parsed document."""
    return {"id": doc.id, "title": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer,
            "date": doc.date, "year": doc.year, "province": doc.region.province, "city": doc.region.city,
            "county": doc.region.county, "region": doc.region.label, "source": doc.source, "text": doc.text,
            "content_hash": content_hash, "warnings": _json(list(doc.warnings)),
            "clause_count": len(doc.clauses), "kind": doc.kind, "issuers": _json(list(doc.issuers)),
            "effective_from": doc.effective_from, "effective_to": doc.effective_to,
            "validity_basis": doc.validity_basis, "validity_stated": doc.validity_stated,
            "citations": _json(list(doc.citations))}


def clause_record(fid: int, document_id: str, ord_: int, clause: Clause, text_hash: str) -> dict:
    """The clauses row of a clause; `ord_` is its row in the lexical index (and the engine's arrays)."""
    r = clause.responsibility
    return {"fid": fid, "id": clause.id, "document_id": document_id, "ord": ord_,
            "section": _json([[h.label, h.title] for h in clause.section]), "label": clause.label,
            "text": clause.text, "start": clause.start, "end": clause.end, "lead": _json(r.lead),
            "cooperating": _json(r.cooperating), "persons": _json(r.persons), "pages": _json(clause.pages),
            "text_hash": text_hash, "from_text": _json(r.from_text), "targets": _json(list(clause.targets))}


class MetaWriter:
    """Creates a version's meta.sqlite and writes rows given as {column: value}, in one
    transaction: on leaving the `with` block it commits, or rolls back on an error.

    Raises (on write): KeyError naming a missing column, ValueError for an unknown one, OSError
    when SQLite fails (a full disk, a read-only directory).
    """

    def __init__(self, version: Path):
        self.path = version / FILE
        self.conn = connect(version, create=True)

    def add_documents(self, rows: Iterable[Mapping]) -> None:
        self._insert("documents", DOCUMENT_COLUMNS, rows)

    def add_clauses(self, rows: Iterable[Mapping]) -> None:
        self._insert("clauses", CLAUSE_COLUMNS, rows)

    def drop_documents_without_clauses(self) -> None:
        self._run("DELETE FROM documents WHERE id NOT IN (SELECT DISTINCT document_id FROM clauses)")

    def _insert(self, table: str, columns: tuple[str, ...], rows: Iterable[Mapping]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        self._run(sql, (_values(row, columns, table) for row in rows), many=True)

    def _run(self, sql: str, args=(), many: bool = False) -> None:
        try:
            (self.conn.executemany if many else self.conn.execute)(sql, args)
        except sqlite3.Error as exc:
            raise OSError(f"cannot write index metadata {self.path}: {exc}") from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, *_) -> None:
        try:
            if exc_type is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        except sqlite3.Error as exc:
            raise OSError(f"cannot write index metadata {self.path}: {exc}") from exc
        finally:
            self.conn.close()


def _values(row: Mapping, columns: tuple[str, ...], table: str) -> tuple:
    if len(row) != len(columns):
        unknown = sorted(set(row) - set(columns))
        if unknown:
            raise ValueError(f"{table} has no column {unknown[0]!r}")
    return tuple(row[c] for c in columns)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# ----- small reads -----------------------------------------------------------------------------

def _read(version: Path, sql: str, args: tuple = ()) -> list[tuple]:
    conn = connect(version)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.Error as exc:
        raise IndexUnavailableError(f"index metadata {version / FILE} is unreadable: {exc}") from exc
    finally:
        conn.close()


def check_readable(version: Path) -> None:
    """Raises IndexUnavailableError unless the version's metadata answers a query."""
    _read(version, "SELECT count(*) FROM documents")


def clause_hashes(version: Path) -> dict[str, tuple[int, str]]:
    """clause id -> (fid, text hash) of every clause of a version (what the build reuses)."""
    return {cid: (fid, h) for cid, fid, h in _read(version, "SELECT id, fid, text_hash FROM clauses")}


def clause_fids(version: Path) -> np.ndarray:
    """Every clause fid of a version."""
    return np.asarray([r[0] for r in _read(version, "SELECT fid FROM clauses")], dtype=np.int64)


FILTER_COLUMNS = ("document_id", "province", "city", "county", "region", "issuer", "year")


def filter_rows(version: Path) -> list[tuple]:
    """(fid, text hash, *FILTER_COLUMNS) of each clause, by fid: what a vector store that filters
    by itself mirrors."""
    return _read(version, "SELECT c.fid, c.text_hash, d.id, d.province, d.city, d.county, d.region, "
                          "d.issuer, d.year FROM clauses c JOIN documents d ON d.id = c.document_id "
                          "ORDER BY c.fid")


def citations(version: Path) -> dict[str, list[dict]]:
    """document id -> the documents it cites (as parsed, unresolved), for documents citing any."""
    rows = _read(version, "SELECT id, citations FROM documents WHERE citations != '[]'")
    return {doc_id: json.loads(found) for doc_id, found in rows}


def targets(version: Path) -> list[tuple[str, str, list[dict]]]:
    """(clause id, document id, targets) of every clause that states a target, in build order."""
    rows = _read(version, "SELECT id, document_id, targets FROM clauses WHERE targets != '[]' ORDER BY ord")
    return [(cid, doc_id, json.loads(found)) for cid, doc_id, found in rows]


def document_text(version: Path, doc_id: str) -> str | None:
    """The full text of a document (None when the version does not hold it)."""
    found = _read(version, "SELECT text FROM documents WHERE id = ?", (doc_id,))
    return found[0][0] if found else None
