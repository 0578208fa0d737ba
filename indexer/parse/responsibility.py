"""Responsibility notes (责任分工): who leads, who cooperates, who answers for an item.

Policy work plans close items with notes in a few shapes:
  （责任处室：农村处）
  (责任人:邱飞章,牵头单位:高新处,配合单位:有关处室,各市、县(市、区)科技局(委))
  责任单位:县经信局(县科技局)、县人力社保局        <- on the line(s) after the item
Unit names are kept as written ("各处室", "有关处室" are real answers); only their brackets are
normalised to full width so the same unit matches across documents.
"""
from __future__ import annotations

import re

from indexer.types import Responsibility

# key -> role. 责任单位/责任处室 name who carries the task, so they count as lead.
ROLE_OF_KEY = {
    "责任人": "persons",
    "责任领导": "persons",
    "牵头单位": "lead",
    "牵头处室": "lead",
    "牵头部门": "lead",
    "责任单位": "lead",
    "责任处室": "lead",
    "责任部门": "lead",
    "主办单位": "lead",
    "主责单位": "lead",
    "配合单位": "cooperating",
    "配合处室": "cooperating",
    "配合部门": "cooperating",
    "协办单位": "cooperating",
    "参与单位": "cooperating",
}
_KEYS = "|".join(sorted(ROLE_OF_KEY, key=len, reverse=True))
_KEY_RE = re.compile(rf"({_KEYS})\s*[:：]")
# One optional bracket and the spaces after it: two adjacent \s* would split a long run of
# spaces every possible way (quadratic).
NOTE_LINE_RE = re.compile(rf"^\s*(?:[（(]\s*)?({_KEYS})\s*[:：]")

_OPEN, _CLOSE = "（(〔", "）)〕"
# A split piece that is only the start of an idiom such as 各市、县(市、区)科技局.
_IDIOM_HEAD = re.compile(r"^(?:各|有关|各有关)?[省市县区乡镇]$")


def is_note_line(line: str) -> bool:
    """True for a line that is only a responsibility note ('责任单位：…')."""
    return bool(NOTE_LINE_RE.match(line))


def trailing_note(text: str) -> tuple[int, str] | None:
    """Find a bracketed responsibility note that closes `text`.

    Args: a paragraph. Returns: (start offset of the note's opening bracket, the note's inner
    text), or None when the paragraph does not end with a note. One stray closing bracket
    ("…各高新区))", a real typo in seed documents) is tolerated.
    """
    end = len(text.rstrip())
    while end > 0 and text[end - 1] in "。；;，, ":
        end -= 1
    for _ in range(2):
        if end == 0 or text[end - 1] not in _CLOSE:
            return None
        found = _note_opening(text, end)
        if found is not None:
            inner = text[found + 1:end - 1]
            return (found, inner) if _KEY_RE.match(inner.strip()) else None
        end -= 1
    return None


# After a bracket, or at the end of a run of spaces; never "after a space, then more spaces":
# that retries a long run of spaces from each of its positions (quadratic).
_INLINE_NOTE = re.compile(rf"(?:[（(]\s*|(?<=[ \u3000])(?!\s))(?:{_KEYS})\s*[:：]")
_UNIT_GAP = re.compile(r"(?<![、，,；;\s])[ \u3000]+(?=\S)")


def note_breaks(text: str, start: int = 0) -> list[int]:
    """Offsets where a line that lost its breaks must be cut so each note closes its item.

    Args: a line and where to start looking. Returns: sorted offsets: after a bracketed note
    that more text follows ('…（责任单位：市卫健委） 上述措施…'), and around a bare note that
    stands after a gap ('… 责任单位：省药监局 上述措施…'); a note that ends the line needs none.
    """
    breaks: list[int] = []
    inside = start  # end of the bracketed note last seen: its second key is no new note
    for m in _INLINE_NOTE.finditer(text, start):
        if m.start() < inside:
            continue
        if text[m.start()] in _OPEN:
            close = _note_closing(text, m.start())
            inside = close or len(text)
            if close is not None and text[close:].strip():
                breaks.append(close)
        else:
            breaks.append(m.start())
            gap = _UNIT_GAP.search(text, m.end())
            if gap:
                breaks.append(gap.start())
    return sorted(set(breaks))


