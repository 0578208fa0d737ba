"""English words the glossary leaves, glossed by CC-CEDICT (query/dictionary.py), and the words
an English question counts (spans.focus_weights): what decides the sentence an English question
gets marked and the number it gets."""
from __future__ import annotations

import numpy as np

from indexer.query.dictionary import chinese_words, forms
from indexer.query.relevance import Gloss, QueryTerms, presence
from indexer.query.spans import (
    answer_span,
    focus_weights,
    is_value_question,
    value_answer,
)


def test_an_english_word_and_its_inflections_find_the_chinese_words_it_translates():
    assert "房间" in chinese_words("rooms")  # plural
    assert "罚款" in chinese_words("fined")  # past tense: fine
    assert "客户" in chinese_words("Customers")
    assert chinese_words("qwzxv") == ()
    assert forms("opened")[:3] == ["opened", "opene", "open"]
    # a measure word or a cross-reference is no translation, one character is too ambiguous
    assert all(len(w) >= 2 for w in chinese_words("room"))


def test_a_gloss_earns_a_sentence_its_share_and_other_tokens_count_as_before():
    rooms = Gloss("rooms", [("房间", 1.0), ("地方", 0.4)])
    assert presence(rooms, "能提供5754个房间") == 1.0
    assert presence(rooms, "各地方要") == 0.4
    assert presence(rooms, "观察点") == 0.0
    assert presence("重庆", "重庆已设置") == 1.0 and presence("重庆", "北京") == 0.0


def test_glosses_take_the_place_of_the_unknown_english_words():
    rooms = Gloss("rooms", [("房间", 1.0)])
    terms = QueryTerms("how many rooms 重庆", ("rooms", "重庆"), np.array([9.0, 3.0]), 1.0, 0.5,
                       unknown=frozenset({"rooms"}), glosses=(rooms,), gloss_idf=np.array([5.0]))
    tokens, idf = terms.findable()
    assert tokens == ("重庆", "rooms") and isinstance(tokens[1], Gloss) and list(idf) == [3.0, 5.0]
    # none known, none glossed: all the tokens, as before
    bare = QueryTerms("t", ("how", "access"), np.array([9.0, 9.0]), 1.0, 0.0, unknown=frozenset({"how", "access"}))
    assert bare.findable()[0] == ("how", "access")


def test_an_english_question_weighs_double_the_words_it_counts():
    tokens = ["重庆", "rooms", "total", "sites"]
    weights = focus_weights("How many rooms in total can 重庆 sites provide?", tokens, np.ones(4))
    assert list(weights) == [1.0, 2.0, 2.0, 1.0]
    weights = focus_weights("what share of their 保证金 can 旅行社 get back?", ["保证金", "旅行社"], np.ones(2))
    assert list(weights) == [2.0, 1.0]
    # no ask: unchanged
    assert list(focus_weights("rooms of 重庆", tokens, np.ones(4))) == [1.0] * 4


