"""Units (责任矩阵), lineage (引用/被引用) and targets (指标) over the seed index, read as the
library gives them (indexer/query/units.py, lineage.py, targets_view.py)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from indexer.errors import NotFoundError, QueryError
from indexer.index import meta
from indexer.parse.citations import extract_citations
from indexer.query.lineage import build_lineage, lineage_of
from indexer.query.targets_view import TargetTable, squeeze, targets_of
from indexer.query.units import UnitDirectory, per_engine, unit_detail, units_of

WORK_POINTS = "zhejiang-kjt-2015-work-points"
COUNTIES = "zhejiang-kjt-2015-support-26-counties"
SHENGSI = "shengsi-2023-innovation-system-plan"
OPINIONS_2019 = "zhejiang-2019-county-innovation-opinions"
CHENZHOU = "chenzhou-2012-county-tech-action-plan"
TARGETS_EXTRACTOR = Path(__file__).resolve().parents[2] / "indexer" / "parse" / "targets.py"
needs_extractor = pytest.mark.skipif(not TARGETS_EXTRACTOR.exists(),
                                     reason="needs the targets extractor indexer/parse/targets.py (issue 16 part 3)")


@pytest.fixture(scope="module")
def engine(server_engine):
    return server_engine  # the seed corpus indexed once per session (tests/conftest.py)


def clause_ids(detail: dict) -> list[str]:
    return [task["clause"] for group in detail["documents"] for task in group["tasks"]]


# ----- units -------------------------------------------------------------------------------------

def test_gaoxin_office_leads_the_incubator_item_and_the_26_county_items(engine):
    detail = unit_detail(units_of(engine), "高新处")
    ids = clause_ids(detail)
    assert f"{WORK_POINTS}:h3.n13" in ids
    assert sum(i.startswith(f"{COUNTIES}:") for i in ids) >= 3
    assert {g["document"]["id"] for g in detail["documents"]} == {WORK_POINTS, COUNTIES}
    incubator = next(t for g in detail["documents"] for t in g["tasks"] if t["clause"] == f"{WORK_POINTS}:h3.n13")
    assert incubator["role"] == "lead" and incubator["source"] == "note"
    assert incubator["citation"] == "《省科技厅2015年工作要点及责任分解》三、13．"
    assert incubator["url"].endswith(f"#{WORK_POINTS}:h3.n13")
    assert "孵化器" in incubator["text"]
    assert {"name": "邱飞章", "role": "person"} in incubator["co_units"]
    assert {"name": "有关处室", "role": "cooperating"} in incubator["co_units"]
    assert all(c["name"] != "高新处" for c in incubator["co_units"])


@pytest.mark.parametrize("spelling", ["县经信局(县科技局)", "县经信局（县科技局）", " 县经信局 (县科技局) ",
                                      "县经信局（县科技局）；", "县经信局\u3000(县科技局)"])
def test_spellings_with_odd_brackets_and_spaces_are_one_unit(engine, spelling):
    units = units_of(engine)
    unit = units.get(spelling)
    assert unit.name == "县经信局（县科技局）"
    assert unit.count("lead") >= 10
    assert [u.name for u in units.find(spelling)] == ["县经信局（县科技局）"]


def test_an_unknown_unit_is_not_found(engine):
    with pytest.raises(NotFoundError):
        units_of(engine).get("火星科技局")
    with pytest.raises(NotFoundError):
        units_of(engine).get("   ")


def test_units_are_listed_most_tasks_first_and_persons_are_marked(engine):
    units = units_of(engine).find()
    counts = [len(u.tasks) for u in units]
    assert counts == sorted(counts, reverse=True)
    qiu = units_of(engine).get("邱飞章")
    assert qiu.person and qiu.count("person") >= 5 and qiu.count("lead") == 0
    assert not units_of(engine).get("高新处").person
    assert [u.name for u in units_of(engine).find("科技局")][:2] == ["各市、县（市、区）科技局（委）", "县经信局（县科技局）"]


def test_the_directory_is_built_once_per_engine_even_from_many_threads(engine):
    class Fake:
        pass

    fake, calls = Fake(), []

    def build():
        calls.append(1)
        return object()

    threads = [threading.Thread(target=per_engine, args=(fake, "_x", build)) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1
    assert units_of(engine) is units_of(engine)


def test_a_directory_of_the_same_table_gives_the_same_units(engine):
    again = UnitDirectory(engine.table)
    assert set(again.units) == set(units_of(engine).units)


# ----- lineage -----------------------------------------------------------------------------------

def test_shengsi_cites_the_2019_opinions_which_list_it_as_cited_by(engine):
    lineage = lineage_of(engine)
    cites = lineage.of(SHENGSI)["cites"]
    by_number = {c["doc_number"]: c for c in cites}
    cited = by_number["浙政办发〔2019〕11号"]
    assert cited["document_id"] == OPINIONS_2019
    assert cited["title"] == "浙江省人民政府办公厅关于促进县域创新驱动发展的实施意见"
    assert cited["clause"] is None or cited["clause"].startswith(f"{SHENGSI}:")
    # 浙政发〔2023〕6号 is not in the corpus: it stays, as printed, unresolved.
    assert by_number["浙政发〔2023〕6号"]["document_id"] is None
    assert "浙江省“315”科技创新体系建设工程实施方案" in by_number["浙政发〔2023〕6号"]["text"]
    cited_by = lineage.of(OPINIONS_2019)["cited_by"]
    assert [c["document_id"] for c in cited_by] == [SHENGSI]
    assert cited_by[0]["title"].startswith("嵊泗县人民政府办公室")


def test_a_document_printing_its_own_title_does_not_cite_itself(engine):
    lineage = lineage_of(engine)
    # The Shengsi 印发 notice quotes the plan it issues: not listed as a citation at all.
    assert not [c for c in lineage.of(SHENGSI)["cites"] if c["title"].startswith("嵊泗县科技创新体系建设工程实施方案")]
    for doc in engine.documents:
        assert all(c["document_id"] != doc.id for c in lineage.of(doc.id)["cited_by"])
        assert all(c["document_id"] != doc.id for c in lineage.of(doc.id)["cites"])


def test_the_citing_clause_is_the_one_holding_the_citation(engine):
    text = engine.document_text(SHENGSI)
    for c in lineage_of(engine).of(SHENGSI)["cites"]:
        if c["clause"]:
            start, end = engine.table.spans[engine.table.row_of_id[c["clause"]]]
            assert start <= text.index(c["text"][:10]) < end


def test_cycles_self_citations_and_odd_numbers_resolve_without_trouble(engine):
    """Chenzhou cites the 2019 opinions with odd brackets and spaces in the 文号; the opinions
    cite Chenzhou back by title and themselves by number."""
    chenzhou = engine.documents[engine.table.doc_index[CHENZHOU]]
    written = {
        CHENZHOU: "根据《关于促进县域创新驱动发展的实施意见》（浙政办发[2019] 11 号）精神",
        OPINIONS_2019: f"参照《{chenzhou.title}》，按照浙政办发〔2019〕11号文件要求",
    }
    stored = {doc: [c.to_dict() for c in extract_citations(text)] for doc, text in written.items()}
    lineage = build_lineage(engine.table, {**stored, "no-such-document": stored[CHENZHOU]})
    assert [c["document_id"] for c in lineage.of(CHENZHOU)["cites"]] == [OPINIONS_2019]
    assert lineage.of(CHENZHOU)["cites"][0]["doc_number"] == "浙政办发〔2019〕11号"
    back = lineage.of(OPINIONS_2019)["cites"]
    assert [c["document_id"] for c in back] == [CHENZHOU]  # its own 文号 is no citation
    assert [c["document_id"] for c in lineage.of(OPINIONS_2019)["cited_by"]] == [CHENZHOU]
    assert [c["document_id"] for c in lineage.of(CHENZHOU)["cited_by"]] == [OPINIONS_2019]
    assert lineage.of("no-such-document") == {"cites": [], "cited_by": []}


# ----- targets -----------------------------------------------------------------------------------

def _fake_targets(engine) -> TargetTable:
    """Targets placed on real clauses, so that filtering and sorting are tested without the extractor."""
    def target(metric, value, unit, year, comparator="达到"):
        return {"metric": metric, "value": value, "unit": unit, "comparator": comparator, "year": year,
                "start": 0, "end": 4, "text": f"{metric}{comparator}{value}{unit}"}

    return TargetTable(engine.table, [
        (f"{SHENGSI}:h2.p1.n1", SHENGSI, [target("高新技术企业", 10.0, "家", 2027)]),
        (f"{WORK_POINTS}:h3.n13", WORK_POINTS, [target("高新技术企业", 7000.0, "家", 2015),
                                                 target("R&D经费支出占GDP比重", 2.5, "%", 2015)]),
        (f"{CHENZHOU}:h1", CHENZHOU, [target("科技型中小企业", 100.0, "家", None, "力争")]),
        ("no-such-document:h1", "no-such-document", [target("高新技术企业", 1.0, "家", 2000)]),
    ])


def test_targets_filter_by_metric_region_and_year_and_sort_by_metric_then_region(engine):
    table = _fake_targets(engine)
    assert len(table) == 4  # the clause the index does not hold is skipped
    found = table.as_dicts(table.select("高新技术企业"))
    # 浙江省 sorts before 浙江省·舟山市·嵊泗县
    assert [(t["document"]["id"], t["value"], t["year"]) for t in found] == [(WORK_POINTS, 7000, 2015),
                                                                             (SHENGSI, 10, 2027)]
    assert isinstance(found[1]["value"], int)
    assert found[1]["document"]["region"] == "浙江省·舟山市·嵊泗县"
    assert found[1]["citation"].startswith("《嵊泗县人民政府办公室")
    assert [t["document"]["id"] for t in table.as_dicts(table.select("高新技术企业", region="舟山"))] == [SHENGSI]
    assert [t["value"] for t in table.as_dicts(table.select("", year=2015))] == [2.5, 7000]
    assert table.select("", year=1999) == []
    metrics = [squeeze(r.target["metric"]) for r in table.select()]
    assert metrics == sorted(metrics)


def test_a_metric_is_found_by_substring_either_way_or_by_shared_words(engine):
    table = _fake_targets(engine)
    assert {r.target["metric"] for r in table.select("高新技术企业数量")} == {"高新技术企业"}
    assert {r.target["metric"] for r in table.select("ｒ＆ｄ 经费")} == {"R&D经费支出占GDP比重"}
    assert {r.target["metric"] for r in table.select("经费支出比重")} == {"R&D经费支出占GDP比重"}
    assert table.select("火锅底料") == []


def test_a_target_with_no_year_is_listed_but_never_matches_a_year(engine):
    table = _fake_targets(engine)
    [row] = table.select("科技型中小企业")
    assert row.target["year"] is None
    assert table.select("科技型中小企业", year=2014) == []


def test_an_unknown_region_is_a_query_error(engine):
    with pytest.raises(QueryError):
        _fake_targets(engine).select("", region="火星")


@needs_extractor
@pytest.mark.parametrize("doc_id, value, year", [(SHENGSI, 10, 2027), (WORK_POINTS, 7000, 2015),
                                                 (OPINIONS_2019, 20000, 2022)])
def test_the_seed_targets_for_high_tech_enterprises(engine, doc_id, value, year):
    assert meta.targets(engine.version), "the index holds no target at all"
    found = targets_of(engine).as_dicts(targets_of(engine).select("高新技术企业"))
    assert any(t["document"]["id"] == doc_id and t["value"] == value and t["year"] == year
               and squeeze(t["metric"]).startswith("高新技术企业") for t in found), \
        [(t["document"]["id"], t["metric"], t["value"], t["year"]) for t in found]


def test_a_metric_and_its_number_of_are_compared_as_one():
    from indexer.query.targets_view import metric_key

    assert metric_key("高新技术企业数量") == metric_key("高新技术企业") == metric_key("高新技术企业 ")
    assert metric_key("数量") == "数量" and metric_key("R&D经费支出") != metric_key("R&D经费")
