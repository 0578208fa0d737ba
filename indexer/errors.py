"""Error types. Each maps to one CLI shape (exit code, one line on stderr) and one HTTP shape."""
from __future__ import annotations


class PolicySearchError(Exception):
    """Base class: `code` is a stable machine-readable name, `status` the HTTP status."""

    code = "error"
    status = 500
    exit_code = 1


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