def test_english_asks_for_a_share_or_an_output_are_value_questions():
    assert is_value_question("What share of the deposit can travel agencies get back?")
    assert is_value_question("what daily output of protective suits had they reached")
    assert not is_value_question("which agency publishes the reminders")
    text = "旅游服务质量保证金的暂退标准为现有交纳数额的80%，涉及3万家旅行社的旅游服务质量保证金。"
    question, tokens = "what share of 旅游服务质量保证金 can 旅行社 get back?", ("旅游服务质量保证金", "旅行社")
    answer = value_answer(question, tokens, np.ones(2), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (80, "%")  # a share, not the 3万家 count
    # asked without 'share', the count's segment covers more of the question
    answer = value_answer("what number of 旅游服务质量保证金 of 旅行社?", tokens, np.ones(2), [("c1", text, "通知")])
    assert answer is not None and answer.unit == "家"


def test_the_gloss_of_the_counted_word_marks_the_sentence_that_counts_it():
    text = "重庆已为密切接触者设置了95个集中隔离医学观察点。观察点多由宾馆改造而成，能提供5754个房间。"
    question = "How many rooms in total can 重庆 集中隔离医学观察 sites provide?"
    rooms = Gloss("rooms", [("房间", 1.0), ("客房", 0.9)])
    tokens, idf = ("重庆", "集中隔离医学观察", rooms), np.array([3.0, 4.0, 6.0])
    start, end = answer_span(text, question, tokens, idf)
    assert "5754个房间" in text[start:end]
    answer = value_answer(question, tokens, idf, [("c1", text, "通知")])
    assert answer is not None and answer.value == 5754
    # without the gloss the subject's sentence wins: the gloss is what decides
    start, end = answer_span(text, question, tokens[:2], idf[:2])
    assert "95个" in text[start:end]


def test_glosses_add_to_a_sentence_and_take_nothing_from_the_others():
    # a long English question's glossed words, none in the clause, do not sink its number below the bar
    text = "全省药品再注册收费标准降低30%。"
    glosses = tuple(Gloss(w, [(c, 1.0)]) for w, c in (("supplementary", "补充"), ("applications", "申请"),
                                                      ("device", "器械"), ("cut", "削减")))
    tokens, idf = ("药品", *glosses), np.array([1.0, 10.0, 10.0, 10.0, 10.0])
    answer = value_answer("by what percentage are the 药品 supplementary applications device fees cut?",
                          tokens, idf, [("c1", text, "通知")])
    assert answer is not None and answer.value == 30


def test_what_a_sum_is_reckoned_per_is_the_focus_of_an_english_question():
    # 'subsidy' is already 补贴 (the glossary); 'per square metre' names the number asked
    text = ("对2020年增加蔬菜生产的温室扩大面积部分每亩补助3000元"
            "（扩增面积不足1亩的，按每平方米4.5元补助）。")
    question = "In 吉林's policy for 蔬菜, what 补贴 per square metre is paid when the greenhouse area is less than one mu?"
    square = Gloss("square", [("平方", 1.0)])
    greenhouse = Gloss("greenhouse", [("温室", 1.0)])
    tokens, idf = ("蔬菜", "补贴", square, greenhouse), np.array([4.0, 3.6, 6.2, 6.8])
    assert list(focus_weights(question, tokens, idf)) == [4.0, 3.6, 12.4, 6.8]
    answer = value_answer(question, tokens, idf, [("c1", text, "通知")])
    assert answer is not None and answer.value == 4.5


def test_as_per_is_no_ask_and_a_real_ask_comes_first():
    tokens, idf = ["hubei", "notice", "days", "rent"], np.ones(4)
    assert list(focus_weights("As per the Hubei notice, how many days of rent are waived", tokens, idf)) \
        == [1.0, 1.0, 2.0, 2.0]
    assert list(focus_weights("How many days per month are waived", ["days", "month"], np.ones(2))) == [2.0, 2.0]


def test_the_words_a_noun_derives_from_are_read_when_its_own_forms_give_nothing():
    from indexer.query.dictionary import derived

    assert derived("registration")[0] == "register" and "prevent" in derived("prevention")
    assert derived("production")[0] == "produce" and derived("procurement") == ["procure"]
    assert derived("issuance")[0] == "issue" and derived("environmental") == ["environment"]
    assert derived("bank") == [] and derived("nation") == []  # too short to be derived


def test_an_english_word_takes_the_corpus_words_of_its_first_form_or_origin_the_corpus_has():
    from types import SimpleNamespace

    from indexer.query.engine import SearchEngine

    engine = SimpleNamespace(lexical=SimpleNamespace(vocab={"银行", "预防", "采购", "登记", "房间"}))

    def senses(word):
        return SearchEngine.corpus_senses(engine, word)

    assert senses("banks") == ["银行"]  # 'banks' is first a name (班克斯) the corpus never writes
    assert "预防" in senses("prevention") and senses("procurement") == ["采购"] and "登记" in senses("registration")
    assert senses("rooms") == ["房间"] and senses("qwzxv") == []
