"""The HTML pages: search (/), compare (/compare), documents (/documents, /documents/<id>),
similar clauses (/similar/<clause id>, /similar?text=…) and two clauses side by side
(/similar/compare?a=&b=). Each renders a dict from payloads.py and answers ?format=json with
that same dict; the result lists also download as ?format=csv|xlsx (exports.py).
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from flask import Blueprint, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from indexer.errors import NotFoundError, QueryError
from indexer.query.filters import Filters
from indexer.query.request import MAX_K, SCOPES
from indexer.query.shapes import SORTS
from indexer.query.units import unit_url

from . import i18n, params, payloads
from .context import engine
from .exports import FORMATS, hit_sheet, page_format, sheet_name, sheet_response
from .markup import document_pieces, match_ranges, table_of_contents, with_headings

bp = Blueprint("pages", __name__)

EXAMPLES = {"zh": ("孵化器由哪个部门负责", "科技特派员", "研发费用加计扣除", "海洋科技创新平台",
                   "who is responsible for technology transfer"),
            "en": ("who is responsible for technology business incubators", "technology commissioners",
                   "R&D expense deduction", "marine science and technology innovation platforms",
                   "孵化器由哪个部门负责")}
MAX_FIND_CHARS = 100


FORM_FIELDS = ("q", "region", "issuer", "year_from", "year_to", "by", "status", "as_of", "sort", "k")
FILTER_FIELDS = ("region", "issuer", "year_from", "year_to", "status")  # what "widen the filters" can widen
STATUSES = ("in_force", "expired", "not_yet", "unknown")
MAX_FACET_VALUES = 12  # per facet, most frequent first: more is a list to read, not a filter to click
# A facet of the results -> the catalogue key of its name and the filter a click applies.
FACET_FILTERS = {"region": ("region", ("region",)), "issuer": ("issuer", ("issuer",)),
                 "year": ("year", ("year_from", "year_to")), "status": ("validity", ("status",)),
                 "lead": ("lead", ())}


# Calibrated relevance (the chance a clause answers) -> the level a result shows: floor, level.
RELEVANCE_LEVELS = ((0.7, "high"), (0.3, "mid"))


@bp.app_template_global()
def relevance_level(hit: dict) -> str:
    """The level a hit's relevance is shown as. Args: a hit with `relevance` and `relevant`.
    Returns: 'high', 'mid' or 'low' for a relevant hit, 'maybe' for one below the threshold."""
    if not hit.get("relevant"):
        return "maybe"
    return next((level for floor, level in RELEVANCE_LEVELS if hit["relevance"] >= floor), "low")


@bp.app_template_global()
def preferred_places(payload: dict) -> list[dict]:
    """The places, organs and document numbers the question named (`preferred`), each with
    whether a result on this page comes from it: its document's region, issuer or 文号 contains
    the name.

    Args: a search payload. Returns: [{"name", "found"}] in the payload's order."""
    where = [f"{hit['document'].get('region') or ''} {hit['document'].get('issuer') or ''} "
             f"{hit['document'].get('doc_number') or ''}" for hit in payload.get("results") or []]
    return [{"name": name, "found": any(name in w for w in where)} for name in payload.get("preferred") or []]


@bp.get("/")
def search():
    """Search page; without a question it shows the box, examples and the indexed documents.
    Results come a page at a time (offset, k), by relevance or date."""
    return _question_page(
        "search.html", "/api/search",
        lambda args: payloads.search_payload(engine(), params.query_param(args), params.k_param(args),
                                             params.filters_param(args), params.offset_param(args),
                                             params.sort_param(args)),
        lambda payload: (sheet_name("search", payload["query"]), hit_sheet(payload["results"], payload["offset"] + 1)),
        documents=engine().documents, sorts=SORTS,
        compare_url="/compare?" + _query_string(request.args, drop=("k", "offset", "sort")))


@bp.get("/compare")
def compare():
    """The best clause per document (or region) side by side."""
    return _question_page(
        "compare.html", "/api/compare",
        lambda args: payloads.compare_payload(engine(), params.query_param(args),
                                              params.filters_param(args), params.group_param(args)),
        lambda payload: (sheet_name("compare", payload["query"]), hit_sheet([c["hit"] for c in payload["columns"]])),
        search_url="/?" + _query_string(request.args, drop=("by",)))


