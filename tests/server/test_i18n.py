"""The interface in Chinese and English, full citations and compressed responses, specified
against the real app (Flask's test client on the seed index)."""
from __future__ import annotations

import gzip
import html
import re
import string
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from indexer.config import Config
from indexer.errors import MESSAGES
from server import i18n
from server.app import create_app
from server.pages import EXAMPLES

QUESTION = "孵化器由哪个部门负责"
WORK_POINTS = "zhejiang-kjt-2015-work-points"
WORK_POINTS_13 = f"{WORK_POINTS}:h3.n13"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "templates"


@pytest.fixture(scope="module")
def client(server_engine):
    return create_app(server_engine, Config()).test_client()


def interface_words(page: str, data: set[str]) -> str:
    """The page's visible text and labelling attributes with the index's strings taken out, and
    without the link to the Chinese page (which says 中文, in Chinese)."""
    page = re.sub(r'<a class="lang-switch".*?</a>', "", page, flags=re.DOTALL)
    page = re.sub(r"<title>.*?</title>", "", page, flags=re.DOTALL)  # starts with the question
    # A document's text is checked for its responsibility notes only (the page's own words).
    notes = re.findall(r'<span class="clause-resp">.*?</span></span>', page, flags=re.DOTALL)
    page = re.sub(r'<div class="doc-text">.*?</div>', " ".join(notes), page, flags=re.DOTALL)
    page = re.sub(r'<p class="muted small terms-note">.*?</p>',  # the question's words as BM25 cut them
                  lambda m: re.sub(r"<mark>.*?</mark>", " ", m.group()), page, flags=re.DOTALL)
    attributes = " ".join(re.findall(r'(?:aria-label|placeholder|title)="([^"]*)"', page))
    text = html.unescape(re.sub(r"<[^>]+>", "", page) + " " + attributes)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def assert_english(page: str, strings_in, *payloads) -> None:
    """No Chinese in the page's own words (its strings from the payloads removed); `strings_in`
    is the fixture of that name."""
    data = set().union(*(strings_in(p) for p in payloads))
    words = interface_words(page, data)
    chinese = sorted({m.group() for m in re.finditer(r"\S*[\u3400-\u9fff]\S*", words)})
    assert not chinese, chinese[:20]


def test_the_english_search_page_has_no_chinese_words_of_its_own(client, strings_in):
    listed = client.get("/api/documents").get_json()
    home = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in home
    assert_english(home, strings_in, listed, list(EXAMPLES["en"]))

    args = urlencode({"q": QUESTION, "lang": "en"})
    page = client.get(f"/?{args}").get_data(as_text=True)
    payload = client.get(f"/?{args}&format=json").get_json()
    assert "Who is responsible" in page and "Lead units" in page
    assert_english(page, strings_in, listed, payload)


PAIR = "a=chenzhou-2012-county-tech-action-plan:h4.n4&b=zhejiang-kjt-2015-work-points:h6.n21"


@pytest.mark.parametrize("path", ["/documents", f"/documents/{WORK_POINTS}?q=孵化器建设&find=孵化器",
                                  "/compare?q=科技特派员", f"/similar/{quote(WORK_POINTS_13)}", "/no-such-page",
                                  "/?q=科技特派员&k=3&offset=3&sort=date&status=in_force",
                                  f"/similar?{urlencode({'text': '科技特派员'})}", "/similar",
                                  f"/similar/compare?{PAIR}", f"/similar/{quote('chenzhou-2012-county-tech-action-plan:h4.n4')}",
                                  f"/units?{urlencode({'q': '科技'})}", f"/units/{quote('高新处')}",
                                  f"/targets?{urlencode({'q': '高新技术企业'})}"])
