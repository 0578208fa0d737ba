"""Office formats: PDF (text layer, via pdfplumber) and Word .docx (via python-docx).

Both readers hand the clause parser the same shape of text as the plain-text reader: one
paragraph per line, full-width punctuation kept. What a PDF adds on top of that is layout to
undo: running headers and footers (页眉/页脚, page numbers such as "- 3 -", "第 3 页", "3/12")
are dropped, and lines broken by the page width are re-joined (Chinese needs no space).

Tables keep their cells in reading order, one row per line. A 任务分工表 (task-assignment
table, with a 责任单位 / 牵头单位 / 配合单位 column) is rewritten row by row as
"<task>（牵头单位：A、B；配合单位：C）", the note shape the parser attaches to the item.

Binary Word (.doc) and WPS files are refused with a conversion hint rather than guessed at.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import CorpusError
from indexer.parse.headings import match_label
from indexer.types import SourceText
from indexer.parse.readers import normalize_text, register_reader
from indexer.parse.responsibility import ROLE_OF_KEY, is_note_line

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

_LATIN = re.compile(r"[A-Za-z]")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_JUNK_TITLE = re.compile(r"^(?:untitled|无标题|microsoft word|wps|document|文档|新建)|\.(?:docx?|wps|pdf|txt)$",
                         re.IGNORECASE)
_NUMBER_HEADERS = ("序号", "编号")
_CN_NUMERAL = re.compile(r"[一二三四五六七八九十百〇零两]{1,4}")
_TASK_HEADER = re.compile(r"任务|内容|事项|措施|举措|工作|目标|项目")
_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
_DC = "http://purl.org/dc/elements/1.1/"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------- shared


@dataclass(frozen=True)
class _Line:
    """One line of a page: its text, page and, for PDF text lines, where it sits."""

    text: str
    page: int = 0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    block: bool = False  # a table row or a Word paragraph: never joined to its neighbours


def _clean(text: str) -> str:
    """One line of text in the shape `normalize_text` gives every reader, without its ends."""
    return normalize_text(text).replace("\n", " ").strip(" \u3000")


def _joined(left: str, right: str) -> str:
    """Glue two pieces of a broken line: no space in Chinese or inside a number (LibreOffice
    breaks "26" between lines), one between two Latin words."""
    if left and right and _LATIN.match(left[-1]) and _LATIN.match(right[0]):
        return f"{left} {right}"
    return left + right


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSING_QUOTES)[-1:] in tuple(_FINAL_PUNCT)


def _starts_item(text: str) -> bool:
    """True when a line opens a numbered item (一、（一）1．(1) 第X条 ①) or a bare 责任单位：line.

    A bracketed note "（责任处室：…）" at the start of a line is the tail of the item above it.
    """
    return match_label(text) is not None or (is_note_line(text) and text[0] not in "（(")


def _head(path: Path, size: int) -> bytes:
    """The first bytes of a file; `CorpusError` when it cannot be read or is empty."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(size)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if not head:
        raise CorpusError(f"{path}: file is empty")
    return head


def _meaningful_title(value: object) -> str:
    """A container title worth passing on: Chinese text, not a file name or an editor default."""
    title = " ".join(value.split()) if isinstance(value, str) else ""
    if len(title) < 4 or not _HAS_CJK.search(title) or _JUNK_TITLE.search(title):
        return ""
    return title


def _assemble(paragraphs: list[list[_Line]]) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """Join paragraphs (lists of line pieces) into text and the page span of every character.

    Args:
        paragraphs: the document's paragraphs in order, each the lines it was made from.
    Returns:
        (text with one paragraph per line, ((start, end, page), ...) covering the text);
        spans are empty when no line carries a page number (DOCX).
    """
    text, starts = "", []
    for lines in paragraphs:
        if text:
            text += "\n"
        for i, line in enumerate(lines):
            if not starts or starts[-1][1] != line.page:
                starts.append((len(text), line.page))
            text = _joined(text, line.text) if i else text + line.text
    if not any(page for _, page in starts):
        return text, ()
    spans = [(start, nxt, page) for (start, page), (nxt, _) in zip(starts, starts[1:] + [(len(text), 0)])]
    return text, tuple(spans)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _TaskColumns:
    """Column roles of a 任务分工表: the task text, its 序号, and the 责任分工 note columns."""

    width: int
    task: int
    number: int | None
    notes: tuple[tuple[int, str], ...]  # (column, note key such as 牵头单位)
    extras: tuple[tuple[int, str], ...]  # other named columns (完成时限 …), kept as "（完成时限：…）"


def _note_key(header: str) -> str:
    """The responsibility key a header cell names ('牵头单位（部门）' -> '牵头单位'), or ''."""
    return next((key for key in ROLE_OF_KEY if header.startswith(key)), "")


