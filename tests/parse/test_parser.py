"""Clause parser: the five seed documents pinned, then the heading grammar, responsibility notes,
long-item splitting, metadata, regions and bad input, each as a specification of behaviour."""
from __future__ import annotations

import functools
import json
import random
import shutil
from pathlib import Path

import pytest

from indexer.errors import CorpusError
from indexer.parse.clauses import MAX_CLAUSE_CHARS, PIECE_CHARS, segment, split_long
from indexer.parse.documents import iter_corpus, load_document, parse_source
from indexer.parse.headings import match_label, split_title
from indexer.parse.metadata import leading_title
from indexer.parse.regions import resolve_region
from indexer.parse.responsibility import parse_note, split_units, trailing_note
from indexer.types import Document, Region, SourceText

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CHENZHOU = "chenzhou-2012-county-tech-action-plan"
SHENGSI = "shengsi-2023-innovation-system-plan"
ZJ2019 = "zhejiang-2019-county-innovation-opinions"
SUPPORT26 = "zhejiang-kjt-2015-support-26-counties"
WORK_POINTS = "zhejiang-kjt-2015-work-points"


@functools.cache
def seed(name: str) -> Document:
    """A seed document parsed once (documents are frozen, so tests may share them)."""
    return load_document(CORPUS / f"{name}.txt", CORPUS)


def keys(doc: Document) -> list[str]:
    """Clause ids without the document prefix: '二、（二）2．' is 'h2.p2.n2'."""
    return [c.id.split(":", 1)[1] for c in doc.clauses]


def clause_at(doc: Document, position: str, label: str | None = None):
    """The one clause whose citation path is `position` ('二、（二）2．')."""
    found = [c for c in doc.clauses if c.position == position and (label is None or c.label == label)]
    assert len(found) == 1, f"{position}: {[c.id for c in found]}"
    return found[0]


def parse_text(text: str, doc_id: str = "t") -> Document:
    return parse_source(SourceText(text), doc_id, f"{doc_id}.txt")


# ----------------------------------------------------------------------------- seeds: whole parse

SEED_KEYS = {
    CHENZHOU: "0+1 h1 h2 h3~1 h3~2 h3~3 h4.n1 h4.n2 h4.n3 h4.n4 h4.n5 h4.n6 h5.n1 h5.n2 h5.n3",
    SHENGSI: "0+1 h1.p1 h1.p2 h1.p2.n1 h1.p2.n2 h1.p2.n3 h2.p1.n1 h2.p1.n2 h2.p1.n3 h2.p1.n4 "
             "h2.p1.n5 h2.p1.n6 h2.p2 h2.p2.n1 h2.p2.n2 h2.p2.n3 h2.p2.n4 h2.p2.n5 h2.p2.n6 h2.p3 "
             "h2.p3.n1 h2.p3.n2 h2.p3.n3 h3.n1 h3.n2 h3.n3 h3.n4 h3.n5 h3.n6 h4 h4.n1 h4.n2 h4.n3 "
             "h4.n4 h4.n5 h4.n6 h4.n7 h4.n8 h5.p1 h5.p2 h5.p3 h5.p4",
    ZJ2019: "0+1 h1.p1 h1.p2 " + " ".join(f"h2.p{i}" for i in range(1, 20)) + " h3.p1 h3.p2 h3.p3",
    SUPPORT26: "0+1 h1 h2.p1.n1 h2.p1.n2 h2.p1.n3 h2.p1.n4 h2.p2.n1 h2.p2.n2 h2.p2.n3 h2.p3.n1 "
               "h2.p3.n2 h2.p3.n3 h3.p1 h3.p2 h3.p3 h3.p3+1",
    WORK_POINTS: "0+1 0+2 h1.n1 h1.n1+1 h1.n2 h1.n3 h1.n4 h1.n5 h1.n6 h2.n7 h2.n8 h2.n9 h2.n10 "
                 "h2.n10+1 h3.n11 h3.n12 h3.n13 h4.n14 h4.n15 h4.n16 h4.n17 h5.n18 h5.n19 h5.n20 "
                 "h6.n21 h6.n22 h6.n23 h6.n24 h6.n24+1 h6.n24+2 h7.n25 h7.n26 h7.n27",
}
SEED_COUNTS = {CHENZHOU: 15, SHENGSI: 42, ZJ2019: 25, SUPPORT26: 16, WORK_POINTS: 33}


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_clause_count_and_ids(name):
    doc = seed(name)
    assert len(doc.clauses) == SEED_COUNTS[name]
    assert keys(doc) == SEED_KEYS[name].split()
    assert all(c.id.startswith(f"{name}:") and c.document_id == name for c in doc.clauses)


SEED_METADATA = {
    CHENZHOU: ("郴州市科学技术局关于实施“县市区科技服务与创新能力提升三年行动计划”的意见",
               "郴科发〔2012〕29号", "郴州市科学技术局", "", "湖南省·郴州市"),
    SHENGSI: ("嵊泗县人民政府办公室关于印发嵊泗县科技创新体系建设工程实施方案(2023—2027年)的通知",
              "嵊政办发〔2023〕28号", "嵊泗县人民政府办公室", "2023-04-23", "浙江省·舟山市·嵊泗县"),
    ZJ2019: ("浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见", "浙政办发〔2019〕11号",
             "浙江省人民政府办公厅", "2019-02-21", "浙江省"),
    SUPPORT26: ("浙江省科学技术厅关于科技支撑淳安等26县加快发展的实施意见", "", "浙江省科学技术厅",
                "2015-06-26", "浙江省"),
    WORK_POINTS: ("省科技厅2015年工作要点及责任分解", "", "浙江省科学技术厅", "2015-01-22", "浙江省"),
}