def test_every_english_page_keeps_to_english(client, path, strings_in):
    joiner = "&" if "?" in path else "?"
    reply = client.get(f"{path}{joiner}lang=en")
    payload = client.get(f"{path}{joiner}lang=en&format=json").get_json() if reply.status_code == 200 else {}
    document = client.get(f"/api/documents/{WORK_POINTS}").get_json()
    clauses = [client.get(f"/api/clauses/{c}").get_json() for c in (WORK_POINTS_13, "chenzhou-2012-county-tech-action-plan:h4.n4")]
    assert_english(reply.get_data(as_text=True), strings_in, client.get("/api/documents").get_json(), payload, document, clauses,
                   ["孵化器建设", "孵化器", "科技特派员", "科技", "高新技术企业"])


def test_accept_language_chooses_unless_the_url_says(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    chosen = client.get("/?lang=zh", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chosen and "检索" in chosen


def test_links_and_forms_keep_the_chosen_language(client):
    page = client.get(f"/?{urlencode({'q': QUESTION, 'lang': 'en'})}").get_data(as_text=True)
    assert '<input type="hidden" name="lang" value="en">' in page
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"#]*/(?:documents|similar|compare)[^"]*)"', page)]
    assert hrefs and all("lang=en" in h for h in hrefs), [h for h in hrefs if "lang=en" not in h][:3]
    assert any(f"q={quote(QUESTION)}" in h for h in hrefs if "/documents/" in h)  # results carry q
    assert 'class="lang-switch"' in page and "lang=zh" in page


def test_the_catalogue_says_everything_in_both_languages_with_the_same_fields():
    fields = string.Formatter()
    for key, texts in i18n.CATALOGUE.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert texts["zh"] and texts["en"], key
        assert not CJK.search(texts["en"]), key
        names = [{f for _, f, _, _ in fields.parse(texts[lang]) if f} for lang in i18n.LANGUAGES]
        assert names[0] == names[1], key
    assert set(MESSAGES) == set(i18n.ERRORS_ZH)


def test_every_key_the_templates_use_is_in_the_catalogue():
    used = {key for page in TEMPLATES.glob("*.html")
            for key in re.findall(r"\bt\('([a-z_0-9-]+)'[,)]", page.read_text(encoding="utf-8"))}
    assert used and not used - set(i18n.CATALOGUE), used - set(i18n.CATALOGUE)


@pytest.mark.parametrize("lang, expected", [("zh", "起始年份 2023 晚于截止年份 2012"),
                                            ("en", "the start year (year_from) 2023 is after the end year (year_to) 2012")])
def test_errors_speak_the_reader_s_language_in_json_and_html(client, lang, expected):
    args = urlencode({"q": "孵化器", "year_from": 2023, "year_to": 2012, "lang": lang})
    reply = client.get(f"/api/search?{args}")
    assert reply.status_code == 400
    assert reply.get_json() == {"error": {"code": "bad_query", "message": reply.get_json()["error"]["message"]}}
    assert expected in reply.get_json()["error"]["message"]
    page = client.get(f"/?{args}").get_data(as_text=True)
    assert expected in page
    if lang == "zh":
        assert "is after" not in page


def test_accept_language_picks_the_json_error_language(client):
    reply = client.get("/api/clauses/nope/similar?scope=sideways", headers={"Accept-Language": "en-US"})
    assert reply.get_json()["error"]["message"].startswith("scope must be one of")
    reply = client.get("/api/clauses/nope/similar?scope=sideways")
    assert "scope 须为" in reply.get_json()["error"]["message"]


def test_a_404_page_in_english(client):
    reply = client.get("/nothing-here?lang=en")
    assert reply.status_code == 404
    assert "There is nothing at /nothing-here" in reply.get_data(as_text=True)


def test_year_selects_do_not_offer_a_start_after_the_end(client):
    page = client.get("/?year_to=2015").get_data(as_text=True)
    start = page[page.index('name="year_from"'):page.index('name="year_to"')]
    assert re.search(r'value="2019"[^>]*disabled', start)
    assert not re.search(r'value="2015"[^>]*disabled', start)


