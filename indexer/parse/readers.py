"""Format registry and the plain formats: `read_source` dispatch by extension, byte decoding
(UTF-8, GB18030, charset-normalizer), `normalize_text`, and the .txt and .md readers.
"""
from __future__ import annotations

import codecs
import html
import re
from collections.abc import Callable
from pathlib import Path

import charset_normalizer

from indexer.errors import CorpusError
from indexer.parse.dates import DATE_RE, iso_date
from indexer.types import SourceText

MAX_BYTES = 20 * 1024 * 1024

Reader = Callable[[Path], SourceText]
READERS: dict[str, Reader] = {}
# A live view, so formats registered later (HTML, PDF, DOCX) show up without re-importing.
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


# Typographic entities a scraper left undecoded in plain text ('财政部&ensp;税务总局', '&ldquo;六稳&rdquo;').
_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|ldquo|rdquo|lsquo|rsquo|mdash|ndash|hellip|middot|amp|lt|gt|quot"
                     r"|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def normalize_text(text: str) -> str:
    """Give text the one shape the parser expects, keeping full-width punctuation and line breaks.

    Args:
        text: decoded text in any line-ending convention.
    Returns:
        '\\n' line ends, no zero-width characters, tabs and NBSPs as spaces, trailing spaces
        and whitespace-only lines (NBSP, U+3000) emptied, runs of blank lines cut to one.
    """
    text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = _LINE_BREAKS.sub("\n", text).translate(_ZERO_WIDTH)
    text = _CONTROLS.sub("", _ODD_SPACES.sub(" ", text))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def require_text(text: str, path: Path) -> str:
    """Refuse a document whose text is empty once markup and blanks are gone.

    Args:
        text: the document's text as a reader produced it.
        path: the file, only for the error message.
    Returns:
        `text` unchanged; raises `CorpusError` when it holds nothing but whitespace.
    """
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
    return SourceText(text=require_text(normalize_text(text), path), warnings=warnings)


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
    if iso_date(DATE_RE.search(meta.get("date", ""))):
        meta["date"] = iso_date(DATE_RE.search(meta["date"]))
    body = normalize_text(strip_markdown(body))
    return SourceText(text=require_text(body, path), meta=meta, warnings=warnings)


for _ext, _fn in ((".txt", read_text_file), (".md", read_markdown_file)):
    register_reader(_ext, _fn)
