"""Answers (issue 13): who-answers per document from on-topic clauses, responsibility stated in
prose, the answering sentence, and values — on the seed corpus."""
from __future__ import annotations

import re

import numpy as np
import pytest

from indexer.errors import QueryError
from indexer.parse.prose_roles import normalise_unit
from indexer.query.answers import (
    Answer,
    Group,
    Party,
    build_answer,
    heading_coverage,
    prefer_named,
)
from indexer.query.places import CONFLICT
from indexer.query.shapes import Hit
from indexer.types import DocumentInfo, Responsibility

WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = f"{WORK_POINTS}:h3.n13"
SHENGSI = "shengsi-2023-innovation-system-plan"
CHENZHOU_OFFICE = "chenzhou-2012-county-tech-action-plan:h5.n1"


@pytest.fixture(scope="module")
def engine(server_engine):
    return server_engine


def clause_text(engine, hit) -> str:
    return "".join(engine.table.texts.take(list(hit.members)))


def test_who_answers_come_in_one_group_per_document_ordered_by_relevance(engine):
    result = engine.search("孵化器由哪个部门负责", 10)
    groups = result.answer.groups
    ids = [g.document["id"] for g in groups]
    assert len(ids) == len(set(ids)) >= 2
    # By relevance, documents expired today after the others (the 2015 work points are expired).
    expired = [g.document["validity"]["status"] == "expired" for g in groups]
    assert expired == sorted(expired) and any(expired) and not all(expired)
    for part in (True, False):
        found = [g.relevance for g in groups if (g.document["validity"]["status"] == "expired") == part]
        assert found == sorted(found, reverse=True)
    work_points = next(g for g in groups if g.document["id"] == WORK_POINTS)
    assert work_points.document["region"] == "浙江省" and work_points.document["year"] == 2015
    gaoxinchu = next(p for p in work_points.lead if p.name == "高新处")
    assert WORK_POINTS_13 in gaoxinchu.clauses and gaoxinchu.source == "note"
    # The flat lists are the union of the groups.
    assert {p.name for g in groups for p in g.lead} == {p.name for p in result.answer.lead}


def test_on_an_earlier_day_the_expired_plan_is_not_put_last(engine):
    from indexer.query.filters import Filters

    groups = engine.search("孵化器由哪个部门负责", 10, Filters(as_of="2015-06-01")).answer.groups
    statuses = {g.document["id"]: g.document["validity"]["status"] for g in groups}
    assert statuses[WORK_POINTS] == "in_force" and statuses[SHENGSI] == "not_yet"


def test_clauses_that_only_mention_the_subject_do_not_answer(engine):
    """Item 22 (科技服务业, led by 社发处) lists 孵化器 among ten platforms; item 23 (法规政策, 法规处)
    lists 孵化器"四税"减免 among five policies: both rank in the top 10, neither is about 孵化器."""
    result = engine.search("孵化器由哪个部门负责", 10)
    ranked = [h.clause_id for h in result.hits]
    assert f"{WORK_POINTS}:h6.n22" in ranked
    supporting = {c for g in result.answer.groups for c in g.clauses}
    assert f"{WORK_POINTS}:h6.n22" not in supporting and f"{WORK_POINTS}:h6.n23" not in supporting
    assert "社发处" not in {p.name for p in result.answer.lead}


@pytest.mark.parametrize(("question", "wanted", "passing"), [
    # work point 2 (杭州国家自主创新示范区, 法规处) names 技术市场体系 among five systems
    ("技术市场体系建设的牵头单位是谁", {"成果处"}, {"法规处"}),
    # 二、（三）2 is about 孵化器 and mentions 飞地 in its body
    ("嵊泗科创飞地建设由哪些部门负责", {"县经信局（县科技局）", "县委组织部", "县投促中心"}, {"县人力社保局", "县科协"}),
])
def test_an_item_whose_first_sentence_is_about_something_else_does_not_answer(engine, question, wanted, passing):
    answer = engine.search(question, 10).answer
    named = {p.name for g in answer.groups for role in (g.lead, g.cooperating) for p in role}
    assert wanted <= named and not passing & named


def _one_clause(text: str, document: DocumentInfo, question: str, who: bool, terms) -> tuple:
    """answer_card's arguments for one relevant clause of one document: a clause table holding
    `text`, the question, whether it asks who, its terms, and the clause's hit."""

    class Texts:
        def take(self, rows):
            return [text for _ in rows]

    class Table:
        texts = Texts()

        def document_of(self, row):
            return document

    return Table(), question, who, terms, [Hit("d:1", 1.0, 0, Responsibility(()), relevance=0.9, relevant=True)]


def _group(doc_id: str, region: str, *lead: str) -> Group:
    return Group({"id": doc_id, "region": region}, tuple(Party(n, (f"{doc_id}:h1",)) for n in lead), (), (),
                 (f"{doc_id}:h1",), 0.5)


def test_a_question_naming_a_place_is_answered_by_its_documents_first():
    city, district, unknown = _group("city", "北京市", "市国资委"), _group("district", "北京市·海淀区", "区国资委"), \
        _group("unplaced", "", "某办公室")
    answer = Answer((), (), (), (), (city, district, unknown))
    named = prefer_named(answer, None, {"district"})
    assert [g.document["id"] for g in named.groups] == ["district", "unplaced"]  # the city's units are not the district's
    assert [p.name for p in named.lead] == ["区国资委", "某办公室"]
    # found only by a search of the named documents: their groups first
    scoped = Answer((), (), (), (), (district,))
    assert [g.document["id"] for g in prefer_named(Answer((), (), (), (), (city,)), scoped, {"district"}).groups] \
        == ["district"]
    assert [g.document["id"] for g in prefer_named(answer, None, {"elsewhere"}).groups] == ["unplaced"]
    # only other places' documents answer: no answer
    assert prefer_named(Answer((), (), (), (), (city,)), None, {"elsewhere"}) is None
    # a unit leading in one group and cooperating in another is listed once, as a lead
    helper = Group({"id": "district2", "region": "北京市·海淀区"}, (), (Party("区国资委", ("district2:h1",)),), (),
                   ("district2:h1",), 0.4)
    merged = prefer_named(Answer((), (), (), (), (district, helper)), None, {"district", "district2"})
    assert [p.name for p in merged.lead] == ["区国资委"] and merged.cooperating == ()


def test_a_county_s_question_lists_only_the_county_s_units(engine):
    answer = engine.search("嵊泗科创飞地建设由哪些部门负责", 10).answer
    assert answer.groups and {g.document["id"] for g in answer.groups} == {SHENGSI}
    # 郴州's plan assigns nobody for incubators: 嵊泗's and the province's units are no answer
    assert engine.search("郴州孵化器建设由谁负责", 10).answer is None


def test_heading_coverage_reads_the_first_sentence_only():
    tokens, idf = ("孵化器", "建设"), (3.0, 1.0)
    assert heading_coverage("13.加强科技企业孵化器建设。引导各市……", tokens, idf) == 1.0
    assert heading_coverage("22.加快发展科技服务业。培育孵化器、众创空间……", tokens, idf) == 0.0
    assert heading_coverage("谋划建设" + "很长的标题" * 20 + "孵化器", tokens, idf) == 0.25
    assert heading_coverage("孵化器", (), ()) == 0.0


def test_an_english_who_question_finds_the_province_and_the_county_separately(engine):
    groups = engine.search("who is responsible for incubators", 10).answer.groups
    by_doc = {g.document["id"]: {p.name for p in g.lead} for g in groups}
    assert "高新处" in by_doc[WORK_POINTS]
    assert "县经信局（县科技局）" in by_doc[SHENGSI] and "高新处" not in by_doc[SHENGSI]


def test_one_unit_written_two_ways_is_listed_once():
    doc = DocumentInfo("d", "某县方案", "", "某县人民政府", "2023-01-01", 2023, "浙江省", "", "某县", "浙江省·某县", "", 2)
    hits = [Hit("d:h1", 1.0, 0, Responsibility(("县经信局（县科技局）",)), relevance=0.9, relevant=True),
            Hit("d:h2", 0.9, 1, Responsibility(("县经信局(县科技局)", "县科协")), relevance=0.8, relevant=True)]
    answer = build_answer(hits, lambda row: doc, [True, True])
    assert [p.name for p in answer.groups[0].lead] == ["县经信局（县科技局）", "县科协"]
    assert answer.groups[0].lead[0].clauses == ("d:h1", "d:h2")
    # Off-topic hits give nothing, even when they name units.
    assert build_answer(hits, lambda row: doc, [False, False]) is None


def test_responsibility_stated_in_prose_answers_with_source_text(engine):
    result = engine.search("三年行动计划领导小组办公室设在哪个部门", 5)
    lead = [p for g in result.answer.groups for p in g.lead]
    office = next(p for p in lead if p.name == "综合计划科")
    assert office.source == "text" and CHENZHOU_OFFICE in office.clauses
    data = engine.hit_dict(next(h for h in result.hits if h.clause_id == CHENZHOU_OFFICE))
    assert data["responsibility"]["from_text"] == ["综合计划科"]


def test_the_answering_sentence_is_marked_in_the_best_clause(engine):
    result = engine.search("嵊泗马迹山港混矿项目规模多大", 5)
    marked = [h for h in result.hits if h.answer_span]
    assert len(marked) == 1 and marked[0].clause_id == f"{SHENGSI}:h3.n1"
    start, end = marked[0].answer_span
    assert "推进马迹山港2000万吨混矿项目早日落地见效" in clause_text(engine, marked[0])[start:end]
    assert end - start < len(clause_text(engine, marked[0])) / 2  # a sentence, not the clause


def test_where_an_office_sits_is_answered_from_the_prose(engine):
    answer = engine.search("郴州三年行动计划领导小组办公室设在哪里", 5).answer
    assert answer.kind == "responsibility"
    assert [(p.name, p.source) for p in answer.groups[0].lead] == [("综合计划科", "text")]


@pytest.mark.parametrize(("question", "value", "unit", "year", "clause"), [
    ("到2022年浙江高新技术企业要达到多少家", 20000, "家", 2022, "zhejiang-2019-county-innovation-opinions:h2.p3"),
    ("2015年技术市场交易额目标是多少", 15_000_000_000, "元", 2015, f"{WORK_POINTS}:0+2"),
    # the plan states this target twice: in its goals (一、（二）2) and in its measures (二、（一）3)
    ("how many high-tech enterprises by 2027", 10, "家", 2027, f"{SHENGSI}:h2.p1.n3|{SHENGSI}:h1.p2.n2"),
])
def test_a_question_for_a_number_gets_the_value_the_clause_states(engine, question, value, unit, year, clause):
    result = engine.search(question, 5)
    answer = result.answer
    assert answer.kind == "value" and answer.to_dict()["value"] == value
    assert (answer.unit, answer.year) == (unit, year) and answer.clause in clause.split("|")
    hit = next(h for h in result.hits if h.clause_id == answer.clause)
    text = clause_text(engine, hit)
    assert answer.text in text  # extractive: the phrase is the clause's own
    assert hit.answer_span[0] <= text.index(answer.text) < hit.answer_span[1]


def test_answers_never_name_a_unit_or_number_absent_from_their_clause(engine):
    questions = ["孵化器由哪个部门负责", "海洋碳汇由哪些单位负责", "科技特派员由谁负责", "who leads incubator construction",
                 "研发投入占GDP比重目标是多少", "高新技术企业要达到多少家", "科创飞地建设由哪些部门负责"]
    for question in questions:
        answer = engine.search(question, 10).answer
        if answer is None:
            continue
        if answer.kind == "value":
            text = engine.table.texts[engine.row(answer.clause)]
            assert answer.text in text and re.search(r"\d|[一二三四五六七八九十两百千万]", answer.text), question
            continue
        for group in answer.groups:
            for party in (*group.lead, *group.cooperating, *group.persons):
                for clause in party.clauses:
                    row = engine.row(clause)
                    named = engine.table.responsibility[row]
                    listed = {normalise_unit(n) for n in (*named.lead, *named.cooperating, *named.persons)}
                    assert normalise_unit(party.name) in listed, (question, party.name, clause)
                    assert clause in group.clauses and engine.table.document_of(row).id == group.document["id"]


@pytest.mark.parametrize("question", ["的了吗", "的 the of", "科技特派员 requirements and 孵化器 建设", "建设" * 400])
def test_odd_questions_get_sensible_relevance_and_no_crash(engine, question):
    result = engine.search(question, 5)
    assert all(0.0 <= h.relevance <= 1.0 for h in result.hits)
    if question == "的了吗":
        assert result.relevant_count == 0 and result.answer is None


def test_punctuation_only_is_refused(engine):
    with pytest.raises(QueryError):
        engine.search("？！。，", 5)


def test_a_title_gives_a_year_only_for_a_single_year_plan():
    from indexer.query.spans import title_year

    assert title_year("省科技厅2015年工作要点及责任分解") == 2015
    assert title_year("2023—2027年科技创新行动计划") is None
    assert title_year("2023年至2025年工作计划") is None
    assert title_year("嵊泗县科技创新体系建设工程实施方案(2023—2027年)") is None


