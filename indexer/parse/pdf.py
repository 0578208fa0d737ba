"""Reader for .pdf (text layer, via pdfplumber): running headers, footers and page numbers
dropped, and lines broken by the page width re-joined into paragraphs.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import CorpusError
from indexer.parse.headings import match_label
from indexer.parse.office import (
    Line,
    TableWriter,
    assemble,
    clean_line,
    error_reason,
    file_head,
    joined,
    meaningful_title,
)
from indexer.parse.readers import register_reader
from indexer.parse.responsibility import is_note_line
from indexer.types import SourceText

MAX_PAGES = 2000

# A line ending in one of these closed its sentence, so a line break after it is kept.
_FINAL_PUNCT = "。；：！？;:!?"
_CLOSING_QUOTES = "”’」』\"'"
# Lines to look at at each end of a page for running headers, footers and page numbers.
_EDGE_LINES = 2
# A header/footer text must repeat on at least this share of pages (and on two of them).
_RUNNING_SHARE = 0.5
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～\s]*\d{1,4}[-—–－~～\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.IGNORECASE,
)
# Gap (in font sizes) between two characters above which pdfplumber writes a space: wide
# enough that CJK letter-spacing and the CJK/Latin autospace stay unspaced.
_SPACE_GAP = 0.5
# Layout thresholds, in font sizes: a line ending this far short of the right margin ended its
# paragraph; a line starting this far in from the left margin starts one (首行缩进).
_SHORT_LINE = 4.0
_INDENT = 1.0
_PARAGRAPH_GAP = 1.2
# Bottom share of a page where a footer, not body text, sits.
_FOOTER_ZONE = 0.1


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSING_QUOTES)[-1:] in tuple(_FINAL_PUNCT)


def _starts_item(text: str) -> bool:
    """True when a line opens a numbered item (一、（一）1．(1) 第X条 ①) or a bare 责任单位：line.

    A bracketed note "（责任处室：…）" at the start of a line is the tail of the item above it.
    """
    return match_label(text) is not None or (is_note_line(text) and text[0] not in "（(")


def read_pdf(path: Path) -> SourceText:
    """Reader for `.pdf`: the text layer, without running headers, footers and page numbers.

    Pages are read one at a time and their parsed objects released, so memory stays flat for
    long files; files over `MAX_PAGES` pages are refused.

    Args:
        path: the file.
    Returns:
        Its `SourceText` with `pages` spans and the PDF info Title (when meaningful) in `meta`;
        raises `CorpusError` for encrypted, corrupt, image-only (needs OCR) or empty PDFs.
    """
    import pdfplumber  # imported here: a text-only corpus never pays for pdfminer
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    path = Path(path)
    file_head(path, 1)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for a damaged file
        cause = exc.__cause__ or (exc.args[0] if exc.args else None)
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect):
            raise CorpusError(f"{path}: encrypted PDF, cannot read without password") from exc
        raise CorpusError(f"{path}: corrupt PDF, cannot be parsed ({error_reason(exc)})") from exc
    with pdf:
        try:
            return _read_pages(pdf, path)
        except CorpusError:
            raise
        except Exception as exc:
            raise CorpusError(f"{path}: corrupt PDF, cannot be parsed ({error_reason(exc)})") from exc


def _read_pages(pdf, path: Path) -> SourceText:
    if len(pdf.pages) > MAX_PAGES:
        raise CorpusError(f"{path}: PDF has {len(pdf.pages)} pages, over the {MAX_PAGES}-page limit")
    if not pdf.pages:
        raise CorpusError(f"{path}: PDF has no pages")
    tables = TableWriter()
    pages: list[list[Line]] = []
    blank: list[int] = []  # pages without a text layer that hold images: scans
    table_open = False
    for page in pdf.pages:
        lines, table_open = _page_lines(page, tables, table_open)
        if not lines and page.images:
            blank.append(page.page_number)
        pages.append(lines)
        page.close()  # drop the page's parsed objects before the next one
    if not any(pages):
        if blank:
            raise CorpusError(f"{path}: PDF has no text layer (scanned images only); it needs OCR")
        raise CorpusError(f"{path}: PDF has no text")
    text, spans = assemble(_paragraphs(_drop_running_lines(pages)))
    warnings = tuple(f"page {n} has no text layer (scanned image?); its content is missing"
                     for n in blank)
    meta = {"title": title} if (title := meaningful_title(pdf.metadata.get("Title"))) else {}
    return SourceText(text=text, meta=meta, pages=spans, warnings=warnings)


def _page_lines(page, tables: TableWriter, continues: bool) -> tuple[list[Line], bool]:
    """Text lines and table rows of one page in reading order (top to bottom).

    Args:
        page: a pdfplumber page.
        tables: the table writer (it remembers a task table's columns across pages).
        continues: the previous page ended with a table, so this page's first one may carry on.
    Returns:
        (lines, whether the page ends with a table).
    """
    found = page.find_tables() if (page.rects or page.lines) else []
    boxes = [t.bbox for t in found]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    items: list[Line] = []
    for raw in text_page.extract_text_lines(x_tolerance_ratio=_SPACE_GAP):
        text = clean_line(raw["text"])
        if text:
            size = statistics.median(c["size"] for c in raw["chars"]) if raw["chars"] else 0.0
            items.append(Line(text, page.page_number, raw["x0"], raw["x1"], raw["top"], raw["bottom"], size))
    for n, table in enumerate(sorted(found, key=lambda t: t.bbox[1])):
        rows = [[_cell_lines(c) for c in row] for row in table.extract(x_tolerance_ratio=_SPACE_GAP)]
        items += [Line(text, page.page_number, top=table.bbox[1], block=True)
                  for text in tables.rows(rows, continued=continues and n == 0)]
    items.sort(key=lambda line: line.top)
    return items, bool(found) and _table_closes_page(items, max(t.bbox[3] for t in found), page.height)


def _table_closes_page(items: list[Line], table_bottom: float, height: float) -> bool:
    """True when nothing but a footer follows the page's last table (it may go on overleaf)."""
    below = [line for line in items if not line.block and line.top >= table_bottom]
    return all(_PAGE_NUMBER.match(line.text) or line.top > (1 - _FOOTER_ZONE) * height for line in below)


def _cell_lines(text: str | None) -> str | None:
    """A PDF cell's text with its wrapped lines run together (they are layout, not paragraphs)."""
    if text is None:
        return None
    out = ""
    for line in text.split("\n"):
        out = joined(out, clean_line(line))
    return out


def _running_key(line: Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def _drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page numbers and header/footer lines repeated at the top or bottom of pages.

    Only the outermost `_EDGE_LINES` lines at each end of a page are candidates, so a body line
    that happens to repeat (a 责任单位 list) is never taken for a header.
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_running_key(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:] if not line.block}
        counts.update(edge)
    need = max(2, _RUNNING_SHARE * len(pages))

    def running(line: Line) -> bool:
        if line.block:
            return False
        return bool(_PAGE_NUMBER.match(line.text)) or (len(pages) > 1 and counts[_running_key(line)] >= need)

    kept = []
    for lines in pages:
        start, end = 0, len(lines)
        while start < min(_EDGE_LINES, end) and running(lines[start]):
            start += 1
        while end > max(start, len(lines) - _EDGE_LINES) and running(lines[end - 1]):
            end -= 1
        kept.append(lines[start:end])
    return kept


@dataclass(frozen=True)
class _Margins:
    """Where the body text sits: left and right edges, and whether paragraphs are indented."""

    left: float
    right: float
    indented: bool


def _margins(lines: list[Line]) -> _Margins:
    text = [line for line in lines if not line.block and line.size]
    if not text:
        return _Margins(0.0, 0.0, False)
    left = Counter(round(line.x0) for line in text).most_common(1)[0][0]
    x1s = sorted(line.x1 for line in text)
    right = x1s[int(0.9 * (len(x1s) - 1))]
    indents = sum(1.5 <= (line.x0 - left) / line.size <= 2.5 for line in text)
    return _Margins(left, right, indents >= max(3, 0.05 * len(text)))


def _paragraphs(pages: list[list[Line]]) -> list[list[Line]]:
    """Group the lines of all pages into paragraphs, undoing line breaks made by the layout."""
    flow = [line for lines in pages for line in lines]
    margins = _margins(flow)
    paragraphs: list[list[Line]] = []
    for line in flow:
        if paragraphs and _continues(paragraphs[-1], line, margins):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _continues(paragraph: list[Line], line: Line, m: _Margins) -> bool:
    """Whether `line` carries on `paragraph` (the lines so far of the paragraph before it).

    Rules, first match wins: table rows and new items (一、 （一） 1． 第X条 责任单位：) break; lines of
    a centred title run on; an indented line or a clear vertical gap starts a paragraph; a line
    ending well short of the right margin ended one. A bracket left open (a note such as
    "（责任处室：" cut by the margin) or a bracketed note on the next line runs on. In an indented
    layout any other line runs on; otherwise a line that closed its sentence (。；：！？) ends
    the paragraph.
    """
    prev = paragraph[-1]
    if prev.block or line.block or _starts_item(line.text):
        return False
    size = line.size or prev.size or 1.0
    same_page = prev.page == line.page
    if same_page and line.top - prev.bottom > _PARAGRAPH_GAP * size:
        return False
    if _centred(prev, m) and _centred(line, m) and line.x0 - m.left > 3 * size:
        return same_page and not _ends_sentence(prev.text)
    if line.x0 - m.left > _INDENT * size or prev.x1 < m.right - _SHORT_LINE * size:
        return False
    if is_note_line(line.text) or _bracket_open(paragraph):
        return True
    return m.indented or not _ends_sentence(prev.text)


def _bracket_open(paragraph: list[Line]) -> bool:
    text = "".join(line.text for line in paragraph)
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _centred(line: Line, m: _Margins) -> bool:
    return abs((line.x0 - m.left) - (m.right - line.x1)) <= (line.size or 1.0)


register_reader(".pdf", read_pdf)
