"""Load: /api/search from concurrent clients while a re-index publishes a new index version.

Usage: python bench/bench_load.py --index var/bench/ncp-dev-index \\
           --corpus ../shared/datasets/ncp-policy-qa/docs [--extra corpus/zhejiang-kjt-2015-work-points.txt] \\
           [--questions ../shared/datasets/ncp-policy-qa/questions.dev.jsonl] [--clients 16] \\
           [--duration 150] [--requests 50000] [--reindex-at 15] [--reindexes 2] [--reload-seconds 1]

Copies the index the way docs/OPERATIONS.md says to back it up (CURRENT's version directory,
CURRENT, and the embedding cache) into a temporary directory, starts `policy-search serve` on
the copy (127.0.0.1, a free port, checking CURRENT every --reload-seconds), warms it up, then
runs --clients threads against /api/search for --duration seconds or --requests requests,
whichever comes first (loopback only; everything stops by itself). --reindex-at seconds in,
`policy-search index CORPUS EXTRA` runs on the copy, i.e. the same corpus plus one document,
and /healthz is polled to see when the server switches to the new version; 5 s after each
switch the next of --reindexes runs (the later ones publish the same content as a new version),
so that the RSS after the second switch shows whether memory grows with each reload. Prints
Markdown tables: QPS, p50/p95/p99 and errors while no re-index runs and while one runs (until
the server has switched); the server's RSS after warm-up, at each re-index start, 3 s after each
switch and at the end; the load average. Exits 1 when a request failed or a switch did not
happen. Stdlib only.

Overload (--long-clients N, no re-index): N more clients send questions of --long-chars
characters (within the 1000-character limit) beside the --clients normal ones, each client
waiting Retry-After when the server sheds a search (503 `overloaded`):

    python bench/bench_load.py --index var/bench/ncp-dev-index --clients 4 --long-clients 4 --duration 60

prints, per kind of client, answered requests and their latency, deliberate 503s and other
errors; exits 1 on any error other than a deliberate 503.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_http import QUERIES, one_request, percentile, start_server

ROOT = Path(__file__).resolve().parents[1]


def copy_index(source: Path, target: Path) -> Path:
    """A consistent copy of a served index: the version CURRENT names, then CURRENT (and the
    embedding cache, so that the re-index only embeds what is new)."""
    name = (source / "CURRENT").read_text(encoding="utf-8").strip()
    shutil.copytree(source / "versions" / name, target / "versions" / name)
    if (source / "cache").exists():
        shutil.copytree(source / "cache", target / "cache")
    shutil.copy2(source / "CURRENT", target / "CURRENT")
    return target


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
        return json.loads(response.read())


def load_questions(path: Path | None) -> list[str]:
    if path and path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
        if questions:
            return questions
    return list(QUERIES)


class Run:
    """Clients, the re-index and the version watcher of one run, with what they observed."""

    def __init__(self, base: str, questions: list[str], clients: int, duration: float, requests: int, k: int):
        self.base, self.questions, self.k = base, questions, k
        self.clients, self.duration, self.limit = clients, duration, requests
        self.records: list[dict] = []
        self.lock = threading.Lock()
        self.issued = 0
        self.start = 0.0
        self.versions: list[tuple[float, str]] = []  # (seconds into the run, version) as first seen
        self.stop = threading.Event()

    def client(self) -> None:
        deadline = self.start + self.duration
        while time.perf_counter() < deadline and not self.stop.is_set():
            with self.lock:
                if self.issued >= self.limit:
                    return
                i, self.issued = self.issued, self.issued + 1
            sent = time.perf_counter() - self.start
            record = one_request(self.base, self.questions[i % len(self.questions)], self.k)
            record["at"] = sent
            with self.lock:
                self.records.append(record)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def watch(self) -> None:
        """Poll /healthz every 0.2 s; note when the served version changes."""
        while not self.stop.is_set():
            try:
                version = health(self.base)["version"]
            except OSError:
                version = "unreachable"
            if not self.versions or self.versions[-1][1] != version:
                self.versions.append((self.elapsed(), version))
            time.sleep(0.2)

    def wait_for(self, version: str) -> float | None:
        """Seconds into the run when `version` was first served (None if not within the run)."""
        while self.elapsed() < self.duration:
            served = [at for at, seen in self.versions if seen == version]
            if served:
                return served[0]
            time.sleep(0.1)
        return None


def stop(proc: subprocess.Popen, log: Path) -> str:
    """Stop the server (killed if it does not stop within 10 s); returns its log."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    return log.read_text(encoding="utf-8", errors="replace")


