"""The BM25 tokenizer: jieba search mode plus each index's own words, on a shared dictionary."""
from __future__ import annotations

import logging
from pathlib import Path

import jieba

from indexer.index.tokens import STOPWORDS, Tokenizer

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
UNITS = ["县经信局（县科技局）", "县经信局", "县科技局", "高新处"]


def reference_tokens(words: list[str], text: str) -> list[str]:
    """What a tokenizer that loads jieba's dictionary itself gives (the behaviour before the
    dictionary was shared)."""
    jieba.setLogLevel(logging.WARNING)
    own = jieba.Tokenizer()
    own.initialize()
    for word in words:
        own.add_word(word, freq=20000)
    tokens = []
    for w in own.cut_for_search(text.lower()):
        w = w.strip()
        if w and w not in STOPWORDS and any(ch.isalnum() for ch in w):
            tokens.append(w)
    return tokens


def test_a_tokenizer_on_the_shared_dictionary_cuts_like_one_that_loads_its_own():
    tokenizer = Tokenizer(UNITS)
    text = "\n".join(p.read_text(encoding="utf-8")[:3000] for p in sorted(CORPUS.glob("*.txt")))
    assert tokenizer.tokens(text) == reference_tokens(tokenizer.extra_words, text)
    assert {"县经信局", "县科技局"} <= set(tokenizer.tokens("责任单位：县经信局（县科技局）"))


def test_words_added_for_one_index_do_not_leak_into_another():
    plain, with_units = Tokenizer(), Tokenizer(["浙江省科学技术厅高新技术处"])
    text = "浙江省科学技术厅高新技术处负责"
    assert "浙江省科学技术厅高新技术处" in with_units.tokens(text)
    assert "浙江省科学技术厅高新技术处" not in plain.tokens(text)
    assert "浙江省科学技术厅高新技术处" not in Tokenizer().tokens(text)


def test_variant_characters_of_scraped_pages_match_the_simplified_ones():
    from indexer.index.tokens import Tokenizer, fold
    tokenizer = Tokenizer()
    assert "余额" in tokenizer.tokens("上半年普惠贷款馀额同比增速不低于30%")
    assert tokenizer.tokens("登录以後选择缴款信息查询") == tokenizer.tokens("登录以后选择缴款信息查询")
    assert fold("以後馀额ABC") == "以后余额abc" and len(fold("以後")) == len("以後")  # offsets hold
