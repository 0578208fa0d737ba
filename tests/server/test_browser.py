"""End to end in headless Chromium against the real server: ask, read the answer card, expand
similar clauses, open the cited clause; and hostile document text stays text."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from indexer.query.shapes import clause_url

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                "(apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need `pip install playwright`")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "孵化器由哪个部门负责"
WORK_POINTS_13 = "zhejiang-kjt-2015-work-points:h3.n13"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; JavaScript errors and console errors (CSP violations among them) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    yield page
    context.close()
    assert not problems, problems


def by_id(page, element_id: str):
    return page.locator(f'[id="{element_id}"]')


def test_ask_read_the_answer_expand_similar_and_open_the_clause(page, live_server, tmp_path):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/")
    assert page.evaluate("document.activeElement && document.activeElement.name") == "q"

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    assert parse_qs(urlparse(page.url).query)["q"] == [QUESTION]  # shareable

    answer = page.locator(".answer")
    expect(answer).to_be_visible()
    expect(answer.locator(".answer-lead")).to_contain_text("高新处")
    hits = page.locator(".hit")
    assert hits.count() >= 1
    first = hits.first
    expect(first.locator(".citation")).to_have_text("《省科技厅2015年工作要点及责任分解》三、13．")
    expect(first.locator("mark").first).to_be_visible()
    expect(first.locator(".chip-lead")).to_contain_text("高新处")

    first.locator(".btn-copy").click()
    expect(first.locator(".btn-copy")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == "《省科技厅2015年工作要点及责任分解》三、13．"

    first.locator(".btn-similar").click()
    similar = first.locator(".similar-item")
    expect(similar.first).to_be_visible()
    assert similar.count() >= 1
    expect(first.locator(".btn-similar")).to_have_attribute("aria-expanded", "true")
    for citation in similar.locator(".citation").all_text_contents():
        assert not citation.startswith("《省科技厅2015年工作要点及责任分解》")  # other documents
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    first.locator("a", has_text="查看原文").click()
    page.wait_for_url("**/documents/zhejiang-kjt-2015-work-points#*")
    clause = by_id(page, WORK_POINTS_13)
    expect(clause).to_have_class("clause is-target")
    expect(clause).to_be_in_viewport()
    background = clause.evaluate("node => getComputedStyle(node).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(clause).to_contain_text("13.加强科技企业孵化器建设")
    page.screenshot(path=str(tmp_path / "document.png"))


def test_filters_keep_the_query_and_narrow_results(page, live_server):
    page.goto(f"{live_server.url}/?q=科技创新平台")
    page.select_option("select[name=region]", "湖南省")
    page.wait_for_url("**region=*")
    assert parse_qs(urlparse(page.url).query) == {"q": ["科技创新平台"], "region": ["湖南省"]}
    regions = page.locator(".hit-meta").all_text_contents()
    assert regions and all("湖南省" in region for region in regions)


def test_compare_shows_documents_side_by_side(page, live_server, tmp_path):
    page.goto(f"{live_server.url}/compare?q=科技特派员")
    columns = page.locator(".compare-col")
    assert columns.count() == 5
    tops = [columns.nth(i).bounding_box()["y"] for i in range(2)]
    assert abs(tops[0] - tops[1]) < 1  # side by side, not stacked
    page.screenshot(path=str(tmp_path / "compare.png"))


def test_hostile_document_text_renders_as_text_and_runs_nothing(page, xss_server, tmp_path):
    documents = xss_server.get("/api/documents").json()["documents"]
    evil = next(doc for doc in documents if doc["id"] == "evil-notice")
    page.goto(xss_server.url + evil["url"])
    text = page.locator(".doc-text")
    expect(text).to_contain_text("<script>window.__pwned=1</script>")
    expect(text).to_contain_text('<img src=x onerror="window.__pwned=1">')
    expect(page.locator("h1")).to_contain_text("<script>window.__pwned=1</script>")
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(tmp_path / "hostile-document.png"))

    page.goto(f"{xss_server.url}/?q=孵化器建设")
    expect(page.locator(".hit").first).to_be_visible()
    page.locator(".hit .btn-similar").first.click()
    expect(page.locator(".similar-item").first).to_be_visible()  # rendered by app.js from JSON
    expect(page.locator(".similar").first).to_contain_text("window.__pwned=1")
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(tmp_path / "hostile-search.png"), full_page=True)


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_hostile_questions_in_the_url_stay_text_and_run_nothing(page, xss_server, path):
    for question in ('<img src=x onerror="window.__pwned=1">孵化器', '"><script>window.__pwned=1</script>建设'):
        page.goto(f"{xss_server.url}{path}?{urlencode({'q': question})}")
        expect(page.locator("input[name=q]")).to_have_value(question)
        assert page.locator("main script, main img").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"


def test_a_passage_link_highlights_every_piece(page, live_server):
    """A passage hit links to '#<id> <id>': the document page marks both pieces and scrolls to
    the first; a piece outside the passage stays unmarked."""
    doc = "chenzhou-2012-county-tech-action-plan"
    first, second, third = (f"{doc}:h3~{i}" for i in (1, 2, 3))
    page.goto(live_server.url + clause_url(doc, first, second))
    expect(by_id(page, first)).to_have_class("clause is-target")
    expect(by_id(page, second)).to_have_class("clause is-target")
    expect(by_id(page, third)).to_have_class("clause")
    expect(by_id(page, first)).to_be_in_viewport()
