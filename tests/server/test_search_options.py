"""Search options (issues 15, 16, 18): validity status and as_of, facets with counts, pages of
results and sorting by date, and the question's place as a tie-breaker between notices that
publish the same text."""
from __future__ import annotations

import json

import pytest

from indexer.config import Config
from indexer.embed.runtimes import load_embedder
from indexer.index.build import build_index
from indexer.query.engine import SearchEngine
from indexer.query.filters import Filters
from server.app import create_app

CHENZHOU = "chenzhou-2012-county-tech-action-plan"
SHENGSI = "shengsi-2023-innovation-system-plan"


@pytest.fixture(scope="module")
def client(server_engine):
    return create_app(server_engine, Config()).test_client()


def search(client, **params) -> dict:
    reply = client.get("/api/search", query_string=params)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    return reply.get_json()


def docs(data: dict) -> set[str]:
    return {hit["document"]["id"] for hit in data["results"]}


def test_validity_is_judged_on_as_of(client):
    data = search(client, q="科技特派员", k=20)
    status = {h["document"]["id"]: h["validity"]["status"] for h in data["results"]}
    assert status[CHENZHOU] == "expired" and status[SHENGSI] == "in_force"
    then = search(client, q="科技特派员", k=20, as_of="2013-06-01")
    status = {h["document"]["id"]: h["validity"]["status"] for h in then["results"]}
    assert status[CHENZHOU] == "in_force" and status[SHENGSI] == "not_yet"
    chenzhou = next(h for h in then["results"] if h["document"]["id"] == CHENZHOU)
    assert chenzhou["validity"]["effective_to"] == "2014-12-31" and chenzhou["validity"]["basis"]


def test_status_filter_excludes_the_expired_plan(client):
    assert CHENZHOU in docs(search(client, q="科技特派员", k=20))
    in_force = search(client, q="科技特派员", k=20, status="in_force")
    assert CHENZHOU not in docs(in_force) and SHENGSI in docs(in_force)
    assert in_force["filters"]["status"] == "in_force"
    assert docs(search(client, q="科技特派员", k=20, status="expired,in_force")) >= {CHENZHOU, SHENGSI}


@pytest.mark.parametrize("params", [{"status": "valid"}, {"as_of": "2026-02-30"}, {"as_of": "0000-00-00"},
                                    {"as_of": "20261201"}, {"offset": "95", "k": "10"}, {"offset": "-1"},
                                    {"sort": "newest"}])
def test_bad_options_are_400_json(client, params):
    reply = client.get("/api/search", query_string={"q": "科技特派员", **params})
    assert reply.status_code == 400 and reply.get_json()["error"]["message"]


def test_facets_count_the_relevant_results(client):
    data = search(client, q="科技特派员", k=20)
    relevant = [h for h in data["results"] if h["relevant"]]
    assert set(data["facets"]) == {"region", "issuer", "year", "status", "lead"}
    regions = {f["value"]: f["count"] for f in data["facets"]["region"]}
    assert sum(regions.values()) == len(relevant)
    for value, count in regions.items():
        assert count == sum(h["document"]["region"] == value for h in relevant)
    counts = [f["count"] for f in data["facets"]["lead"]]
    assert counts == sorted(counts, reverse=True)


def test_pages_follow_on_and_say_when_there_is_more(client):
    first = search(client, q="科技创新", k=5)
    second = search(client, q="科技创新", k=5, offset=5)
    assert first["has_more"] and first["offset"] == 0 and second["offset"] == 5
    whole = search(client, q="科技创新", k=10)
    assert [h["id"] for h in first["results"] + second["results"]] == [h["id"] for h in whole["results"]]


def test_sort_by_date_puts_the_newest_relevant_results_first(client):
    data = search(client, q="科技特派员", k=20, sort="date")
    relevant = [h for h in data["results"] if h["relevant"]]
    dates = [h["document"]["date"] for h in relevant]
    assert dates == sorted(dates, reverse=True) and data["sort"] == "date"
    assert data["results"][:len(relevant)] == relevant  # the others follow, in rank order


def test_search_filters_by_status_inside_the_engine(server_engine):
    result = server_engine.search("科技特派员", 20, Filters(status=("expired",), as_of="2026-12-01"))
    assert {server_engine.table.document_of(h.row).id for h in result.hits} <= {
        CHENZHOU, "zhejiang-kjt-2015-work-points"}


# ----- the question's place: which of two notices with the same text is cited ------------------