@pytest.mark.parametrize("question, value, unit, year", [
    ("东营给新招的博士多少一次性人才补贴", 30000, "元", None),  # a measure's number, no target
    ("给租户免几个月房租", 2, "个月", None),                       # the unit the question asks for
    ("稳岗返还比例提高到多少", 100, "%", None),                     # the new value of a change
    ("今年小微企业信贷增长多少", 20, "%", 2020),                    # the year its sentence names
    ("创业担保贷款额度提高到多少", 300000, "元", None),              # 提高 asks no percent: 贷 asks money
    ("近几年人才补贴累计发放多少", 30000, "元", None),              # 近几年 asks no duration
    ("房租最多可以免几个月", 2, "个月", None),                      # 免几个月 does
])
def test_a_value_question_about_a_measure_gets_the_measure_s_number(question, value, unit, year):
    from indexer.query.spans import value_answer

    text = ("对新引进的博士研究生给予每人一次性30000元人才补贴，补助资金由财政承担。"
            "对承租国有房屋的中小企业，免收2个月房租，减半收取3个月房租。"
            "失业保险稳岗返还比例由上年度实际缴费的50%提高到100%。"
            "确保2020年小微企业信贷增长20%以上。"
            "\n个人创业担保贷款额度由15万元提高到30万元，贷款期限最长3年。")
    tokens = tuple(t for t in re.findall(r"博士|人才补贴|一次性|房租|免|稳岗返还|比例|提高|小微企业|信贷|增长|创业担保|贷款额度",
                                         question))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "关于支持中小企业的若干措施")])
    assert answer is not None and (answer.value, answer.unit, answer.year) == (value, unit, year)
    assert answer.text in text  # the clause's own words


def test_an_english_question_names_a_chinese_place_in_pinyin():
    from indexer.query.places import PlaceNames

    docs = [DocumentInfo(f"d{i}", "某方案", "", "", "2020-02-01", 2020, province, city, "", "", "", 2)
            for i, (province, city) in enumerate([("湖南省", "怀化市"), ("陕西省", ""), ("山西省", ""), ("四川省", "遂宁市")])]
    places = PlaceNames(docs)
    assert places.romanised("Which department in Huaihua is responsible?") == [("Huaihua", "怀化")]
    assert places.romanised("who leads this in Shaanxi's plan, and in Shanxi?") == [("Shaanxi's", "陕西"), ("Shanxi", "山西")]
    assert places.romanised("Huai Hua and suining") == [("Huai Hua", "怀化"), ("suining", "遂宁")]
    assert places.romanised("who is responsible for incubators") == []
    assert places.romanised("怀化市由哪个部门负责") == []  # Chinese questions name places as written
    # a capital whose English name is not its pinyin (Wulumuqi)
    capitals = PlaceNames([DocumentInfo("u", "某方案", "", "", "2020-02-01", 2020, "新疆维吾尔自治区", "乌鲁木齐市",
                                        "", "", "", 2)])
    assert capitals.romanised("the hotline of the Urumqi traffic police") == [("Urumqi", "乌鲁木齐")]


def test_an_english_question_names_a_place_the_texts_name_though_no_document_is_from_it():
    """'Xiaogan' is 孝感 when the corpus's texts use the name, though no document is from there;
    a spelling two such places share names neither ('Suzhou': 苏州 and 宿州), unless one is a
    provincial capital ('Fuzhou': 福州, not 抚州)."""
    from indexer.query.places import PlaceNames

    docs = [DocumentInfo("d0", "某方案", "", "", "2020-02-01", 2020, "湖北省", "武汉市", "", "", "", 2)]
    texts = {"孝感", "苏州", "宿州", "福州", "抚州"}
    places = PlaceNames(docs, used=lambda name: name in texts)
    assert places.romanised("which provinces were assigned to support Xiaogan?") == [("Xiaogan", "孝感")]
    assert places.romanised("firms in Suzhou") == []
    assert places.romanised("the Fuzhou municipal government") == [("Fuzhou", "福州")]
    # of a shared spelling, the place the index has documents from: 泰州's, not 台州 mentioned
    owned = [DocumentInfo("d1", "某方案", "", "", "2020-02-01", 2020, "江苏省", "泰州市", "", "", "", 2),
             DocumentInfo("d2", "某方案", "", "", "2020-02-01", 2020, "江西省", "抚州市", "", "", "", 2)]
    both = PlaceNames(owned, used=lambda name: name in {"台州", "福州"})
    assert both.romanised("How many firms in Taizhou resumed work") == [("Taizhou", "泰州")]
    assert both.romanised("Fuzhou") == [("Fuzhou", "抚州")]
    assert places.romanised("hospitals in Wuhan") == [("Wuhan", "武汉")]
    assert PlaceNames(docs).romanised("which provinces were assigned to support Xiaogan?") == []  # no texts: none
    assert PlaceNames(docs, used=lambda name: False).romanised("support Xiaogan") == []  # names the texts never use
    # a name is read as a place name is: 昌都 Changdu, not the 'dou' of 都 alone
    assert PlaceNames(docs, used=lambda name: name == "昌都").romanised("in Changdu") == [("Changdu", "昌都")]


def test_a_mentioned_place_s_name_is_read_whole_not_as_an_indexed_place_inside_it():
    """马鞍山 (Anhui) holds 鞍山 (Liaoning): a question on 马鞍山, in Chinese or in pinyin, prefers
    no 鞍山 document and takes nothing from Anhui's."""
    from indexer.query.places import PlaceNames

    docs = [DocumentInfo(f"d{i}", "某方案", "", "", "2020-02-01", 2020, province, city, "", "", "", 2)
            for i, (province, city) in enumerate([("辽宁省", "鞍山市"), ("安徽省", "合肥市"), ("全国", "")])]
    places = PlaceNames(docs, used=lambda name: name in {"马鞍山", "鞍山", "合肥"})
    question = "How many enterprises in Ma'anshan have resumed work?"
    assert places.romanised(question) == [("Ma'anshan", "马鞍山")]
    assert places.preference(question + " 马鞍山") is None
    assert places.preference("马鞍山市有多少企业复工") is None
    assert places.preference("鞍山市有多少企业复工").names == ("鞍山市",)  # the indexed place itself still is


def test_an_english_who_question_naming_a_county_is_answered_by_the_county(engine):
    result = engine.search("which departments are responsible for incubators in Shengsi", 10)
    assert "嵊泗" in result.preferred
    assert {g.document["id"] for g in result.answer.groups} == {SHENGSI}


def test_a_named_organ_s_words_stay_subject_words_elsewhere_in_the_question():
    import numpy as np

    from indexer.query.relevance import QueryTerms
    from indexer.query.spans import subject_terms

    terms = QueryTerms("交通运输部交通运输通行证", ("交通运输部", "交通运输", "通行证"), np.array([3.0, 2.0, 4.0]), 1.0, 1.0)
    tokens, idf = subject_terms(terms, ("交通运输部",))
    assert tokens == ("交通运输", "通行证") and list(idf) == [2.0, 4.0]  # 交通运输 also stands outside the name


def test_who_answers_and_relevance_do_not_depend_on_k(engine):
    for question in ("孵化器由哪个部门负责", "科技特派员有哪些要求"):
        few, many = engine.search(question, 10), engine.search(question, 50)
        # (the 10th hit's gap to the next one is unknown at k=10: hits 1-9 compare exactly)
        assert [round(h.relevance, 4) for h in few.hits[:9]] == [round(h.relevance, 4) for h in many.hits[:9]]
        assert (few.answer is None) == (many.answer is None)
        if few.answer is not None and hasattr(few.answer, "groups"):
            assert few.answer.to_dict()["groups"] == many.answer.to_dict()["groups"]


def test_a_place_the_glossary_knows_is_not_added_twice(engine):
    terms = [e.term for e in engine.search("which departments are responsible for incubators in Shengsi", 10).expansions]
    assert terms.count("嵊泗") == 1


def test_no_second_search_when_it_would_repeat_the_first(engine, monkeypatch):
    from indexer.query.filters import Filters

    runs = []
    real = engine.run
    monkeypatch.setattr(engine, "run", lambda *a, **k: runs.append(k.get("named", True)) or real(*a, **k))
    engine.search("嵊泗科技特派员由哪个部门负责", 10, Filters(region="嵊泗县"))  # the filter is the place
    assert runs == [True]
    runs.clear()
    engine.search("郴州孵化器建设由谁负责", 10)  # 郴州's documents alone are searched once more
    assert runs == [True, False]


@pytest.mark.parametrize("question, value, unit", [
    ("每次通风换气至少持续多久", 30, "分钟"),              # minutes are a duration
    ("医用防护口罩多长时间更换一次", 4, "小时"),            # and hours ('一般4小时更换')
    ("乘客体温超过多少度要移交", 37.3, "℃"),               # a temperature asks for degrees
    ("开放短期免费权限的云服务有多少款", 152, "款"),         # products counted by 款
    ("新增多少间负压隔离病房", 48, "间"),                   # rooms by 间
    ("全省一共设了多少个发热门诊", 200, "个"),              # the classifier asked, not 五项措施
    ("单位缴费比例降到了多少", 10, "%"),                    # the level reached, not the 0.5-point cut
])
def test_value_questions_in_the_units_real_notices_use(question, value, unit):
    from indexer.query.spans import value_answer

    text = ("餐饮单位每日通风2次，每次通风换气持续30分钟以上。医用防护口罩一般4小时更换。"
            "乘客体温超过37.3℃的，移交卫生健康部门。推荐197款云服务产品，其中开放短期免费权限152款。"
            "建成后增加负压隔离病房48间。设立三道防线新增五项措施，全省共设立200个发热门诊。"
            "单位缴费比例降低0.5个百分点，即由10.5%降至10%；灵活就业人员缴纳比例由11.5%降至11%。")
    tokens = tuple(t for t in re.findall(r"通风换气|口罩|更换|体温|移交|云服务|免费权限|负压隔离病房|发热门诊|"
                                         r"三道防线|单位缴费比例|降", question))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "关于疫情防控的通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)
    assert answer.text in text


def test_a_number_the_question_states_is_not_its_answer():
    from indexer.query.spans import value_answer

    text = "贵州推出首批197款云服务项目助力复工复产，其中开放短期免费权限152款。"
    question = "贵州推出的197款云服务项目中，开放短期免费权限的有多少款"
    tokens = ("贵州", "云服务", "197", "免费权限")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and answer.value == 152


@pytest.mark.parametrize("question, value, unit", [
    ("一家小微企业最多能贷多少", 5000000, "元"),     # the bound asked for, not the running total
    ("小微企业信贷至少增长多少", 20, "%"),            # a rise asked: not the cut in financing cost
    ("给湖北预拨了多少补助资金", 3500000000, "元"),   # '其中…' is read with the whole it is part of
])
def test_a_value_agrees_with_the_bound_and_the_direction_asked(question, value, unit):
    from indexer.query.spans import value_answer

    text = ("该产品已在成都地区累计投放贷款16.2亿元，惠及小微企业2476户。单户最高可贷500万元。"
            "至2020年末小微企业综合融资成本至少降低0.5个百分点。确保2020年小微企业信贷增长20%以上。"
            "财政部预拨第二批疫情防控补助资金80亿元，其中对湖北省预拨35亿元。")
    tokens = tuple(t for t in re.findall(r"小微企业|贷|最多|信贷|至少|增长|湖北|预拨|补助资金", question))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


def test_the_words_beside_the_question_word_choose_the_answering_sentence():
    from indexer.query.spans import answer_span

    text = ("市商务局联合中国银行天津市分行面向疫情防控重点企业推出专属金融服务。"
            "对受疫情影响较大的小微企业，承诺新发放贷款利率均不高于去年水平。")
    question = "天津市商务局和中国银行天津市分行的专属金融服务，对小微企业新贷款利率作了什么承诺"
    tokens = ("天津市", "商务局", "中国银行", "分行", "专属", "金融服务", "小微企业", "贷款", "利率", "承诺")
    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    assert span is not None and "承诺新发放贷款利率" in text[span[0]:span[1]]


def test_a_where_question_no_unit_answers_still_gets_its_sentence_marked(engine):
    # '设在哪里' reads as a who-question; when no unit answers it, it is a question of fact
    result = engine.search("郴州的科技成果转化中心设在哪里", 10)
    assert result.answer is None
    marked = [h for h in result.hits if h.answer_span]
    assert marked and marked[0].relevant


def test_review_cases_of_the_value_rules():
    from indexer.query.spans import value_answer

    def ask(question, text, tokens):
        return value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])

    # a count asked beside the word 体温 is still a count
    got = ask("全省设立了多少个体温检测点", "全省共设立体温检测点1200个，对体温超过37.3℃的人员进行登记。",
              ("全省", "体温", "检测点"))
    assert got is not None and (got.value, got.unit) == (1200, "个")
    # '以上政策' after a sentence end states no bound of the number before it
    got = ask("吸纳就业补贴至少多少", "重点企业吸纳就业补贴每人2000元。以上政策执行至6月底。一般企业吸纳就业补贴不低于1000元。",
              ("吸纳就业", "补贴", "至少"))
    assert got is not None and got.value == 1000
    # a number the question states with its multiplier is not its answer either
    got = ask("中央财政下达的80亿元补助资金中，湖北省获得多少", "中央财政下达疫情防控补助资金80亿元，其中湖北省35亿元。",
              ("中央财政", "补助资金", "湖北省"))
    assert got is not None and got.value == 3.5e9


