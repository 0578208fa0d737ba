"""The pages' second round, specified against the real app (Flask's test client on the seed
index): validity badges and the status filter, pages of results, sort by date, facets that
filter, exports with citation columns, highlighting that prefers phrases, similar clauses of a
pasted text, and two clauses side by side."""
from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from flask import Flask, render_template_string

from indexer.config import Config
from server import i18n
from server.app import create_app
from server.markup import highlight, marked_terms, query_phrases
from server.pages import copy_groups, preferred_places, relevance_level

WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = f"{WORK_POINTS}:h3.n13"
CHENZHOU = "chenzhou-2012-county-tech-action-plan"
CHENZHOU_44 = f"{CHENZHOU}:h4.n4"
SHENGSI = "shengsi-2023-innovation-system-plan"
ROOT = "https://policy.example.org"


@pytest.fixture(scope="module")
def client(server_engine):
    return create_app(server_engine, Config()).test_client()


def get_page(client, path: str, **args) -> str:
    reply = client.get(f"{path}?{urlencode(args)}" if args else path)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    return reply.get_data(as_text=True)


def hit_html(page: str, clause_id: str) -> str:
    start = page.index(f'id="hit-{clause_id}"')
    return page[start:page.index("</article>", start)]


# ----- highlighting ------------------------------------------------------------------------------

def test_the_question_s_phrase_is_marked_whole_and_bare_common_words_are_not(client):
    page = get_page(client, "/", q="科技企业孵化器建设")
    card = hit_html(page, WORK_POINTS_13)
    text = card[card.index('class="hit-text"'):]
    assert "<mark>科技企业孵化器建设</mark>" in text
    assert "<mark>科技</mark>" not in text and "<mark>建设</mark>" not in text
    assert text.count("<mark>") <= 6  # the phrase, 孵化器 and 科技企业孵化器: not ~20 single words


def test_marking_rule_phrases_then_specific_terms_then_lone_short_words():
    text = "加强科技企业孵化器建设。大力引进社会资本建设科技孵化器。"
    terms = ["科技", "建设", "孵化器", "化器", "科技企业孵化器"]
    assert query_phrases(text, "科技企业孵化器建设") == ["科技企业孵化器建设"]
    assert marked_terms(text, terms, "科技企业孵化器建设") == ["科技企业孵化器建设", "孵化器", "科技企业孵化器"]
    # Only two-character words matched: they are all there is to mark, so they are marked.
    assert marked_terms("推进科技金融结合。", ["科技", "金融"]) == ["科技", "金融"]
    assert str(highlight("推进科技金融结合。", ["科技", "金融"])) == "推进<mark>科技金融</mark>结合。"
    assert "<mark>" not in str(highlight("<b>", [], query="<b>"))  # escaped, nothing to mark


# ----- validity, filters, sort, pages, facets ----------------------------------------------------

def test_results_and_the_document_page_show_a_validity_badge_with_its_basis(client):
    page = get_page(client, "/", q="科技特派员")
    assert re.search(r'class="badge badge-in_force"[^>]*title="[^"]*依据：[^"]+">现行有效</span>', page)
    assert 'class="badge badge-expired"' in page and "已失效" in page
    doc = get_page(client, f"/documents/{CHENZHOU}", lang="en")
    assert re.search(r'class="badge badge-expired"[^>]*title="In force from 2012-01-01 to 2014-12-31[^"]*">Expired<', doc)
    assert "Based on: 三年行动计划" in html.unescape(doc)


def test_the_status_filter_leaves_out_the_expired_chenzhou_plan(client):
    everything = client.get("/?" + urlencode({"q": "科技特派员", "format": "json"})).get_json()
    assert CHENZHOU in {r["document"]["id"] for r in everything["results"]}
    page = get_page(client, "/", q="科技特派员", status="in_force")
    assert '<option value="in_force" selected>' in page
    assert f'data-clause="{CHENZHOU}' not in page and f'data-clause="{SHENGSI}' in page
    as_of = client.get("/?" + urlencode({"q": "科技特派员", "status": "in_force", "as_of": "2013-06-01",
                                         "format": "json"})).get_json()
    assert {r["document"]["id"] for r in as_of["results"]} == {CHENZHOU}
    assert 'value="2013-06-01"' in get_page(client, "/", q="科技特派员", status="in_force", as_of="2013-06-01")


