"""Document metadata read from the document itself: title, 文号, 发文机关, date.

Order of trust, highest first: a sidecar file (applied by the caller), labelled fields of a
web capture (发文字号：…, 成文日期：…), the container's own hints (HTML meta tags), then what the
text's layout implies (a title line, a signature line, a bare 文号 line).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from indexer.parse.headings import match_label

_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕"})
DOC_NUMBER = r"[\u4e00-\u9fff]{1,12}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\d{1,5}\s*号"
_DOC_NUMBER_RE = re.compile(DOC_NUMBER)
_LABELLED_NUMBER = re.compile(rf"(?:发文字号|文\s*号)\s*[:：]?\s*\n*\s*({DOC_NUMBER})")
_GAP_NUMBER = re.compile(rf"(?:^|[ \u3000])({DOC_NUMBER})(?=[ \u3000]|$)", re.MULTILINE)
_HEAD_CHARS = 400
_BARE_NUMBER = re.compile(rf"^\s*({DOC_NUMBER})\s*(?:\.(?:pdf|docx?|wps|ofd))?\s*$", re.MULTILINE | re.IGNORECASE)
_DATE = r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?"
# A date in free text ('2024-7-6 10:00', '2024年7月6日', '2019/6/17'); groups: year, month, day.
DATE_RE = re.compile(_DATE)
_LABELLED_DATE = {
    label: re.compile(rf"{label}\s*[:：]?\s*\n*\s*{_DATE}")
    for label in ("成文日期", "发布日期", "发布时间", "生成日期", "日期")
}
_SIGNATURE_DATE = re.compile(rf"^\s*{_DATE}\s*$", re.MULTILINE)
_PRINT_DATE = re.compile(rf"{_DATE}\s*(?:印发|发布)", re.MULTILINE)
_ISSUER_LABEL = re.compile(r"(?:发文机关|发布机构)\s*[:：]\s*\n*\s*([^\s:：]{2,30})")

_DOC_TYPES = ("实施意见|指导意见|若干意见|意见|通知|通告|公告|实施方案|工作方案|方案|行动计划|计划|工作要点|"
              "要点|责任分解|办法|实施细则|细则|规定|决定|规划|纲要|措施|若干措施|条例|指引|指南|批复|函|"
              "报告|决议|公报")
TITLE_LINE = re.compile(rf"^[^。：:]{{4,90}}(?:{_DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$")
_TITLE_IN_TEXT = re.compile(
    rf"[\u4e00-\u9fff0-9]{{2,40}}关于[^。：:\s]{{2,80}}?的(?:{_DOC_TYPES})")
# An issuing organ's name: what signs a document and heads its title.
_ORGAN = (r"[\u4e00-\u9fff（）()、]{2,40}?(?:厅|局|委|委员会|办公室|办公厅|政府|中心|管委会|公司|集团|党委|工委|"
         r"科协|部|办|总署|审计署|国务院|法院|检察院|研究院|科学院|联防联控机制|领导小组)")
ORGAN_RE = re.compile(_ORGAN)
_GAP = re.compile(r"[ \u3000]+")
_NAMES_DOC = re.compile(rf"(?:{_DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$")
# The signature where line breaks were lost: '…执行。 国家税务总局河南省税务局 2020年2月7日'.
INLINE_SIGNATURE = re.compile(rf"(?:^|(?<=[ \u3000。；;])){_ORGAN}[ \u3000]+{_DATE}[ \u3000]*"
                              rf"(?=$|抄送|[（(]此件)", re.MULTILINE)
_ORG_ONLY = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:厅|局|委|委员会|办公室|办公厅|政府|人民政府)$")
_ISSUER_FROM_TITLE = re.compile(r"^(?:中共)?([\u4e00-\u9fff（）()、 ]{2,60}?)(?:关于|印发)")
_TITLE_TAG = re.compile(r"^\s*[（(【\[][^）)】\]]{1,6}[）)】\]]")  # '（转载）', '【人社】'
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff“”《》（）〔〕])\s+(?=[\u4e00-\u9fff“”《》（）〔〕])")


@dataclass(frozen=True)
class TextMeta:
    """What the layout of the text says about the document."""

    title: str = ""
    title_lines: tuple[int, ...] = ()  # line numbers (0-based, of the clean text) holding the title
    doc_number: str = ""
    issuer: str = ""
    date: str = ""


def normalize_doc_number(raw: str) -> str:
    """'郴科发[2012]29号' -> '郴科发〔2012〕29号'."""
    return re.sub(r"\s+", "", raw).translate(_BRACKETS).replace("第", "")


def iso_date(match: re.Match[str] | None) -> str:
    """The date a match holds, as ISO 'YYYY-MM-DD': the one date check of the project.

    Args:
        match: a match whose first three groups are year, month and day: of `DATE_RE`
            (`iso_date(DATE_RE.search(text))` for the first date in free text) or of a pattern
            built on it; None when nothing matched.
    Returns:
        The ISO date; '' for None, a year outside 1949–2100 or a day the calendar does not have.
    """
    if match is None:
        return ""
    year, month, day = (int(g) for g in match.groups()[:3])
    if not 1949 <= year <= 2100:
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def find_doc_number(raw_text: str, header: str) -> str:
    """文号 from a labelled field, a line of its own, or the header's 〔year〕 number.

    Args: the raw text (before chrome removal) and its header zone (text before the first
    heading). Returns: the normalised 文号 or ''.

    A 文号 inside a sentence ("根据…（浙委发〔2015〕8号）文件精神") cites another document, so it
    is only taken from a label, a line that holds nothing else, or between gaps at the head.
    """
    for pattern in (_LABELLED_NUMBER, _BARE_NUMBER):
        m = pattern.search(raw_text)
        if m:
            return normalize_doc_number(m.group(1))
    for line in header.split("\n"):
        stripped = line.strip()
        m = _DOC_NUMBER_RE.match(stripped)
        if m and len(stripped) - len(m.group(0)) <= 2:
            return normalize_doc_number(m.group(0))
    # Where line breaks were lost, the 文号 stands between gaps: '…的通知 交运明电〔2020〕44号 各省…'.
    m = _GAP_NUMBER.search(header[:_HEAD_CHARS])
    return normalize_doc_number(m.group(1)) if m else ""


def find_date(raw_text: str) -> str:
    """成文日期 (labelled, else the signature line), else the publication date, ISO formatted."""
    m = _LABELLED_DATE["成文日期"].search(raw_text)
    if iso_date(m):
        return iso_date(m)
    signature = [iso_date(m) for m in _SIGNATURE_DATE.finditer(raw_text)]
    if any(signature):
        return next(d for d in signature if d)
    signature = [iso_date(m) for m in INLINE_SIGNATURE.finditer(raw_text)]
    if any(signature):
        return next(d for d in reversed(signature) if d)
    for label in ("发布日期", "发布时间", "生成日期"):
        m = _LABELLED_DATE[label].search(raw_text)
        if iso_date(m):
            return iso_date(m)
    if iso_date(m := _PRINT_DATE.search(raw_text)):
        return iso_date(m)
    return iso_date(_LABELLED_DATE["日期"].search(raw_text))


def header_zone(lines: list[str]) -> int:
    """Number of lines before the first heading (一、, 第一条, …) or the first body paragraph."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and match_label(stripped) is not None:
            return i
    return min(len(lines), 12)


