"""End to end in headless Chromium against the real server: ask, read the answer card, expand
similar clauses, open the cited clause; and hostile document text stays text."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest

from indexer.query.shapes import clause_url

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                "(apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need `pip install playwright`")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "孵化器由哪个部门负责"
WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = "zhejiang-kjt-2015-work-points:h3.n13"
PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
CJK = re.compile(r"[\u3400-\u9fff]")


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
    # 高新处 answers from the 2015 work points, an expired plan: its group comes after the
    # in-force 嵊泗 plan's, marked expired.
    expect(answer.locator(".answer-lead").first).to_contain_text("县经信局")
    expect(answer).to_contain_text("高新处")
    hits = page.locator(".hit")
    assert hits.count() >= 1
    first = hits.first
    expect(first.locator(".citation")).to_have_text("《省科技厅2015年工作要点及责任分解》三、13．")
    expect(first.locator("mark").first).to_be_visible()
    expect(first.locator(".chip-lead")).to_contain_text("高新处")

    first.locator(".btn-copy").click()
    expect(first.locator(".btn-copy")).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("浙江省科学技术厅：《省科技厅2015年工作要点及责任分解》")  # issuer first
    assert "2015-01-22" in copied
    assert copied.endswith(live_server.url + clause_url("zhejiang-kjt-2015-work-points", WORK_POINTS_13))

    page.locator(".answer .btn-copy").click()  # copy all: units and every source's citation
    card = page.evaluate("navigator.clipboard.readText()")
    assert "牵头单位：" in card and "高新处" in card and live_server.url + "/documents/" in card

    first.locator(".btn-similar").click()
    similar = first.locator(".similar-item")
    expect(similar.first).to_be_visible()
    assert similar.count() >= 1
    expect(first.locator(".btn-similar")).to_have_attribute("aria-expanded", "true")
    for citation in similar.locator(".citation").all_text_contents():
        assert not citation.startswith("《省科技厅2015年工作要点及责任分解》")  # other documents
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    first.locator("a", has_text="查看原文").click()
    page.wait_for_url(lambda url: "/documents/zhejiang-kjt-2015-work-points?q=" in url and "#" in url)
    clause = by_id(page, WORK_POINTS_13)
    expect(clause).to_have_class("clause is-target")
    expect(clause).to_be_in_viewport()
    # Highlighted (the colour fades in over .3 s: a retrying assertion waits for it).
    expect(clause).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
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


# ----- English, phones, reading a document, no JavaScript ------------------------------------------
def test_the_english_interface_shows_no_chinese_words_of_its_own(page, live_server):
    page.goto(f"{live_server.url}/?{urlencode({'q': QUESTION, 'lang': 'en'})}")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator(".answer-title")).to_have_text("Who is responsible")
    chrome = [".site-header .site-nav a:not(.lang-switch)", ".brand-text", ".search-form label > span",
              ".search-form option[value='']", "button:visible", ".result-summary", ".answer-role dt",
              ".answer-sources-label", ".hit-actions", ".cite summary", ".site-footer"]
    for selector in chrome:
        for text in page.locator(selector).all_inner_texts():
            assert not CJK.search(text), (selector, text)
    expect(page.locator(".lang-switch")).to_have_text("中文")
    page.locator(".lang-switch").click()
    page.wait_for_url("**lang=zh*")
    expect(page.locator(".answer-title")).to_have_text("责任分工")


CHENZHOU = "chenzhou-2012-county-tech-action-plan"
CHENZHOU_44 = f"{CHENZHOU}:h4.n4"
PAIR = f"a={CHENZHOU_44}&b={WORK_POINTS}:h6.n21"


@pytest.mark.parametrize("path", ["/", f"/?q={QUESTION}", "/compare?q=科技特派员", "/documents",
                                  f"/documents/{WORK_POINTS}?q=孵化器", f"/similar/{WORK_POINTS_13}",
                                  "/no-such-page", "/?lang=en&q=incubators",
                                  "/?q=科技特派员&k=3&offset=3", "/?lang=en&q=科技特派员&sort=date",
                                  f"/similar/{CHENZHOU_44}?scope=all&k=8", "/similar", "/similar?text=科技特派员",
                                  f"/similar/compare?{PAIR}", f"/similar/compare?{PAIR}&lang=en",
                                  f"/documents/{CHENZHOU}", "/units", f"/units/{quote('高新处')}",
                                  "/targets?q=高新技术企业", "/targets?q=高新技术企业&lang=en"])
def test_every_page_fits_a_phone(browser, live_server, path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator(".site-nav a", has_text="政策文件").or_(page.locator(".site-nav a", has_text="Documents"))
               ).to_be_visible()  # navigation stays reachable
        summary = page.locator(".result-summary .took")
        if summary.count():
            assert summary.evaluate("n => n.getClientRects().length") == 1  # "用时 N 毫秒" on one line
        label = page.locator(".answer-sources-label")
        if label.count():
            box = label.bounding_box()
            assert box["width"] > box["height"]  # 依据 is not one character per line
    finally:
        context.close()


def test_a_document_has_contents_and_find(page, live_server):
    page.goto(f"{live_server.url}/documents/{WORK_POINTS}?q=孵化器建设")
    assert page.locator(".doc-text mark").count() >= 1  # the question's terms
    toc = page.locator(".toc a")
    assert toc.count() >= 3
    toc.nth(2).click()
    target = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    expect(by_id(page, target)).to_be_in_viewport()
    page.fill(".find-input", "科技金融")
    page.press(".find-input", "Enter")
    finds = page.locator(".doc-text mark.find")
    assert finds.count() >= 1
    expect(page.locator(".find-status")).to_contain_text(f"找到 {finds.count()} 处")
    expect(page.locator("mark.find.is-current")).to_be_in_viewport()
    assert "find=" in page.url
    expect(by_id(page, WORK_POINTS_13).locator(".clause-resp")).to_contain_text("高新处")


def test_without_javascript_similar_opens_a_page_and_citations_are_readable(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/?{urlencode({'q': QUESTION})}")
        first = page.locator(".hit").first
        expect(first.locator(".btn-copy")).to_be_hidden()  # nothing that would not work
        first.locator(".cite summary").click()
        expect(first.locator(".cite-text")).to_contain_text("浙江省科学技术厅")
        first.locator(".btn-similar").click()
        page.wait_for_url(f"**/similar/{quote(WORK_POINTS_13, safe=':')}*")
        assert page.locator(".hit").count() >= 1
        page.select_option("select[name=scope]", "all")
        page.locator(".scope-form button").click()
        page.wait_for_url("**scope=all*")
        expect(page.locator(".hit").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.skipif(not os.environ.get("POLICY_SEARCH_SCREENSHOTS"),
                    reason="writes docs/screens/*.png only when POLICY_SEARCH_SCREENSHOTS=1")
def test_screenshots_for_the_docs(browser, live_server):
    shots = [("search-zh.png", f"/?q={QUESTION}", {"width": 1100, "height": 760}),
             ("search-en.png", f"/?q={QUESTION}&lang=en", {"width": 1100, "height": 760}),
             ("phone-390.png", f"/?q={QUESTION}", {"width": 390, "height": 844})]
    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, path, viewport in shots:
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto(live_server.url + path)
        page.screenshot(path=str(SCREENS / name), full_page=False, type="png")
        context.close()
        assert (SCREENS / name).stat().st_size <= 150_000


# ----- similar clauses side by side, a pasted text, pages, validity, exports -----------------------
def test_two_similar_clauses_side_by_side_show_their_shared_phrases(page, live_server):
    page.goto(f"{live_server.url}/similar/{CHENZHOU_44}?scope=all&k=8")
    page.locator(".btn-pair").first.click()
    page.wait_for_url("**/similar/compare?*")
    columns = page.locator(".pair-col")
    assert columns.count() == 2
    tops = [columns.nth(i).bounding_box()["y"] for i in range(2)]
    assert abs(tops[0] - tops[1]) < 1  # side by side on a laptop
    for i in range(2):
        expect(columns.nth(i).locator("mark.shared").first).to_be_visible()
        expect(columns.nth(i).locator(".cite-text")).to_have_count(1)
    expect(page.locator(".shared-ratio")).to_contain_text("%")


def test_similar_clauses_of_a_pasted_text_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/similar")
        page.fill("textarea[name=text]", "深化科技特派员制度，派遣科技特派员服务基层")
        page.locator(".paste-form button[type=submit]").click()
        page.wait_for_url("**/similar?text=*")
        expect(page.locator(".source-text")).to_contain_text("科技特派员")
        assert page.locator(".results .hit").count() >= 1
        expect(page.locator(".results .hit").first.locator(".shared-terms")).to_contain_text("科技特派员")
    finally:
        context.close()


def test_the_next_page_link_shows_the_following_results(page, live_server):
    page.goto(f"{live_server.url}/?q=科技&k=3")
    expect(page.locator(".pager-prev")).to_have_count(0)
    page.locator(".pager-next").click()
    page.wait_for_url("**offset=3*")
    expect(page.locator(".hit .rank").first).to_have_text("4")
    page.locator(".pager-prev").click()
    page.wait_for_url(lambda url: "offset" not in url)
    expect(page.locator(".hit .rank").first).to_have_text("1")


def test_the_status_filter_leaves_out_the_expired_chenzhou_plan(page, live_server):
    page.goto(f"{live_server.url}/?q=科技特派员")
    assert page.locator(f'.hit[data-clause^="{CHENZHOU}"]').count() >= 1
    expect(page.locator(f'.hit[data-clause^="{CHENZHOU}"] .badge').first).to_have_text("已失效")
    page.select_option("select[name=status]", "in_force")  # submits itself
    page.wait_for_url("**status=in_force*")
    assert page.locator(".hit").count() >= 1
    assert page.locator(f'.hit[data-clause^="{CHENZHOU}"]').count() == 0
    badges = page.locator(".hit .badge").all_text_contents()
    assert badges and set(badges) == {"现行有效"}


def test_a_facet_applies_its_filter_and_the_export_downloads(page, live_server, tmp_path):
    page.goto(f"{live_server.url}/?q=科技特派员")
    page.locator('[data-facet="status"] a', has_text="现行有效").click()
    page.wait_for_url("**status=in_force*")
    with page.expect_download() as download:
        page.locator(".export-xlsx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) > 1
    assert {row[-1] for row in rows[1:]} == {"现行有效"}
    assert all(str(row[11]).startswith(live_server.url + "/documents/") for row in rows[1:])


def test_on_a_phone_the_contents_fold_into_a_summary_that_opens(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/documents/{WORK_POINTS}")
        details = page.locator(".toc details")
        expect(details).not_to_have_attribute("open", "")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        details.locator("summary").click()
        links = page.locator(".toc a")
        expect(links.last).to_be_visible()  # every entry, none cut off
        for box in (links.nth(i).bounding_box() for i in range(links.count())):
            assert box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()


def test_a_question_with_no_answer_offers_no_next_page_or_export(page, live_server):
    page.goto(f"{live_server.url}/?q=火锅底料配方")
    expect(page.locator(".no-relevant")).to_contain_text("换一种说法")
    expect(page.locator(".no-relevant")).not_to_contain_text("放宽")
    assert page.locator(".pager-next").count() == 0
    assert page.locator(".exports a, a.export-csv, a.export-xlsx").count() == 0


def test_relevance_reads_as_a_level_and_badges_say_what_they_mean(page, live_server):
    page.goto(f"{live_server.url}/?q=科技特派员&lang=en")
    scores = page.locator(".hit .score").all_text_contents()
    assert scores and set(scores) <= {"Relevance: high", "Relevance: medium", "Relevance: low", "perhaps relevant"}
    assert re.match(r"Relevance \d\.\d\d: ", page.locator(".hit .score").first.get_attribute("title"))
    badges = set(page.locator(".hit .badge").all_text_contents())
    assert badges and badges <= {"In force", "Expired", "Not yet in force", "Validity unknown"}
    page.goto(f"{live_server.url}/documents/zhejiang-2019-county-innovation-opinions")
    expect(page.locator(".doc-validity .badge")).to_have_text("效力未知")
