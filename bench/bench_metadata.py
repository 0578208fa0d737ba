"""Metadata accuracy per field against hand labels: issuer, date, 文号, region, kind, title.

    python bench/bench_metadata.py            # table of precision / recall per field
    python bench/bench_metadata.py --errors   # also every disagreement, label vs. output

The labels (tests/fixtures/metadata/labels.jsonl) cover a sample fixed before development:
every 9th NCP notice by sorted file name (i % 9 == 0, 67 files) and every 2nd Guangzhou page
(i % 2 == 0, 24 files), from ../shared/datasets. Each label is what the document states, read
by a person. A field may list several acceptable spellings (an organ printed two ways).
Precision = correct / predicted non-empty; recall = correct / labelled non-empty.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.parse.documents import load_document
from indexer.parse.metadata import normalize_doc_number
from indexer.types import Document

SHARED = Path(os.environ.get("POLICY_SHARED_DIR", REPO.parent / "shared"))
LABELS = REPO / "tests" / "fixtures" / "metadata" / "labels.jsonl"
FIELDS = ("issuer", "date", "doc_number", "region", "kind", "title")
_NOISE = re.compile(r"\s+|^[（(【\[][^）)】\]]{1,6}[）)】\]]")


@dataclass(frozen=True)
class Score:
    """Counts of one field: correct answers, non-empty outputs, non-empty labels."""

    correct: int
    predicted: int
    labelled: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0


def load_labels(path: Path = LABELS) -> list[dict]:
    """The labelled rows; each names its dataset folder and file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def predicted(document: Document) -> dict[str, str]:
    """The fields of a parsed document, as the labels spell them."""
    return {"issuer": document.issuer, "date": document.date, "doc_number": document.doc_number,
            "region": document.region.label, "kind": document.kind, "title": document.title}


def _same(field: str, output: str, label: str) -> bool:
    if field == "issuer":
        return " ".join(output.split()) == " ".join(label.split())
    if field == "doc_number":  # one 文号 whichever brackets it is printed with ('﹝2020﹞', '[2020]')
        return normalize_doc_number(_NOISE.sub("", output)) == normalize_doc_number(_NOISE.sub("", label))
    if field == "title":
        return _NOISE.sub("", output).replace("(", "（").replace(")", "）") == \
            _NOISE.sub("", label).replace("(", "（").replace(")", "）")
    return output == label


def score(rows: list[tuple[dict, dict[str, str]]]) -> dict[str, Score]:
    """Per-field Score over (label row, predicted fields) pairs.

    Args: pairs of a label row and the parser's fields. Returns: field -> Score.
    """
    scores = {}
    for field in FIELDS:
        correct = predicted_n = labelled_n = 0
        for label, output in rows:
            wanted = label[field] if isinstance(label[field], list) else [label[field]]
            got = output[field]
            predicted_n += bool(got)
            labelled_n += bool(wanted[0])
            correct += bool(got) and any(_same(field, got, w) for w in wanted if w)
        scores[field] = Score(correct, predicted_n, labelled_n)
    return scores


def evaluate(shared: Path = SHARED, path: Path = LABELS) -> list[tuple[dict, dict[str, str]]]:
    """Parse every labelled file. Returns (label row, predicted fields) pairs."""
    pairs = []
    for label in load_labels(path):
        folder = shared / "datasets" / label["dataset"]
        file = next(p for p in (folder / "docs" / label["file"], folder / label["file"]) if p.exists())
        pairs.append((label, predicted(load_document(file, file.parent))))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="print every disagreement")
    parser.add_argument("--labels", type=Path, default=LABELS,
                        help="label file (default: the development sample; tests/fixtures/metadata/"
                             "holdout.jsonl is the held-out one, labelled blind and never tuned on)")
    args = parser.parse_args()
    pairs = evaluate(path=args.labels)
    for name in ("ncp-policy-qa", "gz-policy-html", "all"):
        subset = [p for p in pairs if name in ("all", p[0]["dataset"])]
        print(f"\n{name}: {len(subset)} labelled documents")
        print(f"{'field':<11} {'precision':>9} {'recall':>7} {'correct':>8} {'predicted':>9} {'labelled':>8}")
        for field, s in score(subset).items():
            print(f"{field:<11} {s.precision:>9.3f} {s.recall:>7.3f} {s.correct:>8} {s.predicted:>9} {s.labelled:>8}")
    if args.errors:
        print()
        for label, output in pairs:
            for field in FIELDS:
                wanted = label[field] if isinstance(label[field], list) else [label[field]]
                if not any(_same(field, output[field], w) for w in wanted) and (output[field] or wanted[0]):
                    print(f"{label['file'][:14]:<15} {field:<10} label={wanted[0]!r} got={output[field]!r}")


if __name__ == "__main__":
    main()