def find_title(lines: list[str]) -> tuple[str, tuple[int, ...]]:
    """Title of the document from the lines of its header zone.

    Args: the clean text's lines. Returns: (title, line numbers it occupies) — an organ's name
    on the line before '关于…的意见' is joined to it, as official documents print it that way.
    """
    zone = header_zone(lines)
    for i in range(zone):
        line = _CJK_SPACE.sub("", lines[i].strip())
        if not TITLE_LINE.match(line) or _looks_like_sentence(line):
            continue
        used = (i,)
        if line.startswith("关于") and i > 0 and _ORG_ONLY.match(lines[i - 1].strip()):
            line = lines[i - 1].strip() + line
            used = (i - 1, i)
        return line, used
    first = next((line for line in lines if line.strip()), "")
    title = leading_title(first)
    if title:
        return title, ()
    head = " ".join(lines[:zone or 1])[:600]
    m = _TITLE_IN_TEXT.search(_CJK_SPACE.sub("", head))
    if m:
        return m.group(0), ()
    return "", ()


def leading_title(line: str) -> str:
    """Title at the head of a line whose line breaks were lost ('TITLE 文号 各…： body…').

    Args: the document's first line. Returns: the title or ''. The breaks survive as gaps, so
    the line is read gap by gap up to the first piece that is body (a sentence, 文号, addressee):
    among those pieces the title is the one naming a document ('关于…', '…的通知'), continued
    over wrapped pieces and preceded by the organs that issue it ('财政部 税务总局关于…');
    failing that, the first piece (a news headline). An organ's name alone is no title.
    """
    pieces = []
    for i, piece in enumerate(_GAP.split(line.strip(), maxsplit=16)):
        if not _title_piece(piece, first=i == 0):
            break
        pieces.append(piece)
    if not pieces:
        return ""
    core = next((i for i, p in enumerate(pieces) if "关于" in p or _NAMES_DOC.search(p)), None)
    if core is None:
        title = pieces[0]
    else:
        end = next((j for j in range(core, min(core + 4, len(pieces)))
                    if _NAMES_DOC.search(pieces[j])), core)
        start = core
        # Stop at a repeat: pages print the issuers both above and inside the title.
        while start > 0 and ORGAN_RE.fullmatch(pieces[start - 1]) \
                and pieces[start - 1] not in "".join(pieces[start:end + 1]):
            start -= 1
        title = "".join(pieces[start:end + 1])
    return "" if ORGAN_RE.fullmatch(title) else title


