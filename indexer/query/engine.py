"""The query side: an opened index version answering searches, clause look-ups and similar
clauses. One `SearchEngine` is opened per process and shared by all request threads.
"""
from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from indexer.index import store, vectors
from indexer.query.answers import Answer, build_answer, is_who_question, topic_of
from indexer.embed.runtimes import Embedder, EmbedderPool
from indexer.errors import NotFoundError, QueryError
from indexer.query.fusion import Fusion
from indexer.index.lexical import LexicalIndex
from indexer.types import Heading, Responsibility

MAX_QUERY_CHARS = 1000
MAX_K = 100
CANDIDATES = 100  # per signal, before fusion
SCOPES = ("other-documents", "other-regions", "all")
NEAR_DUPLICATE = 0.97  # cosine above which two clauses say the same thing
# Adjacent pieces of one long item that both rank are returned as one passage of at most this
# many pieces: an answer that straddles a cut is then read (and found) whole. Measured on NCP
# dev (docs/BENCHMARKS.md): 2 and 3 rank the same; 2 keeps passages near one long item's size.
PASSAGE_PIECES = 2
MAX_ALSO_IN = 20  # documents listed under a hit as holding the same text
LEXICAL_THREADS = 8  # BM25 tasks in flight at once (one per concurrent search; see _lexical_pool)
_PIECE = re.compile(r"^(.*)~(\d+)$")


@dataclass(frozen=True)
class Filters:
    """Restrict results by region (any part: 浙江省, 舟山市, 嵊泗县), issuer (substring), document
    ids, and a year range (inclusive)."""

    region: str = ""
    issuer: str = ""
    documents: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def __bool__(self) -> bool:
        return bool(self.region or self.issuer or self.documents
                    or self.year_from is not None or self.year_to is not None)


@dataclass(frozen=True)
class Hit:
    """One ranked clause with everything needed to cite it.

    A hit may be a passage: `rows` then lists consecutive pieces of one long item in document
    order (`row` and `clause_id` are the first). `duplicates` are rows whose text is the same
    as this hit's, in other documents (one measure republished by several notices).
    """

    clause_id: str
    score: float
    row: int
    responsibility: Responsibility
    terms: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    duplicates: tuple[int, ...] = ()

    @property
    def members(self) -> tuple[int, ...]:
        """The rows whose text this hit shows, in document order."""
        return self.rows or (self.row,)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    answer: Answer | None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentInfo:
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

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "doc_number": self.doc_number,
                "issuer": self.issuer, "region": self.region, "date": self.date}


def validate_query(query: str) -> str:
    """Normalise a question and refuse what cannot be searched.

    Args: raw query text. Returns: NFKC-normalised, whitespace-collapsed text.
    Raises: QueryError for empty, too long, or word-less queries.
    """
    if query is None or not query.strip():
        raise QueryError("the query is empty: type a question or some words")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", query)).strip()
    if not any(ch.isalnum() for ch in text):
        raise QueryError("the query has no words or numbers in it (only punctuation or symbols)")
    return text


def validate_k(k) -> int:
    """k as an int in 1..MAX_K, else QueryError."""
    try:
        value = int(k)
    except (TypeError, ValueError):
        raise QueryError(f"k must be a whole number between 1 and {MAX_K}, not {k!r}") from None
    if not 1 <= value <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}, not {value}")
    return value


# Above this many clauses the per-clause details stay in meta.sqlite and are read when a hit
# needs them: as Python objects they cost ~2.5 KB a clause (2.5 GB at 1M, bench/bench_scale.py).
LAZY_ROWS = 200_000
# Per-clause attributes of SearchEngine -> (clauses columns, row tuple -> value).
_COLUMNS = {
    "clause_ids": ("id", lambda r: r[0]),
    "sections": ("section", lambda r: tuple(Heading(*h) for h in json.loads(r[0]))),
    "labels": ("label", lambda r: r[0]),
    "texts": ("text", lambda r: r[0]),
    "spans": ('start, "end"', lambda r: (r[0], r[1])),
    "responsibility": ("lead, cooperating, persons",
                       lambda r: Responsibility(*(tuple(json.loads(x)) for x in r))),
    "pages": ("pages", lambda r: tuple(json.loads(r[0]))),
}


