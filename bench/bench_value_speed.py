"""How long a value answer takes over long clauses full of numbers (issue 13): the worst case of
spans.value_answer, three clauses of ~6,000 characters with some 600 numbers each, without
commas and with them. No index is needed.

    python bench/bench_value_speed.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.query.spans import value_answer


def main() -> int:
    texts = {
        "no commas": "".join(f"对第{i}类企业补贴{i * 10}万元、{i}家企业增长{i}%以上的" for i in range(1, 200)) + "。",
        "commas": "，".join(f"对企业补贴{i * 10}万元、共{i}家企业增长{i}%以上" for i in range(1, 200)) + "。",
    }
    for name, text in texts.items():
        clauses = [(f"c{k}", text + str(k), "通知") for k in range(3)]  # three distinct clauses
        start = time.perf_counter()
        value_answer("增长两成以上的企业补贴最多多少", ("企业", "补贴", "增长"), np.ones(3), clauses)
        print(f"{name}: 3 clauses of {len(text)} characters, {time.perf_counter() - start:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
