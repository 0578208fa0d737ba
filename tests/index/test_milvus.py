"""Milvus as the vector store: a collection mirrors an index version and answers like FAISS.

Runs against a real Milvus engine (milvus-lite 2.5's server on 127.0.0.1, reached over gRPC
exactly like a cluster); skipped when pymilvus or milvus-lite are not installed.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="pymilvus not installed (pip install 'pymilvus>=2.5,<2.6')")
milvus_server = pytest.importorskip("milvus_lite.server", reason="milvus-lite not installed (pip install milvus-lite==2.5.1)")

from indexer.index import store
from indexer.index.build import build_index
from indexer.index.milvus import (
    MilvusStore,
    MilvusUnavailableError,
    filter_expression,
    parse_store,
)
from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = ["科技企业孵化器的奖励标准是什么", "谁负责科技特派员工作", "研发费用加计扣除", "海洋碳汇"]
FILTERS = [Filters(region="浙江省"), Filters(region="舟山"), Filters(region="嵊泗县"),
           Filters(issuer="科学技术厅"), Filters(year_from=2015, year_to=2019), Filters(year_from=2020),
           Filters(region="浙江省", year_to=2015)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalMilvus:
    """Milvus (milvus-lite's engine) serving gRPC on 127.0.0.1:port from a file in `directory`."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.server = milvus_server.Server(str(directory / "milvus.db"), address=f"127.0.0.1:{self.port}")
        if not self.server.init() or not self.server.start():
            pytest.fail("milvus-lite server did not start")

    @property
    def spec(self) -> str:
        return f"milvus://127.0.0.1:{self.port}/seed_clauses"

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def embedder():
    """One model thread: queries stay fast when the other core is busy (the seed vectors come
    from the session's embedding cache, so nothing here embeds clauses)."""
    from indexer.embed.runtimes import load_embedder

    return load_embedder("multilingual-e5-small", threads=1)


@pytest.fixture(scope="module")
def milvus(tmp_path_factory):
    server = LocalMilvus(tmp_path_factory.mktemp("milvus"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seed(tmp_path_factory, embedder, server_embedding_cache, milvus):
    """The seed corpus indexed once and mirrored into Milvus: (index dir, faiss engine, milvus engine)."""
    index = tmp_path_factory.mktemp("milvus-seed")
    build_index([REPO / "corpus"], index, embedder, progress=False, cache_path=server_embedding_cache)
    version = store.current_version(index)
    MilvusStore.connect(*parse_store(milvus.spec)).sync(version)
    faiss_engine = SearchEngine(index, embedder)
    milvus_engine = SearchEngine(index, embedder, vector_store=MilvusStore.open(milvus.spec, version))
    return index, faiss_engine, milvus_engine


NOISY = ("score", "relevance")  # from float32 distances: Milvus and FAISS differ in the 4th decimal


def same_hits(a: list[dict], b: list[dict]) -> None:
    assert [h["id"] for h in a] == [h["id"] for h in b]
    for key, atol in (("score", 2e-4), ("relevance", 1e-3)):
        assert np.allclose([h[key] for h in a], [h[key] for h in b], atol=atol)
    strip = [{k: v for k, v in h.items() if k not in NOISY} for h in a]
    assert strip == [{k: v for k, v in h.items() if k not in NOISY} for h in b]


# ----- the same answers as FAISS ------------------------------------------------------------

def test_milvus_collection_mirrors_every_clause_vector(seed):
    _, faiss_engine, milvus_engine = seed
    assert milvus_engine.vectors.ntotal == faiss_engine.vectors.ntotal == len(faiss_engine.table.fids)
    fids = faiss_engine.table.fids[::7]
    assert np.allclose(milvus_engine.vectors.reconstruct_batch(fids),
                       faiss_engine.vectors.reconstruct_batch(fids), atol=1e-6)


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_through_milvus_gives_the_faiss_api_response(seed, question):
    _, faiss_engine, milvus_engine = seed
    a, b = faiss_engine.search(question, 10), milvus_engine.search(question, 10)
    same_hits([faiss_engine.hit_dict(h) for h in a.hits], [milvus_engine.hit_dict(h) for h in b.hits])
    assert (a.answer is None) == (b.answer is None)


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_filtered_search_through_milvus_gives_the_faiss_api_response(seed, filters):
    _, faiss_engine, milvus_engine = seed
    a = faiss_engine.search("科技创新政策支持", 10, filters)
    b = milvus_engine.search("科技创新政策支持", 10, filters)
    same_hits([faiss_engine.hit_dict(h) for h in a.hits], [milvus_engine.hit_dict(h) for h in b.hits])


def test_similar_clauses_through_milvus_match_faiss(seed):
    _, faiss_engine, milvus_engine = seed
    clause = faiss_engine.table.clause_ids[40]
    for scope in ("other-documents", "all"):
        assert [h.clause_id for h in faiss_engine.similar(clause, 5, scope).hits] == \
               [h.clause_id for h in milvus_engine.similar(clause, 5, scope).hits]


@pytest.mark.parametrize("filters", [*FILTERS, Filters(documents=("zhejiang-kjt-2015-work-points",))],
                         ids=repr)
def test_filters_pushed_down_select_exactly_the_allowed_rows(seed, filters):
    _, faiss_engine, milvus_engine = seed
    expr = filter_expression(filters)
    assert expr is not None
    rows = milvus_engine.vectors.client.query(milvus_engine.vectors.collection, filter=expr,
                                              output_fields=["fid"])
    assert {r["fid"] for r in rows} == set(faiss_engine.table.fids[faiss_engine.allowed_rows(filters)].tolist())


def test_like_pattern_characters_are_never_pushed_down():
    assert filter_expression(Filters(issuer="100%")) is None
    assert filter_expression(Filters(region='a"b')) is None


# ----- re-indexing: upserts and deletes ------------------------------------------------------

def test_reindex_mirrors_only_the_changes(tmp_path, milvus, embedder, server_embedding_cache):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=server_embedding_cache)
    mirror = MilvusStore.connect(*parse_store(milvus.spec.replace("seed_clauses", "reindex")))
    first = mirror.sync(store.current_version(index))
    assert first.upserted == mirror.ntotal and first.deleted == 0

    (corpus / "chenzhou-2012-county-tech-action-plan.txt").unlink()
    report = build_index([corpus], index, embedder, progress=False, cache_path=server_embedding_cache)
    with pytest.raises(MilvusUnavailableError, match="mirrors v000001"):
        MilvusStore.open(milvus.spec.replace("seed_clauses", "reindex"), store.current_version(index))

    second = mirror.sync(store.current_version(index))
    assert (second.upserted, second.deleted, second.unchanged) == (report.added, report.removed, report.kept)
    assert mirror.ntotal == report.clauses
    rows = mirror.client.query(mirror.collection, filter="fid >= 0", output_fields=["fid"], limit=16384)
    engine = SearchEngine(index, embedder)
    assert sorted(r["fid"] for r in rows) == sorted(engine.table.fids.tolist())
    assert mirror.sync(store.current_version(index)).upserted == 0  # nothing changed: nothing sent


# ----- faults: Milvus unreachable ------------------------------------------------------------

def test_unreachable_milvus_is_one_clear_line_before_anything_else(seed):
    index = seed[0]
    port = free_port()
    done = subprocess.run([sys.executable, "-m", "server.cli", "search", "孵化器", "--index", str(index),
                           "--store", f"milvus://127.0.0.1:{port}"], check=False, capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 4
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "unreachable" in lines[0] and f"127.0.0.1:{port}" in lines[0]
    assert done.stdout == ""


def test_malformed_store_address_is_a_usage_error(seed):
    done = subprocess.run([sys.executable, "-m", "server.cli", "search", "孵化器", "--index", str(seed[0]),
                           "--store", "milvus://nohost"], check=False, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2 and "milvus://HOST:PORT" in done.stderr


def test_milvus_going_away_while_serving_is_an_error_not_fewer_results(tmp_path, seed, embedder):
    index = seed[0]
    version = store.current_version(index)
    local = LocalMilvus(tmp_path)
    try:
        MilvusStore.connect(*parse_store(local.spec)).sync(version)
        engine = SearchEngine(index, embedder, vector_store=MilvusStore.open(local.spec, version, timeout=1))
        assert engine.search("孵化器", 5).hits
    finally:
        local.stop()
    with pytest.raises(MilvusUnavailableError, match="no partial results") as raised:
        engine.search("孵化器", 5)
    assert raised.value.status == 503


# ----- the CLI: index mirrors, search reads --------------------------------------------------

def test_cli_index_mirrors_and_search_reads_through_milvus(tmp_path, milvus, server_embedding_cache):
    import json

    from server.cli import main

    index = tmp_path / "index"
    (index / "cache").mkdir(parents=True)
    shutil.copy(server_embedding_cache, index / "cache" / "embeddings.sqlite")
    spec = milvus.spec.replace("seed_clauses", "cli")
    assert main(["index", str(REPO / "corpus"), "--index", str(index), "--quiet", "--store", spec]) == 0
    assert MilvusStore.connect(*parse_store(spec)).mirrored_version() == store.current_version(index).name

    def search(*extra: str) -> list:
        done = subprocess.run([sys.executable, "-m", "server.cli", "search", "科技特派员由谁负责", "--json",
                               "--index", str(index), "--region", "浙江省", *extra],
                              check=False, capture_output=True, text=True, timeout=120, cwd=REPO)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["results"]

    same_hits(search(), search("--store", spec))