_ALL_COLUMNS = ", ".join(expr for expr, _ in _COLUMNS.values())  # SELECT list of every column


def _column_slices(start: int) -> Iterator[tuple[str, Callable, slice]]:
    """(attribute name, converter, where its values sit) for each of _COLUMNS in a row that
    selects _ALL_COLUMNS from position `start` on."""
    for name, (expr, convert) in _COLUMNS.items():
        width = expr.count(",") + 1
        yield name, convert, slice(start, start + width)
        start += width


class _LazyMeta:
    """A version's meta.sqlite kept open for reading clause rows on demand (thread-safe)."""

    def __init__(self, conn, fids: np.ndarray):
        self.conn = conn
        self.fids = fids
        self.lock = threading.Lock()

    def fetch(self, sql: str, args: tuple):
        with self.lock:
            return self.conn.execute(sql, args).fetchone()

    def fetch_all(self, sql: str, args: Sequence):
        with self.lock:
            return self.conn.execute(sql, args).fetchall()


class _LazyColumn(Sequence):
    """One per-clause attribute, read by row (row -> fid, the table's rowid) when indexed."""

    BATCH = 500  # rows per query in take(): well under SQLite's bound on parameters

    def __init__(self, meta: _LazyMeta, expr: str, convert):
        self.meta, self.convert, self.expr = meta, convert, expr
        self.sql = f"SELECT {expr} FROM clauses WHERE fid = ?"

    def __len__(self) -> int:
        return len(self.meta.fids)

    def __getitem__(self, row):
        return self.convert(self.meta.fetch(self.sql, (int(self.meta.fids[row]),)))

    def take(self, rows: Sequence[int]) -> list:
        """The values of several rows, in their order, with one query per BATCH rows."""
        fids = [int(self.meta.fids[r]) for r in rows]
        found = {}
        for start in range(0, len(fids), self.BATCH):
            part = fids[start:start + self.BATCH]
            sql = f"SELECT fid, {self.expr} FROM clauses WHERE fid IN ({','.join('?' * len(part))})"
            for fid, *values in self.meta.fetch_all(sql, part):
                found[fid] = self.convert(values)
        return [found[f] for f in fids]


class _Group:
    """One result being collapsed: its rows (a clause, or a passage's pieces), its score, and
    one row per other document holding the same text."""

    def __init__(self, row: int, score: float, doc: int):
        self.members, self.score, self.duplicates = [row], score, []
        self.doc, self._duplicate_docs = doc, set()  # members are pieces of one item: one document

    def take(self, row: int, doc: int, as_member: bool) -> None:
        if as_member:
            self.members.append(row)
        elif doc not in self._duplicate_docs and len(self.duplicates) < MAX_ALSO_IN:
            self._duplicate_docs.add(doc)
            self.duplicates.append(row)


class _Run:
    """Consecutive placed pieces of one item: a passage (member) or another document's copy of
    it (not a member), growing up to PASSAGE_PIECES pieces."""

    def __init__(self, group: _Group, piece: int, member: bool):
        self.group, self.first, self.last, self.member = group, piece, piece, member

    def next_to(self, piece: int) -> bool:
        return self.last - self.first + 1 < PASSAGE_PIECES and piece in (self.first - 1, self.last + 1)

    def add(self, piece: int) -> None:
        self.first, self.last = min(self.first, piece), max(self.last, piece)


class _RowValues:
    """Every per-clause column of a few rows, as {row: value} attributes named like the
    engine's columns; read with one query when the engine reads clause metadata lazily."""

    def __init__(self, engine, rows: Sequence[int]):
        rows = sorted(set(rows))
        if isinstance(engine.texts, _LazyColumn):
            values = _LazyColumn(engine.texts.meta, _ALL_COLUMNS, tuple).take(rows)
            for name, convert, at in _column_slices(0):
                setattr(self, name, {r: convert(v[at]) for r, v in zip(rows, values)})
        else:
            for name in _COLUMNS:
                column = getattr(engine, name)
                setattr(self, name, {r: column[r] for r in rows})