class Overload:
    """Normal and long-question clients against one server, each honouring Retry-After."""

    def __init__(self, base: str, questions: list[str], long_chars: int, duration: float, k: int):
        self.base, self.questions, self.k, self.duration = base, questions, k, duration
        text = "".join(questions)
        self.long = [(text[i:] + text)[:long_chars] for i in range(0, len(text), max(1, len(text) // 50))][:50]
        self.records: dict[str, list[dict]] = {"normal": [], "long": []}
        self.lock = threading.Lock()
        self.start = 0.0

    def client(self, kind: str, offset: int) -> None:
        pool = self.questions if kind == "normal" else self.long
        i = offset
        while time.perf_counter() < self.start + self.duration:
            record = one_request(self.base, pool[i % len(pool)], self.k)
            i += 1
            with self.lock:
                self.records[kind].append(record)
            if record["status"] == 503:
                time.sleep(1.0)  # the server's Retry-After


def overload_row(name: str, records: list[dict], seconds: float) -> str:
    ok = [r["ms"] for r in records if r["status"] == 200]
    shed = sum(1 for r in records if r["status"] == 503)
    other = len(records) - len(ok) - shed
    return (f"| {name} | {len(records)} | {len(ok)} | {shed} | {other} | {len(ok) / seconds:.1f} | "
            f"{percentile(ok, 50):.1f} | {percentile(ok, 95):.1f} | {percentile(ok, 99):.1f} | "
            f"{max(ok, default=float('nan')):.1f} |")


def run_overload(args: argparse.Namespace, questions: list[str]) -> int:
    """The overload run (--long-clients): prints its table; 1 when a request failed otherwise than 503."""
    with tempfile.TemporaryDirectory(prefix="bench-overload-") as tmp:
        tmp = Path(tmp)
        index = copy_index(args.index, tmp / "index")
        os.environ["POLICY_SEARCH_RELOAD_SECONDS"] = "0"
        proc, base = start_server(index, args.model, tmp / "server.log")
        try:
            served = health(base)
            for question in questions[:30]:  # warm-up, not measured
                one_request(base, question, args.k)
            run = Overload(base, questions, args.long_chars, args.duration, args.k)
            load_start = os.getloadavg()
            run.start = time.perf_counter()
            threads = [threading.Thread(target=run.client, args=("normal", n * 7)) for n in range(args.clients)]
            threads += [threading.Thread(target=run.client, args=("long", n * 3)) for n in range(args.long_clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - run.start
            load_end = os.getloadavg()
        finally:
            server_log = stop(proc, tmp / "server.log")
    print(f"index {served['version']} · {served['documents']} documents, {served['clauses']} clauses · "
          f"{args.clients} normal clients ({len(questions)} questions) + {args.long_clients} clients of "
          f"{args.long_chars}-character questions · {args.duration:g} s · k={args.k} · {os.cpu_count()} CPUs\n")
    print("| clients | requests | answered | 503 (shed) | other errors | answered/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, records in run.records.items():
        print(overload_row(kind, records, elapsed))
    queue_lines = sum(1 for line in server_log.splitlines() if "Task queue depth" in line)
    print(f"\nload average (1/5/15 min): start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"end {' '.join(f'{x:.2f}' for x in load_end)} · server log: {queue_lines} queue-depth warning(s)")
    failed = sum(1 for records in run.records.values() for r in records if r["status"] not in (200, 503))
    return 1 if failed else 0


def reindex(index: Path, corpus: Path, extra: Path, model: str | None, log: Path) -> subprocess.Popen:
    """`policy-search index CORPUS EXTRA --index INDEX` in a child process, output to `log`."""
    cmd = [sys.executable, "-m", "server.cli", "index", str(corpus), str(extra), "--index", str(index), "--quiet"]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def row(name: str, records: list[dict], seconds: float) -> str:
    ok = [r["ms"] for r in records if r["status"] == 200]
    errors = len(records) - len(ok)
    qps = len(records) / seconds if seconds > 0 else float("nan")
    return (f"| {name} | {len(records)} | {errors} | {qps:.1f} | {percentile(ok, 50):.1f} | "
            f"{percentile(ok, 95):.1f} | {percentile(ok, 99):.1f} | {max(ok, default=float('nan')):.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var/bench/ncp-dev-index")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/datasets/ncp-policy-qa/docs",
                        help="the corpus the index was built from")
    parser.add_argument("--extra", type=Path, default=ROOT / "corpus/zhejiang-kjt-2015-work-points.txt",
                        help="one document the re-index adds")
    parser.add_argument("--questions", type=Path,
                        default=ROOT.parent / "shared/datasets/ncp-policy-qa/questions.dev.jsonl")
    parser.add_argument("--model", default=None)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (8-32)")
    parser.add_argument("--duration", type=float, default=150.0, help="seconds of load")
    parser.add_argument("--requests", type=int, default=50000, help="stop after this many requests")
    parser.add_argument("--reindex-at", type=float, default=15.0, help="seconds into the run")
    parser.add_argument("--reindexes", type=int, default=2, help="re-indexes, one after the other")
    parser.add_argument("--reload-seconds", type=float, default=1.0, help="the server's CURRENT poll")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--long-clients", type=int, default=0,
                        help="overload run: this many clients of long questions, no re-index")
    parser.add_argument("--long-chars", type=int, default=1000, help="length of the long questions")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    if args.long_clients:
        return run_overload(args, questions)
    extra_id = args.extra.stem

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        tmp = Path(tmp)
        index = copy_index(args.index, tmp / "index")
        os.environ["POLICY_SEARCH_RELOAD_SECONDS"] = str(args.reload_seconds)
        proc, base = start_server(index, args.model, tmp / "server.log")
        indexer = None
        reindexes: list[dict] = []
        try:
            before = health(base)
            for question in questions[:30]:  # warm-up, not measured
                one_request(base, question, args.k)
            rss = {"after warm-up": rss_mb(proc.pid)}
            load_start = os.getloadavg()
            run = Run(base, questions, args.clients, args.duration, args.requests, args.k)
            run.start = time.perf_counter()
            threads = [threading.Thread(target=run.client) for _ in range(args.clients)]
            for thread in [*threads, threading.Thread(target=run.watch, daemon=True)]:
                thread.start()
            time.sleep(args.reindex_at)
            for n in range(1, args.reindexes + 1):
                if run.elapsed() > args.duration - 10:
                    break
                rss[f"re-index {n} starts"] = rss_mb(proc.pid)
                started = run.elapsed()
                log = tmp / f"index-{n}.log"
                indexer = reindex(index, args.corpus, args.extra, args.model, log)
                indexer.wait(timeout=max(60.0, args.duration * 3))
                ended = run.elapsed()
                version = (index / "CURRENT").read_text(encoding="utf-8").strip()
                switched = run.wait_for(version) if indexer.returncode == 0 else None
                lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                reindexes.append({"n": n, "start": started, "end": ended, "switch": switched,
                                  "version": version, "exit": indexer.returncode,
                                  "summary": lines[-1] if lines else ""})
                if switched is None:
                    break
                time.sleep(min(3.0, max(0.0, args.duration - run.elapsed())))
                rss[f"3 s after switch {n}"] = rss_mb(proc.pid)
                time.sleep(min(2.0, max(0.0, args.duration - run.elapsed())))
            for thread in threads:
                thread.join()
            elapsed = run.elapsed()
            rss["end"] = rss_mb(proc.pid)
            run.stop.set()
            load_end = os.getloadavg()
            after = health(base)
            with urllib.request.urlopen(f"{base}/api/documents/{extra_id}", timeout=30) as response:
                extra_found = response.status == 200
        finally:
            if indexer is not None and indexer.poll() is None:
                indexer.kill()
            server_log = stop(proc, tmp / "server.log")

    windows = [(r["start"], r["switch"] if r["switch"] is not None else elapsed) for r in reindexes]
    busy = [r for r in run.records if any(a <= r["at"] < b for a, b in windows)]
    quiet = [r for r in run.records if not any(a <= r["at"] < b for a, b in windows)]
    busy_s = sum(b - a for a, b in windows)
    errors = sum(1 for r in run.records if r["status"] != 200)

    print(f"index {before['version']} -> {after['version']} · model {before['model']} · "
          f"{before['documents']} -> {after['documents']} documents, {before['clauses']} -> {after['clauses']} "
          f"clauses · {args.clients} clients · k={args.k} · {len(questions)} questions · "
          f"{os.cpu_count()} CPUs · waitress 4 threads · poll {args.reload_seconds:g} s\n")
    print("| phase | requests | errors | QPS | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(row("no re-index running", quiet, elapsed - busy_s))
    print(row("re-index running (until switched)", busy, busy_s))
    print(row("whole run", run.records, elapsed))
    print("\n| re-index | ran (s into the run) | exit | served from | summary |")
    print("|---|---|---:|---|---|")
    for r in reindexes:
        served = f"{r['switch']:.1f} s ({r['version']})" if r["switch"] is not None else "not served"
        print(f"| {r['n']} | {r['start']:.1f}–{r['end']:.1f} | {r['exit']} | {served} | {r['summary']} |")
    print(f"\nNew document {extra_id} served at the end: {extra_found}\n")
    print("| server RSS | MB |")
    print("|---|---:|")
    for name, value in rss.items():
        print(f"| {name} | {value:.0f} |")
    print(f"\nload average (1/5/15 min): start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"end {' '.join(f'{x:.2f}' for x in load_end)}")
    for line in [line for line in server_log.splitlines() if "reload" in line][-args.reindexes:]:
        print(f"server log: {line}")
    switched = len(reindexes) == args.reindexes and all(r["switch"] is not None for r in reindexes)
    return 0 if errors == 0 and switched and extra_found else 1


if __name__ == "__main__":
    sys.exit(main())
