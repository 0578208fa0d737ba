"""Answers to who-questions: which units lead, which cooperate, who is the responsible person.

A question is a who-question when it asks for a responsible party (谁负责, 哪个部门, 牵头单位,
who is responsible, which office, in charge …). The answer is drawn from the responsibility
of the on-topic hits only (relevant, and covering the question's words about as well as the
best hit: `on_topic`), grouped per document — a province's 高新处 and a county's 县科协 answer
for different jurisdictions — each unit listed once (spellings merged by
parse/prose_roles.normalise_unit) with the clause ids that support it and whether a note or the
prose names it. Any other question gets
no responsibility answer (see spans.py for value answers).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.index.tokens import fold
from indexer.parse.prose_roles import normalise_unit
from indexer.query.filters import day_or_today, validity
from indexer.query.relevance import idf_coverage
from indexer.types import DocumentInfo

WHO_PATTERNS = re.compile(
    r"谁负责|由谁|谁来|谁牵头|谁主管|谁管|是谁|哪个部门|哪些部门|哪个单位|哪些单位|哪个处室|哪些处室|哪个机构|"
    r"哪个处|哪家|什么部门|什么单位|牵头单位|责任单位|责任处室|牵头处室|配合单位|配合处室|牵头部门|责任部门|"
    r"主管部门|责任人|责任领导|负责部门|负责单位|由哪|归谁|谁主抓|设在哪|设在什么|"
    r"\bwho\b|\bwhich\s+(?:office|department|unit|agency|bureau|body|bodies|division|ministry|"
    r"organi[sz]ation|authority|authorities|government|offices|departments|units|divisions)s?\b|"
    r"\bwhich\s+\w+(?:\s+\w+)?\s+(?:leads?|is responsible|are responsible|handles?|oversees?)\b|"
    r"in charge|responsible (?:for|unit|office|department)|\bresponsibility\b|\bowner\b",
    re.IGNORECASE,
)
# Scaffolding removed from a who-question before lexical matching ("孵化器由哪个部门负责" -> 孵化器).
_SCAFFOLD = re.compile(
    r"谁负责|由谁|谁来|谁牵头|谁主管|是谁|哪个部门|哪些部门|哪个单位|哪些单位|哪个处室|哪些处室|哪个处|什么部门|"
    r"什么单位|牵头单位|责任单位|责任处室|牵头处室|配合单位|配合处室|牵头部门|责任部门|主管部门|负责部门|"
    r"负责单位|责任人|由(?=哪)|是哪个|是哪些|负责|牵头|是什么|有哪些|分别|设在哪里|设在哪儿|设在什么地方|[？?。！!，,]|"
    r"\b(?:who|which|office|department|division|unit|bureau|agency|is|are|responsible|for|in|charge|of|"
    r"the|leads?|handles?|oversees?)\b",
    re.IGNORECASE,
)

ANSWER_DEPTH = 10  # how many top hits may contribute to an answer
# A hit is about the question's subject when it covers this share of the best relevant hit's
# coverage of the question's words (and of its first sentence's, below).
ON_TOPIC_SHARE = 0.6
# A numbered item states its subject in its first sentence ("13.加强科技企业孵化器建设。"). When the
# best relevant hit's first sentence covers at least HEADING_STATES of the question's words, a
# hit whose first sentence covers less than ON_TOPIC_SHARE of that mentions the subject in
# passing (an item on 科技服务业 listing 孵化器 among ten platforms) and does not answer for it.
HEADING_STATES = 0.5
HEADING_CHARS = 50
_HEADING_END = re.compile(r"[。；;：:！？!?\n]")


@dataclass(frozen=True)
class Party:
    """A unit or person made responsible, with the clauses that name it, and whether the
    clauses say so in a responsibility note ('note') or only in their prose ('text')."""

    name: str
    clauses: tuple[str, ...]
    source: str = "note"

    def to_dict(self) -> dict:
        return {"name": self.name, "clauses": list(self.clauses), "source": self.source}


@dataclass(frozen=True)
class Group:
    """The parties of one document: its citation fields, and lead / cooperating / persons drawn
    from its on-topic clauses; `relevance` is its best clause's."""

    document: dict
    lead: tuple[Party, ...]
    cooperating: tuple[Party, ...]
    persons: tuple[Party, ...]
    clauses: tuple[str, ...]
    relevance: float

    def to_dict(self) -> dict:
        return {"document": self.document, "lead": [p.to_dict() for p in self.lead],
                "cooperating": [p.to_dict() for p in self.cooperating],
                "persons": [p.to_dict() for p in self.persons], "clauses": list(self.clauses),
                "relevance": self.relevance}