@pytest.mark.parametrize("name", sorted(SEED_METADATA))
def test_seed_metadata(name):
    doc = seed(name)
    title, doc_number, issuer, date, region = SEED_METADATA[name]
    assert (doc.title, doc.doc_number, doc.issuer, doc.date, doc.region.label) == \
        (title, doc_number, issuer, date, region)


def test_seed_year_falls_back_to_the_doc_number():
    assert seed(CHENZHOU).date == ""
    assert seed(CHENZHOU).year == 2012


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_spans_match_text(name):
    doc = seed(name)
    for c in doc.clauses:
        assert doc.text[c.start:c.end] == c.text
        assert c.text == c.text.strip() and c.text


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_ids_unique_and_stable_across_parses(name):
    again = load_document(CORPUS / f"{name}.txt", CORPUS)
    first = seed(name)
    assert len({c.id for c in first.clauses}) == len(first.clauses)
    assert [(c.id, c.start, c.end, c.text) for c in again.clauses] == \
        [(c.id, c.start, c.end, c.text) for c in first.clauses]


def test_seed_ids_come_from_numbering_not_from_a_counter(tmp_path):
    """A paragraph added to the preamble (or between items) leaves the ids of items unchanged."""
    source = (CORPUS / f"{WORK_POINTS}.txt").read_text(encoding="utf-8")
    edited = source.replace("省科技厅2015年工作要点及责任分解\n",
                            "省科技厅2015年工作要点及责任分解\n新增的一段导语，说明本要点的由来。\n", 1)
    edited = edited.replace("\n二、更加注重把科技创新", "\n另起一段说明，不带编号。\n二、更加注重把科技创新", 1)
    assert edited.count("\n") == source.count("\n") + 2
    (tmp_path / f"{WORK_POINTS}.txt").write_text(edited, encoding="utf-8")
    changed = load_document(tmp_path / f"{WORK_POINTS}.txt", tmp_path)
    before = {c.id: c.text for c in seed(WORK_POINTS).clauses if c.label}
    after = {c.id: c.text for c in changed.clauses if c.label}
    assert before == after
    assert len(changed.clauses) == len(seed(WORK_POINTS).clauses) + 2


# ----------------------------------------------------------------------------- seeds: named items

def test_support26_item_2_2_2_section_path_and_lead_units():
    c = clause_at(seed(SUPPORT26), "二、（二）2．")
    assert c.section_labels == ["二、重点任务", "（二）加强产学研合作，推动科技创新创业",
                                "2．培育发展各类科技型企业"]
    assert c.label == "2．"
    assert c.responsibility.lead == ("高新处", "条件处", "农村处")
    assert c.text.startswith("2．培育发展各类科技型企业。") and c.text.endswith("（责任处室：高新处、条件处、农村处）")


def test_support26_title_only_headings_are_section_context():
    doc = seed(SUPPORT26)
    assert not any(c.position == "二、" for c in doc.clauses)  # 二、重点任务 has only a title
    assert not any(c.text.startswith("二、重点任务") for c in doc.clauses)
    assert clause_at(doc, "一、").text.startswith("一、总的要求\n紧紧围绕")  # a heading with a body


def test_support26_notes_kept_as_written():
    doc = seed(SUPPORT26)
    assert clause_at(doc, "三、（一）").responsibility.lead == ("各处室",)
    assert clause_at(doc, "三、（二）").responsibility.lead == ("各处室", "各有关市、县（市、区）科技局（委）")


def test_support26_closing_sentence_is_outside_every_section():
    closing = [c for c in seed(SUPPORT26).clauses if "正式施行" in c.text]
    assert len(closing) == 1
    assert closing[0].section == () and closing[0].text == "本意见自2015年8月1日起正式施行。"


def test_work_points_item_13_person_and_lead():
    c = clause_at(seed(WORK_POINTS), "三、13．")
    assert c.section_labels == ["三、更加注重培育创新主体,加快提升企业技术创新能力", "13．加强科技企业孵化器建设"]
    assert c.responsibility.persons == ("邱飞章",)
    assert c.responsibility.lead == ("高新处",)
    assert c.responsibility.cooperating == ("有关处室", "各市、县（市、区）科技局（委）")


@pytest.mark.parametrize("key, start, person, lead", [
    ("h1.n1+1", "加快科技云平台建设", "陈洪涛", "办公室"),
    ("h2.n10+1", "充分发挥省政府与国家自然科学基金委", "周益民", "基金办"),
    ("h6.n24+1", "开展年度科技创新人物和科技新浙商评选", "陈洪涛", "办公室"),
    ("h6.n24+2", "加快推进“十二五”总结和“十三五”规划编制工作", "邱飞章", "计财处"),
    ("0+2", "力争2015年全省R&D经费支出达1050亿元", "周国辉", "计财处"),
])
def test_work_points_unnumbered_paragraphs_carry_their_own_note(key, start, person, lead):
    doc = seed(WORK_POINTS)
    c = next(c for c in doc.clauses if c.id == f"{WORK_POINTS}:{key}")
    assert c.label == "" and c.text.startswith(start) and c.text.endswith(")")
    assert c.responsibility.persons[0] == person and c.responsibility.lead[0] == lead


def test_work_points_unnumbered_paragraph_keeps_the_section_of_the_item_it_follows():
    doc = seed(WORK_POINTS)
    follower = next(c for c in doc.clauses if c.id.endswith(":h2.n10+1"))
    assert follower.section_labels == ["二、更加注重把科技创新落实到产业上,加快推进产业转型升级"]
    # and the note of the paragraph does not leak into the item before it
    assert clause_at(doc, "二、10．").responsibility.persons == ("邱飞章",)


