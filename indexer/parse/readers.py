"""Format readers: turn a file on disk into clean `SourceText` for the clause parser.

One reader per format, chosen by file extension through `READERS`. Every reader shares
the same byte decoding (UTF-8, then GB18030, then charset-normalizer's guess) and the same
text normalisation, so the parser sees one shape of text whatever the container was.
Later modules add formats (PDF, DOCX) with `register_reader` instead of editing the dispatch.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

import charset_normalizer
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PreformattedString

from indexer.errors import CorpusError
from indexer.parse.metadata import iso_date as metadata_iso_date
from indexer.types import SourceText

MAX_BYTES = 20 * 1024 * 1024

Reader = Callable[[Path], SourceText]
READERS: dict[str, Reader] = {}
# A live view, so formats registered later (PDF, DOCX) show up without re-importing.
SUPPORTED_EXTENSIONS = READERS.keys()


def register_reader(ext: str, fn: Reader) -> None:
    """Make `read_source` hand files ending in `ext` to `fn` (replacing any earlier reader).

    Args:
        ext: extension with or without the leading dot, any case ('.pdf', 'DOCX').
        fn: callable taking the file path and returning its `SourceText`.
    """
    READERS["." + ext.lower().lstrip(".")] = fn


def read_source(path: Path) -> SourceText:
    """Read one document with the reader registered for its extension.

    Args:
        path: file to read; the extension (case-insensitive) picks the reader.
    Returns:
        Normalised text plus the metadata the container states; raises `CorpusError`
        for unknown formats and for empty, binary, undecodable or oversized files.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise CorpusError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
        )
    return reader(path)


# --------------------------------------------------------------------------- bytes


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes after checking that it exists, is small enough and is not empty.

    Args:
        path: file to read.
    Returns:
        The raw bytes; raises `CorpusError` instead of reading a file over `MAX_BYTES`.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused on stat alone: never load a huge file to reject it
            raise CorpusError(
                f"{path}: file is {size / 2**20:.1f} MB, over the {MAX_BYTES // 2**20} MB limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise CorpusError(f"{path}: file is empty")
    return data


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Control, private-use, surrogate and replacement characters: real documents have next to
# none, so above this share the "text" is a binary file that happened to decode.
_JUNK = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffd-\uffff]"
)
_MAX_JUNK_SHARE = 0.01
_MAX_CHAOS = 0.2  # charset-normalizer's own default cut-off for an acceptable guess
_MIN_GB2312_SHARE = 0.8  # real simplified-Chinese documents sit near 1.0, byte soup near 0.3
_SAMPLE_CHARS = 20_000


def decode_bytes(data: bytes, path: Path, declared: str = "") -> tuple[str, tuple[str, ...]]:
    """Decode document bytes, preferring the encodings Chinese government files really use.

    Order: a BOM (UTF-8, UTF-16); strict UTF-8; the container's declared charset; strict
    GB18030 (superset of GBK/GB2312) if the result reads as mainland Chinese; then
    charset-normalizer's best guess. Strict UTF-8 goes before the declared charset because
    saved pages are often re-encoded to UTF-8 but keep their old meta tag, and valid UTF-8
    is very unlikely to be anything else.

    Args:
        data: raw file content.
        path: the file, only for error messages.
        declared: charset named by the container (HTML meta), '' if none.
    Returns:
        (text, warnings); raises `CorpusError` for binary or undecodable data.
    """
    candidates = [enc for bom, enc in _BOMS if data.startswith(bom)]
    if not candidates:
        if b"\x00" in data:
            raise CorpusError(f"{path}: binary file (contains NUL bytes), not a text document")
        candidates = _strict_candidates(declared)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or _mostly_gb2312(text):
            return _checked(text, path), ()
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None or guess.chaos > _MAX_CHAOS:
        raise CorpusError(
            f"{path}: cannot decode text (not UTF-8, GB18030 or another known encoding)"
        )
    return _checked(str(guess), path), (f"encoding guessed as {guess.encoding}",)


def _strict_candidates(declared: str) -> list[str]:
    """UTF-8, the declared charset (GBK family widened to GB18030), then GB18030."""
    names = ["utf-8"]
    try:
        name = codecs.lookup(declared).name if declared else ""
    except LookupError:
        name = ""
    if name in ("gbk", "gb2312"):
        name = "gb18030"
    if name and name not in names:
        names.append(name)
    if "gb18030" not in names:
        names.append("gb18030")
    return names


def _mostly_gb2312(text: str) -> bool:
    """True when the non-ASCII characters are mostly GB2312 ones, as in real mainland text.

    GB18030 decodes much byte soup without error (Big5 files, short random data) into rare
    characters; a low GB2312 share means that decode was luck, not the file's encoding.
    """
    sample = text[:_SAMPLE_CHARS]
    non_ascii = sum(1 for ch in sample if ch > "\x7f")
    misses = sample.encode("gb2312", errors="replace").count(b"?") - sample.count("?")
    return misses <= (1 - _MIN_GB2312_SHARE) * non_ascii


