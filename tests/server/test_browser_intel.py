"""End to end in headless Chromium against the real server: find a unit and read its tasks,
compare a target across documents in the chart, and follow a citation to the document it cites."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.config import Config
from indexer.index import meta
from server import intel
from server.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                "(apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need `pip install playwright`")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = f"{WORK_POINTS}:h3.n13"
SHENGSI = "shengsi-2023-innovation-system-plan"
OPINIONS_2019 = "zhejiang-2019-county-innovation-opinions"


@pytest.fixture
def server(start_server, server_engine):
    app = create_app(server_engine, Config())
    if "intel" not in app.blueprints:  # until server/app.py registers it
        app.register_blueprint(intel.bp)
    return start_server(app)


@pytest.fixture
def page(server, page):
    """The conftest's page, set up after this file's server and so closed before it stops: a
    request the page still makes as the test ends must not meet a closed port (it did once, on
    a loaded machine: 'Failed to load resource: net::ERR_CONNECTION_REFUSED' at teardown)."""
    return page


def by_id(page, element_id: str):
    return page.locator(f'[id="{element_id}"]')


def test_find_a_unit_read_its_tasks_and_open_one(page, server):
    page.goto(server.url + "/units")
    page.locator('input[name="q"]').fill("高新")
    page.keyboard.press("Enter")
    page.wait_for_url("**/units?q=*")
    page.get_by_role("link", name="高新处", exact=True).click()
    page.wait_for_url(f"**/units/{quote('高新处')}")
    expect(page.locator("h1")).to_have_text("高新处")
    task = page.locator(f'.unit-task[data-clause="{WORK_POINTS_13}"]')
    expect(task).to_be_visible()
    expect(task.locator(".chip").first).to_contain_text("牵头")
    assert page.locator('.unit-document[data-document="zhejiang-kjt-2015-support-26-counties"] .unit-task').count() >= 3
    csv_href = page.locator('a[href$="format=csv"]').get_attribute("href")
    assert page.request.get(server.url + csv_href).body().startswith("\ufeff".encode())
    task.locator("a.citation").click()
    page.wait_for_url(f"**/documents/{WORK_POINTS}#*")
    expect(by_id(page, WORK_POINTS_13)).to_be_visible()


def test_a_unit_spelled_with_odd_brackets_opens_the_same_page(page, server):
    page.goto(server.url + "/units/" + quote("县经信局 (县科技局)"))
    expect(page.locator("h1")).to_have_text("县经信局（县科技局）")
    expect(page.locator(f'.unit-task[data-clause="{SHENGSI}:h2.p1.n1"]')).to_be_visible()


def test_compare_a_target_across_documents_in_the_chart(page, server, server_engine, monkeypatch):
    if not meta.targets(server_engine.version):  # the extractor has not filled any: place two by hand
        from indexer.query.targets_view import TargetTable

        def target(value, year):
            return {"metric": "高新技术企业", "value": value, "unit": "家", "comparator": "达到", "year": year,
                    "start": 0, "end": 2, "text": f"高新技术企业达到{value}家"}

        monkeypatch.setitem(server_engine.__dict__, "_targets", TargetTable(server_engine.table, [
            (f"{SHENGSI}:h2.p1.n1", SHENGSI, [target(10.0, 2027)]),
            (WORK_POINTS_13, WORK_POINTS, [target(7000.0, 2015)])]))
    page.goto(server.url + "/targets")
    page.locator('input[name="q"]').fill("高新技术企业")
    page.keyboard.press("Enter")
    page.wait_for_url("**/targets?q=*")
    chart = page.locator(".target-chart").first
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() >= 2
    box = [chart.locator("rect").nth(i).bounding_box()["width"] for i in range(chart.locator("rect").count())]
    assert max(box) > 10 * min(box)  # 7000 against 10
    rows = page.locator(".target-table .target-row")
    expect(rows.filter(has_text="嵊泗县").first).to_contain_text("2027")
    expect(page.locator("a.csv-link")).to_have_attribute("href", "/api/targets?q=%E9%AB%98%E6%96%B0%E6%8A%80%E6%9C%AF%E4%BC%81%E4%B8%9A&format=csv")


def test_follow_a_citation_to_the_document_it_cites(page, server):
    """The document page's lineage lists once they are rendered; until then the API's link."""
    page.goto(f"{server.url}/documents/{SHENGSI}")
    links = page.locator(f'.lineage a[href^="/documents/{OPINIONS_2019}"]')
    if links.count():
        links.first.click()
    else:
        data = page.request.get(f"{server.url}/api/documents/{SHENGSI}").json()
        cited = next(c for c in data["cites"] if c["document_id"] == OPINIONS_2019)
        page.goto(server.url + cited["url"])
    page.wait_for_url(f"**/documents/{OPINIONS_2019}*")
    expect(page.locator("h1")).to_contain_text("关于促进县域创新驱动发展的实施意见")
    back = page.request.get(f"{server.url}/api/documents/{OPINIONS_2019}").json()["cited_by"]
    assert [c["document_id"] for c in back] == [SHENGSI]
    page.goto(server.url + back[0]["url"])
    expect(page.locator("h1.doc-title")).to_contain_text("嵊泗县")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_targets_table_and_chart_fit_the_page(browser, server, width):
    """The table stays inside its container, a region is not one character per line, and the
    chart's text reads at 11 px or more on a phone and a wide screen alike."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(server.url + "/targets?q=" + quote("高新技术企业"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for table in page.locator(".target-table").all():
            box, room = table.bounding_box(), table.locator("xpath=..").bounding_box()
            assert box["width"] <= room["width"] + 1
        for cell in page.locator(".target-table .region-cell").all():
            box = cell.bounding_box()
            assert box["width"] > 3 * 14  # at least three characters a line
        sizes = page.evaluate("""() => [...document.querySelectorAll('.target-chart text')]
                                 .map(t => t.getBoundingClientRect().height)""")
        assert sizes and 11 <= min(sizes) and max(sizes) <= 26
        if width == 1280:
            header = page.locator(".site-header").bounding_box()
            assert header["width"] >= page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()


def test_a_unit_s_co_units_are_labelled_as_other_units_on_the_task(page, server):
    page.goto(server.url + "/units/" + quote("高新处"))
    co_units = page.locator(".unit-task .co-units").first
    expect(co_units).to_contain_text("同一任务的其他单位：")
    assert co_units.locator(".chip-role").count() >= 1