def test_work_points_note_with_an_extra_closing_bracket():
    c = clause_at(seed(WORK_POINTS), "一、4．")  # "…科技局(委)、各高新区))"
    assert c.responsibility.cooperating == ("有关处室", "各市、县（市、区）科技局（委）", "各高新区")
    assert c.responsibility.persons == ("邱飞章", "洪积庆")
    assert c.text.endswith("各高新区))")


def test_work_points_empty_unit_in_a_note_is_dropped():
    c = clause_at(seed(WORK_POINTS), "七、25．")  # "牵头单位:人事处、机关党委、,配合单位:…"
    assert c.responsibility.lead == ("人事处", "机关党委")
    assert c.responsibility.cooperating == ("其他各处室", "各市、县（市、区）科技局（委）")


def test_work_points_transmittal_and_signature_are_not_clauses():
    texts = [c.text for c in seed(WORK_POINTS).clauses]
    assert not any("印发给你们" in t or t == "浙江省科学技术厅" or t.startswith("各市、县") for t in texts)


def test_shengsi_item_2_3_2_lead_units_on_the_next_line():
    c = clause_at(seed(SHENGSI), "二、（三）2．")
    assert c.responsibility.lead == ("县经信局（县科技局）", "县人力社保局", "县科协", "各乡镇")
    assert c.text.endswith("责任单位:县经信局(县科技局)、县人力社保局、县科协、各乡镇")
    assert c.section_labels == ["二、重点任务", "（三）培育壮大科技服务体系", "2．提质升级科技企业孵化器"]


@pytest.mark.parametrize("position, lead", [
    ("二、（一）1．", ("县经信局（县科技局）", "县交通运输局", "县文广旅体局", "县海洋与渔业局", "县发改局",
                   "市生态环境局嵊泗分局", "县投促中心")),
    ("二、（二）5．", ("县经信局（县科技局）", "县委组织部", "县财政局", "县人社局", "县科协")),
    ("三、5．", ("县经信局", "县绿色小微园区指挥部", "县海洋与渔业局", "县委组织部")),
    ("三、6．", ("市生态环境局嵊泗分局", "县资源规划局", "县海洋与渔业局", "县发改局")),
])
def test_shengsi_notes_on_the_following_line_close_their_item(position, lead):
    c = clause_at(seed(SHENGSI), position)
    assert c.responsibility.lead == lead
    assert "\n\n责任单位:" in c.text  # the note line is inside the clause's span


def test_shengsi_every_task_has_a_lead_and_nothing_else_has():
    for c in seed(SHENGSI).clauses:
        is_task = c.position[:2] in ("二、", "三、") and c.label.endswith("．")
        assert bool(c.responsibility) == is_task, c.id


def test_shengsi_section_one_titles_carry_their_body():
    doc = seed(SHENGSI)
    c = clause_at(doc, "一、（一）")
    assert c.section_labels == ["一、总体要求", "（一）指导思想"]
    assert c.text.startswith("(一)指导思想。\n\n按照习近平总书记")


CHROME_WORDS = ("当前位置", "浏览次数", "访问次数", "字体", "索引号", "Baidu", "map", ".pdf", "打印", "关闭",
                "发布时间", "信息来源", "主题分类")


@pytest.mark.parametrize("name", [SHENGSI, ZJ2019])
def test_web_capture_chrome_never_becomes_a_clause(name):
    doc = seed(name)
    for c in doc.clauses:
        assert not any(word in c.text for word in CHROME_WORDS), (c.id, c.text[:60])
    assert "当前位置" not in doc.text and "Baidu" not in doc.text and "索引号" not in doc.text


@pytest.mark.parametrize("name, frame", [
    (ZJ2019, "浙江省人民政府办公厅"), (ZJ2019, "2019年2月21日"), (ZJ2019, "(此件公开发布)"),
    (ZJ2019, "各市、县(市、区)人民政府,省政府直属各单位:"),
    (SHENGSI, "嵊泗县人民政府办公室"), (SHENGSI, "2023年4月23日"),
    (SUPPORT26, "抄送：省委办公厅、省政府办公厅、省农办。"),
])
def test_document_frame_stays_in_the_text_but_is_no_clause(name, frame):
    doc = seed(name)
    assert frame in doc.text
    assert not any(frame in c.text for c in doc.clauses)


def test_chenzhou_long_section_is_split_into_pieces_of_one_item():
    doc = seed(CHENZHOU)
    pieces = [c for c in doc.clauses if c.position == "三、"]
    assert [c.id.rsplit(":", 1)[1] for c in pieces] == ["h3~1", "h3~2", "h3~3"]
    assert all(c.section_labels == ["三、工作目标"] and c.label == "三、" for c in pieces)
    assert all(len(c.text) <= MAX_CLAUSE_CHARS for c in pieces)
    assert pieces[0].end <= pieces[1].start < pieces[1].end <= pieces[2].start
    assert doc.text[pieces[0].start:pieces[-1].end].count("——") == 4


def test_chenzhou_unnumbered_principles_stay_with_their_heading():
    c = clause_at(seed(CHENZHOU), "二、")
    assert c.section_labels == ["二、基本原则"]
    assert all(word in c.text for word in ("突出重点。", "体现特色。", "整体推进。", "突出应用。"))


# ----------------------------------------------------------------------------- heading grammar

@pytest.mark.parametrize("text, kind, number, label", [
    ("一、总体要求", "h", 1, "一、"), ("十二、其他", "h", 12, "十二、"), ("（三）加强", "p", 3, "（三）"),
    ("(十一)加强", "p", 11, "(十一)"), ("1．培育", "n", 1, "1．"), ("2、实施", "n", 2, "2、"),
    ("3.进入", "n", 3, "3."), ("（1）省级", "q", 1, "（1）"), ("(12)市级", "q", 12, "(12)"),
    ("②示范", "r", 2, "②"), ("第三章 附则", "c", 3, "第三章"), ("第二十一条 本办法", "a", 21, "第二十一条"),
    ("一、2025年发放情况", "h", 1, "一、"), ("1、2025年起", "n", 1, "1、"),
])
def test_heading_labels(text, kind, number, label):
    found = match_label(text)
    assert (found.kind, found.number, found.text) == (kind, number, label)


