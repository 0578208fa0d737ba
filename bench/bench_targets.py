"""Precision and recall of target (指标) extraction against hand labels, seeds and holdout.

    python bench/bench_targets.py                       # table of precision / recall per label set
    python bench/bench_targets.py --set seeds --set dev --errors   # misses and spurious targets

Seeds (tests/fixtures/targets/seeds.jsonl, one target a line) label every target of the five
documents in corpus/; extraction runs over each whole document. The dev set
(tests/fixtures/targets/dev.jsonl, same line format as the holdout) samples other notices of
../shared/datasets/ncp-policy-qa/docs (files whose sorted index i has i % 5 == 3); it was
labelled before the rules it motivated were written, and rules are tuned on it. The holdout
(tests/fixtures/targets/holdout.jsonl, one sentence a line with its `targets`, [] for numbers
that are not targets) samples notices of ../shared/datasets/ncp-policy-qa/docs; extraction runs
over each labelled sentence. It was labelled before the extractor was written and is not tuned on.
A target is correct when value, unit and year equal the label's and the metrics overlap (a
common run of at least half the shorter metric, and at least two characters).
Precision = correct / extracted; recall = correct / labelled.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.parse.targets import Target, extract_targets

FIXTURES = REPO / "tests" / "fixtures" / "targets"
CORPUS = REPO / "corpus"


def metrics_overlap(a: str, b: str) -> bool:
    """Whether two metric spellings name the same thing: a shared run of half the shorter one.

    Args:
        a: one metric; b: the other.
    Returns:
        True when the longest common substring has ≥ 2 characters and ≥ half the shorter metric.
    """
    if not a or not b:
        return False
    run = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size
    return run >= 2 and run * 2 >= min(len(a), len(b))


def agrees(target: Target, label: dict) -> bool:
    """Whether an extracted target is the labelled one (value, unit, year, overlapping metric).

    Args:
        target: extracted; label: a labelled target dict.
    Returns:
        True when they agree.
    """
    return (math.isclose(target.value, float(label["value"]), rel_tol=1e-9)
            and target.unit == label["unit"] and target.year == label["year"]
            and metrics_overlap(target.metric, label["metric"]))


def match(found: list[Target], labels: list[dict]) -> tuple[int, list[Target], list[dict]]:
    """Pair extracted targets with labels one to one, in order.

    Args:
        found: the extracted targets; labels: the labelled targets of the same text.
    Returns:
        (correct count, spurious targets, missed labels).
    """
    left = list(labels)
    spurious = []
    for target in found:
        hit = next((label for label in left if agrees(target, label)), None)
        if hit is None:
            spurious.append(target)
        else:
            left.remove(hit)
    return len(found) - len(spurious), spurious, left


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_seeds() -> tuple[int, int, int, list[Target], list[dict]]:
    """Extraction over the five corpus documents against the seed labels.

    Returns:
        (correct, extracted, labelled, spurious targets, missed labels).
    """
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for label in _read(FIXTURES / "seeds.jsonl"):
        by_doc[label["doc"]].append(label)
    totals = [0, 0, 0, [], []]
    for doc in sorted(p.stem for p in CORPUS.glob("*.txt")):
        found = extract_targets((CORPUS / f"{doc}.txt").read_text(encoding="utf-8"))
        _add(totals, found, by_doc.get(doc, []))
    return tuple(totals)


def score_sentences(path: Path) -> tuple[int, int, int, list[Target], list[dict]]:
    """Extraction over each labelled sentence of a sentence set (dev, holdout) against its labels.

    Args:
        path: a JSON-lines file, one {"text", "targets"} a line.
    Returns:
        (correct, extracted, labelled, spurious targets, missed labels).
    """
    totals = [0, 0, 0, [], []]
    for row in _read(path):
        labels = [{**label, "text": row["text"]} for label in row["targets"]]
        _add(totals, extract_targets(row["text"]), labels)
    return tuple(totals)


def score_dev() -> tuple[int, int, int, list[Target], list[dict]]:
    """The dev sentences (tuned on) against their labels."""
    return score_sentences(FIXTURES / "dev.jsonl")


def score_holdout() -> tuple[int, int, int, list[Target], list[dict]]:
    """The holdout sentences (never tuned on) against their labels."""
    return score_sentences(FIXTURES / "holdout.jsonl")


SCORERS = {"seeds": score_seeds, "dev": score_dev, "holdout": score_holdout}


def _add(totals: list, found: list[Target], labels: list[dict]) -> None:
    correct, spurious, missed = match(found, labels)
    totals[0] += correct
    totals[1] += len(found)
    totals[2] += len(labels)
    totals[3].extend(spurious)
    totals[4].extend(missed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misses and spurious targets")
    parser.add_argument("--set", action="append", choices=list(SCORERS), dest="sets",
                        help="score only this label set (repeatable); default: all")
    args = parser.parse_args()
    print(f"{'set':<8} {'labelled':>8} {'found':>6} {'correct':>7} {'P':>6} {'R':>6}")
    for name in args.sets or list(SCORERS):
        correct, found, labelled, spurious, missed = SCORERS[name]()
        precision = correct / found if found else 0.0
        recall = correct / labelled if labelled else 0.0
        print(f"{name:<8} {labelled:>8} {found:>6} {correct:>7} {precision:>6.3f} {recall:>6.3f}")
        if args.errors:
            for target in spurious:
                print(f"  spurious  {target.metric} | {target.value:g} {target.unit} | "
                      f"{target.comparator} | {target.year} | {target.text}")
            for label in missed:
                print(f"  missed    {label['metric']} | {label['value']:g} {label['unit']} | "
                      f"{label['year']} | {label['text']}")


if __name__ == "__main__":
    main()