def _ids_and_texts(engine, rows: Sequence[int]) -> list[tuple[str, str, Responsibility | tuple]]:
    """(clause id, text, units) of each row: one query per batch when metadata is read lazily.
    Units are the responsibility, or when read lazily its stored JSON (equal exactly when the
    responsibility is; `_units` decodes it), so that comparing candidates decodes nothing."""
    texts = engine.texts
    if isinstance(texts, _LazyColumn):
        expr, _ = _COLUMNS["responsibility"]
        return _LazyColumn(texts.meta, f"id, text, {expr}", lambda r: (r[0], r[1], tuple(r[2:]))).take(rows)
    return [(engine.clause_ids[r], texts[r], engine.responsibility[r]) for r in rows]


def _units(value: Responsibility | tuple) -> Responsibility:
    return value if isinstance(value, Responsibility) else _COLUMNS["responsibility"][1](value)


class _LazyRowOfId:
    """clause id -> row, through the clauses table's unique index on id."""

    def __init__(self, meta: _LazyMeta):
        self.meta = meta

    def __contains__(self, clause_id) -> bool:
        return self.meta.fetch("SELECT ord FROM clauses WHERE id = ?", (clause_id,)) is not None

    def __getitem__(self, clause_id) -> int:
        found = self.meta.fetch("SELECT ord FROM clauses WHERE id = ?", (clause_id,))
        if found is None:
            raise KeyError(clause_id)
        return int(found[0])


class _FidRows:
    """fid -> row by binary search over the sorted fids (a dict of a million ints is ~100 MB)."""

    def __init__(self, fids: np.ndarray):
        self.order = np.argsort(fids, kind="stable")
        self.sorted = fids[self.order]

    def __getitem__(self, fid: int) -> int:
        at = int(np.searchsorted(self.sorted, fid))
        if at == len(self.sorted) or self.sorted[at] != fid:
            raise KeyError(fid)
        return int(self.order[at])


