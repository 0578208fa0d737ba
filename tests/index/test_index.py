"""The index: building, publishing, incremental updates, and the query pipeline on the seeds."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.embed.runtimes import load_embedder
from indexer.errors import (
    CorpusError,
    IndexMismatchError,
    IndexUnavailableError,
    NotFoundError,
    QueryError,
)
from indexer.index import store
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
WORK_POINTS_13 = "zhejiang-kjt-2015-work-points:h3.n13"
SHENGSI_INCUBATOR = "shengsi-2023-innovation-system-plan:h2.p3.n2"


@pytest.fixture(scope="module")
def embedder():
    return load_embedder("multilingual-e5-small", threads=2)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One embedding cache for every index this module builds: each text is embedded once."""
    return tmp_path_factory.mktemp("cache") / "embeddings.sqlite"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory, embedder, cache):
    index = tmp_path_factory.mktemp("seed-index")
    report = build_index([CORPUS], index, embedder, progress=False, cache_path=cache)
    return index, report


@pytest.fixture(scope="module")
def engine(seed_index, embedder):
    return SearchEngine(seed_index[0], embedder)


def copy_corpus(tmp_path: Path, names: list[str] | None = None) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        if names is None or path.stem in names:
            shutil.copy(path, target / path.name)
    return target


# ----- building and the directory format --------------------------------------------------

def test_build_reports_and_manifest_describe_the_seed_corpus(seed_index, engine):
    index, report = seed_index
    manifest = json.loads((store.current_version(index) / store.MANIFEST).read_text())
    assert report.documents == manifest["documents"] == 5
    assert report.clauses == manifest["clauses"] == len(engine.table.clause_ids) > 100
    assert report.embedded + report.cached == report.clauses
    assert manifest["model"] == "multilingual-e5-small" and manifest["dim"] == 384
    assert manifest["index_type"] == "flat"
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert len(manifest["corpus_hash"]) == 64
    assert engine.vectors.ntotal == report.clauses


