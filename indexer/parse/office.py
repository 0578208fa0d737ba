"""What the PDF and Word readers share: `Line` records, paragraph assembly with page spans,
container-title filtering, and table rows as text (任务分工表 rows as responsibility notes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import CorpusError
from indexer.parse.headings import match_label
from indexer.parse.readers import normalize_text
from indexer.parse.responsibility import ROLE_OF_KEY

_LATIN = re.compile(r"[A-Za-z]")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_JUNK_TITLE = re.compile(r"^(?:untitled|无标题|microsoft word|wps|document|文档|新建)|\.(?:docx?|wps|pdf|txt)$",
                         re.IGNORECASE)
_NUMBER_HEADERS = ("序号", "编号")
_CN_NUMERAL = re.compile(r"[一二三四五六七八九十百〇零两]{1,4}")
_TASK_HEADER = re.compile(r"任务|内容|事项|措施|举措|工作|目标|项目")


@dataclass(frozen=True)
class Line:
    """One line of a page: its text, page and, for PDF text lines, where it sits."""

    text: str
    page: int = 0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    block: bool = False  # a table row or a Word paragraph: never joined to its neighbours


def clean_line(text: str) -> str:
    """One line of text in the shape `normalize_text` gives every reader, without its ends."""
    return normalize_text(text).replace("\n", " ").strip(" \u3000")


def joined(left: str, right: str) -> str:
    """Glue two pieces of a broken line: no space in Chinese or inside a number (LibreOffice
    breaks "26" between lines), one between two Latin words."""
    if left and right and _LATIN.match(left[-1]) and _LATIN.match(right[0]):
        return f"{left} {right}"
    return left + right


def file_head(path: Path, size: int) -> bytes:
    """The first bytes of a file; `CorpusError` when it cannot be read or is empty."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(size)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if not head:
        raise CorpusError(f"{path}: file is empty")
    return head


def meaningful_title(value: object) -> str:
    """A container title worth passing on: Chinese text, not a file name or an editor default."""
    title = " ".join(value.split()) if isinstance(value, str) else ""
    if len(title) < 4 or not _HAS_CJK.search(title) or _JUNK_TITLE.search(title):
        return ""
    return title


def assemble(paragraphs: list[list[Line]]) -> tuple[str, tuple[tuple[int, int, int], ...]]:
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
            text = joined(text, line.text) if i else text + line.text
    if not any(page for _, page in starts):
        return text, ()
    spans = [(start, nxt, page) for (start, page), (nxt, _) in zip(starts, starts[1:] + [(len(text), 0)])]
    return text, tuple(spans)


def error_reason(exc: BaseException) -> str:
    """Short cause of a library failure for a `CorpusError` message (the chained cause if any)."""
    inner = exc.__cause__ or exc
    return f"{type(inner).__name__}: {inner}".rstrip(": ")[:120]

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


class TableWriter:
    """Turns table rows into text lines, remembering a 任务分工表's columns across page breaks.

    Cells stay in reading order, one row per line. A 任务分工表 (task-assignment table, with a
    责任单位 / 牵头单位 / 配合单位 column) is rewritten row by row as
    "<task>（牵头单位：A、B；配合单位：C）", the note shape the parser attaches to the item.
    """

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
    parts = [clean_line(p) for p in (text or "").split("\n")]
    parts = [p for p in parts if p]
    if units:
        return "、".join(parts)
    out = ""
    for part in parts:
        out = joined(out, part)
    return out


def _plain_row(row: list[str | None]) -> str:
    """An ordinary table row: its distinct cells (merged cells once) joined by a space."""
    cells: list[str] = []
    for text in (_cell(c) for c in row):
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return " ".join(cells)