class SearchEngine:
    """An opened index version: vectors, BM25, metadata in memory, and the query embedder."""

    def __init__(self, index_dir: Path, embedder: Embedder, fusion: Fusion | None = None,
                 vector_store=None):
        self.index_dir = Path(index_dir)
        # Request threads share the embedder; a pool of one makes them take turns.
        self.embedder = embedder if isinstance(embedder, EmbedderPool) else EmbedderPool([embedder])
        self.fusion = fusion or Fusion()
        self.version = store.current_version(self.index_dir)
        self.manifest = store.read_manifest(self.version)
        store.check_model(self.manifest, embedder.name, self.version)
        # The FAISS file of this version, unless another store (same interface) is given.
        self.vectors = vector_store or vectors.FaissStore.open(self.version / store.VECTORS)
        self.lexical = LexicalIndex.load(self.version / store.LEXICAL, self.version / store.LEXICON)
        self._load_meta()

    # ----- loading -------------------------------------------------------------------------
    def _load_meta(self) -> None:
        conn = store.connect_meta(self.version)
        try:
            docs = conn.execute(
                "SELECT id, title, doc_number, issuer, date, year, province, city, county, region, "
                "source, clause_count FROM documents ORDER BY id").fetchall()
            lazy = conn.execute("SELECT COUNT(*) FROM clauses").fetchone()[0] > LAZY_ROWS
            select = "fid, document_id" + ("" if lazy else ", " + _ALL_COLUMNS)
            rows = conn.execute(f"SELECT {select} FROM clauses ORDER BY ord").fetchall()
        except Exception as exc:
            raise store.IndexUnavailableError(f"index metadata at {self.version} is unreadable: {exc}") from exc
        finally:
            conn.close()
        self.documents = [DocumentInfo(*d) for d in docs]
        self.doc_index = {d.id: i for i, d in enumerate(self.documents)}
        self.fids = np.asarray([r[0] for r in rows], dtype=np.int64)
        self.doc_of_row = np.asarray([self.doc_index[r[1]] for r in rows], dtype=np.int32)
        if lazy:
            meta = _LazyMeta(store.connect_meta(self.version), self.fids)
            for name, (expr, convert) in _COLUMNS.items():
                setattr(self, name, _LazyColumn(meta, expr, convert))
            self.row_of_id = _LazyRowOfId(meta)
            self.row_of_fid = _FidRows(self.fids)
            return
        for name, convert, at in _column_slices(2):
            setattr(self, name, [convert(r[at]) for r in rows])
        self.row_of_id = {cid: i for i, cid in enumerate(self.clause_ids)}
        self.row_of_fid = {int(f): i for i, f in enumerate(self.fids)}

    # ----- queries ---------------------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.encode_queries([text])[0]

    def allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """Row mask for the filters (None when unfiltered). Raises QueryError for values that
        match nothing in the index, so a typo is not mistaken for 'no results'."""
        if not filters:
            return None
        docs = self.documents
        keep = np.ones(len(docs), dtype=bool)
        if filters.region:
            region = filters.region.strip()
            match = np.array([region in (d.province, d.city, d.county, d.region) or
                              (len(region) >= 2 and region in d.region) for d in docs])
            if not match.any():
                raise QueryError(f"unknown region {region!r}: no indexed document is from there")
            keep &= match
        if filters.issuer:
            match = np.array([filters.issuer in d.issuer for d in docs])
            if not match.any():
                raise QueryError(f"unknown issuer {filters.issuer!r}: no indexed document has it")
            keep &= match
        if filters.documents:
            unknown = [d for d in filters.documents if d not in self.doc_index]
            if unknown:
                raise QueryError(f"unknown document id {unknown[0]!r}")
            keep &= np.isin(np.arange(len(docs)), [self.doc_index[d] for d in filters.documents])
        if filters.year_from is not None or filters.year_to is not None:
            lo = filters.year_from if filters.year_from is not None else -1
            hi = filters.year_to if filters.year_to is not None else 10_000
            if lo > hi:
                raise QueryError(f"year_from {lo} is after year_to {hi}")
            keep &= np.array([d.year is not None and lo <= d.year <= hi for d in docs])
        return keep[self.doc_of_row]

    def search(self, query: str, k: int = 10, filters: Filters = Filters(),
               collapse: bool = True) -> SearchResult:
        """Rank clauses for a question.

        Args: the question, how many hits, filters, and whether to collapse results (adjacent
        pieces of an item into one passage, identical texts of several documents into one hit
        that lists the others; see `_collapse`). Returns: hits best first, an answer for
        who-questions, and per-stage timings in ms. Raises: QueryError for bad input.
        """
        text = validate_query(query)
        k = validate_k(k)
        timings: dict[str, float] = {}
        mask = self.allowed_rows(filters)
        who = is_who_question(text)
        topic = topic_of(text) if who else text

        # BM25 needs only the words: it runs on another thread while the query is embedded
        # (the embedder releases the GIL), so at a million clauses its ~8 ms hide behind the
        # embedding's ~35 ms instead of adding to them.
        lexical = _lexical_pool().submit(self._lexical, topic, mask)
        try:
            t = time.perf_counter()
            qvec = self.embed_query(topic)
            timings["embed_ms"] = _ms(t)

            t = time.perf_counter()
            allowed = None if mask is None else self.fids[mask]
            # A store that filters by itself (Milvus) gets the filters as its own expression.
            expr = getattr(self.vectors, "filter_expression", lambda _: None)(filters) if filters else None
            if expr:
                d_scores, d_fids = self.vectors.search(qvec, CANDIDATES, expr=expr)
            else:
                d_scores, d_fids = self.vectors.search(qvec, CANDIDATES, allowed)
            timings["dense_ms"] = _ms(t)
        finally:
            # Waited for even when the dense side failed, so no work outlives the request (and
            # a BM25 failure cannot replace the dense side's own error).
            t = time.perf_counter()
            wait([lexical])
            timings["lexical_wait_ms"] = _ms(t)
        tokens, coverage, lex_all, lex_top, timings["lexical_ms"] = lexical.result()

        t = time.perf_counter()
        rows = list(dict.fromkeys([self.row_of_fid[int(f)] for f in d_fids] + lex_top.tolist()))
        hits: list[Hit] = []
        if rows:
            rows_arr = np.asarray(rows, dtype=np.int64)
            dense = self._dense_scores(qvec, rows_arr, dict(zip(map(int, d_fids), d_scores)))
            fused = self.fusion.combine(dense, lex_all[rows_arr], coverage)
            order = np.argsort(-fused, kind="stable")
            ranked = [(rows[i], float(fused[i])) for i in order]
            if collapse:
                groups, read = self._collapse(ranked, k)
            else:
                top = [r for r, _ in ranked[:k]]
                groups = [([r], s, []) for r, s in ranked[:k]]
                read = dict(zip(top, _ids_and_texts(self, top)))
            token_set = tuple(dict.fromkeys(t for t in tokens if len(t) > 1 or not t.isascii()))
            for members, score, duplicates in groups:
                members.sort()  # rows are in document order
                shown = "".join(read[r][1] for r in members).lower()
                hits.append(Hit(read[members[0]][0], round(score, 4), members[0], _units(read[members[0]][2]),
                                tuple(t for t in token_set if t in shown),
                                tuple(members) if len(members) > 1 else (), tuple(duplicates)))
        answer = build_answer(hits) if who else None
        timings["fusion_ms"] = _ms(t)
        return SearchResult(text, hits, answer, timings)

    def _lexical(self, topic: str, mask: np.ndarray | None) -> tuple:
        """BM25 side of a search. Returns: (query tokens, coverage, score of every row, the
        best CANDIDATES rows with a score > 0, best first, time taken in ms)."""
        t = time.perf_counter()
        tokens = self.lexical.query_tokens(topic)
        coverage = self.lexical.coverage(tokens)
        lex_all = np.zeros(len(self.fids), dtype=np.float32)
        if coverage > 0:
            lex_all[:] = self.lexical.scores(tokens)  # metadata rows are in lexical (build) order
            if mask is not None:
                lex_all[~mask] = 0.0
        # argpartition first: a full argsort of a million scores costs ~100 ms.
        lex_top = np.argpartition(-lex_all, CANDIDATES)[:CANDIDATES] if len(lex_all) > CANDIDATES \
            else np.arange(len(lex_all))
        lex_top = lex_top[np.argsort(-lex_all[lex_top], kind="stable")]
        lex_top = lex_top[lex_all[lex_top] > 0]
        return tokens, coverage, lex_all, lex_top, _ms(t)

    def _collapse(self, ranked: list[tuple[int, float]], k: int
                  ) -> tuple[list[tuple[list[int], float, list[int]]], dict[int, tuple]]:
        """Group ranked rows into at most k results, scanning in rank order.

        - A piece of a long item next to a piece already placed (same item, up to
          PASSAGE_PIECES) joins it: the two are one passage.
        - A clause of another document whose text (ignoring spacing and punctuation) and
          responsibility equal a placed result's is listed as its duplicate instead of taking a
          place of its own: once per document, up to MAX_ALSO_IN documents. A republished long
          item is absorbed piece by piece: a piece next to a duplicate piece of the same item
          is that document's copy too.
        The scan stops at the first row that would open result k+1, so nothing ranked below
        the last result is pulled in. Returns: (member rows, best score, duplicate rows) for
        each result, and the (clause id, text, units) of every row read (see _ids_and_texts).
        """
        groups: list[_Group] = []
        runs: dict[str, list[_Run]] = {}  # item id -> runs of its placed pieces
        by_text: dict[tuple, _Group] = {}
        read: list[tuple[str, str, Responsibility | tuple]] = []
        for at, (row, score) in enumerate(ranked):
            if at == len(read):  # ids and texts in two batches at most (a query each when lazy)
                read += _ids_and_texts(self, [r for r, _ in (ranked[:max(2 * k, 20)] if at == 0 else ranked[at:])])
            clause_id, text, units = read[at]
            doc = int(self.doc_of_row[row])
            # Same words under other units (a task two plans give to different offices) are
            # different clauses: a who-question must see both.
            key = (same_text_key(text), units)
            match = _PIECE.match(clause_id)
            item, piece = (match.group(1), int(match.group(2))) if match else (None, 0)
            run = next((r for r in runs.get(item, ()) if r.next_to(piece)), None) if match else None
            if run is not None:  # the next piece of a passage, or of a duplicate's copy of it
                run.add(piece)
                run.group.take(row, doc, as_member=run.member)
                by_text.setdefault(key, run.group)
                continue
            group = by_text.get(key)
            if group is not None and doc != group.doc:
                group.take(row, doc, as_member=False)
                if match:
                    runs.setdefault(item, []).append(_Run(group, piece, member=False))
                continue
            if len(groups) == k:
                break
            group = _Group(row, score, doc)
            groups.append(group)
            by_text.setdefault(key, group)
            if match:
                runs.setdefault(item, []).append(_Run(group, piece, member=True))
        return ([(g.members, g.score, g.duplicates) for g in groups],
                {row: read[at] for at, (row, _) in enumerate(ranked[:len(read)])})

    def _dense_scores(self, qvec: np.ndarray, rows: np.ndarray, known: dict[int, float]) -> np.ndarray:
        fids = [int(f) for f in self.fids[rows]]
        missing = [f for f in fids if f not in known]
        if missing:
            # One round trip for all lexical-only rows: a remote store pays per call.
            vecs = self.vectors.reconstruct_batch(np.asarray(missing, dtype=np.int64))
            known = {**known, **dict(zip(missing, (vecs @ qvec).tolist()))}
        return np.asarray([known[f] for f in fids], dtype=np.float32)

    # ----- clauses and documents -------------------------------------------------------------
    def row(self, clause_id: str) -> int:
        if clause_id not in self.row_of_id:
            raise NotFoundError(f"no clause with id {clause_id!r}")
        return self.row_of_id[clause_id]

    def neighbours(self, clause_id: str) -> tuple[str | None, str | None]:
        """Ids of the previous and next clause of the same document (None at the ends)."""
        row = self.row(clause_id)
        doc = self.doc_of_row[row]
        rows = self.document_rows(self.documents[doc].id)
        at = rows.index(row)
        prev_id = self.clause_ids[rows[at - 1]] if at > 0 else None
        next_id = self.clause_ids[rows[at + 1]] if at + 1 < len(rows) else None
        return prev_id, next_id

    def document_rows(self, doc_id: str) -> list[int]:
        if doc_id not in self.doc_index:
            raise NotFoundError(f"no document with id {doc_id!r}")
        index = self.doc_index[doc_id]
        rows = np.nonzero(self.doc_of_row == index)[0].tolist()
        return sorted(rows, key=lambda r: self.spans[r][0])

    def document_text(self, doc_id: str) -> str:
        if doc_id not in self.doc_index:
            raise NotFoundError(f"no document with id {doc_id!r}")
        conn = store.connect_meta(self.version)
        try:
            (text,) = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        finally:
            conn.close()
        return text

    def similar(self, clause_id: str, k: int = 5, scope: str = "other-documents") -> list[Hit]:
        """Nearest clauses to a clause, from other documents (or other regions, or anywhere),
        skipping near-duplicates of each other and of the clause itself.

        Args: the clause id, how many, the scope. Returns: hits best first.
        """
        k = validate_k(k)
        if scope not in SCOPES:
            raise QueryError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        row = self.row(clause_id)
        source_doc = self.documents[self.doc_of_row[row]]
        qvec = self.vectors.reconstruct(int(self.fids[row]))
        mask = np.ones(len(self.fids), dtype=bool)
        if scope == "other-documents":
            mask &= self.doc_of_row != self.doc_of_row[row]
        elif scope == "other-regions":
            mask &= np.array([self.documents[d].region != source_doc.region or not source_doc.region
                              for d in self.doc_of_row]) & (self.doc_of_row != self.doc_of_row[row])
        mask[row] = False
        scores, fids = self.vectors.search(qvec, min(len(self.fids), k * 4 + 20), self.fids[mask])
        chosen: list[tuple[int, float, np.ndarray]] = []
        for score, fid, vec in zip(scores, fids, self.vectors.reconstruct_batch(fids)):
            r = self.row_of_fid[int(fid)]
            same_doc = self.doc_of_row[r] == self.doc_of_row[row]
            if same_doc and score >= NEAR_DUPLICATE:
                continue
            if any(float(vec @ v) >= NEAR_DUPLICATE for _, _, v in chosen):
                continue
            chosen.append((r, float(score), vec))
            if len(chosen) == k:
                break
        return [Hit(self.clause_ids[r], round(s, 4), r, self.responsibility[r]) for r, s, _ in chosen]

    # ----- presentation ----------------------------------------------------------------------
    def citation(self, row: int) -> str:
        """'《title》（文号）二、（二）2．' plus '第N页' for paged sources."""
        return self._citation(self.documents[self.doc_of_row[row]], self.sections[row], self.pages[row])

    @staticmethod
    def _citation(doc: DocumentInfo, sections: Sequence[Heading], pages: Sequence[int]) -> str:
        """The citation of a clause (or passage: its pages) of `doc` under `sections`."""
        number = f"（{doc.doc_number}）" if doc.doc_number else ""
        position = "".join(h.label for h in sections)
        page = ""
        if pages:
            page = f" 第{pages[0]}页" if len(pages) == 1 else f" 第{pages[0]}–{pages[-1]}页"
        return f"《{doc.title}》{number}{position}{page}"

    def hit_dict(self, hit: Hit) -> dict:
        """The API's Hit shape (see hit_dicts)."""
        return self.hit_dicts([hit])[0]

    def hit_dicts(self, hits: Sequence[Hit]) -> list[dict]:
        """The API's Hit shape for each hit. A passage shows its pieces' text as one, with
        every piece's id in `ids`; `also_in` cites the same text in other documents. The rows
        they need are read together (one query when clause metadata is read lazily)."""
        rows = _RowValues(self, [r for hit in hits for r in (*hit.members, *hit.duplicates)])
        out = []
        for hit in hits:
            row, members = hit.row, hit.members
            doc = self.documents[self.doc_of_row[row]]
            ids = [rows.clause_ids[r] for r in members]
            pages = sorted({p for r in members for p in rows.pages[r]})
            also_in = []
            for r in hit.duplicates:
                other = self.documents[self.doc_of_row[r]]
                also_in.append({"id": rows.clause_ids[r], "document": other.to_dict(),
                                "citation": self._citation(other, rows.sections[r], rows.pages[r]),
                                "url": clause_url(other.id, rows.clause_ids[r])})
            out.append({
                "id": hit.clause_id,
                "ids": ids,
                "text": "".join(rows.texts[r] for r in members),
                "score": hit.score,
                "section": [h.text for h in rows.sections[row]],
                "label": rows.labels[row],
                "responsibility": rows.responsibility[row].to_dict(),
                "document": doc.to_dict(),
                "citation": self._citation(doc, rows.sections[row], pages),
                "url": clause_url(doc.id, *ids),
                "span": [rows.spans[members[0]][0], rows.spans[members[-1]][1]],
                "pages": pages,
                "terms": list(hit.terms),
                "also_in": also_in,
            })
        return out

    def health(self) -> dict:
        return {"status": "ok", "version": self.version.name, "model": self.manifest["model"],
                "dim": self.manifest["dim"], "index_type": self.manifest["index_type"],
                "documents": len(self.documents), "clauses": len(self.clause_ids),
                "created": self.manifest.get("created")}


