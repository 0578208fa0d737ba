"""Result collapsing: adjacent pieces of a long item become one passage, and a text that
several documents publish is one hit listing the others."""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import astuple
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest

from indexer.config import Config
from indexer.embed.runtimes import load_embedder
from indexer.index.build import build_index
from indexer.index.table import Candidate
from indexer.query.collapse import PASSAGE_PIECES, same_text_key
from indexer.query.collapse import collapse as collapse_rows
from indexer.query.engine import SearchEngine
from indexer.query.shapes import clause_url
from indexer.types import Responsibility
from server.app import create_app

# ----- the grouping rule, on its own ------------------------------------------------------------


def collapse(ids: list[str], texts: list[str] | None = None, k: int = 10, order: list[int] | None = None,
             units: list[Responsibility] | None = None):
    """Run query.collapse.collapse over rows 0..n-1 ranked in `order` (default: row order)."""
    texts = texts or [f"正文{i}" for i in range(len(ids))]
    docs = {d: n for n, d in enumerate(dict.fromkeys(i.split(":")[0] for i in ids))}  # 'a:h1' is in document a
    units = units or [Responsibility()] * len(ids)

    def read(rows):
        return [Candidate(r, ids[r], texts[r], units[r]) for r in rows]
    order = order if order is not None else list(range(len(ids)))
    ranked = [(row, 1.0 - rank / 100) for rank, row in enumerate(order)]
    return [(sorted(members), score, duplicates)
            for members, score, duplicates, _ in map(astuple, collapse_rows(ranked, k, read, [docs[i.split(":")[0]] for i in ids])[0])]


def test_adjacent_pieces_of_one_item_join_and_keep_the_best_score():
    groups = collapse(["d:h1~2", "d:h1~3", "d:h2"], order=[1, 0, 2])
    assert [g[0] for g in groups] == [[0, 1], [2]]
    assert groups[0][1] == 1.0  # the passage ranks where its best piece ranked


def test_pieces_that_are_not_neighbours_or_of_other_items_stay_apart():
    groups = collapse(["d:h1~1", "d:h1~3", "d:h2~2", "e:h1~2"])
    assert [g[0] for g in groups] == [[0], [1], [2], [3]]


def test_a_passage_has_at_most_passage_pieces_pieces():
    ids = [f"d:p~{i}" for i in range(1, 6)]
    groups = collapse(ids)
    assert all(len(members) <= PASSAGE_PIECES for members, _, _ in groups)
    assert sum(len(members) for members, _, _ in groups) == len(ids)
    assert groups[0][0] == list(range(PASSAGE_PIECES))


def test_identical_texts_collapse_ignoring_spacing_and_punctuation():
    texts = ["一、加强孵化器建设。", "一、加强孵化器建设", "一、 加强孵化器建设；", "二、别的内容"]
    groups = collapse(["a:h1", "b:h1", "c:h1", "a:h2"], texts)
    assert [(g[0], g[2]) for g in groups] == [([0], [1, 2]), ([3], [])]


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [0, 1, 3, 2, 4], [0, 2, 1, 3, 4], [1, 3, 0, 2, 4]])
def test_a_long_item_two_documents_publish_is_one_passage_citing_the_other(order):
    ids = ["a:h1~1", "b:h1~1", "a:h1~2", "b:h1~2", "c:h5"]
    texts = ["第一段内容。", "第一段内容。", "第二段内容。", "第二段内容。", "别的条款。"]
    groups = collapse(ids, texts, order=order)
    assert len(groups) == 2
    passage, duplicates = groups[0][0], groups[0][2]
    # Whichever copy ranks first is shown whole; the other document is cited once.
    assert passage in ([0, 2], [1, 3]) and len(duplicates) == 1
    assert ids[duplicates[0]].split(":")[0] != ids[passage[0]].split(":")[0]
    assert groups[1][0] == [4]


def test_the_same_text_twice_in_one_document_stays_two_hits():
    groups = collapse(["a:h1", "a:h7", "b:h1"], ["各单位要高度重视。"] * 3)
    assert [(g[0], g[2]) for g in groups] == [([0], [2]), ([1], [])]


def test_the_same_words_under_other_units_are_different_clauses():
    texts = ["加强孵化器建设。"] * 3
    units = [Responsibility(lead=("高新处",)), Responsibility(lead=("县科技局",)), Responsibility(lead=("高新处",))]
    groups = collapse(["a:h1", "b:h1", "c:h1"], texts, units=units)
    assert [(g[0], g[2]) for g in groups] == [([0], [2]), ([1], [])]


