"""The server when the index on disk is damaged, when queries are costly or too many, and when
clients send what the web server itself refuses (issue #17)."""
from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from indexer.config import Config
from indexer.index import store
from indexer.query.engine import SearchEngine
from indexer.query.request import MAX_SEARCHED_CHARS, validate_query
from server import app as server_app
from server.app import create_app

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")
LONG_QUESTION = ("关于加强科技企业孵化器建设和科技特派员制度的实施意见，由哪个部门牵头负责，"
                 "配合单位有哪些，责任人是谁。" * 30)[:1000]


@pytest.fixture
def index_copy(tmp_path, server_index) -> Path:
    """A private copy of the seed index, to damage."""
    target = tmp_path / "index"
    shutil.copytree(server_index, target)
    return target


@pytest.fixture(scope="module")
def client(server_engine):
    return create_app(server_engine, Config()).test_client()


def damage(sqlite_file: Path) -> None:
    """Overwrite the head of every page after the first: "database disk image is malformed"."""
    with open(sqlite_file, "r+b") as handle:
        for offset in range(4096, sqlite_file.stat().st_size, 4096):
            handle.seek(offset)
            handle.write(b"\xff" * 64)


def error_code(reply) -> str:
    return reply.get_json()["error"]["code"]


# ----- a damaged index on disk -----------------------------------------------------------------------
def test_documents_of_a_damaged_metadata_file_answer_503_index_error(index_copy, query_embedder):
    # Large indexes read clause columns from meta.sqlite on demand (lazy_above=0 forces that here).
    engine = SearchEngine(index_copy, query_embedder, lazy_above=0)
    client = create_app(engine, Config()).test_client()
    doc_id = engine.documents[0].id
    damage(engine.version / store.META)
    api = client.get(f"/api/documents/{doc_id}")
    assert api.status_code == 503 and error_code(api) == "index_error"
    assert client.get(f"/documents/{doc_id}").status_code == 503  # the HTML error page
    twin = client.get(f"/documents/{doc_id}?format=json")
    assert twin.status_code == 503 and error_code(twin) == "index_error"


def test_healthz_names_a_truncated_vector_file(index_copy, query_embedder):
    engine = SearchEngine(index_copy, query_embedder)
    client = create_app(engine, Config()).test_client()
    vectors = engine.version / store.VECTORS
    os.truncate(vectors, vectors.stat().st_size - 100)
    for path in ("/healthz", "/healthz?deep=1"):
        reply = client.get(path)
        assert reply.status_code == 503 and error_code(reply) == "index_error"
        assert store.VECTORS in reply.get_json()["error"]["message"]


def test_healthz_deep_compares_every_file_with_its_checksum(index_copy, query_embedder):
    engine = SearchEngine(index_copy, query_embedder)
    client = create_app(engine, Config()).test_client()
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200 and deep.get_json()["files_checked"] >= 5
    bm25 = next(p for p in sorted((engine.version / store.LEXICAL).iterdir()) if p.suffix == ".npy")
    data = bytearray(bm25.read_bytes())
    data[-1] ^= 0xFF  # same size, one byte changed: a restart would load wrong scores or fail
    bm25.write_bytes(bytes(data))
    assert client.get("/healthz").status_code == 200  # the cheap check: sizes only
    reply = client.get("/healthz?deep=1")
    assert reply.status_code == 503 and error_code(reply) == "index_error"
    assert f"{store.LEXICAL}/{bm25.name}" in reply.get_json()["error"]["message"]
    assert client.get("/healthz?deep=yes").status_code == 400


# ----- what one query may cost, and how many run at once -----------------------------------------------
def test_a_long_question_is_searched_by_its_first_characters_only(client):
    reply = client.get("/api/search?" + urlencode({"q": LONG_QUESTION, "k": 3}))
    assert reply.status_code == 200
    searched = reply.get_json()["query"]
    assert validate_query(LONG_QUESTION).startswith(searched) and len(searched) < len(LONG_QUESTION)
    # in Chinese characters: the commas NFKC made ASCII (',') cost a little more than one
    assert 0.85 * MAX_SEARCHED_CHARS <= len(searched) <= MAX_SEARCHED_CHARS
    # English says a third as much per character: a long English question is searched whole,
    # and a pasted page of it cut at three times the Chinese limit
    english = ("Under the National Health Commission notice on improving working conditions for frontline "
               "medical staff, by which day of each month must provincial health authorities report the "
               "numbers of people, working days and amounts of temporary work subsidies to the NHC?")
    assert 200 < len(english) < 3 * MAX_SEARCHED_CHARS
    assert client.get("/api/search?" + urlencode({"q": english, "k": 3})).get_json()["query"] == english
    pasted = client.get("/api/search?" + urlencode({"q": (english + " ") * 3, "k": 3})).get_json()["query"]
    assert 2 * MAX_SEARCHED_CHARS < len(pasted) <= 3 * MAX_SEARCHED_CHARS
    assert (english + " ") * 3 != pasted and ((english + " ") * 3)[len(pasted)] == " "  # cut at a word's end
    # but digits, punctuation and letters in no word read a token a character: they cost more
    noise = ("x7#q!" * 200)[:1000]
    cut = client.get("/api/search?" + urlencode({"q": noise, "k": 3})).get_json()["query"]
    assert len(cut) <= MAX_SEARCHED_CHARS * 1.2
    letters = client.get("/api/search?" + urlencode({"q": "qwrtzpsdfghjklxcvbnm" * 50, "k": 3})).get_json()["query"]
    assert len(letters) <= MAX_SEARCHED_CHARS
    assert client.get("/api/search?" + urlencode({"q": "孵" * 1001})).status_code == 400