def test_pages_of_results_link_forward_and_back_without_javascript(client):
    first = get_page(client, "/", q="科技", k=3)
    following = html.unescape(re.search(r'<a class="btn pager-next" rel="next" href="([^"]+)"', first).group(1))
    assert parse_qs(urlparse(following).query)["offset"] == ["3"]
    assert "pager-prev" not in first
    second = get_page(client, following)
    assert '<span class="rank">4</span>' in second and '<span class="rank">1</span>' not in second
    back = html.unescape(re.search(r'rel="prev" href="([^"]+)"', second).group(1))
    assert "offset" not in parse_qs(urlparse(back).query) and "结果 4–6" not in second
    assert "第 4–6 条" in second


def test_the_last_page_is_cut_at_the_hundredth_result(client):
    page = get_page(client, "/", q="科技", k=40, offset=40)
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', page).group(1))
    assert parse_qs(urlparse(following).query)["k"] == ["20"]  # 80 + 20 = MAX_K
    assert client.get(following).status_code == 200


def test_sort_by_date_puts_the_newest_relevant_clause_first(client):
    data = client.get("/?" + urlencode({"q": "科技特派员", "sort": "date", "format": "json"})).get_json()
    dates = [r["document"]["date"] for r in data["results"] if r["relevant"]]
    assert dates == sorted(dates, reverse=True) and data["sort"] == "date"
    assert '<option value="date" selected>' in get_page(client, "/", q="科技特派员", sort="date")


def test_facets_show_counts_and_a_click_applies_the_filter(client):
    page = get_page(client, "/", q="科技特派员")
    region = re.search(r'data-facet="region">(.*?)</div>', page, re.DOTALL).group(1)
    counts = re.findall(r'href="([^"]+)"[^>]*>([^<]+) <span class="count">\((\d+)\)</span>', region)
    assert counts and all(int(n) >= 1 for _, _, n in counts)
    url, value, _ = counts[0]
    assert parse_qs(urlparse(html.unescape(url)).query)["region"] == [value]
    filtered = get_page(client, html.unescape(url))
    assert 'aria-current="true"' in filtered  # the applied value, a link that removes it
    assert re.search(r'data-facet="lead">.*?href="/units/', page, re.DOTALL)
    assert re.search(r'data-facet="status">.*?现行有效 <span class="count">', page, re.DOTALL)


def test_the_page_says_which_places_the_question_names_and_what_that_does(client):
    """The named place breaks ties between notices publishing the same text; it does not
    promise that place's documents, and the page says when none of the results is from it."""
    page = html.unescape(get_page(client, "/", q="嵊泗县科技特派员"))
    assert "问题提到：嵊泗县 — 相同条文由多份文件发布时，优先引用其文件" in page
    assert "结果中没有来自" not in page  # 嵊泗县's plan is among the results
    english = html.unescape(get_page(client, "/", q="嵊泗县科技特派员", lang="en"))
    assert "Your question names 嵊泗县: where several notices publish the same text, theirs is cited" in english
    assert "Preferring" not in english and "no result comes from" not in english


def test_a_named_place_no_result_comes_from_is_said_to_be_absent():
    results = [{"document": {"region": "浙江省·舟山市·嵊泗县", "issuer": "嵊泗县人民政府办公室"}},
               {"document": {"region": None, "issuer": "浙江省科学技术厅"}}]
    assert preferred_places({"preferred": ["嵊泗县", "上海市", "科学技术厅"], "results": results}) == [
        {"name": "嵊泗县", "found": True}, {"name": "上海市", "found": False}, {"name": "科学技术厅", "found": True}]
    assert preferred_places({"preferred": [], "results": results}) == []
    # a document number named is found in the 文号 of a result's document
    results[1]["document"]["doc_number"] = "浙科发〔2015〕12号"
    assert preferred_places({"preferred": ["浙科发〔2015〕12号", "京财金融〔2020〕251号"], "results": results}) == [
        {"name": "浙科发〔2015〕12号", "found": True}, {"name": "京财金融〔2020〕251号", "found": False}]


# ----- exports -----------------------------------------------------------------------------------

