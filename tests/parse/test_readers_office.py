"""PDF and Word ingestion (indexer/parse/pdf.py, word.py), specified on committed fixtures.

tests/fixtures/office/ holds PDF and DOCX copies of two seed documents, a 任务分工 table
document and broken files, all made by make_fixtures.sh (LibreOffice; CI does not need it).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pdfplumber
import pytest

import indexer.parse.pdf as pdf_reader  # registers .pdf
import indexer.parse.word as word_reader  # registers .docx, .doc, .wps
from indexer.errors import CorpusError
from indexer.parse.documents import load_document
from indexer.parse.readers import read_source
from indexer.types import Responsibility

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "office"
SEEDS = {
    "zhejiang-kjt-2015": "zhejiang-kjt-2015-support-26-counties.txt",
    "shengsi-2023": "shengsi-2023-innovation-system-plan.txt",
}
# Running header and page-number footer each seed PDF was typeset with (see make_sources.py).
RUNNING = {
    "zhejiang-kjt-2015": ("浙江省科学技术厅文件", r"^- \d+ -$"),
    "zhejiang-kjt-2015-flush": ("浙江省科学技术厅文件", r"^- \d+ -$"),
    "shengsi-2023": ("嵊泗县人民政府办公室文件", r"^第 \d+ 页 共 \d+ 页$"),
    "task-table": ("示例县人民政府办公室文件", r"^\d+/\d+$"),
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def shape(clause) -> tuple:
    return clause.section_labels, clause.label, clause.responsibility, squash(clause.text)


def pdf_page_texts(name: str) -> list[str]:
    with pdfplumber.open(FIXTURES / f"{name}.pdf") as pdf:
        return [page.extract_text() for page in pdf.pages]


# --------------------------------------------------------------------------- parity with .txt


# Each seed as PDF and DOCX; the "-flush" PDF has no first-line indents to tell paragraphs apart.
COPIES = [(seed, f"{seed}.{ext}") for seed in SEEDS for ext in ("pdf", "docx")]
COPIES.append(("zhejiang-kjt-2015", "zhejiang-kjt-2015-flush.pdf"))


@pytest.mark.parametrize("seed, copy", COPIES)
def test_office_copy_yields_the_clauses_of_the_text_file(seed, copy):
    expected = load_document(ROOT / "corpus" / SEEDS[seed])
    got = load_document(FIXTURES / copy)
    assert len(got.clauses) == len(expected.clauses) > 10
    assert [shape(c) for c in got.clauses] == [shape(c) for c in expected.clauses]
    assert any(c.responsibility for c in got.clauses)


@pytest.mark.parametrize("seed, copy", COPIES)
def test_office_copy_yields_the_metadata_of_the_text_file(seed, copy):
    expected = load_document(ROOT / "corpus" / SEEDS[seed]).metadata()
    got = load_document(FIXTURES / copy).metadata()
    keys = ("title", "doc_number", "issuer", "date", "region")
    assert {k: got[k] for k in keys} == {k: expected[k] for k in keys}


@pytest.mark.parametrize("name", [*SEEDS, "task-table"])
def test_pdf_and_docx_give_the_same_paragraphs(name):
    """Lines broken by the page width are re-joined; paragraph breaks are kept."""
    pdf = pdf_reader.read_pdf(FIXTURES / f"{name}.pdf").text.split("\n")
    word = word_reader.read_docx(FIXTURES / f"{name}.docx").text.split("\n")
    assert [squash(line) for line in pdf] == [squash(line) for line in word]


def test_a_number_broken_across_lines_is_rejoined_without_a_space():
    # The zhejiang PDF breaks "支持 26县" between "2" and "6".
    assert any(t.rstrip().endswith("2") for t in pdf_page_texts("zhejiang-kjt-2015")[0].split("\n"))
    text = pdf_reader.read_pdf(FIXTURES / "zhejiang-kjt-2015.pdf").text
    assert "支持 26县大力发展" in text
    assert "2 6" not in text


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_clauses_carry_page_numbers_in_reading_order(seed):
    clauses = load_document(FIXTURES / f"{seed}.pdf").clauses
    assert all(c.pages and min(c.pages) >= 1 for c in clauses)
    firsts = [c.pages[0] for c in clauses]
    assert firsts == sorted(firsts)
    assert clauses[-1].pages[-1] == len(pdf_page_texts(seed)) > 1
    assert any(len(c.pages) == 2 for c in clauses)  # an item running over a page break


@pytest.mark.parametrize("name", [*SEEDS, "task-table"])
def test_page_spans_cover_the_text_and_point_at_the_right_page(name):
    source = pdf_reader.read_pdf(FIXTURES / f"{name}.pdf")
    pages = [squash(t) for t in pdf_page_texts(name)]
    assert source.pages[0][0] == 0 and source.pages[-1][1] == len(source.text)
    assert all(a[1] == b[0] for a, b in zip(source.pages, source.pages[1:]))
    assert [p for _, _, p in source.pages] == list(range(1, len(pages) + 1))
    for start, end, page in source.pages:
        if name != "task-table":  # table rows are rewritten, so only plain text is compared
            assert squash(source.text[start:end]) in pages[page - 1]


def test_docx_has_no_page_spans():
    assert word_reader.read_docx(FIXTURES / "zhejiang-kjt-2015.docx").pages == ()


# --------------------------------------------------------------------------- headers, footers


@pytest.mark.parametrize("name", RUNNING)
def test_running_header_and_page_numbers_are_dropped(name):
    header, footer = RUNNING[name]
    raw = pdf_page_texts(name)
    assert all(header in page for page in raw)  # the fixture really has them on every page
    assert all(re.search(footer, page, re.MULTILINE) for page in raw)
    text = pdf_reader.read_pdf(FIXTURES / f"{name}.pdf").text
    assert header not in text
    assert not re.search(footer, text, re.MULTILINE)


def test_header_text_of_docx_is_not_body_text():
    assert "浙江省科学技术厅文件" not in word_reader.read_docx(FIXTURES / "zhejiang-kjt-2015.docx").text


# --------------------------------------------------------------------------- 任务分工 tables


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_task_table_rows_become_items_with_the_rows_responsibility(ext):
    clauses = load_document(FIXTURES / f"task-table.{ext}").clauses
    items = {(c.section[0].label, c.label): c for c in clauses if c.label and len(c.section) == 2}
    assert items[("一、", "3．")].responsibility == Responsibility(lead=("县政府办公室", "县科技局"))
    assert items[("一、", "3．")].text.startswith("3．建立重点任务月报制度")
    assert items[("二、", "6．")].responsibility == Responsibility(
        lead=("市生态环境局嵊泗分局",), cooperating=("县资源规划局", "县海洋与渔业局"))
    second = [c for (section, _), c in items.items() if section == "二、"]
    assert [c.label for c in second] == [f"{n}．" for n in range(1, 13)]
    assert all(c.responsibility.lead and c.responsibility.cooperating for c in second)


def test_task_table_continued_on_the_next_page_keeps_its_columns():
    clauses = load_document(FIXTURES / "task-table.pdf").clauses
    last = next(c for c in clauses if c.label == "12．")
    assert last.pages == (2,)
    assert last.responsibility == Responsibility(lead=("县统计局",), cooperating=("县经信局",))


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_table_header_rows_are_dropped_and_plain_tables_keep_their_cells(ext):
    text = read_source(FIXTURES / f"task-table.{ext}").text
    assert "序号" not in text
    assert not re.search(r"工作任务\s*(责任单位|牵头单位)", text)
    assert "指标 2023年 2027年目标\n高新技术企业数量 6家 10家\n科技型中小企业数量 60家 100家" in text


def test_docx_tables_stay_where_they_are_and_merged_cells_name_every_row(tmp_path):
    document = docx.Document()
    document.add_paragraph("一、重点任务")
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("工作任务", "牵头单位", "配合单位")):
        cell.text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "（一）平台建设"
    table.cell(2, 0).text, table.cell(3, 0).text = "1．建设平台。", "2．培育企业。"
    table.cell(2, 1).merge(table.cell(3, 1)).text = "县科技局"
    table.cell(2, 2).text = "县财政局\n县发改局"
    document.add_paragraph("二、保障措施")
    document.core_properties.title = "Microsoft Word - 任务分工.doc"
    path = tmp_path / "plan.docx"
    document.save(path)

    source = word_reader.read_docx(path)
    assert source.text.split("\n") == [
        "一、重点任务",
        "（一）平台建设",
        "1．建设平台。（牵头单位：县科技局；配合单位：县财政局、县发改局）",
        "2．培育企业。（牵头单位：县科技局）",
        "二、保障措施",
    ]
    assert "title" not in source.meta  # an editor's default title is not the document's


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_container_title_is_passed_on(ext):
    source = read_source(FIXTURES / f"task-table.{ext}")
    assert source.meta == {"title": "示例县2024年科技创新重点工作任务分工方案"}


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, words", [
    ("encrypted.pdf", ("encrypted PDF", "password")),
    ("image-only.pdf", ("no text layer", "OCR")),
    ("corrupt.pdf", ("corrupt PDF",)),
    ("corrupt.docx", ("corrupt DOCX",)),
    ("legacy.doc", ("not supported", "--convert-to docx")),
])
def test_unreadable_files_raise_one_line_corpus_errors(name, words):
    with pytest.raises(CorpusError) as err:
        load_document(FIXTURES / name)
    message = str(err.value)
    assert all(w in message for w in words), message
    assert "\n" not in message


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_missing_and_empty_files_are_reported_as_such(tmp_path, suffix):
    with pytest.raises(CorpusError, match="cannot read file"):
        read_source(tmp_path / f"missing{suffix}")
    (tmp_path / f"empty{suffix}").write_bytes(b"")
    with pytest.raises(CorpusError, match="file is empty"):
        read_source(tmp_path / f"empty{suffix}")


def test_wps_files_are_refused_with_a_conversion_hint(tmp_path):
    path = tmp_path / "通知.wps"
    shutil.copy(FIXTURES / "legacy.doc", path)
    with pytest.raises(CorpusError, match="convert"):
        read_source(path)


def test_binary_word_file_named_docx_is_refused_with_a_conversion_hint(tmp_path):
    path = tmp_path / "renamed.docx"
    shutil.copy(FIXTURES / "legacy.doc", path)
    with pytest.raises(CorpusError, match="binary .doc"):
        read_source(path)


def test_pdf_over_the_page_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 3)
    with pytest.raises(CorpusError, match="page limit"):
        pdf_reader.read_pdf(FIXTURES / "zhejiang-kjt-2015.pdf")