def test_searches_over_the_gate_get_503_overloaded_at_once_and_other_pages_still_answer(server_engine):
    app = create_app(server_engine, Config())
    client = app.test_client()
    gate = app.extensions[server_app.GATE]
    config = Config()
    assert gate.slots == min(server_engine.embedder.size * (1 + config.search_queue), config.server_threads - 1)
    taken = 0
    while gate.enter():  # what `slots` searches in flight hold
        taken += 1
    assert taken == gate.slots
    try:
        for path in ("/api/search?q=孵化器", "/api/compare?q=孵化器", "/?q=孵化器&format=json", "/compare?q=孵化器"):
            reply = client.get(path)
            assert reply.status_code == 503, path
            assert reply.headers["Retry-After"] == "1"
        assert error_code(client.get("/api/search?q=孵化器")) == "overloaded"
        assert client.get("/").status_code == 200  # the search page without a question embeds nothing
        assert client.get("/api/documents").status_code == 200
        assert client.get("/healthz").status_code == 200
    finally:
        for _ in range(taken):
            gate.leave()
    assert client.get("/api/search?q=孵化器").status_code == 200
    assert gate.enter() and gate.enter()  # every search gave its slot back, failed or not
    gate.leave()
    gate.leave()


# ----- parameters --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["５", "٥", "1_0", "+5", "-5", "5.0"])
def test_k_takes_ascii_digits_only_like_the_years(client, value):
    reply = client.get("/api/search?" + urlencode({"q": "孵化器", "k": value}))
    assert reply.status_code == 400 and error_code(reply) == "bad_query"
    assert client.get("/api/search?" + urlencode({"q": "孵化器", "year_from": value * 4})).status_code == 400


@pytest.mark.parametrize("year", ["0000", "0999", "２０１５"])
def test_years_are_four_ascii_digits_from_1000(client, year):
    assert client.get("/api/search?" + urlencode({"q": "孵化器", "year_from": year})).status_code == 400


def test_valid_k_and_years_still_pass(client):
    reply = client.get("/api/search?" + urlencode({"q": "孵化器", "k": " 5 ", "year_from": "1000"}))
    assert reply.status_code == 200 and reply.get_json()["k"] == 5


def test_an_admin_token_set_with_surrounding_whitespace_still_matches(server_engine):
    client = create_app(server_engine, Config(admin_token=" s3cret-token\n")).test_client()
    reply = client.post("/admin/reload", headers={"Authorization": "Bearer s3cret-token"})
    assert reply.status_code == 200 and reply.get_json()["reloaded"] is False


# ----- logs ---------------------------------------------------------------------------------------------
def test_control_characters_in_a_path_cannot_forge_a_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="policy_search.http")
    client.get("/api/x%0aINFO%20policy_search.reload:%20reloaded:%20serving%20evil%0d%1b[2J")
    lines = [r.getMessage() for r in caplog.records if r.name == "policy_search.http"]
    assert lines and all("\n" not in line and "\r" not in line and "\x1b" not in line for line in lines)
    assert any("/api/x\\x0aINFO policy_search.reload" in line for line in lines)


def test_waitress_queue_warnings_are_summarised_not_repeated(caplog):
    server_app.quiet_server_logs()  # what create_app does
    caplog.set_level(logging.WARNING, logger="waitress.queue")
    for depth in range(1, 2001):
        logging.getLogger("waitress.queue").warning("Task queue depth is %d", depth)
    assert len([r for r in caplog.records if r.name == "waitress.queue"]) <= 1


# ----- what waitress answers by itself --------------------------------------------------------------
def raw(server, data: bytes) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.connect()
        conn.sock.sendall(data)
        response = http.client.HTTPResponse(conn.sock)
        response.begin()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("data, status", [
    (b"GET /api/search?q=x HTTP/1.1 junk\r\nHost: x\r\n\r\n", 400),  # malformed request line
    (b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 300_000 + b"\r\n\r\n", 431),
    (b"GET /api/search?q=" + quote("孵" * 100_000).encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
    (b"POST /api/search?q=x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\nxx", 413),
    (b"POST /api/search?q=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    (b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 400),
])
def test_errors_answered_by_waitress_are_json_with_the_security_headers(live_server, data, status):
    got, headers, body = raw(live_server, data)
    assert got == status
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(json.loads(body)["error"]) == {"code", "message"}
    for name in SECURITY_HEADERS:
        assert headers[name], name
    assert raw(live_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200
