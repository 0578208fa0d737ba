"""The parser over real corpora in ../shared: 599 NCP notices whose line breaks were lost and 47
saved Guangzhou government pages. Every file parses; statistics are printed (pytest -s shows
them); hand-picked documents are checked clause by clause."""
from __future__ import annotations

import collections
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.parse.clauses import MAX_CLAUSE_CHARS, PIECE_CHARS
from indexer.parse.documents import load_document
from indexer.types import Document

NCP_DOCS = 599
GZ_PAGES = 47


@dataclass(frozen=True)
class Parsed:
    """One dataset parsed once: documents, failures (file, error) and the time it took."""

    name: str
    files: int
    documents: dict[str, Document]
    failures: list[tuple[str, str]]
    seconds: float


def parse_dataset(name: str, folder: Path, pattern: str) -> Parsed:
    if not folder.is_dir():
        pytest.skip(f"dataset {name} not found at {folder}")
    files = sorted(folder.glob(pattern))
    documents, failures = {}, []
    started = time.perf_counter()
    for path in files:
        try:
            documents[path.stem] = load_document(path, folder)
        except Exception as exc:  # noqa: BLE001 - any failure is a finding, CorpusError included
            failures.append((path.name, f"{type(exc).__name__}: {exc}"))
    return Parsed(name, len(files), documents, failures, time.perf_counter() - started)


@pytest.fixture(scope="module")
def ncp(shared_dir) -> Parsed:
    from indexer.parse.regions import resolve_region

    resolve_region("浙江省科学技术厅")  # load the division table before the clock starts
    return parse_dataset("ncp-policy-qa", shared_dir / "datasets" / "ncp-policy-qa" / "docs", "*.txt")


@pytest.fixture(scope="module")
def gz(shared_dir) -> Parsed:
    return parse_dataset("gz-policy-html", shared_dir / "datasets" / "gz-policy-html", "*.html")


@pytest.fixture(params=["ncp", "gz"])
def dataset(request) -> Parsed:
    return request.getfixturevalue(request.param)


def doc(parsed: Parsed, prefix: str) -> Document:
    """The document whose file name starts with `prefix`."""
    found = [d for stem, d in parsed.documents.items() if stem.startswith(prefix)]
    assert len(found) == 1, prefix
    return found[0]


def at(document: Document, position: str):
    found = [c for c in document.clauses if c.position == position]
    assert len(found) == 1, (position, [c.id for c in found])
    return found[0]


# ----------------------------------------------------------------------------- every document

def test_every_file_parses_without_error(dataset):
    expected = {"ncp-policy-qa": NCP_DOCS, "gz-policy-html": GZ_PAGES}[dataset.name]
    assert dataset.files == expected
    assert dataset.failures == []
    assert len(dataset.documents) == expected


def test_every_document_yields_clauses_with_exact_spans_and_unique_ids(dataset):
    for stem, d in dataset.documents.items():
        assert d.clauses, stem
        assert len({c.id for c in d.clauses}) == len(d.clauses), stem
        for c in d.clauses:
            assert c.id.startswith(f"{d.id}:") and c.document_id == d.id
            assert d.text[c.start:c.end] == c.text and c.text.strip() == c.text and c.text, c.id


def test_clauses_over_the_bound_are_single_long_sentences(dataset):
    for d in dataset.documents.values():
        for c in d.clauses:
            if len(c.text) > MAX_CLAUSE_CHARS:
                longest = max(len(s) for s in re.split(r"[。！？!?；;]", c.text))
                assert longest > PIECE_CHARS, c.id


def test_ncp_parses_in_seconds(ncp):
    assert ncp.seconds < 30, f"{ncp.seconds:.1f} s for {ncp.files} notices"