def _task_columns(row: list[str | None]) -> _TaskColumns | None:
    """Read a header row; None unless it has a responsibility column (责任单位, 牵头单位, …)."""
    headers = [re.sub(r"\s+", "", cell or "") for cell in row]
    notes = tuple((i, _note_key(h)) for i, h in enumerate(headers) if _note_key(h))
    if not notes:
        return None
    taken = {i for i, _ in notes}
    number = next((i for i, h in enumerate(headers) if h in _NUMBER_HEADERS and i not in taken), None)
    if number is not None:
        taken.add(number)
    rest = [i for i, h in enumerate(headers) if i not in taken and h]
    task = next((i for i in rest if _TASK_HEADER.search(headers[i])), rest[0] if rest else None)
    if task is None:
        return None
    extras = tuple((i, headers[i]) for i in rest if i != task)
    return _TaskColumns(len(row), task, number, notes, extras)


class _TableWriter:
    """Turns table rows into text lines, remembering a 任务分工表's columns across page breaks."""

    def __init__(self) -> None:
        self.columns: _TaskColumns | None = None

    def rows(self, rows: list[list[str | None]], continued: bool = False) -> list[str]:
        """Lines for one table.

        Args:
            rows: cell texts per row; None marks a cell merged into the one above (PDF), and
                '\\n' separates a cell's paragraphs (DOCX).
            continued: the table carries on one that closed the previous page; a header-less
                continuation keeps that table's columns.
        Returns:
            One line per non-empty row, header rows left out of task tables.
        """
        header_at = next((i for i, row in enumerate(rows[:3]) if _task_columns(row)), None)
        if header_at is not None:
            self.columns = _task_columns(rows[header_at])
            out = [line for row in rows[:header_at] if (line := _plain_row(row))]
            return out + self._task_rows(rows[header_at + 1:])
        if continued and self.columns and all(len(row) == self.columns.width for row in rows):
            return self._task_rows(rows)
        self.columns = None
        return [line for row in rows if (line := _plain_row(row))]

    def _task_rows(self, rows: list[list[str | None]]) -> list[str]:
        cols, out, previous = self.columns, [], {}
        for row in rows:
            row = list(row) + [""] * (cols.width - len(row))
            if len({c for c in row if c and c.strip()}) <= 1:  # a section row spanning the table
                if line := _plain_row(row):
                    out.append(line)
                continue
            task = _numbered(_cell(row[cols.number]) if cols.number is not None else "", _cell(row[cols.task]))
            extras = "".join(f"（{name}：{value}）" for i, name in cols.extras if (value := _cell(row[i])))
            notes = []
            for i, key in cols.notes:
                # A PDF cell merged with the one above (None) names the same units.
                value = previous.get(i, "") if row[i] is None else _cell(row[i], units=True)
                previous[i] = value
                if value:
                    notes.append(f"{key}：{value}")
            note = f"（{'；'.join(notes)}）" if notes else ""
            if task or note:
                out.append(task + extras + note)
        return out


def _numbered(number: str, task: str) -> str:
    """Give a task its 序号 as a heading label ('3' -> '3．', '三' -> '三、') unless it has one."""
    if not number or not task or match_label(task) is not None:
        return task
    if number.isascii() and number.isdigit():
        return f"{number}．{task}"
    if _CN_NUMERAL.fullmatch(number):
        return f"{number}、{task}"
    return number + task


def _cell(text: str | None, units: bool = False) -> str:
    """A cell's text on one line: paragraphs of a unit cell become a 、-list, others run on."""
    parts = [_clean(p) for p in (text or "").split("\n")]
    parts = [p for p in parts if p]
    if units:
        return "、".join(parts)
    out = ""
    for part in parts:
        out = _joined(out, part)
    return out


def _plain_row(row: list[str | None]) -> str:
    """An ordinary table row: its distinct cells (merged cells once) joined by a space."""
    cells: list[str] = []
    for text in (_cell(c) for c in row):
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return " ".join(cells)