@pytest.mark.parametrize("question, value, unit", [
    ("全省一共设了多少个发热门诊", 200, "个"),     # the classifier asked: 个, not the 项 of equal words
    ("小微企业贷款至少增长多少", 20, "%"),          # a rise asked: not the fall beside it
])
def test_the_classifier_and_the_direction_asked_decide_between_equal_sentences(question, value, unit):
    from indexer.query.spans import value_answer

    text = ("全省发热门诊新增五项措施。全省发热门诊共设立200个。"
            "小微企业贷款至少降低0.5%。小微企业贷款增长20%以上。")
    tokens = tuple(t for t in ("全省", "发热门诊", "小微企业", "贷款", "至少", "增长") if t in question)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


def test_a_mark_outside_the_final_answer_is_removed(engine, monkeypatch):
    # the named second search answers with units after all: the fact's mark is not in its clauses
    other = engine.search("who leads incubator construction", 10).answer
    assert other is not None
    monkeypatch.setattr(type(engine), "named_answer", lambda self, *a, **k: other)
    result = engine.search("郴州的科技成果转化中心设在哪里", 10)
    assert result.answer is other
    assert {h.clause_id for h in result.hits if h.answer_span} <= set(other.clauses)


def test_a_question_asking_when_marks_the_sentence_stating_a_time():
    from indexer.query.spans import answer_span

    text = ("将延长大病登记和医保零星报销票据受理有效期半年。"
            "在6月30日前超过零星报销规定时效的，可延长到12月31日前申请。")
    question = "上海超过医保零星报销时限的票据，最晚可以拖到什么时候申请报销"
    tokens = ("上海", "医保", "零星", "报销", "票据", "时限", "申请")
    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    assert span is not None and "12月31日前申请" in text[span[0]:span[1]]


NEWS = ("重庆出台援企稳岗返还政策 原标题： 重庆出台援企稳岗返还政策 预计返还资金十六亿元 稳定就业岗位七十多万个 "
        "重庆日报讯 (记者 黄乔)2月16日，重庆日报记者从市人力社保局获悉，我市发布通知，实施援企稳岗返还政策，"
        "预计返还资金16亿元，稳定就业岗位70多万个。")


def test_a_headline_s_lines_are_sentences_and_the_body_s_statement_is_marked():
    from indexer.query.spans import answer_span, sentences

    lines = [NEWS[s:e] for s, e in sentences(NEWS)]
    assert "预计返还资金十六亿元" in lines and "重庆出台援企稳岗返还政策" in lines  # a gap ends a headline's line
    assert sentences("发布于2020年 2月") == [(0, 11)]  # a gap before a digit ends nothing
    assert sentences("办公地址： 北京市东城区某路1号") == [(0, 16)]  # a label keeps its value
    question = "重庆援企稳岗返还政策预计返还资金多少"
    tokens = ("重庆", "援企稳岗", "返还", "政策", "预计", "资金")
    span = answer_span(NEWS, question, tokens, np.ones(len(tokens)))
    assert span is not None and "16亿元" in NEWS[span[0]:span[1]]  # the body's sentence, not the headline's line


def test_a_value_a_headline_states_is_cited_from_the_body_sentence_stating_it():
    from indexer.query.spans import ValueAnswer, _body_statement, sentences

    at = NEWS.index("十六亿元")
    line = next((s, e) for s, e in sentences(NEWS) if s <= at < e)
    value = ValueAnswer(1.6e9, "元", None, "十六亿元", "", "", "c1", (at, at + 4))
    start, end = _body_statement(NEWS, sentences(NEWS), value, line)
    assert "预计返还资金16亿元" in NEWS[start:end] and start > NEWS.index("重庆日报讯")
    other = ValueAnswer(2.0e9, "元", None, "二十亿元", "", "", "c1", (at, at + 4))
    assert _body_statement(NEWS, sentences(NEWS), other, line) == line  # a value the body does not state keeps its line


def test_a_document_s_title_states_the_subject_of_its_clauses():
    from indexer.query.spans import topic_coverage

    tokens, idf = ("延期", "开学", "在线", "学习"), np.ones(4)
    text = "全市在线学习工作由市教育和体育局负责指导，各镇（区）和学校具体实施。"
    assert topic_coverage("", text, tokens, idf) == pytest.approx(0.5)
    assert topic_coverage("中山延期开学期间在线学习方案", text, tokens, idf) == pytest.approx(1.0)


def test_a_passage_is_answered_by_the_units_of_the_piece_the_question_is_about():
    from indexer.index.table import Candidate
    from indexer.query.engine import _passage_units

    loans = Candidate(1, "d:n2~3", "5.按照贷款实际支付利息的100%给予企业财政贴息支持。（责任单位：区金融办、区财政局）",
                      Responsibility(lead=("区金融办", "区财政局")))
    posts = Candidate(2, "d:n2~4", "8.重点商超、社区菜店上岗人员岗位补贴，每人每天100元。（责任单位：区商务局、区人力资源社会保障局、区财政局）",
                      Responsibility(lead=("区商务局", "区人力资源社会保障局", "区财政局")))
    read = {1: loans, 2: posts}
    assert _passage_units(read, [1, 2], ("社区菜店", "上岗", "岗位补贴", "100元")).lead[0] == "区商务局"
    assert _passage_units(read, [1, 2], ("贷款", "贴息")).lead[0] == "区金融办"
    assert _passage_units(read, [1], ("岗位补贴",)).lead[0] == "区金融办"  # one clause keeps its own


def test_a_lower_clause_s_number_needs_clearly_better_words_to_beat_the_first_clause_s():
    from indexer.query.spans import value_answer

    question = "贫困户的贷款给予多长时间的延期"
    tokens = ("贫困户", "贷款", "给予", "延期", "时间")
    idf = np.array([4.0, 3.0, 1.0, 4.0, 1.0])
    first = ("c1", "对受疫情影响的贫困户贷款可延期6个月。", "通知")
    second = ("c2", "贫困户贷款可给予延期3个月。", "通知")  # one word more, of little weight
    answer = value_answer(question, tokens, idf, [first, second])
    assert (answer.value, answer.clause) == (6.0, "c1")
    assert value_answer(question, tokens, idf, [second, first]).clause == "c2"


def test_a_question_naming_a_place_marks_another_province_s_documents_as_conflicting():
    from indexer.query.places import PlaceNames

    docs = [DocumentInfo(f"d{i}", "某方案", "", issuer, "2020-02-01", 2020, province, city, "", "", "", 2)
            for i, (province, city, issuer) in enumerate([("北京市", "", "北京市人民政府"), ("上海市", "", "上海市人民政府"),
                                                          ("全国", "", "国家税务总局"), ("", "", ""),
                                                          ("浙江省", "杭州市", "杭州市人民政府")])]
    places = PlaceNames(docs)
    assert places.preference("北京市复工补贴怎么申请").conflicting.tolist() == [False, True, False, False, True]
    assert places.preference("杭州复工补贴").conflicting.tolist() == [True, True, False, False, False]
    # an organ alone names no place: nothing conflicts
    assert places.preference("国家税务总局的优惠政策有哪些").conflicting is None


def test_another_province_s_clauses_rank_below_the_named_place_s(engine):
    # '郴州科技创新券': without the penalty a Zhejiang clause on 创新券 ranks first; 郴州's own come first with it
    named = engine.search("郴州科技创新券", 10)
    engine.place_conflict = 0.0
    try:
        plain = engine.search("郴州科技创新券", 10)
    finally:
        engine.place_conflict = CONFLICT
    assert plain.hits[0].clause_id.startswith("zhejiang")
    assert named.hits[0].clause_id.startswith("chenzhou")
    ranks = {h.clause_id: i for i, h in enumerate(plain.hits)}
    # a Zhejiang clause never rises; it only gives way to 郴州's and the country's
    assert all(i >= ranks[h.clause_id] for i, h in enumerate(named.hits)
               if h.clause_id.startswith("zhejiang") and h.clause_id in ranks)


def test_a_question_asking_where_marks_the_sentence_that_sets_the_place_not_one_repeating_its_words():
    from indexer.query.spans import answer_span

    text = ("宁夏将在儿童福利院、养老院等民政服务机构全面设立传染病隔离区。"
            "明确隔离服务管理区域应设在与儿童、老人生活区不同楼层的房间。")
    question = "宁夏要求福利院、养老院设立的传染病隔离服务管理区域应该放在什么位置"
    tokens = ("宁夏", "福利院", "养老院", "设立", "传染病", "隔离", "服务", "管理", "区域", "位置")
    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    # 设立 is the question's own word, not the form of an answer: 应设在 is
    assert span is not None and "不同楼层" in text[span[0]:span[1]]


def test_a_where_question_no_unit_answers_is_marked_by_the_question_as_asked():
    # '…设在哪里' reads as a who-question (an office's seat) and is searched by its topic, without
    # 哪里; when no unit answers, the sentence is chosen by the question as asked
    from indexer.query.relevance import QueryTerms
    from indexer.query.spans import answer_card

    text = "我市共发送农民工返岗省际包车3台次。包车车辆必须消毒通风，後两排设置留观区。"


    tokens = ("农民工", "返岗", "省际", "包车", "车上", "留观区")
    terms = QueryTerms("重庆恢复省际农民工返岗包车后 车上的留观区应", tokens, np.ones(6), 1.0, 1.0)
    document = DocumentInfo("d", "重庆省际包车恢复运转", "", "", "2020-02-16", 2020, "重庆市", "", "", "", "", 1)
    hits, answer = answer_card(*_one_clause(text, document, "重庆恢复省际农民工返岗包车后,车上的留观区应设在哪里?", True, terms))
    span = hits[0].answer_span
    assert answer is None and span is not None and "留观区" in text[span[0]:span[1]]


@pytest.mark.parametrize("question, value, unit", [
    # the words of the question word's own clause decide: 11 measures ease pressure, 28 in all
    ("北京出台的促进文化企业发展措施里，用来缓解企业经营压力的有多少条", 11, "条"),
    # the sentence before a like segment tells the trips apart
    ("1月23日坐26路公交车，从上车到下车一共经过多少站", 19, "站"),
])
def test_a_value_is_told_apart_by_the_question_s_ask_and_its_sentence(question, value, unit):
    from indexer.query.spans import value_answer

    text = ("北京出台28条务实举措 助推文化企业发展。共5个部分28条。其中， 缓解当前企业经营压力的措施11条；"
            "保障精品内容创作生产的措施3条。"
            "1月22日乘坐38路公交车在师范大学站上车，上车至下车共9站。"
            "1月23日乘坐26路公交车在共和路南口站上车，于盐庄东站下车，上车至下车共19站。")
    tokens = tuple(t for t in ("北京", "出台", "文化", "企业", "发展", "措施", "缓解", "经营", "压力",
                               "1月23日", "26路", "公交车", "上车", "下车") if t in question)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


def test_how_many_asks_a_count_and_free_asks_no_money():
    from indexer.query.spans import value_answer

    text = "推出了首批197款云服务项目，由20家云服务商提供，其中开放短期免费权限152款，每款补贴500元。"
    question = "贵州 大数据 recommended 197 云计算 products; how many of them come with short-term 免费 access?"
    tokens = ("贵州", "197", "免费")
    answer = value_answer(question, tokens, np.ones(3), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (152, "款")
    # 'how many yuan' asks money, not a count
    answer = value_answer("how many 元 of 补贴 per 款?", ("补贴",), np.ones(1), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (500, "元")


def test_words_no_clause_of_the_corpus_has_do_not_count_against_a_sentence():
    from indexer.query.relevance import QueryTerms

    terms = QueryTerms("t", ("贵州", "access", "免费"), np.array([3.0, 9.0, 2.0]), 1.0, 0.6, unknown=frozenset({"access"}))
    tokens, idf = terms.findable()
    assert tokens == ("贵州", "免费") and list(idf) == [3.0, 2.0]
    none_known = QueryTerms("t", ("how", "access"), np.array([9.0, 9.0]), 1.0, 0.0, unknown=frozenset({"how", "access"}))
    assert none_known.findable()[0] == ("how", "access")


def test_a_sentence_is_scored_by_whole_words_not_again_by_their_parts():
    # '博士毕业生' asks 博士: '…本科毕业生分别给予…20000元' must not win on 毕业, 业生 and 毕业生 thrice
    from indexer.query.relevance import QueryTerms

    tokens = ("博士", "毕业", "业生", "毕业生", "补贴")
    terms = QueryTerms("博士毕业生补贴", tokens, np.array([16.4, 10.7, 10.6, 10.9, 7.3]), 1.0, 1.0,
                       ("博士", "毕业生", "补贴"), np.array([16.4, 10.9, 7.3]))
    assert terms.findable()[0] == ("博士", "毕业生", "补贴")
    # and the answer card scores by them: 博士's 30000, not the 毕业生 sentence's 20000
    from indexer.query.spans import answer_card

    text = "对新引进的博士研究生给予每人一次性30000元人才补贴。硕士研究生和本科毕业生分别给予每人一次性20000元、10000元人才补贴。"


    document = DocumentInfo("d", "东营开发区人才政策", "", "", "2020-02-16", 2020, "山东省", "", "", "", "", 1)
    _, answer = answer_card(*_one_clause(text, document, "博士毕业生补贴多少", False, terms))
    assert answer is not None and answer.value == 30000


@pytest.mark.parametrize("question, value, unit", [
    ("全国累计确诊病例有多少例", 28018, "例"),              # cases counted by 例, not 31个省
    ("要求重点保障几类生活必需品", 8, "类"),                # kinds by 类
    ("行业产能要恢复到几成以上", 6, "成"),                  # tenths by 成
    ("开始后多少天内补办备案", 10, "日"),                   # '10日内' is a period of days
    ("大约有多少学生留校过年", 300, "名"),                  # '300多名' is about 300
    ("针对多少大类作业环节发布了农机信息", 7, "类"),        # '7大类' is 7 kinds
])
def test_value_questions_counted_in_cases_kinds_tenths_and_days(question, value, unit):
    from indexer.query.spans import value_answer

    text = ("全国31个省（区、市）累计报告确诊病例28018例。重点保障蔬菜、肉类、蛋类等8类生活必需品供应。"
            "力争月底前行业产能恢复到六成以上。应当在公开募捐开始后10日内补办备案手续。有300多名学生留校过年。"
            "组织发布蔬菜生产等7大类主要作业环节适用农机产品信息。")
    tokens = tuple(t for t in re.findall(r"确诊病例|生活必需品|产能|补办备案|留校过年|发布|农机|作业环节", question))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


@pytest.mark.parametrize("question, value", [
    ("延期开学期间中小学线上学习有什么要求？初中生每天线上学习最多多少小时？", 4),  # the item asked, not 中小学's 小学
    ("高中生每天线上学习总时长最多多少", 5),
    ("学生每天线上学习总时长最多多少", 2),      # no item named: the words decide, as before
])
def test_a_respective_list_answers_with_the_number_of_the_item_asked(question, value):
    from indexer.query.spans import value_answer

    text = "把控学生每天线上学习总时长，其中小学、初中、高中分别不超过2小时、4小时、5小时。"
    tokens = ("线上学习", "总时长", "每天")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, "小时")


@pytest.mark.parametrize("question, tokens, value", [
    ("how low can the housing provident fund contribution rate be reduced", ("住房公积金", "缴存比例"), 5),  # 下限
    ("新增融资担保按什么费率收取", ("融资担保", "费率"), 1),                                             # a rate asked
])
def test_a_floor_asked_in_english_and_a_rate_asked_by_what_are_value_questions(question, tokens, value):
    from indexer.query.spans import is_value_question, value_answer

    text = "可阶段性适当降低住房公积金缴存比例，下限至国家规定的5%。其新增融资担保费率按1%收取。"
    assert is_value_question(question)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, "%")


