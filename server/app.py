"""The application factory and the production server.

`create_app(engine, config)` wires the blueprints to an engine opened once at start-up (held
by an EngineHolder, which swaps in newly published index versions: reload.py);
`serve(app, config)` runs it under waitress, bound to 127.0.0.1 unless told otherwise.
Every response gets the security headers, every request one log line, and every error on
/api/ (or with ?format=json) the JSON shape {"error": {"code", "message"}}.
"""
from __future__ import annotations

import gzip
import json
import logging
import threading
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from indexer.config import Config
from indexer.errors import OverloadedError, PolicySearchError, one_line
from indexer.query.dictionary import reverse_index
from indexer.query.engine import SearchEngine

from . import admin, api, i18n, intel, pages
from .context import CONFIG, HOLDER, config, engine
from .markup import highlight
from .params import check_query_string, wants_json
from .reload import EngineHolder

log = logging.getLogger("policy_search.http")

MAX_CONTENT_LENGTH = 64 * 1024  # the API only reads query strings; any sizeable body is a mistake
SERVER_THREADS = 4  # as Config.server_threads
# Open connections waitress accepts; more wait in the kernel's backlog. With searches shed by
# the gate above, requests hold a thread for milliseconds, so a deeper queue never helps.
CONNECTION_LIMIT = 64
QUEUE_WARNING_SECONDS = 30.0  # waitress' "Task queue depth" warning: at most one per this long
# Routes that embed a question (the pages only when they are given one).
# Requests that embed text take a search slot: questions, and similar clauses (up to 13
# embeddings of a long item or a pasted passage).
EMBEDDING_ENDPOINTS = frozenset({"api.search", "api.compare", "pages.search", "pages.compare", "api.similar",
                                 "api.similar_text", "pages.similar", "pages.similar_text"})
