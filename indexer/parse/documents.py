"""From a file to a Document: read the format, drop chrome, read metadata, cut clauses.

A sidecar `<name>.meta.json` next to a document may set or override title, doc_number,
issuer, date and region (e.g. "浙江省·舟山市·嵊泗县") where the document does not state them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from indexer.errors import CorpusError, one_line
from indexer.parse import pdf, readers, web, word  # noqa: F401 - importing them registers their readers
from indexer.parse.boilerplate import strip_chrome
from indexer.parse.citations import extract_citations
from indexer.parse.clauses import segment
from indexer.parse.metadata import (
    TITLE_LINE,
    breadcrumb_site,
    header_zone,
    read_text_meta,
    source_issuers,
)
from indexer.parse.regions import (
    addressee_region,
    body_region,
    parse_region,
    resolve_region,
    site_region,
)
from indexer.parse.validity import validity_of
from indexer.types import Document, SourceText

SIDECAR_SUFFIX = ".meta.json"
_SIDECAR_KEYS = {"title", "doc_number", "issuer", "date", "region"}
_ID_UNSAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]+")


def document_id(path: Path, root: Path | None) -> str:
    """Stable id from the path relative to the corpus root, without extension.

    Args: the file and the corpus root. Returns: e.g. 'zhejiang-kjt-2015-work-points' or
    'gz/11_公共租赁住房保障办法' — only letters, digits, CJK, '.', '_', '-' and '/' between folders.
    """
    rel = path.relative_to(root) if root is not None and path.is_relative_to(root) else Path(path.name)
    parts = [_ID_UNSAFE.sub("-", part).strip("-") or "doc" for part in rel.with_suffix("").parts]
    return "/".join(parts).replace("/", "~")


def parse_source(source: SourceText, doc_id: str, source_path: str,
                 overrides: dict | None = None) -> Document:
    """Parse read text into a Document with clauses.

    Args: the reader's output, the document id, its path for display, sidecar overrides.
    Returns: the Document. Raises: CorpusError when no text remains after chrome removal.
    """
    text = strip_chrome(source.text)
    if not text.strip():
        raise CorpusError(f"{source_path}: no text left after removing page navigation")
    hints = {k: v for k, v in source.meta.items() if v}
    overrides = overrides or {}
    meta = read_text_meta(source.text, text, overrides.get("title") or hints.get("title", ""),
                          hints.get("issuer", ""))
    title = overrides.get("title") or hints.get("title") or meta.title or opening_words(text) \
        or Path(source_path).stem
    doc_number = overrides.get("doc_number") or meta.doc_number or hints.get("doc_number", "")
    # The text wins over meta tags: a page's issuer tag names whoever posted it (广州市医疗保障局
    # for a notice its 服务中心 signs), so it only fills in where the text states no issuer.
    issuers = meta.issuers or (source_issuers(hints.get("issuer", "")) if meta.kind == "notice" else ())
    if overrides.get("issuer"):
        issuers = source_issuers(overrides["issuer"]) or (overrides["issuer"],)
    issuer = overrides.get("issuer") or " ".join(issuers)
    date = overrides.get("date") or meta.date or hints.get("date", "")
    if overrides.get("region"):
        region = parse_region(overrides["region"])
    else:
        region = resolve_region(issuer, title, doc_number, hints.get("site", ""))
        if not region and not issuers:
            region = body_region(text) or (addressee_region(text) if meta.kind == "notice" else region)
        if not region and (site := hints.get("site") or breadcrumb_site(text)):
            # the site a page was saved from, down to its city only: a district's portal reposts
            # the city's policies ('广州市天河区人民政府门户网站' holds a Guangzhou-wide guide)
            region = site_region(site, text)
    lines = text.split("\n")
    # A title line is not body text — unless the line goes on past the title: a page saved as one
    # line ('…的通知 铁岭市人民政府关于印发 　　…（一）全力支持企业复工。…') holds the whole document.
    skip = frozenset(i for i in meta.title_lines if len(lines[i]) <= 2 * len(title) + _TITLE_SLACK) | {
        i for i in range(header_zone(lines)) if TITLE_LINE.match(lines[i].strip())}
    clauses = segment(text, doc_id, skip, _remap_pages(source, text))
    warnings = list(source.warnings)
    if not clauses:
        warnings.append("no clause found: the document has no body text")
    validity = validity_of(title, text, date)
    return Document(doc_id, title, doc_number, issuer, date, region, source_path, text,
                    clauses, tuple(warnings), issuers=issuers, kind=meta.kind,
                    effective_from=validity.effective_from, effective_to=validity.effective_to,
                    validity_basis=validity.basis, validity_stated=validity.stated,
                    citations=tuple(c.to_dict() for c in extract_citations(text)))


_TITLE_SLACK = 40
_OPENING_END = re.compile(r"[，。：:；;！？!?\n]|(?<=\S{6})[ \u3000]+")
_OPENING_CHARS = 40


def opening_words(text: str) -> str:
    """What a document without a recognisable title is called: its opening words, up to the
    first punctuation or gap after six characters (at most 40) — '广西应对疫情加紧建设自治区级
    定点收治医院' rather than the file's hash name."""
    text = text.strip()
    end = _OPENING_END.search(text)
    words = text[:end.start() if end else len(text)][:_OPENING_CHARS].strip()
    return words if len(words) >= 4 else ""


def _remap_pages(source: SourceText, text: str) -> tuple[tuple[int, int, int], ...]:
    """Page spans refer to the reader's text; chrome removal shifts offsets, so re-find them."""
    if not source.pages:
        return ()
    if text == source.text:
        return source.pages
    spans, cursor = [], 0
    for start, end, page in source.pages:
        chunk = source.text[start:end].strip()
        probe = chunk[:30]
        found = text.find(probe, cursor) if probe else -1
        if found < 0:
            continue
        spans.append((found, found + len(chunk), page))
        cursor = found
    return tuple(spans)