@pytest.mark.parametrize("question, value, year", [
    ("电费按原到户电价的多少比例结算", 95, 2020),        # a date of the measure's period names its year
    ("亏损最长可以结转几年", 8, 2020),                    # a fiscal year (年度) does too
    ("企业可以在多少比例以内自主确定缴存比例", 12, 2020),  # across the commas of a long sentence
    ("累计投放贷款多少", 1620000000, None),               # a start it counts from (以来) does not
    ("补助资金最多多少", 500000, None),                   # nor one of two years
])
def test_a_measure_s_year_is_the_one_year_its_sentence_dates_it_by(question, value, year):
    from indexer.query.spans import value_answer

    text = ("自2020年2月1日起至6月30日止，电网企业计收电费时，统一按原到户电价水平的95%结算。"
            "困难行业企业2020年度发生的亏损，最长结转年限由5年延长至8年。"
            "文件发布之日至2020年6月30日，在不低于最低缴存额的前提下，经职工代表大会讨论通过，允许企业在12%以内自主确定缴存比例，"
            "但月缴额不得低于公布的最低缴存额。"
            "该产品自2019年5月推出以来，已累计投放贷款16.2亿元。"
            "2021年起对2020年新开办企业的补助资金最高50万元。")
    tokens = tuple(t for t in re.findall(r"电价|结算|亏损|结转|缴存比例|自主确定|投放贷款|补助资金", question))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.year) == (value, year)


@pytest.mark.parametrize("question, value", [
    ("单户担保金额500万元以上的小微企业，担保费率上限是多少", 1.5),   # the bound the question states
    ("单户担保金额500万元及以下的小微企业，担保费率上限是多少", 1),    # and the other one
])
def test_a_value_under_the_condition_the_question_states(question, value):
    from indexer.query.spans import value_answer

    # the first number's segment names more of the question's words (担保费率)
    text = ("政府性担保机构对中小微企业减免担保费用，其中对单户担保金额500万元及以下的小微企业收取的担保费率降至1%以内，"
            "对单户担保金额500万元以上的小微企业降至1.5%以内。")
    tokens = ("单户", "担保金额", "小微企业", "担保费率", "上限")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, "%")


def test_a_condition_in_tenths_is_the_same_as_in_percent_and_is_not_the_answer():
    from indexer.query.spans import value_answer

    text = ("补贴标准为：平均人数与去年持平或增长20%以下的，一次性给予企业3个月实际缴纳社会保险费用30%的补贴；"
            "平均人数增长20%及以上的，一次性给予企业实际缴纳社会保险费50%的补贴。")
    question = "平均人数比去年增长两成及以上，能拿到多大比例的补贴"
    tokens = ("平均人数", "增长", "补贴", "比例")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (50, "%")


def test_a_number_in_a_short_quoted_name_or_a_title_is_no_answer_but_a_quotation_s_is():
    from indexer.query.spans import value_answer

    text = ("福建省发布《关于做好福建省防疫物资扩产、转产、新建“三个一批”工作的通知》。尽快实现全省口罩日产量2000万个。"
            "申请变更的用户不受“暂停用电不得小于15天”等条件限制。")
    tokens = ("福建省", "扩产", "转产", "新建", "三个", "一批", "口罩", "日产量")
    answer = value_answer("福建省推进防疫物资扩产、转产、新建“三个一批”工作，提出全省口罩日产量要达到多少", tokens,
                          np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and answer.value == 2e7
    answer = value_answer("暂停用电最少不得小于多少天", ("暂停用电",), np.ones(1), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (15, "天")


@pytest.mark.parametrize("question, tokens, value", [
    ("How many rooms in total can Chongqing's quarantine sites provide", ("重庆", "集中", "隔离", "医学观察", "rooms"),
     5754),                                                             # the rooms, not the sites
    ("重庆集中隔离医学观察点一共能提供多少个房间", ("重庆", "集中", "隔离", "医学观察", "提供", "房间"), 5754),
    ("重庆设置了多少个集中隔离医学观察点", ("重庆", "设置", "集中", "隔离", "医学观察"), 95),
])
def test_a_count_answers_with_the_number_of_the_thing_counted(question, tokens, value):
    from indexer.query.relevance import Gloss
    from indexer.query.spans import value_answer

    text = ("重庆已为密切接触者设置了95个集中隔离医学观察点，观察对象实行一人一间房，基本能满足全市隔离需求。"
            "李畔介绍，这95个集中隔离医学观察点多由宾馆改造而成，能提供5754个房间，具备良好居住条件。")
    tokens = tuple(Gloss("rooms", (("房间", 1.0), ("客房", 0.5))) if t == "rooms" else t for t in tokens)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, "个")


@pytest.mark.parametrize("question, value", [
    # the glossary writes the English question's terms in: what 'how many' counts is Chinese
    ("How many 发热门诊 across 郑州 are covered by the city's 发热门诊 registration system?", 65),
    ("郑州的系统覆盖多少家定点医院", 10),
])
def test_the_words_between_two_numbers_are_counted_by_the_first(question, value):
    from indexer.query.spans import _counted, value_answer

    text = "郑州市还建设了发热人员登记系统。“系统覆盖全市65家发热门诊和10家定点医院，发热人员在入院诊断时就会被关注。"
    tokens = ("发热", "门诊", "郑州", "across", "定点医院", "系统", "覆盖")
    if question.startswith("How"):
        assert {"发热", "门诊"} <= set(_counted(question, tokens))
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, "家")


@pytest.mark.parametrize("text, counted, counts", [
    ("截至2月10日全市共有发热门诊65家", "发热门诊", [True]),          # a date is no number between
    ("全省N95口罩日产量10万只", "口罩", [True]),                      # nor is N95
    ("全市新建1200个5G基站", "基站", [True]),
    ("郑州市设立三家发热门诊和10家定点医院", "发热门诊", [True, False]),  # numerals in characters too
    ("预拨资金80亿元，其中湖北35亿元", "资金", [True, True]),          # a part counts what the whole does
])
def test_what_a_number_counts_is_not_cut_off_by_dates_or_names(text, counted, counts):
    from indexer.query.spans import _counts, _numbers

    numbers = _numbers(text)[1]
    assert [_counts(text, n, (counted,), numbers) for n in numbers] == counts