def clause_url(doc_id: str, *clause_ids: str) -> str:
    """The document page at a clause; several ids (a passage) are marked together, separated
    by a space in the fragment (ids never contain one)."""
    return f"/documents/{quote(doc_id, safe='~')}#" + "%20".join(quote(c, safe=':~') for c in clause_ids)


_NOT_WORD = re.compile(r"[\W_]+")
# Full-width ASCII (ＡＢＣ１２３) to ASCII: what NFKC would do for the texts at hand, at a
# fraction of its cost (it ran on every candidate of every search).
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # letters and digits: punctuation goes anyway


def same_text_key(text: str) -> str:
    """What two clauses must share to count as the same text: full-width letters and digits
    folded, lower-cased, with spacing and punctuation removed."""
    if _FULL_WIDTH.search(text):
        text = text.translate(_HALF_WIDTH)
    return _NOT_WORD.sub("", text).lower()


_LEXICAL_POOL: ThreadPoolExecutor | None = None
_LEXICAL_POOL_LOCK = threading.Lock()


def _lexical_pool() -> ThreadPoolExecutor:
    """One pool per process for the BM25 side of searches, shared by every engine (engines are
    swapped on reload; a pool each would leave idle threads behind). Sized for the request
    threads of a server: a search waits for its own BM25 task only."""
    global _LEXICAL_POOL
    with _LEXICAL_POOL_LOCK:
        if _LEXICAL_POOL is None:
            _LEXICAL_POOL = ThreadPoolExecutor(max_workers=LEXICAL_THREADS, thread_name_prefix="bm25")
        return _LEXICAL_POOL


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
