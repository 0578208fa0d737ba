"""Where a clause is cut: segment a document's text into numbered items and clause-sized pieces.

The text is walked line by line; each line is split at heading labels (at its start and,
for documents that lost their line breaks, inline). Headings form a tree by the order their
kinds appear in (the first kind seen is the top level, a new kind opens a child level, a kind
already open closes everything below it). Each node's own text becomes a clause; headings that
are only a title ("二、重点任务") are section context when items sit under them. Responsibility
notes attach to the item they close; the frame that trails a line which lost its breaks
(signature, 附件 list, 抄送) is cut off first. Long items are split into pieces at sentence
ends (see MAX_CLAUSE_CHARS).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parse.boilerplate import frame_tail, is_frame_line
from indexer.parse.headings import Label, inline_candidates, match_label, split_title
from indexer.parse.prose_roles import merge_responsibility, prose_responsibility
from indexer.parse.responsibility import (
    bracketed_notes,
    continues_unit_list,
    is_note_line,
    merge,
    note_breaks,
    note_left_open,
    parse_note,
    trailing_note,
)
from indexer.parse.targets import extract_targets
from indexer.types import Clause, Heading, Responsibility

# An item up to MAX_CLAUSE_CHARS stays whole. Longer ones are cut at sentence ends into pieces
# of about PIECE_CHARS: multilingual-e5-small reads at most 512 tokens (about as many Chinese
# characters), and one task of a work plan is typically 100–350 characters, so the bound keeps
# ordinary items whole while a 2,000-character section does not blur into one vector.
MAX_CLAUSE_CHARS = 360
PIECE_CHARS = 240
MIN_PIECE_CHARS = 60

_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+")
_CLOSING = re.compile(r"^\s*本(?:意见|方案|办法|通知|规定|细则|计划|要点|措施|决定|公告|通告)[^。]{0,30}"
                      r"(?:施行|实施|执行|有效|负责解释)")


# Item kinds whose numbering a scrape may break by one: 1. / 1、 and （1）.
_NUMBERED_ITEMS = frozenset({"n", "q"})
# An item ends with a sentence or a note — closed, or left open where the scrape lost its bracket
# too ('…（责任单位：区国资委、区政府集体资产监管办 4.对租用…').
_ITEM_ENDED = re.compile(r"(?:[。；;！!？?）)]|[（(](?:责任|牵头|配合|主办|协办)[^（()）。]{0,80})\s*$")


def _lost_number(line: str, pos: int, cand: Label, expected: dict[str, int],
                 candidates: list[tuple[int, Label]]) -> bool:
    """Whether `cand` continues its sequence past one number lost in scraping ('1.… 2.…
    区属国有企业…（责任单位：…） 4.…'): an item kind of _NUMBERED_ITEMS two past the last (from 2 on),
    starting where a sentence or a note ends, with the lost number nowhere later on the line (a
    date '4、5月份' inside item 2 is no item 4 when '3.' follows)."""
    last = expected.get(cand.kind, 0)
    if cand.kind not in _NUMBERED_ITEMS or last < 2 or cand.number != last + 2:
        return False
    if not _ITEM_ENDED.search(line[:pos]):
        return False
    return not any(at > pos and c.kind == cand.kind and c.number == last + 1 for at, c in candidates)


@dataclass
class _Node:
    kind: str  # heading kind letter, '' for the preamble and for unnumbered items
    number: int
    heading: Heading | None
    key: str
    parent: _Node | None
    start: int
    end: int = 0
    has_body: bool = False
    closed: bool = False  # ended with a responsibility note
    extras: int = 0  # unnumbered items that followed this one
    anchor: _Node | None = None  # for an unnumbered item: the node it follows
    responsibility: Responsibility = field(default_factory=Responsibility)

    def path(self) -> tuple[Heading, ...]:
        node, headings = self, []
        while node is not None:
            if node.heading is not None:
                headings.append(node.heading)
            node = node.parent
        return tuple(reversed(headings))


class _Segmenter:
    """Builds the node tree for one document text."""

    def __init__(self, text: str, skip_lines: frozenset[int]):
        self.text = text
        self.skip_lines = skip_lines
        self.root = _Node("", 0, None, "", None, 0)
        self.nodes: list[_Node] = []
        self.current = self.root
        self.stack: list[_Node] = []  # open heading nodes, outermost first
        self.last_number: dict[str, int] = {}
        # A note line whose unit list was wrapped ('责任单位：A、B、'): (its item, the item's
        # responsibility before the note, the note text so far), until the list ends.
        self.open_note: tuple[_Node, Responsibility, str] | None = None

    def run(self) -> list[_Node]:
        offset = 0
        for lineno, line in enumerate(self.text.split("\n")):
            if line.strip() and lineno not in self.skip_lines:
                self._line(line, offset)
            offset += len(line) + 1
        return self.nodes

    def _line(self, line: str, offset: int) -> None:
        line = line[:frame_tail(line)]
        lead = len(line) - len(line.lstrip())
        label = match_label(line, lead)
        cuts: list[tuple[int, Label | None]] = [(lead, label)]
        stack_kinds = {n.kind: n.number for n in self.stack}
        search_from = label.end if label else lead
        expected = dict(self.last_number)
        if label:
            expected[label.kind] = label.number
        candidates = list(inline_candidates(line, search_from))
        for pos, cand in candidates:
            if self._continues(cand, expected, stack_kinds, label) or _lost_number(line, pos, cand, expected, candidates):
                cuts.append((pos, cand))
                expected[cand.kind] = cand.number
        cuts += [(pos, None) for pos in note_breaks(line, search_from)]
        cuts.sort(key=lambda cut: cut[0])
        for i, (pos, lab) in enumerate(cuts):
            end = cuts[i + 1][0] if i + 1 < len(cuts) else len(line.rstrip())
            raw = line[pos:end]
            segment = raw.strip()
            if segment:
                start = offset + pos + len(raw) - len(raw.lstrip())
                self._segment(start, start + len(segment), segment, lab)

    def _continues(self, cand: Label, expected: dict[str, int], stack_kinds: dict[str, int],
                   line_label: Label | None) -> bool:
        if cand.number == expected.get(cand.kind, 0) + 1:
            return True
        # A first child of a level not open yet: "一、… （一）…" or "一、… 1、…".
        return cand.number == 1 and cand.kind not in stack_kinds and (
            line_label is None or cand.kind != line_label.kind)

    def _segment(self, start: int, end: int, segment: str, label: Label | None) -> None:
        open_note, self.open_note = self.open_note, None
        if label is None and open_note is not None and not is_note_line(segment) \
                and not is_frame_line(segment) and continues_unit_list(segment, open_note[2]):
            node, before, note = open_note
            self._note(node, end, before, note + segment)
        elif label is not None:
            self._heading(start, end, segment, label)
        elif is_note_line(segment):
            self._note(self.current, end, self.current.responsibility, segment)
        elif is_frame_line(segment):
            return
        else:
            self._paragraph(start, end, segment)

    def _heading(self, start: int, end: int, segment: str, label: Label) -> None:
        while self.stack and label.kind in {n.kind for n in self.stack}:
            if self.stack.pop().kind == label.kind:
                break
        parent = self.stack[-1] if self.stack else self.root
        if label.kind == "a":  # an article (第X条) has no title: its first sentence is its body
            title, title_only = "", False
        else:
            title, title_only = split_title(segment[len(label.text):])
        heading = Heading(_display_label(label), title)
        key = f"{parent.key}.{label.kind}{label.number}".lstrip(".")
        node = _Node(label.kind, label.number, heading, key, parent, start, end, has_body=not title_only)
        self.stack.append(node)
        self.last_number[label.kind] = label.number
        self.nodes.append(node)
        self.current = node
        self._close_if_noted(node, segment, start)

    def _paragraph(self, start: int, end: int, segment: str) -> None:
        node = self.current
        # Unnumbered items hang off the numbered item (or the preamble) they follow.
        anchor = node.anchor if node.anchor is not None else node
        preamble = anchor is self.root
        closing = bool(_CLOSING.match(segment))
        if preamble or node.closed or closing:
            anchor.extras += 1
            parent = self.root if preamble or closing else anchor.parent
            node = _Node("", 0, None, f"{anchor.key or '0'}+{anchor.extras}", parent, start, end,
                         has_body=True, anchor=anchor)
            self.nodes.append(node)
            self.current = node
        else:
            node.end = end
            node.has_body = True
        self._close_if_noted(node, segment, start)

    def _note(self, node: _Node, end: int, before: Responsibility, note: str) -> None:
        """Attach a note line (or a wrapped one, joined) to the item it closes. The whole note is
        parsed again when a wrapped list goes on, so idioms cut by the wrap ('各市、' / '县(市、
        区)科技局') join as they would on one line."""
        node.responsibility = merge(before, parse_note(note))
        node.end = end
        node.closed = True
        if note_left_open(note):
            self.open_note = (node, before, note)

    def _close_if_noted(self, node: _Node, segment: str, start: int) -> None:
        note = trailing_note(segment)
        if note is not None:
            node.responsibility = merge(node.responsibility, parse_note(note[1]))
            node.closed = True


def _display_label(label: Label) -> str:
    """Label as printed, with half-width brackets and dots made full width ('(一)' -> '（一）')."""
    text = label.text.replace("(", "（").replace(")", "）")
    if label.kind == "n":
        text = text[:-1] + "．" if text.endswith(".") else text
    return text


def segment(text: str, doc_id: str, skip_lines: frozenset[int] = frozenset(),
            pages: tuple[tuple[int, int, int], ...] = ()) -> tuple[Clause, ...]:
    """Cut a document's text into clauses.

    Args: the clean document text, the document id (prefix of clause ids), line numbers to
    ignore (title lines), page spans for paged sources.
    Returns: clauses in document order, ids unique within the document.
    """
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    nodes = _Segmenter(text, skip_lines).run()
    parents = {id(node.parent) for node in nodes}
    for node in nodes:
        # A heading that is only a title is section context, unless nothing sits under it:
        # then its one sentence is the item ("三、严禁承办群体性聚餐宴席。 四、…").
        if not node.has_body and id(node) in parents:
            continue
        key = node.key
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}!{seen[key]}"
        section = node.path()
        label = node.heading.label if node.heading else ""
        pieces = split_long(text, node.start, node.end)
        # An item holding several measures, each closed by its own note (a page that lost the
        # numbers of its items), answers piece by piece: a piece with the notes it holds.
        several = len(pieces) > 1 and len(bracketed_notes(text, node.start, node.end)) > 1
        if not several:
            # What the prose says ("由市商务局负责", "办公室设在综合计划科") joins the note's parties.
            responsibility, _ = merge_responsibility(node.responsibility,
                                                     prose_responsibility(text[node.start:node.end]))
        for i, (start, end) in enumerate(pieces, 1):
            if several:
                responsibility, _ = merge_responsibility(_notes_in(text, start, end),
                                                         prose_responsibility(text[start:end]))
            clause_key = key if len(pieces) == 1 else f"{key}~{i}"
            clauses.append(Clause(
                id=f"{doc_id}:{clause_key}",
                document_id=doc_id,
                section=section,
                label=label,
                text=text[start:end],
                start=start,
                end=end,
                responsibility=responsibility,
                pages=pages_of(pages, start, end),
                targets=tuple(t.to_dict() for t in extract_targets(text[start:end])),
            ))
    return tuple(clauses)