@pytest.mark.parametrize("text", ["2.5%的企业", "1.5万件", "1．5万元", "10.8亿元", "一.5", "1.", "（一）", "2019年"])
def test_numbers_are_not_headings(text):
    assert match_label(text) is None


def test_inline_headings_where_line_breaks_were_lost():
    text = ("国家税务总局 各单位：现提出以下要求。 一、支持疫情防控物资供应 对生产企业，加快退税。"
            "允许一次性扣除。 二、支持疾控医疗救治 对医疗服务免征增值税。 三、鼓励公益慈善捐赠 "
            "鼓励社会各界倾力相助、积极支持疫情防控工作。捐赠支出准予全额扣除。")
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["", "一、", "二、", "三、"]
    assert [c.section[0].title for c in clauses[1:]] == ["支持疫情防控物资供应", "支持疾控医疗救治", "鼓励公益慈善捐赠"]
    assert clauses[1].text == "一、支持疫情防控物资供应 对生产企业，加快退税。允许一次性扣除。"


def test_inline_candidates_out_of_sequence_stay_text():
    text = "一、加强领导 要求如下。 三、并非标题，只是引用。 2、也不是。 二、落实责任 做好工作。 1、细化分工。 2、按时报送。"
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["一、", "二、", "二、1、", "二、2、"]
    assert "三、并非标题" in clauses[0].text and "2、也不是" in clauses[0].text
    assert clauses[1].text == "二、落实责任 做好工作。"


def test_inline_decimals_are_not_cut():
    clauses = segment("一、目标 研发投入占比达到 2.5%，专利 1.5万件。 二、措施 加大投入。", "d")
    assert [c.position for c in clauses] == ["一、", "二、"]
    assert "2.5%" in clauses[0].text


def test_nested_grammar_down_to_circled_numbers():
    text = ("一、重点任务\n（一）建设平台。支持建设。\n1．建设省级平台。给予补助。\n（1）建设示范平台。\n"
            "①认定一批示范平台。\n②给予奖励。\n（2）建设一般平台。\n2．培育企业。")
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["一、（一）", "一、（一）1．", "一、（一）1．（1）①",
                                             "一、（一）1．（1）②", "一、（一）1．（2）", "一、（一）2．"]
    assert [c.id for c in clauses][:4] == ["d:h1.p1", "d:h1.p1.n1", "d:h1.p1.n1.q1.r1", "d:h1.p1.n1.q1.r2"]
    # 一、 and （1） carry only a title and items under them: section context, not clauses
    assert clauses[2].section_labels == ["一、重点任务", "（一）建设平台", "1．建设省级平台", "（1）建设示范平台",
                                         "①认定一批示范平台"]


def test_half_width_labels_display_in_full_width():
    clauses = segment("一、任务\n(一)建设平台。\n1.建设省级平台。", "d")
    assert clauses[-1].section_labels == ["一、任务", "（一）建设平台", "1．建设省级平台"]


def test_articles_without_chapters():
    clauses = segment("第一条 为了规范管理，制定本办法。\n第二条 本办法适用于全市。\n第三条 本办法自发布之日起施行。", "d")
    assert [c.label for c in clauses] == ["第一条", "第二条", "第三条"]
    assert [c.id for c in clauses] == ["d:a1", "d:a2", "d:a3"]
    assert clauses[0].section_labels == ["第一条"]  # an article has no title; its text is its body


def test_chapters_with_articles_under_them():
    text = ("第一章 总 则\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于全市。\n"
            "（一）市级项目；\n（二）区级项目。\n第二章 附 则\n第三条 本办法自发布之日起施行。")
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["第一章第一条", "第一章第二条", "第一章第二条（一）",
                                             "第一章第二条（二）", "第二章第三条"]
    assert clauses[-1].section_labels == ["第二章附 则", "第三条"]
    assert not any(c.text.startswith("第一章") for c in clauses)


def test_a_heading_with_nothing_under_it_is_an_item():
    text = "通告如下。 一、严禁聚餐。 二、广大群众要自觉抵制设宴聚餐行为。 三、严禁承办宴席。 四、违者严肃处理。"
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["", "一、", "二、", "三、", "四、"]
    assert clauses[3].text == "三、严禁承办宴席。"


def test_list_items_ending_with_semicolons_are_items():
    clauses = segment("一、说明如下：\n1．新增病例属于输入型还是续发型；\n2．新增病例所属社区；\n3．病例来源。", "d")
    assert [c.position for c in clauses] == ["一、1．", "一、2．", "一、3．"]
    assert clauses[0].text == "1．新增病例属于输入型还是续发型；"


@pytest.mark.parametrize("rest, title, title_only", [
    ("重点任务", "重点任务", True),
    ("指导思想。", "指导思想", True),
    ("加强组织领导。把科技支撑作为重点。", "加强组织领导", False),
    ("支持疫情防控物资供应 对生产、销售物资的企业，加快退税。", "支持疫情防控物资供应", False),
    ("附 则", "附 则", True),
    ("按照“打头阵、当先锋、做尖兵”的要求,切实加强科技干部队伍建设。坚持学习。",
     "按照“打头阵、当先锋、做尖兵”的要求,切实加强科技干部队伍建设", False),
])
def test_heading_titles(rest, title, title_only):
    assert split_title(rest) == (title, title_only)


# ----------------------------------------------------------------------------- responsibility