def test_a_running_total_does_not_answer_a_bound():
    from indexer.query.spans import value_answer

    text = "减税抗疫贷自推出以来，已在成都地区累计投放贷款16.2亿元，惠及小微企业2476户。此外，单户最高可贷500万元。"
    tokens = ("成都", "减税", "抗疫贷", "小微", "企业", "最多")
    answer = value_answer("成都的减税抗疫贷一家小微企业最多能贷多少", tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (5e6, "元")


def assert_asked_and_answered(question: str, text: str, tokens: tuple[str, ...], value: float, unit: str) -> None:
    """The question asks a number, and the one clause `text` answers it with `value` `unit`
    (every token weighing alike)."""
    from indexer.query.spans import is_value_question, value_answer

    assert is_value_question(question)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


@pytest.mark.parametrize("question, value, unit", [
    ("商场排队顾客之间要保持多少米距离", 1, "米"),
    ("每人每天供应多少克大米", 500, "克"),
    ("洗手要洗几秒", 20, "秒"),
    ("How far apart must shoppers queueing in the mall stand?", 1, "米"),
])
def test_a_weight_a_length_or_seconds_asked_is_answered_in_its_unit(question, value, unit):
    text = "商场排队时，顾客之间应保持1米以上距离，每次限流50人。每人每天供应大米500克。洗手时间不少于20秒，共设洗手点8个。"
    assert_asked_and_answered(question, text, ("商场", "排队", "顾客", "距离", "大米", "洗手", "mall"), value, unit)


@pytest.mark.parametrize("question, value, unit", [
    ("热线提供几种外语服务", 8, "种"),
    ("In how many foreign languages does the 12345 hotline offer service?", 8, "种"),  # counts languages, not a number to call
    ("How many tonnes of vegetables are held in reserve?", 3e5, "吨"),
    ("What connection rate did the outbound-calling robot achieve?", 82.25, "%"),
])
def test_sorts_tonnes_and_a_rate_named_by_what_it_is_of_are_asked_numbers(question, value, unit):
    from indexer.parse.targets import quantities
    from indexer.query.spans import is_value_question

    text = "共储有30多万吨耐储蔬菜，投放市场50个网点。12345热线提供英、法、德等8种外语服务，开通热线3条。外呼机器人接通率达到82.25%，累计拨打电话5万个。"
    tokens = ("蔬菜", "外语", "热线", "机器人", "接通率", "languages", "vegetables")
    assert_asked_and_answered(question, text, tokens, value, unit)
    # the article '一种' and 种植 count no sorts; a hotline asked by name is still a contact

    assert quantities("这是一种新型冠状病毒，种植面积扩大") == [] and [q.value for q in quantities("十一种")] == [11]
    assert not is_value_question("What is the 12345 hotline number of Beijing?")


@pytest.mark.parametrize("question, value, unit", [
    ("静安分局抽调了多少民警", 60, "位"),
    ("至少组建几支心理危机干预队伍", 4, "支"),
    ("一共开展了几轮监督指导", 25, "轮"),
    ("全市生猪屠宰了多少头", 2604, "头"),
    ("查处了多少起涉疫违法犯罪案件", 1830, "起"),
    ("动用了多少架次货运航班", 102, "架次"),
    ("应在受理后几日内完成认定", 3, "日"),
    ("中医治疗的覆盖率有多高", 67, "%"),  # a rate's height, not a length
])
def test_counts_by_their_measure_words_days_and_a_rates_height_are_answered(question, value, unit):
    text = ("静安分局抽调了60位民警，连续工作15天。至少组建4支心理危机干预队伍，配队长1名。开展了25轮监督指导，涉及单位986户。"
            "全市生猪屠宰量2604头，销售400万元。查处涉疫违法犯罪案件1830起，处置涉案人员2070人。货运航班102架次，物资7454.9吨。"
            "应在受理3日内完成认定工作，压缩时间2天。全省中医治疗的覆盖率达67%，参与救治专家30名。")
    tokens = ("民警", "心理危机干预", "队伍", "监督指导", "生猪", "屠宰", "涉疫", "违法犯罪", "案件", "货运航班",
              "受理", "认定", "中医", "治疗", "覆盖率")
    assert_asked_and_answered(question, text, tokens, value, unit)


def test_a_few_days_ago_or_these_few_ask_no_number_but_how_many_years_earlier_does():
    from indexer.query.spans import asked_units, is_value_question

    assert not is_value_question("前几日发布的通知说了什么") and not is_value_question("这几家企业怎么办")
    assert not is_value_question("近几年的政策")
    assert is_value_question("可以提前几年申报高一级职称") and "年" in asked_units("可以提前几年申报高一级职称")
    # 目前, 当前 are no 'few days ago'; the day of 几月几日 or 每月几日 is a date (answered as one), not a
    # number of days
    assert is_value_question("目前几家医院可以做核酸检测") and is_value_question("当前几家企业已复工")
    from indexer.query.spans import _DAY_ASKED

    assert _DAY_ASKED.search("复工复产从几月几日开始") and _DAY_ASKED.search("每月几日报送")


@pytest.mark.parametrize("question, text, value, unit", [
    ("企业可以获得多少支持资金？", "对企业给予100万元支持资金，分四个批次拨付。", 1e6, "元"),  # 支持 is no 支 of teams
    ("有多少种植户受灾？", "全县120户种植户受灾，涉及5种作物。", 120, "户"),  # 种植户 is no 种 of sorts
])
def test_a_word_that_begins_with_a_measure_word_asks_no_count_of_it(question, text, value, unit):
    from indexer.query.spans import value_answer

    tokens = ("企业", "支持", "资金", "种植户", "受灾")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (value, unit)


def test_how_many_households_is_a_value_question():
    from indexer.query.spans import is_value_question

    assert is_value_question("几户及以上家庭的人聚在一起吃饭就算群体性聚餐")
    assert is_value_question("一共有几名患者")


@pytest.mark.parametrize("question, tokens, want", [
    # the line with the number, not the one saying to call (the corpus's IDF)
    ("在河北石家庄发现无人照料的困境儿童，应该打哪个单位的热线、号码是多少",
     {"石家庄": 7.3, "无人": 6.0, "照料": 6.1, "困境": 6.0, "儿童": 5.1, "热线": 7.7, "号码": 12.5},
     "石家庄市未成年人保护中心0311-966008"),
    ("承德市应该联系哪个机构、电话是多少", {"承德市": 1, "联系": 1, "机构": 1, "电话": 1}, "承德市儿童救助保护中心0314-4044986"),
    ("纸质申请材料要邮寄到什么地址", {"纸质": 1, "申请材料": 1, "邮寄": 1, "地址": 1}, "北京市通州区运河东大街57号院5号楼318室"),
])
def test_a_question_for_a_phone_number_or_an_address_is_answered_by_a_sentence_stating_one(question, tokens, want):
    from indexer.query.spans import answer_span

    text = ("任何单位和个人如发现上述对象处于无人监护或者照料的状态，可致电当地热线电话反映。"
            "全省各地受理电话分别是：石家庄市未成年人保护中心0311-966008；承德市儿童救助保护中心0314-4044986。"
            "申请材料及邮寄信息表通过邮寄方式报送纸质申请材料。邮寄地址：北京市通州区运河东大街57号院5号楼318室。")
    span = answer_span(text, question, tuple(tokens), np.array(list(tokens.values()), dtype=float))
    assert span is not None and want in text[span[0]:span[1]]


def test_a_number_whose_segment_shares_nothing_with_the_question_is_read_with_the_segment_before():
    from indexer.query.spans import value_answer

    text = "（十）暂退部分旅游服务质量保证金。支持旅行社应对经营困难，向旅行社暂退部分旅游服务质量保证金，标准为现有交纳数额的80%。"
    tokens = ("旅游", "服务质量", "保证金", "旅行社", "share")
    answer = value_answer("what share of their tourism service quality deposit can travel agencies get back", tokens,
                          np.array([8.5, 13.8, 12.7, 5.7, 6.1]), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (80, "%")


@pytest.mark.parametrize("question, expected", [
    ("In Gansu, what one-off reward per person is paid to enterprises that employ poor laborers?", True),
    ("what subsidy per square metre is paid for greenhouses under one mu?", True),
    ("what is the coverage per person of the free insurance?", True),
    ("what fee waivers are offered to firms?", False),     # a kind of measure, not a sum
    ("What must companies do before reopening?", False),
])
def test_english_questions_asking_a_sum_by_its_name_are_value_questions(question, expected):
    from indexer.query.spans import is_value_question

    assert is_value_question(question) is expected


@pytest.mark.parametrize("question, expected, units", [
    ("What is the maximum guarantee fee rate charged to vegetable suppliers?", True, "%"),
    ("To what level is the central adjustment ratio of the pension fund raised?", True, "%"),
    ("What is the 2020 target for the increase in the balance of loan renewals?", True, None),
    ("How quickly should such a request normally be answered, in hours?", True, "小时"),
    ("How soon must a confirmed case be reported?", True, "小时"),
    ("How often should a protective mask be replaced?", False, None),   # a frequency: 每日消毒2次, not a duration
    ("What is the target of the policy?", False, None),     # the aim of a measure, no number
    ("What is the main target group of the subsidy?", False, None),
    ("What level of emergency response was launched?", False, None),
    ("What is the purpose of the notice?", False, None),
    ("What measures are taken to help small firms?", False, None),
])
def test_english_questions_naming_the_number_they_ask_are_value_questions(question, expected, units):
    """'What is the … rate', 'to what level', 'how quickly' ask a number as 多少 and 什么水平 do, and
    the kind of unit follows the word ('rate' a percentage, 'how quickly' a duration)."""
    from indexer.query.spans import asked_units, is_value_question

    assert is_value_question(question) is expected
    if units is not None:
        assert units in asked_units(question)


def test_a_signature_is_no_answer_even_when_it_names_the_organ_asked():
    from indexer.query.spans import answer_span

    text = ("乘客乘坐公共交通工具时应佩戴口罩、出示身份证明、自觉接受体温检测和信息登记。"
            "铜川市交通运输局　　　　 2020年2月10日　　　　 [网络编辑：张兴林] [信息审核：张兴林]")
    tokens = ("铜川", "交通运输局", "乘客", "公共交通")
    span = answer_span(text, "what must passengers do on public transport, says 铜川 交通运输局", tokens,
                       np.array([6.0, 6.0, 3.0, 3.0]))
    assert span is not None and "佩戴口罩" in text[span[0]:span[1]]


def test_an_enumeration_of_numbers_answers_with_the_item_the_question_names():
    from indexer.query.spans import value_answer

    text = ("眼下正值鸡苗填槽补栏的重要时期，湖北将有序放开规模以上养殖场鸡苗调运，对养殖蛋鸡5000只、肉鸡10000只以上的规模禽场，"
            "由县级以上防控指挥部发放车辆运输通行证，允许种禽场孵化的禽苗点对点运输到规模禽场。")
    tokens = ("湖北", "有序", "放开", "鸡苗", "调运", "养殖", "肉鸡", "规模", "只", "以上", "禽场", "县级", "防控", "指挥部",
              "发放", "车辆", "运输", "通行证")
    idf = np.array([3.2, 2.6, 6.4, 7.7, 5.1, 10.0, 16.4, 7.9, 10.7, 5.8, 16.4, 8.1, 0.7, 6.7, 7.1, 6.8, 4.8, 9.9])
    answer = value_answer("湖北有序放开鸡苗调运，养殖肉鸡规模达到多少只以上的禽场可由县级以上防控指挥部发放车辆运输通行证？",
                          tokens, idf, [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (10000, "只")


def test_a_question_of_fact_naming_a_place_is_not_answered_from_another_province(engine, monkeypatch):
    import indexer.query.engine as engine_module
    from indexer.query.spans import answer_card

    seen = []

    def spy(table, question, who, terms, hits, as_of=None, places=(), elsewhere=()):
        seen.append({h.clause_id.split(":")[0]: away for h, away in zip(hits, elsewhere)})
        return answer_card(table, question, who, terms, hits, as_of, places, elsewhere)

    monkeypatch.setattr(engine_module, "answer_card", spy)
    result = engine.search("郴州科技特派员有哪些要求", 10)
    flags = seen[-1]
    assert flags.get("zhejiang-kjt-2015-support-26-counties") is True   # 浙江: another province
    assert flags.get("chenzhou-2012-county-tech-action-plan") is False  # 郴州's own
    marked = [h for h in result.hits if h.answer_span]
    assert marked and marked[0].clause_id.startswith("chenzhou-")
    # when every relevant hit is of another province, no sentence is marked and no value given
    from dataclasses import replace

    parsed = engine.parse_query("郴州科技特派员有哪些要求", 10, engine_module.Filters())
    terms = engine.query_terms(parsed, engine.lexical_stage(parsed))
    unmarked = [replace(h, answer_span=None) for h in result.hits]
    hits, answer = answer_card(engine.table, parsed.text, False, terms, unmarked, None, ("郴州",), [True] * len(unmarked))
    assert answer is None and not any(h.answer_span for h in hits)
    hits, _ = answer_card(engine.table, parsed.text, False, terms, unmarked, None, ("郴州",), [False] * len(unmarked))
    assert any(h.answer_span for h in hits)


def test_a_total_sharing_nothing_with_the_question_is_not_read_with_the_whole_sentence():
    from indexer.query.spans import value_answer

    text = "在省委已下拨中管党费和省管党费资金的基础上，从委管党费中配套71万元，合计101万元，用于支持疫情防控。"
    tokens = ("省委", "下拨", "中管", "党费", "省管", "基础", "从委管", "拿出")
    answer = value_answer("在省委已下拨的中管党费和省管党费基础上，又从委管党费中拿出多少钱", tokens, np.ones(len(tokens)),
                          [("c1", text, "通知")])
    assert answer is not None and answer.value == 710000


@pytest.mark.parametrize("question, text, tokens, value", [
    # a respective list whose items share the words before and after the numbers
    ("对获评省级的奖励多少", "对获评国家级、省级、市级的分别给予30万元、20万元、10万元奖励。", ("获评", "省级", "奖励"), 2e5),
    # 其中 does not take the segment before it into the first item
    ("小学生作业最多多少小时", "作业时长有明确要求，其中小学、初中、高中分别不超过2小时、4小时、5小时。", ("作业", "小学"), 2),
    # a word of the stated condition (增长) does not choose the unit asked (补贴: money)
    ("增长两成以上的企业补贴多少", "对营业收入增长两成以上的企业，给予补贴10万元。", ("增长", "企业", "补贴"), 1e5),
])
def test_review_cases_of_lists_and_conditions(question, text, tokens, value):
    from indexer.query.spans import value_answer

    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and answer.value == value


def test_a_respective_list_pairs_only_the_numbers_of_its_own_segment():
    from indexer.parse.targets import quantities
    from indexer.query.spans import _respective

    text = "二级、三级医院分别设置发热门诊20个，另设置发热哨点诊室35个。"
    numbers = quantities(text)
    assert [_respective("三级医院设置多少个发热哨点诊室", text, q, numbers) for q in numbers] == [0.0, 0.0]


def test_contact_questions_ask_no_value_and_money_is_no_phone_number():
    from indexer.query.spans import answer_span, is_value_question

    assert not is_value_question("心理援助热线电话是多少") and not is_value_question("What is the hotline number?")
    assert is_value_question("一共开通了多少条热线")
    assert not is_value_question("what phone number should I call") and not is_value_question("what is the address of the office")
    # the verbs: to phone in a report, to address a shortage; and plurals, which are counted
    assert is_value_question("within how many minutes must the project manager phone in a report")
    assert is_value_question("how many measures are taken to address the shortage")
    assert is_value_question("How many teams were set up to jointly address shortages")
    assert is_value_question("How many hotlines were opened")
    assert not is_value_question("What is the contact telephone of the office?")
    text = "对企业补贴10000元，共15000人受益。开通24小时心理援助热线，电话0311-966008。"
    span = answer_span(text, "心理援助热线电话是多少", ("心理援助", "热线", "电话", "企业"), np.ones(4))
    assert span is not None and "0311-966008" in text[span[0]:span[1]]
    span = answer_span(text, "企业补贴的电话是多少", ("企业", "补贴", "电话"), np.ones(3))
    assert span is not None and "0311-966008" in text[span[0]:span[1]]  # 10000元 is no number to call


def test_an_english_question_for_a_bound_asks_a_number():
    from indexer.query.spans import is_value_question, value_answer

    question = "In Inner Mongolia, below what passenger load factor must buses be kept?"
    assert is_value_question(question) and not is_value_question("under what conditions can firms apply")
    text = "内蒙古还将加强班车和包车运行管理，旅客实载率要严格控制在50%以下，并要求乘客分散就坐。"
    from indexer.query.relevance import Gloss

    tokens = ("内蒙古", Gloss("passenger", [("旅客", 1.0), ("乘客", 1.0)]), "班车")
    answer = value_answer(question, tokens, np.array([5.0, 3.0, 4.0]), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (50, "%")


def test_a_signature_answers_when_the_question_asks_when_it_was_issued():
    from indexer.query.spans import answer_span

    text = "各企业要在2020年2月20日前报送通知要求的材料。市交通运输局 2020年2月10日"
    span = answer_span(text, "市交通运输局这份通知是什么时候发布的", ("市交通运输局", "通知", "发布"), np.ones(3))
    assert span is not None and text[span[0]:span[1]].endswith("2020年2月10日")


@pytest.mark.parametrize("text, year", [
    ("发布时间：2020年3月5日 来源：市政府 对企业给予补贴500元。", None),           # a byline's year is its own
    ("营业收入比2019年同期下降30%以上的企业，给予补贴500元。", None),            # a base year
])
def test_a_measure_s_year_is_not_a_byline_s_or_a_base_year(text, year):
    from indexer.query.spans import value_answer

    answer = value_answer("企业补贴多少", ("企业", "补贴"), np.ones(2), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.year) == (500, year)


@pytest.mark.parametrize("question, expected", [
    ("What materials are needed per person?", False),   # per person with no sum
    ("哪几类人员需要隔离", False),                       # which kinds, not how many
])
def test_questions_that_only_look_like_value_questions(question, expected):
    from indexer.query.spans import is_value_question

    assert is_value_question(question) is expected


def test_a_floor_asked_as_a_bottom_line_and_a_growth_rate_ask_a_percentage():
    from indexer.query.spans import is_value_question, value_answer

    question = "工商银行对上半年普惠贷款余额的同比增速定了什么底线"
    assert is_value_question(question)
    text = "工商银行将新增普惠贷款1000亿元，上半年普惠贷款余额同比增速不低于30%。"
    tokens = ("工商银行", "上半年", "普惠", "贷款", "余额", "同比", "增速", "底线")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit) == (30, "%")


@pytest.mark.parametrize("question, value", [
    ("财政部第二批疫情防控补助资金里给湖北预拨了多少", 3.5e9),   # the question names the part (湖北)
    ("财政部第二批疫情防控补助资金预拨了多少", 8e9),             # the whole
])
def test_a_part_stated_with_其中_answers_a_question_naming_the_part(question, value):
    from indexer.query.spans import value_answer

    text = "财政部14日预拨第二批疫情防控补助资金80亿元，支持各地开展疫情防控相关工作，其中对湖北省预拨35亿元。"
    tokens = ("财政部", "第二批", "疫情防控", "补助", "资金", "湖北", "预拨")
    answer = value_answer(question, tuple(t for t in tokens if t in question), np.ones(sum(t in question for t in tokens)),
                          [("c1", text, "通知")])
    assert answer is not None and answer.value == value


def test_a_part_the_question_does_not_name_does_not_answer_for_the_whole():
    from indexer.query.spans import value_answer

    text = "截至2月5日24时，全国累计报告确诊病例28018例，其中重症病例7333例。"
    tokens = ("截至", "全国", "累计", "确诊病例")
    answer = value_answer("截至2月5日24时全国累计确诊病例有多少例", tokens, np.ones(4), [("c1", text, "通知")])
    assert answer is not None and answer.value == 28018


@pytest.mark.parametrize("text, question, tokens, want", [
    pytest.param(  # a time asked of a change is the date the change runs to
        "一、延长城乡居民基本医疗保险费集中缴费期。鉴于目前疫情防控的严峻形势，我省 2020年城乡居民基本医疗保险费集中缴费截止"
        "日期早于 2020年 3月 31日的统筹区，集中缴费截止日期由 2020 年 2 月 29 日统一延长至 2020 年 3 月 31 日。",
        "湖南省2020年城乡居民医保集中缴费截止日期因疫情延长到了哪一天",
        ("湖南省", "城乡居民", "医保", "集中", "缴费", "截止日期", "疫情", "延长"), "统一延长至 2020 年 3 月 31 日",
        id="a-change-runs-to-a-date"),
    pytest.param(  # or to the end of the epidemic
        "城乡居民在规定的延长缴费期内缴纳2020年个人缴费的，2020年1月1日至参保缴费之日发生的城乡居民医保参保费用可以"
        "按规定予以补报。2020年城乡居民基本医疗保险参保缴费期延长至宣布疫情解除后两个月内。",
        "甘肃2020年城乡居民医保的参保缴费期延长到什么时候",
        ("甘肃", "城乡居民", "医保", "参保", "缴费", "延长"), "延长至宣布疫情解除后两个月内",
        id="a-change-runs-to-the-end-of-the-epidemic"),
    pytest.param(  # '从几号开始' asks a date
        "（一）明确复工复产时间。在扎实做好疫情防控工作的基础上，从2020年2月10日起分类有序推进全市企业复工复产。"
        "全市各企业复工复产前要做好员工排查、场所消毒等准备工作，推进复工复产有序开展。",
        "贵阳市从几号开始推进各企业复工复产？", ("贵阳市", "推进", "企业", "复工复产"), "2020年2月10日",
        id="from-which-day-asks-a-date"),
    pytest.param(  # 'by which day of each month' asks a day of every month
        "各地汇总临时性工作补助的人数，于每月10日报送国家卫生健康委。"
        "国家卫生健康委审核临时性工作补助人数和金额后报财政部审定。",
        "by which day of each month must the health authorities report the temporary work subsidies to the NHC?",
        ("临时性工作补助", "国家卫生健康委", "人数", "金额"), "于每月10日报送",
        id="which-day-of-each-month-asks-a-day"),
    pytest.param(  # a change asked is answered by what it is changed to
        "根据《税收征管法》和《个体工商户税收定期定额征收管理办法》等法律法规，税务部门有权对定期定额户核定定额。"
        "自2020年2月起，将全部个体“双定户”的申报纳税期限统一调整为按季申报缴纳。",
        "重庆税务局对个体定期定额户的申报缴税周期做了什么调整？",
        ("重庆", "税务局", "个体", "定期定额", "申报", "周期"), "调整为按季申报缴纳",
        id="a-change-asked-is-what-it-is-changed-to"),
    pytest.param(  # but a reason asked for a change is not
        "为减少人员流动，市政府决定调整限行政策。限行时间调整为7时至20时。",
        "为什么调整限行政策", ("调整", "限行", "政策"), "为减少人员流动",
        id="a-reason-asked-is-not-what-it-is-changed-to"),
])
def test_the_sentence_marked_has_the_form_the_question_asks(text, question, tokens, want):
    from indexer.query.spans import answer_span

    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    assert span is not None and want in text[span[0]:span[1]]


def test_a_yes_or_no_question_is_answered_by_what_is_allowed_or_forbidden():
    from indexer.query.spans import answer_span

    text = ("11号通告说，为做好新冠肺炎疑似病例轻症患者首诊隔离点观察工作，加强定点发热门诊患者分流管理。"
            "发热病人应到现居住地所在区定点发热门诊就诊，不得跨区就诊。")
    tokens = ("武汉", "11号", "通告", "发热", "病人", "看病", "跨区", "就诊", "定点发热门诊", "分流")
    idf = np.array([1, 2, 1, 1, 1, 1, 3, 1, 3, 2], dtype=float)
    span = answer_span(text, "武汉防控指挥部第11号通告说发热病人该去哪看病，可以跨区就诊吗？", tokens, idf)
    assert span is not None and "不得跨区就诊" in text[span[0]:span[1]]
    # a measure word is not 'only'
    text = "各企业已向员工投放口罩近1000万只。员工上岗只需佩戴普通口罩。"
    tokens = ("企业", "口罩", "投放", "上岗")
    span = answer_span(text, "企业投放的口罩员工上岗一定要戴N95吗？", tokens, np.ones(4))
    assert span is not None and "只需佩戴" in text[span[0]:span[1]]


def test_a_number_in_an_aside_is_read_with_the_aside_alone():
    from indexer.query.spans import value_answer

    text = ("2. 施工现场发生人员发热（两次体温检测中间间隔5分钟，体温均超过37.3℃的）等突发情况后，"
            "施工总承包单位项目负责人要在15分钟内通过电话向属地住房城乡建设部门报告。")
    # the words the item opens with, before the aside, are the question's; the report's are not
    # all (an English question's 'manager' is no 负责人)
    tokens, idf = ("施工现场", "发热", "负责人"), np.array([4.4, 3.0, 2.0])
    answer = value_answer("施工现场人员发热后负责人要在多少分钟内报告", tokens, idf, [("c1", text, "预案")])
    assert answer is not None and answer.value == 15  # the 5 minutes between two checks is the aside's
    # asked of the aside, the aside answers
    answer = value_answer("两次体温检测中间间隔多少分钟", ("体温", "检测", "间隔"), np.ones(3), [("c1", text, "预案")])
    assert answer is not None and answer.value == 5


def test_an_aside_is_read_whole_across_its_commas():
    from indexer.query.spans import value_answer

    text = "对温室扩大面积部分每亩补助3000元（扩增面积不足1亩的，按每平方米4.5元补助）。"
    answer = value_answer("扩增面积不足1亩的补助多少", ("扩增", "面积", "不足", "补助"), np.array([5.0, 3.0, 3.0, 2.0]),
                          [("c1", text, "通知")])
    assert answer is not None and answer.value == 4.5  # the aside's condition is its number's


def test_a_short_aside_is_read_with_the_words_before_it():
    from indexer.query.spans import value_answer

    text = ("对吸纳高校毕业生就业的企业，按规定给予一次性吸纳就业补贴（每人1000元），"
            "对开展以工代训的企业给予职业培训补贴500元。")
    answer = value_answer("一次性吸纳就业补贴是多少元", ("一次性", "吸纳", "就业", "补贴"),
                          np.array([4.0, 5.0, 2.0, 2.0]), [("c1", text, "通知")])
    assert answer is not None and answer.value == 1000


@pytest.mark.parametrize("headline, body, value", [
    ("上海：一百余项防控规范夯实城市防疫精细化管理", "先后形成了136项疫情防控行业规范", 136),  # 100余: 100 up to 200
    ("全省近1000家企业复工复产", "全省已有986家企业复工复产", 986),                        # 近: within a fifth
    ("全省1000余家企业复工复产", "全省已有986家企业复工复产", 1000),                        # 986 is not 1000余
    ("全省100多万户企业受益", "惠及企业152.53万户", 1525300),                              # 100多万: up to 200万
    ("全省80多万户企业受益", "惠及企业152.53万户", 800000),                                # not 80多万
    ("全省12000余家企业复工复产", "全省已有21000家企业复工复产", 12000),                   # 12000余: up to 13000
    ("全省1.5万余家企业复工复产", "全省复工复产企业2.4万家", 15000),                        # 1.5万余: up to 1.6万
    ("全省签约50项规范", "先后形成了45项疫情防控行业规范", 50),                            # 签约 is no 约
    ("全省一百余项规范出台", "已有136家企业复工复产", 100),                                # no word shared
])
def test_a_headline_s_round_figure_is_answered_by_the_body_s_exact_one(headline, body, value):
    """A news headline rounds ('一百余项') what its body states exactly ('136项'): the body's number
    answers when it is what the round figure covers; another number is not its figure."""
    from indexer.query.spans import value_answer

    text = f"{headline} 新华社上海2月13日电（记者 袁全）截至2月12日，{body}。"
    tokens = ("截至", "规范", "企业", "复工复产", "受益")
    if "136家" in body:
        text = text.replace("136家", "136项")  # the unit matches; only the words differ
    answer = value_answer("截至2月12日一共有多少", tokens, np.ones(len(tokens)), [("c1", text, "")])
    assert answer is not None and answer.value == value


def test_a_list_without_a_body_has_no_headline_to_round():
    """'各区复工企业情况 朝阳区复工企业近100家 丰台区复工企业95家' has no full stop: its lines are a
    list, not a headline and its body; 丰台's 95 is not 朝阳's 近100."""
    from indexer.query.spans import value_answer

    text = "各区复工企业情况 朝阳区复工企业近100家 丰台区复工企业95家"
    tokens = ("朝阳区", "复工", "企业")
    answer = value_answer("朝阳区有多少家企业复工", tokens, np.ones(3), [("c1", text, "")])
    assert answer is not None and answer.value == 100


def test_a_purpose_or_a_judgement_is_no_piece_of_whom_and_whitespace_is_no_piece_of_when():
    from indexer.query.spans import _only_when_or_whom, sentences

    text = ("为达到这一目的，我市要求各区县在做好疫情防控工作的同时，统筹推进企业复工复产，确保全市经济社会秩序平稳有序，"
            "各有关部门要加强协调配合，及时研究解决企业复工复产中遇到的困难和问题。")
    assert "为达到这一目的" in [text[s:e] for s, e in sentences(text)]
    assert not _only_when_or_whom("形势是可控的")
    assert not _only_when_or_whom(" " * 60 + "2月1日")  # and a run of spaces is matched without backtracking
    assert _only_when_or_whom("自2020年2月1日起")


def test_a_headline_s_value_cited_from_the_body_takes_the_year_the_body_names():
    """'70亿元财政资金帮扶' in a headline, '…大约70亿元，将在2020年预算中予以保障' in the body: the body's
    sentence is cited, and its year is the value's."""
    from indexer.query.relevance import QueryTerms
    from indexer.query.spans import answer_card

    text = ("北京市16条举措助中小微企业渡难关 70亿元财政资金帮扶 本市16条举措助中小微企业渡难关 昨天下午，"
            "市政府召开新闻发布会。记者获悉，相关措施涉及财政资金大约70亿元，将在2020年预算中予以保障。")
    tokens = ("北京", "中小", "企业", "措施", "财政资金")
    terms = QueryTerms("北京支持中小微企业的16条措施大概要用多少财政资金", tokens, np.ones(5), 1.0, 1.0)


    document = DocumentInfo("d", "北京市16条举措助中小微企业渡难关", "", "", "2020-02-06", None, "北京市", "", "", "", "", 1)
    _, answer = answer_card(*_one_clause(text, document, terms.text, False, terms))
    assert answer is not None and answer.value == 7e9
    assert "2020年预算" in answer.text and answer.year == 2020


def test_a_comma_piece_that_only_says_when_stays_with_the_act_it_dates():
    """A long sentence is cut at its commas, but '从2020年1月28日（正月初四）10时起' says when the
    next piece's act starts: the question what was done from then is answered by both."""
    from indexer.query.spans import answer_span, sentences

    text = ("为切实做好新型冠状病毒感染的肺炎疫情防控工作，有效减少人员聚集，阻断疫情传播，经市疫情防控指挥部研究决定，"
            "从2020年1月28日（正月初四）10时起，全市所有公交线路暂停运营，恢复时间另行通知。")
    pieces = [text[s:e] for s, e in sentences(text)]
    assert "从2020年1月28日（正月初四）10时起，全市所有公交线路暂停运营" in pieces
    assert "为切实做好新型冠状病毒感染的肺炎疫情防控工作" in pieces  # other pieces are cut as before
    tokens = ("铜川", "交通运输局", "1月28日", "市内", "公交", "措施")
    span = answer_span(text, "铜川市交通运输局从1月28日起对市内公交采取了什么措施", tokens, np.ones(len(tokens)))
    assert span is not None and "暂停运营" in text[span[0]:span[1]]


def test_the_words_that_name_the_notice_do_not_choose_its_sentence():
    """'武汉防控指挥部第11号通告说…可以跨区就诊吗': 武汉, 指挥部, 11号, 通告 name the notice, and the
    lines that repeat its title have them all; the sentence that answers is found by the rest."""
    from indexer.query.relevance import QueryTerms
    from indexer.query.spans import answer_card

    text = ("武汉市新冠肺炎疫情防控指挥部发布第11号、第12号通告 2月11日凌晨，武汉市新冠肺炎疫情防控指挥部发布第11号和第12号通告。"
            "11号通告说，为做好新冠肺炎疑似病例轻症患者首诊隔离点观察工作，全力遏制疫情扩散蔓延，加强定点发热门诊患者分流管理。"
            "发热患者（包括非武汉市户籍人员）严格按照就近就医的原则，到现居住地所在区定点发热门诊就诊，不得跨区就诊。")
    tokens = ("武汉", "指挥部", "11", "号", "通告", "发热", "病人", "看病", "跨区", "就诊")
    idf = np.array([6.9, 6.7, 7.6, 4.6, 6.9, 6.9, 8.4, 13.5, 7.3, 4.4])
    # (asked without '可以…吗': a yes or no is answered by what is forbidden, whatever the title)
    terms = QueryTerms("武汉防控指挥部第11号通告说发热病人该去哪看病，跨区就诊怎么规定", tokens, idf, 1.0, 1.0)

    def card(title):
        document = DocumentInfo("d", title, "", "", "2020-02-11", None, "湖北省", "", "", "", "", 1)
        hits, _ = answer_card(*_one_clause(text, document, terms.text, False, terms))
        s, e = hits[0].answer_span
        return text[s:e]

    assert "不得跨区就诊" in card("武汉市新冠肺炎疫情防控指挥部通告（第11号）")
    assert "不得跨区就诊" not in card("")  # without its title, the lines naming the notice win


@pytest.mark.parametrize("question, percent", [
    ("截至2月15日24时，重庆中医专家在确诊病例治疗中的参与率是多少", True),   # any rate asked is a share
    ("全市规上工业企业复工率达到多少", True),
    ("复工率达到80%以上的企业有多少家", False),                         # the count asked comes first
    ("人民币汇率是多少", False),                                       # an exchange rate is no share
    ("对率先复工复产的规上工业企业给予多少奖励", False),                 # 率先 leads, it is no rate
])
def test_a_rate_asked_is_answered_by_a_percentage(question, percent):
    from indexer.query.spans import asked_units, value_answer

    assert ("%" in (asked_units(question) or ())) is percent
    if question.startswith("截至"):
        text = "目前，我市已先後发布两版中医药防治方案，截至2月15日24时，中医专家参与确诊病例治疗459例，参与率84.4%。"
        tokens = ("截至", "中医", "专家", "确诊病例", "治疗", "参与率")
        answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "")])
        assert answer is not None and (answer.value, answer.unit) == (84.4, "%")


def test_a_number_of_times_asked_counts_the_act_before_it():
    """'每天要对入住人员访查几次' counts visits: '3次访查', not the '2次体温测量' before it."""
    from indexer.query.spans import value_answer

    text = "入住人员的生活必需品由党校方面提供，并安排医务人员每日进行2次体温测量，3次访查。"
    tokens = ("增城", "党校", "招待所", "医务人员", "每天", "入住", "人员", "访查")
    answer = value_answer("增城区党校招待所作为健康服务集中管理场所，医务人员每天要对入住人员访查几次", tokens,
                          np.ones(len(tokens)), [("c1", text, "")])
    assert answer is not None and (answer.value, answer.unit) == (3, "次")


def test_a_comma_piece_that_only_says_of_whom_stays_with_what_it_is_for():
    """'确有紧急事项需要到窗口现场办理的纳税人、缴费人，可通过电话进行提前预约': the condition and the
    measure for it are one piece; a piece with a verb of its own is cut as before."""
    from indexer.query.spans import answer_span, sentences

    text = ("同时设立“绿色应急窗口”，满足个性化的应急需求，确有紧急事项需要到窗口现场办理的纳税人、缴费人，"
            "可通过电话进行提前预约，窗口人员将通过电话提醒纳税人、缴费人提前备齐材料和办税缴费时间。")
    pieces = [text[s:e] for s, e in sentences(text)]
    assert "确有紧急事项需要到窗口现场办理的纳税人、缴费人，可通过电话进行提前预约" in pieces
    assert "满足个性化的应急需求" in pieces
    tokens = ("西藏", "税务局", "绿色", "应急", "窗口", "纳税人", "急事", "现场", "办理", "事先")
    span = answer_span(text, "西藏税务局设立了“绿色应急窗口”，纳税人有急事必须到窗口现场办理的，事先要怎么做",
                       tokens, np.ones(len(tokens)))
    assert span is not None and "提前预约" in text[span[0]:span[1]]


@pytest.mark.parametrize("question, value", [
    ("吉林省国资委在省委已下拨的党费基础上，又从委管党费中拿出多少钱", 710000),  # what was added
    ("省委已下拨了多少中管党费和省管党费资金", 300000),                          # the base, asked as such
    ("省委已下拨的再贷款资金是多少", 300000),                                    # 再贷款 is a word, no increment
])
def test_an_increment_asked_is_not_answered_by_the_base_the_sentence_builds_on(question, value):
    from indexer.query.spans import value_answer

    text = "在省委已下拨30万元中管党费和省管党费资金的基础上，从委管党费中配套71万元，合计101万元，用于支持疫情防控。"
    tokens = ("吉林省", "国资委", "省委", "下拨", "中管", "党费", "省管", "基础", "委管", "拿出", "资金")
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "")])
    assert answer is not None and answer.value == value