def _title_piece(piece: str, first: bool) -> bool:
    """Whether a gap-delimited piece can be (part of) a title rather than body text."""
    if not 2 <= len(piece) <= 80 or "。" in piece or piece.endswith(("：", ":")):
        return False
    if _DOC_NUMBER_RE.match(piece) or re.fullmatch(_DATE, piece) or match_label(piece):
        return False
    if first:  # a headline may hold commas and a colon ("黑龙江：一手抓疫情防控，一手谋划备春耕")
        return not piece.startswith(("现将", "根据", "为"))
    return not re.search(r"[，,：:；;]", piece) and not piece.startswith("各")


def _looks_like_sentence(line: str) -> bool:
    return "，" in line and ("关于" not in line) or line.startswith(("各", "现将", "根据", "为"))


def find_issuer(raw_text: str, title: str, lines: list[str]) -> str:
    """发文机关: the organs named at the head of the title ('财政部 税务总局关于…'), else the organ
    line that signs the document, else a labelled field, else whatever heads the title."""
    title = _TITLE_TAG.sub("", title)
    m = _ISSUER_FROM_TITLE.match(title)
    if m and all(ORGAN_RE.fullmatch(part) for part in _GAP.split(m.group(1).strip())):
        return m.group(1).strip()
    signature = [line.strip() for line in lines if _ORG_ONLY.match(line.strip())]
    if signature:
        return signature[-1]
    m = _ISSUER_LABEL.search(raw_text)
    if m:
        return m.group(1)
    m = _ISSUER_FROM_TITLE.match(title)
    return m.group(1).strip() if m else ""


def read_text_meta(raw_text: str, clean_text: str, known_title: str = "") -> TextMeta:
    """Read title, 文号, issuer and date from a document's text.

    Args: the text before and after chrome removal; the title when a sidecar or the container
    states it (the issuer is then read from it, not from a cited title in the text).
    Returns: a TextMeta; fields not found are ''.
    """
    lines = clean_text.split("\n")
    title, title_lines = find_title(lines)
    header = "\n".join(lines[:header_zone(lines)])
    issuer = find_issuer(raw_text, known_title or title, lines)
    if not issuer and known_title:
        issuer = find_issuer(raw_text, title, lines)
    return TextMeta(
        title=title,
        title_lines=title_lines,
        doc_number=find_doc_number(raw_text, header),
        issuer=issuer,
        date=find_date(raw_text),
    )
