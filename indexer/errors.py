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