GATE = "policy_search.search_gate"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(engine: SearchEngine | EngineHolder, config: Config | None = None) -> Flask:
    """Build the Flask app around an opened engine.

    Args: the engine (shared by all request threads), or a holder of it that a reload may
    swap, and the run's configuration. Returns: the WSGI app.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.json.mimetype = "application/json; charset=utf-8"
    # '/api/clauses//0' must be a JSON 404, not werkzeug's HTML redirect to a merged path.
    app.url_map.merge_slashes = False
    app.extensions[HOLDER] = engine if isinstance(engine, EngineHolder) else EngineHolder(engine)
    app.extensions[CONFIG] = config or Config()
    app.extensions[GATE] = SearchGate.for_engine(app.extensions[HOLDER].current, app.extensions[CONFIG])
    quiet_server_logs()
    app.jinja_env.filters["highlight"] = highlight
    app.context_processor(i18n.template_values)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(intel.bp)
    app.register_blueprint(admin.bp)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.after_request(_compress)
    app.teardown_request(_leave_gate)
    app.register_error_handler(PolicySearchError, _policy_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    _read_dictionary()
    return app


def _read_dictionary() -> None:
    """Read the dictionary that English questions' answers use (query/dictionary.py; ~0.7 s,
    once per process) in the background now, not during the first English question asked."""
    if not reverse_index.cache_info().currsize:
        threading.Thread(target=reverse_index, name="read-dictionary", daemon=True).start()


def _start_request() -> None:
    g.started = time.perf_counter()
    # GET handlers never read a body, so Flask would not enforce the limit by itself.
    if (request.content_length or 0) > MAX_CONTENT_LENGTH:
        raise RequestEntityTooLarge(f"request bodies are limited to {MAX_CONTENT_LENGTH} bytes")
    check_query_string(request.query_string)
    engine()  # taken once, now: a reload during the request does not change its index version
    if request.endpoint in EMBEDDING_ENDPOINTS and (request.path.startswith("/api/") or request.args.get("q")
                                                    or request.args.get("text") or request.args.get("clause")
                                                    or request.endpoint == "pages.similar"):
        gate = current_gate()
        if not gate.enter():
            raise OverloadedError(f"all {gate.slots} search slots are busy; retry in {OverloadedError.retry_after} s")
        g.gate = gate


def _leave_gate(_exc: BaseException | None) -> None:
    gate = g.pop("gate", None)
    if gate is not None:
        gate.leave()


def current_gate() -> SearchGate:
    return current_app.extensions[GATE]


class SearchGate:
    """Admission control for searches: at most `slots` run or wait for a query embedder at once;
    one more is refused at once (503 `overloaded`, Retry-After) rather than queued.

    Args: how many searches may be in flight.
    """

    def __init__(self, slots: int):
        self.slots = max(1, slots)
        self._free = threading.BoundedSemaphore(self.slots)

    @classmethod
    def for_engine(cls, engine: SearchEngine, config: Config) -> SearchGate:
        """Sized from the engine's embedder pool (one search embedding per instance, plus
        config.search_queue waiting each), leaving one request thread for everything
        else (documents, health checks, the 503s themselves)."""
        size = getattr(getattr(engine, "embedder", None), "size", 1)
        return cls(min(size * (1 + config.search_queue), max(1, config.server_threads - 1)))

    def enter(self) -> bool:
        """Take a slot if one is free. Returns: whether the search may run."""
        return self._free.acquire(blocking=False)

    def leave(self) -> None:
        self._free.release()


def _finish_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" or response.status_code >= 400:
        response.vary.add("Accept-Language")  # the interface's (and errors') language
    _cors(response)
    started = g.get("started")
    ms = (time.perf_counter() - started) * 1000 if started else 0.0
    log.info("method=%s path=%s status=%d ms=%.1f bytes=%s", one_line(request.method), one_line(request.path),
             response.status_code, ms, response.content_length or 0)
    return response


COMPRESS_MIN_BYTES = 1024  # below this gzip's header and the CPU cost outweigh the saving
COMPRESSED_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")


def _compress(response: Response) -> Response:
    """gzip text and JSON bodies of at least COMPRESS_MIN_BYTES when the client accepts it
    (only those vary with Accept-Encoding)."""
    if (response.status_code != 200 or "Content-Encoding" in response.headers or request.method == "HEAD"
            or not response.mimetype.startswith(COMPRESSED_TYPES)):
        return response
    response.direct_passthrough = False  # static files: read the file so it can be compressed
    body = response.get_data()
    if len(body) < COMPRESS_MIN_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    if "gzip" not in request.headers.get("Accept-Encoding", "").lower():
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:  # the gzip body is another representation than the file's
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response


def _cors(response: Response) -> None:
    """CORS is off unless config.cors_origins lists the origin (or '*')."""
    origin = request.headers.get("Origin")
    allowed = config().cors_origins
    if not origin or not allowed or not _is_json_path():
        return
    if "*" in allowed or origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers.add("Vary", "Origin")


def _is_json_path() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _wants_json_error() -> bool:
    if _is_json_path() or request.path.startswith("/admin/"):
        return True
    try:
        return wants_json(request.args)
    except UnicodeDecodeError:  # raw non-UTF-8 bytes in the query string: answered as a page
        return False


def _error(status: int, code: str, message: str, headers: dict | None = None):
    if _wants_json_error():
        response = jsonify({"error": {"code": code, "message": message}})
    else:
        response = Response(render_template("error.html", status=status, code=code, message=message),
                            mimetype="text/html")
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _policy_error(exc: PolicySearchError):
    if isinstance(exc, OverloadedError):
        return _error(exc.status, exc.code, i18n.t("overloaded", seconds=exc.retry_after),
                      {"Retry-After": str(exc.retry_after)})
    if exc.status >= 500:
        log.error("index error: %s", one_line(exc))
    return _error(exc.status, exc.code, i18n.error_message(exc))


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed",
               413: "request_too_large", 414: "uri_too_long", 431: "headers_too_large",
               500: "internal_error", 501: "not_implemented"}


def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 404:
        message = (f"nothing at {request.path}: see /api/documents, /api/search?q=… and docs/API.md"
                   if _wants_json_error() and i18n.language() == "en" else i18n.t("no_such_path", path=request.path))
    allowed = getattr(exc, "valid_methods", None)
    if status == 405:
        message = i18n.t("method_not_allowed", method=request.method, allowed=" or ".join(allowed or ["GET"]))
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    return _error(status, _HTTP_CODES.get(status, "http_error"), message, headers)


def _unexpected_error(exc: Exception):
    log.exception("unhandled error on %s %s", one_line(request.method), one_line(request.path))
    return _error(500, "internal_error", i18n.t("internal_error"))


class _ErrorTask(ErrorTask):
    """What waitress answers by itself, before the app sees a request (a malformed request line
    400, headers over 256 KiB 431, a body over its limit 413, an unsupported Transfer-Encoding
    501, a crash 500): the API's JSON error shape and the security headers, like every other
    response. The path is often unknown here (a 431 is parsed as 'GET /'), so it is always JSON."""

    def execute(self) -> None:
        error = self.request.error
        message = f"{error.reason}: {error.body}" if error.body else error.reason
        body = json.dumps({"error": {"code": _HTTP_CODES.get(error.code, "http_error"), "message": message}},
                          ensure_ascii=False).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json; charset=utf-8"),
                                      *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
        log.info("method=%s path=%s status=%d ms=0.0 bytes=%d (answered by waitress: %s)",
                 one_line(self.request.command or "-"), one_line(self.request.path or "-"), error.code,
                 len(body), one_line(error.body))


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask


def make_server(app: Flask, host: str, port: int, threads: int = SERVER_THREADS):
    """A waitress server for the app, not yet running (port 0 picks a free port: read
    `server.effective_port`). Tests and benchmarks use this; `serve` runs it."""
    from waitress import create_server

    sockets: dict = {}
    server = create_server(app, map=sockets, host=host, port=port, threads=threads, ident="policy-search",
                           max_request_body_size=MAX_CONTENT_LENGTH * 16, connection_limit=CONNECTION_LIMIT,
                           clear_untrusted_proxy_headers=True)
    # One listening server per address (several for a name like 'localhost'), all in `sockets`.
    for listener in [*sockets.values(), server]:
        if hasattr(listener, "channel_class"):
            listener.channel_class = _Channel
    return server


class _OneLine(logging.Filter):
    """Logs of request paths and other client-chosen values stay one line each (`one_line`):
    '/api/x%0aINFO …' must not forge a second log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = one_line(message)
        if safe != message:
            record.msg, record.args = safe, ()
        return True