def read_sidecar(path: Path) -> dict:
    """Overrides from `<name>.meta.json`, if present. Raises CorpusError on invalid JSON."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{sidecar}: invalid JSON sidecar ({exc})") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{sidecar}: sidecar must be a JSON object")
    return {k: str(v) for k, v in data.items() if k in _SIDECAR_KEYS and v}


def load_document(path: Path, root: Path | None = None) -> Document:
    """Read and parse one document file.

    Args: the file, and the corpus root its id is relative to. Returns: the Document.
    Raises: CorpusError with a one-line message for unreadable or unsupported files.
    """
    path = Path(path)
    source = readers.read_source(path)
    rel = str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)
    return parse_source(source, document_id(path, root), rel, read_sidecar(path))


def corpus_files(root: Path) -> list[Path]:
    """Supported document files under a directory (sorted, sidecars and hidden files skipped)."""
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(SIDECAR_SUFFIX)
        and p.suffix.lower() in readers.SUPPORTED_EXTENSIONS
    )


def iter_corpus(root: Path) -> Iterator[Document | CorpusError]:
    """Parse every document of a corpus directory, yielding errors in place of bad files so
    one broken file never stops the rest (nor a name that is not UTF-8, nor a link that
    leads out of the directory: see `refuse_path`)."""
    root = Path(root)
    base = root if root.is_dir() else root.parent
    for path in corpus_files(root):
        refused = refuse_path(path, base, follow_links=not root.is_dir())
        if refused is not None:
            yield refused
            continue
        try:
            yield load_document(path, base)
        except CorpusError as exc:
            yield exc


def refuse_path(path: Path, base: Path, follow_links: bool = False) -> CorpusError | None:
    """Why a file found in a corpus must not be read, or None.

    A name whose bytes are not UTF-8 cannot be stored or shown (it is refused, not guessed);
    a symbolic link whose target lies outside the corpus directory is not followed, so that
    `ln -s /etc/passwd corpus/x.txt` never publishes the password file (links within the
    directory are fine; a file named on the command line is trusted: `follow_links`).
    Args: the file, the corpus directory. Returns: the CorpusError to report, or None.
    """
    try:
        str(path.relative_to(base) if path.is_relative_to(base) else path).encode("utf-8")
    except UnicodeEncodeError:
        return CorpusError(f"{one_line(path)}: the file name is not valid UTF-8; skipped (rename the file)")
    if not follow_links and not path.resolve().is_relative_to(base.resolve()):
        return CorpusError(f"{one_line(path)}: a symbolic link to {one_line(path.resolve())}, outside the "
                           "corpus directory; not followed")
    return None