@dataclass(frozen=True)
class Answer:
    """Who is responsible: one group per document, best first, and the union of their parties
    (the flat lists) for clients that want one list."""

    lead: tuple[Party, ...]
    cooperating: tuple[Party, ...]
    persons: tuple[Party, ...]
    clauses: tuple[str, ...]
    groups: tuple[Group, ...] = ()
    kind: str = "responsibility"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "lead": [p.to_dict() for p in self.lead],
                "cooperating": [p.to_dict() for p in self.cooperating],
                "persons": [p.to_dict() for p in self.persons], "clauses": list(self.clauses),
                "groups": [g.to_dict() for g in self.groups]}


def is_who_question(query: str) -> bool:
    """True when the question asks who is responsible."""
    return bool(WHO_PATTERNS.search(query))


def topic_of(query: str) -> str:
    """The subject of a who-question without its scaffolding; the query itself otherwise."""
    topic = re.sub(r"\s+", " ", _SCAFFOLD.sub(" ", query)).strip()
    return topic or query


def on_topic(hits: Sequence, coverage: Sequence[float], headings: Sequence[float] | None = None) -> list[bool]:
    """Which hits may answer: relevant ones whose IDF-weighted coverage of the question's words
    is at least ON_TOPIC_SHARE of the best relevant hit's (a clause about 科创飞地 does not answer
    a question about 孵化器 because it shares '建设' with it), and — when the best relevant first
    sentence states the subject (HEADING_STATES) — whose own first sentence covers
    ON_TOPIC_SHARE of that one's (an item on 法规政策 that lists 孵化器 among ten policies
    mentions the subject; it is not about it).

    Args: hits best first (with `.relevant`), each hit's coverage of the question's subject
    words, and each hit's `heading_coverage` (None: not used). The best ones are those of the
    first ANSWER_DEPTH hits. Returns: one flag per hit.
    """
    depth = min(len(hits), ANSWER_DEPTH)  # the hits that may answer, whatever k is
    best = max((c for h, c in zip(hits[:depth], coverage) if h.relevant), default=0.0)
    flags = [bool(h.relevant) and c >= best * ON_TOPIC_SHARE for h, c in zip(hits, coverage)]
    if headings is None:
        return flags
    stated = max((c for ok, c in zip(flags[:depth], headings) if ok), default=0.0)
    if stated < HEADING_STATES:
        return flags
    return [ok and c >= stated * ON_TOPIC_SHARE for ok, c in zip(flags, headings)]


def heading_coverage(text: str, tokens: Sequence[str], idf: Sequence[float]) -> float:
    """The IDF-weighted share of the question's tokens in a clause's first sentence (up to
    HEADING_CHARS characters): for a numbered item, the subject it is about.

    Args: the clause text, the question's tokens and their IDF (relevance.QueryTerms).
    Returns: a share in [0, 1] (0 for a question without tokens)."""
    end = _HEADING_END.search(text, 0, HEADING_CHARS)
    return idf_coverage(fold(text[:end.start() if end else HEADING_CHARS]), tokens, idf)


def build_answer(hits: Sequence, documents: Callable[[int], DocumentInfo],
                 topical: Sequence[bool], as_of: str | None = None) -> Answer | None:
    """Who is responsible, per document, from the on-topic hits among the first ANSWER_DEPTH.

    Groups are ordered by relevance, except that a document expired on `as_of` (default today)
    comes after those still in force or of unknown validity: an expired plan's units are the
    answer a user can least afford to act on. Each group's document carries its validity.

    Args: ranked hits (with .clause_id, .row, .relevance, .responsibility), the document of a
    row, which hits are on topic (`on_topic`), the day validity is judged on. Returns: an
    Answer, or None when no on-topic hit names anyone.
    """
    day = day_or_today(as_of)
    support = [h for h, ok in zip(hits[:ANSWER_DEPTH], topical) if ok and h.responsibility]
    if not support:
        return None
    by_document: dict[str, list] = {}
    for hit in support:
        by_document.setdefault(documents(hit.row).id, []).append(hit)
    groups = sorted((_group(documents(found[0].row), found, day) for found in by_document.values()),
                    key=lambda g: (g.document["validity"]["status"] == "expired", -g.relevance))
    return Answer(*(_parties(support, role) for role in _ROLES), tuple(h.clause_id for h in support), tuple(groups))