def bracketed_notes(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """The bracketed notes in text[start:end] ('…发放。（责任单位：各县（市、区）人民政府）。'),
    brackets nested inside a note included.

    Args: a text and the span to look in. Returns: (offset of the opening bracket, offset past
    the closing bracket and the punctuation after it, the note's inner text) for each note that
    closes before `end`.
    """
    end = len(text) if end is None else end
    notes: list[tuple[int, int, str]] = []
    inside = start
    for m in _INLINE_NOTE.finditer(text, start, end):
        if m.start() < inside or text[m.start()] not in _OPEN:
            continue
        close = _note_closing(text, m.start())
        if close is None:  # a bracket never closed: no note of its own
            continue
        if close > end:
            break
        notes.append((m.start(), close, text[m.start() + 1:close].rstrip("。；;，,")[:-1]))
        inside = close
    return notes


def _note_closing(text: str, opening: int) -> int | None:
    """Offset just past the bracket that closes the one at `opening`, with the punctuation and
    a stray extra bracket that follow it ('…各高新区))。')."""
    depth = 0
    for i in range(opening, len(text)):
        if text[i] in _OPEN:
            depth += 1
        elif text[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                end = i + 1
                while end < len(text) and text[end] in "。；;，,）)":
                    end += 1
                return end
    return None


def _note_opening(text: str, end: int) -> int | None:
    depth = 0
    for i in range(end - 1, -1, -1):
        if text[i] in _CLOSE:
            depth += 1
        elif text[i] in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def parse_note(note: str) -> Responsibility:
    """Parse the inside of a note into lead / cooperating units and persons.

    Args: text such as '责任人:邱飞章,牵头单位:高新处,配合单位:有关处室'.
    Returns: a Responsibility; unknown text outside any key is ignored.
    """
    roles: dict[str, list[str]] = {"lead": [], "cooperating": [], "persons": []}
    keys = list(_KEY_RE.finditer(note))
    for i, m in enumerate(keys):
        value_end = keys[i + 1].start() if i + 1 < len(keys) else len(note)
        for unit in split_units(note[m.end():value_end]):
            bucket = roles[ROLE_OF_KEY[m.group(1)]]
            if unit not in bucket:
                bucket.append(unit)
    return Responsibility(tuple(roles["lead"]), tuple(roles["cooperating"]), tuple(roles["persons"]))


_LIST_OPEN = tuple("、，,")
_SENTENCE_MARK = re.compile(r"[。！？!?]")
_MAX_WRAPPED_LINE = 80
_MAX_UNIT = 30


def note_left_open(note_line: str) -> bool:
    """True when a note line ends inside its unit list ('责任单位：A、B、'): the list was
    wrapped and goes on on the next line."""
    return note_line.rstrip().endswith(_LIST_OPEN)


# How the name of a body ends (县科技局, 各乡镇, 市政府办公室, 有关单位, 各高新区, 县经信局（县科技局）).
_BODY_END = re.compile(r"(?:局|委|办|处|室|部|厅|会|院|所|中心|政府|镇|乡|街道|公司|集团|单位|部门|机构|银行|"
                       r"学校|大学|站|队|馆|社|署|司|科|股|组|区|县|市|省|州|盟|旗|村)(?:（[^（）]*）)*$")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def continues_unit_list(line: str, note: str) -> bool:
    """True for a line that can be the rest of the wrapped list of `note` ('C、D' after
    '责任单位：A、B、'): short, no sentence or key of its own, and every part shaped like the
    name of a body (or, after 责任人, of a person)."""
    text = line.strip().rstrip("。；;")
    if not text or len(text) > _MAX_WRAPPED_LINE or _SENTENCE_MARK.search(text) or _KEY_RE.search(text):
        return False
    keys = _KEY_RE.findall(note)
    shape = _PERSON if keys and ROLE_OF_KEY[keys[-1]] == "persons" else _BODY_END
    return all(len(unit) <= _MAX_UNIT and shape.search(unit) for unit in split_units(text))


def merge(first: Responsibility, second: Responsibility) -> Responsibility:
    """Union of two responsibilities, order kept, duplicates dropped."""
    def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        return a + tuple(x for x in b if x not in a)
    return Responsibility(union(first.lead, second.lead),
                          union(first.cooperating, second.cooperating),
                          union(first.persons, second.persons))


def split_units(value: str) -> list[str]:
    """Split a list of units at 、，,；; outside brackets, re-joining idioms like 各市、县(市、区)…

    Args: the value part of a note. Returns: unit names with brackets in full width.
    """
    pieces, depth, current = [], 0, []
    for ch in value:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，,；;\n":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    units: list[str] = []
    pending = ""
    for piece in (normalize_unit(p) for p in pieces):
        if not piece:
            continue
        if pending:
            piece, pending = f"{pending}、{piece}", ""
        if _IDIOM_HEAD.match(piece):
            pending = piece
            continue
        units.append(piece)
    if pending:
        units.append(pending)
    return units


def normalize_unit(name: str) -> str:
    """Strip spaces, trailing punctuation and unmatched outer brackets (the note's own, as in
    '（责任单位：县科技局）' on a line of its own); brackets to full width ('县经信局（县科技局）')."""
    name = re.sub(r"\s+", "", name).strip("。.：:").replace("(", "（").replace(")", "）")
    while name.endswith("）") and name.count("）") > name.count("（"):
        name = name[:-1]
    while name.startswith("（") and name.count("（") > name.count("）"):
        name = name[1:]
    return name
