"""Text and requests we do not control: the parser either returns a Document or refuses the
input with a CorpusError, and the API answers anything with a 2xx/3xx/4xx, never a 5xx."""
from __future__ import annotations

import http.client
import time
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indexer.config import Config
from indexer.errors import CorpusError
from indexer.parse.documents import load_document, parse_source
from indexer.types import Document, SourceText
from server.app import create_app

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----- the parser ---------------------------------------------------------------------------------
def parse(text: str) -> Document | None:
    """parse_source on raw text; None when refused with CorpusError (any other exception escapes)."""
    try:
        document = parse_source(SourceText(text), "doc", "x.txt")
    except CorpusError:
        return None
    assert_well_formed(document)
    return document


def assert_well_formed(document: Document) -> None:
    ids = [clause.id for clause in document.clauses]
    assert len(ids) == len(set(ids))
    for clause in document.clauses:
        assert clause.document_id == document.id
        assert 0 <= clause.start <= clause.end <= len(document.text)
        assert document.text[clause.start:clause.end] == clause.text
        assert clause.text.strip()


CN_NUMBERS = "一二三四五六七八九十"
MARKERS = st.one_of(
    st.sampled_from(CN_NUMBERS).map(lambda n: f"{n}、"),
    st.sampled_from(CN_NUMBERS).map(lambda n: f"（{n}）"),
    st.sampled_from(CN_NUMBERS).map(lambda n: f"({n})"),
    st.integers(0, 120).map(lambda n: f"{n}．"),
    st.integers(0, 120).map(lambda n: f"{n}."),
    st.integers(0, 120).map(lambda n: f"{n}、"),
    st.integers(0, 120).map(lambda n: f"（{n}）"),
    st.sampled_from(CN_NUMBERS).map(lambda n: f"第{n}条"),
    st.sampled_from(CN_NUMBERS).map(lambda n: f"第{n}章"),
    st.sampled_from("①②③④⑤⑥⑦⑧⑨⑩"),
    st.sampled_from(["一是", "二是", "附件：", "附件1", "（牵头单位：县科技局）", "（责任单位：市财政局、市人社局）",
                     "责任人：张三", "抄送：", "【打印本页】", "2024年1月15日", "浙政办发〔2019〕11号", "……", ""]),
)
BODY = st.text(alphabet=st.sampled_from(list("科技创新平台孵化器建设支持加强推进落实资金政策县市省局委办，。；：、（）"
                                             "() 　\t0123456789abcXYZ<>&\"'/\\")), max_size=80)
LINE = st.tuples(st.sampled_from(["", " ", "　", "  "]), MARKERS, BODY, st.sampled_from(["", "；", "。"])).map("".join)


@BOUNDED
@given(st.text(max_size=3000))
def test_any_unicode_parses_or_is_refused_with_corpus_error(text):
    parse(text)


@BOUNDED
@given(st.lists(LINE, max_size=60), st.sampled_from(["\n", "\r\n", "\n\n", "\r", "\u2028"]))
def test_mixed_numbering_parses_into_well_formed_clauses(lines, newline):
    parse(newline.join(lines))


@FEW
@given(st.lists(st.sampled_from(["一、", "（一）", "1．", "（1）", "①", "第一章", "第一节", "第一条", "1.1", "(a)"]),
                min_size=50, max_size=400),
       st.booleans())
def test_deep_nesting_parses(markers, one_line):
    lines = [f"{'　' * (i % 8)}{marker}加强科技创新平台建设（第{i}层）" for i, marker in enumerate(markers)]
    parse(("" if one_line else "\n").join(lines))


@FEW
@given(st.binary(max_size=4000), st.sampled_from([".txt", ".html", ".htm", ".md", ".pdf", ".docx", ".doc", ".wps"]))
def test_any_bytes_in_any_supported_file_load_or_are_refused(tmp_path_factory, data, suffix):
    path = tmp_path_factory.getbasetemp() / f"hostile{suffix}"
    path.write_bytes(data)
    try:
        assert_well_formed(load_document(path, path.parent))
    except CorpusError:
        pass


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-32", "latin-1",
             "shift_jis"]