def test_the_result_list_downloads_as_csv_with_citation_columns(client):
    page = get_page(client, "/", q="孵化器由哪个部门负责")
    link = html.unescape(re.search(r'class="export-csv" href="([^"]+)"', page).group(1))
    reply = client.get(link, base_url=ROOT)
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "filename*=UTF-8''search-" in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert header[:3] == ["序号", "相关度", "相关"] and "引用" in header and "牵头单位" in header and "效力" in header
    assert first["条款编号"] == WORK_POINTS_13 and first["牵头单位"] == "高新处" and first["序号"] == "1"
    assert first["链接"] == f"{ROOT}/documents/{WORK_POINTS}#{quote(WORK_POINTS_13, safe=':~')}"
    assert first["引用"].startswith("浙江省科学技术厅：《省科技厅2015年工作要点及责任分解》")
    assert first["效力"] == "已失效" and first["发文机关"] == "浙江省科学技术厅"


def test_the_result_list_and_the_compare_view_download_as_xlsx(client):
    openpyxl = pytest.importorskip("openpyxl")
    for path in ("/", "/compare"):
        reply = client.get(f"{path}?{urlencode({'q': '科技特派员', 'format': 'xlsx', 'lang': 'en'})}", base_url=ROOT)
        assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(reply.data)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0][:3] == ["Rank", "Relevance", "Relevant"] and rows[0][-1] == "Validity"
        assert len(rows) > 2 and all(str(r[11]).startswith(f"{ROOT}/documents/") for r in rows[1:])
        assert {r[-1] for r in rows[1:]} <= {"In force", "Expired", "Not yet in force", "Validity unknown"}
    compare = get_page(client, "/compare", q="科技特派员")
    assert 'class="export-xlsx"' in compare and "format=xlsx" in compare


def test_an_unknown_format_is_refused(client):
    reply = client.get("/?" + urlencode({"q": "科技", "format": "pdf"}))
    assert reply.status_code == 400


# ----- similar clauses: a pasted text, copies, side by side --------------------------------------

def test_similar_clauses_of_a_pasted_text_and_its_json_twin(client):
    assert 'name="text"' in get_page(client, "/similar")
    text = "深化科技特派员制度，派遣科技特派员服务基层"
    page = get_page(client, "/similar", text=text, k=4)
    assert 'class="hit source-clause source-text"' in page and text.replace("，", ",") in page or text in page
    data = client.get("/similar?" + urlencode({"text": text, "k": 4, "format": "json"})).get_json()
    api = client.get("/api/similar?" + urlencode({"text": text, "k": 4})).get_json()
    assert {**data, "took_ms": 0} == {**api, "took_ms": 0}
    assert all(f'data-clause="{r["id"]}"' in page for r in data["results"])
    assert "共同词语" in page


def test_the_similar_page_shows_the_matched_piece_and_links_to_side_by_side(client):
    page = get_page(client, f"/similar/{quote(CHENZHOU_44)}", scope="all", k=8)
    assert 'class="matched-piece' in page
    pair = re.search(r'class="btn btn-ghost btn-pair" href="([^"]+)"', page).group(1)
    assert parse_qs(urlparse(html.unescape(pair)).query)["a"] == [CHENZHOU_44]
    assert 'class="maybe-relevant"' in page  # the clauses below the threshold, folded


def test_copies_follow_the_result_they_copy():
    results = [{"id": "a", "near_duplicate_of": None}, {"id": "b", "near_duplicate_of": "source"},
               {"id": "c", "near_duplicate_of": "a"}, {"id": "d", "near_duplicate_of": None}]
    groups = copy_groups(results)
    assert [(g["hit"]["id"], [c["id"] for c in g["copies"]]) for g in groups] == [("a", ["c"]), ("b", []), ("d", [])]


def test_two_clauses_side_by_side_with_their_shared_phrases(client):
    a, b = CHENZHOU_44, "zhejiang-kjt-2015-work-points:h6.n21"
    page = get_page(client, "/similar/compare", a=a, b=b)
    assert page.count('<mark class="shared">') >= 2
    assert f'data-clause="{a}"' in page and f'data-clause="{b}"' in page
    assert re.search(r'class="shared-ratio">相同文字约占 \d+%', page)
    assert page.count('class="cite-text"') == 2
    data = client.get("/similar/compare?" + urlencode({"a": a, "b": b, "format": "json"})).get_json()
    assert data == client.get("/api/similar/compare?" + urlencode({"a": a, "b": b})).get_json()
    missing = client.get("/similar/compare?" + urlencode({"a": a, "b": "nope:1"}))
    assert missing.status_code == 404 and "nope:1" in html.unescape(missing.get_data(as_text=True))