def _checked(text: str, path: Path) -> str:
    """Reject decoded text that is mostly control or private-use characters (a binary file)."""
    if len(_JUNK.findall(text)) > _MAX_JUNK_SHARE * max(len(text), 1):
        raise CorpusError(f"{path}: binary file (control characters), not a text document")
    return text


# --------------------------------------------------------------------------- text

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Typesetting spaces from HTML/Word; the ideographic space U+3000 is kept (paragraph indent).
_ODD_SPACES = re.compile("[\u00a0\u2002-\u200a\u202f\u205f\t]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n|[\r\f\v\u2028\u2029\x0b\x0c\x1c-\x1e\x85]")


def normalize_text(text: str) -> str:
    """Give text the one shape the parser expects, keeping full-width punctuation and line breaks.

    Args:
        text: decoded text in any line-ending convention.
    Returns:
        '\\n' line ends, no zero-width characters, tabs and NBSPs as spaces, trailing spaces
        and whitespace-only lines (NBSP, U+3000) emptied, runs of blank lines cut to one.
    """
    text = _LINE_BREAKS.sub("\n", text).translate(_ZERO_WIDTH)
    text = _CONTROLS.sub("", _ODD_SPACES.sub(" ", text))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _require_text(text: str, path: Path) -> str:
    """Refuse a document whose text is empty once markup and blanks are gone."""
    if not text.strip():
        raise CorpusError(f"{path}: file is empty (no text content)")
    return text


def read_text_file(path: Path) -> SourceText:
    """Reader for `.txt`: decoded, normalised text with no metadata.

    Args:
        path: the file.
    Returns:
        Its `SourceText`.
    """
    text, warnings = decode_bytes(read_bytes(path), path)
    return SourceText(text=_require_text(normalize_text(text), path), warnings=warnings)


# --------------------------------------------------------------------------- markdown

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_LINE_RULES = (
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$"), r"\1"),  # headings
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$"), ""),  # horizontal rules
    (re.compile(r"^[ \t]*>[ \t]?"), ""),  # block quotes
    (re.compile(r"^([ \t]*)[-*+][ \t]+"), r"\1"),  # bullets; "1." numbering is content
)
_MD_TABLE_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|?)+[ \t]*$")
_MD_INLINE_RULES = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images carry no text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their label
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),  # bold; '__' stays: ____ marks blanks to fill in
)


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` block of `key: value` lines from a Markdown document.

    Parsed by hand rather than with YAML so that dates and 文号 stay strings as written.

    Args:
        text: normalised Markdown text.
    Returns:
        (meta, rest): the keys as given (lower-cased), values unquoted; rest is the body.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "#")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return {k: v for k, v in meta.items() if v}, text[match.end():]


def strip_markdown(text: str) -> str:
    """Remove Markdown syntax that is not content, line by line, keeping the words.

    Args:
        text: Markdown body without front matter.
    Returns:
        Plain text; table rows become their cells joined by a space.
    """
    out = []
    for line in text.split("\n"):
        if _MD_TABLE_RULE.match(line) and "|" in line:
            continue  # a table's |---|---| row is pure layout
        for pattern, repl in _MD_LINE_RULES:
            line = pattern.sub(repl, line)
        if line.strip().startswith("|") and line.rstrip().endswith("|"):
            line = " ".join(c.strip() for c in line.strip().strip("|").split("|") if c.strip())
        for pattern, repl in _MD_INLINE_RULES:
            line = pattern.sub(repl, line)
        out.append(line)
    return "\n".join(out)


def read_markdown_file(path: Path) -> SourceText:
    """Reader for `.md`: front matter goes to `meta`, markup is stripped from the body.

    Args:
        path: the file.
    Returns:
        Its `SourceText`; meta keys are passed through as written in the front matter,
        except a recognisable `date`, which becomes ISO 'YYYY-MM-DD'.
    """
    text, warnings = decode_bytes(read_bytes(path), path)
    meta, body = parse_front_matter(normalize_text(text))
    if iso_date(meta.get("date", "")):
        meta["date"] = iso_date(meta["date"])
    body = normalize_text(strip_markdown(body))
    return SourceText(text=_require_text(body, path), meta=meta, warnings=warnings)


# --------------------------------------------------------------------------- HTML

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

_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "button", "select", "input", "textarea", "template", "svg", "object", "embed",
              "img", "head", "title", "link", "meta")
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
    return SourceText(text=_require_text(text, path), meta=meta, warnings=warnings)


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
        "date": iso_date(tags.get("pubdate", "")) or iso_date(_info_cell(soup, "发布日期")),
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


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def iso_date(text: str) -> str:
    """First date in `text` as ISO 'YYYY-MM-DD' ('2024-7-6 10:00', '2024年7月6日'), or ''.

    Args:
        text: any text containing a date.
    Returns:
        The ISO date, or '' when none is found or it is not a calendar date.
    """
    match = _DATE.search(text)
    return metadata_iso_date(match) if match else ""


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


for _ext, _fn in ((".txt", read_text_file), (".md", read_markdown_file),
                  (".html", read_html_file), (".htm", read_html_file)):
    register_reader(_ext, _fn)
