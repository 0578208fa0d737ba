"""Embedding at scale on Ray Data: the same index, with the clause embedding spread over a cluster.

    driver: parse the corpus (build.py) and look up the embedding cache
    Ray:    texts -> embed (actor pool, one embedder per actor) -> Parquet shards
    driver: read the shards into the embedding cache, then build the index version as usual

Only the embedding moves: it is ~99% of a fresh build (about 2 GFLOP per clause). The result is
the same on-disk version a single-process build writes. Shards go under the index directory's
tmp/, so on a multi-node cluster that directory must be on storage the workers can write (NFS or
similar); a failed run leaves the published index untouched, like any failed build.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer.embed.cache import EmbeddingCache, EmbedStats, embed_with_cache
from indexer.embed.runtimes import (
    RUNTIME_CHOICES,
    Embedder,
    cache_key_of,
    load_embedder,
    runtime_of,
)
from indexer.errors import IndexUnavailableError

if TYPE_CHECKING:
    from typing import Self

ENGINES = ("local", "ray")


class RayBuildError(IndexUnavailableError):
    """Ray could not be reached, or embedding on it failed after its retries; nothing is published."""

    code = "ray_error"


@dataclass(frozen=True)
class RayOptions:
    """How the embedding runs on Ray.

    address: an existing cluster ('ray://host:10001', 'host:6379', 'auto'), or None for a local
    instance of this machine's cores bound to 127.0.0.1; actors: embedders running at once (default
    the cluster's CPUs / threads_per_actor); threads_per_actor: model threads in each actor;
    batch_size: texts per model call; chunk: texts per pipeline run (each finished chunk is in the
    embedding cache, so an interrupted build resumes there); max_restarts: times a dead actor is
    restarted and its batch retried before the build fails.
    """

    address: str | None = None
    actors: int | None = None
    threads_per_actor: int = 1
    batch_size: int = 64
    chunk: int = 50_000
    max_restarts: int = 3


@contextlib.contextmanager
def connected(address: str | None = None, num_cpus: int | None = None) -> Iterator[None]:
    """Use the Ray instance this process is already connected to, else connect to `address`,
    else start a local one (and stop what this call started when it ends).

    Raises: RayBuildError when ray is not installed or the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError as exc:
        raise RayBuildError("--engine ray needs the ray package: pip install 'ray[data]'") from exc
    if ray.is_initialized():
        yield
        return
    kwargs = {"include_dashboard": False, "logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, _node_ip_address="127.0.0.1", **kwargs)
    except Exception as exc:
        where = address or "a local instance"
        raise RayBuildError(f"cannot start Ray on {where}: {_first_line(exc)}") from exc
    try:
        yield
    finally:
        ray.shutdown()


class _EmbedBatch:
    """A Ray Data actor: loads one embedder and embeds the batches sent to it."""

    def __init__(self, model: str, threads: int, is_query: bool, runtime: str = "auto"):
        self.embedder = load_embedder(model, threads=threads, runtime=runtime)
        self.is_query = is_query

    def __call__(self, batch: dict) -> dict:
        texts = [str(t) for t in batch["text"]]
        encode = self.embedder.encode_queries if self.is_query else self.embedder.encode_passages
        vectors = np.ascontiguousarray(encode(texts), dtype=np.float32)
        return {"i": np.asarray(batch["i"], dtype=np.int64),
                "vector": np.asarray([row.tobytes() for row in vectors], dtype=object)}


class RayEmbedder:
    """An Embedder whose encode calls run as a Ray Data pipeline; name and dim are the model's.

    Args: model is the models.txt name or st:PATH every actor loads (the same as the driver's),
    name and dim of that model, options, the directory the Parquet shards are written under
    (the system temp directory when None), and a callable that connects to Ray before a run.
    """

    def __init__(self, model: str, name: str, dim: int, options: RayOptions,
                 shard_root: Path | None = None, connect=lambda: None, runtime: str = "auto",
                 cache_key: str | None = None):
        self.model = model
        self.name = name
        self.runtime = runtime  # the driver's concrete runtime: every actor embeds as it would
        self.cache_key = cache_key or name
        self.dim = dim
        self.options = options
        self.shard_root = shard_root
        self._connect = connect

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed clause texts on the cluster. Returns (n, dim) float32 in input order."""
        return self._run(list(texts), is_query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions on the cluster. Returns (n, dim) float32 in input order."""
        return self._run(list(texts), is_query=True)

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        self._connect()
        import pyarrow as pa
        import pyarrow.parquet as pq
        import ray
        from ray.data import ActorPoolStrategy, DataContext

        opts = self.options
        threads = max(1, opts.threads_per_actor)
        actors = opts.actors or max(1, int(ray.cluster_resources().get("CPU", 1) // threads))
        actors = max(1, min(actors, -(-len(texts) // opts.batch_size)))
        DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # per-run INFO lines are noise in a CLI
        table = pa.table({"i": np.arange(len(texts), dtype=np.int64), "text": texts})
        # Several blocks per actor so the pool stays busy and a lost batch is small.
        block = max(opts.batch_size, -(-len(texts) // (actors * 4)))
        root = Path(self.shard_root or tempfile.gettempdir())
        root.mkdir(parents=True, exist_ok=True)
        shards = root / f"ray-shards-{uuid.uuid4().hex[:12]}"
        try:
            dataset = ray.data.from_arrow([table.slice(s, block) for s in range(0, len(texts), block)])
            with warnings.catch_warnings():
                # Ray Data documents max_restarts/max_task_retries as map_batches keywords and
                # then warns that such keywords are deprecated; there is no other way to bound them.
                warnings.simplefilter("ignore", DeprecationWarning)
                dataset = dataset.map_batches(
                    _EmbedBatch, fn_constructor_kwargs={"model": self.model, "threads": threads,
                                                        "is_query": is_query, "runtime": self.runtime},
                    batch_size=opts.batch_size, compute=ActorPoolStrategy(size=actors),
                    # Half a CPU per model thread leaves room for the write tasks: with whole
                    # CPUs the actors hold them all and the pipeline never finishes.
                    num_cpus=0.5 * threads, max_restarts=opts.max_restarts,
                    max_task_retries=opts.max_restarts)
            dataset.write_parquet(str(shards))
            result = pq.read_table(str(shards))
        except Exception as exc:
            raise RayBuildError(f"embedding on Ray failed: {_first_line(exc)}; "
                                "the published index is unchanged") from exc
        finally:
            shutil.rmtree(shards, ignore_errors=True)
        return _assemble(result, len(texts), self.dim)


def _assemble(table, count: int, dim: int) -> np.ndarray:
    """Vectors from the shards' (i, vector bytes) rows, back in input order; every row once."""
    order = table.column("i").to_numpy()
    if len(order) != count or len(np.unique(order)) != count:
        raise RayBuildError(f"Ray returned {len(order)} vectors for {count} texts; "
                            "the published index is unchanged")
    out = np.empty((count, dim), dtype=np.float32)
    out[order] = np.frombuffer(b"".join(table.column("vector").to_pylist()),
                               dtype=np.float32).reshape(count, dim)
    return out


class RayEmbedding:
    """The `embed_fn` of `build_index` for --engine ray: `embed_with_cache` with the model calls
    made by a RayEmbedder, one pipeline run per `options.chunk` uncached texts. Ray is joined
    (or started) at the first text to embed, so a fully cached re-index never starts it; use
    it as a context manager to stop what it started.

    Args: model spec the actors load, options, where shards are written (temp dir when None).
    """

    def __init__(self, model: str, options: RayOptions = RayOptions(), shard_root: Path | None = None):
        self.model = model
        self.options = options
        self.shard_root = shard_root
        self._stack = contextlib.ExitStack()
        self._connected = False

    def _connect(self) -> None:
        if not self._connected:
            self._stack.enter_context(connected(self.options.address))
            self._connected = True

    def __call__(self, embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache,
                 progress: bool = True) -> tuple[np.ndarray, EmbedStats]:
        """Same contract as `embed_with_cache`. Raises: RayBuildError."""
        runtime, _ = runtime_of(embedder)
        remote = RayEmbedder(self.model, embedder.name, embedder.dim, self.options, self.shard_root,
                             self._connect, runtime if runtime in RUNTIME_CHOICES else "auto",
                             cache_key_of(embedder))
        return embed_with_cache(remote, texts, cache, batch_size=self.options.chunk,
                                progress=progress)

    def close(self) -> None:
        self._stack.close()
        self._connected = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
