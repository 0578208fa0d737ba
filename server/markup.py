"""Text -> safe HTML pieces for the templates. Everything from the corpus is escaped here or by
Jinja's autoescape; only the <mark> and clause elements built below are markup.
"""
from __future__ import annotations

import re
import unicodedata
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


MIN_PHRASE_CHARS = 3  # a stretch of the question shorter than this is a word, not a phrase
SHORT_TERM_CHARS = 2  # '科技', '建设': common two-character words
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def query_phrases(text: str, query: str) -> list[str]:
    """The longest stretches of the question's own Chinese text that the text contains
    ('科技企业孵化器建设' for that question), at least MIN_PHRASE_CHARS long, each not inside
    an earlier one.

    Args: the text, the question as asked. Returns: the phrases, lower-cased, in question order.
    """
    lowered = text.lower()
    found: list[str] = []
    for run in _HAN_RUN.findall(query.lower()):
        reach = 0  # end of the last phrase taken: a stretch ending before it is inside it
        for i in range(len(run)):
            j = i + MIN_PHRASE_CHARS
            if j > len(run) or run[i:j] not in lowered:
                continue
            while j < len(run) and run[i:j + 1] in lowered:  # containment shrinks with length
                j += 1
            if j > reach:
                found.append(run[i:j])
                reach = j
    return found


def marked_terms(text: str, terms: list[str], query: str = "") -> list[str]:
    """What to mark in a text: the question's phrases it contains first, then the hit's terms,
    leaving out a short term (two characters or fewer) that is part of a longer phrase or term
    found in the same text. '科技' inside '科技企业孵化器' then marks nothing by itself, while a
    text whose only matches are two-character words still has them marked; terms of three
    characters or more ('孵化器') are specific enough to mark wherever they occur.

    Args: the text, the hit's terms, the question (may be empty). Returns: strings to mark.
    """
    lowered = text.lower()
    phrases = query_phrases(text, query) if query else []
    present = [t for t in dict.fromkeys(t.strip().lower() for t in terms if t and t.strip()) if t in lowered]
    longer = phrases + [t for t in present if len(t) > SHORT_TERM_CHARS]
    kept = [t for t in present if len(t) > SHORT_TERM_CHARS or not any(t in other for other in longer)]
    return phrases + kept


def highlight(text: str, terms: list[str], span: list[int] | None = None, find: str = "",
              query: str = "") -> Markup:
    """The text escaped, with what matched wrapped in <mark> (marked_terms: the question's
    phrases, then its specific terms), each occurrence of `find` in <mark class="find">, and
    the answering sentence `span` [start, end] in <span class="answer-span">.

    Args: the text, the hit's terms, the answer span (offsets into text), a find-in-page text,
    the question. Returns: safe markup.
    """
    marks = marked_terms(text, terms, query)  # chosen over the whole text, then kept in its parts
    if span and 0 <= span[0] < span[1] <= len(text):
        start, end = span
        return Markup("").join([highlight(text[:start], marks, find=find),
                                Markup('<span class="answer-span">%s</span>') % highlight(text[start:end], marks, find=find),
                                highlight(text[end:], marks, find=find)])
    found = match_ranges(text, [find]) if find.strip() else []
    out, pos = [], 0
    for start, end in found or match_ranges(text, marks):
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="find">%s</mark>' if found else "<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Piece:
    """A run of document text: a clause (with its id), a section heading line between clauses
    (`heading`: its TOC entry), or the other text between clauses."""

    text: str
    clause: dict | None = None
    heading: dict | None = None


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


def with_headings(pieces: list[Piece], toc: list[dict]) -> list[Piece]:
    """Split the text between clauses at the lines that are section headings of the contents,
    so each is rendered as a styled heading the contents can link to.

    Args: document_pieces' output, table_of_contents' entries. Returns: pieces in reading order.
    """
    wanted = {_plain(entry["text"]): entry for entry in toc if not entry["clause"]}
    out: list[Piece] = []
    for piece in pieces:
        if piece.clause or not wanted:
            out.append(piece)
            continue
        for line in piece.text.splitlines(keepends=True):
            entry = wanted.pop(_plain(line), None)
            if entry:
                body = line.rstrip("\r\n")
                out.extend([Piece(body, heading=entry), Piece(line[len(body):])])
            elif out and not out[-1].clause and not out[-1].heading:
                out[-1] = Piece(out[-1].text + line)
            else:
                out.append(Piece(line))
    for entry in wanted.values():  # a heading not found as a line: link to its first clause
        entry["anchor"] = entry["first"]
    return out


def _plain(line: str) -> str:
    """A heading line as compared with its section title (full-width punctuation and spaces
    written either way)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))


def table_of_contents(text: str, clauses: list[dict], depth: int = 2) -> list[dict]:
    """The document's section headings down to `depth` levels, in reading order, from the
    clauses' section paths: {"text", "level", "anchor", "clause"}, where `clause` is the id of
    the clause a heading is itself (its text starts the clause) or None for a heading line
    between clauses, which gets the anchor "sec-<n>" (`first`: its first clause)."""
    entries: list[dict] = []
    seen: set[tuple[str, ...]] = set()
    starts = {_plain(text[c["span"][0]:c["span"][1]].strip().split("\n")[0]): c["id"] for c in clauses}
    for clause in sorted(clauses, key=lambda c: c["span"][0]):
        for level, heading in enumerate(clause["section"][:depth], start=1):
            path = tuple(clause["section"][:level])
            if path in seen:
                continue
            seen.add(path)
            own = starts.get(_plain(heading))
            entries.append({"text": heading, "level": level, "clause": own, "first": clause["id"],
                            "anchor": own or f"sec-{len(entries) + 1}"})
    return entries


def citation_text(doc: dict, section: list[str], pages: list[int], link: str, lang: str) -> str:
    """A full citation of a clause (docs/CITATIONS.md), to paste where the reader cannot click:
    zh  发文机关：《标题》（文号），章节 › 章节，日期，第N页。链接
    en  Issuer, 《Title》 (文号), section › section, date, p. N. link

    Args: the hit's or document's metadata, the section path (heading texts), pages (may be
    empty), the clause's absolute URL, "zh" or "en". Returns: one line.
    """
    page = ""
    if pages:
        span = str(pages[0]) if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"
        page = f"第{span}页" if lang == "zh" else f"{'p.' if len(pages) == 1 else 'pp.'} {span}"
    title = f"《{doc['title']}》" + ((f"（{doc['doc_number']}）" if lang == "zh" else f" ({doc['doc_number']})")
                                   if doc.get("doc_number") else "")
    parts = [p for p in (title, " › ".join(section), doc.get("date") or "", page) if p]
    if lang == "zh":
        return f"{doc['issuer']}：" * bool(doc.get("issuer")) + "，".join(parts) + f"。{link}"
    return f"{doc['issuer']}, " * bool(doc.get("issuer")) + ", ".join(parts) + f". {link}"