def test_note_with_persons_lead_and_cooperating_units():
    r = parse_note("责任人:邱飞章、成岳冲,牵头单位:计财处、法规处,配合单位:有关处室,各市、县(市、区)科技局(委)")
    assert r.persons == ("邱飞章", "成岳冲")
    assert r.lead == ("计财处", "法规处")
    assert r.cooperating == ("有关处室", "各市、县（市、区）科技局（委）")


@pytest.mark.parametrize("value, units", [
    ("各市、县(市、区)科技局(委)", ["各市、县（市、区）科技局（委）"]),
    ("各有关市、县（市、区）科技局（委）、各处室", ["各有关市、县（市、区）科技局（委）", "各处室"]),
    ("县经信局(县科技局)、县人力社保局", ["县经信局（县科技局）", "县人力社保局"]),
    ("有关处室", ["有关处室"]),
    ("县委组织部、 县财政局", ["县委组织部", "县财政局"]),
    ("人事处、机关党委、", ["人事处", "机关党委"]),
    ("各市、县（区）人民政府，平潭综合实验区管委会", ["各市、县（区）人民政府", "平潭综合实验区管委会"]),
])
def test_units_are_kept_as_written_with_full_width_brackets(value, units):
    assert split_units(value) == units


def test_note_in_brackets_on_a_line_of_its_own():
    r = parse_note("（责任单位：县科技局、县财政局）")
    assert r.lead == ("县科技局", "县财政局")


def test_trailing_note_tolerates_one_extra_closing_bracket():
    text = "力争融资额同比增长15%。(责任人:邱飞章,配合单位:各市、县(市、区)科技局(委)、各高新区))"
    start, inner = trailing_note(text)
    assert text[start] == "(" and inner.endswith("各高新区")
    assert parse_note(inner).cooperating == ("各市、县（市、区）科技局（委）", "各高新区")


def test_text_without_a_note_has_no_responsibility():
    assert trailing_note("支持企业发展（含小微企业）。") is None
    assert not parse_note("这里没有责任单位")


def test_note_on_the_following_lines_closes_the_item():
    text = "1．建设平台。\n\n责任单位:县科技局、县财政局\n\n2．培育企业。\n责任单位:县经信局\n3．没有分工。"
    clauses = segment(text, "d")
    assert [c.responsibility.lead for c in clauses] == [("县科技局", "县财政局"), ("县经信局",), ()]
    assert clauses[0].text.endswith("县财政局") and clauses[1].text == "2．培育企业。\n责任单位:县经信局"


def test_a_unit_list_wrapped_onto_the_next_line_stays_whole():
    text = ("1．建设平台。\n责任单位：县科技局、县财政局、\n县人力社保局、各乡镇\n"
            "2．培育企业。\n配合单位：有关处室，各市、\n县(市、区)科技局(委)\n3．下一项。")
    clauses = segment(text, "d")
    assert [c.id for c in clauses] == ["d:n1", "d:n2", "d:n3"]
    assert clauses[0].responsibility.lead == ("县科技局", "县财政局", "县人力社保局", "各乡镇")
    assert clauses[0].text.endswith("县人力社保局、各乡镇")
    # The idiom cut by the wrap joins as it would on one line.
    assert clauses[1].responsibility.cooperating == ("有关处室", "各市、县（市、区）科技局（委）")
    assert clauses[2].responsibility.lead == ()


@pytest.mark.parametrize("after", [
    "加强宣传培训，营造全社会支持创新的良好氛围。",   # a sentence, not a unit
    "2023年5月1日",                                     # the document's date (frame)
    "牵头单位：县发改局",                               # a note of its own
])
def test_only_a_unit_list_continues_a_wrapped_note(after):
    text = f"1．建设平台。\n责任单位：县科技局、\n{after}"
    clauses = segment(text, "d")
    assert clauses[0].responsibility.lead == (("县科技局", "县发改局") if after.startswith("牵头") else ("县科技局",))


def test_a_wrapped_list_of_persons_continues_with_names():
    clauses = segment("1．建设平台。\n责任人：邱飞章、\n王小明\n2．下一项。", "d")
    assert clauses[0].responsibility.persons == ("邱飞章", "王小明")


def test_a_note_that_ends_its_list_does_not_take_the_next_line():
    clauses = segment("1．建设平台。\n责任单位：县科技局\n县财政局安排资金\n", "d")
    assert clauses[0].responsibility.lead == ("县科技局",)
    assert [c.id for c in clauses] == ["d:n1", "d:n1+1"]


def test_unnumbered_paragraph_after_a_closed_item_is_its_own_clause():
    text = "一、任务\n1．建设平台。（牵头单位：甲处）\n另一项工作。（牵头单位：乙处）\n没有分工的说明。"
    clauses = segment(text, "d")
    assert [c.id for c in clauses] == ["d:h1.n1", "d:h1.n1+1", "d:h1.n1+2"]
    assert [c.responsibility.lead for c in clauses] == [("甲处",), ("乙处",), ()]
    assert all(c.section_labels == ["一、任务"] for c in clauses[1:])


def test_inline_notes_where_line_breaks_were_lost():
    text = ("一、措施 1.减免租金。（责任单位：市国资委、市财政局） 2.延期缴纳。 　　责任单位：市税务局 "
            "3.补贴车票。（牵头部门：组宣部  配合部门：财政局） 以上措施自发布之日起施行。")
    clauses = segment(text, "d")
    assert [c.position for c in clauses] == ["一、1．", "一、2．", "一、3．", "一、"]
    assert [c.responsibility.lead for c in clauses] == [("市国资委", "市财政局"), ("市税务局",), ("组宣部",), ()]
    assert clauses[2].responsibility.cooperating == ("财政局",)
    assert clauses[3].text == "以上措施自发布之日起施行。"