def test_a_piece_that_only_restates_the_question_is_marked_with_the_piece_after_it():
    # the long sentence is cut at its commas; the piece sharing the question's words is its condition
    from indexer.query.spans import answer_span

    text = ("在“稳存量”的同时，积极克服疫情影响，创新招商方法，大力开展“不见面招商”，对已经接洽、在谈的合作项目，"
            "通过邮件、视频和电话等方式，继续保持密切地沟通，开展网上洽谈、视频会议和在线签约，加快项目推进。")
    question = "对已经接洽或在谈的外资合作项目，要求通过什么方式保持沟通？"
    tokens = ("接洽", "在谈", "外资", "合作", "项目", "方式", "保持", "沟通")
    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    assert span is not None and text[span[0]:span[1]] == "对已经接洽、在谈的合作项目，通过邮件、视频和电话等方式"


def test_a_piece_with_words_of_its_own_is_not_extended():
    from indexer.query.spans import answer_span

    text = ("为落实疫情防控要求，保障企业有序复工复产，稳定全市经济运行，各区要组织工作专班深入企业开展服务，"
            "对已经复工的企业，每日报送员工健康情况，对尚未复工的企业，逐一登记并明确复工时间。")
    question = "各区组织工作专班做什么？"
    tokens = ("各区", "组织", "工作", "专班")
    span = answer_span(text, question, tokens, np.ones(len(tokens)))
    assert span is not None and text[span[0]:span[1]] == "各区要组织工作专班深入企业开展服务"


