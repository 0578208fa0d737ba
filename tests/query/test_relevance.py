"""Relevance: every hit says how likely it answers the question, and a search knows when it
has nothing to say (query/relevance.py, calibration.json)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer.config import Config
from indexer.embed.runtimes import load_embedder
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine
from indexer.query.relevance import (
    FEATURES,
    QUERY_FEATURES,
    Calibration,
    ask_met,
    asks_of,
    longest_common_substring,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    embedder = load_embedder("multilingual-e5-small", threads=2)
    index = tmp_path_factory.mktemp("seed-index")
    build_index([CORPUS], index, embedder, progress=False,
                cache_path=tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    return SearchEngine(index, embedder)


@pytest.fixture(scope="module")
def client(engine):
    from server.app import create_app

    return create_app(engine, Config()).test_client()


def test_the_calibration_matches_the_features_the_engine_computes():
    calibration = Calibration.load()
    assert calibration.names == FEATURES
    assert len(calibration.coef) == len(FEATURES) and 0 < calibration.threshold < 1


def test_longest_common_substring():
    assert longest_common_substring("科技特派员有哪些要求", "推进完善科技特派员结对服务") == 5
    assert longest_common_substring("abc", "xyz") == 0
    assert longest_common_substring("", "abc") == 0


@pytest.mark.parametrize("query", ["asdfqwer zxcv", "火锅底料配方", "NBA总决赛冠军是谁"])
def test_gibberish_and_off_domain_questions_have_nothing_relevant(engine, query):
    result = engine.search(query, k=10)
    assert len(result.hits) == 10
    assert result.relevant_count == 0
    assert result.hits[0].score == 1.0  # the fused score still ranks; relevance judges
    assert max(h.relevance for h in result.hits) < 0.5


def test_relevance_is_a_probability_and_orders_the_relevant_hits_first(engine):
    result = engine.search("科技企业孵化器建设", k=10)
    assert all(0.0 <= h.relevance <= 1.0 for h in result.hits)
    assert result.features.shape == (len(result.hits), len(FEATURES))
    assert result.relevant_count == sum(h.relevance >= engine.calibration.threshold for h in result.hits) > 0
    flags = [h.relevant for h in result.hits]
    assert flags == sorted(flags, reverse=True)  # the relevant first
    relevant = [h.relevance for h in result.hits if h.relevant]
    assert relevant == sorted(relevant, reverse=True)  # by relevance
    others = [h.score for h in result.hits if not h.relevant]
    assert others == sorted(others, reverse=True)  # the others as fused



@pytest.mark.parametrize("question", ["科技企业孵化器建设", "科技特派员有哪些要求", "who leads incubator construction",
                                      "嵊泗县科技创新的主要目标", "研发投入占GDP比重目标是多少"])
def test_the_features_follow_the_hits_and_reproduce_their_relevance(engine, question):
    result = engine.search(question, k=10)
    assert engine.calibration.probabilities(result.features) == pytest.approx([h.relevance for h in result.hits], abs=1e-4)
    engine.order_by_relevance = False
    try:
        fused = engine.search(question, k=10)
    finally:
        engine.order_by_relevance = True
    assert [h.score for h in fused.hits] == sorted((h.score for h in fused.hits), reverse=True)
    assert {h.clause_id for h in fused.hits} == {h.clause_id for h in result.hits}


def test_some_question_is_reordered(engine):
    # the order is not fusion's for at least one of these (else the tests above prove little)
    moved = 0
    for question in ("科技企业孵化器建设", "科技特派员有哪些要求", "who leads incubator construction",
                     "嵊泗县科技创新的主要目标", "研发投入占GDP比重目标是多少"):
        scores = [h.score for h in engine.search(question, k=10).hits]
        moved += scores != sorted(scores, reverse=True)
    assert moved


@pytest.mark.parametrize("few, many", [(3, 20), (10, 20), (10, 50)])
def test_a_smaller_k_shows_the_first_hits_of_a_larger_one(engine, few, many):
    for question in ("科技企业孵化器建设", "科技特派员有哪些要求", "who leads incubator construction"):
        small, large = engine.search(question, few), engine.search(question, many)
        assert [h.clause_id for h in small.hits] == [h.clause_id for h in large.hits[:few]]
        assert [h.relevance for h in small.hits] == [h.relevance for h in large.hits[:few]]


def test_commissioner_clauses_are_relevant_and_the_others_mostly_not(engine):
    result = engine.search("科技特派员有哪些要求", k=10)
    texts = ["".join(engine.table.texts[r] for r in h.members) for h in result.hits]
    with_term = [h for h, t in zip(result.hits, texts) if "科技特派员" in t]
    without = [h for h, t in zip(result.hits, texts) if "科技特派员" not in t]
    assert with_term and without
    assert sum(h.relevant for h in with_term) >= len(with_term) - 1
    assert sum(h.relevant for h in without) <= len(without) // 3
    assert min(h.relevance for h in with_term) > max(h.relevance for h in without)


@pytest.mark.parametrize("query", ["的", "如何 哪些 什么", "abc xyz !!! ???", "科技特派员 technology transfer 孵化器"])
def test_odd_questions_get_sensible_relevance(engine, query):
    result = engine.search(query, k=10)
    assert np.isfinite(result.features).all()
    assert all(0.0 <= h.relevance <= 1.0 for h in result.hits)


def test_stop_words_alone_find_nothing_relevant(engine):
    assert engine.search("的", k=10).relevant_count == 0


def test_english_function_words_are_not_words_of_the_question(engine):
    coverage = FEATURES.index("term_coverage")
    bare, wordy = engine.search("incubators", k=3), engine.search("what are the incubators", k=3)
    same = [i for i, h in enumerate(wordy.hits) if h.clause_id == bare.hits[0].clause_id]
    assert same
    # "what are the" is not a word the clause lacks (the corpus is Chinese)
    assert wordy.features[same[0], coverage] == pytest.approx(bare.features[0, coverage])
    assert bare.features[0, coverage] > 0.5
    assert engine.search("the", k=10).relevant_count == 0


def test_the_words_that_ask_are_not_words_of_the_question(engine):
    coverage = FEATURES.index("term_coverage")
    bare, asked = engine.search("incubators", k=3), engine.search("how many incubators according to it", k=3)
    same = [i for i, h in enumerate(asked.hits) if h.clause_id == bare.hits[0].clause_id]
    assert same
    # 'many' and 'according', unknown to the corpus, would weigh as its rarest words
    assert asked.features[same[0], coverage] == pytest.approx(bare.features[0, coverage])


def test_the_parts_of_a_word_the_corpus_knows_do_not_count_it_again(engine):
    coverage = FEATURES.index("term_coverage")
    # 科技特派员 is one word of the question, not five (科技, 特派, 派员, 特派员, 科技特派员): a clause
    # on commissioners that never speaks of pay covers less than half of "科技特派员工资多少"
    pay = engine.search("科技特派员工资多少", k=10)
    assert "科技特派员" in engine.table.texts[pay.hits[0].members[0]]
    assert pay.features[:, coverage].max() < 0.5
    assert engine.search("科技特派员", k=3).features[0, coverage] == pytest.approx(1.0)


@pytest.mark.parametrize("question, answered, unanswered", [
    ("科技特派员工资多少", "每人每月补助3000元", "每年选派科技特派员100人次"),
    ("嵊泗民宿一晚多少钱", "住宿费用为每晚300元", "发展精品民宿"),
    ("浙江省科技厅办公地址和电话", "地址：杭州市环城西路33号，电话：0571-87054000", "省科技厅负责"),
    ("中关村管委会咨询电话是多少？", "古老师：13401016724", "咨询请联系管委会"),
    ("How much does a ticket cost?", "票价50元", "门票价格另行公布"),
    ("iPhone15价格", "售价5999元", "价格平稳"),
    ("热线电话是多少", "热线：12345", "截至20200220共收到咨询"),  # a date is no phone number
])
def test_a_question_asking_for_a_price_or_a_contact_needs_its_form(question, answered, unanswered):
    forms = asks_of(question)
    assert forms
    assert ask_met(forms, answered) == 1.0
    assert ask_met(forms, unanswered) == 0.0


@pytest.mark.parametrize("question, answered, unanswered", [
    ("郴州的科技特派员每个月有多少补贴?", "每人每月补贴2000元", "每年选派科技特派员100人次"),
    ("专项每年拿出多少钱", "每年配套安排专项资金200万", "设立专项，加大支持"),  # 万 alone is a sum
    ("马迹山港混矿项目总投资多少", "总投资12亿元", "建设混矿项目，规模1000万吨"),  # 万吨 is no sum
    ("高新技术产业园区占地面积有多大", "规划面积12平方公里", "园区现有企业100家"),
    ("研究院是哪一年正式挂牌成立的?", "2018年5月挂牌成立", "研究院挂牌成立"),
    ("嵊泗县科技局局长是谁?", "局长张三，副局长李四", "县科技局负责"),
    ("每人补贴标准是多少", "每人补贴两千元", "供应口罩100万只"),  # a count in 万 is no sum
    ("资金什么时候到账", "5个工作日内拨付到位", "资金专款专用"),
    ("贵阳市从几号开始推进各企业复工复产？", "从2020年2月10日起分类有序推进", "规范复工复产备案登记"),
])
def test_a_question_asking_for_a_sum_an_area_a_year_or_a_person_needs_its_form(question, answered, unanswered):
    forms = asks_of(question)
    assert forms
    assert ask_met(forms, answered) == 1.0
    assert ask_met(forms, unanswered) == 0.0


def test_a_hit_without_the_form_asked_for_keeps_little_of_its_relevance():
    from indexer.query.relevance import UNMET_ASK, Calibration

    calibration = Calibration.load()
    row = np.ones((1, len(FEATURES)))
    met = calibration.probabilities(row)[0]
    row[0, FEATURES.index("ask_met")] = 0.0
    unmet = calibration.probabilities(row)[0]
    assert unmet <= UNMET_ASK * met + 1e-12 and unmet < met


@pytest.mark.parametrize("question", ["湖南省委疫情防控领导小组开通热线后，领导小组办公室收到问题线索会怎么处理？",
                                      "补贴能领几个月", "多少企业获得补贴", "扩大种植面积有什么奖励",
                                      "What services does the hotline provide?",
                                      "电话会议部署了哪些工作", "科技特派员有哪些要求", "研发投入占GDP比重目标是多少", "孵化器由谁负责",
                                      "延期复工期间工资怎么发放", "复工复产要做到哪几点", "全国电视电话会议部署了什么",
                                      "口罩价格有什么规定", "What is the price policy for masks?",
                                      "地铁几号线停运", "隔离点在几号楼", "这是第几号令", "这个通知是几号文件",
                                      "发文字号是几号", "患者住几号床"])
def test_most_questions_ask_for_no_particular_form(question):
    assert asks_of(question) == ()
    assert ask_met(asks_of(question), "任何文字") == 1.0


def test_a_price_question_the_corpus_only_names_has_nothing_relevant(engine):
    assert engine.search("嵊泗贻贝多少钱一斤", k=10).relevant_count == 0


def test_the_calibration_has_both_parts():
    calibration = Calibration.load()
    assert calibration.answerable is not None and calibration.answerable.names == QUERY_FEATURES
    x = np.zeros((2, len(FEATURES)))  # the answerable part scales every hit of a search alike
    alone = replace(calibration, answerable=None).probabilities(x)
    assert np.allclose(calibration.probabilities(x) / alone, calibration.probabilities(x)[0] / alone[0])


def test_a_pasted_clause_finds_itself_relevant(engine):
    row = max(range(len(engine.table)), key=lambda r: len(engine.table.texts[r]))
    pasted = (engine.table.texts[row] * 3)[:1000]
    result = engine.search(pasted, k=5)
    assert np.isfinite(result.features).all()
    assert result.hits[0].row == row or row in result.hits[0].members
    assert result.hits[0].relevant


def test_the_api_reports_relevance_and_the_relevant_count(client):
    data = client.get("/api/search?q=科技特派员有哪些要求").get_json()
    assert data["relevant_count"] == sum(h["relevant"] for h in data["results"]) > 0
    assert all(0 <= h["relevance"] <= 1 for h in data["results"])
    none = client.get("/api/search?q=火锅底料配方").get_json()
    assert none["relevant_count"] == 0 and len(none["results"]) == 10


def test_the_page_counts_relevant_hits_and_folds_the_nearest_when_none_is(client):
    page = client.get("/?q=火锅底料配方").get_data(as_text=True)
    assert "共 0 条相关条款" in page
    assert "没有找到足够相关的条款" in page
    assert "<details class=\"maybe-relevant\">" in page and "可能相关" in page
    data = client.get("/api/search?q=科技特派员有哪些要求").get_json()
    page = client.get("/?q=科技特派员有哪些要求").get_data(as_text=True)
    assert f"共 {data['relevant_count']} 条相关条款" in page
    assert "没有找到足够相关的条款" not in page
    assert f"相关度 {data['results'][0]['relevance']:.2f}" in page


def test_the_page_folds_the_hits_below_the_threshold_after_the_relevant_ones(client):
    data = client.get("/api/search?q=technology commissioners").get_json()
    assert 0 < data["relevant_count"] < len(data["results"])
    page = client.get("/?q=technology commissioners").get_data(as_text=True)
    folded = page.index("<details class=\"maybe-relevant\">")
    assert f"另有 {len(data['results']) - data['relevant_count']} 条可能相关的条款" in page
    for hit in data["results"]:  # each card's permalink is in its own part of the page
        at = page.index(f'id="hit-{hit["id"]}"')  # a passage's permalink names its pieces: its card's id
        assert (at < folded) == hit["relevant"], hit["id"]


def test_a_calibration_for_another_model_is_reported_as_not_calibrated(server_index, query_embedder):
    other = replace(Calibration.load(), model="all-MiniLM-L6-v2")
    engine = SearchEngine(server_index, query_embedder, calibration=other)
    assert engine.health()["relevance_calibrated"] is False
    assert SearchEngine(server_index, query_embedder).health()["relevance_calibrated"] is True


def test_a_place_the_question_names_is_not_its_subject(engine):
    # 嵊泗县 chooses whose documents answer; '明天…会下雨吗' is about rain, which no clause covers,
    # though clauses of Shengsi's plan name the place; and 会, never a word of the corpus, is no
    # word of the question found inside '社会' or '会议'
    subject, coverage = FEATURES.index("subject_coverage"), FEATURES.index("term_coverage")
    result = engine.search("明天嵊泗县会下雨吗", k=10)
    assert "嵊泗县" in result.preferred
    assert result.features[:, coverage].max() > 0
    assert result.features[:, subject].max() == 0
    # a question naming no place of the index: its subject is all its words
    plain = engine.search("科技特派员有哪些要求", k=5)
    assert np.allclose(plain.features[:, subject], plain.features[:, coverage])


def test_a_yearly_plan_of_another_year_does_not_answer_a_question_naming_one():
    from indexer.query.relevance import asked_year, year_met

    title = "省科技厅2015年工作要点及责任分解"
    assert year_met(asked_year("浙江省科技厅2016年工作要点有哪些内容"), title, "加快推进科技城建设") == 0
    assert year_met(asked_year("浙江省科技厅2015年工作要点有哪些内容"), title, "加快推进科技城建设") == 1
    assert year_met(asked_year("2016年要建成多少科技城"), title, "到2016年建成科技城3个") == 1  # the text names it
    assert year_met("2016", "嵊泗县科技创新体系建设工程实施方案(2023—2027年)", "") == 1  # a period
    assert asked_year("2015年和2016年各建成多少科技城") is None  # more than one year asked
    assert asked_year("What did the 2016 work points say?") == "2016"
    # a number is no year: '每人补贴2000元', '1998家企业'
    assert asked_year("每人补贴2000元的条件是什么") is None and asked_year("1998家企业获得补贴") is None


def test_a_hit_of_another_year_s_plan_is_not_relevant(engine):
    other = engine.search("浙江省科技厅2016年工作要点有哪些内容", k=10)
    asked = engine.search("浙江省科技厅2015年工作要点有哪些内容", k=10)
    assert other.relevant_count == 0 < asked.relevant_count


def test_a_who_question_s_ask_is_read_from_the_question_as_asked(engine):
    # '局长是谁' is searched by its topic (without 是谁) but still asks for a name beside the office
    result = engine.search("嵊泗县科技局局长是谁?", k=10)
    assert result.relevant_count == 0
    assert result.features[:, FEATURES.index("ask_met")].max() == 0





_ACCOUNT = ("中国华文教育基金会关于接受海外捐赠的公告\n一、捐赠账户\n1．人民币开户银行：中国建设银行北京西四支行。"
            "Bank of China, Account Name: the Foundation of the Overseas Chinese, for the donations from the world.\n")
_CUSTOMS = "上海海关关于防疫物资通关情况的通报\n一、通关情况\n1．截至2月11日，上海海关共验放防疫物资货值3.6亿元。\n"


@pytest.fixture(scope="module")
def english_text_engine(tmp_path_factory):
    """Two notices, one of them quoting English (a bank account's name)."""
    corpus = tmp_path_factory.mktemp("english-text-corpus")
    (corpus / "account.txt").write_text(_ACCOUNT, encoding="utf-8")
    (corpus / "customs.txt").write_text(_CUSTOMS, encoding="utf-8")
    embedder = load_embedder("multilingual-e5-small", threads=2)
    index = tmp_path_factory.mktemp("english-text-index")
    build_index([corpus], index, embedder, progress=False,
                cache_path=tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    return SearchEngine(index, embedder)


def test_english_function_words_score_nothing_in_bm25(english_text_engine):
    from indexer.query.filters import Filters

    engine = english_text_engine
    assert "the" in engine.lexical.vocab and "of" in engine.lexical.vocab  # the account's English has them

    def bm25(question):
        return engine.lexical_stage(engine.parse_query(question, 10, Filters())).scores

    wordy, bare = bm25("What was the name of the bank account?"), bm25("name bank account")
    assert wordy.max() > 0
    assert np.allclose(wordy, bare)  # 'what', 'was', 'the', 'of' are no rare words of the clause
    # a Chinese question's Latin letters are its words ('IT企业', 'Bank of China账户')
    assert not np.allclose(bm25("Bank of China账户"), bm25("Bank China账户"))