# ----------------------------------------------------------------------------- long items

def _long_item(sentences: int, note: str = "（牵头单位：科技局；配合单位：财政局）") -> str:
    body = "".join(f"第{i}句要求各地加快推进科技创新体系建设并落实配套资金保障。" for i in range(sentences))
    return f"一、重点任务\n（一）建设平台\n1．建设省级平台。{body}{note}\n2．培育企业。"


def test_long_item_is_split_into_pieces_that_keep_section_and_responsibility():
    clauses = segment(_long_item(40), "d")
    pieces = [c for c in clauses if c.position == "一、（一）1．"]
    assert len(pieces) > 3
    assert [c.id for c in pieces] == [f"d:h1.p1.n1~{i}" for i in range(1, len(pieces) + 1)]
    for c in pieces:
        assert c.section_labels == ["一、重点任务", "（一）建设平台", "1．建设省级平台"] and c.label == "1．"
        assert c.responsibility.lead == ("科技局",) and c.responsibility.cooperating == ("财政局",)
        assert len(c.text) <= MAX_CLAUSE_CHARS
        assert c.text[-1] in "。）"  # cut at a sentence end
    whole = "".join(c.text for c in pieces)
    assert whole.startswith("1．建设省级平台。") and whole.endswith("配合单位：财政局）")
    assert clauses[-1].position == "一、（一）2．" and not clauses[-1].responsibility


def test_item_up_to_the_bound_stays_whole():
    text = "1．" + "要" * (MAX_CLAUSE_CHARS - 3) + "。"
    assert len(text) == MAX_CLAUSE_CHARS
    assert [c.text for c in segment(text, "d")] == [text]


def test_single_sentence_longer_than_the_bound_stays_whole():
    text = "1．" + "要" * (3 * MAX_CLAUSE_CHARS) + "。" + "另" * 100 + "。"
    spans = split_long(text, 0, len(text))
    assert [text[s:e] for s, e in spans] == [text[:3 * MAX_CLAUSE_CHARS + 3], "另" * 100 + "。"]


def test_pieces_are_near_the_piece_size():
    text = "".join("这是一个长度适中的句子，用来测试切分。" for _ in range(60))
    spans = split_long(text, 0, len(text))
    lengths = [end - start for start, end in spans]
    assert sum(lengths) == len(text)
    assert all(length <= PIECE_CHARS for length in lengths[:-1])
    assert max(lengths) <= MAX_CLAUSE_CHARS


# ----------------------------------------------------------------------------- metadata and regions

@pytest.mark.parametrize("line, title", [
    ("交通运输部 国家发展改革委 国家铁路集团 关于统筹做好错峰返程工作的通知 交运明电〔2020〕44号 各省（区、市）交通运输厅：为…",
     "交通运输部国家发展改革委国家铁路集团关于统筹做好错峰返程工作的通知"),
    ("财政部 海关总署 税务总局关于防控疫情进口物资免税政策的公告 财政部公告2020年第6号 根据…，现公告如下。",
     "财政部海关总署税务总局关于防控疫情进口物资免税政策的公告"),
    ("龙岩市人社局转发省人社厅办公室 转发人社部办公厅关于切实 做好疫情防控期间人事管理工作的通知 各县（市、区）人社局，…：",
     "龙岩市人社局转发省人社厅办公室转发人社部办公厅关于切实做好疫情防控期间人事管理工作的通知"),
    ("甘肃省财政厅 国家税务总局甘肃省税务局 甘肃省财政厅 国家税务总局甘肃省税务局关于延期缴费的通知 各市州：",
     "甘肃省财政厅国家税务总局甘肃省税务局关于延期缴费的通知"),
    ("黑龙江：一手抓疫情防控，一手谋划备春耕 新华社哈尔滨2月6日电 题：…", "黑龙江：一手抓疫情防控，一手谋划备春耕"),
    ("铜川市人民政府 为贯彻落实应急响应要求，全力做好防控工作。", ""),
    ("各市、县(市、区)科技局(委),厅机关各处室:", ""),
    ("为深入贯彻党的二十大精神，现提出如下意见。", ""),
])
def test_title_at_the_head_of_a_line_that_lost_its_breaks(line, title):
    assert leading_title(line) == title


def test_flattened_notice_metadata_and_trailing_frame():
    text = ("财政部 税务总局关于支持疫情防控有关税收政策的公告 财税〔2020〕8号 为支持疫情防控，现公告如下： "
            "一、对生产企业新购置的设备，允许一次性扣除。 二、本公告自2020年1月1日起实施。 "
            "附件： 1.企业名单 2.申报表 财政部 税务总局 2020年2月6日 抄送：各省财政厅。")
    doc = parse_text(text)
    assert (doc.title, doc.doc_number, doc.issuer, doc.date) == (
        "财政部税务总局关于支持疫情防控有关税收政策的公告", "财税〔2020〕8号", "财政部 税务总局", "2020-02-06")
    assert [c.position for c in doc.clauses] == ["", "一、", "二、"]
    assert doc.clauses[-1].text == "二、本公告自2020年1月1日起实施。"


def test_issuer_read_from_the_title_the_container_states():
    source = SourceText("国务院办公厅关于健全医疗保险参保机制的指导意见\n为做好参保工作，现通告如下。\n一、参保范围\n本市居民。",
                        meta={"title": "广州市医疗保险服务中心关于开展集中参保缴费工作的通告"})
    doc = parse_source(source, "gz", "gz.html")
    assert doc.title == "广州市医疗保险服务中心关于开展集中参保缴费工作的通告"
    assert doc.issuer == "广州市医疗保险服务中心"
    assert doc.region.label == "广东省·广州市"


