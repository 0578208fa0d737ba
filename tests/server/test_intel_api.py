"""/api/units, /api/targets, the lineage of /api/documents/<id>, their pages and exports,
specified against the real app (Flask's test client on the seed index)."""
from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from indexer.config import Config
from server import i18n, intel
from server.app import create_app

WORK_POINTS = "zhejiang-kjt-2015-work-points"
SHENGSI = "shengsi-2023-innovation-system-plan"
OPINIONS_2019 = "zhejiang-2019-county-innovation-opinions"
TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "templates"
TARGETS_EXTRACTOR = Path(__file__).resolve().parents[2] / "indexer" / "parse" / "targets.py"


def with_intel(app):
    """The app with the intel blueprint (server/app.py registers it; older factories do not)."""
    if "intel" not in app.blueprints:
        app.register_blueprint(intel.bp)
    return app


@pytest.fixture(scope="module")
def client(server_engine):
    return with_intel(create_app(server_engine, Config())).test_client()


def unit_path(name: str, **args) -> str:
    return f"/api/units/{quote(name, safe='')}" + (f"?{urlencode(args)}" if args else "")


def assert_json_error(reply, status: int, code: str) -> None:
    assert reply.status_code == status, reply.get_data(as_text=True)[:300]
    assert reply.mimetype == "application/json"
    assert reply.get_json()["error"]["code"] == code and reply.get_json()["error"]["message"]


# ----- units -------------------------------------------------------------------------------------

def test_units_are_listed_with_counts_and_filtered_by_a_part_of_the_name(client):
    listed = client.get("/api/units").get_json()
    assert listed["count"] == len(listed["units"]) > 20
    gaoxin = next(u for u in listed["units"] if u["name"] == "高新处")
    assert gaoxin["lead"] >= 10 and gaoxin["cooperating"] == 0 and gaoxin["documents"] == 2
    assert gaoxin["person"] is False and gaoxin["spellings"] == ["高新处"]
    assert gaoxin["api_url"] == unit_path("高新处")
    found = client.get("/api/units?" + urlencode({"q": "县经信局 (县科技局)"})).get_json()
    assert [u["name"] for u in found["units"]] == ["县经信局（县科技局）"]
    assert client.get("/api/units?q=火星").get_json() == {"q": "火星", "count": 0, "units": []}


def test_a_unit_s_tasks_are_grouped_by_document(client):
    reply = client.get(unit_path("高新处"))
    assert reply.status_code == 200
    data = reply.get_json()
    assert data["name"] == "高新处" and data["spellings"] == ["高新处"]
    groups = {g["document"]["id"]: g["tasks"] for g in data["documents"]}
    assert set(groups) == {WORK_POINTS, "zhejiang-kjt-2015-support-26-counties"}
    task = next(t for t in groups[WORK_POINTS] if t["clause"] == f"{WORK_POINTS}:h3.n13")
    assert set(task) >= {"clause", "citation", "url", "text", "role", "co_units"}
    assert task["role"] == "lead" and task["url"] == f"/documents/{WORK_POINTS}#{WORK_POINTS}:h3.n13"
    assert len(groups["zhejiang-kjt-2015-support-26-counties"]) >= 3


@pytest.mark.parametrize("spelling", ["县经信局(县科技局)", "县经信局（县科技局）", "县经信局 ( 县科技局 )"])
def test_odd_brackets_and_spaces_name_the_same_unit(client, spelling):
    data = client.get(unit_path(spelling)).get_json()
    assert data["name"] == "县经信局（县科技局）"
    assert {g["document"]["id"] for g in data["documents"]} == {SHENGSI}


@pytest.mark.parametrize("name", ["火星科技局", "高新处x", "..%2F..%2Fetc", "<script>alert(1)</script>"])
def test_an_unknown_unit_is_a_json_404(client, name):
    assert_json_error(client.get(unit_path(name)), 404, "not_found")
    page = client.get(f"/units/{quote(name, safe='')}")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


def test_the_task_sheet_as_csv_parses_back(client):
    reply = client.get(unit_path("高新处", format="csv"))
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"] and ".csv" in reply.headers["Content-Disposition"]
    body = reply.get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    assert header[0] == "单位 unit" and "条款 clause" in header
    clauses = [r[header.index("条款 clause")] for r in rows]
    assert f"{WORK_POINTS}:h3.n13" in clauses
    assert len(rows) == sum(len(g["tasks"]) for g in client.get(unit_path("高新处")).get_json()["documents"])
    assert all(r[0] == "高新处" for r in rows)