# ----- words that say what they mean ---------------------------------------------------------------

NO_ANSWER = "火锅底料配方"  # the seed index has nothing on it


def test_a_search_with_no_relevant_clause_offers_no_next_page_and_no_export(client):
    page = get_page(client, "/", q=NO_ANSWER)
    assert "共 0 条相关条款" in page
    assert "pager-next" not in page and "export-csv" not in page and "export-xlsx" not in page
    assert "可以换一种说法" in page and "放宽地区" not in page  # no filter is set: nothing to widen
    english = get_page(client, "/", q=NO_ANSWER, lang="en")
    assert "Try asking in other words" in english and "widen" not in english


def test_with_a_filter_set_the_empty_search_says_to_widen_it(client):
    page = get_page(client, "/", q=NO_ANSWER, region="浙江省")
    assert "放宽地区、机关、年份筛选" in page and "export-csv" not in page


def test_a_search_with_relevant_clauses_still_exports_and_pages(client):
    page = get_page(client, "/", q="科技", k=3)
    assert "pager-next" in page and 'class="export-csv"' in page


def test_every_validity_badge_says_what_it_is_about(client):
    for key, zh, en in (("status_in_force", "现行有效", "In force"), ("status_expired", "已失效", "Expired"),
                        ("status_not_yet", "尚未施行", "Not yet in force"),
                        ("status_unknown", "效力未知", "Validity unknown")):
        assert i18n.CATALOGUE[key] == {"zh": zh, "en": en}
    page = get_page(client, "/documents/zhejiang-2019-county-innovation-opinions")
    assert re.search(r'class="badge badge-unknown"[^>]*>效力未知</span>', page)
    english = get_page(client, "/documents/zhejiang-2019-county-innovation-opinions", lang="en")
    assert re.search(r'class="badge badge-unknown"[^>]*>Validity unknown</span>', english)


def test_english_counts_are_singular_for_one():
    app = Flask("plural")  # t() needs only a request
    with app.test_request_context("/?lang=en"):
        assert i18n.t("maybe_relevant", count=1) == "1 more clause that may be relevant"
        assert i18n.t("maybe_relevant", count=2) == "2 more clauses that may be relevant"
        assert i18n.t("relevant_count", count=1) == "1 relevant clause"
        assert i18n.t("relevant_count", count=0) == "0 relevant clauses"
        assert i18n.t("clause_count", count=1) == "1 clause"
        assert i18n.t("also_in", count=1) == "The same text is in 1 more document"
        assert i18n.t("targets_count", count=1) == "1 target"
    with app.test_request_context("/?lang=zh"):
        assert i18n.t("maybe_relevant", count=1) == "另有 1 条可能相关的条款"


def test_a_page_with_one_folded_clause_says_clause(client):
    data = client.get("/?" + urlencode({"q": "technology commissioners", "format": "json"})).get_json()
    folded = sum(not r["relevant"] for r in data["results"])
    page = html.unescape(get_page(client, "/", q="technology commissioners", lang="en"))
    noun = "clause" if folded == 1 else "clauses"
    assert f"{folded} more {noun} that may be relevant" in page
    assert not re.search(r"\b1 more clauses\b|\b1 relevant clauses\b|\b1 clauses\b", page)


def test_relevance_is_shown_as_a_level_with_the_number_in_its_tooltip(client):
    data = client.get("/?" + urlencode({"q": "科技特派员有哪些要求", "format": "json"})).get_json()
    page = get_page(client, "/", q="科技特派员有哪些要求")
    for hit in data["results"]:
        score = re.search(r'<span class="score relevance-(\w+)"[^>]*title="([^"]*)">([^<]*)</span>',
                          hit_html(page, hit["id"]))
        level, title, text = score.groups()
        assert level == relevance_level(hit)
        assert f"相关度 {hit['relevance']:.2f}" in title  # the exact number, on hover
        assert text == ({"high": "相关度：高", "mid": "相关度：中", "low": "相关度：低", "maybe": "可能相关"}[level])
        assert not re.search(r"\d\.\d\d", text)
    english = get_page(client, "/", q="科技特派员有哪些要求", lang="en")
    assert re.search(r'class="score relevance-\w+"[^>]*>(Relevance: (high|medium|low)|perhaps relevant)<', english)
    sheet = client.get("/?" + urlencode({"q": "科技特派员有哪些要求", "format": "csv"})).get_data(as_text=True)
    first_row = list(csv.reader(io.StringIO(sheet.lstrip("\ufeff"))))[1]
    assert float(first_row[1]) == pytest.approx(data["results"][0]["relevance"], abs=1e-6)  # numeric in exports