def test_statistics(dataset):
    clauses = [c for d in dataset.documents.values() for c in d.clauses]
    lengths = [len(c.text) for c in clauses]
    depths = collections.Counter(len(c.section) for c in clauses)
    with_responsibility = sum(1 for c in clauses if c.responsibility) / len(clauses)
    docs = list(dataset.documents.values())
    print(f"\n{dataset.name}: {len(docs)} documents, {len(clauses)} clauses, parsed in {dataset.seconds:.1f} s")
    print(f"  clauses per document: mean {len(clauses) / len(docs):.1f}, "
          f"max {max(len(d.clauses) for d in docs)}")
    print(f"  clause length (chars): mean {statistics.mean(lengths):.0f}, "
          f"median {statistics.median(lengths):.0f}, max {max(lengths)}")
    print(f"  clauses with responsibility: {with_responsibility:.1%}")
    print("  heading depth: " + ", ".join(f"{k}: {depths[k]}" for k in sorted(depths)))
    for field in ("title", "doc_number", "issuer", "date"):
        share = sum(1 for d in docs if getattr(d, field) and getattr(d, field) != Path(d.source).stem)
        print(f"  documents with {field}: {share}/{len(docs)}")
    print(f"  documents with region: {sum(1 for d in docs if d.region)}/{len(docs)}")
    assert 40 <= statistics.median(lengths) <= MAX_CLAUSE_CHARS
    assert depths[0] < len(clauses)  # headings are found at all


# ----------------------------------------------------------------------------- NCP spot checks

def test_ncp_tax_notice_numbered_inline(ncp):
    d = doc(ncp, "0013aa11eb")
    heads = [c.position for c in d.clauses if c.label]
    assert list(dict.fromkeys(heads)) == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"]
    assert [c.section_labels for c in d.clauses if c.id.endswith(":h3~1")] == [["三、鼓励公益慈善捐赠"]]
    assert at(d, "九、").section[0].title == "拓展“非接触式”办税缴费服务"
    assert d.date == "2020-02-07"
    assert "河南省税务局" not in d.clauses[-1].text  # the signature trails the last item
    assert d.clauses[-1].text.endswith("按照新规定执行。")


def test_ncp_transport_notice_metadata_sections_and_frame(ncp):
    d = doc(ncp, "02e6d1d8a6")
    assert d.title == ("交通运输部国家发展改革委国家卫生健康委国家铁路局中国民用航空局国家邮政局国家铁路集团"
                       "关于统筹做好春节后错峰返程疫情防控和交通运输保障工作的通知")
    assert (d.doc_number, d.date) == ("交运明电〔2020〕44号", "2020-02-03")
    c = at(d, "二、（一）")
    assert c.section_labels == ["二、再动员再部署，确保以最佳状态投入交通运输服务", "（一）做好客流预测"]
    assert at(d, "四、（十一）").text.startswith("（十一）做好重点地区管控。湖北省")
    assert at(d, "一、").section[0].title == "充分认识统筹做好春节后错峰返程疫情防控和交通运输保障工作的重要意义"
    assert not any(w in c.text for c in d.clauses for w in ("抄送：", "附件：", "乘客信息登记表（式样）"))


def test_ncp_one_sentence_items_are_clauses(ncp):
    d = doc(ncp, "22119fd440")
    assert [c.position for c in d.clauses] == ["", "一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、"]
    assert at(d, "二、").text == "二、您因受疫情影响发生的各项资产损失，准予按规定在企业所得税税前扣除。"


def test_ncp_sub_items_in_brackets(ncp):
    d = doc(ncp, "098bd64fb7")
    assert [c.position for c in d.clauses] == ["", "一、", "一、（1）", "一、（2）", "一、（3）", "二、", "三、", "四、"]
    assert d.title == "财政部海关总署税务总局关于防控新型冠状病毒感染的肺炎疫情进口物资免税政策的公告"
    assert d.issuer == "财政部 海关总署 税务总局"  # co-issuers kept apart (#15)


