"""Quantitative targets (指标) read from policy text, each test a specification of behaviour."""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from indexer.parse.targets import Target, extract_targets

REPO = Path(__file__).resolve().parents[2]


def _corpus(stem: str) -> str:
    return (REPO / "corpus" / f"{stem}.txt").read_text(encoding="utf-8")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_targets", REPO / "bench" / "bench_targets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _one(text: str) -> Target:
    found = extract_targets(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("stem, metric, value, year", [
    ("shengsi-2023-innovation-system-plan", "高新技术企业数量", 10, 2027),
    ("zhejiang-kjt-2015-work-points", "高新技术企业", 7000, 2015),
    ("zhejiang-2019-county-innovation-opinions", "高新技术企业", 20000, 2022),
])
def test_pinned_targets_of_the_corpus(stem, metric, value, year):
    text = _corpus(stem)
    found = [t for t in extract_targets(text) if t.metric == metric and t.value == value]
    assert found and found[0].unit == "家" and found[0].year == year
    assert text[found[0].start:found[0].end] == found[0].text


def test_respectively_yields_one_target_per_metric_in_order():
    found = extract_targets("力争到2022年高新技术企业和科技型中小企业分别达到2万家和6万家，其中县域占比逐年提高。")
    assert [(t.metric, t.value, t.unit, t.comparator, t.year) for t in found] == [
        ("高新技术企业", 20000, "家", "达到", 2022), ("科技型中小企业", 60000, "家", "达到", 2022)]


@pytest.mark.parametrize("text, value, unit", [
    ("到2025年，高新技术企业达到2万家。", 20000, "家"),
    ("到2025年，技术合同成交额达到1.5亿元。", 1.5e8, "元"),
    ("力争2015年规上工业新产品产值达2万亿元。", 2e12, "元"),
    ("到2026年高新技术企业达到十家。", 10, "家"),
    ("到2025年，培育两万家科技型中小企业。", 20000, "家"),
    ("力争到2025年新建三百个实验室。", 300, "个"),
])
def test_multipliers_and_chinese_numerals(text, value, unit):
    target = _one(text)
    assert (target.value, target.unit) == (value, unit)


def test_money_keeps_yuan_and_moves_the_multiplier_into_the_value():
    target = _one("到2027年，R&D经费支出达到100亿元。")
    assert (target.metric, target.value, target.unit) == ("R&D经费支出", 1e10, "元")


def test_percent_and_share_metric_borrowing_its_subject():
    found = extract_targets("力争2015年全省R&D经费支出达1050亿元、占GDP比重达到2.5%。")
    assert [(t.metric, t.value, t.unit) for t in found] == [
        ("R&D经费支出", 1.05e11, "元"), ("R&D经费支出占GDP比重", 2.5, "%")]


def test_target_without_a_year():
    target = _one("力争高新技术企业超过50家。")
    assert (target.metric, target.value, target.comparator, target.year) == ("高新技术企业", 50, "超过", None)


def test_comparator_rules_intent_dropped_and_at_least_appended():
    assert _one("发明专利授权量力争达到1.5万件。").comparator == "达到"
    assert _one("到2027年，高技能人才总量达到6000人以上。").comparator == "达到…以上"
    assert _one("到2027年，解决关键核心技术10项以上。").comparator == "以上"


@pytest.mark.parametrize("text, year", [
    ("到“十四五”末，技术合同成交额突破100亿元。", 2025),
    ("实施方案(2023—2027年)\n到期末，高新技术企业达到20家。", 2027),
    ("到2014年具体实现以下目标:\n——争取创建科技成果示范县3个以上。\n四、重点任务\n培育100个示范单位。", 2014),
])
def test_year_from_plan_period_range_end_and_list_intro(text, year):
    assert extract_targets(text)[0].year == year


def test_a_list_year_stops_at_the_next_heading():
    found = extract_targets("到2014年具体实现以下目标:\n——创建示范县3个以上。\n四、重点任务\n重点培育100个示范单位。")
    assert [t.year for t in found] == [2014, None]


def test_annual_quantities_have_no_year():
    found = extract_targets("加快推进产业创新服务综合体建设，力争到2022年达到300个。每年发放和使用科技创新券3亿元。")
    assert [(t.metric, t.value, t.year) for t in found] == [
        ("加快推进产业创新服务综合体建设", 300, 2022), ("发放和使用科技创新券", 3e8, None)]
    assert _one("确保全县财政科技投入年均增长15%以上。").year is None


@pytest.mark.parametrize("text", [
    "", "0000年", "2月30日", "浙政办发〔2019〕11号", "2023年4月23日",
    "嵊泗县人民政府办公室关于印发实施方案(2023—2027年)的通知", "已经县政府第19次常务会议审议通过",
    "联系电话：0571-87054321", "2014年全省投入50亿元。", "对新认定的企业按研发费用的30%给予补助。",
    "目前，我省有3314家养老机构。", "(二)发展目标。", "1.科技支撑海洋产业能力明显提升。",
])
def test_numbers_that_are_not_targets(text):
    assert extract_targets(text) == []


def test_cue_after_the_numbers_and_cue_of_the_sentence():
    found = extract_targets("支持企业扩产，尽快实现全省口罩日产量2000万个、防护服日产量10万件的目标。")
    assert [(t.metric, t.value, t.unit) for t in found] == [("口罩日产量", 2e7, "个"), ("防护服日产量", 1e5, "件")]
    found = extract_targets("一、工作目标  围绕防疫需要，尽快实现口罩日产量2000万个（其中：医用N95日产量100万个）。")
    assert [(t.metric, t.value) for t in found] == [("口罩日产量", 2e7), ("医用N95日产量", 1e6)]


def test_a_deadline_ahead_is_a_plan_cue():
    target = _one("2月底前下达乡村振兴专项资金70亿元，支持一批项目建设。")
    assert (target.value, target.unit, target.year) == (7e9, "元", None)
    assert _one("2月底前全区累计投放储备冻猪肉将不低于2500吨。").unit == "吨"


def test_a_plan_word_is_a_cue():
    target = _one("全区计划完成重大项目投资1200亿元。")
    assert (target.value, target.unit, target.comparator) == (1.2e11, "元", "")
    assert extract_targets("省级科技计划项目向26个加快发展县倾斜。") == []


def test_a_metric_ending_in_a_verb_takes_the_noun_after_the_value():
    assert _one("国开行将提供不少于50亿元优惠贷款支持防疫工作。").metric.startswith("优惠贷款")
    assert _one("力争惠及300万以上山区居民。").metric == "山区居民"


def test_basis_points_and_base_years():
    target = _one("确保普惠小微企业贷款综合融资成本较2019年下降50个基点。")
    assert (target.metric, target.value, target.unit, target.year) == ("普惠小微企业贷款综合融资成本", 50, "个基点", None)


@pytest.mark.parametrize("text", [
    "对困难家庭实施定向帮扶，确保一个不漏。", "确保一次办成。", "力争一网通办一次办成。",
    "税务机关将确保纳税人“最多跑一次”办完所有涉税事项。",
    "力争做好《关于“三个一批”工作的通知》。",
    "确保物价稳定，提出4项措施。",
    "每天消毒不少于2次，通风换气每天不少于2次。", "每人不少于1平方米。",
    "为一线医务人员办理一份保险额度不低于50万元的人身意外保险。",
    "在同一机构托养人员30人以上的，必须派员驻点。",
    "培训课时不少于20个课时/班。", "确保企业参保人数每新增1人。",
    "主营业务收入须占收入总额的50%以上。",
    "口罩的产能一直在100%以上，2月17日的产能利用率达110%。",
    "日均旅客量预计不超过20万人次。",
])
def test_slogans_rules_counts_and_reports_are_not_targets(text):
    assert extract_targets(text) == []


def test_long_text_runs_quickly():
    texts = [("到2027年，高新技术企业数量达到10家，研发投入占GDP比重达到2.5%。" * 300)[:10000],
             "一" * 10000, "1" * 10000, "达到" * 5000 + "10家", " " * 10000]
    started = time.perf_counter()
    for text in texts:
        extract_targets(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("text", [" " * 1_000_000, "到2027年" + " " * 200_000 + "达到10家",
                                  "每天" + " " * 200_000 + "不少于2次的", "力争" + " " * 200_000 + "10万件的目标"])
def test_long_runs_of_spaces_stay_linear(text):
    started = time.perf_counter()
    extract_targets(text)
    assert time.perf_counter() - started < 1.0


def test_offsets_and_to_dict():
    text = "至2027年高新技术企业数量达到10家，科技型中小企业数达到100家。"
    for target in extract_targets(text):
        assert text[target.start:target.end] == target.text
        assert target.to_dict()["metric"] == target.metric
    assert _one("到２０２７年，高新技术企业达到１０家。").value == 10  # full-width digits


def test_seed_labels_reach_precision_and_recall_of_0_9():
    correct, found, labelled, _, _ = _bench().score_seeds()
    assert labelled >= 40
    assert correct / found >= 0.9 and correct / labelled >= 0.9


@pytest.mark.parametrize("text", ["本办法2020" + " " * 20000, "1%" * 10000, "达到" + "5家、" * 5000])
def test_hostile_runs_of_spaces_or_numbers_take_linear_time(text):
    started = time.perf_counter()
    extract_targets(text)
    assert time.perf_counter() - started < 1.0


def test_a_list_of_targets_goes_on_without_repeating_its_cue():
    text = "实现创建省级以上技术创新平台10家,市级技术创新平台50家,每个县市区至少成立1家市级以上技术创新平台。"
    assert [(t.metric, t.value) for t in extract_targets(text)] == [
        ("创建省级以上技术创新平台", 10.0), ("市级技术创新平台", 50.0), ("市级以上技术创新平台", 1.0)]
    # a new sentence, or another unit, is no continuation
    assert [t.value for t in extract_targets("创建平台10家。现有企业50家,员工3000人。")] == [10.0]
    assert [t.value for t in extract_targets("创建平台10家,投入资金50万元。")] == [10.0]


def test_a_metric_never_comes_from_the_sentence_before():
    found = extract_targets("确保小微企业信贷增长20%以上。个人创业担保贷款额度由15万元提高到30万元。")
    assert [(t.metric, t.value) for t in found] == [("小微企业信贷", 20), ("个人创业担保贷款额度", 3e5)]


def test_quantities_are_periods_not_names_or_ages():
    from indexer.parse.targets import quantities

    text = "庆祝建党100周年，2周岁以下儿童，上半年，给予一次性补贴，免收2个月房租，缓缴半年，二十五天内办结，可提前一年申报。"
    assert [(q.value, q.unit) for q in quantities(text)] == [(2, "个月"), (0.5, "年"), (25, "天"), (1, "年")]


def test_counts_of_stops_and_articles_and_not_the_words_they_begin():
    from indexer.parse.targets import quantities

    got = [(q.value, q.unit) for q in quantities("上车至下车共19站，出台务实举措28条，提供一站式服务、一条龙服务")]
    assert got == [(19, "站"), (28, "条")]


def test_quantities_of_cases_kinds_tenths_days_and_approximate_counts():
    from indexer.parse.targets import quantities

    text = ("累计报告确诊病例28018例，保障蔬菜等8类生活必需品，产能恢复到六成以上，10日内补办备案手续，"
            "有300多名学生留校，2000余家企业复工，发布7大类作业环节的农机信息。")
    assert [(q.value, q.unit) for q in quantities(text)] == [
        (28018, "例"), (8, "类"), (6, "成"), (10, "日"), (300, "名"), (2000, "家"), (7, "类")]


def test_quantities_of_weight_length_seconds_aspects_and_sticks():
    from indexer.parse.targets import quantities

    text = "排队保持1米以上距离，每人供应大米500克，洗手不少于20秒，铺设管线20根，从三方面推进，绿化面积100平方米，误差5厘米。"
    assert [(q.value, q.unit) for q in quantities(text)] == [
        (1, "米"), (500, "克"), (20, "秒"), (20, "根"), (3, "方面"), (100, "平方米"), (5, "厘米")]
    assert quantities("米面油供应充足，克服困难") == []  # a word that begins with a unit's character


def test_quantities_counted_by_persons_teams_rounds_head_cases_flights_and_ships():
    from indexer.parse.targets import quantities

    text = "抽调了60位民警，组建4支队伍，开展了25轮督导，屠宰生猪2604头，查处案件1830起，货运航班102架次，出动5艘船。"
    assert [(q.value, q.unit) for q in quantities(text)] == [
        (60, "位"), (4, "支"), (25, "轮"), (2604, "头"), (1830, "起"), (102, "架次"), (5, "艘")]
    # words that begin with those characters, and 一起 'together'
    assert quantities("大家一起抗疫，三位一体，两位数，大力支持，轮流值守，自2月1日起") == []
    assert quantities("三轮车和四轮驱动，保留两位小数，从2020起，10万起步价，两头兼顾，个税起征") == []


def test_grades_dates_and_words_of_cheng_are_no_quantities():
    from indexer.parse.targets import quantities

    text = "二类医疗器械注册收费，一类地区，2月10日内完成，成立专班，一成不变，落户成都。"
    assert quantities(text) == []


def test_a_duration_after_a_month_is_still_read():
    from indexer.parse.targets import quantities

    got = [(q.value, q.unit) for q in quantities("对国有企业经营性房产2020年2月、3月两个月租金收入予以减免")]
    assert got == [(2, "个月")]


def test_a_grade_in_a_metric_does_not_cut_it():
    found = extract_targets("4.全省药品补充申请、再注册收费标准和二类医疗器械首次注册、变更注册、延续注册收费标准降低30%。")
    assert [(t.value, t.unit) for t in found] == [(30, "%")]
    assert "药品补充申请" in found[0].metric and "延续注册收费标准" in found[0].metric


def test_quantities_of_lessons_events_copies_and_no_article_one():
    from indexer.parse.targets import quantities

    text = "将制作首批500节微课，举办3场招聘会，提交3份材料，举行了一场特殊的签约仪式，春节期间加强市场监管。"
    assert [(q.value, q.unit) for q in quantities(text)] == [(500, "节"), (3, "场"), (3, "份")]


def test_two_digits_side_by_side_and_holidays_are_no_numbers():
    from indexer.parse.targets import quantities

    text = "产能恢复到七八成，五一节期间，三八节，安排十一节课，10余万元，300多万元，新增确诊一例，2月 10日内完成。"
    assert [(q.value, q.unit) for q in quantities(text)] == [(11, "节"), (1e5, "元"), (3e6, "元"), (1, "例")]


def test_an_approximate_number_keeps_its_marker_as_comparator():
    from indexer.parse.targets import quantities

    got = [(q.value, q.unit, q.comparator) for q in quantities("有300多名学生留校，10余万元补助，共5家企业")]
    assert got == [(300, "名", "多"), (1e5, "元", "余"), (5, "家", "")]
