"""The bilingual glossary of policy terms (query/glossary.tsv): English forms and Chinese
abbreviations of the Chinese terms the documents use.

The embedder reads an English question alone and does not know the vocabulary of Chinese policy
("technology commissioners" is 科技特派员), and BM25 sees no English at all. Expanding a query
with the Chinese terms its words stand for lets BM25 find them (query/engine.py `lexical_stage`).
English forms match case-insensitively, whole words only, plural or singular, longest first;
a Chinese query is expanded only by its abbreviations (高企 -> 高新技术企业).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from indexer.index.tokens import Tokenizer

GLOSSARY = Path(__file__).with_name("glossary.tsv")
# How many times a term's tokens count in the BM25 query: once, as if the question had used the
# Chinese term itself instead of the words it replaced.
TERM_WEIGHT = 1
_WORD = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*")


@dataclass(frozen=True)
class Expansion:
    """A glossary term found in a query: the matched text as written, the Chinese term, and how
    many times the term's tokens count in the BM25 query."""

    text: str
    term: str
    weight: int = TERM_WEIGHT


@dataclass(frozen=True)
class Entry:
    """One line of the glossary: a Chinese term, its English forms and its abbreviations."""

    term: str
    english: tuple[str, ...]
    abbreviations: tuple[str, ...] = ()


class Glossary:
    """English forms and abbreviations -> terms.

    Args: the entries. Raises: ValueError when a term, an English form (after normalising) or
    an abbreviation appears twice: each must name one term.
    """

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._forms: dict[tuple[str, ...], str] = {}
        self._abbreviations: dict[str, str] = {}
        terms = set()
        for entry in entries:
            if entry.term in terms:
                raise ValueError(f"glossary term {entry.term} appears twice")
            terms.add(entry.term)
            for form in entry.english:
                key = tuple(singular(w) for w in _WORD.findall(form.lower()))
                if not key or self._forms.get(key, entry.term) != entry.term:
                    raise ValueError(f"glossary form {form!r} of {entry.term} is empty or names "
                                     f"{self._forms.get(key)} already")
                self._forms[key] = entry.term
            for short in entry.abbreviations:
                if short in self._abbreviations or short in terms:
                    raise ValueError(f"glossary abbreviation {short} of {entry.term} appears twice")
                self._abbreviations[short] = entry.term
        self._longest = max((len(k) for k in self._forms), default=0)

    @classmethod
    def load(cls, path: Path = GLOSSARY) -> Glossary:
        """Read a glossary file (see the header of query/glossary.tsv). Raises: ValueError."""
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) not in (2, 3) or not fields[0].strip():
                raise ValueError(f"{path}:{number}: expected term<TAB>English forms[<TAB>abbreviations]")
            entries.append(Entry(fields[0].strip(), _split(fields[1]),
                                 _split(fields[2]) if len(fields) == 3 else ()))
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def expand(self, query: str) -> list[Expansion]:
        """The glossary terms a query names, in query order.

        Args: the query. Returns: one Expansion per English match (longest first, whole words,
        left to right) and per abbreviation that jieba reads as a word of its own (so 高企 in
        提高企业 is not one).
        """
        return self._english(query) + self._abbreviated(query)

    def _english(self, query: str) -> list[Expansion]:
        spans = [(m.start(), m.end(), singular(m.group())) for m in _WORD.finditer(query.lower())]
        found, at = [], 0
        while at < len(spans):
            for n in range(min(self._longest, len(spans) - at), 0, -1):
                term = self._forms.get(tuple(w for _, _, w in spans[at:at + n]))
                if term:
                    found.append(Expansion(query[spans[at][0]:spans[at + n - 1][1]], term))
                    at += n
                    break
            else:
                at += 1
        return found

    def _abbreviated(self, query: str) -> list[Expansion]:
        if not any(short in query for short in self._abbreviations):
            return []
        return [Expansion(word, self._abbreviations[word]) for word in self._segmenter.words(query)
                if word in self._abbreviations and self._abbreviations[word] not in query]

    @functools.cached_property
    def _segmenter(self) -> Tokenizer:
        return Tokenizer(self._abbreviations)


def singular(word: str) -> str:
    """An English word's singular, by rule (enterprises -> enterprise, policies -> policy, taxes
    -> tax); both the glossary and the query go through it, so a wrong guess still matches."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.cache
def default_glossary() -> Glossary:
    """The package's glossary, read once per process."""
    return Glossary.load()


def _split(field: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in field.split("|") if p.strip())


_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
           "september": 9, "october": 10, "november": 11, "december": 12,
           "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
           "nov": 11, "dec": 12}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# 'February 10, 2020', '10 February 2020', 'on 18 February', 'the 3rd of March', 'February 2020'
# (a month needs a day or a year beside it: 'may' and 'march' are verbs too; 'of' an ordinal:
# 'Article 3 of March…' is none)
_ENGLISH_DATES = (re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"(?P<ordinal>st|nd|rd|th)?\b(?:,?\s+" + _YEAR + r"\b)?",
                             re.IGNORECASE),
                  re.compile(r"\b" + _DAY + r"(?:(?:st|nd|rd|th)\s+of|(?:st|nd|rd|th)?)\s+" + _MONTH
                             + r"\b(?:,?\s+" + _YEAR + r"\b)?", re.IGNORECASE),
                  re.compile(r"\b" + _MONTH + r"\s+(?:of\s+)?" + _YEAR + r"\b", re.IGNORECASE))
_DAYS_IN = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# after 'May 3' or 'March 3' with neither year nor suffix, what a date is followed by: not a word
# ('May 3 family members visit …' asks no date)
_DATE_ENDS = re.compile(r"\s*(?:[,.;:?!)]|$|(?:and|or|to|through|until|till|in|at|when|that)\b)", re.IGNORECASE)


def english_dates(query: str) -> list[Expansion]:
    """The dates an English question writes, as the corpus writes them: 'February 10, 2020' ->
    2020年2月10日, 'on 18 February' -> 2月18日, 'February 2020' -> 2020年2月; left to right,
    none overlapping another."""
    found: list[tuple[int, int, str]] = []
    for pattern in _ENGLISH_DATES:
        for m in pattern.finditer(query):
            if any(m.start() < end and start < m.end() for start, end, _ in found):
                continue
            groups = m.groupdict()
            verb = groups["month"].lower() in ("may", "march", "mar")
            if verb and (groups["month"][0].islower() or groups.get("day") and not groups.get("year")
                         and not groups.get("ordinal") and m.start("month") < m.start("day")
                         and not _DATE_ENDS.match(query, m.end())):
                continue  # 'they may 5 …', 'march 3 km', 'May 3 family members visit …'
            month = _MONTHS[groups["month"].lower()]
            if groups.get("day") and int(groups["day"]) > _DAYS_IN[month - 1]:
                continue  # 'June 31
            term = (f"{groups['year']}年" if groups.get("year") else "") + f"{month}月" \
                + (f"{int(groups['day'])}日" if groups.get("day") else "")
            found.append((m.start(), m.end(), term))
    return [Expansion(query[start:end], term) for start, end, term in sorted(found)]
