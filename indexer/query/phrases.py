"""Shared phrases of two clauses: a phrase-level diff of Chinese text, for reading two similar
clauses side by side.

Punctuation and whitespace are left out of the comparison (a province rewriting "，" as "、" or
breaking a line still copies the phrase), and offsets point into the original strings. Phrases
are found longest first in any order (a county plan naming 知识产权试点 before 中介机构 shares
both with a province's item naming them the other way round): difflib's longest match over
what is not yet marked, at most MAX_PHRASES times, over at most MAX_PHRASE_CHARS characters of
each text (SequenceMatcher is quadratic at worst; clauses are far shorter).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from indexer.index.tokens import fold

MAX_PHRASE_CHARS = 5000  # characters of each text compared; the rest is shown as not shared
MAX_PHRASES = 60
_TEXT_CHAR = re.compile(r"[\w\u4e00-\u9fff]")


def shared_phrases(a: str, b: str, min_len: int = 4) -> list[tuple[int, int, int, int]]:
    """Common phrases of two texts, longest first, each character in at most one phrase.

    Args: the two texts; the fewest characters (punctuation not counted) a phrase must have.
    Returns: (start_a, end_a, start_b, end_b) per phrase, in order of `a`, offsets into `a` and
    `b` as given (end exclusive; a phrase runs from its first to its last shared character, so
    punctuation inside it is included on each side as written).
    """
    plain_a, at_a = _plain(a[:MAX_PHRASE_CHARS])
    plain_b, at_b = _plain(b[:MAX_PHRASE_CHARS])
    if not plain_a or not plain_b:
        return []
    # Marked characters become sentinels that match nothing on the other side.
    left, right = list(plain_a), list(plain_b)
    found = []
    for _ in range(MAX_PHRASES):
        matcher = SequenceMatcher(None, left, right, autojunk=False)
        i, j, size = matcher.find_longest_match(0, len(left), 0, len(right))
        if size < min_len:
            break
        found.append((at_a[i], at_a[i + size - 1] + 1, at_b[j], at_b[j + size - 1] + 1))
        left[i:i + size] = ["\x00"] * size
        right[j:j + size] = ["\x01"] * size
    return sorted(found)


def side_by_side(a: str, b: str, min_len: int = 4) -> dict:
    """Both texts cut into segments that are, or are not, shared phrases.

    Args: the two texts, the shortest phrase. Returns: {"a": [{"text", "shared"}...], "b": [...],
    "shared_chars_ratio": 2·shared / (|a| + |b|), counted in characters other than punctuation
    and whitespace (1.0: the same words; 0.0: no phrase in common)}.
    """
    phrases = shared_phrases(a, b, min_len)
    shared = sum(len(_plain(a[s:e])[0]) for s, e, _, _ in phrases)
    total = len(_plain(a)[0]) + len(_plain(b)[0])
    return {"a": _segments(a, sorted((s, e) for s, e, _, _ in phrases)),
            "b": _segments(b, sorted((s, e) for _, _, s, e in phrases)),
            "shared_chars_ratio": round(2 * shared / total, 4) if total else 0.0}


def _segments(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    out, at = [], 0
    for start, end in spans:
        if start > at:
            out.append({"text": text[at:start], "shared": False})
        out.append({"text": text[start:end], "shared": True})
        at = end
    if at < len(text):
        out.append({"text": text[at:], "shared": False})
    return out


def _plain(text: str) -> tuple[str, list[int]]:
    """The text's letters, digits and Chinese characters, lower-cased, and where each one sits."""
    at = [i for i, ch in enumerate(text) if _TEXT_CHAR.match(ch)]
    return fold("".join(text[i] for i in at)), at
