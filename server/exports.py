"""Sheets for download: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese right) and
XLSX (openpyxl), from a header and rows. Used by the unit and target exports, and meant for any
other list the pages offer to download: `hit_sheet` makes the rows of a result list (search,
compare) with citation columns.

A text cell that a spreadsheet would run as a formula ('=…', '+…', '-…', '@…') is written as
text: in CSV behind a leading apostrophe (the usual defence against formula injection), in XLSX
as a string cell.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from urllib.parse import quote

from flask import Response, request

from indexer.errors import QueryError

from . import i18n
from .params import text_param

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_SHEET_TITLE = 31  # Excel's limit


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """A CSV file.

    Args: the header, the rows (str, numbers, None). Returns: UTF-8 bytes with a BOM, CRLF line
    ends; None is an empty cell, numbers stay numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe_text(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _safe_text(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe_text(value: str) -> str:
    """A cell a spreadsheet will not run: a leading ' before text that starts, after any
    spaces or line breaks, like a formula (' =1+1', '\n=1+1' are run by some)."""
    return "'" + value if value.lstrip(" \u3000\n").startswith(_FORMULA_START) else value


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence], title: str = "Sheet") -> bytes:
    """An XLSX workbook of one sheet.

    Args: the header, the rows, the sheet's title (cut to Excel's 31 characters).
    Returns: the file's bytes; the header row is bold and frozen, text cells are strings (never
    formulas), characters XML cannot hold are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # '=SUM(…)' in a document stays text
            else:
                cell.value = value
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\").strip() or "Sheet"
    return cleaned[:_MAX_SHEET_TITLE]


def sheet_response(fmt: str, name: str, header: Sequence[str], rows: Sequence[Sequence]) -> Response:
    """A download of a sheet.

    Args: 'csv' or 'xlsx', the file's name without extension (any script), the header, the rows.
    Returns: the response, with Content-Disposition naming the file (RFC 5987 for non-ASCII
    names, an ASCII fallback for old clients).
    Raises: QueryError for another format.
    """
    if fmt == "csv":
        body, mimetype = csv_bytes(header, rows), "text/csv"  # Flask adds charset=utf-8
    elif fmt == "xlsx":
        body, mimetype = xlsx_bytes(header, rows, name), XLSX_TYPE
    else:
        raise QueryError("bad_choice", name="format", choices=", ".join(("json", *FORMATS)), value=fmt)
    filename = f"{name}.{fmt}"
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{fallback}\"; "
                                               f"filename*=UTF-8''{quote(filename, safe='')}")
    return response


def page_format(args) -> str:
    """A page's ?format=: 'html' when absent, else json, csv or xlsx.

    Args: the request args. Returns: the format. Raises: QueryError for another value.
    """
    fmt = text_param(args, "format") or "html"
    if fmt not in ("html", "json", *FORMATS):
        raise QueryError("bad_choice", name="format", choices=", ".join(("json", *FORMATS)), value=fmt)
    return fmt


HIT_COLUMNS = ("col_rank", "relevance", "col_relevant", "title", "issuer", "doc_number", "region", "date",
               "section_path", "citation", "col_clause_id", "col_permalink", "col_text", "lead", "cooperating",
               "validity")


def hit_sheet(hits: Sequence[dict], first_rank: int = 1) -> tuple[list[str], list[list]]:
    """A result list as a sheet with citation columns, headed in the reader's language: rank,
    relevance, relevant, title, issuer, 文号, region, date, section path, the full citation (with
    the clause's absolute link), clause id, permalink, text, lead and cooperating units, and
    validity (现行有效 …) of the document.

    Args: hit dicts (the API's Hit shape), the rank of the first. Returns: (header, rows).
    """
    root = request.url_root.rstrip("/")
    rows = []
    for rank, hit in enumerate(hits, start=first_rank):
        doc, resp = hit["document"], hit["responsibility"]
        status = (hit.get("validity") or {}).get("status", "unknown")
        rows.append([rank, hit.get("relevance"), i18n.t("yes" if hit.get("relevant") else "no"), doc["title"],
                     doc.get("issuer") or "", doc.get("doc_number") or "", doc.get("region") or "",
                     doc.get("date") or "", " › ".join(hit["section"]), i18n.cite(hit), hit["id"],
                     root + hit["url"], hit["text"], "、".join(resp["lead"]), "、".join(resp["cooperating"]),
                     i18n.t(f"status_{status}")])
    return [i18n.t(key) for key in HIT_COLUMNS], rows


def sheet_name(prefix: str, query: str) -> str:
    """A download's file name: the prefix and the first words of the question."""
    words = "".join(ch if ch.isalnum() else "-" for ch in query[:30]).strip("-")
    return f"{prefix}-{words}" if words else prefix