def test_a_total_asked_is_answered_by_the_sum_not_by_a_part():
    text = ("划拨专项党费用于支持系统企业疫情防控工作。在省委已下拨30万元中管党费和省管党费资金的基础上，"
            "从委管党费中配套71万元，合计101万元，用于慰问战斗在疫情防控第一线的医务工作者。")
    tokens = ("划拨", "疫情防控", "专项", "党费")
    assert_asked_and_answered("划拨用于疫情防控的专项党费总共有多少万元？", text, tokens, 1010000, "元")
    # what was added to a base is the part, not the sum
    assert_asked_and_answered("在省委已下拨的党费基础上，又从委管党费中配套了多少万元？", text, ("委管", "党费", "配套"),
                              710000, "元")


@pytest.mark.parametrize("question, value, unit", [
    ("南京西路商圈里一共集中了多少幢商务楼宇？", 30, "幢"),
    ("南京西路商圈的大体量商务楼宇有几栋？", 8, "栋"),
])
def test_buildings_are_counted_in_the_measure_word_asked(question, value, unit):
    text = "南京西路商圈聚集着30幢商务楼宇，包括大型商务综合体5座，大体量商务楼宇8栋，日均人流量近30万。"
    assert_asked_and_answered(question, text, ("南京西路", "商圈", "商务", "楼宇", "大体量"), value, unit)


_GRID = "国网吉林省电力有限公司出台八项举措，惠及一般工商业电力客户152.53万户。"
_PATROLS = "累计开展吉林电力大数据巡航3轮，依据数据精准预警人员流动2756人。"


@pytest.mark.parametrize("question, text, value, unit", [
    ("How many general industrial and commercial electricity customers benefit from the bill reduction?", _GRID,
     1525300, "户"),
    ("How many measures did the power company issue?", _GRID, 8, "项"),
    ("How many people's movements were flagged by the electricity data analysis?", _PATROLS, 2756, "人"),
])
def test_what_an_english_question_counts_takes_its_chinese_measure_words(question, text, value, unit):
    # the words the question shares with the text ('electricity' 电力, 'Jilin' 吉林, 'data' 数据) stand by
    # the numbers of other things more than by the one counted
    assert_asked_and_answered(question, text, ("电力", "吉林", "数据"), value, unit)


def test_working_days_asked_in_english_are_a_duration():
    text = "开辟绿色通道，对符合条件的企业，承诺在3个工作日内完成信贷审批，已支持企业12家。"
    assert_asked_and_answered("Within how many working days does the bank promise to finish credit approval for firms?",
                              text, ("绿色通道", "信贷", "审批", "企业"), 3, "个工作日")


def test_the_unit_an_english_question_asks_is_read_from_it_as_asked_not_from_the_terms_written_in():
    from indexer.query.spans import value_answer

    text = "对下调贷款利率1个百分点以上、相关政策到位的银行机构，给予每家20万元奖励。"
    tokens = ("银行", "奖励", "贷款利率")
    asked = "How much cash reward does each qualifying bank get for cutting lending rates?"
    searched = "How much cash 奖励 does each qualifying bank get for cutting 贷款利率?"  # 率 asks a percentage in Chinese
    answer = value_answer(searched, tokens, np.ones(len(tokens)), [("c1", text, "通知")], asked)
    assert answer is not None and (answer.value, answer.unit) == (200000, "元")


_NOTICE_HEAD = ("国家卫生健康委办公厅关于部分消毒剂在疫情防控期间紧急上市的通知 国办监督函〔2020〕99号 各省、自治区、直辖市"
                "卫生健康委：根据《国务院办公厅关于延长2020年春节假期的通知》（国办发明电〔2020〕1号）要求，现通知如下。")


@pytest.mark.parametrize("question, value", [
    ("这份通知的文号是国办监督函[2020]多少号？", 99),
    ("通知引用的国办发明电〔2020〕第几号文件要求延长春节假期？", 1),  # the one cited, asked by its prefix
    # asked without a prefix: the document's own, not the one its text cites
    ("What is the serial number of the notice on the emergency listing of disinfectants?", 99),
])
def test_the_number_of_a_document_number_asked_is_a_value(question, value):
    from indexer.query.spans import is_value_question, value_answer

    assert is_value_question(question)
    answer = value_answer(question, ("通知", "消毒剂"), np.ones(2), [("c1", _NOTICE_HEAD, "")], None,
                          ["国办监督函〔2020〕99号"])
    assert answer is not None and (answer.value, answer.unit, answer.year) == (value, "号", 2020)
    assert _NOTICE_HEAD[answer.span[0]:answer.span[1]] == str(value)


@pytest.mark.parametrize("question, own", [
    ("文号是京政办发〔2020〕多少号？", "国办监督函〔2020〕99号"),     # no such prefix written
    ("文号是国办监督函〔2019〕多少号？", "国办监督函〔2020〕99号"),   # another year
    ("文号是川办发明电〔2020〕多少号？", "国办监督函〔2020〕99号"),   # 国办发明电 ends alike, is another issuer's
    ("What is the serial number of the notice on disinfectants?", ""),  # its own is unknown: not the cited one
    ("What is the serial number of the ventilator model approved?", "国办监督函〔2020〕99号"),  # no document's
])
def test_a_document_number_not_written_answers_no_number_asked(question, own):
    from indexer.query.spans import value_answer

    answer = value_answer(question, ("通知",), np.ones(1), [("c1", _NOTICE_HEAD, "")], None, [own])
    assert answer is None


