"""Reader for saved web pages (.html/.htm): the article container of a government CMS page,
its meta tags (title, date, issuer, source URL, site) and page chrome to drop.
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PreformattedString

from indexer.parse.dates import DATE_RE, iso_date
from indexer.parse.readers import (
    decode_bytes,
    normalize_text,
    read_bytes,
    register_reader,
    require_text,
)
from indexer.types import SourceText

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+)")

# Article containers of Chinese government CMSs, most specific first: TRS (`TRS_Editor`),
# NFCMS (`#zoomcon`, `#info_cont`), gkmlpt 信息公开 (`.article-content`), district sites.
ARTICLE_SELECTORS = (
    "#zoomcon", "#info_cont", ".TRS_Editor", ".article-content", "#detailCon", ".newsMain",
    ".content_article", ".info_cont", ".art_con", ".main-txt", ".news_content",
    ".article_content", "#article", "article", "#content", ".content", ".txt",
)
_MIN_ARTICLE_CHARS = 50

_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "button", "select",
              "input", "textarea", "template", "svg", "object", "embed", "img", "head", "title", "link",
              "meta")
# Class/id words of page chrome (navigation, breadcrumb, footer, share/print bars, sidebars).
_CHROME_WORDS = frozenset({
    "nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "position",
    "location", "curpos", "footer", "foot", "copyright", "share", "print", "sidebar", "side",
    "aside", "toolbar", "topbar", "header", "search", "pager", "qrcode", "ewm", "fontsize",
    "related", "xgxw", "xgfj", "attr", "skip", "top", "bar", "pagediv", "pagination",
    "tree", "shade",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "main", "aside", "blockquote", "pre", "center", "hr", "address",
    "figure", "figcaption", "table", "caption", "tbody", "thead", "tfoot", "body", "html",
})
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# A source line break between two CJK characters is layout, not a space in the sentence.
_CJK_WRAP = re.compile(f"(?<=[{_CJK}])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_SPACE_RUN = re.compile(r" {2,}")


def read_html_file(path: Path) -> SourceText:
    """Reader for `.html`/`.htm`: the article text of a saved government web page.

    Args:
        path: the file.
    Returns:
        One paragraph per line (table rows as cells joined by a space) and `meta` from the
        page's meta tags: title, date (ISO), issuer, source_url, site.
    """
    data = read_bytes(path)
    declared = _DECLARED_CHARSET.search(data[:8192])
    markup, warnings = decode_bytes(data, path, declared.group(1).decode() if declared else "")
    soup = BeautifulSoup(markup, "lxml")
    meta = html_meta(soup)
    _drop_code(soup)
    root = find_article(soup)
    if root is None:
        warnings += ("no article container found; used the whole page body",)
        root = soup.body or soup
    _drop_chrome(root)
    text = html_text(root)
    return SourceText(text=require_text(text, path), meta=meta, warnings=warnings)


def html_meta(soup: BeautifulSoup) -> dict[str, str]:
    """Container metadata stated by the page itself (CMS meta tags, <title>, info table).

    Args:
        soup: the parsed page.
    Returns:
        Keys among title, date, issuer, source_url, site; absent when the page is silent.
    """
    tags = {(m.get("name") or "").lower(): " ".join((m.get("content") or "").split())
            for m in soup.find_all("meta") if m.get("name")}
    site = tags.get("sitename", "")
    issuer = re.sub(r"^本网", "", tags.get("contentsource", "")).strip()  # 本网 = "this site"
    meta = {
        "title": tags.get("articletitle") or _page_title(soup, site),
        "date": (iso_date(DATE_RE.search(tags.get("pubdate", "")))
                 or iso_date(DATE_RE.search(_info_cell(soup, "发布日期")))),
        "issuer": issuer,
        "source_url": tags.get("url") or _saved_from(soup),
        "site": site,
    }
    return {k: v for k, v in meta.items() if v}


def _page_title(soup: BeautifulSoup, site: str) -> str:
    """`<title>` without the site name the CMS glues before or after it."""
    raw = " ".join(soup.title.get_text().split()) if soup.title else ""
    title = strip_site_name(raw, site)
    return title if title and title != site else _first_heading(soup)


def _first_heading(soup: BeautifulSoup) -> str:
    """Text of the page's first h1 (last-resort title)."""
    h1 = soup.find("h1")
    return " ".join(h1.get_text().split()) if h1 else ""


# Separators CMSs put between the document title and the site name (ASCII and full dashes).
_SEP_CHARS = "-_|\u2013\u2014"
_TRAILING_PART = re.compile(rf"^(?P<keep>.+?)\s*[{_SEP_CHARS}]\s*(?P<part>[^{_SEP_CHARS}]+)$")
_LEADING_PART = re.compile(rf"^(?P<part>[^{_SEP_CHARS}]+?)\s*[{_SEP_CHARS}]\s*(?P<keep>.+)$")
_SITE_LIKE = re.compile(r"(人民政府|门户网站|网站|政府网)$")