def test_ncp_chapters_and_articles(ncp):
    d = doc(ncp, "6c9477ad02")
    articles = [c for c in d.clauses if c.label.startswith("第")]
    assert len({c.position for c in articles}) == 22
    assert at(d, "第一章第一条").section_labels == ["第一章总则", "第一条"]
    assert at(d, "第七章第二十二条").text.startswith("第二十二条 本实施细则由市农牧业局负责解释")
    assert d.issuer == "南充市人民政府办公室" and d.region.label == "四川省·南充市"


def test_ncp_bracketed_notes_close_items_in_flattened_text(ncp):
    d = doc(ncp, "1207253ea6")
    assert at(d, "七、（十六）").responsibility.lead == ("市金融局", "市卫生健康委", "市教委")
    assert at(d, "一、（一）").responsibility.lead == ("市卫生健康委", "各相关区人民政府")
    after = [c for c in d.clauses if c.id.endswith(":h9.p18+1")]
    assert after and not after[0].responsibility and after[0].text.startswith("各区人民政府、各相关部门")


def test_ncp_bare_notes_after_a_gap(ncp):
    d = doc(ncp, "1868fc3fc6")
    assert at(d, "三、（三）").responsibility.lead == ("省药监局",)
    assert at(d, "三、（一）").responsibility.lead == ("省工信厅", "财政厅", "各市、县（区）人民政府", "平潭综合实验区管委会")
    assert d.date == "2020-02-06" and d.region.label == "福建省"
    assert "此件主动公开" not in d.clauses[-1].text and "福建省人民政府办公厅" not in d.clauses[-1].text


def test_ncp_note_with_lead_and_cooperating_in_one_bracket(ncp):
    c = doc(ncp, "464f74edeb").clauses[-1]
    assert (c.responsibility.lead, c.responsibility.cooperating) == (("组宣部",), ("财政局",))


def test_ncp_news_headline_is_the_title(ncp):
    assert doc(ncp, "0be5302c14").title == "吉林省电力八项举措降低用电成本"
    assert doc(ncp, "2774304953").title == "延长春节假期算节假日还是休息日？"


# ----------------------------------------------------------------------------- HTML spot checks

def test_gz_family_doctor_plan(gz):
    d = doc(gz, "08_")
    assert d.title == "广州市卫生健康委等4部门关于印发推进广州市家庭医生签约服务高质量发展实施方案的通知"
    assert (d.doc_number, d.date, d.region.label) == ("穗卫函〔2023〕1930号", "2023-10-19", "广东省·广州市")
    assert not any(c.text.startswith("广州市卫生健康委员会 广州市财政局") for c in d.clauses)  # co-signers


def test_gz_points_based_hukou_measures(gz):
    d = doc(gz, "36b_")
    assert (d.doc_number, d.date, d.issuer) == ("穗府办规〔2025〕8号", "2025-06-30", "广州市人民政府办公厅")
    assert at(d, "第一条").text.startswith("第一条 为加强来穗人员服务管理")
    assert [c.id.rsplit(":", 1)[1] for c in d.clauses if c.position == "第五条"][:2] == ["a5~1", "a5~2"]


def test_gz_national_regulation_articles(gz):
    d = doc(gz, "37_")
    assert d.title == "中华人民共和国市场主体登记管理条例" and d.region.label == "全国"
    c = at(d, "第四章第三十五条")
    assert c.section_labels == ["第四章监督管理", "第三十五条"]
    assert c.text == "第三十五条\u3000市场主体应当按照国家有关规定公示年度报告和登记相关信息。"
    assert at(d, "第一章第二条（一）").text == "（一）公司、非公司企业法人及其分支机构；"


def test_gz_heading_followed_by_a_year(gz):
    d = doc(gz, "27_")
    assert [c.section_labels for c in d.clauses] == [["一、2025年发放情况"], ["二、2026年发放标准"]]


def test_gz_issuer_from_the_page_title_not_from_a_cited_document(gz):
    d = doc(gz, "06_")
    assert d.issuer == "广州市医疗保险服务中心" and d.region.label == "广东省·广州市"
    assert at(d, "一、（二）").text == "（二）本市户籍人员；"