@pytest.mark.parametrize("issuer, title, doc_number, label", [
    ("嵊泗县人民政府办公室", "", "", "浙江省·舟山市·嵊泗县"),
    ("郴州市科学技术局", "", "", "湖南省·郴州市"),
    ("省政府办公厅", "", "浙政办发〔2019〕11号", "浙江省"),  # 文号 abbreviation fallback
    ("浙江省科学技术厅", "关于科技支撑淳安等26县加快发展的实施意见", "", "浙江省"),  # issuer beats title
    ("", "上海宝山出台15项政策细则", "", "上海市·宝山区"),
    ("", "浙江重庆两地医学专家视频连线", "", ""),  # contradictory levels state no region
    ("通州区人力资源和社会保障局", "", "", ""),  # a county name two cities share
    ("国家卫生健康委办公厅", "", "国卫办医函〔2020〕83号", "全国"),  # a ministry: the whole country
])
def test_region_resolution(issuer, title, doc_number, label):
    assert resolve_region(issuer, title, doc_number).label == label


@pytest.mark.parametrize("issuer, site, label", [
    ("市人力资源社会保障局", "广州市人力资源和社会保障局网站", "广东省·广州市"),
    ("区住建园林局", "广州市天河区人民政府门户网站", "广东省·广州市·天河区"),
    ("市人力资源社会保障局", "广州市天河区人民政府门户网站", "广东省·广州市"),  # the city's organ on a district site
    ("粤省事微信公众号", "广州市人民政府门户网站", ""),  # not an organ of the site's place
    ("国家法律法规数据库", "广州市人民政府门户网站", ""),  # a national text republished
    ("", "广州市人民政府门户网站", ""),  # nobody named
    ("郴州市科学技术局", "广州市人民政府门户网站", "湖南省·郴州市"),  # a named place wins
    ("市场监督管理局", "广州市黄埔区人民政府门户网站", ""),  # 市场 is not 市: no level, no region
])
def test_an_organ_named_by_its_level_alone_takes_the_site_region(issuer, site, label):
    assert resolve_region(issuer, "", "", site).label == label


# ----------------------------------------------------------------------------- bad input

def _error(path: Path, root: Path | None = None) -> str:
    with pytest.raises(CorpusError) as info:
        load_document(path, root)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    return message


def test_empty_and_blank_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b" \n\n\t \n")
    assert "empty" in _error(tmp_path / "empty.txt")
    assert "empty" in _error(tmp_path / "blank.txt")


def test_binary_file(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert "binary" in _error(tmp_path / "image.txt")


def test_unknown_extension(tmp_path):
    (tmp_path / "notice.xyz").write_text("一、总体要求", encoding="utf-8")
    (tmp_path / "README").write_text("一、总体要求", encoding="utf-8")
    assert "unsupported file type '.xyz'" in _error(tmp_path / "notice.xyz")
    assert "unsupported file type" in _error(tmp_path / "README")


def test_undecodable_bytes(tmp_path):
    noise = random.Random(0)
    (tmp_path / "noise.txt").write_bytes(bytes(noise.randrange(0x80, 0x100) for _ in range(3000)))
    assert "cannot decode" in _error(tmp_path / "noise.txt")


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 2**20)  # sparse: nothing is written, nothing must be read
    assert "50.0 MB" in _error(big)


def test_page_that_is_only_navigation(tmp_path):
    (tmp_path / "nav.txt").write_text("当前位置：首页 > 政务公开\n打印 关闭\n", encoding="utf-8")
    assert "no text left" in _error(tmp_path / "nav.txt")


def test_document_without_headings_is_one_section_of_paragraphs(tmp_path):
    text = ("关于做好春季农业生产的通知\n各乡镇人民政府：\n为做好春耕备耕工作，现通知如下。\n"
            "各地要抓好农资供应，确保种子化肥及时到位。\n各地要加强技术指导，组织农技人员下乡服务。\n"
            "某县农业农村局\n2020年2月10日\n")
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    doc = load_document(tmp_path / "plain.txt", tmp_path)
    assert doc.title == "关于做好春季农业生产的通知" and doc.date == "2020-02-10"
    assert [c.text for c in doc.clauses] == ["为做好春耕备耕工作，现通知如下。", "各地要抓好农资供应，确保种子化肥及时到位。",
                                             "各地要加强技术指导，组织农技人员下乡服务。"]
    assert all(c.section == () for c in doc.clauses) and not doc.warnings


def test_sidecar_overrides_region_and_title(tmp_path):
    shutil.copy(CORPUS / f"{SUPPORT26}.txt", tmp_path / "doc.txt")
    (tmp_path / "doc.meta.json").write_text(json.dumps(
        {"region": "浙江省·杭州市·淳安县", "title": "科技支撑26县", "unknown": "ignored"}, ensure_ascii=False),
        encoding="utf-8")
    doc = load_document(tmp_path / "doc.txt", tmp_path)
    assert doc.region == Region("浙江省", "杭州市", "淳安县")
    assert doc.title == "科技支撑26县"
    assert doc.issuer == "浙江省科学技术厅" and len(doc.clauses) == SEED_COUNTS[SUPPORT26]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\"a string\""])
def test_malformed_sidecar(tmp_path, content):
    shutil.copy(CORPUS / f"{SUPPORT26}.txt", tmp_path / "doc.txt")
    (tmp_path / "doc.meta.json").write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match="sidecar"):
        load_document(tmp_path / "doc.txt", tmp_path)


def test_corpus_walk_reports_bad_files_and_keeps_going(tmp_path):
    shutil.copy(CORPUS / f"{SUPPORT26}.txt", tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "good.meta.json").write_text("{}", encoding="utf-8")  # a sidecar is no document
    results = list(iter_corpus(tmp_path))
    assert [type(r).__name__ for r in results] == ["CorpusError", "Document"]
    assert results[1].id == "good" and len(results[1].clauses) == SEED_COUNTS[SUPPORT26]


