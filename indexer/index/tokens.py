"""Tokenisation for the lexical index: jieba words plus the corpus' own unit names and terms.

A private `jieba.Tokenizer` per index keeps the dictionary additions of one index (unit names
such as 县经信局（县科技局）, domain terms such as 科技特派员) from leaking into another.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import jieba

# Function words and question scaffolding: they match everywhere and rank nothing.
STOPWORDS = frozenset(["的", "了", "和", "与", "及", "或", "等", "在", "对", "为", "以", "将", "把", "被", "是", "有", "要", "由", "从", "向", "于", "其", "之", "并", "也", "而", "且", "就", "都", "这", "那", "该", "各", "个", "中", "上", "下", "对于", "关于", "按照", "根据", "通过", "进行", "开展", "加强", "推进", "推动", "实施", "做好", "工作", "相关", "有关", "以及", "同时", "进一步", "哪些", "哪个", "什么", "怎么", "怎样", "如何", "谁", "吗", "呢", "请问", "多少", "是否", "可以", "能否", "一下", "应该", "需要", "应当"])
# English function words: not indexed words of their own in a Chinese corpus, and never what a
# question is about. The query's relevance evidence leaves them out (query/engine.py query_terms).
ENGLISH_STOPWORDS = frozenset(["a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "not", "no", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "what", "which", "who", "whom", "whose", "how", "when", "where", "why", "can", "could", "should", "would", "will", "shall", "may", "must", "there", "their", "they", "them", "this", "that", "these", "those", "it", "its", "as", "about", "any", "some", "all", "me", "my", "i", "you", "your", "we", "our", "he", "she", "his", "her", "if", "then", "than", "so", "such", "into", "over", "under", "per", "via"])
# Terms of the field jieba's general dictionary splits apart.
DOMAIN_TERMS = (
    "科技特派员", "孵化器", "众创空间", "加速器", "科技企业孵化器", "海洋碳汇", "碳汇", "高新区", "高新技术企业",
    "科技型中小企业", "产学研", "揭榜挂帅", "科创飞地", "人才飞地", "研发投入", "研发费用", "加计扣除",
    "成果转化", "技术市场", "知识产权", "专利", "重点实验室", "新型研发机构", "创新券", "首台套",
    "复工复产", "疫情防控", "留抵退税", "社保费", "减免", "稳岗", "返还", "延期缴纳", "阶段性",
)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
# Variant characters scraped pages print for the simplified ones ('以後', '馀额' in 151 and 35 of
# the 599 NCP notices): folded when words are matched, never in the text shown.
_VARIANTS = (("後", "后"), ("馀", "余"))


def fold(text: str) -> str:
    """Text as words are matched: lower-cased, variant characters folded (one for one, so
    offsets hold). str.replace, not str.translate: a search folds hundreds of clause texts, and
    translate looks every character up in a dict (~3 ms a search on the NCP index)."""
    text = text.lower()
    for variant, simplified in _VARIANTS:
        text = text.replace(variant, simplified)
    return text


_LOCK = threading.Lock()
_BASE: tuple[dict[str, int], int] | None = None  # jieba's own dictionary: word frequencies, total


def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's dictionary, loaded once per process (~0.75 s; an engine opens on every reload)."""
    global _BASE
    with _LOCK:
        if _BASE is None:
            base = jieba.Tokenizer()
            base.initialize()
            _BASE = (base.FREQ, base.total)
        return _BASE


class Tokenizer:
    """jieba search-mode tokeniser with extra words and a stopword list you can swap (default
    STOPWORDS); thread-safe and picklable by word list."""

    def __init__(self, extra_words: Iterable[str] = (), stopwords: Iterable[str] = STOPWORDS):
        jieba.setLogLevel(logging.WARNING)
        self.stopwords = frozenset(stopwords)
        self.extra_words = sorted({w for w in (*DOMAIN_TERMS, *extra_words) if 1 < len(w) <= 20})
        # A private copy of the shared dictionary (~15 ms) instead of jieba loading it again.
        freq, total = _base_dictionary()
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ, self._jieba.total, self._jieba.initialized = dict(freq), total, True
        for word in self.extra_words:
            self._jieba.add_word(word, freq=20000)

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens of `text`, lower-cased, without stopwords or punctuation.

        Args: any text. Returns: tokens, duplicates kept (BM25 counts them).
        """
        words = self._jieba.cut_for_search(fold(text))
        return [w for w in (w.strip() for w in words)
                if w and w not in self.stopwords and _WORD.search(w)]

    def words(self, text: str) -> list[str]:
        """jieba's accurate-mode words of `text`, as written: each character in one word only
        (社保费 stays whole, where search mode also gives 社保)."""
        return self._jieba.lcut(text)


def unit_words(names: Iterable[str]) -> set[str]:
    """Dictionary words for unit names: the full name and its bracket-free parts
    ('县经信局（县科技局）' -> 县经信局（县科技局）, 县经信局, 县科技局)."""
    words = set()
    for name in names:
        words.add(name)
        words.update(p for p in re.split(r"[（）()、]", name) if len(p) > 1)
    return words
