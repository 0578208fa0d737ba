"""Metadata read from real notices against hand labels (tests/fixtures/metadata/labels.jsonl),
and the bad inputs of issue #15, each as a specification of behaviour."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from indexer.parse.documents import parse_source
from indexer.parse.metadata import find_doc_number, read_text_meta
from indexer.parse.organs import split_organs
from indexer.parse.regions import resolve_region
from indexer.types import SourceText

REPO = Path(__file__).resolve().parents[2]
# Reached on the labelled sample (bench/bench_metadata.py), less a margin of about one document.
FLOORS = {"issuer": (0.97, 0.97), "date": (0.97, 0.97), "doc_number": (0.92, 0.92),
          "region": (0.94, 0.91)}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_metadata", REPO / "bench" / "bench_metadata.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_labelled_sample_meets_its_floors(shared_dir):
    if not (shared_dir / "datasets" / "ncp-policy-qa").is_dir() or \
            not (shared_dir / "datasets" / "gz-policy-html").is_dir():
        pytest.skip("labelled datasets not found in ../shared")
    bench = _bench()
    scores = bench.score(bench.evaluate(shared_dir))
    for field, (precision, recall) in FLOORS.items():
        assert scores[field].precision >= precision, (field, scores[field])
        assert scores[field].recall >= recall, (field, scores[field])


def test_label_file_lives_in_the_repo_and_covers_the_fixed_sample():
    rows = _bench().load_labels()
    assert sum(r["dataset"] == "ncp-policy-qa" for r in rows) == 67  # every 9th notice
    assert sum(r["dataset"] == "gz-policy-html" for r in rows) == 24  # every 2nd page


def meta(text: str):
    return read_text_meta(text, text)


def test_a_title_that_is_only_guanyu_yinfa_has_no_issuer():
    m = meta("关于印发防控工作方案的通知\n各区县：\n现将方案印发给你们。\n一、总体要求\n做好防控。")
    assert m.issuer == "" and m.issuers == ()


def test_function_words_and_sentence_pieces_are_never_organs():
    assert split_organs("关于") == () and split_organs("印发") == ()
    assert split_organs("根据省委省政府") == ()
    assert split_organs("财政部税务总局") == ("财政部", "税务总局")
    assert split_organs("国家税务总局河南省税务局") == ("国家税务总局河南省税务局",)


def test_co_issuers_from_the_signature_are_a_list_joined_by_a_space():
    m = meta("关于支持疫情防控有关税收政策的公告 为支持疫情防控，现公告如下： 一、免征增值税。 "
             "财政部 海关总署 税务总局 2020年2月1日")
    assert m.issuers == ("财政部", "海关总署", "税务总局") and m.issuer == "财政部 海关总署 税务总局"
    assert m.date == "2020-02-01"


def test_a_signature_without_organ_gives_the_date_and_no_issuer():
    m = meta("关于做好复工工作的通知 各单位： 现就有关事项通知如下。 一、做好防护。 2020年2月17日")
    assert (m.issuer, m.date) == ("", "2020-02-17")


def test_of_two_dates_at_the_end_the_one_under_the_organ_wins():
    m = meta("关于做好复工工作的通知 各单位： 一、做好防护。 海陵区行政审批局 2020年1月30日 2020年2月3日")
    assert (m.issuer, m.date) == ("海陵区行政审批局", "2020-01-30")


def test_a_date_in_the_body_is_an_event_not_the_documents_date():
    m = meta("关于恢复交通秩序的通告 各县区： 一、自2020年2月22日24时起撤销卡口。 二、恢复通行。")
    assert m.date == ""


def test_a_doc_number_inside_a_quoted_citation_is_the_cited_documents():
    head = "关于做好社会保险经办工作的通知 根据《关于切实做好社会保险经办工作的通知》（人社厅明电〔2020〕7号）精神"
    assert find_doc_number(head, head, "关于做好社会保险经办工作的通知") == ""
    cited = "新冠肺炎税收政策指引 【政策依据】《关于支持疫情防控有关税收政策的公告》（2020年第8号）"
    assert find_doc_number(cited, cited, "新冠肺炎税收政策指引") == ""


@pytest.mark.parametrize("head, number", [
    ("京政办发〔2020〕7号\n各区人民政府：", "京政办发〔2020〕7号"),
    ("关于捐赠税收政策的公告 财政部 税务总局公告2020年第9号 为支持…", "财政部 税务总局公告2020年第9号"),
    ("四川省应对新型冠状病毒肺炎疫情应急指挥部通告（第7号） 根据…", "第7号"),
    ("2020年第2号 为进一步做好疫情防控工作，现公告如下：", "2020年第2号"),
    ("人力资源社会保障部 财政部 税务总局关于阶段性减免企业社会保险费的通知人社部发〔2020〕11号 各省：",
     "人社部发〔2020〕11号"),
    # the small-form brackets some sites print: one 文号, in its canonical brackets
    ("关于切实为基层减负的通知 肺炎机制发﹝2020﹞21号 各省、自治区：", "肺炎机制发〔2020〕21号"),
])
def test_doc_number_in_its_real_forms(head, number):
    title = head.split()[0]
    assert find_doc_number(head, head, title) == number


def test_a_headline_quoting_a_notice_reports_it_and_a_title_naming_its_own_type_is_one():
    report = meta("商务部印发《关于在做好防疫工作的前提下推动商务领域企业有序复工复产的通知》 2月23日晚，商务部"
                  "党组书记、部长钟山主持召开领导小组专题会议，研究部署有关工作。会议强调，要有序推动复工复产。")
    assert report.kind == "news" and report.issuer == ""
    notice = meta("省发展改革委印发《关于全力支持服务业市场主体积极应对疫情若干政策措施》的通知 各市（州）发展改革委："
                  "现将《措施》印发给你们，请认真贯彻执行。 贵州省发展和改革委员会 2020年2月12日")
    assert notice.kind == "notice" and notice.issuer
    # a quote not after a verb of issuing is this document's own title, and a forwarding one forwards
    own = meta("北京市《关于应对新型冠状病毒感染的肺炎疫情影响促进中小微企业持续健康发展的若干措施》 "
               "一、减轻企业负担。对承租市及区属国有企业房产的中小微企业，免收2月份房租。")
    assert own.kind == "notice"
    forwarded = meta("转发《关于做好复工复产工作的通知》 为做好疫情防控期间复工复产工作，现将有关事项转发如下。")
    assert forwarded.kind == "notice"
    reading = meta("《关于做好出院患者跟踪随访工作的通知》解读 近日，国家卫生健康委印发通知，要求做好随访。")
    assert reading.kind == "news"


def test_a_news_report_keeps_title_and_date_but_has_no_issuer():
    m = meta("北京海关出台24条措施支持企业复工复产 新华社北京2月19日电（记者 王晓洁）北京海关日前发布公告。")
    assert m.kind == "news" and m.issuer == ""
    notice = meta("北京市公安局关于严厉打击涉疫违法犯罪的公告 一、依法打击。 北京市公安局 2020年2月1日")
    assert notice.kind == "notice" and notice.issuer == "北京市公安局"


@pytest.mark.parametrize("issuer, title, label", [
    ("财政部 税务总局", "", "全国"),  # national organs act for the whole country
    ("商务部办公厅", "", "全国"),
    ("", "这个地处三区交界的大社区", ""),  # a common word is no place (cpca: 高雄市大社区)
    ("", "新区开发区建设", ""),
    ("共青团北京市委经济技术开发区工作委员会", "", "北京市"),
])
def test_region_never_from_a_common_word(issuer, title, label):
    assert resolve_region(issuer, title).label == label


def test_meta_tags_that_contradict_the_text_lose_to_the_text():
    text = ("广州市医疗保险服务中心关于开展参保缴费工作的通告\n为做好参保工作，现通告如下：\n一、参保范围\n"
            "本市户籍人员。\n广州市医疗保险服务中心\n2025年10月14日")
    source = SourceText(text=text, meta={"title": "广州市医疗保险服务中心关于开展参保缴费工作的通告",
                                         "issuer": "广州市医疗保障局", "date": "2025-10-17"})
    doc = parse_source(source, "gz-06", "gz-06.html")
    assert (doc.issuer, doc.date, doc.kind) == ("广州市医疗保险服务中心", "2025-10-14", "notice")


def test_a_media_source_makes_a_page_news_without_issuer():
    source = SourceText(text="4月28日，天河区教育局公布招生细则。\n细则明确提出免试就近入学。",
                        meta={"title": "天河区招生工作细则公布", "issuer": "南方+", "date": "2026-04-29"})
    doc = parse_source(source, "gz-01b", "gz-01b.html")
    assert (doc.kind, doc.issuer, doc.date) == ("news", "", "2026-04-29")
    assert doc.to_dict()["kind"] == "news" and doc.to_dict()["issuers"] == []
