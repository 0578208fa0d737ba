"""A public page over text we do not control: everything from the corpus and the request is
escaped, every response carries the security headers, nothing but the app's own files is
served, and CORS stays off unless configured. (Browser-side checks: tests/test_browser.py.)"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlparse

import pytest

from indexer.config import Config
from server.app import create_app

HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=1">',
           "'><svg onload=alert(1)>", "javascript:alert(1)", "</textarea><script>alert(1)</script>",
           "{{7*7}}{% raw %}", "孵化器<iframe src=//evil.example>"]


class ActiveContent(HTMLParser):
    """Elements and attributes in a page that could run or load something: any script but the
    app's own, img/svg/iframe/object/embed, on* handlers, javascript: URLs."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {attrs}>")
        if tag in ("img", "svg", "iframe", "object", "embed", "base"):
            self.found.append(f"<{tag} {attrs}>")
        for name, value in attrs.items():
            url = name in ("href", "src", "action", "formaction", "data", "srcdoc")
            if name.startswith("on") or (url and (value or "").strip().lower().startswith("javascript:")):
                self.found.append(f"<{tag} {name}={value!r}>")


def active_content(html: str) -> list[str]:
    return ActiveContent(html).found


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# ----- headers ----------------------------------------------------------------------------------------
RESPONSES = [("GET", "/"), ("GET", "/?q=孵化器"), ("GET", "/api/search?q=孵化器"), ("GET", "/api/search"),
             ("GET", "/healthz"), ("GET", "/static/app.css"), ("GET", "/static/"), ("GET", "/nothing"),
             ("POST", "/api/search?q=x"), ("POST", "/admin/reload"), ("GET", "/documents/nope"),
             ("HEAD", "/"), ("OPTIONS", "/api/search")]


@pytest.mark.parametrize("method, url", RESPONSES)
def test_every_response_forbids_inline_script_framing_and_sniffing(live_server, method, url):
    reply = live_server.request(quote(url, safe="/?=&"), method=method)
    csp = csp_directives(reply.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', 'unsafe-eval', data: or hosts
    assert csp["frame-ancestors"] == ["'none'"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["Server"] == "policy-search"  # no version banner


def test_static_files_have_exact_types_so_nosniff_holds(live_server):
    types = {"app.js": "text/javascript", "app.css": "text/css", "favicon.svg": "image/svg+xml"}
    for name, mime in types.items():
        assert live_server.get(f"/static/{name}").headers["Content-Type"].startswith(mime), name


# ----- nothing but the app's own files -------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "/static/", "/static", "/static/.", "/static/..", "/static/../app.py", "/static/..%2fapp.py",
    "/static/%2e%2e/app.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static/..\\app.py",
    "/static//etc/passwd", "/static/%00app.js", "/templates/", "/templates/base.html", "/server/",
    "/var/", "/versions/", "/CURRENT", "/.git/config", "/corpus/", "/documents/../../etc/passwd",
    "/documents/..%2F..%2Fetc%2Fpasswd", "/api/documents/..%252F..%252Fetc%252Fpasswd",
])
def test_no_directory_listing_and_no_file_outside_the_static_folder(live_server, url):
    reply = live_server.get(url)
    if reply.status == 308:  # '//' merged: the redirect stays under /static/ and finds nothing there
        location = urlparse(reply.headers["Location"]).path
        assert location.startswith("/static/"), location
        reply = live_server.get(location)
    assert reply.status in (400, 404), (url, reply.status)
    body = reply.text
    assert "Index of" not in body and "Parent Directory" not in body
    assert "root:" not in body and "[core]" not in body and "import " not in body


def test_ids_are_looked_up_in_the_index_never_used_as_paths(live_server):
    documents = live_server.get("/api/documents").json()["documents"]
    real = documents[0]["id"]
    for candidate in (f"../{real}", f"{real}/..", f"./{real}", f"{real}%00", f"{real}.txt",
                      f"corpus/{real}", real.upper()):
        assert live_server.get(f"/api/documents/{quote(candidate, safe='')}").status == 404, candidate
    assert live_server.get(f"/api/documents/{quote(real, safe='~')}").status == 200


