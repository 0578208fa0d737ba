"""Lineage and validity: the documents a text cites and which corpus document each is, then
whether a document is in force on a day — pinned on the seed documents, then each rule."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from indexer.parse.citations import (
    Citation,
    catalogue,
    extract_citations,
    normalise_doc_number,
    resolve,
)
from indexer.parse.documents import load_document
from indexer.parse.validity import Validity, validity_of
from indexer.types import Document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
AS_OF = "2026-12-01"


@functools.cache
def seed(name: str) -> Document:
    return load_document(CORPUS / f"{name}.txt", CORPUS)


def seed_validity(name: str) -> Validity:
    doc = seed(name)
    return validity_of(doc.title, doc.text, doc.date)


# ----------------------------------------------------------------------------- 文号

@pytest.mark.parametrize("printed", [
    "浙政办发〔2019〕11号", "浙政办发[2019]11号", "浙政办发(2019)11号", "浙政办发［2019］11号",
    "浙政办发（2019）11 号", "浙政办发〔2019〕第11号", "浙政办发【2019】11号", " 浙政办发 〔 2019 〕 011号",
    "浙政办发〔２０１９〕１１号",
])
def test_every_bracket_style_of_a_doc_number_reads_as_one(printed):
    assert normalise_doc_number(printed) == "浙政办发〔2019〕11号"


def test_different_doc_numbers_stay_different():
    assert normalise_doc_number("浙政办发〔2019〕11号") != normalise_doc_number("浙政办发〔2019〕110号")
    assert normalise_doc_number("浙政办发〔2019〕11号") != normalise_doc_number("浙政发〔2019〕11号")
    assert normalise_doc_number("") == ""


# ----------------------------------------------------------------------------- citations

def test_issuers_printed_before_a_title_belong_to_the_citation():
    text = "为深入贯彻省委、省政府《关于推进淳安等26县加快发展的若干意见》（浙委发〔2015〕8号）文件精神，现提出如下意见。"
    [c] = extract_citations(text)
    assert c.title == "关于推进淳安等26县加快发展的若干意见"
    assert c.doc_number == "浙委发〔2015〕8号"
    assert c.text == "省委、省政府《关于推进淳安等26县加快发展的若干意见》（浙委发〔2015〕8号）"
    assert text[c.start:c.end] == c.text
    assert c.to_dict()["doc_number"] == "浙委发〔2015〕8号"


def test_a_title_carries_the_doc_number_in_any_bracket_style():
    text = "按照《关于做好一线医务人员保障工作的通知》(肺炎机制发[2020]23号)和《海关总署关于捐赠物资通关的公告》" \
           "（海关总署公告2020年第17号）执行。"
    assert [(c.title, c.doc_number) for c in extract_citations(text)] == [
        ("关于做好一线医务人员保障工作的通知", "肺炎机制发〔2020〕23号"),
        ("海关总署关于捐赠物资通关的公告", "海关总署公告2020年17号"),
    ]


def test_a_bare_doc_number_a_sentence_cites_is_a_citation():
    [c] = extract_citations("根据浙政办发〔2019〕11号文件精神，结合我县实际，制定本方案。")
    assert (c.text, c.title, c.doc_number) == ("浙政办发〔2019〕11号", "", "浙政办发〔2019〕11号")


def test_the_documents_own_doc_number_at_its_head_cites_nothing():
    assert extract_citations("郴科发〔2012〕29号\n郴州市科学技术局\n关于实施…的意见") == []
    assert extract_citations("关于做好复工工作的通知 交运明电〔2020〕44号 各省、自治区交通运输厅：") == []


def test_titles_that_name_no_document_are_dropped():
    text = "充分发挥《科技之窗》的作用，《人民日报》对此作了报道，以下简称《意见》。依照《中华人民共和国传染病防治法》。"
    assert [c.title for c in extract_citations(text)] == ["中华人民共和国传染病防治法"]


def test_a_document_cited_twice_is_one_citation_that_keeps_its_doc_number():
    text = "根据《关于促进县域创新驱动发展的实施意见》，落实《关于促进县域创新驱动发展的实施意见》" \
           "（浙政办发〔2019〕11号）和浙政办发[2019]11号文件要求。"
    [c] = extract_citations(text)
    assert (c.title, c.doc_number, c.start) == ("关于促进县域创新驱动发展的实施意见", "浙政办发〔2019〕11号", 2)


@pytest.mark.parametrize("text", ["", "《", "》《", "《未闭合的意见 浙政办发〔2019〕", "《》（浙政办发〔2019〕11号）",
                                  "浙政办发〔〕号", "《" * 5000, "根据" + "浙" * 5000 + "〔2019〕11号文件"])
def test_bad_input_gives_a_list_never_an_error(text):
    assert isinstance(extract_citations(text), list)


def test_an_unclosed_title_does_not_hide_the_doc_number_after_it():
    assert [c.doc_number for c in extract_citations("《未闭合的意见 和 浙政办发〔2019〕11号等文件")] == \
        ["浙政办发〔2019〕11号"]


def test_the_seed_citations():
    cited = [(c.title, c.doc_number) for c in extract_citations(seed("shengsi-2023-innovation-system-plan").text)]
    assert ("浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见", "浙政办发〔2019〕11号") in cited
    assert ("浙江省“315”科技创新体系建设工程实施方案(2023—2027年)", "浙政发〔2023〕6号") in cited


# ----------------------------------------------------------------------------- resolve

DOCS = [
    {"id": "zj2019", "title": "浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见", "doc_number": "浙政办发〔2019〕11号"},
    {"id": "plan", "title": "嵊泗县人民政府办公室关于印发嵊泗县科技创新体系建设工程实施方案(2023—2027年)的通知",
     "doc_number": "嵊政办发〔2023〕28号"},
    {"id": "a", "title": "甲市人民政府关于加快发展的若干意见", "doc_number": ""},
    {"id": "b", "title": "乙市人民政府关于加快发展的若干意见", "doc_number": ""},
]


def cite(title: str = "", number: str = "") -> Citation:
    return Citation(title or number, title, normalise_doc_number(number), 0, 1)


def test_a_citation_resolves_by_doc_number_whatever_its_brackets():
    assert resolve([cite(number="浙政办发(2019)11号")], DOCS) == ["zj2019"]


def test_a_citation_resolves_by_title_without_its_issuer_or_the_notice_that_carries_it():
    assert resolve([cite("关于促进县域创新驱动发展的实施意见")], DOCS) == ["zj2019"]
    assert resolve([cite("《浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见》")], DOCS) == ["zj2019"]
    assert resolve([cite("嵊泗县科技创新体系建设工程实施方案（2023-2027年）")], DOCS) == ["plan"]


def test_a_title_two_documents_end_with_or_too_short_a_title_resolves_to_nothing():
    assert resolve([cite("关于加快发展的若干意见")], DOCS) == [None]
    assert resolve([cite("实施意见")], DOCS) == [None]
    assert resolve([cite("关于促进县域创新驱动发展的实施意见", "浙政办发〔2099〕1号")], DOCS) == ["zj2019"]
    assert resolve([cite("无此文件的通知")], DOCS) == [None]


def test_a_document_never_resolves_a_citation_to_itself():
    citations = [cite(number="浙政办发〔2019〕11号"), cite("关于促进县域创新驱动发展的实施意见")]
    assert resolve(citations, DOCS, self_id="zj2019") == [None, None]
    assert resolve(citations, catalogue(DOCS), self_id="plan") == ["zj2019", "zj2019"]


def test_documents_resolve_as_objects_too():
    docs = [seed(n) for n in ("zhejiang-2019-county-innovation-opinions", "shengsi-2023-innovation-system-plan")]
    citations = extract_citations(docs[1].text)
    resolved = dict(zip((c.title for c in citations), resolve(citations, docs, self_id=docs[1].id)))
    assert resolved["浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见"] == "zhejiang-2019-county-innovation-opinions"
    assert resolved["嵊泗县科技创新体系建设工程实施方案(2023—2027年)"] is None  # its own attachment


# ----------------------------------------------------------------------------- validity: seeds

def test_a_three_year_plan_from_2012_has_expired():
    v = seed_validity("chenzhou-2012-county-tech-action-plan")
    assert (v.effective_from, v.effective_to) == ("2012-01-01", "2014-12-31")
    assert v.status(AS_OF) == "expired"
    assert v.status("2013-06-01") == "in_force"


def test_a_plan_for_2023_to_2027_is_in_force():
    v = seed_validity("shengsi-2023-innovation-system-plan")
    assert (v.effective_from, v.effective_to, v.basis) == ("2023-01-01", "2027-12-31", "2023—2027年")
    assert v.status(AS_OF) == "in_force"
    assert v.status("2028-01-01") == "expired"


def test_the_other_seeds():
    assert seed_validity("zhejiang-kjt-2015-support-26-counties") == \
        Validity("2015-08-01", "", "本意见自2015年8月1日起正式施行")
    assert seed_validity("zhejiang-kjt-2015-work-points").effective_to == "2015-12-31"
    v = seed_validity("zhejiang-2019-county-innovation-opinions")  # '废止时间: 0000-00-00' says nothing
    assert (v, v.status(AS_OF)) == (Validity(), "unknown")


# ----------------------------------------------------------------------------- validity: rules

def test_a_document_takes_effect_on_the_date_it_states():
    v = validity_of("某办法", "第三十条 本办法自2020年3月1日起施行。", "2020-01-10")
    assert (v.effective_from, v.basis) == ("2020-03-01", "本办法自2020年3月1日起施行")
    assert v.status("2020-02-29") == "not_yet"
    assert v.status("2020-03-01") == "in_force"
    assert validity_of("", "本通知自二〇二〇年三月一日起施行。", "").effective_from == "2020-03-01"


@pytest.mark.parametrize("said", ["本通告自发布之日起执行。", "本通知自印发之日起施行。", "四、其他 本意见自印发之日起执行"])
def test_from_the_day_it_is_issued_means_the_documents_own_date(said):
    assert validity_of("", said, "2020-02-08").effective_from == "2020-02-08"
    assert validity_of("", said, "").status(AS_OF) == "unknown"


@pytest.mark.parametrize(("said", "end"), [
    ("本办法自2020年3月1日起施行，有效期5年。", "2025-02-28"),
    ("本办法自2020年3月1日起施行。有效期为三年。", "2023-02-28"),
    ("本意见自2020年2月29日起施行，有效期1年。", "2021-02-28"),
    ("本政策执行期暂定为自发布之日起的三个月。", "2020-04-30"),
    ("本措施自印发之日起实施，有效期至2025年12月31日。", "2025-12-31"),
    ("本措施自印发之日起实施，有效期至2020年底。", "2020-12-31"),
])
def test_a_term_ends_the_day_before_its_anniversary(said, end):
    assert validity_of("", said, "2020-01-31").effective_to == end


def test_a_measures_own_term_or_a_cited_documents_is_not_the_documents():
    text = "一、免收注册费。注册费零收费执行期限为2020年1月1日至2020年6月30日。\n" \
           "颁发有效期3个月的临时注册证。《条例》自2020年3月1日起施行。近日发布公告，明确自2020年1月1日起实施优惠政策。"
    assert validity_of("关于支持企业的若干措施", text, "2020-02-01") == Validity()


@pytest.mark.parametrize(("title", "start", "end"), [
    ("嵊泗县科技创新体系建设工程实施方案(2023-2027年)", "2023-01-01", "2027-12-31"),
    ("湖南省科技行动计划(2012年-2014年)", "2012-01-01", "2014-12-31"),
    ("浙江省科技创新发展“十四五”规划", "2021-01-01", "2025-12-31"),
    ("某县科技创新三年行动计划", "2019-01-01", "2021-12-31"),
    ("省科技厅2015年工作要点", "2015-01-01", "2015-12-31"),
])
def test_a_plan_is_in_force_for_the_period_its_title_names(title, start, end):
    v = validity_of(title, "为推进科技创新，制定本方案。", "2019-05-01")
    assert (v.effective_from, v.effective_to) == (start, end)


def test_a_date_alone_says_nothing():
    v = validity_of("关于做好复工工作的通知", "各单位：请做好复工工作。", "2020-02-01")
    assert v == Validity() and v.status(AS_OF) == "unknown"


@pytest.mark.parametrize(("field", "status"), [
    ("时效性：现行有效", "in_force"), ("[有效性] 有效", "in_force"), ("时效性：已失效", "expired"),
    ("效力状态：\n  已废止", "expired"), ("（本文件已废止）", "expired"), ("该文件已失效。", "expired"),
])
def test_a_captures_status_field_decides(field, status):
    v = validity_of("关于做好复工工作的通知", f"{field}\n各单位：请做好复工工作。", "2020-02-01")
    assert v.status(AS_OF) == status
    assert validity_of("", field, "").status(AS_OF) == status


def test_an_expired_document_stops_on_its_repeal_date_else_its_own_date():
    v = validity_of("", "废止日期：2022-01-01\n本办法自2020年3月1日起施行。", "2020-02-01")
    assert (v.effective_from, v.effective_to) == ("2020-03-01", "2022-01-01")
    assert v.status("2021-06-01") == "in_force" and v.status(AS_OF) == "expired"
    assert validity_of("", "时效性：已失效", "2020-02-01").effective_to == "2020-02-01"


@pytest.mark.parametrize("text", ["废止时间: 0000-00-00", "本办法自2020年2月30日起施行。", "有效期至2021年13月1日",
                                  "本办法自2020年3月1日起施行，有效期0年。"])
def test_calendar_invalid_dates_are_ignored(text):
    assert validity_of("", text, "0000-00-00").effective_to == ""
    assert validity_of("", text, "2020-02-30").status(AS_OF) in ("unknown", "in_force")


@pytest.mark.parametrize("text", ["", "\n\n", "本" * 10000, "自" * 10000, "有效期" * 3000, "时效性：" + " " * 10000])
def test_empty_or_odd_text_is_unknown(text):
    assert validity_of("", text, "").status(AS_OF) == "unknown"


def test_as_of_must_be_a_date():
    with pytest.raises(ValueError):
        Validity("2020-01-01").status("2020-02-30")
    assert Validity("2020-01-01", "2020-12-31", "x").to_dict("2021-01-01") == {
        "effective_from": "2020-01-01", "effective_to": "2020-12-31", "basis": "x", "status": "expired"}


def test_a_document_quoting_its_own_title_or_number_does_not_cite_itself():
    from indexer.parse.citations import Citation, cites_itself

    own = Citation("《省科技厅2015年工作要点及责任分解》", "省科技厅2015年工作要点及责任分解", "", 0, 10)
    assert cites_itself(own, "省科技厅2015年工作要点及责任分解", "")
    issued = Citation("《嵊泗县科技创新体系建设工程实施方案》", "嵊泗县科技创新体系建设工程实施方案", "", 0, 10)
    assert cites_itself(issued, "关于印发嵊泗县科技创新体系建设工程实施方案的通知", "")
    number = Citation("浙政办发[2019]11号", "", "浙政办发〔2019〕11号", 0, 10)
    assert cites_itself(number, "某意见", "浙政办发〔2019〕11号")
    other = Citation("《关于推进淳安等26县加快发展的若干意见》", "关于推进淳安等26县加快发展的若干意见", "浙委发〔2015〕8号", 0, 10)
    assert not cites_itself(other, "浙江省科学技术厅关于科技支撑淳安等26县的实施意见", "")
