"""Readers for Word files: .docx body paragraphs and tables (via python-docx); binary .doc and
.wps files are refused with a conversion hint rather than guessed at.
"""
from __future__ import annotations

from pathlib import Path

from indexer.errors import CorpusError
from indexer.parse.office import (
    Line,
    TableWriter,
    assemble,
    clean_line,
    error_reason,
    file_head,
    meaningful_title,
)
from indexer.parse.readers import register_reader
from indexer.types import SourceText

_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
_DC = "http://purl.org/dc/elements/1.1/"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_docx(path: Path) -> SourceText:
    """Reader for `.docx`: body paragraphs and tables in document order.

    Headers, footers and text boxes are not part of the body and are left out. Word does not
    store page breaks of its own layout, so `pages` stays empty.

    Args:
        path: the file.
    Returns:
        Its `SourceText` with the core-properties title (when meaningful) in `meta`; raises
        `CorpusError` for corrupt, password-protected or mislabelled binary Word files.
    """
    import docx

    path = Path(path)
    if file_head(path, len(_OLE_MAGIC)) == _OLE_MAGIC:
        raise CorpusError(f"{path}: not a .docx package (a binary .doc or a password-protected file); "
                          f"convert it with `libreoffice --headless --convert-to docx`")
    try:
        document = docx.Document(str(path))
        paragraphs = _docx_paragraphs(document)
    except Exception as exc:  # zipfile, lxml, KeyError for a missing part: all mean a damaged file
        raise CorpusError(f"{path}: corrupt DOCX, cannot be opened ({error_reason(exc)})") from exc
    text, _ = assemble(paragraphs)
    if not text.strip():
        raise CorpusError(f"{path}: DOCX has no text")
    title = _docx_title(document)
    return SourceText(text=text, meta={"title": title} if title else {})


def _docx_title(document) -> str:
    """The core-properties title, found by content type when python-docx misses it.

    LibreOffice links docProps/core.xml with a relationship type python-docx does not know,
    and python-docx then reports its own default title ('Word Document').
    """
    from lxml import etree

    title = meaningful_title(document.core_properties.title)
    if title:
        return title
    for part in document.part.package.iter_parts():
        if part.content_type == _CORE_PROPERTIES:
            return meaningful_title(etree.fromstring(part.blob).findtext(f"{{{_DC}}}title"))
    return ""


def _docx_paragraphs(document) -> list[list[Line]]:
    from docx.table import Table

    tables = TableWriter()
    out: list[list[Line]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines = tables.rows(_docx_rows(block))
        else:
            lines = [clean_line(part) for part in block.text.split("\n")]
        out += [[Line(line, block=True)] for line in lines if line]
    return out


def _docx_rows(table) -> list[list[str | None]]:
    """Cell texts per row, one per grid column (python-docx repeats a merged cell, which keeps
    columns aligned with the header row); a cell's paragraphs are joined by '\\n'."""
    return [["\n".join(p.text for p in cell.paragraphs) for cell in row.cells] for row in table.rows]


# --------------------------------------------------------------------------- legacy Word


def read_legacy_word(path: Path) -> SourceText:
    """Reader for `.doc` / `.wps`: always refuses, naming the conversion that makes it readable.

    Args:
        path: the file.
    Returns:
        Never; raises `CorpusError`.
    """
    path = Path(path)
    raise CorpusError(
        f"{path}: binary Word/WPS files ({path.suffix.lower()}) are not supported; convert to .docx "
        f"or .pdf first, e.g. `libreoffice --headless --convert-to docx {path.name}`"
    )


register_reader(".docx", read_docx)
register_reader(".doc", read_legacy_word)
register_reader(".wps", read_legacy_word)
