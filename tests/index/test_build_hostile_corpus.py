"""Building from a corpus or an index that is not what it should be (issue #17): odd file names,
links out of the corpus, a damaged previous version, a full disk, a document of endless clauses.
Each ends in a published index and one line per problem, never a traceback."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.errors import IndexUnavailableError
from indexer.index import build as build_module
from indexer.index import meta, store
from indexer.index.build import build_index

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SEEDS = ["zhejiang-kjt-2015-work-points", "chenzhou-2012-county-tech-action-plan"]


class HashEmbedder:
    """A stand-in model: a vector from each text's hash (the build's plumbing, not its quality)."""

    name = "test-hash-embedder"
    dim = 16

    def _encode(self, texts) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8")).digest()[:self.dim], dtype=np.uint8)
                for t in texts]
        vecs = np.asarray(rows, dtype=np.float32).reshape(len(rows), self.dim) + 1.0
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)

    encode_queries = encode_passages = _encode


@pytest.fixture
def corpus(tmp_path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for name in SEEDS:
        shutil.copy(CORPUS / f"{name}.txt", target / f"{name}.txt")
    return target


def build(corpus: Path, index: Path):
    return build_index([corpus], index, HashEmbedder(), progress=False, cache_path=index.parent / "cache.sqlite")


def damage(sqlite_file: Path) -> None:
    """Overwrite the head of every page after the first: "database disk image is malformed"."""
    with open(sqlite_file, "r+b") as handle:
        for offset in range(4096, sqlite_file.stat().st_size, 4096):
            handle.seek(offset)
            handle.write(b"\xff" * 64)


def test_a_file_name_that_is_not_utf8_is_skipped_with_one_line(corpus, tmp_path):
    odd = os.path.join(os.fsencode(corpus), b"\xff\xfe-notice.txt")
    with open(odd, "wb") as handle:
        handle.write((CORPUS / f"{SEEDS[0]}.txt").read_bytes().replace(b"2015", b"2016"))
    report = build(corpus, tmp_path / "index")
    assert report.documents == 2
    [error] = report.errors
    assert "not valid UTF-8" in error and "\n" not in error
    error.encode("utf-8")  # printable as is: the CLI writes it to stderr


def test_a_corrupt_published_metadata_file_is_ignored_and_the_index_rebuilt(corpus, tmp_path):
    index = tmp_path / "index"
    first = build(corpus, index)
    damage(store.current_version(index) / store.META)
    with pytest.raises(IndexUnavailableError):
        meta.clause_hashes(store.current_version(index))
    second = build(corpus, index)
    assert second.version != first.version
    assert second.added == second.clauses == first.clauses and second.kept == 0
    assert len(meta.clause_hashes(store.current_version(index))) == first.clauses


def test_a_truncated_previous_vector_file_is_ignored_and_rebuilt(corpus, tmp_path):
    index = tmp_path / "index"
    first = build(corpus, index)
    vectors = store.current_version(index) / store.VECTORS
    os.truncate(vectors, vectors.stat().st_size // 2)
    second = build(corpus, index)
    assert second.kept == 0 and second.clauses == first.clauses
    store.check_version(store.current_version(index), deep=True)


def test_links_that_leave_the_corpus_are_not_followed_and_are_reported(corpus, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text((CORPUS / "shengsi-2023-innovation-system-plan.txt").read_text("utf-8"), "utf-8")
    (corpus / "x.txt").symlink_to(outside)
    (corpus / "inner.txt").symlink_to(corpus / f"{SEEDS[0]}.txt")  # stays inside: followed
    report = build(corpus, tmp_path / "index")
    [error] = report.errors
    assert "x.txt" in error and "outside the corpus directory" in error
    ids = {d for d, in meta._read(store.current_version(tmp_path / "index"), "SELECT id FROM documents")}
    assert "x" not in ids and "inner" in ids


def test_a_full_disk_while_writing_bm25_names_enospc_and_keeps_the_published_index(corpus, tmp_path,
                                                                                monkeypatch):
    index = tmp_path / "index"
    published = build(corpus, index).version

    def short_write(*_args, **_kwargs):
        raise OSError("13658 requested and 12256 written")  # numpy's words for a full disk

    monkeypatch.setattr("bm25s.BM25.save", short_write)
    with pytest.raises(OSError) as failure:
        build(corpus, index)
    assert failure.value.errno == errno.ENOSPC
    assert "No space left on device" in str(failure.value)
    assert store.current_version(index).name == published


def test_a_document_with_more_clauses_than_the_bound_is_skipped_with_one_line(corpus, tmp_path):
    limit = build_module.MAX_CLAUSES_PER_DOCUMENT
    items = "\n".join(f"{n}．本条规定第{n}项科技创新支持措施的具体内容。" for n in range(1, 5 * limit))
    (corpus / "endless.txt").write_text(f"某县关于无穷条款的通知\n一、总则\n{items}\n", encoding="utf-8")
    report = build(corpus, tmp_path / "index")
    assert report.documents == 2
    [error] = report.errors
    assert error.startswith("endless.txt: ") and f"over the limit of {limit} per document" in error
    assert int(error.split()[1]) > limit  # "endless.txt: 2124 clauses, …"


def test_a_published_version_records_the_size_and_checksum_of_each_file(corpus, tmp_path):
    build(corpus, tmp_path / "index")
    version = store.current_version(tmp_path / "index")
    files = json.loads((version / store.MANIFEST).read_text("utf-8"))[store.FILES]
    assert {store.VECTORS, store.META, store.LEXICON} <= set(files)
    assert any(name.startswith(store.LEXICAL + "/") for name in files)
    assert store.verify_files(version, store.read_manifest(version), deep=True) == len(files)
    with open(version / store.LEXICON, "r+b") as handle:  # same size, other bytes
        first = handle.read(1)
        handle.seek(0)
        handle.write(bytes([first[0] ^ 1]))
    store.check_version(version)  # sizes agree: only the deep check reads the bytes
    with pytest.raises(IndexUnavailableError, match=store.LEXICON):
        store.check_version(version, deep=True)