SAME = "一、对疫情防控期间坚守一线的医务人员发放临时性工作补助，所需经费由同级财政保障。\n"


@pytest.fixture(scope="module")
def twin_engine(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("twins")
    for name, place, issuer in (("bj", "北京市", "北京市卫生健康委员会"), ("sh", "上海市", "上海市卫生健康委员会")):
        (corpus / f"{name}.txt").write_text(f"{issuer}关于做好一线医务人员保障的通知\n\n{SAME}", encoding="utf-8")
        (corpus / f"{name}.meta.json").write_text(json.dumps({"region": place, "issuer": issuer}), encoding="utf-8")
    index = tmp_path_factory.mktemp("twins-index")
    embedder = load_embedder("multilingual-e5-small", threads=2)
    build_index([corpus], index, embedder, progress=False)
    return SearchEngine(index, embedder)


@pytest.mark.parametrize(("question", "cited", "named"), [
    ("上海市对一线医务人员发放什么补助", "sh", ["上海市"]),
    ("北京对一线医务人员发放什么补助", "bj", ["北京"]),
])
def test_the_notice_of_the_place_the_question_names_is_cited(twin_engine, question, cited, named):
    result = twin_engine.search(question, 5)
    top = result.hits[0]
    assert twin_engine.table.document_of(top.row).id == cited
    assert len(top.duplicates) == 1  # the other notice is listed as publishing the same text
    assert result.preferred == named


def test_compare_and_similar_judge_validity_on_as_of_too(client):
    compare = client.get("/api/compare", query_string={"q": "科技特派员", "as_of": "2013-06-01"}).get_json()
    statuses = {c["hit"]["document"]["id"]: c["hit"]["validity"]["status"] for c in compare["columns"]}
    assert statuses[CHENZHOU] == "in_force" and statuses[SHENGSI] == "not_yet"
    similar = client.get("/api/similar", query_string={"text": "选派科技特派员开展农业技术指导", "as_of": "2013-06-01"}).get_json()
    assert all(h["validity"]["status"] != "expired" or h["document"]["id"] != CHENZHOU for h in similar["results"])


@pytest.mark.parametrize("day", ["1900-01-01", "2200-01-01", "9999-12-31"])
def test_any_calendar_day_is_a_valid_as_of(client, day):
    reply = client.get("/api/search", query_string={"q": "科技特派员", "as_of": day, "status": "in_force,expired"})
    assert reply.status_code == 200


def test_a_value_answer_is_cited_whatever_page_is_shown(client):
    data = search(client, q="到2027年高新技术企业达到多少", k=1, sort="date")
    answer = data["answer"]
    assert answer["kind"] == "value" and answer["citation"].startswith("《") and answer["url"].startswith("/documents/")
    page = client.get("/", query_string={"q": "到2027年高新技术企业达到多少", "k": 1, "sort": "date"}).get_data(as_text=True)
    assert 'class="value-source"' in page


@pytest.mark.parametrize("lang, shown", [("zh", "目标值：300多名"), ("en", "Target: over 300 名")])
def test_an_approximate_value_is_shown_as_approximate(client, lang, shown):
    from flask import render_template_string

    answer = {"kind": "value", "value": 300, "unit": "名", "year": None, "text": "有300多名学生留校过年",
              "comparator": "多", "clause": "x:1", "span": [0, 10], "url": None, "citation": ""}
    with client.application.test_request_context("/", query_string={"q": "多少学生", "lang": lang}):
        html = render_template_string('{% from "_answer.html" import answer_card with context %}'
                                      '{{ answer_card(answer, [], "多少学生") }}', answer=answer)
    assert shown in html


@pytest.mark.parametrize("lang, shown", [("zh", "日期：2020-01-28"), ("en", "Date: 2020-01-28")])
def test_a_date_asked_is_shown_whole_not_as_its_day(client, lang, shown):
    from flask import render_template_string

    answer = {"kind": "value", "value": 28, "unit": "日", "year": 2020, "date": "2020-01-28",
              "text": "《工作方案》于2020年1月28日印发", "comparator": "", "clause": "x:1", "span": [0, 10], "url": None,
              "citation": ""}
    with client.application.test_request_context("/", query_string={"q": "哪一天印发", "lang": lang}):
        html = render_template_string('{% from "_answer.html" import answer_card with context %}'
                                      '{{ answer_card(answer, [], "哪一天印发") }}', answer=answer)
    assert html.count(shown) == 2  # the card and the answer as text
    assert "目标值：" not in html and "Target: " not in html