def test_a_forwarding_notice_saved_as_one_line_keeps_the_document_it_forwards(tmp_path):
    """The signature of the notice that forwards a document is no trailing frame when sentences
    follow it: the measures after it are the body (a page saved as one line)."""
    from indexer.parse.boilerplate import frame_tail

    line = ("某市人民政府关于印发某市支持中小企业发展政策措施的通知 　　各县（市）、区人民政府： 　　现将《措施》印发给你们，"
            "请认真贯彻执行。 　　某市人民政府 　　2020年2月7日 　　一、严格复工管理 　　（一）全力支持企业复工。企业复工前做好准备。"
            "（二）减免房租。对承租国有房产的企业免收一个月房租。（三）稳定就业。对不裁员的企业返还失业保险费。")
    assert frame_tail(line) == len(line)
    signed_last = "（三）稳定就业。对不裁员的企业返还失业保险费。 　　某市人民政府 　　2020年2月7日"
    assert frame_tail(signed_last) < signed_last.index("某市人民政府")
    source = tmp_path / "one-line.txt"
    source.write_text(line, encoding="utf-8")
    doc = load_document(source, tmp_path)
    assert any("返还失业保险费" in c.text for c in doc.clauses)


def test_a_long_item_of_several_noted_measures_answers_piece_by_piece():
    # A page that lost its line breaks and a bracket: after an unclosed note, one item runs on
    # over three measures, each closed by its own note.
    measures = [("对受疫情影响的中小微企业给予贷款贴息支持，" * 5, "区金融办、区财政局"),
                ("对坚持营业的超市上岗人员发放岗位补贴，每人每天100元，" * 4, "区商务局、区人力资源社会保障局"),
                ("推行不见面审批，优化企业注册和经营许可流程，" * 5, "区政务服务局")]
    body = " ".join(f"{text[:-1]}。（责任单位：{units}）" for text, units in measures)
    clauses = segment(f"一、支持企业发展\n1.设立专项资金。（责任单位：园区管委会、区国资委 {body}\n", "doc")
    assert len(clauses) > 1
    for clause in clauses:
        # a note stays with the measure it closes, and a piece lists only the notes it holds
        assert not clause.text.lstrip().startswith("（责任单位")
        for text, units in measures:
            if f"（责任单位：{units}）" not in clause.text:
                assert units.split("、")[0] not in clause.responsibility.lead
    subsidy = next(c for c in clauses if "岗位补贴" in c.text)
    assert {"区商务局", "区人力资源社会保障局"} <= set(subsidy.responsibility.lead)


def test_a_piece_is_never_cut_inside_a_note_with_two_roles_or_nested_brackets():
    # long enough that the piece would end at the note's '；' (or before the note) if cut there
    measure = "加大援企稳岗力度，对不裁员或少裁员的中小企业，返还其上年度实际缴纳失业保险费的50%。" * 4 + "支持" * 20 + "。"
    note = "（牵头单位：市发改委；配合单位：市财政局、各县（市、区）人民政府）"
    text = f"{measure}{note}。{measure}（责任单位：市人社局）。"
    pieces = [text[s:e] for s, e in split_long(text, 0, len(text))]
    assert len(pieces) > 1
    assert sum(note in piece for piece in pieces) == 1  # whole, in one piece
    assert not any(piece.startswith("（") for piece in pieces)  # and with the measure it closes
    clauses = segment(f"一、稳定就业\n1.援企稳岗。（责任单位：市人社局 {text}\n", "doc")
    first = next(c for c in clauses if note in c.text)
    assert "市发改委" in first.responsibility.lead
    assert "市财政局" in first.responsibility.cooperating


def test_a_number_lost_in_scraping_does_not_merge_the_items_after_it():
    doc = parse_text("关于支持企业发展的若干措施 为支持企业，制定以下措施。 1.设立疫情防控专项资金。（责任单位：区国资委） "
                     "2.搭建物资互助平台。（责任单位：区投促中心） 区属企业减免租金，免收一个月房租。（责任单位：区国资委） "
                     "4.鼓励业主为中小微企业减免房租。（责任单位：区财政局） 5.提供高效金融服务。（责任单位：区金融办）")
    by_id = {c.id.split(":")[1]: c for c in doc.clauses}
    assert {"n1", "n2", "n4", "n5"} <= set(by_id)
    assert by_id["n4"].responsibility.lead == ("区财政局",) and by_id["n5"].responsibility.lead == ("区金融办",)
    # the note before the gap may have lost its closing bracket as well
    doc = parse_text("若干措施 1.甲项措施。（责任单位：甲） 2.乙项措施。（责任单位：乙） 丙项措施。（责任单位：区国资委、区集体资产监管办 "
                     "4.丁项措施。（责任单位：丁）")
    assert "n4" in {c.id.split(":")[1] for c in doc.clauses}
    # a date inside an item is no item: '4、5月份' in item 2 when '3.' follows on the line
    doc = parse_text("若干措施 1.设立专项资金。 2.减免房租，对承租国有房屋的中小企业， 4、5月份房租减半收取。 3.加大金融支持。")
    assert {c.id.split(":")[1] for c in doc.clauses} >= {"n1", "n2", "n3"}
    assert "n4" not in {c.id.split(":")[1] for c in doc.clauses}
    # two numbers lost is no longer one item's gap: '7.' after '2.' stays in the text
    doc = parse_text("若干措施 1.甲项措施。（责任单位：甲） 2.乙项措施。（责任单位：乙） 7.丙项措施。（责任单位：丙）")
    assert "n7" not in {c.id.split(":")[1] for c in doc.clauses}