def test_relevance_levels_cut_at_seven_and_three_tenths():
    assert [relevance_level({"relevant": True, "relevance": r}) for r in (0.95, 0.7, 0.69, 0.3, 0.29, 0.05)] == [
        "high", "high", "mid", "mid", "low", "low"]
    assert relevance_level({"relevant": False, "relevance": 0.8}) == "maybe"


def test_the_answer_card_shows_each_document_s_validity(client):
    """answer.groups[].document carries `validity` (absent until the payload adds it)."""
    answer = {"kind": "responsibility", "lead": [], "cooperating": [], "persons": [], "clauses": [], "groups": [
        {"document": {"id": CHENZHOU, "title": "郴州市行动计划", "region": "湖南省·郴州市", "year": 2012,
                      "validity": {"effective_from": "2012-01-01", "effective_to": "2014-12-31",
                                   "basis": "三年行动计划", "status": "expired"}},
         "lead": [{"name": "市科技局", "clauses": ["x"], "source": "note"}], "cooperating": [], "persons": []},
        {"document": {"id": SHENGSI, "title": "嵊泗县方案", "region": "嵊泗县", "year": 2023},
         "lead": [{"name": "县科技局", "clauses": ["y"], "source": "note"}], "cooperating": [], "persons": []}]}
    source = '{% from "_answer.html" import answer_card with context %}{{ answer_card(answer, [], "") }}'
    with client.application.test_request_context("/?lang=zh"):
        card = render_template_string(source, answer=answer, **i18n.template_values())
    first, second = card.split('class="answer-group"')[1:3]
    assert re.search(r'class="badge badge-expired"[^>]*>已失效</span>', first)
    assert "badge" not in second  # no validity: no badge, no error


def test_a_unit_s_co_units_are_the_other_units_on_the_task_with_their_roles(client):
    page = get_page(client, f"/units/{quote('高新处')}")
    assert "协同：" not in page
    block = re.search(r'<div class="chips co-units">(.*?)</div>', page, re.DOTALL)
    assert block and "同一任务的其他单位：" in block.group(1)
    assert re.search(r'<span class="chip-role">(牵头|配合|责任人)</span>', block.group(1))  # each its own role
    assert "Other units on this task: " in get_page(client, f"/units/{quote('高新处')}", lang="en")


def test_the_targets_chart_scales_as_one_picture_with_a_table_of_fixed_columns(client):
    page = get_page(client, "/targets", q="高新技术企业")
    svg = re.search(r'<svg class="target-chart"[^>]*>', page)
    assert svg and 'viewBox="0 0 480 ' in svg.group(0) and "width=" not in svg.group(0)  # sized by app.css
    assert '<colgroup><col class="col-region">' in page and '<div class="table-wrap">' in page


def test_a_who_answer_cites_its_clauses_even_off_the_results_page(client):
    """Each clause of a who-answer has its citation and link in `sources`; where the clause is
    not among the shown results (a page of one result; a clause found by searching a named
    county's own documents) the card still links and cites it."""
    q = "孵化器由哪个部门负责"
    data = client.get("/api/search?" + urlencode({"q": q, "k": 1})).get_json()
    answer = data["answer"]
    assert answer["clauses"] and set(answer["sources"]) == set(answer["clauses"])
    shown = {h["id"] for h in data["results"]}
    away = [cid for cid in answer["clauses"] if cid not in shown]
    assert away  # the answering clause is not on this page
    page = get_page(client, "/", q=q, k=1)
    for cid in away:
        source = answer["sources"][cid]
        assert source["citation"] in page and source["url"].split("#")[1] in page
        assert f'href="#hit-{cid}"' not in page  # no anchor to a result that is not on the page