def _question_page(template: str, twin: str, answer: Callable[[MultiDict], dict],
                   sheet: Callable[[dict], tuple], **extra):
    """A page that answers a question: the form alone until one is asked, then the results;
    the payload itself for ?format=json, its results as a sheet for csv or xlsx. A bad
    question is shown on the page (HTML) or raised to the JSON error handler.

    Args: the template, the page's /api/ twin, the payload builder, the sheet builder
    (payload -> (file name, (header, rows))), extra template values. Returns: the response.
    """
    args = request.args
    fmt = page_format(args)
    context = {"form": {name: args.get(name, "") for name in FORM_FIELDS}, "statuses": STATUSES,
               "facets": payloads.facets(engine()), "examples": EXAMPLES[i18n.language()],
               "payload": None, "error": None, "json_url": None, **extra}
    if fmt == "html" and not args.get("q", "").strip():
        return render_template(template, **context)
    try:
        payload = answer(args)
    except QueryError as exc:
        if fmt != "html":
            raise
        return render_template(template, **{**context, "error": i18n.error_message(exc)}), exc.status
    if fmt == "json":
        return jsonify(payload)
    if fmt in FORMATS:
        name, (header, rows) = sheet(payload)
        return sheet_response(fmt, name, header, rows)
    return render_template(template, **{**context, "payload": payload, "json_url": f"{twin}?{_query_string(args)}",
                                        "exports": {f: _here(args, format=f) for f in FORMATS},
                                        "pager": _pager(payload, args), "refine": _refine(payload, args),
                                        "filtered": any(args.get(f) for f in FILTER_FIELDS)})


def _here(args: MultiDict, **changes) -> str:
    """This page's URL with some parameters changed (an empty value drops one)."""
    pairs = [(k, v) for k, v in args.items(multi=True) if v and k not in changes and k != "format"]
    pairs += [(k, str(v)) for k, v in changes.items() if v not in ("", None)]
    return f"{request.path}?{urlencode(pairs)}"


def _pager(payload: dict, args: MultiDict) -> dict | None:
    """Links to the previous and next page of a search (None for a page without them): the
    next page is shortened where it would end beyond MAX_K results; a search with no relevant
    clause has no next page (more of the nearest clauses answer nothing)."""
    if "offset" not in payload:
        return None
    offset, k, shown = payload["offset"], payload["k"], len(payload["results"])
    following = min(k, MAX_K - offset - k)
    pager = {"start": offset + 1, "end": offset + shown,
             "previous": _here(args, offset=max(0, offset - k) or "") if offset else None,
             "next": _here(args, offset=offset + k, k=following if following != k else args.get("k", ""))
             if payload["has_more"] and following > 0 and payload.get("relevant_count", 1) else None}
    return pager if pager["previous"] or pager["next"] else None


def _refine(payload: dict, args: MultiDict) -> list[dict]:
    """The facets of a search as links that apply (or, when applied, remove) one filter; a lead
    unit links to its unit page. Returns: [{"name", "label", "values": [{"value", "label",
    "count", "url", "active"}]}] for the facets with more than one value or an applied filter."""
    groups = []
    for name, values in (payload.get("facets") or {}).items():
        label, filters = FACET_FILTERS.get(name, (name, ()))
        items = []
        for item in values[:MAX_FACET_VALUES]:
            value = str(item["value"])
            active = bool(filters) and all(args.get(f, "") == value for f in filters)
            if not filters:
                url = i18n.page_url(unit_url(value))
            else:
                url = _here(args, offset="", **{f: "" if active else value for f in filters})
            items.append({"value": value, "count": item["count"], "url": url, "active": active,
                          "label": i18n.t(f"status_{value}") if name == "status" else value})
        if len(items) > 1 or any(i["active"] for i in items) or (items and not filters):
            groups.append({"name": name, "label": i18n.t(label), "values": items})
    return groups


@bp.get("/documents")
def documents():
    payload = payloads.documents_payload(engine())
    if params.wants_json(request.args):
        return jsonify(payload)
    return render_template("documents.html", payload=payload, json_url="/api/documents")


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """The whole document; each clause is an element with id=<clause id> for #links. Opened
    from a search (?q=) the question's terms are marked; ?find= marks a text in the document."""
    try:
        payload = payloads.document_payload(engine(), doc_id)
    except NotFoundError:  # said with its message key, so the page can say it in either language
        raise NotFoundError("no_document", value=doc_id) from None
    if params.wants_json(request.args):
        return jsonify(payload)
    q = params.text_param(request.args, "q")
    find = params.text_param(request.args, "find")[:MAX_FIND_CHARS]
    toc = table_of_contents(payload["text"], payload["clauses"])
    return render_template("document.html", doc=payload, q=q, find=find, terms=_document_terms(q), toc=toc,
                           find_count=len(match_ranges(payload["text"], [find])) if find else 0,
                           pieces=with_headings(document_pieces(payload["text"], payload["clauses"]), toc),
                           json_url=payload["api_url"])


