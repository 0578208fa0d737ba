"""Answers to who-questions: which units lead, which cooperate, who is the responsible person.

A question is a who-question when it asks for a responsible party (谁负责, 哪个部门, 牵头单位,
who is responsible, which office, in charge …). The answer is aggregated from the
responsibility notes of the best matching clauses, each unit listed with the clause ids that
support it. Any other question gets no answer object: the results speak for themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WHO_PATTERNS = re.compile(
    r"谁负责|由谁|谁来|谁牵头|谁主管|谁管|是谁|哪个部门|哪些部门|哪个单位|哪些单位|哪个处室|哪些处室|哪个机构|"
    r"哪个处|哪家|什么部门|什么单位|牵头单位|责任单位|责任处室|牵头处室|配合单位|配合处室|牵头部门|责任部门|"
    r"主管部门|责任人|责任领导|负责部门|负责单位|由哪|归谁|谁主抓|"
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
    r"负责单位|责任人|由(?=哪)|是哪个|是哪些|负责|牵头|是什么|有哪些|分别|[？?。！!，,]|"
    r"\b(?:who|which|office|department|division|unit|bureau|agency|is|are|responsible|for|in|charge|of|"
    r"the|leads?|handles?|oversees?)\b",
    re.IGNORECASE,
)

ANSWER_DEPTH = 5  # how many top hits may contribute to an answer
MIN_RELATIVE_SCORE = 0.75  # a hit contributes only if it scores this close to the best


@dataclass(frozen=True)
class Party:
    """A unit or person named by responsibility notes, with the clauses that name it."""

    name: str
    clauses: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "clauses": list(self.clauses)}


@dataclass(frozen=True)
class Answer:
    """Who is responsible, drawn from the top clauses' notes."""

    lead: tuple[Party, ...]
    cooperating: tuple[Party, ...]
    persons: tuple[Party, ...]
    clauses: tuple[str, ...]
    kind: str = "responsibility"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "lead": [p.to_dict() for p in self.lead],
                "cooperating": [p.to_dict() for p in self.cooperating],
                "persons": [p.to_dict() for p in self.persons], "clauses": list(self.clauses)}


def is_who_question(query: str) -> bool:
    """True when the question asks who is responsible."""
    return bool(WHO_PATTERNS.search(query))


def topic_of(query: str) -> str:
    """The subject of a who-question without its scaffolding; the query itself otherwise."""
    topic = re.sub(r"\s+", " ", _SCAFFOLD.sub(" ", query)).strip()
    return topic or query


def build_answer(hits: list) -> Answer | None:
    """Aggregate responsibility over the best hits.

    Args: ranked hits (objects with .clause_id, .score, .responsibility having lead /
    cooperating / persons). Returns: an Answer, or None when no close hit names anyone.
    """
    if not hits:
        return None
    best = hits[0].score
    support = [h for h in hits[:ANSWER_DEPTH]
               if h.responsibility and (best <= 0 or h.score >= best * MIN_RELATIVE_SCORE)]
    if not support:
        return None
    roles: dict[str, dict[str, list[str]]] = {"lead": {}, "cooperating": {}, "persons": {}}
    for hit in support:
        for role, names in (("lead", hit.responsibility.lead),
                            ("cooperating", hit.responsibility.cooperating),
                            ("persons", hit.responsibility.persons)):
            for name in names:
                roles[role].setdefault(name, []).append(hit.clause_id)

    def parties(role: str) -> tuple[Party, ...]:
        # Most supported first; ties keep the order of the best hit that names them.
        items = list(roles[role].items())
        items.sort(key=lambda kv: -len(kv[1]))
        return tuple(Party(name, tuple(ids)) for name, ids in items)

    return Answer(parties("lead"), parties("cooperating"), parties("persons"),
                  tuple(h.clause_id for h in support))