def split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of clause-sized pieces of text[start:end], cut at sentence ends.

    Args: the text and the item's span. Returns: one span when the item is short enough,
    else consecutive spans each near PIECE_CHARS (a single over-long sentence stays whole).
    """
    if end - start <= MAX_CLAUSE_CHARS:
        return [(start, end)]
    bounds = [m.end() + start for m in _SENTENCE_END.finditer(text[start:end])]
    if not bounds or bounds[-1] != end:
        bounds.append(end)
    # A note closes the sentence before it ('…发放。（责任单位：区商务局、区财政局）'): a piece
    # boundary goes after it, never between a measure and its note, nor inside the note.
    notes = bracketed_notes(text, start, end)
    kept = set()
    for bound in bounds:
        if any(opening < bound < close for opening, close, _ in notes):
            continue
        following = next(((opening, close) for opening, close, _ in notes if opening >= bound), None)
        kept.add(following[1] if following and not text[bound:following[0]].strip() else bound)
    bounds = sorted(kept)
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for i, bound in enumerate(bounds):
        next_bound = bounds[i + 1] if i + 1 < len(bounds) else None
        if next_bound is None or next_bound - piece_start > PIECE_CHARS:
            pieces.append((piece_start, bound))
            piece_start = bound
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < MIN_PIECE_CHARS:
        last = pieces.pop()
        pieces[-1] = (pieces[-1][0], last[1])
    return [_trim(text, s, e) for s, e in pieces if text[s:e].strip()]


def _notes_in(text: str, start: int, end: int) -> Responsibility:
    """The parties of the bracketed notes inside text[start:end]."""
    found = Responsibility((), (), ())
    for _, _, inner in bracketed_notes(text, start, end):
        found = merge(found, parse_note(inner))
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def pages_of(pages: tuple[tuple[int, int, int], ...], start: int, end: int) -> tuple[int, ...]:
    """Page numbers a span touches, for citations such as 第3页."""
    return tuple(sorted({page for s, e, page in pages if s < end and start < e}))
