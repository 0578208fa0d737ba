"""The document number (文号) a question names: "京财金融〔2020〕251号的通知对…" or, in English,
"Beijing's emergency notice (Jing Cai Jin Rong [2020] No. 251)". A 文号 names one document (or
the copies of one), so the clauses of the index's documents whose own 文号 it is get
NUMBER_BONUS added to the fused score — not the tie-breaker a place is (places.PREFERENCE): a
place names hundreds of documents, a 文号 one.

A document's 文号 is read as (prefix, year, number): 京财金融〔2020〕251号 -> (京财金融, 2020, 251),
财政部 税务总局公告2020年第8号 -> (财政部税务总局公告, 2020, 8); a joint one (two organs' numbers) as
each of them. A Chinese question names it when it writes the same year and number after the same
prefix, alone or after a word that leads in to it ('根据京财金融〔2020〕251号'; not 济银发〔2020〕29号,
another issuer's 29号, for 银发〔2020〕29号); an English one, when it writes them after words whose
last ones spell the prefix in toneless pinyin, any reading of a character of several
('Jing Cai Jin Rong [2020] No. 251', 'Yin Fa (2020) No. 29', 'Xia Fu [2020] No. 3' for 厦府).
A question that asks the number ('文号是肺炎机制发〔2020〕几号') names none, and documents without a
文号 of their own (most news reports) are never named so. The names read are listed in
`preferred` (as the document writes them), but are no place: their words stay the question's
subject words, which relevance judges.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from indexer.types import DocumentInfo

NUMBER_BONUS = 0.1  # on the scale of places.CONFLICT: docs/BENCHMARKS.md, session 14
_OPEN, _CLOSE = re.escape("〔[［(（﹝【〖"), re.escape("〕]］)）﹞】〗")
_BRACKETED = re.compile(r"([\u4e00-\u9fff]{1,16})\s*[" + _OPEN + r"]\s*((?:19|20)\d{2})\s*[" + _CLOSE
                        + r"]\s*第?\s*(\d{1,4})\s*号")
_ANNOUNCED = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fff ]{0,20}?公告)\s*((?:19|20)\d{2})\s*年\s*第\s*(\d{1,4})\s*号")
_ENGLISH = re.compile(r"((?:[A-Za-z]+[\s-]+){0,7}[A-Za-z]+)\s*[" + _OPEN + r"]\s*((?:19|20)\d{2})\s*[" + _CLOSE
                      + r"]\s*(?:No\.?|Number|#)\s*(\d{1,4})\b", re.IGNORECASE)


# what may stand before a prefix in a Chinese question: a word leading in to a cited number
_LEAD_IN = ("根据", "按照", "依据", "依照", "关于", "对于", "对", "的", "与", "和", "及", "是", "为", "即", "见", "以",
            "落实", "执行", "贯彻", "转发", "印发", "下发", "出台", "发布", "文件", "通知", "号文")
_PINYIN_READINGS = 16  # spellings kept per prefix, of its characters' readings


def chinese_numbers(text: str) -> list[tuple[str, int, int, str]]:
    """The 文号 written in Chinese in a text, as (prefix without spaces, year, number, as written)."""
    return [(prefix, year, number, m.group(0).strip()) for prefix, year, number, m in _written(text)]


def numbers_at(text: str) -> list[tuple[str, int, int, int, int]]:
    """The 文号 written in Chinese in a text, as (prefix without spaces, year, number, and the
    offsets of the number, '99' of '国办监督函〔2020〕99号'), in text order."""
    return sorted(((prefix, year, number, m.start(3), m.end(3)) for prefix, year, number, m in _written(text)),
                  key=lambda n: n[3])


def _written(text: str) -> list[tuple[str, int, int, re.Match]]:
    return [(re.sub(r"\s+", "", m.group(1)), int(m.group(2)), int(m.group(3)), m)
            for pattern in (_BRACKETED, _ANNOUNCED) for m in pattern.finditer(text)]


def same_prefix(one: str, other: str) -> bool:
    """Whether two 文号 prefixes read from texts, each perhaps with words leading in to it
    ('文号是国办监督函', '印发国办监督函'), are the same prefix: equal once such words are taken
    off either ('根据晋政办发' is not 京政办发, nor 济银发 银发)."""
    return bool(_bare(one) & _bare(other))


def _bare(prefix: str) -> set[str]:
    """A prefix, and each ending of it that a lead-in word (_LEAD_IN) stands before."""
    return {prefix} | {prefix[i:] for i in range(1, len(prefix)) if prefix[:i].endswith(_LEAD_IN)}


class DocumentNumbers:
    """The 文号 of an index's documents (in the order doc_of_row indexes them), by year and number."""

    def __init__(self, documents: Sequence[DocumentInfo]):
        self.count = len(documents)
        self.numbered: dict[tuple[int, int], list[tuple[str, frozenset[str], int, str]]] = {}
        for i, doc in enumerate(documents):
            for prefix, year, number, written in chinese_numbers(doc.doc_number or ""):
                self.numbered.setdefault((year, number), []).append((prefix, _spellings(prefix), i, written))

    def named(self, question: str) -> tuple[tuple[str, ...], np.ndarray] | None:
        """The 文号 a question names that documents of the index have (as the documents write
        them), and a mask of those documents; None when it names none."""
        if not self.numbered:
            return None
        asked = [(prefix, None, year, number) for prefix, year, number, _ in chinese_numbers(question)]
        for m in _ENGLISH.finditer(question):
            words = re.findall(r"[a-z]+", m.group(1).lower())
            asked.append(("", {"".join(words[j:]) for j in range(len(words))}, int(m.group(2)), int(m.group(3))))
        names: dict[str, None] = {}
        mask = np.zeros(self.count, dtype=bool)
        for prefix, spelled, year, number in asked:
            for own, spellings, doc, written in self.numbered.get((year, number), ()):
                if spellings & spelled if spelled is not None else same_prefix(prefix, own):
                    mask[doc] = True
                    names[written] = None
        return (tuple(names), mask) if names else None


def _spellings(prefix: str) -> frozenset[str]:
    """The toneless pinyin of a prefix, syllables run together, in each reading of its characters
    of several (厦: sha, xia), at most _PINYIN_READINGS of them."""
    # imported lazily: its dictionaries load on import
    from pypinyin import Style, pinyin

    out = [""]
    for readings in pinyin(prefix, style=Style.NORMAL, heteronym=True):
        out = [so_far + r.replace("ü", "v").lower() for so_far in out for r in dict.fromkeys(readings)][:_PINYIN_READINGS]
    return frozenset(out)
