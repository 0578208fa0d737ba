"""The document number (文号) a question names: "京财金融〔2020〕251号的通知对…" or, in English,
"Beijing's emergency notice (Jing Cai Jin Rong [2020] No. 251)". A 文号 names one document (or
the copies of one), so the clauses of the index's documents whose own 文号 it is get
NUMBER_BONUS added to the fused score — not the tie-breaker a place is (places.PREFERENCE): a
place names hundreds of documents, a 文号 one.

A document's 文号 is read as (prefix, year, number): 京财金融〔2020〕251号 -> (京财金融, 2020, 251),
财政部 税务总局公告2020年第8号 -> (财政部税务总局公告, 2020, 8). A Chinese question names it when
it writes the same year and number after a run of characters ending with the prefix
('根据京财金融〔2020〕251号'); an English one, when it writes them after words whose letters end
with the prefix's toneless pinyin ('Jing Cai Jin Rong [2020] No. 251', 'Yin Fa (2020) No. 29').
A question that asks the number ('文号是肺炎机制发〔2020〕几号') names none. Documents without a
文号 of their own (most news reports) are never named so.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from indexer.types import DocumentInfo

NUMBER_BONUS = 0.1  # on the scale of places.CONFLICT: docs/BENCHMARKS.md, session 14
_OPEN, _CLOSE = re.escape("〔[(（﹝【"), re.escape("〕])）﹞】")
_BRACKETED = re.compile(r"([\u4e00-\u9fff]{1,16})\s*[" + _OPEN + r"]\s*((?:19|20)\d{2})\s*[" + _CLOSE
                        + r"]\s*第?\s*(\d{1,4})\s*号")
_ANNOUNCED = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fff ]{0,20}?公告)\s*((?:19|20)\d{2})\s*年\s*第\s*(\d{1,4})\s*号")
_ENGLISH = re.compile(r"((?:[A-Za-z]+[\s-]+){0,7}[A-Za-z]+)\s*[" + _OPEN + r"]\s*((?:19|20)\d{2})\s*[" + _CLOSE
                      + r"]\s*(?:No\.?|Number|#)\s*(\d{1,4})\b", re.IGNORECASE)


def chinese_numbers(text: str) -> list[tuple[str, int, int]]:
    """The 文号 written in Chinese in a text, as (prefix without spaces, year, number)."""
    return [(re.sub(r"\s+", "", m.group(1)), int(m.group(2)), int(m.group(3)))
            for pattern in (_BRACKETED, _ANNOUNCED) for m in pattern.finditer(text)]


class DocumentNumbers:
    """The 文号 of an index's documents (in the order doc_of_row indexes them), by year and number."""

    def __init__(self, documents: Sequence[DocumentInfo]):
        self.count = len(documents)
        self.numbered: dict[tuple[int, int], list[tuple[str, str, int, str]]] = {}
        for i, doc in enumerate(documents):
            for prefix, year, number in chinese_numbers(doc.doc_number or "")[:1]:
                self.numbered.setdefault((year, number), []).append(
                    (prefix, _pinyin(prefix), i, doc.doc_number))

    def named(self, question: str) -> tuple[tuple[str, ...], np.ndarray] | None:
        """The 文号 a question names that documents of the index have (as the documents write
        them), and a mask of those documents; None when it names none."""
        if not self.numbered:
            return None
        written = [(prefix, False, year, number) for prefix, year, number in chinese_numbers(question)]
        written += [("".join(re.findall(r"[a-z]+", m.group(1).lower())), True, int(m.group(2)), int(m.group(3)))
                    for m in _ENGLISH.finditer(question)]
        names: dict[str, None] = {}
        mask = np.zeros(self.count, dtype=bool)
        for prefix, english, year, number in written:
            for own, spelled, doc, as_written in self.numbered.get((year, number), ()):
                if prefix.endswith(spelled if english else own):
                    mask[doc] = True
                    names[as_written] = None
        return (tuple(names), mask) if names else None


def _pinyin(prefix: str) -> str:
    from pypinyin import lazy_pinyin  # imported lazily: its dictionaries load on import

    return "".join(lazy_pinyin(prefix)).replace("ü", "v").lower()
