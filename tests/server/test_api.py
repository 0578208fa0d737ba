"""The HTTP API and pages, specified against the real app under waitress on the seed corpus."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from indexer.config import Config
from server.app import create_app

INCUBATOR_QUESTION = "孵化器由哪个部门负责"
WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = "zhejiang-kjt-2015-work-points:h3.n13"
SEED_DOCUMENTS = {
    "chenzhou-2012-county-tech-action-plan", "shengsi-2023-innovation-system-plan",
    "zhejiang-2019-county-innovation-opinions", "zhejiang-kjt-2015-support-26-counties",
    WORK_POINTS,
}
HIT_KEYS = {"id", "text", "score", "relevance", "relevant", "section", "label", "responsibility", "document", "citation",
            "url", "span", "pages", "terms", "ids", "also_in", "answer_span", "validity"}
SIMILAR_KEYS = HIT_KEYS | {"piece", "near_duplicate_of", "copy", "shared_terms"}
DOCUMENT_KEYS = {"id", "title", "doc_number", "issuer", "issuers", "kind", "region", "date"}
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'"


def path(base: str, **params) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def assert_json_error(reply, status: int, code: str | None = None) -> dict:
    """An error is JSON {"error": {"code", "message"}} with the given status, never HTML."""
    assert reply.status == status, reply.text[:300]
    assert reply.headers["Content-Type"].startswith("application/json")
    error = reply.json()["error"]
    assert set(error) == {"code", "message"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.fixture(scope="module")
def incubator(live_server):
    reply = live_server.get(path("/api/search", q=INCUBATOR_QUESTION))
    assert reply.status == 200
    return reply


# ----- /api/search ------------------------------------------------------------------------------
def test_search_answers_the_incubator_who_question_with_gaoxinchu(incubator):
    data = incubator.json()
    assert list(data)[:3] == ["query", "took_ms", "timings"]
    assert data["query"] == INCUBATOR_QUESTION
    assert isinstance(data["took_ms"], (int, float)) and data["took_ms"] > 0
    assert set(data["timings"]) == {"embed_ms", "dense_ms", "lexical_ms", "lexical_wait_ms", "fusion_ms",
                                    "relevance_ms"}
    answer = data["answer"]
    assert answer["kind"] == "responsibility"
    assert set(answer) == {"kind", "lead", "cooperating", "persons", "clauses", "groups", "sources"}
    # One group per document: the 2015 work points' group names 高新处 for its item 13.
    group = next(g for g in answer["groups"] if g["document"]["id"] == WORK_POINTS)
    gaoxinchu = next(p for p in group["lead"] if p["name"] == "高新处")
    assert WORK_POINTS_13 in gaoxinchu["clauses"] and gaoxinchu["source"] == "note"
    assert group["document"]["region"] == "浙江省" and group["document"]["year"] == 2015
    lead = {party["name"]: party["clauses"] for party in answer["lead"]}
    assert "高新处" in lead
    support = {hit["id"]: hit for hit in data["results"]}[lead["高新处"][0]]
    assert support["id"] == WORK_POINTS_13
    assert "《省科技厅2015年工作要点及责任分解》" in support["citation"]
    assert "13．" in support["citation"]
    assert set(answer["clauses"]) <= {hit["id"] for hit in data["results"]}


def test_search_json_is_utf8_without_ascii_escapes(incubator):
    assert incubator.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "高新处" in incubator.text
    assert "\\u" not in incubator.text


def test_every_hit_has_the_documented_shape(incubator):
    results = incubator.json()["results"]
    assert len(results) == 10
    for hit in results:
        assert set(hit) == HIT_KEYS
        assert set(hit["document"]) == DOCUMENT_KEYS
        assert set(hit["responsibility"]) == {"lead", "cooperating", "persons", "from_text"}
        assert set(hit["validity"]) == {"effective_from", "effective_to", "basis", "status"}
        assert hit["document"]["id"] in SEED_DOCUMENTS
        assert hit["url"] == f"/documents/{hit['document']['id']}#{hit['id']}"
        assert hit["citation"].startswith(f"《{hit['document']['title']}》")
        assert isinstance(hit["score"], float)
        assert all(isinstance(label, str) for label in hit["section"])
    # Relevant results first (the engine's order: tests/query/test_relevance.py), then the others
    # in rank order.
    relevant = [hit["relevant"] for hit in results]
    assert relevant == sorted(relevant, reverse=True)
    scores = [hit["score"] for hit in results if not hit["relevant"]]
    assert scores == sorted(scores, reverse=True)
    top = results[0]
    assert top["id"] == WORK_POINTS_13
    assert top["label"] == "13．"
    assert top["responsibility"]["lead"] == ["高新处"]
    assert top["document"] == {"id": WORK_POINTS, "title": "省科技厅2015年工作要点及责任分解",
                               "doc_number": "", "issuer": "浙江省科学技术厅", "issuers": ["浙江省科学技术厅"],
                               "kind": "notice", "region": "浙江省", "date": "2015-01-22"}
    assert top["validity"]["status"] == "expired"  # a 2015 work plan, read as of today
    assert "孵化器" in top["terms"]


def test_a_question_that_asks_for_no_one_has_no_answer_card(live_server):
    data = live_server.get(path("/api/search", q="科技特派员", k=3)).json()
    assert data["answer"] is None
    assert 1 <= len(data["results"]) <= 3
    assert any("科技特派员" in hit["text"] for hit in data["results"])


@pytest.mark.parametrize("params, check", [
    ({"region": "湖南省"}, lambda hit: "湖南省" in hit["document"]["region"]),
    ({"region": "浙江省·舟山市"}, lambda hit: hit["document"]["region"].startswith("浙江省·舟山市")),
    ({"issuer": "浙江省科学技术厅"}, lambda hit: hit["document"]["issuer"] == "浙江省科学技术厅"),
    ({"doc": WORK_POINTS}, lambda hit: hit["document"]["id"] == WORK_POINTS),
    ({"year_from": "2019", "year_to": "2023"}, lambda hit: "2019" <= hit["document"]["date"][:4] <= "2023"),
])
def test_filters_restrict_results(live_server, params, check):
    data = live_server.get(path("/api/search", q="科技创新平台建设", **params)).json()
    assert data["results"], params
    assert all(check(hit) for hit in data["results"])
    for name, value in params.items():
        echoed = data["filters"][name]
        assert echoed == ([value] if name == "doc" else int(value) if name.startswith("year") else value)


def test_k_limits_the_number_of_results(live_server):
    assert len(live_server.get(path("/api/search", q="孵化器", k=2)).json()["results"]) == 2


# ----- /api/clauses -----------------------------------------------------------------------------
def test_clause_is_the_hit_plus_its_neighbours(live_server, incubator):
    data = live_server.get(f"/api/clauses/{WORK_POINTS_13}").json()
    assert set(data) == HIT_KEYS | {"neighbours"}
    assert data["score"] is None
    searched = incubator.json()["results"][0]
    for key in HIT_KEYS - {"score", "terms", "relevance", "relevant"}:
        assert data[key] == searched[key], key
    assert data["neighbours"] == {"previous": "zhejiang-kjt-2015-work-points:h3.n12",
                                  "next": "zhejiang-kjt-2015-work-points:h4.n14"}


def test_similar_clauses_come_from_other_documents(live_server):
    data = live_server.get(f"/api/clauses/{WORK_POINTS_13}/similar").json()
    assert data["clause"] == WORK_POINTS_13 and data["scope"] == "other-documents"
    assert 1 <= len(data["results"]) <= 5 + sum(hit["copy"] for hit in data["results"])
    for hit in data["results"]:
        assert set(hit) == SIMILAR_KEYS
        assert hit["document"]["id"] != WORK_POINTS
    assert "孵化" in data["results"][0]["text"]


def test_similar_scopes_and_k(live_server):
    anywhere = live_server.get(path(f"/api/clauses/{WORK_POINTS_13}/similar", k=8, scope="all")).json()
    assert 8 <= len(anywhere["results"]) <= 8 + sum(hit["copy"] for hit in anywhere["results"])
    assert WORK_POINTS_13 not in {hit["id"] for hit in anywhere["results"]}
    regions = live_server.get(path(f"/api/clauses/{WORK_POINTS_13}/similar", scope="other-regions")).json()
    assert all(hit["document"]["region"] != "浙江省" for hit in regions["results"])


# ----- /api/documents, /healthz -----------------------------------------------------------------
def test_documents_lists_the_five_seed_documents_with_clause_counts(live_server):
    data = live_server.get("/api/documents").json()
    assert data["count"] == 5
    assert {doc["id"] for doc in data["documents"]} == SEED_DOCUMENTS
    health = live_server.get("/healthz").json()
    assert sum(doc["clause_count"] for doc in data["documents"]) == health["clauses"]
    work_points = next(doc for doc in data["documents"] if doc["id"] == WORK_POINTS)
    assert work_points["clause_count"] > 0
    assert work_points["url"] == f"/documents/{WORK_POINTS}"
    assert work_points["api_url"] == f"/api/documents/{WORK_POINTS}"
    assert DOCUMENT_KEYS <= set(work_points)
    assert "湖南省·郴州市" in data["facets"]["regions"]
    assert "浙江省科学技术厅" in data["facets"]["issuers"]
    assert 2015 in data["facets"]["years"]


def test_document_has_metadata_text_and_clause_spans(live_server):
    data = live_server.get(f"/api/documents/{WORK_POINTS}").json()
    assert data["title"] == "省科技厅2015年工作要点及责任分解"
    assert len(data["clauses"]) == data["clause_count"]
    clause = next(c for c in data["clauses"] if c["id"] == WORK_POINTS_13)
    start, end = clause["span"]
    assert data["text"][start:end].startswith("13.加强科技企业孵化器建设")
    assert "13．" in clause["citation"]
    assert clause["responsibility"]["lead"] == ["高新处"]
    starts = [c["span"][0] for c in data["clauses"]]
    assert starts == sorted(starts)


def test_healthz_reports_version_model_and_counts(live_server):
    data = live_server.get("/healthz").json()
    assert data["status"] == "ok"
    assert data["version"].startswith("v")
    assert data["model"] == "multilingual-e5-small"
    assert data["documents"] == 5
    assert data["clauses"] > 100
    assert data["relevance_calibrated"] is True  # calibration.json was fitted for this model


# ----- /api/compare -------------------------------------------------------------------------------
def test_compare_gives_the_best_clause_of_each_document(live_server):
    data = live_server.get(path("/api/compare", q="科技特派员")).json()
    keys = [column["key"] for column in data["columns"]]
    assert len(keys) == len(set(keys)) == 5
    assert set(keys) == SEED_DOCUMENTS
    for column in data["columns"]:
        assert column["hit"]["document"]["id"] == column["key"]
    by_region = live_server.get(path("/api/compare", q="科技特派员", by="region")).json()
    regions = [column["region"] for column in by_region["columns"]]
    assert len(regions) == len(set(regions))
    assert {"浙江省", "湖南省·郴州市"} <= set(regions)


# ----- pages and their JSON twins ------------------------------------------------------------------
def test_search_page_shows_the_answer_card_and_citations(live_server):
    reply = live_server.get(path("/", q=INCUBATOR_QUESTION))
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    html = reply.text
    answer = html[html.index('class="answer"'):html.index('class="results"')]
    assert "高新处" in answer
    assert "《省科技厅2015年工作要点及责任分解》三、13．" in html
    assert f'data-similar="{WORK_POINTS_13}"' in html
    assert "<mark>孵化器</mark>" in html
    assert f'href="/api/search?{urlencode({"q": INCUBATOR_QUESTION})}"' in html
    assert f'value="{INCUBATOR_QUESTION}"' in html  # the query stays in the box and the URL


def test_document_page_renders_each_clause_as_an_element_with_its_id(live_server):
    clauses = live_server.get(f"/api/documents/{WORK_POINTS}").json()["clauses"]
    html = live_server.get(f"/documents/{WORK_POINTS}").text
    assert f'<span class="clause" id="{WORK_POINTS_13}"' in html
    assert html.count('<span class="clause" id=') == len(clauses)
    assert "<h1 class=\"doc-title\">省科技厅2015年工作要点及责任分解</h1>" in html


@pytest.mark.parametrize("page, twin", [
    (path("/", q=INCUBATOR_QUESTION, format="json"), path("/api/search", q=INCUBATOR_QUESTION)),
    (path("/compare", q="科技特派员", format="json"), path("/api/compare", q="科技特派员")),
    (path(f"/documents/{WORK_POINTS}", format="json"), f"/api/documents/{WORK_POINTS}"),
    (path("/documents", format="json"), "/api/documents"),
])
def test_every_page_has_a_json_twin(live_server, page, twin):
    a, b = live_server.get(page), live_server.get(twin)
    assert a.status == b.status == 200
    left, right = a.json(), b.json()
    for data in (left, right):
        data.pop("took_ms", None)
        data.pop("timings", None)
    assert left == right
    html = live_server.get(page.replace("format=json", "format=html")).text
    assert f'rel="alternate" type="application/json" href="{twin}"'.replace("&", "&amp;") in html


def test_pages_use_no_inline_script_or_style(live_server):
    for page in ("/", path("/", q=INCUBATOR_QUESTION), path("/compare", q="孵化器"), "/documents",
                 f"/documents/{WORK_POINTS}", "/no/such/page"):
        html = live_server.get(page).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert not re.search(r"\sstyle=", html), page
        assert not re.search(r"\son[a-z]+=", html), page


def test_static_files_are_served(live_server):
    for name in ("app.css", "app.js", "favicon.svg"):
        reply = live_server.get(f"/static/{name}")
        assert reply.status == 200, name


# ----- security ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/healthz", "/api/search?q=孵化器", "/static/app.js",
                                 "/api/nothing", "/documents/nope", f"/documents/{WORK_POINTS}"])
def test_security_headers_on_every_response(live_server, url):
    reply = live_server.get(quote(url, safe="/?=&"))
    assert reply.headers["Content-Security-Policy"] == CSP
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"]
    assert "Access-Control-Allow-Origin" not in reply.headers


def test_cors_is_off_by_default_and_on_for_configured_origins(live_server, server_engine, start_server):
    headers = {"Origin": "https://research.example.org"}
    assert "Access-Control-Allow-Origin" not in live_server.get("/healthz", headers=headers).headers
    server = start_server(create_app(server_engine, Config(cors_origins=("https://research.example.org",))))
    allowed = server.get("/healthz", headers=headers)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://research.example.org"
    other = server.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_document_text_is_escaped_in_html(xss_server):
    docs = xss_server.get("/api/documents").json()["documents"]
    for page in (*(doc["url"] for doc in docs), path("/", q="孵化器建设"), path("/compare", q="孵化器"), "/documents", "/"):
        html = xss_server.get(page).text
        assert "<script>window" not in html, page
        assert "<img src=x" not in html, page
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html, page


def test_one_log_line_per_request(live_server, caplog):
    caplog.set_level(logging.INFO, logger="policy_search.http")
    live_server.get("/healthz")
    live_server.get("/api/documents/nope")
    lines = [r.getMessage() for r in caplog.records if r.name == "policy_search.http"]
    assert len(lines) == 2
    assert re.fullmatch(r"method=GET path=/healthz status=200 ms=\d+\.\d bytes=\d+", lines[0])
    assert "path=/api/documents/nope status=404" in lines[1]


# ----- bad input ----------------------------------------------------------------------------------
LONG = "孵" * 1001
BAD_REQUESTS = [
    ("/api/search", 400, "bad_query"),
    ("/api/search?q=", 400, "bad_query"),
    ("/api/search?q=%20%20%20", 400, "bad_query"),
    ("/api/search?q=%EF%BC%9F%EF%BC%81", 400, "bad_query"),  # only punctuation
    (path("/api/search", q=LONG), 400, "bad_query"),
    (path("/api/search", q="孵" * 20000), 400, "bad_query"),
    ("/api/search?q=x&k=abc", 400, "bad_query"),
    ("/api/search?q=x&k=-1", 400, "bad_query"),
    ("/api/search?q=x&k=0", 400, "bad_query"),
    ("/api/search?q=x&k=101", 400, "bad_query"),
    ("/api/search?q=x&k=1.5", 400, "bad_query"),
    (path("/api/search", q="孵化器", region="火星"), 400, "bad_query"),
    (path("/api/search", q="孵化器", issuer="不存在的机关"), 400, "bad_query"),
    (path("/api/search", q="孵化器", doc="no-such-document"), 400, "bad_query"),
    ("/api/search?q=x&year_from=abcd", 400, "bad_query"),
    ("/api/search?q=x&year_from=2030&year_to=2010", 400, "bad_query"),
    (path("/api/search", q="孵化器", region="省" * 1001), 400, "bad_query"),
    ("/api/search?q=%E4%B8", 400, "bad_query"),
    ("/api/search?q=%E5%AD%B5%E5%8C%96%E5%99%A8%FF", 400, "bad_query"),
    ("/api/compare", 400, "bad_query"),
    ("/api/compare?q=x&by=county", 400, "bad_query"),
    (f"/api/clauses/{WORK_POINTS_13}/similar?scope=galaxy", 400, "bad_query"),
    (f"/api/clauses/{WORK_POINTS_13}/similar?k=0", 400, "bad_query"),
    ("/?q=x&k=abc&format=json", 400, "bad_query"),
    ("/?format=json", 400, "bad_query"),
    ("/api/clauses/no-such-clause", 404, "not_found"),
    ("/api/clauses/no-such-clause/similar", 404, "not_found"),
    (f"/api/clauses/{WORK_POINTS}:h99", 404, "not_found"),
    ("/api/documents/no-such-document", 404, "not_found"),
    ("/api/documents/%E4%B8", 404, "not_found"),
    ("/api/documents/..%2F..%2Fetc%2Fpasswd", 404, "not_found"),
    ("/api/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404, "not_found"),
    ("/api/documents/..", 404, "not_found"),
    ("/api/documents/../../etc/passwd", 404, "not_found"),
    ("/api/documents/..\\..\\windows\\win.ini", 404, "not_found"),
    ("/api/clauses/../../x", 404, "not_found"),
    ("/api/clauses/..%2F..%2Fx/similar", 404, "not_found"),
    ("/api/nothing", 404, "not_found"),
    ("/documents/no-such-document?format=json", 404, "not_found"),
]


@pytest.mark.parametrize("url, status, code", BAD_REQUESTS, ids=[u[:60] for u, _, _ in BAD_REQUESTS])
def test_bad_requests_get_json_errors(live_server, url, status, code):
    error = assert_json_error(live_server.get(url), status, code)
    if "q=" + quote("孵") * 1001 in url:
        assert "1000" in error["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("url", ["/api/search?q=x", "/api/documents", f"/api/clauses/{WORK_POINTS_13}",
                                 "/healthz"])
def test_other_methods_get_405_json(live_server, method, url):
    reply = live_server.request(url, method=method, body=b"{}")
    assert_json_error(reply, 405, "method_not_allowed")
    assert "GET" in reply.headers["Allow"]


def test_large_request_bodies_are_refused_with_413(live_server):
    reply = live_server.request("/api/search?q=x", body=b"x" * (200 * 1024),
                                headers={"Content-Type": "application/octet-stream"})
    assert_json_error(reply, 413, "request_too_large")


def test_page_errors_are_html_pages_not_tracebacks(live_server):
    missing = live_server.get("/documents/no-such-document")
    assert missing.status == 404
    assert missing.headers["Content-Type"].startswith("text/html")
    assert "返回检索" in missing.text and "Traceback" not in missing.text
    long_query = live_server.get(path("/", q=LONG))
    assert long_query.status == 400
    assert "1000" in long_query.text and 'role="alert"' in long_query.text


def test_the_server_keeps_serving_after_a_barrage_of_bad_requests(live_server):
    statuses = [live_server.get(url).status for url, _, _ in BAD_REQUESTS]
    statuses += [live_server.request("/api/search?q=x", method=m).status for m in ("POST", "DELETE")]
    assert all(400 <= s < 500 for s in statuses), statuses
    assert live_server.get("/healthz").status == 200
    assert live_server.get(path("/api/search", q=INCUBATOR_QUESTION)).status == 200


# ----- the OpenAPI file matches the app -----------------------------------------------------------
def test_openapi_documents_every_json_route_and_the_hit_shape(live_server):
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text("utf-8"))
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in live_server.app.url_map.iter_rules()
              if rule.rule.startswith("/api/") or rule.rule == "/healthz"}
    assert set(spec["paths"]) == routes
    assert set(spec["components"]["schemas"]["Hit"]["required"]) == HIT_KEYS
    search = live_server.get(path("/api/search", q=INCUBATOR_QUESTION)).json()
    assert set(spec["components"]["schemas"]["SearchResponse"]["required"]) == set(search)


def test_the_app_reads_the_dictionary_of_english_questions_before_the_first_is_asked(server_engine):
    import time

    from indexer.query.dictionary import reverse_index

    reverse_index.cache_clear()
    create_app(server_engine, Config())
    deadline = time.monotonic() + 30
    while not reverse_index.cache_info().currsize and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reverse_index.cache_info().currsize == 1  # read with no question asked
    assert "房间" in reverse_index()["room"]
