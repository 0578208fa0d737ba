"""Live re-index: the engine a server answers from, swapped for a newly published version.

`policy-search index` publishes a version by replacing <index>/CURRENT (indexer/index/store.py). The
holder opens that version completely beside the one being served (FAISS, BM25, metadata and
one test query) and only then replaces its `current` reference. A request takes the reference
once, when it starts (app.py), so it runs on one version from start to end, and an open that
fails leaves the old engine serving. A daemon thread polls CURRENT every few seconds;
POST /admin/reload (admin.py) asks for the same at once.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from indexer.config import Config
from indexer.errors import IndexUnavailableError, PolicySearchError
from indexer.index import store
from indexer.query.engine import SearchEngine, open_engine

log = logging.getLogger("policy_search.reload")

WARM_UP_QUERY = "科技创新"
RETRY_SECONDS = 60.0  # a version that would not open is tried again after this long


def reopen(old: SearchEngine, config: Config | None = None) -> SearchEngine:
    """The published version of `old`'s index, sharing its embedder pool (old and new engines
    answer at the same time during a swap and must not use one model instance at once).

    Args: the served engine; the run's Config (for its vector store; default: the version's
    FAISS file). Returns: the new engine, not yet served.
    """
    config = replace(config or Config(), index_dir=old.index_dir)
    version = store.current_version(old.index_dir)
    engine = open_engine(config, embedder=old.embedder, fusion=old.fusion, version=version)
    if engine.version != version:
        raise IndexUnavailableError(f"CURRENT moved from {version.name} to {engine.version.name} while opening")
    return engine


class EngineHolder:
    """The engine currently served, and the means to replace it with the published version.

    Args: the engine opened at start-up; `opener` builds the next engine from the current
    one (default `reopen`).
    """

    def __init__(self, engine: SearchEngine, opener: Callable[[SearchEngine], SearchEngine] = reopen):
        self.current = engine
        self.last_error: str | None = None
        self._opener = opener
        self._failed: tuple[str, float] | None = None  # (version, when) of the last open that failed
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def published(self) -> str:
        """The version name CURRENT holds ('' when it cannot be read)."""
        try:
            return store.IndexPaths(self.current.index_dir).current.read_text("utf-8").strip()
        except OSError:
            return ""

    def reload(self) -> bool:
        """Open the published version and serve it, unless it is the one served already.

        Returns: True when the engine was replaced. Raises: IndexUnavailableError when the
        published version cannot be opened; the old engine keeps serving.
        """
        with self._lock:
            old, name = self.current, self.published()
            if name == old.version.name:
                return False
            try:
                engine = self._opener(old)
                engine.search(WARM_UP_QUERY, 1)
            except Exception as exc:  # any failure to open must leave the old engine serving
                self._failed = (name, time.monotonic())
                self.last_error = f"cannot open the published index version {name!r}: {exc}"
                log.error("reload failed, still serving %s: %s", old.version.name, self.last_error)
                raise IndexUnavailableError(self.last_error) from exc
            self.current = engine
            self.last_error = self._failed = None
            log.info("reloaded: serving %s (was %s; %d documents, %d clauses)", engine.version.name,
                     old.version.name, len(engine.documents), len(engine.table.clause_ids))
            return True

    def poll(self) -> None:
        """One look at CURRENT: reload when it names a version not served, unless opening that
        version failed less than RETRY_SECONDS ago (a mirror such as Milvus may still be syncing)."""
        name = self.published()
        if name == self.current.version.name:
            return
        if self._failed and self._failed[0] == name and time.monotonic() - self._failed[1] < RETRY_SECONDS:
            return
        try:
            self.reload()
        except PolicySearchError:
            pass  # logged by reload; the old engine serves on

    def start_watching(self, seconds: float) -> None:
        """Poll CURRENT every `seconds` in a daemon thread (no thread when seconds <= 0)."""
        if seconds <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, args=(seconds,), name="index-watcher",
                                        daemon=True)
        self._thread.start()

    def stop_watching(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def _watch(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any one bad poll
                log.exception("index watcher: unexpected error")