def test_the_scan_stops_at_k_results_and_pulls_nothing_from_below():
    # Row 3 would join row 0's item, but it ranks below the k-th result: it is not pulled in.
    groups = collapse(["d:h1~1", "e:h1", "f:h1", "d:h1~2"], k=2)
    assert [g[0] for g in groups] == [[0], [1]]


def test_same_text_key_folds_width_case_and_punctuation():
    assert same_text_key("ＡＢＣ，（一）测试 ！") == same_text_key("abc(一)测试") == "abc一测试"


def test_a_passage_url_names_every_piece():
    assert clause_url("doc", "doc:p~1", "doc:p~2") == "/documents/doc#doc:p~1%20doc:p~2"
    assert clause_url("doc", "doc:h1") == "/documents/doc#doc:h1"


# ----- end to end on a small corpus -------------------------------------------------------------

LONG = (
    "关于做好海洋科技创新工作的通知\n\n"
    "各有关单位：\n"
    "为推动海洋经济高质量发展，现就有关事项通知如下。"
    "各地要围绕海洋产业发展需求，组织开展关键技术攻关，支持企业建设研发机构，推动科技成果在沿海地区转化应用。"
    "要加强科研院所与企业的合作，建立联合实验室和中试基地，完善成果转化收益分配机制，激发科研人员创新活力。"
    "要加大财政资金投入力度，统筹安排专项资金用于海洋科技项目，引导社会资本参与海洋科技创新，形成多元投入格局。"
    "要重点支持海洋碳汇监测技术研究，建设海洋碳汇监测站点，开展海草床和盐沼湿地固碳能力评估。"
    "同时建立海洋碳汇交易试点，探索碳汇核算方法学，推动蓝碳生态产品价值实现机制落地见效。"
    "要加强人才队伍建设，引进海洋领域高层次人才和创新团队，完善人才评价和激励政策，营造良好的创新生态。"
    "要推进海洋装备制造业升级，支持深远海养殖装备、海洋观测仪器和船舶配套产品研发，培育一批专精特新企业。"
    "要深化开放合作，支持企业参与国际海洋科技合作项目，举办海洋科技成果对接活动，提升区域创新影响力。"
    "各单位要高度重视，明确责任分工，加强督促检查，确保各项任务按期完成。\n"
)
SHARED_CLAUSE = "一、建立科技特派员服务站，每个乡镇至少选派一名科技特派员，开展农业技术指导和培训服务。\n"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "ocean-notice.txt").write_text(LONG, encoding="utf-8")
    for name, region in (("county-a", "甲县"), ("county-b", "乙县")):
        (corpus / f"{name}.txt").write_text(
            f"{region}科技特派员工作方案\n\n{SHARED_CLAUSE}二、{region}财政每年安排专项经费保障{region}特派员工作。\n",
            encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    embedder = load_embedder("multilingual-e5-small", threads=2)
    build_index([corpus], index, embedder, progress=False)
    return SearchEngine(index, embedder)


def test_the_long_notice_is_cut_into_pieces(engine):
    pieces = [c for c in engine.table.clause_ids if c.startswith("ocean-notice:") and "~" in c]
    assert len(pieces) >= 2


def test_an_answer_straddling_a_cut_comes_back_as_one_passage(engine):
    result = engine.search("海洋碳汇监测站点和海洋碳汇交易试点、碳汇核算方法学", k=5)
    top = engine.hit_dict(result.hits[0])
    assert len(top["ids"]) == 2 and top["id"] == top["ids"][0]
    first, second = (int(i.rsplit("~", 1)[1]) for i in top["ids"])
    assert second == first + 1
    # The passage is the two pieces' text as one, and the answer lies across the cut.
    assert top["text"] == "".join(engine.table.texts[engine.row(i)] for i in top["ids"])
    assert "建设海洋碳汇监测站点" in top["text"] and "探索碳汇核算方法学" in top["text"]
    assert not any("建设海洋碳汇监测站点" in engine.table.texts[engine.row(i)]
                   and "探索碳汇核算方法学" in engine.table.texts[engine.row(i)] for i in top["ids"])
    assert top["span"] == [engine.table.spans[engine.row(top["ids"][0])][0], engine.table.spans[engine.row(top["ids"][1])][1]]
    fragment = unquote(top["url"].split("#", 1)[1])
    assert fragment.split(" ") == top["ids"]
    # No piece of the passage is shown a second time on its own.
    shown = [i for h in result.hits for i in h.members]
    assert len(shown) == len(set(shown))


def test_a_text_in_two_documents_is_one_hit_that_cites_the_other(engine):
    result = engine.search("每个乡镇选派科技特派员开展农业技术指导", k=5)
    top = engine.hit_dict(result.hits[0])
    assert SHARED_CLAUSE.strip() in top["text"]
    assert len(top["also_in"]) == 1
    other = top["also_in"][0]
    assert {top["document"]["id"], other["document"]["id"]} == {"county-a", "county-b"}
    assert other["citation"].startswith("《") and other["url"].startswith(f"/documents/{other['document']['id']}#")
    ids = [h.clause_id for h in result.hits]
    assert other["id"] not in ids
    # Uncollapsed (as the compare view asks), both documents keep their own hit.
    plain = engine.search("每个乡镇选派科技特派员开展农业技术指导", k=5, collapse=False)
    assert {engine.hit_dict(h)["document"]["id"] for h in plain.hits[:2]} == {"county-a", "county-b"}
    assert all(h.duplicates == () and h.rows == () for h in plain.hits)


def test_different_clauses_of_the_two_documents_stay_separate(engine):
    result = engine.search("财政每年安排专项经费保障特派员工作", k=5)
    docs = [engine.hit_dict(h)["document"]["id"] for h in result.hits[:2]]
    assert sorted(docs) == ["county-a", "county-b"]


def test_lazily_read_metadata_gives_the_same_passages_and_duplicates(engine):
    """Above LAZY_ROWS clauses, ids, texts and citations come from SQLite in batches; forced
    here, every hit (passage pieces, also_in citations) must be exactly the eager one."""
    lazy = SearchEngine(engine.index_dir, engine.embedder, lazy_above=0)
    assert lazy.table.lazy and not engine.table.lazy
    for question in ("海洋碳汇监测站点和海洋碳汇交易试点、碳汇核算方法学", "每个乡镇选派科技特派员开展农业技术指导"):
        eager, lazy_hits = engine.search(question, k=5).hits, lazy.search(question, k=5).hits
        assert engine.hit_dicts(eager) == lazy.hit_dicts(lazy_hits)
    assert any(len(d["ids"]) == 2 for d in lazy.hit_dicts(lazy.search("海洋碳汇交易试点、碳汇核算方法学", k=5).hits))


def test_the_search_page_shows_the_passage_and_the_other_sources(engine):
    client = create_app(engine, Config()).test_client()
    query = "每个乡镇选派科技特派员开展农业技术指导"
    other = client.get(f"/api/search?q={query}&k=3").get_json()["results"][0]["also_in"][0]
    page = unescape(client.get(f"/?q={query}").get_data(as_text=True))
    assert "另有 1 份文件载有相同条文" in page
    # Linked to the other source's clause (the link carries the query, to mark its words there).
    path, anchor = other["url"].split("#")
    assert re.search(rf'<a href="{re.escape(path)}\?q=[^"#]*#{re.escape(anchor)}">{re.escape(other["citation"])}</a>', page)
    # The duplicate has no card of its own.
    assert f'data-clause="{other["id"]}"' not in page
    api = client.get("/api/search?q=海洋碳汇交易试点、碳汇核算方法学&k=3").get_json()
    top = api["results"][0]
    assert len(top["ids"]) == 2
    page = unescape(client.get("/?q=海洋碳汇交易试点、碳汇核算方法学").get_data(as_text=True))
    path, anchor = top["url"].split("#")  # the card links to both pieces (with the query, to mark it)
    assert re.search(rf'href="{re.escape(path)}\?q=[^"#]*#{re.escape(anchor)}"', page)


def test_cli_search_lists_the_other_sources_of_a_collapsed_hit(engine):
    done = subprocess.run([sys.executable, "-m", "server.cli", "search", "每个乡镇选派科技特派员开展农业技术指导",
                           "--index", str(engine.index_dir), "-k", "3"], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    also = [line for line in lines[first:] if "同文 / also in: 《" in line]
    assert len(also) == 1 and ("甲县" in also[0] or "乙县" in also[0])
