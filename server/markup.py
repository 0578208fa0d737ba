"""Text -> safe HTML pieces for the templates. Everything from the corpus is escaped here or by
Jinja's autoescape; only the <mark> and clause elements built below are markup.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


def match_ranges(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the matched terms occur, overlapping and touching ranges merged.

    Args: the text and the hit's terms ('孵化', '孵化器', …). Returns: sorted (start, end) pairs.
    """
    lowered = text.lower()
    ranges: list[tuple[int, int]] = []
    for term in {t.lower() for t in terms if t and t.strip()}:
        at = lowered.find(term)
        while at != -1:
            ranges.append((at, at + len(term)))
            at = lowered.find(term, at + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> Markup:
    """The text escaped, with each matched term wrapped in <mark>."""
    out, pos = [], 0
    for start, end in match_ranges(text, terms):
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Piece:
    """A run of document text: a clause (with its id) or the text between clauses."""

    text: str
    clause: dict | None = None


def document_pieces(text: str, clauses: list[dict]) -> list[Piece]:
    """Cut a document's text at its clause spans, so that each clause can be rendered as an
    element with id=<clause id> and everything else as plain escaped text.

    Args: the full text, clauses with "span" [start, end]. Returns: pieces in reading order.
    """
    pieces: list[Piece] = []
    pos = 0
    for clause in sorted(clauses, key=lambda c: c["span"][0]):
        start, end = clause["span"]
        start = max(start, pos)  # spans never overlap; clamp rather than repeat text if they did
        if end <= start:
            continue
        if start > pos:
            pieces.append(Piece(text[pos:start]))
        pieces.append(Piece(text[start:end], clause))
        pos = end
    if pos < len(text):
        pieces.append(Piece(text[pos:]))
    return pieces