@FEW
@given(st.lists(LINE, min_size=1, max_size=30), st.sampled_from(ENCODINGS))
def test_documents_in_any_encoding_load_or_are_refused(tmp_path_factory, lines, encoding):
    text = "山海县科学技术局关于加强科技创新的通知\n" + "\n".join(lines)
    path = tmp_path_factory.getbasetemp() / "encoded.txt"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        assert_well_formed(load_document(path, path.parent))
    except CorpusError:
        pass


MEGABYTE_LINES = {
    "sentences": "加强科技企业孵化器建设，支持众创空间发展（牵头单位：县科技局）；",
    "inline numbering": "一、总体要求（一）指导思想1．坚持创新驱动（1）加快平台建设①落实资金第一条 ",
    "punctuation": "。，、；：？！…—",
    "latin": "Innovation platform 2024 No.1, ",
}


@pytest.mark.parametrize("name", MEGABYTE_LINES)
def test_a_one_megabyte_line_parses_in_bounded_time(name):
    piece = MEGABYTE_LINES[name]
    line = piece * (2**20 // len(piece.encode("utf-8")) + 1)
    assert len(line.encode("utf-8")) >= 2**20 and "\n" not in line
    started = time.perf_counter()
    document = parse(line)
    assert time.perf_counter() - started < 60
    assert document is not None and document.clauses


def test_a_one_megabyte_line_of_spaces_parses_in_bounded_time():
    started = time.perf_counter()
    parse("科技 " + " " * 2**20 + " 创新")
    assert time.perf_counter() - started < 60


# ----- the API --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(server_engine):
    return create_app(server_engine, Config(cors_origins=("https://allowed.example",))).test_client()


def assert_answered(reply, path: str) -> None:
    assert reply.status_code < 500, (path, reply.status_code, reply.get_data(as_text=True)[:500])
    if path.startswith("/api/") and reply.status_code != 405:
        assert reply.headers["Content-Type"].startswith("application/json"), path
        assert reply.get_json() is not None


ANY_TEXT = st.text(max_size=40)
QUESTION = st.one_of(st.text(max_size=60), st.sampled_from(["孵化器由哪个部门负责", "科技特派员", "谁负责", "x", "？"]),
                     st.text(min_size=990, max_size=1010))
K = st.one_of(st.integers(-5, 150).map(str), ANY_TEXT, st.sampled_from(["1e3", "0x10", "٣", "１０", " 5 ", "NaN"]))
PARAMS = st.fixed_dictionaries({}, optional={
    "q": QUESTION, "k": K, "region": st.one_of(ANY_TEXT, st.sampled_from(["浙江省", "舟山市", "湖南省·郴州市"])),
    "issuer": ANY_TEXT, "doc": st.one_of(ANY_TEXT, st.just("zhejiang-kjt-2015-work-points")),
    "year_from": st.one_of(ANY_TEXT, st.integers(1900, 2100).map(str)), "year_to": ANY_TEXT,
    "scope": ANY_TEXT, "by": st.one_of(ANY_TEXT, st.sampled_from(["document", "region"])),
    "format": st.sampled_from(["json", "html", "", "xml"])})
ROUTES = ["/api/search", "/api/compare", "/", "/compare", "/documents",
          "/api/clauses/zhejiang-kjt-2015-work-points:h3.n13/similar"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # most run a search
@given(st.sampled_from(ROUTES), PARAMS)
def test_any_parameters_get_an_answer_never_a_5xx(client, route, params):
    path = f"{route}?{urlencode(params)}"
    assert_answered(client.get(path), route)


@BOUNDED
@given(st.sampled_from(ROUTES), st.binary(max_size=300))
def test_any_raw_query_string_gets_an_answer(client, route, raw):
    # WSGI carries the query string as the raw bytes decoded as latin-1
    reply = client.get(route, environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    assert_answered(reply, route)


ID_ROUTES = ["/api/clauses/{}", "/api/clauses/{}/similar", "/api/documents/{}", "/documents/{}"]
IDS = st.one_of(st.text(min_size=1, max_size=80),
                st.sampled_from(["zhejiang-kjt-2015-work-points", "zhejiang-kjt-2015-work-points:h3.n13"])
                .flatmap(lambda known: st.text(max_size=5).map(lambda tail: known + tail)),
                st.sampled_from(["..", "../..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "~", "%00", "a\x00b",
                                 "\\..\\..", "/etc/passwd", "CON", "%ff%fe", "%E4%B8"]))


@BOUNDED
@given(st.sampled_from(ID_ROUTES), IDS, st.booleans())
def test_any_id_gets_an_answer(client, route, raw_id, escaped):
    path = route.format(quote(raw_id, safe="") if escaped else raw_id)
    assume("?" not in path and "#" not in path)
    reply = client.get(path)
    assert_answered(reply, path)
    assert reply.status_code in (200, 308, 400, 404, 405), (path, reply.status_code)


@FEW
@given(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]),
       st.sampled_from(ROUTES + ["/healthz", "/admin/reload", "/static/app.js", "/static/", "/nothing"]),
       st.binary(max_size=2000),
       st.dictionaries(st.sampled_from(["Origin", "Accept", "Content-Type", "Accept-Language", "Authorization",
                                        "X-Forwarded-For", "Cookie", "Range"]),
                       st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
                       max_size=4))
def test_any_method_body_and_headers_get_an_answer(client, method, route, body, headers):
    reply = client.open(route, method=method, data=body, headers=headers)
    assert reply.status_code < 500, (method, route, reply.status_code)


# ----- limits at the HTTP layer (the real server) ----------------------------------------------------
def raw_request(server, request_line: bytes, headers: bytes = b"", body: bytes = b"") -> int:
    """Send bytes exactly as given; returns the status (0 when the server just closed)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.connect()
        conn.sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n" + body)
        response = http.client.HTTPResponse(conn.sock)
        response.begin()
        return response.status
    except (ConnectionError, http.client.RemoteDisconnected):
        return 0
    finally:
        conn.close()


def test_limits_refuse_oversized_requests_with_4xx(live_server):
    huge_url = b"GET /api/search?q=" + quote("孵" * 100_000).encode() + b" HTTP/1.1"
    assert 400 <= raw_request(live_server, huge_url) < 500
    huge_header = b"X-Junk: " + b"a" * 300_000 + b"\r\n"
    assert 400 <= raw_request(live_server, b"GET /healthz HTTP/1.1", huge_header) < 500
    body = b"x" * 70_000
    status = raw_request(live_server, b"POST /api/search?q=x HTTP/1.1",
                         b"Content-Length: %d\r\n" % len(body), body)
    assert status == 413
    assert raw_request(live_server, b"GET /healthz HTTP/1.1") == 200  # still serving


@pytest.mark.parametrize("target", [b"/?q=\x84\xff", b"/api/search?q=\xe4\xb8", b"/compare?q=%E4%B8&format=\xff",
                                    b"/documents/\xff\xfe", b"/api/documents/\xc0\xaf..\xc0\xaf"])
def test_raw_bytes_that_are_not_utf8_in_the_url_get_a_4xx(live_server, target):
    assert 400 <= raw_request(live_server, b"GET " + target + b" HTTP/1.1") < 500


@pytest.mark.parametrize("params, status", [
    ({"q": "孵" * 1000}, 200),
    ({"q": "孵" * 1001}, 400),
    ({"q": "孵化器", "k": "100"}, 200),
    ({"q": "孵化器", "k": "101"}, 400),
    ({"q": "孵化器", "region": "省" * 1001}, 400),
    ({"q": "孵化器", "doc": ",".join(["zhejiang-kjt-2015-work-points"] * 2000)}, 200),
    ({"q": "孵化器", "doc": ",".join(f"no-such-{i}" for i in range(2000))}, 400),
])
def test_query_length_k_and_filter_limits(client, params, status):
    assert client.get(f"/api/search?{urlencode(params)}").status_code == status


@pytest.mark.parametrize("path", ["/api/clauses//0", "/api/documents//x", "/api//search?q=x"])
def test_doubled_slashes_get_a_json_answer_not_a_redirect(client, path):
    # Found by test_any_id_gets_an_answer: werkzeug merged the slashes with an HTML 308.
    reply = client.get(path)
    assert reply.status_code == 404
    assert reply.headers["Content-Type"].startswith("application/json")