# --------------------------------------------------------------------------- PDF


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
    _head(path, 1)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for a damaged file
        cause = exc.__cause__ or (exc.args[0] if exc.args else None)
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect):
            raise CorpusError(f"{path}: encrypted PDF, cannot read without password") from exc
        raise CorpusError(f"{path}: corrupt PDF, cannot be parsed ({_reason(exc)})") from exc
    with pdf:
        try:
            return _read_pages(pdf, path)
        except CorpusError:
            raise
        except Exception as exc:
            raise CorpusError(f"{path}: corrupt PDF, cannot be parsed ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    inner = exc.__cause__ or exc
    return f"{type(inner).__name__}: {inner}".rstrip(": ")[:120]


def _read_pages(pdf, path: Path) -> SourceText:
    if len(pdf.pages) > MAX_PAGES:
        raise CorpusError(f"{path}: PDF has {len(pdf.pages)} pages, over the {MAX_PAGES}-page limit")
    if not pdf.pages:
        raise CorpusError(f"{path}: PDF has no pages")
    tables = _TableWriter()
    pages: list[list[_Line]] = []
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
    text, spans = _assemble(_paragraphs(_drop_running_lines(pages)))
    warnings = tuple(f"page {n} has no text layer (scanned image?); its content is missing"
                     for n in blank)
    meta = {"title": title} if (title := _meaningful_title(pdf.metadata.get("Title"))) else {}
    return SourceText(text=text, meta=meta, pages=spans, warnings=warnings)


def _page_lines(page, tables: _TableWriter, continues: bool) -> tuple[list[_Line], bool]:
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
    items: list[_Line] = []
    for raw in text_page.extract_text_lines(x_tolerance_ratio=_SPACE_GAP):
        text = _clean(raw["text"])
        if text:
            size = statistics.median(c["size"] for c in raw["chars"]) if raw["chars"] else 0.0
            items.append(_Line(text, page.page_number, raw["x0"], raw["x1"], raw["top"], raw["bottom"], size))
    for n, table in enumerate(sorted(found, key=lambda t: t.bbox[1])):
        rows = [[_cell_lines(c) for c in row] for row in table.extract(x_tolerance_ratio=_SPACE_GAP)]
        items += [_Line(text, page.page_number, top=table.bbox[1], block=True)
                  for text in tables.rows(rows, continued=continues and n == 0)]
    items.sort(key=lambda line: line.top)
    return items, bool(found) and _table_closes_page(items, max(t.bbox[3] for t in found), page.height)


def _table_closes_page(items: list[_Line], table_bottom: float, height: float) -> bool:
    """True when nothing but a footer follows the page's last table (it may go on overleaf)."""
    below = [line for line in items if not line.block and line.top >= table_bottom]
    return all(_PAGE_NUMBER.match(line.text) or line.top > (1 - _FOOTER_ZONE) * height for line in below)


def _cell_lines(text: str | None) -> str | None:
    """A PDF cell's text with its wrapped lines run together (they are layout, not paragraphs)."""
    if text is None:
        return None
    out = ""
    for line in text.split("\n"):
        out = _joined(out, _clean(line))
    return out


def _running_key(line: _Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove page numbers and header/footer lines repeated at the top or bottom of pages.

    Only the outermost `_EDGE_LINES` lines at each end of a page are candidates, so a body line
    that happens to repeat (a 责任单位 list) is never taken for a header.
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {_running_key(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:] if not line.block}
        counts.update(edge)
    need = max(2, _RUNNING_SHARE * len(pages))

    def running(line: _Line) -> bool:
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


def _margins(lines: list[_Line]) -> _Margins:
    text = [line for line in lines if not line.block and line.size]
    if not text:
        return _Margins(0.0, 0.0, False)
    left = Counter(round(line.x0) for line in text).most_common(1)[0][0]
    x1s = sorted(line.x1 for line in text)
    right = x1s[int(0.9 * (len(x1s) - 1))]
    indents = sum(1.5 <= (line.x0 - left) / line.size <= 2.5 for line in text)
    return _Margins(left, right, indents >= max(3, 0.05 * len(text)))


def _paragraphs(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Group the lines of all pages into paragraphs, undoing line breaks made by the layout."""
    flow = [line for lines in pages for line in lines]
    margins = _margins(flow)
    paragraphs: list[list[_Line]] = []
    for line in flow:
        if paragraphs and _continues(paragraphs[-1], line, margins):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _continues(paragraph: list[_Line], line: _Line, m: _Margins) -> bool:
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


def _bracket_open(paragraph: list[_Line]) -> bool:
    text = "".join(line.text for line in paragraph)
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _centred(line: _Line, m: _Margins) -> bool:
    return abs((line.x0 - m.left) - (m.right - line.x1)) <= (line.size or 1.0)


# --------------------------------------------------------------------------- DOCX


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
    if _head(path, len(_OLE_MAGIC)) == _OLE_MAGIC:
        raise CorpusError(f"{path}: not a .docx package (a binary .doc or a password-protected file); "
                          f"convert it with `libreoffice --headless --convert-to docx`")
    try:
        document = docx.Document(str(path))
        paragraphs = _docx_paragraphs(document)
    except Exception as exc:  # zipfile, lxml, KeyError for a missing part: all mean a damaged file
        raise CorpusError(f"{path}: corrupt DOCX, cannot be opened ({_reason(exc)})") from exc
    text, _ = _assemble(paragraphs)
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

    title = _meaningful_title(document.core_properties.title)
    if title:
        return title
    for part in document.part.package.iter_parts():
        if part.content_type == _CORE_PROPERTIES:
            return _meaningful_title(etree.fromstring(part.blob).findtext(f"{{{_DC}}}title"))
    return ""


def _docx_paragraphs(document) -> list[list[_Line]]:
    from docx.table import Table

    tables = _TableWriter()
    out: list[list[_Line]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines = tables.rows(_docx_rows(block))
        else:
            lines = [_clean(part) for part in block.text.split("\n")]
        out += [[_Line(line, block=True)] for line in lines if line]
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


register_reader(".pdf", read_pdf)
register_reader(".docx", read_docx)
register_reader(".doc", read_legacy_word)
register_reader(".wps", read_legacy_word)