_ROLES = ("lead", "cooperating", "persons")


def prefer_named(answer: Answer | None, scoped: Answer | None, named: set[str]) -> Answer | None:
    """The answer of a who-question that names a place or organ ('海淀区…找哪个部门对接'): the
    groups of the documents it names come first — from the search of the whole index, or else
    from a search of those documents alone (`scoped`) — and groups of documents from any other
    stated place are dropped (a city's or a ministry's units do not answer for a district);
    groups of documents whose place is unknown stay, last. None when only other places'
    documents answer ("郴州孵化器建设由谁负责" is not answered by 嵊泗's units).

    Args: the answer of the whole index's top hits, that of the named documents' own top hits
    (or None; only its groups of named documents count), the ids of the documents the question
    names. Returns: the answer or None.
    """
    own = [g for g in (answer.groups if answer else ()) if g.document["id"] in named]
    if scoped is not None:
        seen = {g.document["id"] for g in own}
        own += [g for g in scoped.groups if g.document["id"] in named and g.document["id"] not in seen]
    unplaced = [g for g in (answer.groups if answer else ()) if g.document["id"] not in named
                and not g.document.get("region")]
    groups = tuple(own + unplaced)
    if not groups:
        return None  # another place's units are no answer for this one
    clauses = tuple(dict.fromkeys(c for g in groups for c in g.clauses))
    lead, cooperating, persons = (_union(groups, role) for role in _ROLES)
    leading = {normalise_unit(p.name) for p in lead}  # as in _parties: a lead unit is not also cooperating
    cooperating = tuple(p for p in cooperating if normalise_unit(p.name) not in leading)
    return Answer(lead, cooperating, persons, clauses, groups)


def _union(groups: Sequence[Group], role: str) -> tuple[Party, ...]:
    """The parties of one role over groups, one per unit (as in _parties), first group first."""
    found: dict[str, Party] = {}
    for group in groups:
        for party in getattr(group, role):
            key = normalise_unit(party.name)
            if key in found:
                old = found[key]
                found[key] = Party(old.name, tuple(dict.fromkeys(old.clauses + party.clauses)),
                                   "note" if "note" in (old.source, party.source) else "text")
            else:
                found[key] = party
    return tuple(found.values())


def _group(doc: DocumentInfo, hits: list, day: str) -> Group:
    document = {"id": doc.id, "title": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer,
                "region": doc.region, "date": doc.date, "year": doc.year, "validity": validity(doc).to_dict(day)}
    best = max((h.relevance or 0.0) for h in hits)
    return Group(document, *(_parties(hits, role) for role in _ROLES),
                 tuple(h.clause_id for h in hits), round(best, 4))


def _parties(hits: list, role: str) -> tuple[Party, ...]:
    """The parties of one role over hits, one per unit (spellings merged by normalise_unit, the
    first spelling kept), most supported first; a unit already leading is not also cooperating."""
    found: dict[str, tuple[str, list[str], set[str]]] = {}
    for hit in hits:
        r = hit.responsibility
        taken = {normalise_unit(n) for n in r.lead} if role == "cooperating" else set()
        for name in getattr(r, role):
            key = normalise_unit(name)
            if key in taken:
                continue
            entry = found.setdefault(key, (name, [], set()))
            if hit.clause_id not in entry[1]:
                entry[1].append(hit.clause_id)
            entry[2].add(r.source_of(name))
    items = sorted(found.values(), key=lambda e: -len(e[1]))  # stable: ties keep hit order
    return tuple(Party(name, tuple(ids), "note" if "note" in sources else "text")
                 for name, ids, sources in items)
