"""Collapsing ranked rows into results: adjacent pieces of one long item become one passage, and
the same text published by several documents becomes one result that lists the others.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.index.table import Candidate

# Adjacent pieces of one long item that both rank are returned as one passage of at most this
# many pieces: an answer that straddles a cut is then read (and found) whole. Measured on NCP
# dev (docs/BENCHMARKS.md): 2 and 3 rank the same; 2 keeps passages near one long item's size.
PASSAGE_PIECES = 2
MAX_ALSO_IN = 20  # documents listed under a result as holding the same text
_PIECE = re.compile(r"^(.*)~(\d+)$")


@dataclass
class Group:
    """One result: its rows (a clause, or a passage's pieces), its best score, and one row per
    other document holding the same text."""

    members: list[int]
    score: float
    duplicates: list[int]
    doc: int


class _Collector:
    """A group being filled: pieces join as members, copies once per other document."""

    def __init__(self, row: int, score: float, doc: int):
        self.group = Group([row], score, [], doc)
        self._duplicate_docs: set[int] = set()  # members are pieces of one item: one document

    def take(self, row: int, doc: int, as_member: bool) -> None:
        if as_member:
            self.group.members.append(row)
        elif doc not in self._duplicate_docs and len(self.group.duplicates) < MAX_ALSO_IN:
            self._duplicate_docs.add(doc)
            self.group.duplicates.append(row)


class _Run:
    """Consecutive placed pieces of one item: a passage (member) or another document's copy of
    it (not a member), growing up to PASSAGE_PIECES pieces."""

    def __init__(self, collector: _Collector, piece: int, member: bool):
        self.collector, self.first, self.last, self.member = collector, piece, piece, member

    def next_to(self, piece: int) -> bool:
        return self.last - self.first + 1 < PASSAGE_PIECES and piece in (self.first - 1, self.last + 1)

    def add(self, piece: int) -> None:
        self.first, self.last = min(self.first, piece), max(self.last, piece)


def collapse(ranked: Sequence[tuple[int, float]], k: int, read: Callable[[list[int]], list[Candidate]],
             doc_of_row: Sequence[int]) -> tuple[list[Group], dict[int, Candidate]]:
    """Group ranked rows into at most k results, scanning in rank order.

    - A piece of a long item next to a piece already placed (same item, up to PASSAGE_PIECES)
      joins it: the two are one passage.
    - A clause of another document whose text (ignoring spacing and punctuation) and units
      equal a placed result's is listed as its duplicate instead of taking a place of its own:
      once per document, up to MAX_ALSO_IN documents. A republished long item is absorbed piece
      by piece: a piece next to a duplicate piece of the same item is that document's copy too.
    The scan stops at the first row that would open result k+1, so nothing ranked below the
    last result is pulled in.
    Args: (row, score) best first; k; `read(rows)` gives the rows' candidates (called at most
    twice: the first 2k rows, then the rest); each row's document. Returns: the groups, and the
    candidate of every row read.
    """
    collectors: list[_Collector] = []
    runs: dict[str, list[_Run]] = {}  # item id -> runs of its placed pieces
    by_text: dict[tuple, _Collector] = {}
    seen: list[Candidate] = []
    for at, (row, score) in enumerate(ranked):
        if at == len(seen):
            seen += read([r for r, _ in (ranked[:max(2 * k, 20)] if at == 0 else ranked[at:])])
        candidate = seen[at]
        doc = int(doc_of_row[row])
        # Same words under other units (a task two plans give to different offices) are
        # different clauses: a who-question must see both.
        key = (same_text_key(candidate.text), candidate.units_key)
        match = _PIECE.match(candidate.clause_id)
        item, piece = (match.group(1), int(match.group(2))) if match else (None, 0)
        run = next((r for r in runs.get(item, ()) if r.next_to(piece)), None) if match else None
        if run is not None:  # the next piece of a passage, or of a duplicate's copy of it
            run.add(piece)
            run.collector.take(row, doc, as_member=run.member)
            by_text.setdefault(key, run.collector)
            continue
        collector = by_text.get(key)
        if collector is not None and doc != collector.group.doc:
            collector.take(row, doc, as_member=False)
            if match:
                runs.setdefault(item, []).append(_Run(collector, piece, member=False))
            continue
        if len(collectors) == k:
            break
        collector = _Collector(row, score, doc)
        collectors.append(collector)
        by_text.setdefault(key, collector)
        if match:
            runs.setdefault(item, []).append(_Run(collector, piece, member=True))
    return [c.group for c in collectors], {c.row: c for c in seen}


_NOT_WORD = re.compile(r"[\W_]+")
# Full-width ASCII (ＡＢＣ１２３) to ASCII: what NFKC would do for the texts at hand, at a
# fraction of its cost (it ran on every candidate of every search).
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # letters and digits: punctuation goes anyway


def same_text_key(text: str) -> str:
    """What two clauses must share to count as the same text: full-width letters and digits
    folded, lower-cased, with spacing and punctuation removed."""
    if _FULL_WIDTH.search(text):
        text = text.translate(_HALF_WIDTH)
    return _NOT_WORD.sub("", text).lower()