def strip_site_name(title: str, site: str = "") -> str:
    """Remove site-name parts such as '_广州市人民政府' or '广州市市场监督管理局网站-' from a title.

    Args:
        title: the `<title>` text, whitespace collapsed.
        site: the page's SiteName meta, '' if none.
    Returns:
        The title without leading/trailing site parts ('2024-2025学年…' keeps its dash).
    """
    for pattern in (_TRAILING_PART, _LEADING_PART):
        while (match := pattern.match(title)) and _is_site_name(match["part"], site):
            title = match["keep"]
    return title.strip()


def _is_site_name(part: str, site: str) -> bool:
    """True when a title part names the website rather than the document."""
    part = part.strip()
    return part == site or bool(_SITE_LIKE.search(part))


def _info_cell(soup: BeautifulSoup, label: str) -> str:
    """Value next to a label cell such as '发布日期：' in a 信息公开 info table, or ''."""
    for cell in soup.find_all(["td", "th"]):
        if cell.get_text(strip=True).rstrip(":：") == label:
            value = cell.find_next_sibling(["td", "th"])
            return value.get_text(" ", strip=True) if value else ""
    return ""


def _saved_from(soup: BeautifulSoup) -> str:
    """Address from the browser's '<!-- saved from url=(NN)... -->' comment, or ''."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        match = _SAVED_FROM.search(comment)
        if match:
            return match.group(1)
    return ""


def find_article(soup: BeautifulSoup) -> Tag | None:
    """The element holding the article body, by the CMS selectors in `ARTICLE_SELECTORS`.

    Args:
        soup: the parsed page.
    Returns:
        The first matching element with real text, or None when no selector fits.
    """
    for selector in ARTICLE_SELECTORS:
        for tag in soup.select(selector):
            if len(tag.get_text(strip=True)) >= _MIN_ARTICLE_CHARS:
                return tag
    return None


def _drop_code(soup: BeautifulSoup) -> None:
    """Delete scripts, styles, forms, embedded objects and comments from the page (in place)."""
    for tag in soup.find_all(_DROP_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()


def _drop_chrome(root: Tag) -> None:
    """Delete forms, hidden elements and page chrome (navigation, share bars, ...) below `root`."""
    total = len(root.get_text(strip=True))
    for tag in root.find_all(_is_chrome):
        # Chrome is small: a 'print-area' wrapper or an ASP.NET page-wide <form> holding
        # most of the text is the article itself.
        if not tag.decomposed and len(tag.get_text(strip=True)) < total / 2:
            tag.decompose()


def _is_chrome(tag: Tag) -> bool:
    """True for forms, hidden elements and elements whose class/id names page chrome."""
    if tag.name == "form":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    if "display:none" in style:
        return True
    names = " ".join([tag.get("id") or "", *tag.get("class", [])])
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", names).lower())
    return any(w in _CHROME_WORDS for w in words)


def html_text(root: Tag) -> str:
    """Render `root` as normalised text, one paragraph per line and no blank lines.

    Args:
        root: the article element (or the page body), already cleaned of chrome.
    Returns:
        Text where blocks and <br> break lines and table rows are cells joined by a space;
        indentation and runs of spaces (NBSP layout in HTML) are collapsed.
    """
    chunks: list[str] = []
    _render(root, chunks)
    lines = (_SPACE_RUN.sub(" ", line).strip(" \u3000")
             for line in normalize_text("".join(chunks)).split("\n"))
    return "\n".join(line for line in lines if line)


def _render(node: Tag, out: list[str]) -> None:
    """Append the text of `node`'s children to `out`, with '\\n' at block boundaries."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                out.append(_HTML_SPACE.sub(" ", _CJK_WRAP.sub("", str(child))))
        elif child.name == "br":
            out.append("\n")
        elif child.name == "tr":
            out.append("\n" + _row_text(child) + "\n")
        elif child.name in _BLOCK_TAGS:
            out.append("\n")
            _render(child, out)
            out.append("\n")
        else:
            _render(child, out)


def _row_text(row: Tag) -> str:
    """A table row as one line: each cell's text, cells joined by a space."""
    cells = []
    for cell in row.find_all(["td", "th"], recursive=False):
        parts: list[str] = []
        _render(cell, parts)
        text = _HTML_SPACE.sub(" ", "".join(parts)).strip(" \u3000")
        if text:
            cells.append(text)
    return " ".join(cells)


register_reader(".html", read_html_file)
register_reader(".htm", read_html_file)