def test_the_task_sheet_as_xlsx_reads_back(client):
    openpyxl = pytest.importorskip("openpyxl")
    reply = client.get(unit_path("县经信局(县科技局)", format="xlsx"))
    assert reply.status_code == 200
    assert reply.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(reply.get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("单位 unit", "角色 role")
    assert len(rows) - 1 == client.get(unit_path("县经信局（县科技局）")).get_json()["lead"]
    assert all(r[0] == "县经信局（县科技局）" and r[1] == "牵头" for r in rows[1:])


def test_a_formula_in_a_sheet_stays_text():
    from server.exports import csv_bytes, xlsx_bytes

    openpyxl = pytest.importorskip("openpyxl")
    rows = [["=HYPERLINK(\"http://x\")", 3.5, None, "正常\x07文本"]]
    text = csv_bytes(["a", "b", "c", "d"], rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][:3] == ["'=HYPERLINK(\"http://x\")", "3.5", ""]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["a", "b", "c", "d"], rows, "t/[x]"))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["B2"].value == 3.5 and sheet["D2"].value == "正常文本"
    hidden = csv_bytes(["a"], [[" =1+1"], ["\n=1+1"], [" 科技"]]).decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(hidden))][1:] == ["' =1+1", "'\n=1+1", " 科技"]


def test_a_bad_format_is_a_400(client):
    assert_json_error(client.get(unit_path("高新处", format="pdf")), 400, "bad_query")


def test_the_unit_pages_and_their_json_twins(client):
    page = client.get("/units?q=科技局").get_data(as_text=True)
    assert "县经信局（县科技局）" in page and 'rel="alternate"' in page and "/api/units?q=" in page
    assert client.get("/units?q=科技局&format=json").get_json() == client.get("/api/units?q=科技局").get_json()
    reply = client.get(f"/units/{quote('县经信局 (县科技局)')}")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "县经信局（县科技局）" in page and f'data-clause="{SHENGSI}:h2.p1.n1"' in page
    api = unit_path("县经信局（县科技局）")
    assert f'href="{api}?format=csv"' in page and f'href="{api}?format=xlsx"' in page
    twin = client.get(f"/units/{quote('县经信局（县科技局）')}?format=json").get_json()
    assert twin == client.get(api).get_json()
    # the units named with it link to their own pages, and those pages open
    co = f'/units/{quote("县海洋与渔业局", safe="")}'
    assert f'href="{co}"' in page and client.get(co).status_code == 200


# ----- lineage -----------------------------------------------------------------------------------

def test_a_document_lists_what_it_cites_and_who_cites_it(client):
    shengsi = client.get(f"/api/documents/{SHENGSI}").get_json()
    cited = next(c for c in shengsi["cites"] if c["doc_number"] == "浙政办发〔2019〕11号")
    assert cited["document_id"] == OPINIONS_2019 and cited["url"] == f"/documents/{OPINIONS_2019}"
    assert set(cited) >= {"text", "title", "doc_number", "clause", "document_id"}
    unresolved = [c for c in shengsi["cites"] if c["document_id"] is None]
    assert unresolved and all(c["text"] for c in unresolved)  # visible as printed
    assert shengsi["cited_by"] == []
    opinions = client.get(f"/api/documents/{OPINIONS_2019}").get_json()
    assert [c["document_id"] for c in opinions["cited_by"]] == [SHENGSI]
    assert opinions["cited_by"][0]["title"] and opinions["cited_by"][0]["url"].startswith(f"/documents/{SHENGSI}")
    assert client.get(f"/documents/{OPINIONS_2019}?format=json").get_json()["cited_by"] == opinions["cited_by"]


def test_no_document_is_its_own_citer(client):
    for doc in client.get("/api/documents").get_json()["documents"]:
        data = client.get(doc["api_url"]).get_json()
        assert doc["id"] not in {c["document_id"] for c in data["cited_by"]}
        assert doc["id"] not in {c["document_id"] for c in data["cites"]}


# ----- targets -----------------------------------------------------------------------------------

def test_targets_answer_with_their_shape_and_filters(client):
    data = client.get("/api/targets?" + urlencode({"q": "高新技术企业", "region": "浙江省"})).get_json()
    assert data["q"] == "高新技术企业" and data["filters"] == {"region": "浙江省", "year": None}
    for t in data["targets"]:
        assert set(t) >= {"metric", "value", "unit", "comparator", "year", "text", "clause", "url", "citation",
                          "document"}
        assert set(t["document"]) >= {"id", "title", "region", "year", "issuer"}
        assert "浙江省" in t["document"]["region"]


@pytest.mark.parametrize("args, name", [({"year": "abc"}, "year"), ({"year": "２０２７"}, "year"),
                                        ({"year": "27"}, "year"), ({"region": "火星"}, "region")])
