"""Request parameters -> typed arguments for the engine. Everything a client can get wrong in
a query string is refused here or by the engine as a QueryError (HTTP 400), never a 500.
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.query.filters import Filters
from indexer.query.request import SCOPES, searched_text, validate_k
from indexer.query.shapes import SORTS, filters_dict  # noqa: F401 - echoed by the pages

MAX_PARAM_CHARS = 1000  # the engine's query limit; filters get the same bound
MIN_YEAR = 1000
DEFAULT_K = 10
DEFAULT_SIMILAR_K = 5
COMPARE_GROUPS = ("document", "region")


def check_query_string(raw: bytes) -> None:
    """Refuse a query string whose percent-escapes are not UTF-8 ('q=%E4%B8'): werkzeug would
    keep the escapes as literal text and the engine would search for '%E4%B8'."""
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("bad_encoding") from None


def text_param(args: MultiDict, name: str, default: str = "") -> str:
    """A string parameter, at most MAX_PARAM_CHARS long.

    Args: the request args, the name, a default. Returns: the value, stripped.
    """
    value = args.get(name, default)
    if len(value) > MAX_PARAM_CHARS:
        raise QueryError("param_too_long", name=name, length=len(value), limit=MAX_PARAM_CHARS)
    return value.strip()


def query_param(args: MultiDict) -> str:
    """The question `q`, required, normalised and cut to what a search may cost.

    Args: the request args. Returns: its first MAX_SEARCHED_CHARS characters' worth after
    normalising (the engine's `searched_text`: an ASCII letter counts a third). Raises: QueryError when missing, over MAX_PARAM_CHARS,
    empty or without a letter or digit.
    """
    if "q" not in args:
        raise QueryError("missing_q")
    return searched_text(args.get("q", ""))


def number_param(args: MultiDict, name: str) -> int | None:
    """A whole number written with the digits 0-9 (None when absent or empty). Full-width or
    other scripts' digits, signs and '_' are refused, as Python's int() would accept them.

    Args: the request args, the name. Returns: the number, or None.
    """
    value = text_param(args, name)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise QueryError("not_digits", name=name, value=value)
    return int(value)


def k_param(args: MultiDict, default: int = DEFAULT_K) -> int:
    """How many results, 1..100, in ASCII digits."""
    value = number_param(args, "k")
    return validate_k(default if value is None else value)


def year_param(args: MultiDict, name: str) -> int | None:
    """A four-digit year from MIN_YEAR on, in ASCII digits (None when absent)."""
    value = number_param(args, name)
    if value is not None and (len(text_param(args, name)) != 4 or value < MIN_YEAR):
        raise QueryError("bad_year", name=name, min_year=MIN_YEAR, value=text_param(args, name))
    return value


def flag_param(args: MultiDict, name: str) -> bool:
    """A yes/no parameter: 1 (or true) for yes; absent, empty or 0 (false) for no."""
    value = text_param(args, name).lower()
    if value not in ("", "0", "1", "false", "true"):
        raise QueryError("bad_flag", name=name, value=value)
    return value in ("1", "true")


def filters_param(args: MultiDict) -> Filters:
    """region, issuer, doc (repeatable or comma-separated), year_from, year_to, status (one or
    more of in_force, expired, not_yet, unknown, comma-separated) and as_of (YYYY-MM-DD)."""
    docs: list[str] = []
    for value in args.getlist("doc"):
        docs.extend(d.strip() for d in value.split(",") if d.strip())
    statuses = tuple(dict.fromkeys(v.strip() for value in args.getlist("status") for v in value.split(",")
                                   if v.strip()))
    return Filters(region=text_param(args, "region"), issuer=text_param(args, "issuer"),
                   documents=tuple(dict.fromkeys(docs)),
                   year_from=year_param(args, "year_from"), year_to=year_param(args, "year_to"),
                   status=statuses, as_of=text_param(args, "as_of"))


def scope_param(args: MultiDict) -> str:
    scope = text_param(args, "scope", SCOPES[0])
    if scope not in SCOPES:
        raise QueryError("bad_choice", name="scope", choices=", ".join(SCOPES), value=scope)
    return scope


def group_param(args: MultiDict) -> str:
    group = text_param(args, "by", COMPARE_GROUPS[0])
    if group not in COMPARE_GROUPS:
        raise QueryError("bad_choice", name="by", choices=", ".join(COMPARE_GROUPS), value=group)
    return group


def wants_json(args: MultiDict) -> bool:
    """A page's JSON twin is asked for with ?format=json."""
    return args.get("format", "") == "json"


MAX_PASTED_CHARS = 10_000  # a pasted passage for similar clauses (query/similar.py bounds the work)


def pasted_text_param(args: MultiDict) -> str | None:
    """`text`, a passage pasted to find similar clauses: at most MAX_PASTED_CHARS characters
    (None when absent or blank; find_similar then needs a clause)."""
    value = args.get("text", "")
    if len(value) > MAX_PASTED_CHARS:
        raise QueryError("param_too_long", name="text", length=len(value), limit=MAX_PASTED_CHARS)
    return value.strip() or None


def clause_param(args: MultiDict, name: str) -> str:
    """A required clause id parameter (a NotFoundError follows from the engine if unknown)."""
    value = text_param(args, name)
    if not value:
        raise QueryError("missing_param", name=name)
    return value


def offset_param(args: MultiDict) -> int:
    """Where a page of results starts (`offset`, default 0)."""
    value = number_param(args, "offset")
    return value or 0


def sort_param(args: MultiDict) -> str:
    """The order of results: relevance (default) or date."""
    sort = text_param(args, "sort", SORTS[0]) or SORTS[0]
    if sort not in SORTS:
        raise QueryError("bad_choice", name="sort", choices=", ".join(SORTS), value=sort)
    return sort
