"""Error types. Each maps to one CLI shape (exit code, one line on stderr) and one HTTP shape."""
from __future__ import annotations

# English text of the errors raised with a message key: `str(exc)` for the CLI and logs. The
# server shows the same key in the page's language (server/i18n.py holds the Chinese).
MESSAGES = {
    "query_empty": "the query is empty: type a question or some words",
    "query_too_long": "the query is {length} characters long; the limit is {limit}",
    "query_no_words": "the query has no words or numbers in it (only punctuation or symbols)",
    "k_not_number": "k must be a whole number between 1 and {limit}, not {value!r}",
    "k_range": "k must be between 1 and {limit}, not {value}",
    "bad_encoding": "the query string is not valid UTF-8 (malformed percent-encoding)",
    "param_too_long": "parameter {name!r} is {length} characters long; the limit is {limit}",
    "missing_q": "missing parameter 'q': the question or words to search for",
    "not_digits": "parameter {name!r} must be written with the digits 0-9 only, not {value!r}",
    "bad_year": "parameter {name!r} must be a four-digit year from {min_year} to 9999, not {value!r}",
    "bad_flag": "parameter {name!r} must be 1 or 0, not {value!r}",
    "bad_choice": "{name} must be one of {choices}, not {value!r}",
    "year_order": "the start year (year_from) {year_from} is after the end year (year_to) {year_to}",
    "unknown_document": "unknown document id {value!r}",
    "unknown_region": "unknown region {value!r}: no indexed document is from there",
    "unknown_issuer": "unknown issuer {value!r}: no indexed document has it",
    "no_clause": "no clause with id {value!r}",
    "no_document": "no document with id {value!r}",
    "missing_param": "missing parameter {name!r}",
    "page_range": "offset {offset} + k {k} goes beyond the first {limit} results",
    "bad_date": "parameter {name!r} must be a calendar date written YYYY-MM-DD, not {value!r}",
    "similar_source": "give either a clause id or a text to find similar clauses for, not both or neither",
    "text_empty": "the text is empty: paste a passage to find clauses like it",
    "text_too_long": "the text is {length} characters long; the limit is {limit}",
    "text_no_words": "the text has no words or numbers in it",
    "no_unit": "no unit named {value!r}: see /api/units for the units the index holds",
}


class PolicySearchError(Exception):
    """Base class: `code` is a stable machine-readable name, `status` the HTTP status.

    Raised with a message key and its parameters (`QueryError("year_order", year_from=2023,
    year_to=2012)`), `key` and `params` let the server say it in the reader's language while
    `str(exc)` stays the English text; raised with any other text, that text is the message.
    """

    code = "error"
    status = 500
    exit_code = 1

    def __init__(self, message: str = "", **params) -> None:
        self.key = message if message in MESSAGES else None
        self.params = params
        super().__init__(MESSAGES[message].format(**params) if self.key else message)


class CorpusError(PolicySearchError):
    """A document cannot be read or parsed (empty, binary, unknown format, undecodable, too big)."""

    code = "corpus_error"
    status = 400
    exit_code = 2


class QueryError(PolicySearchError):
    """The question or its parameters are not acceptable."""

    code = "bad_query"
    status = 400
    exit_code = 2


class NotFoundError(PolicySearchError):
    """An id (clause, document) that the index does not hold."""

    code = "not_found"
    status = 404
    exit_code = 3


class IndexUnavailableError(PolicySearchError):
    """The index directory is missing, unreadable or corrupt."""

    code = "index_error"
    status = 503
    exit_code = 4


class IndexMismatchError(IndexUnavailableError):
    """The index was built with another embedding model than the one configured."""

    code = "index_mismatch"


class OverloadedError(PolicySearchError):
    """Every query embedder is busy and the short queue before them is full: the client should
    retry after `retry_after` seconds (HTTP 503 with Retry-After) instead of waiting for seconds."""

    code = "overloaded"
    status = 503
    exit_code = 1
    retry_after = 1


class StorageError(PolicySearchError):
    """A file the build writes (the embedding cache, the index) cannot be written: a full disk,
    a read-only directory, an I/O error."""

    code = "storage_error"
    status = 507
    exit_code = 1


class ConfigError(PolicySearchError):
    """A setting that cannot work (e.g. an unsafe thread count for serving)."""

    code = "config_error"
    status = 500
    exit_code = 2


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0))} | {0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(value: object) -> str:
    """`value` as text that cannot start a new log line or rewrite a terminal: control characters
    (newline, carriage return, escape, …) become \\xNN, and undecodable bytes of a file name
    (surrogates) become \\xNN escapes too. Chinese and other printable text is kept as is.

    Args: anything (a path, a message). Returns: the one-line text.
    """
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.translate(_CONTROL)