def test_text_is_gzipped_when_asked_and_only_then(client):
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    zipped = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    css = client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and len(css.data) < len(client.get("/static/app.css").data)
    api = client.get("/api/documents", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_citation_names_issuer_date_and_an_absolute_link(client, lang):
    page = client.get(f"/?{urlencode({'q': QUESTION, 'lang': lang})}", base_url="https://policy.example.org")
    text = html.unescape(re.search(rf'id="cite-{re.escape(WORK_POINTS_13)}">(.*?)</p>',
                                   page.get_data(as_text=True), re.DOTALL).group(1))
    assert text.startswith("浙江省科学技术厅")
    assert "《省科技厅2015年工作要点及责任分解》" in text and "13．加强科技企业孵化器建设" in text
    assert "2015-01-22" in text
    assert text.endswith(f"https://policy.example.org/documents/{WORK_POINTS}#{quote(WORK_POINTS_13, safe=':~')}")


def test_the_document_page_marks_terms_finds_and_lists_contents(client):
    page = client.get(f"/documents/{WORK_POINTS}?q=孵化器建设&find=科技金融").get_data(as_text=True)
    assert '<nav class="toc"' in page
    assert "<mark>孵化器</mark>" in page
    assert page.count('<mark class="find">科技金融</mark>') >= 1
    assert 'class="clause-resp"' in page and "高新处" in page
    assert 'class="doc-heading' in page


def test_the_similar_page_and_its_json_twin(client):
    path = f"/similar/{quote(WORK_POINTS_13)}?scope=other-regions"
    data = client.get(path + "&format=json").get_json()
    assert data["scope"] == "other-regions" and data["clause"] == WORK_POINTS_13
    page = client.get(path).get_data(as_text=True)
    assert all(hit["citation"] in html.unescape(page) for hit in data["results"])
    assert '<option value="other-regions" selected>' in page


def test_the_answer_card_shows_groups_values_and_the_answer_sentence(server_engine):
    """The answer shapes of the engine, rendered from a payload written by hand."""
    from flask import render_template

    app = create_app(server_engine, Config())
    doc = {"id": WORK_POINTS, "title": "省科技厅2015年工作要点及责任分解", "doc_number": "", "issuer": "浙江省科学技术厅",
           "region": "浙江省", "date": "2015-01-22", "year": 2015}
    hit = {"id": WORK_POINTS_13, "ids": [WORK_POINTS_13], "text": "加强孵化器建设。新增孵化器20家。其他。", "score": 1.0,
           "relevance": 0.9, "relevant": True, "section": ["三、任务"], "label": "13．",
           "responsibility": {"lead": ["高新处"], "cooperating": [], "persons": []}, "document": doc,
           "citation": "《省科技厅2015年工作要点及责任分解》三、13．", "url": f"/documents/{WORK_POINTS}#{WORK_POINTS_13}",
           "span": [0, 20], "pages": [], "terms": ["孵化器"], "also_in": [], "answer_span": [8, 16]}
    answer = {"kind": "value", "value": 20, "unit": "家", "year": 2015, "text": "新增孵化器20家", "clause": WORK_POINTS_13,
              "clauses": [WORK_POINTS_13],
              "groups": [{"document": doc, "lead": [{"name": "高新处", "clauses": [WORK_POINTS_13], "source": "note"}],
                          "cooperating": [{"name": "财务处", "clauses": [WORK_POINTS_13], "source": "text"}],
                          "persons": []}]}
    payload = {"query": "孵化器", "took_ms": 3.0, "relevant_count": 1, "answer": answer, "results": [hit]}
    for lang, value, in_text in (("zh", "目标值：20家", "（正文）"), ("en", "Target: 20 家", "(in text)")):
        with app.test_request_context(f"/?q=孵化器&lang={lang}"):
            page = render_template("search.html", form={"q": "孵化器"}, facets={}, examples=(), payload=payload,
                                   error=None, json_url="/api/search?q=x", compare_url="/compare?q=x")
        assert value in page and in_text in page
        assert '<span class="answer-span">新增<mark>孵化器</mark>20家</span>' in page
        assert 'class="answer-doc-where">浙江省 · 2015' in page
        assert f'href="/documents/{WORK_POINTS}?q=' in page