def _document_terms(q: str) -> list[str]:
    """The words of a question as BM25 reads them (single characters left out: they would mark
    half the document)."""
    if not q:
        return []
    try:
        tokens = engine().lexical_query(engine().parse_query(q, 1, Filters())).tokens
    except QueryError:
        return []
    return [t for t in dict.fromkeys(tokens) if len(t) > 1]


@bp.get("/similar/<clause_id>")
def similar(clause_id: str):
    """Clauses like one clause, in a chosen scope: the page 相似条款 opens without JavaScript."""
    args = request.args
    k, scope = params.k_param(args, params.DEFAULT_SIMILAR_K), params.scope_param(args)
    try:
        payload = payloads.similar_payload(engine(), clause_id, k, scope, filters=params.filters_param(args))
    except NotFoundError:
        raise NotFoundError("no_clause", value=clause_id) from None
    if params.wants_json(args):
        return jsonify(payload)
    return _similar_page(payload, payloads.clause_payload(engine(), clause_id),
                         f"/api/clauses/{quote(clause_id, safe=':~')}/similar?{_query_string(args)}")


@bp.get("/similar")
def similar_text():
    """Clauses like a pasted passage (?text=, up to 10,000 characters): the form alone until a
    text is given; ?format=json is /api/similar's body."""
    args = request.args
    text = params.pasted_text_param(args)
    if text is None and not params.wants_json(args):
        return render_template("similar.html", payload=None, source=None, groups=[], scopes=SCOPES, form=_form(args),
                               facets=payloads.facets(engine()), json_url=None)
    payload = payloads.similar_payload(engine(), args.get("clause") or None,
                                       params.k_param(args, params.DEFAULT_SIMILAR_K), params.scope_param(args),
                                       text=text, filters=params.filters_param(args))
    if params.wants_json(args):
        return jsonify(payload)
    return _similar_page(payload, None, f"/api/similar?{_query_string(args)}")


def _similar_page(payload: dict, source: dict | None, json_url: str):
    return render_template("similar.html", payload=payload, source=source, groups=copy_groups(payload["results"]),
                           scopes=SCOPES, form=_form(request.args), facets=payloads.facets(engine()),
                           json_url=json_url)


def _form(args: MultiDict) -> dict:
    return {name: args.get(name, "") for name in (*FORM_FIELDS, "text", "scope")}


def copy_groups(results: list[dict]) -> list[dict]:
    """Similar results as groups: a result, then the results that copy it (near_duplicate_of
    its id), so a province's copy of a measure is read right after the measure.

    Args: similar results (payloads.similar_payload). Returns: [{"hit", "copies": [hit…]}] in
    the results' order; a copy of the source itself (or of a result not shown) leads its own group.
    """
    groups: dict[str, dict] = {}
    for hit in results:
        lead = groups.get(hit.get("near_duplicate_of") or "")
        if lead is not None:
            lead["copies"].append(hit)
        else:
            groups[hit["id"]] = {"hit": hit, "copies": []}
    return list(groups.values())


@bp.get("/similar/compare")
def side_by_side():
    """Two clauses (?a=, ?b=: clause ids) side by side, the phrases they share marked."""
    args = request.args
    a, b = params.clause_param(args, "a"), params.clause_param(args, "b")
    for clause_id in (a, b):  # said with its message key, naming the clause that is not there
        try:
            engine().row(clause_id)
        except NotFoundError:
            raise NotFoundError("no_clause", value=clause_id) from None
    payload = payloads.side_by_side_payload(engine(), a, b)
    if params.wants_json(args):
        return jsonify(payload)
    return render_template("side_by_side.html", payload=payload,
                           json_url=f"/api/similar/compare?{_query_string(args)}")


def _query_string(args, drop: tuple[str, ...] = ()) -> str:
    """The request's parameters for a twin link, without empty values and `format`."""
    return urlencode([(k, v) for k, v in args.items(multi=True)
                      if v and k != "format" and k not in drop])
