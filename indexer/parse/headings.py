"""Heading grammar of Chinese policy documents: 第X章 / 第X条, 一、, （一）, 1．, （1）, ①.

A heading is recognised at the start of a line, or inline (documents whose line breaks were
lost: "…要求。 一、支持疫情防控物资供应 对生产…"). Inline headings are accepted only when their
number continues a sequence already seen, which keeps references such as "第（三）项" or
"2.5%" out of the structure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN_NUM = "[一二三四五六七八九十百〇零两]{1,4}"

# Order matters only for matching; the hierarchy is built from the order kinds appear in.
# kind letter -> pattern of the label (group 1: the number).
_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    ("c", rf"第({_CN_NUM}|\d{{1,3}})章"),
    ("s", rf"第({_CN_NUM}|\d{{1,3}})节"),
    ("a", rf"第({_CN_NUM}|\d{{1,3}})条"),
    ("h", rf"({_CN_NUM})(?:、|[．.](?!\d))"),
    ("p", rf"[（(]({_CN_NUM})[）)][、．.]?"),
    ("n", r"(\d{1,3})(?:、|[．.](?![\d％%]))"),  # '2.5%', '1.5万' are numbers
    ("q", r"[（(](\d{1,3})[）)][、．.]?"),
    ("r", rf"([{_CIRCLED}])"),
)
_LABEL_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _KIND_PATTERNS)

# Inline heading candidates: after a sentence end or a run of spaces.
_INLINE_BOUNDARY = re.compile(r"(?:(?<=[。；;！!？?：:])|(?<=\s))\s*")


@dataclass(frozen=True)
class Label:
    """A recognised heading label: kind letter, number, the literal label and where it ends."""

    kind: str
    number: int
    text: str
    end: int  # index just past the label in the string it was matched in


def cn_to_int(numeral: str) -> int:
    """Convert a Chinese numeral such as '十二' or '二十三' to an int (0 when unparseable)."""
    if len(numeral) == 1 and numeral in _CIRCLED:
        return _CIRCLED.index(numeral) + 1
    if numeral.isascii() and numeral.isdigit():  # str.isdigit() is also True for '①'
        return int(numeral)
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return 0
    return total + current


def match_label(text: str, pos: int = 0) -> Label | None:
    """Match a heading label at `pos` of `text`.

    Args: text and the position to try. Returns: the Label, or None when no heading starts there.
    """
    for kind, pattern in _LABEL_RES:
        m = pattern.match(text, pos)
        if m:
            number = cn_to_int(m.group(1))
            if number <= 0:
                continue
            if m.end() >= len(text) or text[m.end()] in "\n":
                # A bare label with nothing after it is not a heading ("1." alone on a line).
                continue
            return Label(kind, number, m.group(0), m.end())
    return None


def inline_candidates(text: str, start: int = 0):
    """Yield (position, Label) for every heading label that follows a sentence end or spaces.

    Args: a line of text and where to start looking. Returns: an iterator; the caller decides
    (by numbering sequence) which candidates are real headings.
    """
    for m in _INLINE_BOUNDARY.finditer(text, start):
        pos = m.end()
        if pos <= start or pos >= len(text):
            continue
        label = match_label(text, pos)
        if label is not None:
            yield pos, label


_TITLE_END = re.compile(r"[。；;！!？?]")
_BODY_AFTER = re.compile(r"[，,。；;：:！!？?]")
_WORD_GAP = re.compile(r"(?<=[\u4e00-\u9fff”’」』）)》])[ \u3000]+(?=[\u4e00-\u9fff“‘「『（(《])")
_MAX_TITLE = 40


def split_title(rest: str) -> tuple[str, bool]:
    """Title of a heading from the text that follows its label.

    Args: the text after the label up to the end of the line/segment.
    Returns: (title, title_only) where title_only means the heading has no body of its own
    ("二、重点任务", "（一）指导思想。").
    """
    stripped = rest.strip()
    end = _TITLE_END.search(stripped)
    title = stripped[:end.start()] if end else stripped
    # Where line breaks were lost, the break after a heading's title survives as a gap
    # between two words: "一、支持疫情防控物资供应 对生产、销售…".
    gap = _WORD_GAP.search(title)
    if gap and not _BODY_AFTER.search(stripped, gap.end()) and len(stripped) - gap.end() <= _MAX_TITLE:
        gap = None  # a spaced-out title ("第七章 附 则"), not a title followed by its body
    if gap is None and len(title) > _MAX_TITLE:
        gap = re.search(r"\s+", title[:30])
    if gap is not None and gap.start() <= _MAX_TITLE:
        return title[:gap.start()], False
    if len(title) > _MAX_TITLE:
        return _shorten(title), False
    return title, (not stripped[end.end():].strip()) if end else True


def _shorten(text: str) -> str:
    cut = re.search(r"[，,：:]", text)
    if cut and 4 <= cut.start() <= _MAX_TITLE:
        return text[:cut.start()]
    return text[:_MAX_TITLE - 2] + "…"