def test_an_announcements_number_is_asked_by_its_prefix():
    from indexer.query.spans import value_answer

    text = "根据《通知》（财税〔2019〕13号），以及财政部 税务总局公告2020年第24号，现就有关事项公告如下。"
    answer = value_answer("财政部 税务总局公告2020年第几号明确了免税政策？", ("公告", "免税"), np.ones(2), [("c1", text, "")])
    assert answer is not None and (answer.value, answer.year) == (24, 2020)


@pytest.mark.parametrize("question, text, tokens, value, unit", [
    ("专家建议清洗衣物的水温应在多少摄氏度以上？", "清洗衣物时水温达标后要浸泡30分钟。专家建议水温在56摄氏度以上。",
     ("专家", "清洗", "衣物", "水温"), 56, "摄氏度"),
    ("两个行业的个体户一季度可享受多少减免税？", "一季度餐饮和住宿两个行业个体户共2类，可享受减免税1100多万元。",
     ("一季度", "行业", "个体户", "享受"), 11000000, "元"),
])
def test_degrees_celsius_and_tax_relief_are_asked_in_their_units(question, text, tokens, value, unit):
    # the words of the question stand by another number more than by the one asked
    assert_asked_and_answered(question, text, tokens, value, unit)


def test_a_possessive_counts_the_noun_after_it():
    text = "对全市3400名医务人员开展核酸检测，覆盖12家医院。"
    assert_asked_and_answered("How many hospitals' staff were tested for the virus?", text, ("核酸检测",), 3400, "名")


def test_an_odd_letter_in_an_english_count_is_no_crash():
    from indexer.query.spans import _english_classifiers

    assert _english_classifiers("How many ſtaff were sent?") is not None  # ſ folds to s
    assert _english_classifiers("How many") is None


def test_tax_relief_named_beside_a_count_asks_the_count():
    text = "享受减免税政策的企业达1200户，减免税款3.5亿元。"
    assert_asked_and_answered("享受减免税政策的企业有多少户？", text, ("减免税", "政策", "企业"), 1200, "户")
    from indexer.query.spans import asked_units

    assert asked_units("享受减免税政策的企业有多少？") is None  # tax named, not asked


def test_a_buildings_number_in_an_address_is_no_count():
    from indexer.parse.targets import quantities

    assert [(q.value, q.unit) for q in quantities("聚集着30幢商务楼宇，另有12栋在建")] == [(30, "幢"), (12, "栋")]
    assert quantities("幸福小区3栋2单元、阳光花园12幢101室、对幸福小区5栋实施封控管理") == []
    assert [(q.value, q.unit) for q in quantities("新建人才公寓3栋")] == [(3, "栋")]  # apartment blocks counted
    from indexer.parse.targets import extract_targets

    assert [(t.value, t.unit) for t in extract_targets("到2022年，新建人才公寓30栋，幸福小区5栋完成改造。")] == [(30, "栋")]


def test_the_communist_party_is_no_total():
    from indexer.query.spans import _TOTAL_STATED

    assert not _TOTAL_STATED.search("中共市委组织部拨付资金50万元")
    assert _TOTAL_STATED.search("共有12家") and _TOTAL_STATED.search("合计101万元")


@pytest.mark.parametrize("question, text, tokens, value, unit", [
    ("落实了多少副护目镜？", "为武汉落实各类口罩货源300万个，落实防护服货源10万件，落实护目镜2180副。", ("落实", "武汉"), 2180, "副"),
    ("管内有多少趟开往武汉方向的列车？", "重点围绕管内38趟武汉方向列车和83个进出武汉方向列车经停站增派警力。",
     ("管内", "武汉", "列车"), 38, "趟"),
    ("悬浮红细胞有多少单位？", "包括1250单位悬浮红细胞、21个治疗量单采血小板。", ("悬浮红细胞",), 1250, "单位"),
    ("检测试剂调拨了多少人份？", "调拨防护服2万套，检测试剂10万人份。", ("检测试剂", "调拨"), 100000, "人份"),
    ("县区考核要拿到多少分才算优秀？", "考核满分为100分，结果分为4个等级，得分90分以上为优秀。", ("优秀", "得分"), 90, "分"),
    ("认购倍数达到了多少倍？", "本期债券发行规模50亿元，认购倍数达11.85倍。", ("认购", "倍数"), 11.85, "倍"),
    ("What bid-to-cover multiple did the bond achieve?", "本期债券发行规模50亿元，认购倍数达11.85倍。", ("认购", "债券"), 11.85, "倍"),
    ("每天合计能生产多少只口罩？", "已投产的口罩生产企业84家，日产量达777.39万只。", ("口罩", "生产"), 7773900, "只"),
])
def test_trips_pairs_units_of_blood_kits_scores_and_multiples_are_asked_in_their_measure_words(
        question, text, tokens, value, unit):
    # each text's other numbers stand by the question's words as near as the one asked
    assert_asked_and_answered(question, text, tokens, value, unit)


def test_the_new_measure_words_are_not_read_in_the_words_they_begin():
    from indexer.parse.targets import quantities

    def read(text):
        return [(q.value, q.unit) for q in quantities(text)]

    assert read("安排2名副市长和3双方协调人") == [(2, "名")]  # 副市长 is an office, 双方 'both sides'
    assert read("每次15分钟，次日12时30分前报送") == [(15, "分钟")]  # minutes of a time of day are no score
    assert read("认购倍数达11.85倍，发放手套3000双") == [(11.85, "倍"), (3000, "双")]


_DATED = "1月26日，国家林草局召开会议部署督导检查。《工作方案》于2020年1月28日印发，要求各地立即落实。"


@pytest.mark.parametrize("question, text, tokens, value, unit, year, date", [
    ("工作方案是哪一天印发的？", _DATED, ("工作方案", "印发"), 28, "日", 2020, "2020-01-28"),
    ("督导检查会议是在当月几号召开的？", _DATED, ("会议", "召开"), 26, "日", None, "01-26"),
    ("On what date was the work plan issued?", _DATED, ("工作方案", "印发"), 28, "日", 2020, "2020-01-28"),
    ("扶贫企业复工要在几月份全面完成？", "2月10日召开会议。要求3月份全面完成扶贫企业复工。", ("复工", "全面完成"), 3, "月", None, "03"),
    # a day of every month: no one date
    ("各省每月几号前报送？", "各省于每月10日报送国家卫生健康委。国家卫生健康委 2020年2月15日", ("报送",), 10, "日", None, None),
])
def test_a_day_or_month_asked_is_answered_by_the_date_of_the_sentence_that_answers(question, text, tokens, value,
                                                                                  unit, year, date):
    from indexer.query.spans import is_value_question, value_answer

    assert is_value_question(question)
    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "通知")])
    assert answer is not None and (answer.value, answer.unit, answer.year, answer.date) == (value, unit, year, date)
    assert answer.to_dict().get("date") == date


def test_a_notice_asked_when_it_was_issued_is_answered_by_its_own_date_where_the_clause_writes_it():
    from indexer.query.spans import value_answer

    text = "2月5日发布的相关政策继续执行。北京市昌平区经济和信息化局 2020年2月12日"
    ask = "这份说明是哪天发布的？"
    assert value_answer(ask, ("发布",), np.ones(1), [("c1", text, "")]).value == 5  # the words alone
    answer = value_answer(ask, ("发布",), np.ones(1), [("c1", text, "")], None, [""], ["2020-02-12"])
    assert (answer.value, answer.year, answer.date) == (12, 2020, "2020-02-12")


@pytest.mark.parametrize("question", ["前几日的降雨情况", "几日内办结", "文号是几号", "第几号令", "近几月的趋势"])
def test_a_number_of_days_or_a_numbers_number_asks_no_date(question):
    from indexer.query.spans import _DAY_ASKED, _MONTH_ASKED

    assert not _DAY_ASKED.search(question) and not _MONTH_ASKED.search(question)


def test_a_date_asked_marks_the_sentence_the_ask_s_form_marks_where_it_writes_the_same_date():
    from indexer.query.relevance import QueryTerms
    from indexer.query.spans import answer_card

    text = ("我省城乡居民医保集中缴费截止日期早于2020年3月31日的统筹区，要做好宣传解释工作，确保参保群众及时知晓相关政策"
            "并按时缴费，避免因疫情影响参保。集中缴费截止日期统一延长至2020年3月31日。")
    tokens = ("集中缴费", "截止日期", "延长")
    terms = QueryTerms("集中缴费截止日期延长到了哪一天", tokens, np.ones(3), 1.0, 1.0)
    document = DocumentInfo("d", "关于延长集中缴费期的通知", "", "", "2020-02-16", 2020, "湖南省", "", "", "", "", 1)
    hits, answer = answer_card(*_one_clause(text, document, "集中缴费截止日期延长到了哪一天？", False, terms))
    assert answer is not None and (answer.value, answer.date) == (31, "2020-03-31")
    start, end = hits[0].answer_span
    assert text[start:end] == "集中缴费截止日期统一延长至2020年3月31日"


def test_kinds_a_whole_is_divided_into_are_counted():
    from indexer.parse.targets import quantities

    assert [(q.value, q.unit) for q in quantities("这些措施共分为六大类，分成三类实施")] == [(6, "类"), (3, "类")]
    assert quantities("评为一类地区的二类医疗器械") == []  # grades, not counts



def test_a_score_follows_digits_and_a_date_asked_is_one_of_the_calendar():
    from indexer.parse.targets import quantities
    from indexer.query.spans import value_answer

    assert quantities("这项工作十分重要") == [] and [(q.value, q.unit) for q in quantities("满分100分")] == [(100, "分")]

    def day(text):
        answer = value_answer("哪一天完成？", ("完成",), np.ones(1), [("c1", text, "")])
        return answer and (answer.value, answer.date)

    assert day("于2月30日完成") is None and day("于2021年2月29日完成") is None  # no such days
    assert day("于2020年2月29日完成") == (29, "2020-02-29")
    assert day("于２月３日完成") == (3, "02-03")  # full-width digits


def _date_of(question, text, tokens, own=()):
    from indexer.query.spans import value_answer

    answer = value_answer(question, tokens, np.ones(len(tokens)), [("c1", text, "")], None, [""], list(own))
    return answer and (answer.value, answer.unit, answer.date)


@pytest.mark.parametrize("question, text, value, date", [
    # an end asked: the date a range or a deadline ends on, not the first written
    ("申报截止日期是哪一天？", "申报时间为2020年3月1日至3月31日。", 31, "2020-03-31"),
    ("展期最长到哪一天？", "贷款到期日在2020年1月25日至3月31日之间的，可展期至2020年6月30日。", 30, "2020-06-30"),
    ("申报从哪天开始？", "申报自2020年2月10日起，3月31日前截止。", 10, "2020-02-10"),  # a start asked
    ("企业每年几号前申报？", "自2021年起，企业应于每年3月31日前申报。", 31, "03-31"),  # every year: no year
])
def test_a_date_asked_of_an_end_or_a_start_or_every_year(question, text, value, date):
    assert _date_of(question, text, ("申报", "截止", "展期")) == (value, "日", date)


def test_a_headlines_date_is_not_the_bodys_answer():
    text = "漯河市委书记检查扶贫工作 2月20日 要求确保3月份全面复工开工。"
    assert _date_of("扶贫项目在几月份全面复工开工？", text, ("扶贫", "复工", "开工"))[0] == 3


def test_a_notice_asked_when_it_was_issued_gets_no_other_date_than_its_own():
    text = "2月5日发布的相关政策继续执行。"
    assert _date_of("这份说明是哪天发布的？", text, ("发布",), ["2020-02-12"]) is None
    assert _date_of("落款日期是哪一天？", text + "某某局 2020年2月12日", ("发布",), ["2020-02-12"])[2] == "2020-02-12"
    assert _date_of("On what date was this explanation issued?", text + "某某局 2020年2月12日", ("发布",),
                    ["2020-02-12"])[2] == "2020-02-12"


@pytest.mark.parametrize("question, text, value, unit", [
    ("从几月份起，最低工资标准调整为多少元？", "自3月起，最低工资标准调整为2000元。", 2000, "元"),
    ("每月几号发放补贴，每人多少元？", "每月10日发放补贴，每人500元。", 500, "元"),
])
def test_a_number_asked_beside_a_date_is_the_answer(question, text, value, unit):
    assert _date_of(question, text, ("工资", "补贴"))[:2] == (value, unit)


def test_the_review_s_misreads_of_scores_multiples_pairs_and_months():
    from indexer.parse.targets import quantities
    from indexer.query.spans import (
        _DAY_ASKED,
        _MONTH_ASKED,
        asked_units,
        is_value_question,
    )

    for question in ("全省银行有多少分支机构复工？", "该行设立了多少分行？", "全市共有多少分会场？"):
        assert asked_units(question) is None  # 分行, 分会场 are counted, not a score
    assert not is_value_question("What measures did multiple departments take to stabilise prices?")
    assert [(q.value, q.unit) for q in quantities("发放3000双手套")] == [(3000, "双")]
    assert [(q.value, q.unit) for q in quantities("2副所长，上午8时 30分，3元5分，满6月龄")] == [(3, "元")]
    assert not _MONTH_ASKED.search("未来几月的情况") and not _DAY_ASKED.search("What day of the week is it?")
