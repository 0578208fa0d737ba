"""The JSON API: /api/search, /api/compare, /api/clauses/<id>[/similar], /api/similar[/compare],
/api/documents[/<id>],
/healthz. Shapes are in payloads.py and documented in docs/API.md.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from indexer.index import store

from . import params, payloads
from .context import engine, holder

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    args = request.args
    return jsonify(payloads.search_payload(engine(), params.query_param(args), params.k_param(args),
                                           params.filters_param(args), params.offset_param(args),
                                           params.sort_param(args)))


@bp.get("/api/compare")
def compare():
    return jsonify(payloads.compare_payload(engine(), params.query_param(request.args),
                                            params.filters_param(request.args),
                                            params.group_param(request.args)))


@bp.get("/api/clauses/<clause_id>")
def clause(clause_id: str):
    return jsonify(payloads.clause_payload(engine(), clause_id))


@bp.get("/api/clauses/<clause_id>/similar")
def similar(clause_id: str):
    return jsonify(payloads.similar_payload(
        engine(), clause_id, params.k_param(request.args, params.DEFAULT_SIMILAR_K),
        params.scope_param(request.args), filters=params.filters_param(request.args)))


@bp.get("/api/similar")
def similar_text():
    """Clauses similar to a pasted passage (`text`, up to 10,000 characters), or to a clause
    (`clause`), with the scopes and filters of search."""
    args = request.args
    return jsonify(payloads.similar_payload(
        engine(), args.get("clause") or None, params.k_param(args, params.DEFAULT_SIMILAR_K),
        params.scope_param(args), text=params.pasted_text_param(args), filters=params.filters_param(args)))


@bp.get("/api/similar/compare")
def side_by_side():
    """Two clauses side by side with their shared phrases (`a`, `b`: clause ids)."""
    return jsonify(payloads.side_by_side_payload(engine(), params.clause_param(request.args, "a"),
                                                 params.clause_param(request.args, "b")))


@bp.get("/api/documents")
def documents():
    return jsonify(payloads.documents_payload(engine()))


@bp.get("/api/documents/<doc_id>")
def document(doc_id: str):
    return jsonify(payloads.document_payload(engine(), doc_id))


@bp.get("/healthz")
def healthz():
    """200 while the served version can be read from disk; 503 (index_error) once its files
    are gone, not the size they were built with, or corrupt. `?deep=1` also compares every
    file with its checksum in the manifest (reads the whole version: `files_checked` says how
    many). `reload_error` says why a newly published version was not taken."""
    served = engine()
    deep = params.flag_param(request.args, "deep")
    manifest = store.check_version(served.version, deep=deep)
    extra = {"files_checked": len(manifest.get(store.FILES) or {})} if deep else {}
    return jsonify({**served.health(), "reload_error": holder().last_error, **extra})
