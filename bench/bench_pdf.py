"""PDF ingestion cost: read + parse time and peak memory for the seed PDFs and a 300-page PDF.

Usage: python bench/bench_pdf.py [--copies 75]

Each file is loaded (`load_document`: pdfplumber text layer, header/footer removal, clause
parsing) in a fresh child process, so "peak RSS" is that file's own high-water mark, imports
included; "RSS before" is the process after its imports, just before the file is read. The
long PDF is the 4-page zhejiang fixture concatenated `--copies` times with pypdf
(75 copies = 300 pages), written to a temporary directory and deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "office"
SEEDS = ("zhejiang-kjt-2015.pdf", "shengsi-2023.pdf")


def measure(path: Path) -> dict:
    """Load one PDF in this process and report its cost.

    Args: the PDF. Returns: pages, seconds, clauses and peak RSS (MB) of this process.
    """
    sys.path.insert(0, str(ROOT))
    import pdfplumber  # noqa: F401  (imported up front so the timing is the reading alone)

    import indexer.parse.pdf  # noqa: F401  (registers .pdf)
    from indexer.parse.documents import load_document

    base_mb = _current_rss_mb()
    start = time.perf_counter()
    document = load_document(path)
    seconds = time.perf_counter() - start
    pages = max((p for c in document.clauses for p in c.pages), default=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is KiB on Linux
    return {"pages": pages, "seconds": seconds, "clauses": len(document.clauses),
            "base_mb": base_mb, "peak_mb": peak_mb}


def _current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def concatenated(source: Path, copies: int, out: Path) -> Path:
    """Write `copies` back-to-back copies of `source` to `out` with pypdf."""
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(source), PdfWriter()
    for _ in range(copies):
        for page in reader.pages:
            writer.add_page(page)
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def run_child(path: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=75, help="copies of the 4-page seed (default 300 pages)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf = concatenated(FIXTURES / SEEDS[0], args.copies, Path(tmp) / "long.pdf")
        for label, path in [(name, FIXTURES / name) for name in SEEDS] + [("generated (pypdf)", long_pdf)]:
            stats = run_child(path)
            rows.append((label, stats))
    print(f"{'file':<22} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'clauses':>7} "
          f"{'RSS before MB':>13} {'peak RSS MB':>11}")
    for label, s in rows:
        print(f"{label:<22} {s['pages']:>5} {s['seconds']:>8.2f} {s['pages'] / s['seconds']:>8.1f} "
              f"{s['clauses']:>7} {s['base_mb']:>13.0f} {s['peak_mb']:>11.0f}")


if __name__ == "__main__":
    main()