class _QueueDepth(logging.Filter):
    """waitress warns 'Task queue depth is N' for every request that waits for a thread: under
    load thousands of lines. Let one through every QUEUE_WARNING_SECONDS, with the peak depth."""

    def __init__(self) -> None:
        super().__init__()
        self.last, self.peak, self.hidden = 0.0, 0, 0

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        self.peak = max(self.peak, depth if isinstance(depth, int) else 0)
        now = time.monotonic()
        if now - self.last < QUEUE_WARNING_SECONDS:
            self.hidden += 1
            return False
        if self.hidden:
            record.msg = "Task queue depth is %d (peak %d; %d such warnings in the last %.0f s not shown)"
            record.args = (depth, self.peak, self.hidden, now - self.last)
        self.last, self.peak, self.hidden = now, 0, 0
        return True


def quiet_server_logs() -> None:
    """Install the log filters above (once per process)."""
    for name in ("policy_search.http", "policy_search.reload", "waitress", "waitress.queue"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _OneLine) for f in logger.filters):
            logger.addFilter(_OneLine())
    queue = logging.getLogger("waitress.queue")
    if not any(isinstance(f, _QueueDepth) for f in queue.filters):
        queue.addFilter(_QueueDepth())


def stop_server(server, timeout: float = 5.0) -> None:
    """Stop a server from `make_server` whose `run()` is looping in another thread. The sockets
    are closed inside the server's own loop (closing them under a running select() fails)."""

    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_all)
    server.task_dispatcher.shutdown(timeout=timeout)


def serve(app: Flask, config: Config) -> None:
    """Serve until interrupted, logging one line per request and picking up newly published
    index versions every config.reload_seconds."""
    log.setLevel(logging.INFO)
    logging.getLogger("policy_search.reload").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    holder = app.extensions[HOLDER]
    holder.current.search("科技创新", 1)  # loads the model's lazy parts before the first user waits
    holder.start_watching(config.reload_seconds)
    server = make_server(app, config.host, config.port, config.server_threads)
    log.info("serving %s on http://%s:%s/ (checking for new index versions every %ss)",
             holder.current.version.name, config.host, server.effective_port, config.reload_seconds)
    try:
        server.run()
    finally:
        holder.stop_watching()