def test_unchanged_corpus_reindexes_without_embedding_and_keeps_ids(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points", "shengsi-2023-innovation-system-plan"])
    index = tmp_path / "index"
    first = build_index([corpus], index, embedder, progress=False, cache_path=cache)
    ids_before = set(SearchEngine(index, embedder).table.clause_ids)
    second = build_index([corpus], index, embedder, progress=False, cache_path=cache)
    assert second.embedded == 0 and second.added == 0 and second.removed == 0
    assert second.kept == first.clauses
    assert second.version != first.version
    assert set(SearchEngine(index, embedder).table.clause_ids) == ids_before


def test_removed_document_disappears_from_results(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points", "shengsi-2023-innovation-system-plan"])
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=cache)
    before = SearchEngine(index, embedder)
    assert before.search("科技企业孵化器建设", k=5).hits[0].clause_id == WORK_POINTS_13
    n_removed = sum(1 for c in before.table.clause_ids if c.startswith("zhejiang-kjt-2015-work-points:"))

    (corpus / "zhejiang-kjt-2015-work-points.txt").unlink()
    report = build_index([corpus], index, embedder, progress=False, cache_path=cache)
    after = SearchEngine(index, embedder)
    assert report.removed == n_removed and report.embedded == 0
    assert after.vectors.ntotal == len(after.table) == len(before.table) - n_removed
    hits = after.search("科技企业孵化器建设", k=20).hits
    assert hits and all(not h.clause_id.startswith("zhejiang-kjt-2015-work-points:") for h in hits)
    with pytest.raises(NotFoundError):
        after.row(WORK_POINTS_13)


def test_changed_document_reembeds_only_its_changed_clause(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points"])
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=cache)
    path = corpus / "zhejiang-kjt-2015-work-points.txt"
    text = path.read_text(encoding="utf-8")
    assert "建设一批以创新工场、车库咖啡屋等为代表的新型孵化器" in text
    path.write_text(text.replace("车库咖啡屋等为代表", "车库咖啡屋、众创空间等为代表"), encoding="utf-8")
    report = build_index([corpus], index, embedder, progress=False, cache_path=cache)
    assert (report.embedded, report.added, report.removed) == (1, 1, 1)
    engine = SearchEngine(index, embedder)
    assert "众创空间等为代表" in engine.table.texts[engine.row(WORK_POINTS_13)]


def test_added_document_is_searchable_after_update(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points"])
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=cache)
    shutil.copy(CORPUS / "shengsi-2023-innovation-system-plan.txt", corpus)
    report = build_index([corpus], index, embedder, progress=False, cache_path=cache)
    assert report.documents == 2 and report.removed == 0 and report.added > 30
    hits = SearchEngine(index, embedder).search("海洋碳汇", k=3).hits
    assert hits[0].clause_id.startswith("shengsi-2023-innovation-system-plan:")


def test_failed_build_keeps_the_published_index(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points"])
    index = tmp_path / "index"
    build_index([corpus], index, embedder, progress=False, cache_path=cache)
    published = (index / "CURRENT").read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   \n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no document could be indexed"):
        build_index([empty], index, embedder, progress=False, cache_path=cache)
    assert (index / "CURRENT").read_text() == published
    assert SearchEngine(index, embedder).search("孵化器", k=1).hits


def test_unreadable_files_are_skipped_and_reported(tmp_path, embedder, cache):
    corpus = copy_corpus(tmp_path, ["zhejiang-kjt-2015-work-points"])
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (corpus / "notes.xyz").write_text("ignored: unknown extension", encoding="utf-8")
    report = build_index([corpus], tmp_path / "index", embedder, progress=False, cache_path=cache)
    assert report.documents == 1
    assert any("broken.txt" in e for e in report.errors)


# ----- opening an index -----------------------------------------------------------------

def test_missing_index_is_a_clear_error(tmp_path, embedder):
    with pytest.raises(IndexUnavailableError, match="no index at"):
        SearchEngine(tmp_path / "nowhere", embedder)


def test_corrupt_vector_file_is_a_clear_error(tmp_path, seed_index, embedder):
    copy = tmp_path / "index"
    shutil.copytree(seed_index[0], copy)
    vectors_file = store.current_version(copy) / store.VECTORS
    vectors_file.write_bytes(vectors_file.read_bytes()[:100])
    with pytest.raises(IndexUnavailableError, match="corrupt"):
        SearchEngine(copy, embedder)


def test_index_built_with_another_model_is_refused(seed_index):
    class OtherModel:
        name, dim = "all-MiniLM-L6-v2", 384

    with pytest.raises(IndexMismatchError, match="multilingual-e5-small"):
        SearchEngine(seed_index[0], OtherModel())


# ----- the query pipeline ---------------------------------------------------------------

def test_incubator_who_question_answers_gaoxinchu_from_work_points_item_13(engine):
    result = engine.search("孵化器由哪个部门负责", k=10)
    assert result.answer is not None
    lead = {p.name: p.clauses for p in result.answer.lead}
    assert "高新处" in lead and WORK_POINTS_13 in lead["高新处"]
    assert WORK_POINTS_13 in result.answer.clauses
    assert "邱飞章" in [p.name for p in result.answer.persons]
    assert result.hits[0].clause_id == WORK_POINTS_13


def test_english_who_question_is_answered_from_chinese_clauses(engine):
    result = engine.search("who is responsible for technology business incubators?", k=5)
    assert result.answer is not None
    assert {WORK_POINTS_13, SHENGSI_INCUBATOR} & set(result.answer.clauses)
    top3 = [h.clause_id for h in result.hits[:3]]
    assert WORK_POINTS_13 in top3 or SHENGSI_INCUBATOR in top3


def test_ocean_carbon_sink_question_names_its_units(engine):
    result = engine.search("海洋碳汇由哪些单位负责", k=5)
    assert result.hits[0].clause_id == "shengsi-2023-innovation-system-plan:h3.n6"
    assert [p.name for p in result.answer.lead][:1] == ["市生态环境局嵊泗分局"]


def test_topic_question_gets_no_answer_object(engine):
    result = engine.search("科技特派员有哪些要求", k=5)
    assert result.answer is None
    assert "科技特派员" in engine.table.texts[result.hits[0].row]


def test_hits_carry_matched_terms_and_citations(engine):
    result = engine.search("科技特派员结对服务", k=3)
    top = engine.hit_dict(result.hits[0])
    assert "科技特派员" in top["terms"]
    assert top["citation"] == "《浙江省科学技术厅关于科技支撑淳安等26县加快发展的实施意见》二、（二）3．"
    assert top["url"].startswith("/documents/zhejiang-kjt-2015-support-26-counties#")
    assert top["section"][-1].startswith("3．推进完善科技特派员结对服务")


def test_filters_restrict_region_year_issuer_and_document(engine):
    hits = engine.search("科技创新", k=20, filters=Filters(region="舟山市")).hits
    assert hits and all(h.clause_id.startswith("shengsi-2023-innovation-system-plan:") for h in hits)
    hits = engine.search("科技创新", k=30, filters=Filters(year_from=2015, year_to=2015)).hits
    docs = {engine.documents[engine.table.doc_of_row[h.row]] for h in hits}
    assert docs and all(d.year == 2015 for d in docs)
    hits = engine.search("科技创新", k=10, filters=Filters(issuer="郴州市")).hits
    assert hits and all(h.clause_id.startswith("chenzhou-") for h in hits)
    hits = engine.search("科技创新", k=10, filters=Filters(documents=("zhejiang-2019-county-innovation-opinions",))).hits
    assert hits and all(h.clause_id.startswith("zhejiang-2019-county-innovation-opinions:") for h in hits)


@pytest.mark.parametrize("filters, message", [
    (Filters(region="火星省"), "unknown region"),
    (Filters(issuer="不存在的机关"), "unknown issuer"),
    (Filters(documents=("no-such-doc",)), "unknown document"),
    (Filters(year_from=2020, year_to=2010), "after"),
])
def test_filter_values_that_match_nothing_are_errors(engine, filters, message):
    with pytest.raises(QueryError, match=message):
        engine.search("科技", k=5, filters=filters)


@pytest.mark.parametrize("query", ["", "   \n\t", "？？！！……", "🎉🎉🚀", "x" * 10_000])
def test_unusable_queries_are_refused(engine, query):
    with pytest.raises(QueryError):
        engine.search(query, k=5)


@pytest.mark.parametrize("k", [0, -3, 101, 10**9, "ten"])
def test_k_out_of_range_is_refused(engine, k):
    with pytest.raises(QueryError, match="k must be"):
        engine.search("孵化器", k=k)


def test_similar_clauses_come_from_other_documents(engine):
    result = engine.similar(WORK_POINTS_13, k=5)
    hits = result.hits
    assert len(hits) >= 5  # k results, and copies of them (none here) beside them
    assert all(not h.clause_id.startswith("zhejiang-kjt-2015-work-points:") for h in hits)
    ids = [h.clause_id for h in hits]
    # Both other documents' incubator items are among the nearest, and the nearest is about 孵化器.
    assert {SHENGSI_INCUBATOR, "zhejiang-2019-county-innovation-opinions:h2.p9"} <= set(ids)
    assert "孵化" in engine.table.texts[hits[0].row]
    # Relevant results first, each judged; the incubator items are relevant.
    assert all(h.relevance is not None for h in hits)
    assert [h.relevant for h in hits] == sorted((h.relevant for h in hits), reverse=True)
    assert all(h.relevant for h in hits if h.clause_id == SHENGSI_INCUBATOR)


def test_similar_other_regions_excludes_the_same_region(engine):
    source_region = engine.documents[engine.table.doc_of_row[engine.row(WORK_POINTS_13)]].region
    hits = engine.similar(WORK_POINTS_13, k=5, scope="other-regions").hits
    regions = {engine.documents[engine.table.doc_of_row[h.row]].region for h in hits}
    assert hits and source_region not in regions


def test_similar_all_scope_skips_the_clause_itself(engine):
    hits = engine.similar(WORK_POINTS_13, k=5, scope="all").hits
    assert WORK_POINTS_13 not in [h.clause_id for h in hits]


def test_similar_rejects_unknown_clause_and_scope(engine):
    with pytest.raises(NotFoundError):
        engine.similar("no-such-doc:h1", k=5)
    with pytest.raises(QueryError, match="scope"):
        engine.similar(WORK_POINTS_13, k=5, scope="galaxy")


def test_neighbours_walk_the_document_in_order(engine):
    prev_id, next_id = engine.neighbours(WORK_POINTS_13)
    assert prev_id == "zhejiang-kjt-2015-work-points:h3.n12"
    assert next_id == "zhejiang-kjt-2015-work-points:h4.n14"


# ----- the CLI ------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], check=False, capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_cli_search_prints_json_with_answer(seed_index):
    done = run_cli("search", "孵化器由哪个部门负责", "--index", str(seed_index[0]), "-k", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "高新处" in [p["name"] for p in data["answer"]["lead"]]
    assert data["results"][0]["citation"].startswith("《省科技厅2015年工作要点及责任分解》三、13．")


def test_cli_search_json_is_the_api_search_shape(seed_index, engine):
    """`search --json` and /api/search print one shape (query.shapes.search_dict)."""
    from indexer.config import Config
    from server.app import create_app

    done = run_cli("search", "科技特派员", "--index", str(seed_index[0]), "-k", "4", "--region", "浙江省", "--json")
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    api = create_app(engine, Config()).test_client().get("/api/search?q=科技特派员&k=4&region=浙江省").get_json()
    assert list(cli) == list(api)
    assert isinstance(cli["took_ms"], float) and isinstance(cli["timings"], dict)
    assert cli["filters"] == api["filters"] and cli["filters"]["region"] == "浙江省"
    assert [r["id"] for r in cli["results"]] == [r["id"] for r in api["results"]]


@pytest.mark.parametrize("args, code, words", [
    (["search", "   ", "--index", "IDX"], 2, "query is empty"),
    (["search", "孵化器", "--index", "IDX", "-k", "0"], 2, "k must be"),
    (["search", "孵化器", "--index", "/nonexistent/index"], 4, "no index at"),
    (["similar", "nope:h1", "--index", "IDX"], 3, "no clause"),
    (["index", "/nonexistent/corpus", "--index", "OUT"], 2, "does not exist"),
])
def test_cli_errors_are_one_line_with_nonzero_exit(seed_index, tmp_path, args, code, words):
    args = [a.replace("IDX", str(seed_index[0])).replace("OUT", str(tmp_path / "out")) for a in args]
    done = run_cli(*args)
    assert done.returncode == code
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and lines[0].startswith("policy-search: error:")


def test_vectors_are_normalised_so_scores_are_cosines(engine):
    vecs = np.stack([engine.vectors.reconstruct(int(f)) for f in engine.table.fids[:20]])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)


def test_lazy_metadata_mode_answers_exactly_like_the_eager_one(seed_index, embedder, engine):
    """Above LAZY_ROWS clauses the engine reads clause metadata from SQLite on demand (so 1M
    clauses fit the memory budget); forcing that mode on the seeds must change nothing."""
    lazy = SearchEngine(seed_index[0], embedder, lazy_above=0)
    assert lazy.table.lazy
    for question in ("孵化器由哪个部门负责", "科技特派员结对服务", "what targets are set for R&D spending"):
        eager_result, lazy_result = engine.search(question, k=10), lazy.search(question, k=10)
        assert engine.hit_dicts(eager_result.hits) == lazy.hit_dicts(lazy_result.hits)
        assert [engine.hit_dict(h) for h in eager_result.hits] == lazy.hit_dicts(lazy_result.hits)
        assert (eager_result.answer is None) == (lazy_result.answer is None)
        if eager_result.answer:
            assert eager_result.answer.to_dict() == lazy_result.answer.to_dict()
    assert [h.clause_id for h in engine.similar(WORK_POINTS_13).hits] == \
        [h.clause_id for h in lazy.similar(WORK_POINTS_13).hits]
    assert engine.neighbours(WORK_POINTS_13) == lazy.neighbours(WORK_POINTS_13)


def test_cli_search_prints_answers_per_document_and_values(seed_index):
    who = run_cli("search", "孵化器由哪个部门负责", "--index", str(seed_index[0]), "-k", "5")
    assert who.returncode == 0, who.stderr
    assert "《省科技厅2015年工作要点及责任分解》 浙江省 2015" in who.stdout
    assert "负责单位 / lead: 高新处" in who.stdout
    value = run_cli("search", "到2022年浙江高新技术企业要达到多少家", "--index", str(seed_index[0]), "-k", "3")
    assert "目标值 / value: 20000 家（2022年）" in value.stdout
    expired = run_cli("search", "科技特派员", "--index", str(seed_index[0]), "--status", "in_force", "--json")
    docs = {hit["document"]["id"] for hit in json.loads(expired.stdout)["results"]}
    assert "chenzhou-2012-county-tech-action-plan" not in docs
    bad = run_cli("search", "科技特派员", "--index", str(seed_index[0]), "--status", "valid")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "status" in bad.stderr


def test_cli_lineage_shows_who_cites_a_document(seed_index):
    done = run_cli("lineage", "zhejiang-2019-county-innovation-opinions", "--index", str(seed_index[0]), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "shengsi-2023-innovation-system-plan" in [c["document_id"] for c in data["cited_by"]]
    missing = run_cli("lineage", "no-such-document", "--index", str(seed_index[0]))
    assert missing.returncode == 3 and missing.stderr.count("\n") == 1
