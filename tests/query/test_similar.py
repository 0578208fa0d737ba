"""Similar clauses: both signals, long items piece by piece, pasted text, copies kept and marked
(query/similar.py), and the phrase-level diff behind the side-by-side view (query/phrases.py)."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.errors import NotFoundError, QueryError
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters
from indexer.query.phrases import shared_phrases, side_by_side
from indexer.query.similar import MAX_TEXT_CHARS, find_similar, split_pieces

CHENZHOU_4 = "chenzhou-2012-county-tech-action-plan:h4.n4"  # 成果转化, 中介机构, 知识产权试点
INCUBATORS = "zhejiang-kjt-2015-work-points:h3.n13"


@pytest.fixture(scope="module")
def engine(server_engine):
    return server_engine  # the seed corpus indexed once per session (tests/conftest.py)


def test_a_long_item_is_searched_piece_by_piece_and_finds_peers_of_several_topics(engine):
    result = find_similar(engine, CHENZHOU_4, k=5)
    assert len(result.source["pieces"]) >= 3
    texts = {h.clause_id: engine.table.texts[h.row] for h in result.hits}
    topics = {"成果转化": any("成果转化" in t for t in texts.values()),
              "知识产权": any("知识产权" in t for t in texts.values())}
    assert all(topics.values()), topics
    assert any(result.extras[c]["piece"] for c in texts)  # found by a piece, not only the whole
    for cid in texts:
        piece = result.extras[cid]["piece"]
        if piece:
            source = engine.table.texts[engine.row(CHENZHOU_4)]
            assert source[piece["start"]:piece["end"]].strip() == piece["text"]


def test_results_come_from_other_documents_and_carry_relevance_and_shared_terms(engine):
    result = find_similar(engine, INCUBATORS, k=5)
    source_doc = engine.table.doc_of_row[engine.row(INCUBATORS)]
    assert result.hits and all(engine.table.doc_of_row[h.row] != source_doc for h in result.hits)
    assert all(0 <= h.relevance <= 1 for h in result.hits)
    assert any("孵化器" in result.extras[h.clause_id]["shared_terms"] for h in result.hits)
    data = result.to_dict(engine)
    first = data["results"][0]
    assert {"relevance", "relevant", "piece", "near_duplicate_of", "copy", "shared_terms", "citation"} <= set(first)
    assert data["source"]["clause_id"] == INCUBATORS and data["relevant_count"] == result.relevant_count


def test_scopes_and_filters_are_respected(engine):
    row = engine.row(INCUBATORS)
    region = engine.table.document_of(row).region
    other_regions = find_similar(engine, INCUBATORS, k=10, scope="other-regions")
    assert other_regions.hits
    assert all(engine.table.document_of(h.row).region != region for h in other_regions.hits)
    anywhere = find_similar(engine, INCUBATORS, k=10, scope="all")
    assert INCUBATORS not in [h.clause_id for h in anywhere.hits]
    shengsi = find_similar(engine, INCUBATORS, k=5, filters=Filters(region="嵊泗"))
    assert shengsi.hits and all("嵊泗" in engine.table.document_of(h.row).region for h in shengsi.hits)


def test_pasted_text_finds_clauses_and_is_bounded(engine):
    result = find_similar(engine, text="支持建设科技企业孵化器和众创空间，对新认定的孵化器给予奖励。", k=5)
    assert result.source["clause_id"] is None
    assert any("孵化器" in engine.table.texts[h.row] for h in result.hits)
    long_text = "。".join(["加强知识产权保护，推进专利导航工作", "推动科技成果转化和技术转移"] * 300)[:MAX_TEXT_CHARS]
    assert find_similar(engine, text=long_text, k=3).hits  # the longest text accepted
    with pytest.raises(QueryError, match="limit is 10000"):
        find_similar(engine, text="科" * (MAX_TEXT_CHARS + 1))


@pytest.mark.parametrize("kwargs", [{}, {"clause_id": INCUBATORS, "text": "孵化器"}, {"text": "  "},
                                    {"clause_id": INCUBATORS, "scope": "everywhere"},
                                    {"clause_id": INCUBATORS, "k": 0}])
def test_bad_requests_are_query_errors(engine, kwargs):
    with pytest.raises(QueryError):
        find_similar(engine, **kwargs)


def test_a_clause_the_index_does_not_hold_is_not_found(engine):
    with pytest.raises(NotFoundError):
        find_similar(engine, "deleted-document:h1.n1")


COPIED = "支持各地建立科技特派员服务站，每个乡镇至少选派一名科技特派员，常年开展农业技术指导、技术培训和成果推广服务。"


def test_a_word_for_word_copy_is_returned_and_marked(tmp_path, server_embedder, server_embedding_cache,
                                                     query_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "province-plan.txt").write_text(
        f"甲省科技特派员工作实施意见\n\n一、{COPIED}\n二、省财政每年安排专项经费，保障科技特派员工作经费和生活补助。\n",
        encoding="utf-8")
    (corpus / "county-plan.txt").write_text(
        f"乙县科技特派员工作方案\n\n一、{COPIED}\n二、县里组织科技特派员参加年度考核，考核优秀的给予表彰。\n",
        encoding="utf-8")
    (corpus / "other-plan.txt").write_text(
        "丙市孵化器管理办法\n\n一、对新认定的国家级科技企业孵化器给予一次性奖励。\n二、孵化器应当为在孵企业提供场地和创业辅导。\n",
        encoding="utf-8")
    index = tmp_path / "index"
    build_index([corpus], index, server_embedder, progress=False, cache_path=server_embedding_cache)
    engine = SearchEngine(index, query_embedder)
    source = next(c for c in engine.table.clause_ids if c.startswith("province-plan:") and
                  COPIED[:10] in engine.table.texts[engine.row(c)])
    result = find_similar(engine, source, k=3)
    top = result.hits[0]
    assert top.clause_id.startswith("county-plan:")
    assert result.extras[top.clause_id]["copy"] is True
    assert result.extras[top.clause_id]["near_duplicate_of"] == source
    pasted = find_similar(engine, text=COPIED, k=3)
    copies = [h for h in pasted.hits if pasted.extras[h.clause_id]["copy"]]
    assert {h.clause_id.split(":")[0] for h in copies} == {"province-plan", "county-plan"}
    assert all(pasted.extras[h.clause_id]["near_duplicate_of"] in ("source", copies[0].clause_id) for h in copies)


def test_a_long_text_is_cut_at_sentences_and_numbered_points():
    text = "加强平台建设，一是建设孵化器和众创空间等双创载体；二是建设一批中试基地和成果转化基地，完善技术转移服务网络。三是完善知识产权服务体系，推进专利导航和知识产权保护。"
    pieces = [text[s:e] for s, e in split_pieces(text)]
    assert len(pieces) == 3 and pieces[1].startswith("二是") and pieces[2].startswith("三是")
    assert "".join(pieces) == text


def test_shared_phrases_give_offsets_into_both_texts():
    a = "一、支持建设科技企业孵化器，给予资金奖励。"
    b = "对新建的科技企业孵化器、众创空间，给予资金奖励"
    phrases = shared_phrases(a, b)
    assert [(a[s:e], b[t:u]) for s, e, t, u in phrases] == [("科技企业孵化器", "科技企业孵化器"),
                                                             ("给予资金奖励", "给予资金奖励")]
    assert shared_phrases(a, b, min_len=7) == [phrases[0]]


def test_shared_phrases_ignore_punctuation_differences():
    (s, e, t, u), = shared_phrases("减免房租，延期缴纳社保费", "减免房租、延期缴纳社保费。")
    assert (s, e, t, u) == (0, 12, 0, 12)


def test_side_by_side_segments_cover_both_texts():
    a, b = "一、加强知识产权保护工作。", "二、全面加强知识产权保护和运用。"
    view = side_by_side(a, b)
    assert "".join(seg["text"] for seg in view["a"]) == a and "".join(seg["text"] for seg in view["b"]) == b
    assert [seg["text"] for seg in view["a"] if seg["shared"]] == ["加强知识产权保护"]
    assert 0 < view["shared_chars_ratio"] < 1
    assert side_by_side(a, a)["shared_chars_ratio"] == 1.0 and side_by_side("甲乙", "丙丁")["shared_chars_ratio"] == 0.0


def test_features_line_up_with_hits(engine):
    result = find_similar(engine, INCUBATORS, k=3)
    assert result.features.shape == (len(result.hits), 6) and np.isfinite(result.features).all()
