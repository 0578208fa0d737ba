"""A Milvus collection as the vector store: serving beyond one machine on an existing engine.

The collection mirrors one index version: a row per clause (fid, vector) with the document fields
the filters use (region parts, issuer, year), so region/issuer/year filters run inside Milvus as
expressions. `sync` makes it mirror a new version by upserting new or changed rows and deleting
gone ones; a small state collection records which version it mirrors, and a store refuses to
open against another one. The same client code talks to a Milvus cluster, a standalone server
or milvus-lite (`pymilvus` MilvusClient).

BM25 stays in the serving process (bm25s, lexical.py) rather than Milvus' own BM25: our tokenizer
(jieba plus each index's unit names and domain terms, stopwords) has no Milvus analyzer twin, and
keeping it makes hybrid results identical whichever vector store serves them.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from indexer.errors import IndexUnavailableError
from indexer.index import meta, store

DEFAULT_COLLECTION = "policy_clauses"
BATCH = 2000  # rows per insert: larger batches are much slower on milvus-lite (ENGINES.md)
MAX_LIMIT = 16384  # Milvus' largest top-k
IN_LIST_MAX = 4096  # `fid in [...]` above this is slower than searching wider and filtering
VARCHAR_MAX = 65535
FILTER_FIELDS = meta.FILTER_COLUMNS  # the document fields mirrored beside each vector
_LIKE_UNSAFE = set('%_\\"')


class MilvusUnavailableError(IndexUnavailableError):
    """Milvus cannot be reached, or its collection does not mirror the served index version."""

    code = "milvus_unavailable"


@dataclass(frozen=True)
class SyncReport:
    """What `MilvusStore.sync` changed."""

    version: str
    upserted: int
    deleted: int
    unchanged: int


def parse_store(spec: str) -> tuple[str, str]:
    """'milvus://HOST:PORT[/COLLECTION]' -> (client uri, collection name).

    Args: the --store value. Returns: ('http://HOST:PORT', name). Raises: ValueError.
    """
    parts = urlsplit(spec)
    if parts.scheme != "milvus" or not parts.hostname or not parts.port:
        raise ValueError(f"--store must be 'faiss' or milvus://HOST:PORT[/COLLECTION], not {spec!r}")
    collection = parts.path.strip("/") or DEFAULT_COLLECTION
    return f"http://{parts.hostname}:{parts.port}", collection


def filter_expression(filters) -> str | None:
    """The Milvus expression of a query.filters.Filters (its conditions, translated).

    Args: the filters. Returns: an expression, or None when a value holds a character LIKE
    would read as a pattern (the caller then passes the allowed ids instead).
    """
    terms = []
    for _, alternatives in filters.groups():
        parts = [_condition(c) for c in alternatives]
        if None in parts:
            return None
        terms.append(parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")")
    return " and ".join(terms) if terms else None


def _condition(condition) -> str | None:
    op, field, value = condition.op, condition.field, condition.value
    if op == "status":  # judged per document on a day: the engine's row mask carries it
        return None
    if op == "range":  # documents without a year are stored as year 0 and never match a range
        lo, hi = value
        return " and ".join(["year > 0", *([f"year >= {int(lo)}"] if lo is not None else []),
                             *([f"year <= {int(hi)}"] if hi is not None else [])])
    values = value if op == "in" else (value,)
    if any(_LIKE_UNSAFE & set(v) for v in values):
        return None
    if op == "eq":
        return f'{field} == "{value}"'
    if op == "contains":
        return f'{field} like "%{value}%"'
    return f"{field} in [" + ", ".join(f'"{v}"' for v in values) + "]"


class MilvusStore:
    """The FaissStore interface (`ntotal`, `search`, `reconstruct`) over a Milvus collection.

    Args: an open MilvusClient, the collection name, the fids of the served version (results
    outside it are dropped while a re-index is being mirrored), and a per-call timeout.
    """

    def __init__(self, client, collection: str, fids: np.ndarray | None = None,
                 timeout: float = 5.0):
        self.client = client
        self.collection = collection
        self.state_collection = f"{collection}__state"
        self.timeout = timeout
        self._fids = None if fids is None else np.sort(np.asarray(fids, dtype=np.int64))
        self._count: int | None = None

    # ----- connecting ----------------------------------------------------------------------
    @classmethod
    def connect(cls, uri: str, collection: str = DEFAULT_COLLECTION, timeout: float = 5.0) -> MilvusStore:
        """A store on `uri` (http://host:port, or a milvus-lite .db file), not yet checked
        against a version. Raises: MilvusUnavailableError when Milvus does not answer."""
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise MilvusUnavailableError("--store milvus:// needs pymilvus: pip install 'pymilvus>=2.5,<2.6'") from exc
        for name in ("pymilvus", "pymilvus.milvus_client"):  # its errors come back as one line
            logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            client = MilvusClient(uri=uri, timeout=timeout)
        except Exception as exc:
            raise MilvusUnavailableError(f"Milvus at {uri} is unreachable: {_reason(exc)}") from exc
        return cls(client, collection, timeout=timeout)

    @classmethod
    def open(cls, spec: str, version: Path, timeout: float = 5.0) -> MilvusStore:
        """The store for serving `version` from 'milvus://HOST:PORT[/COLLECTION]'.

        Raises: MilvusUnavailableError when Milvus is unreachable or mirrors another version.
        """
        uri, collection = parse_store(spec)
        milvus = cls.connect(uri, collection, timeout)
        milvus.check_mirrors(version)
        return milvus

    def check_mirrors(self, version: Path) -> None:
        """Refuse to serve `version` unless the collection mirrors exactly it."""
        mirrored = self.mirrored_version()
        if mirrored != version.name:
            raise MilvusUnavailableError(
                f"Milvus collection {self.collection!r} mirrors {mirrored or 'no index version'}, "
                f"not {version.name}: run `policy-search index ... --store milvus://...` to sync it")
        self._fids = np.sort(meta.clause_fids(version))
        self._count = len(self._fids)

    # ----- the vector-store interface ------------------------------------------------------
    @property
    def ntotal(self) -> int:
        if self._count is None:
            rows = self._call(self.client.query, self.collection, filter="",
                              output_fields=["count(*)"])
            self._count = int(rows[0]["count(*)"])
        return self._count

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               filters=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k inner products for one normalised query.

        Args: the (dim,) query, k, optional allowed fids, optional query.filters.Filters (pushed
        down as an expression, in place of `allowed`, when they translate). Returns: (scores,
        fids), best first. Raises: MilvusUnavailableError — never a partial list.
        """
        expr = filter_expression(filters) if filters else None
        k = min(int(k), self.ntotal, MAX_LIMIT)
        if k <= 0 or (allowed is not None and expr is None and not len(allowed)):
            return np.empty(0, np.float32), np.empty(0, np.int64)
        if expr is not None or allowed is None:
            return self._search(query, k, expr)
        allowed = np.unique(np.asarray(allowed, dtype=np.int64))
        if len(allowed) <= IN_LIST_MAX:
            return self._search(query, k, _in_list(allowed))
        return self._search_allowed(query, k, allowed)

    def reconstruct(self, fid: int) -> np.ndarray:
        """The stored vector of one clause. Raises: KeyError for an unknown fid."""
        return self.reconstruct_batch(np.asarray([fid]))[0]

    def reconstruct_batch(self, fids: np.ndarray) -> np.ndarray:
        """Stored vectors of several clauses in one round trip, in the order asked."""
        ids = [int(f) for f in fids]
        rows = self._call(self.client.get, self.collection, ids=ids, output_fields=["vector"])
        found = {int(r["fid"]): np.asarray(r["vector"], dtype=np.float32) for r in rows}
        missing = [f for f in ids if f not in found]
        if missing:
            raise KeyError(f"fid {missing[0]} is not in Milvus collection {self.collection!r}")
        return np.stack([found[f] for f in ids])

    def _search(self, query: np.ndarray, k: int, expr: str | None) -> tuple[np.ndarray, np.ndarray]:
        result = self._call(self.client.search, self.collection,
                            data=[np.asarray(query, dtype=np.float32).tolist()], limit=k,
                            filter=expr or "", output_fields=[],
                            search_params={"metric_type": "IP", "params": {}})
        hits = result[0] if result else []
        ids = np.asarray([int(h["id"]) for h in hits], dtype=np.int64)
        scores = np.asarray([float(h["distance"]) for h in hits], dtype=np.float32)
        if self._fids is not None and len(ids):
            keep = np.isin(ids, self._fids)
            ids, scores = ids[keep], scores[keep]
        order = np.argsort(-scores, kind="stable")
        return scores[order], ids[order]

    def _search_allowed(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Many allowed ids (most of the collection): search wider and keep the allowed; when
        that does not find k, search the allowed ids in IN_LIST_MAX-sized lists and merge."""
        share = len(allowed) / max(1, self.ntotal)
        limit = min(MAX_LIMIT, self.ntotal, max(4 * k, int(2 * k / max(share, 1e-6))))
        scores, ids = self._search(query, limit, None)
        keep = np.isin(ids, allowed)
        if keep.sum() >= k or limit >= self.ntotal:
            return scores[keep][:k], ids[keep][:k]
        parts = [self._search(query, k, _in_list(allowed[s:s + IN_LIST_MAX]))
                 for s in range(0, len(allowed), IN_LIST_MAX)]
        scores = np.concatenate([p[0] for p in parts])
        ids = np.concatenate([p[1] for p in parts])
        order = np.argsort(-scores, kind="stable")[:k]
        return scores[order], ids[order]

    # ----- mirroring an index version ------------------------------------------------------
    def mirrored_version(self) -> str | None:
        """Name of the index version the collection mirrors (None if never synced)."""
        if not self._call(self.client.has_collection, self.state_collection):
            return None
        rows = self._call(self.client.query, self.state_collection, filter="id == 0",
                          output_fields=["version"])
        return rows[0]["version"] if rows else None

    def sync(self, version: Path) -> SyncReport:
        """Make the collection mirror an index version: upsert new and changed rows, delete
        rows the version no longer has, then record the version.

        Args: a version directory. Returns: a SyncReport. Raises: MilvusUnavailableError.
        """
        import faiss

        manifest = store.read_manifest(version)
        rows = _version_rows(version)
        self._ensure_collections(int(manifest["dim"]))
        self._set_state(f"syncing:{version.name}")
        existing = self._existing_signatures()
        wanted = {r["fid"]: r for r in rows}
        gone = [fid for fid in existing if fid not in wanted]
        changed = [r for r in rows if existing.get(r["fid"]) != r["sig"]]
        index = faiss.read_index(str(version / store.VECTORS))
        for start in range(0, len(gone), BATCH):
            self._call(self.client.delete, self.collection, ids=gone[start:start + BATCH])
        for start in range(0, len(changed), BATCH):
            batch = changed[start:start + BATCH]
            for row in batch:
                row["vector"] = index.reconstruct(int(row["fid"])).tolist()
            self._call(self.client.upsert, self.collection, data=batch)
            for row in batch:
                del row["vector"]
        self._set_state(version.name)
        self._fids = np.sort(np.asarray(list(wanted), dtype=np.int64))
        self._count = len(wanted)
        return SyncReport(version.name, len(changed), len(gone), len(rows) - len(changed))

    def _ensure_collections(self, dim: int) -> None:
        from pymilvus import DataType

        if self._call(self.client.has_collection, self.collection):
            fields = self._call(self.client.describe_collection, self.collection)["fields"]
            current = next((f["params"].get("dim") for f in fields if f["name"] == "vector"), None)
            if current is not None and int(current) == dim:
                return
            # Another model's vectors: nothing in the collection can be kept.
            self._call(self.client.drop_collection, self.collection)
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("fid", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        for name in ("document_id", "province", "city", "county", "region", "issuer", "sig"):
            schema.add_field(name, DataType.VARCHAR, max_length=VARCHAR_MAX)
        schema.add_field("year", DataType.INT64)
        params = self.client.prepare_index_params()
        # AUTOINDEX: FLAT on milvus-lite, Milvus' own choice (HNSW family) on a cluster.
        params.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
        self._call(self.client.create_collection, self.collection, schema=schema,
                   index_params=params, consistency_level="Strong")
        if not self._call(self.client.has_collection, self.state_collection):
            state = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
            state.add_field("id", DataType.INT64, is_primary=True)
            state.add_field("version", DataType.VARCHAR, max_length=512)
            state.add_field("vector", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires one
            state_params = self.client.prepare_index_params()
            state_params.add_index("vector", index_type="AUTOINDEX", metric_type="L2")
            self._call(self.client.create_collection, self.state_collection, schema=state,
                       index_params=state_params, consistency_level="Strong")

    def _set_state(self, version: str) -> None:
        self._call(self.client.upsert, self.state_collection,
                   data=[{"id": 0, "version": version, "vector": [0.0, 0.0]}])

    def _existing_signatures(self) -> dict[int, str]:
        iterator = self._call(self.client.query_iterator, self.collection, batch_size=BATCH,
                              filter="", output_fields=["fid", "sig"])
        found: dict[int, str] = {}
        try:
            while batch := iterator.next():
                found.update((int(r["fid"]), r["sig"]) for r in batch)
        finally:
            iterator.close()
        return found

    def _call(self, method, *args, **kwargs):
        """One Milvus call; any failure is one MilvusUnavailableError line."""
        try:
            if method.__name__ not in ("query_iterator", "create_schema"):
                kwargs.setdefault("timeout", self.timeout)
            return method(*args, **kwargs)
        except Exception as exc:
            raise MilvusUnavailableError(
                f"Milvus {method.__name__} on {self.collection!r} failed: {_reason(exc)}; "
                "no partial results are returned") from exc


def _in_list(fids: np.ndarray) -> str:
    return "fid in [" + ", ".join(str(int(f)) for f in fids) + "]"


def _version_rows(version: Path) -> list[dict]:
    """One Milvus row (without its vector) per clause of a version, with a signature that
    changes when the clause text or its document's filter fields change."""
    rows = []
    for fid, text_hash, *doc in meta.filter_rows(version):
        fields = dict(zip(FILTER_FIELDS, doc))
        fields = {k: (v or "") for k, v in fields.items() if k != "year"} | {"year": int(doc[-1] or 0)}
        sig = hashlib.sha256("\x1f".join([text_hash, *map(str, fields.values())]).encode()).hexdigest()[:32]
        rows.append({"fid": int(fid), **fields, "sig": sig})
    return rows


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(message).split())[:300]
