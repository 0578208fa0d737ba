"""How long a value answer takes over long clauses full of numbers (issue 13): the worst case of
spans.value_answer, three clauses of ~6,000 characters with some 600 numbers each, without
commas, with them, and as a headline of round figures ('…10余家…') before a body, and a comma-piece
of spaces (sentences' piece rules). No index is needed.

    python bench/bench_value_speed.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.query.spans import sentences, value_answer


def main() -> int:
    texts = {
        "no commas": "".join(f"对第{i}类企业补贴{i * 10}万元、{i}家企业增长{i}%以上的" for i in range(1, 200)) + "。",
        "commas": "，".join(f"对企业补贴{i * 10}万元、共{i}家企业增长{i}%以上" for i in range(1, 200)) + "。",
        "round headline": " ".join(f"第{i}区企业{i}0余家复工{i}5家" for i in range(1, 300)) + "。全市复工企业2476家。",
        "spaces": "本通知自印发之日起施行，" + "\u3000" * 300 + "2020年，企业补贴10万元。",
    }
    for name, text in texts.items():
        clauses = [(f"c{k}", text + str(k), "通知") for k in range(3)]  # three distinct clauses
        start = time.perf_counter()
        value_answer("增长两成以上的企业补贴最多多少", ("企业", "补贴", "增长"), np.ones(3), clauses)
        value_answer("一共有多少家企业复工", ("企业", "复工"), np.ones(2), clauses)  # a count: 家 numbers
        for _, clause, _ in clauses:
            sentences(clause)
        print(f"{name}: 3 clauses of {len(text)} characters, {time.perf_counter() - start:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
