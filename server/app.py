"""The application factory and the production server.

`create_app(engine, config)` wires the blueprints to an engine opened once at start-up (held
by an EngineHolder, which swaps in newly published index versions: reload.py);
`serve(app, config)` runs it under waitress, bound to 127.0.0.1 unless told otherwise.
Every response gets the security headers, every request one log line, and every error on
/api/ (or with ?format=json) the JSON shape {"error": {"code", "message"}}.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from indexer.config import Config
from indexer.errors import PolicySearchError
from indexer.query.engine import SearchEngine

from . import admin, api, pages
from .context import CONFIG, HOLDER, config, engine
from .markup import highlight
from .params import check_query_string, wants_json
from .reload import EngineHolder

log = logging.getLogger("policy_search.http")

MAX_CONTENT_LENGTH = 64 * 1024  # the API only reads query strings; any sizeable body is a mistake
SERVER_THREADS = 4
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
    app.jinja_env.filters["highlight"] = highlight
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_error_handler(PolicySearchError, _policy_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _start_request() -> None:
    g.started = time.perf_counter()
    # GET handlers never read a body, so Flask would not enforce the limit by itself.
    if (request.content_length or 0) > MAX_CONTENT_LENGTH:
        raise RequestEntityTooLarge(f"request bodies are limited to {MAX_CONTENT_LENGTH} bytes")
    check_query_string(request.query_string)
    engine()  # taken once, now: a reload during the request does not change its index version


def _finish_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    _cors(response)
    started = g.get("started")
    ms = (time.perf_counter() - started) * 1000 if started else 0.0
    log.info("method=%s path=%s status=%d ms=%.1f bytes=%s", request.method, request.path,
             response.status_code, ms, response.content_length or 0)
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
    if exc.status >= 500:
        log.error("index error: %s", exc)
    return _error(exc.status, exc.code, str(exc))


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed",
               413: "request_too_large", 414: "uri_too_long", 431: "headers_too_large"}


def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 404:
        message = (f"nothing at {request.path}: see /api/documents, /api/search?q=… and docs/API.md"
                   if _wants_json_error() else f"地址 {request.path} 不存在。")
    allowed = getattr(exc, "valid_methods", None)
    if status == 405:
        message = f"{request.method} is not allowed here; use {' or '.join(allowed or ['GET'])}"
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    return _error(status, _HTTP_CODES.get(status, "http_error"), message, headers)


def _unexpected_error(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error(500, "internal_error", "the server failed to answer this request; it has been logged")


def make_server(app: Flask, host: str, port: int, threads: int = SERVER_THREADS):
    """A waitress server for the app, not yet running (port 0 picks a free port: read
    `server.effective_port`). Tests and benchmarks use this; `serve` runs it."""
    from waitress import create_server

    return create_server(app, host=host, port=port, threads=threads, ident="policy-search",
                         max_request_body_size=MAX_CONTENT_LENGTH * 16,
                         clear_untrusted_proxy_headers=True)


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