# ----- escaping -------------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("page", ["/", "/compare"])
def test_reflected_input_is_escaped_in_pages(xss_server, page, payload):
    for params in ({"q": payload}, {"q": "孵化器 " + payload}, {"q": "孵化器", "region": payload},
                   {"q": "孵化器", "issuer": payload}, {"q": payload * 200}):
        reply = xss_server.get(f"{page}?{urlencode(params)}")
        assert reply.status in (200, 400)
        assert active_content(reply.text) == [], params
        if "{{7*7}}" in payload:
            assert "{{7*7}}" in reply.text  # shown as typed, never evaluated as a template


@pytest.mark.parametrize("payload", HOSTILE)
def test_error_pages_escape_the_path(xss_server, payload):
    reply = xss_server.get("/documents/" + quote(payload, safe=""))
    assert reply.status == 404
    assert active_content(reply.text) == []
    reply = xss_server.get("/no/" + quote(payload, safe="") + "/here")
    assert reply.status == 404 and active_content(reply.text) == []


def test_highlighting_a_query_term_inside_hostile_text_stays_escaped(xss_server):
    for q in ("script", "onerror", "img", "window", "pwned", "lt", "amp"):
        for page in ("/", "/compare"):
            html = xss_server.get(f"{page}?{urlencode({'q': '孵化器 ' + q})}").text
            assert active_content(html) == [], (q, page)
            assert not re.search(r"&[a-z]*<mark>", html), (q, page)  # no entity cut by a <mark>


def test_json_carries_hostile_text_as_data_with_a_json_type(xss_server):
    reply = xss_server.get("/api/search?" + urlencode({"q": "孵化器建设"}))
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert any("<script>" in hit["text"] for hit in reply.json()["results"])


def test_a_server_failure_says_nothing_about_its_insides(server_engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret: /srv/index/versions/v1/meta.sqlite password=hunter2")

    monkeypatch.setattr(server_engine, "search", broken)
    client = create_app(server_engine, Config()).test_client()
    for url in ("/api/search?q=孵化器", "/?q=孵化器"):
        reply = client.get(url)
        assert reply.status_code == 500
        body = reply.get_data(as_text=True)
        assert "secret" not in body and "Traceback" not in body and "hunter2" not in body


# ----- CORS -----------------------------------------------------------------------------------------
ORIGIN = "https://research.example.org"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}


def cors_headers(client, url: str, method: str = "GET", origin: str = ORIGIN) -> dict:
    reply = client.open(url, method=method, headers={**PREFLIGHT, "Origin": origin})
    return {k: v for k, v in reply.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.parametrize("url", ["/api/search?q=孵化器", "/healthz", "/api/documents", "/"])
@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_cors_is_off_by_default(server_engine, url, method):
    client = create_app(server_engine, Config()).test_client()
    assert cors_headers(client, url, method) == {}


def test_cors_allows_only_the_configured_origins_on_the_json_api(server_engine):
    client = create_app(server_engine, Config(cors_origins=(ORIGIN,))).test_client()
    for method in ("GET", "OPTIONS"):
        allowed = cors_headers(client, "/api/search?q=孵化器", method)
        assert allowed["Access-Control-Allow-Origin"] == ORIGIN
        assert "Access-Control-Allow-Credentials" not in allowed
        assert set(allowed["Access-Control-Allow-Methods"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
    assert client.get("/healthz", headers={"Origin": ORIGIN}).headers["Vary"] == "Origin"
    assert cors_headers(client, "/api/search?q=孵化器", origin="https://evil.example") == {}
    assert cors_headers(client, "/api/search?q=孵化器", origin=ORIGIN + ".evil.example") == {}
    assert cors_headers(client, "/", origin=ORIGIN) == {}  # pages are not an API
    assert cors_headers(client, "/admin/reload", "POST") == {}


def test_cors_wildcard_and_the_environment(server_engine, monkeypatch):
    client = create_app(server_engine, Config(cors_origins=("*",))).test_client()
    assert cors_headers(client, "/api/documents")["Access-Control-Allow-Origin"] == "*"
    monkeypatch.setenv("POLICY_SEARCH_CORS", f"{ORIGIN},https://second.example")
    assert Config.from_env().cors_origins == (ORIGIN, "https://second.example")
    monkeypatch.setenv("POLICY_SEARCH_CORS", "")
    assert Config.from_env().cors_origins == ()
