"""The index directory on disk: versions published atomically, read by one pointer file.

    <index>/CURRENT                  name of the published version (replaced atomically)
    <index>/versions/<name>/         manifest.json, vectors.faiss, meta.sqlite, lexical/, lexicon.txt
    <index>/cache/embeddings.sqlite  embeddings by (model, text hash), shared by all versions
    <index>/tmp/                     versions being built; never read by a server

A build writes a complete version under tmp/, fsyncs it, renames it into versions/ and only
then replaces CURRENT, so a reader sees the old version or the new one, never a mix.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexMismatchError, IndexUnavailableError
from indexer.index import meta

FORMAT_VERSION = 2  # 2: documents' kind, issuers, validity, citations; clauses' prose parties, targets
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
META = meta.FILE
LEXICAL = "lexical"
LEXICON = "lexicon.txt"
REQUIRED = (MANIFEST, VECTORS, META, LEXICAL, LEXICON)
FILES = "files"  # manifest key: {relative path: {"bytes", "sha256"}}, written by `seal`


@dataclass(frozen=True)
class IndexPaths:
    """Where the parts of an index directory live."""

    root: Path

    @property
    def current(self) -> Path:
        return self.root / "CURRENT"

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def cache(self) -> Path:
        return self.root / "cache" / "embeddings.sqlite"

    def version(self, name: str) -> Path:
        return self.versions / name


def current_version(root: Path) -> Path:
    """The published version directory of an index.

    Args: the index directory. Returns: its current version's path.
    Raises: IndexUnavailableError when there is no index or the pointer is broken.
    """
    paths = IndexPaths(Path(root))
    if not paths.current.exists():
        raise IndexUnavailableError(
            f"no index at {root}: build one with `policy-search index CORPUS --index {root}`")
    name = paths.current.read_text(encoding="utf-8").strip()
    version = paths.version(name)
    if not name or "/" in name or not version.is_dir():
        raise IndexUnavailableError(f"index at {root} is corrupt: CURRENT points to missing {name!r}")
    _check_parts(version)
    return version


def outdated(root: Path) -> bool:
    """Whether an index needs building before it can be served: none yet, or its published
    version is of an older format (a rebuild reuses the embedding cache, so it is quick)."""
    paths = IndexPaths(Path(root))
    if not paths.current.exists():
        return True
    try:
        manifest = json.loads((current_version(root) / MANIFEST).read_text(encoding="utf-8"))
    except (IndexUnavailableError, OSError, ValueError):
        return False  # damaged, not outdated: serving reports it
    return manifest.get("format_version") != FORMAT_VERSION


def _check_parts(version: Path) -> None:
    missing = [part for part in REQUIRED if not (version / part).exists()]
    if missing:
        raise IndexUnavailableError(f"index version {version} is corrupt: missing {', '.join(missing)}")


def check_version(version: Path, deep: bool = False) -> dict:
    """Check that an opened version can still be read from disk (a server keeps its vectors
    and BM25 in memory but reads document texts from meta.sqlite, and a restart needs it all).

    Args: the version directory; `deep` also compares every file with the SHA-256 the
    manifest recorded when it was built (reads the whole version). Returns: its manifest.
    Raises: IndexUnavailableError when a file is missing or not the size (deep: the content)
    it was built with, the manifest is unreadable or the metadata database does not answer.
    """
    _check_parts(version)
    manifest = read_manifest(version)
    verify_files(version, manifest, deep)
    meta.check_readable(version)
    return manifest


def file_checksums(version: Path) -> dict[str, dict]:
    """{relative path: {"bytes", "sha256"}} of every file of a version but its manifest."""
    sums = {}
    for path in sorted(p for p in version.rglob("*") if p.is_file() and p.name != MANIFEST):
        sums[path.relative_to(version).as_posix()] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    return sums


def seal(version: Path) -> None:
    """Record the size and SHA-256 of each file in the manifest (`files`), last thing before a
    version is published, so that damage on disk later can be named (`verify_files`)."""
    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    manifest[FILES] = file_checksums(version)
    (version / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def verify_files(version: Path, manifest: dict, deep: bool = False) -> int:
    """Compare a version's files with the sizes (deep: and SHA-256) its manifest recorded.

    Args: the version, its manifest, whether to read every byte. Returns: how many files were
    checked (0 for a version built before checksums were recorded). Raises:
    IndexUnavailableError naming the first file that is missing or differs.
    """
    recorded = manifest.get(FILES) or {}
    for name, expected in recorded.items():
        path = version / name
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexUnavailableError(f"index version {version.name} is damaged: {name} is missing") from None
        if size != expected["bytes"]:
            raise IndexUnavailableError(f"index version {version.name} is damaged: {name} is {size} bytes, "
                                        f"built as {expected['bytes']} (truncated or replaced)")
        if deep and _sha256(path) != expected["sha256"]:
            raise IndexUnavailableError(f"index version {version.name} is damaged: {name} does not "
                                        "match the checksum recorded when it was built")
    return len(recorded)


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_manifest(version: Path) -> dict:
    """The manifest of a version. Raises IndexUnavailableError when unreadable or too new."""
    try:
        manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexUnavailableError(f"index manifest {version / MANIFEST} is unreadable: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailableError(
            f"index format {manifest.get('format_version')} at {version} is not {FORMAT_VERSION}: rebuild it")
    return manifest


def check_model(manifest: dict, model_name: str, version: Path) -> None:
    """Refuse an index built with another embedding model than the configured one."""
    if manifest.get("model") != model_name:
        raise IndexMismatchError(
            f"index at {version} was built with model {manifest.get('model')!r}, "
            f"not the configured {model_name!r}: rebuild it or pass --model {manifest.get('model')}")


def new_version_name(root: Path) -> str:
    paths = IndexPaths(Path(root))
    existing = [p.name for p in paths.versions.glob("v*")] if paths.versions.exists() else []
    number = max((int(n[1:7]) for n in existing if n[1:7].isdigit()), default=0) + 1
    return f"v{number:06d}-{time.strftime('%Y%m%dT%H%M%S')}"


def _fsync_tree(path: Path) -> None:
    for item in sorted(path.rglob("*")):
        if item.is_file():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, staged: Path) -> Path:
    """Seal a fully written version (checksums in its manifest), move it from tmp/ into
    versions/ and point CURRENT at it.

    Args: the index directory and the staged version directory. Returns: the published path.
    """
    paths = IndexPaths(Path(root))
    if (staged / MANIFEST).exists():
        seal(staged)
    _fsync_tree(staged)
    paths.versions.mkdir(parents=True, exist_ok=True)
    target = paths.version(staged.name)
    os.replace(staged, target)
    _fsync_dir(paths.versions)
    pointer = paths.root / "CURRENT.tmp"
    pointer.write_text(target.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, paths.current)
    _fsync_dir(paths.root)
    return target


def collect_garbage(root: Path, keep: int = 2, grace_seconds: float = 600.0) -> list[str]:
    """Delete old versions (never the current one, always keeping the newest `keep`) once the
    grace period has passed since they were replaced, and leftovers of interrupted builds in tmp/.

    A version counts as replaced when the next one was written (that version's mtime), so a
    server still answering from it, or about to reload, has the whole grace period to move on.
    Returns: names of what was removed.
    """
    paths = IndexPaths(Path(root))
    removed: list[str] = []
    current = paths.current.read_text(encoding="utf-8").strip() if paths.current.exists() else ""
    now = time.time()
    if paths.versions.exists():
        versions = sorted(p for p in paths.versions.iterdir() if p.is_dir())
        for old, newer in zip(versions[:-keep] if keep else versions, versions[1:]):
            if old.name != current and now - newer.stat().st_mtime > grace_seconds:
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old.name)
    if paths.tmp.exists():
        for partial in paths.tmp.iterdir():
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(f"tmp/{partial.name}")
    return removed


@contextlib.contextmanager
def build_lock(root: Path):
    """Exclusive lock so two builds of one index never interleave. Raises when held."""
    Path(root).mkdir(parents=True, exist_ok=True)
    handle = open(Path(root) / ".lock", "a+")  # noqa: SIM115 - held for the whole build, closed below
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexUnavailableError(f"another build of {root} is running") from exc
        yield
    finally:
        handle.close()