def test_bad_target_filters_are_400_json(client, args, name):
    assert_json_error(client.get("/api/targets?" + urlencode(args)), 400, "bad_query")
    assert_json_error(client.get("/targets?" + urlencode({**args, "format": "json"})), 400, "bad_query")
    page = client.get("/targets?" + urlencode(args))
    assert page.status_code == 400 and page.mimetype == "text/html" and 'class="alert"' in page.get_data(as_text=True)


def test_targets_as_csv_parse_back(client):
    reply = client.get("/api/targets?format=csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(reply.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["指标 metric", "目标值 value", "单位 unit"]
    assert len(rows) - 1 == len(client.get("/api/targets").get_json()["targets"])


def test_the_targets_page_renders_a_chart_per_metric(client, monkeypatch):
    """Drawn from targets placed on real clauses, so the page is tested without the extractor."""
    from indexer.query.targets_view import TargetTable

    engine = client.application.extensions["policy_search.engine_holder"].current

    def target(metric, value, year):
        return {"metric": metric, "value": value, "unit": "家", "comparator": "达到", "year": year,
                "start": 0, "end": 2, "text": f"{metric}达到{value}家"}

    fake = TargetTable(engine.table, [(f"{SHENGSI}:h2.p1.n1", SHENGSI, [target("高新技术企业", 10.0, 2027)]),
                                      (f"{WORK_POINTS}:h3.n13", WORK_POINTS, [target("高新技术企业", 7000.0, 2015)])])
    monkeypatch.setitem(engine.__dict__, "_targets", fake)
    page = client.get("/targets?q=高新技术企业").get_data(as_text=True)
    assert page.count('class="target-group"') == 1
    svg = re.search(r"<svg class=\"target-chart\".*?</svg>", page, flags=re.DOTALL).group(0)
    assert svg.count("<rect") == 2 and "7,000家" in svg and "10家" in svg
    widths = [float(w) for w in re.findall(r'<rect[^>]*width="([\d.]+)"', svg)]
    assert max(widths) > 50 * min(widths) >= 2 * 50  # 7000 against 10: the small bar still shows
    assert 'href="/api/targets?q=' in page and "format=csv" in page
    assert "<script" not in svg and "style=" not in svg  # CSP: no inline script or style


@pytest.mark.skipif(not TARGETS_EXTRACTOR.exists(), reason="needs the targets extractor (issue 16 part 3)")
def test_the_targets_page_of_the_seed_index_has_an_svg(client):
    page = client.get("/targets?q=高新技术企业").get_data(as_text=True)
    assert "<svg" in page and "10家" in page and "7,000家" in page and "20,000家" in page


# ----- both languages ----------------------------------------------------------------------------

def test_every_key_these_templates_use_is_in_a_catalogue_in_both_languages():
    used = {key for name in ("units.html", "unit.html", "targets.html")
            for key in re.findall(r"\bt\('([a-z_0-9-]+)'\s*[,)]", (TEMPLATES / name).read_text(encoding="utf-8"))}
    used |= {f"role_{role}" for role in ("lead", "cooperating", "person")}  # t('role_' ~ task.role)
    assert used and not used - set(i18n.CATALOGUE)


@pytest.mark.parametrize("path", ["/units?q=科技", f"/units/{quote('县经信局（县科技局）')}", "/targets?q=高新技术企业"])
def test_the_english_pages_say_their_own_words_in_english(client, path, strings_in):
    page = client.get(f"{path}&lang=en" if "?" in path else f"{path}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    data = strings_in(client.get(f"{path}&format=json" if "?" in path else f"{path}?format=json").get_json())
    data |= strings_in(client.get("/api/documents").get_json()) | {"科技", "高新技术企业"}
    page = re.sub(r'<a class="lang-switch".*?</a>|<title>.*?</title>', "", page, flags=re.DOTALL)
    attributes = " ".join(re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', page))
    words = html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)
    for value in sorted(data, key=len, reverse=True):
        words = words.replace(value, " ")
    assert not re.findall(r"\S*[\u3400-\u9fff]\S*", words)


def test_a_unit_whose_name_holds_a_slash_can_be_opened(client):
    """'县人社局/县科技局' is one unit as a note writes it: its pages' routes take the slash."""
    urls = client.application.url_map.bind("localhost")
    for path in ("/api/units/县人社局/县科技局", "/units/县人社局/县科技局"):
        endpoint, values = urls.match(path)
        assert endpoint.startswith("intel.") and values == {"name": "县人社局/县科技局"}
    reply = client.get("/api/units/" + quote("县人社局/县科技局", safe=""))
    assert reply.status_code == 404 and reply.get_json()["error"]["code"] == "not_found"
