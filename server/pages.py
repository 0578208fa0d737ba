"""The HTML pages: search (/), compare (/compare), documents (/documents, /documents/<id>).
Each renders a dict from payloads.py and answers ?format=json with that same dict.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError

from . import params, payloads
from .context import engine
from .markup import document_pieces

bp = Blueprint("pages", __name__)

EXAMPLES = ("孵化器由哪个部门负责", "科技特派员", "研发费用加计扣除", "海洋科技创新平台",
            "who is responsible for technology transfer")


FORM_FIELDS = ("q", "region", "issuer", "year_from", "year_to", "by")


@bp.get("/")
def search():
    """Search page; without a question it shows the box, examples and the indexed documents."""
    return _question_page(
        "search.html", "/api/search",
        lambda args: payloads.search_payload(engine(), params.query_param(args), params.k_param(args),
                                             params.filters_param(args)),
        documents=engine().documents, compare_url="/compare?" + _query_string(request.args, drop=("k",)))


@bp.get("/compare")
def compare():
    """The best clause per document (or region) side by side."""
    return _question_page(
        "compare.html", "/api/compare",
        lambda args: payloads.compare_payload(engine(), params.query_param(args),
                                              params.filters_param(args), params.group_param(args)),
        search_url="/?" + _query_string(request.args, drop=("by",)))


def _question_page(template: str, twin: str, answer: Callable[[MultiDict], dict], **extra):
    """A page that answers a question: the form alone until one is asked, then the results;
    the payload itself for ?format=json. A bad question is shown on the page (HTML) or raised
    to the JSON error handler.

    Args: the template, the page's /api/ twin, the payload builder, extra template values.
    Returns: the response.
    """
    args = request.args
    context = {"form": {name: args.get(name, "") for name in FORM_FIELDS},
               "facets": payloads.facets(engine()), "examples": EXAMPLES,
               "payload": None, "error": None, "json_url": None, **extra}
    if not (params.wants_json(args) or args.get("q", "").strip()):
        return render_template(template, **context)
    try:
        payload = answer(args)
    except QueryError as exc:
        if params.wants_json(args):
            raise
        return render_template(template, **{**context, "error": str(exc)}), exc.status
    if params.wants_json(args):
        return jsonify(payload)
    return render_template(template, **{**context, "payload": payload,
                                        "json_url": f"{twin}?{_query_string(args)}"})


@bp.get("/documents")
def documents():
    payload = payloads.documents_payload(engine())
    if params.wants_json(request.args):
        return jsonify(payload)
    return render_template("documents.html", payload=payload, json_url="/api/documents")


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """The whole document; each clause is an element with id=<clause id> for #links."""
    payload = payloads.document_payload(engine(), doc_id)
    if params.wants_json(request.args):
        return jsonify(payload)
    return render_template("document.html", doc=payload,
                           pieces=document_pieces(payload["text"], payload["clauses"]),
                           json_url=payload["api_url"])


def _query_string(args, drop: tuple[str, ...] = ()) -> str:
    """The request's parameters for a twin link, without empty values and `format`."""
    return urlencode([(k, v) for k, v in args.items(multi=True)
                      if v and k != "format" and k not in drop])
