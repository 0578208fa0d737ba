"""Document metadata read from the document itself: title, 文号, 发文机关, date.

Order of trust, highest first: a sidecar file (applied by the caller), labelled fields of a
web capture (发文字号：…, 成文日期：…), the container's own hints (HTML meta tags), then what the
text's layout implies (a title line, a signature line, a bare 文号 line).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.dates import DATE_PATTERN as _DATE
from indexer.parse.dates import arabic_dates, iso_date
from indexer.parse.headings import match_label
from indexer.parse.organs import (
    closing_organs,
    is_media,
    is_organ,
    letterhead,
    signatures,
    split_organs,
)

_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕",
                           "﹝": "〔", "﹞": "〕", "〖": "〔", "〗": "〕"})
DOC_NUMBER = r"[\u4e00-\u9fff]{1,12}[〔\[［(（【﹝〖]\s*(?:19|20)\d{2}\s*[〕\]］)）】﹞〗]\s*第?\d{1,5}\s*号"
_DOC_NUMBER_RE = re.compile(DOC_NUMBER)
_LABELLED_NUMBER = re.compile(rf"(?:发文字号|文\s*号)\s*[:：]?\s*\n*\s*({DOC_NUMBER})")
_GAP_NUMBER = re.compile(rf"(?:^|[ \u3000])({DOC_NUMBER})(?=[ \u3000]|$)", re.MULTILINE)
_HEAD_CHARS = 400
_OPENING_NUMBER = re.compile(rf"^\s*({DOC_NUMBER})(?=\s*[-—－_]|[\u4e00-\u9fff])")
_BARE_NUMBER = re.compile(rf"^\s*({DOC_NUMBER})\s*(?:\.(?:pdf|docx?|wps|ofd))?\s*$", re.MULTILINE | re.IGNORECASE)
# A date in free text ('2024-7-6 10:00', '2024年7月6日', '2019/6/17'); groups: year, month, day.
# A label may stand in brackets: '【发文日期】 2020-01-30' (a legal database's page).
_LABELLED_DATE = {
    label: re.compile(rf"{label}\s*[】\]]?\s*[:：]?\s*\n*\s*{_DATE}")
    for label in ("成文日期", "发文日期", "发布日期", "发布时间", "生成日期", "日期")
}
_SIGNATURE_DATE = re.compile(rf"^\s*{_DATE}\s*$", re.MULTILINE)
_PRINT_DATE = re.compile(rf"{_DATE}\s*(?:印发|发布)", re.MULTILINE)
_ISSUER_LABEL = re.compile(r"(?:发文机关|发布机构|发布单位|信息来源|来源)\s*[:：]\s*\n*\s*([^\s:：]{2,45})")
_NEWS_DATES = (re.compile(rf"(?:时\s*间|日\s*期)\s*[:：]\s*{_DATE}"),  # '时 间：2020年2月16日'
               re.compile(rf"(?:日报|晚报|新闻网|报)\s*{_DATE}\s+\d{{1,2}}:\d{{2}}"),  # '重庆日报2020-02-21 07:39'
               # a page's '2018年1月24日    来源：中国银监会', '2020-02-25 16:10来源：中国证券报'
               re.compile(rf"(?:^|\s){_DATE}\s*(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*来源\s*[:：]"),
               # a press conference's page: '…新闻办于2020年2月19日16时召开…新闻发布会'
               re.compile(rf"于\s*{_DATE}[^。]{{0,12}}召开[^。]{{0,50}}新闻发布会"))

# 文号 forms beyond 〔year〕number: '财政部 税务总局公告2020年第9号', a bare '2020年第2号' at the
# head, '…公告（第6号）' in a title, '广州市人民政府令 第179号'.
_YEAR_NUMBER = re.compile(r"((?:[\u4e00-\u9fff]{2,20}(?:[ \u3000][\u4e00-\u9fff]{2,20}){0,4})?公告)?"
                          r"\s*((?:19|20)\d{2}\s*年\s*第\s*\d{1,4}\s*号)")
_TITLE_NUMBER = re.compile(r"(?:公告|通告|命令|令)\s*[（(]\s*(第\s*\d{1,4}\s*号)\s*[）)]")
# An annex's heading line carries its document's 文号 ('京建发〔2020〕46号附件2'): at a line start
# or after a wide gap, never inside a sentence ('请按照 京建发〔2020〕46号附件2 的要求…').
_ANNEX_NUMBER = re.compile(rf"(?:^|(?<=\n)|(?<=\n[\u3000 ])|(?<=[\u3000 ]{{2}}))({DOC_NUMBER})\s*附件\s*\d+(?=\s|$)")
# A title that is the number itself: '…应急指挥部令第13号' (in a title the organ is the issuer's name).
_TITLE_DECREE = re.compile(r"(?:公告|通告|命令|令)\s*(第\s*\d{1,4}\s*号)$")
# The organ of a decree starts where a word starts (after a gap, punctuation or a date), never
# inside one: '…感染的肺炎疫情防控应急指挥部令' is one name, not '染的肺炎疫情防控应急指挥部'.
_DECREE_NUMBER = re.compile(r"(?:^|(?<=[\s。，；：、（(》”日]))((?:中华人民共和国)?[\u4e00-\u9fff（）()]{0,40}?"
                            r"(?:人民政府|国务院|部|委员会|局|署|领导小组))令\s*\n?\s*[（(]?\s*(第\s*\d{1,5}\s*号)")
_PROMULGATED = re.compile(rf"{_DATE}[^。\n]{{0,30}}令\s*第\s*\d{{1,5}}\s*号\s*公布")
_TITLE_CHARS = 250
# A 文号 right after a title or a quoted title is the cited document's: '《…》（穗府办规〔2021〕14号）'.
_CITED = re.compile(r"[》>][（(]?\s*$")
_NEWS_SIGNS = re.compile(r"新华社|记者|本报|日报讯|电视台|通讯员|据悉|获悉|据了解|据介绍|转自|（来源")
_BYLINE = re.compile(r"[（(][^（()）]{0,12}记者[^（()）]{1,30}[）)]\s*$")  # a report closes: '（记者 李振）'
_CLOSING_FORMULA = re.compile(r"特此(?:通告|公告|通知|通令|函告|批复)")  # only a notice closes so
_NEWS_VERBS = re.compile(r"出台|发布|公布|推出|启动|开展|召开|部署|印发通知|举行|主持|发行|开出|建立")
# A leader's visit as a headline: '蔡奇调研检查…时强调…'.
_VISIT = re.compile(r"(?:调研|考察|检查|视察|督导|慰问|走访)[^。]{0,50}?时(?:强调|指出|要求)")

_DOC_TYPES = ("实施意见|指导意见|若干意见|意见|通知|通告|公告|实施方案|工作方案|方案|行动计划|计划|工作要点|"
              "要点|责任分解|办法|实施细则|细则|规定|决定|规划|纲要|措施|若干措施|条例|指引|指南|批复|函|"
              "报告|决议|公报")
TITLE_LINE = re.compile(rf"^[^。：:]{{4,90}}(?:{_DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$")
_TITLE_IN_TEXT = re.compile(  # starting where a word starts: never '5号市人民政府…' out of '…〔2020〕5号市…'
    rf"(?<![\u4e00-\u9fff0-9〕\]])[\u4e00-\u9fff0-9]{{2,40}}关于[^。：:\s]{{2,80}}?的(?:{_DOC_TYPES})")
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
# '龙岩市人社局转发福建省人社厅…': the organ that forwards a document issues the notice.
_ISSUER_FROM_TITLE = re.compile(r"^([\u4e00-\u9fff（）()、 ]{2,60}?)(?:关于|印发|转发)")
# A title that is its issuer's act: '德阳市交通运输局通告', '…领导小组指挥部令（第1号）'.
_ISSUER_ACT_TITLE = re.compile(r"^([\u4e00-\u9fff（）()、 ]{2,60}?)(?:命令|令|通告|公告)"
                               r"\s*(?:[（(]?\s*第\s*\d{1,5}\s*号\s*[）)]?)?$")
_TITLE_TAG = re.compile(r"^\s*[（(【\[][^）)】\]]{1,6}[）)】\]]")  # '（转载）', '【人社】'
_SOURCE_SUFFIX = re.compile(r"(?:官网|网站|门户网站)$")
_NUMBER_PIECE = re.compile(r"[（(]\s*第\s*\d{1,5}\s*号\s*[）)]")
_ISSUING_PART = re.compile(r"^([\u4e00-\u9fff（）()]{1,40}?)(?:关于|印发|命令|令|通告|公告)")
# An organ's name opens with its place ('四川省…', '中共…', '国家…'): where a wrapped name starts.
_PLACE_START = re.compile(r"^(?:中共|中国|国家|国务院|[\u4e00-\u9fff]{1,8}?(?:省|市|区|县|州|盟|旗))")
_HEADLINE_PIECES, _HEADLINE_CHARS, _RESTATED = 4, 90, 6  # a headline's lines; words a restatement shares
_LEAD = re.compile(r"[■●◆▲►★•·※]|我")  # a bullet or the first person opens body text, not a headline
_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*[-/.年]\s*\d{1,2}")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff“”《》（）〔〕])\s+(?=[\u4e00-\u9fff“”《》（）〔〕])")


@dataclass(frozen=True)
class TextMeta:
    """What the layout of the text says about the document."""

    title: str = ""
    title_lines: tuple[int, ...] = ()  # line numbers (0-based, of the clean text) holding the title
    doc_number: str = ""
    issuer: str = ""  # the issuers joined by a space
    date: str = ""
    issuers: tuple[str, ...] = ()
    kind: str = "notice"  # 'notice' or 'news'


def normalize_doc_number(raw: str) -> str:
    """'郴科发[2012]29号' -> '郴科发〔2012〕29号'."""
    return re.sub(r"\s+", "", raw).translate(_BRACKETS).replace("第", "")


def find_doc_number(raw_text: str, header: str, title: str = "") -> str:
    """文号 from a labelled field, a line of its own, the header's 〔year〕 number, or the other
    forms notices print (财政部公告2020年第6号, 2020年第2号, …公告（第6号）, …令第179号).

    Args: the raw text (before chrome removal), its header zone (text before the first
    heading) and the title. Returns: the normalised 文号 or ''.

    A 文号 inside a sentence ("根据…（浙委发〔2015〕8号）文件精神") or after a quoted title
    ("《…》（2020年第8号）") cites another document, so it is only taken from a label, a line
    that holds nothing else, between gaps at the head, or right after the title.
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
    head = header[:_HEAD_CHARS]
    m = _OPENING_NUMBER.match(head)  # '石政发〔2020〕3号-北京市石景山区人民政府关于…': the page opens on it
    if m:
        return normalize_doc_number(m.group(1))
    # Where line breaks were lost, the 文号 stands between gaps: '…的通知 交运明电〔2020〕44号 各省…',
    # or is glued to the title: '…的通知人社部发〔2020〕11号 各省…'.
    m = _GAP_NUMBER.search(head)
    if m:
        return normalize_doc_number(m.group(1))
    for m in _DOC_NUMBER_RE.finditer(head[:_TITLE_CHARS]):
        glued = re.split(rf"(?:{_DOC_TYPES})", m.group(0))
        if len(glued) > 1 and _DOC_NUMBER_RE.fullmatch(glued[-1]) and not _CITED.search(head[:m.start()]):
            return normalize_doc_number(glued[-1])
    other = _other_number(head, title)
    if other:
        return other
    m = _ANNEX_NUMBER.search(raw_text)  # '京建发〔2020〕46号附件2': the number its annexes carry
    return normalize_doc_number(m.group(1)) if m else ""


def _other_number(head: str, title: str) -> str:
    """The 文号 forms without 〔year〕: announcements, decrees, numbered 公告 in a title."""
    for m in _YEAR_NUMBER.finditer(head):
        if not _CITED.search(head[:m.start()]) and not re.search(r"[（(]$", head[:m.start()].rstrip()):
            pieces = [p for p in (m.group(1) or "").removesuffix("公告").split() if p]
            organs = list(pieces)
            while organs and not all(is_organ(p) for p in organs):
                organs.pop(0)  # the title's tail printed before the issuers
            if not organs and pieces:  # '…政策的公告财政部公告2020年第6号': the title ran into it
                tail = re.split(r"公告|通知|通告|的", pieces[-1])[-1]
                organs = [tail] if is_organ(tail) else []
            prefix = " ".join(organs) + "公告" if organs else ""
            return prefix + re.sub(r"\s+", "", m.group(2))
    m = _TITLE_NUMBER.search(title) or _TITLE_DECREE.search(title) or _TITLE_NUMBER.search(head[:120])
    if m:
        return re.sub(r"\s+", "", m.group(1))
    m = _DECREE_NUMBER.search(head[:200])
    if m and not _CITED.search(head[:m.start()]):
        return _decree_organ(m) + "令" + re.sub(r"\s+", "", m.group(2))
    return ""


def find_date(raw_text: str, signed: list | None = None, issuers: tuple[str, ...] = ()) -> str:
    """The document's own date, ISO formatted: 成文日期 (labelled, else the date its organs sign
    with, else a date standing alone after the body), else the publication date.

    Args: the raw text; its signatures when already found; its issuers when known (a date they
    sign with wins: a forwarding notice signs above the notices it forwards). Returns: the date
    or ''. A date inside a sentence is an event the text reports, never the document's.
    """
    m = _LABELLED_DATE["成文日期"].search(raw_text)
    if iso_date(m):
        return iso_date(m)
    signed = signatures(raw_text) if signed is None else signed
    own = [iso_date(s.date_match) for s in signed if set(s.organs) & set(issuers)]
    if any(own):
        return next(d for d in reversed(own) if d)
    by_organs = [iso_date(s.date_match) for s in signed if s.organs]
    if any(by_organs):  # of two dates at the end, the one under the organs' names
        return next(d for d in reversed(by_organs) if d)
    alone = [iso_date(s.date_match) for s in signed]
    if any(alone):
        return next(d for d in alone if d)
    # '发文日期' on a portal is the day it was posted (a day after the signature, at times)
    for label in ("发文日期", "发布日期", "发布时间", "生成日期"):
        m = _LABELLED_DATE[label].search(raw_text)
        if iso_date(m):
            return iso_date(m)
    if iso_date(m := _PROMULGATED.search(raw_text[:_HEAD_CHARS])):
        return iso_date(m)
    if iso_date(m := _PRINT_DATE.search(raw_text)):
        return iso_date(m)
    if published := news_date(raw_text):
        return published
    return iso_date(_LABELLED_DATE["日期"].search(raw_text))


def _decree_organ(m: re.Match[str]) -> str:
    """The organ a decree number names: '（2021年7月27日中华人民共和国国务院令…' -> '国务院'."""
    return re.sub(r"^.*日|^中华人民共和国", "", m.group(1)).removeprefix("中华人民共和国")


def news_date(raw_text: str) -> str:
    """A report's own date: a 时间/日期 field or the paper's dateline at its head; else ''."""
    return next((d for p in _NEWS_DATES if (d := iso_date(p.search(raw_text[:_HEAD_CHARS])))), "")


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


# A site's channel in the page's breadcrumb ('国家税务总局山东省税务局 通知公告 …指引'): navigation, no title.
_CHANNEL = re.compile(r"(?:通知公告|通知通告|公示公告|政策解读|政策文件|新闻动态|工作动态|部门动态|政务公开|信息公开)")
_NOTICE_CHANNEL = re.compile(r"通知公告|通知通告|公示公告|政策文件")  # not 政策解读, 新闻动态: others write those
_CRUMBS = 3
# (not '紧急通知：…', '温馨提示：…': a document naming its own type before the colon)
_COLON_HEADLINE = re.compile(r"^(?![^：:]*(?:通知|公告|通告|提示|提醒|须知|指南)[：:])[\u4e00-\u9fff]{2,12}[：:]\s*\S")
_BREADCRUMB = re.compile(r"当前位置|您的位置|您现在的位置|首页")


def posting_organ(lines: list[str]) -> tuple[str, ...]:
    """The organ whose site's notice channel a page was saved from, when the page opens on that
    breadcrumb ('国家税务总局山东省税务局 通知公告 …'). Returns: (organ,) or ()."""
    organ = _crumb_organ(next((line for line in lines if line.strip()), ""), _NOTICE_CHANNEL)
    return (organ,) if organ else ()


def breadcrumb_site(text: str) -> str:
    """The organ whose site a page opens on, any channel ('山东省人民政府 政策解读 …'), as a page's
    SiteName would name it; '' when the page opens on no such breadcrumb."""
    return _crumb_organ(text.lstrip()[:200], _CHANNEL)


def _crumb_organ(head: str, channels: re.Pattern[str]) -> str:
    """The organ that opens `head` when one of `channels` follows it as a breadcrumb; ''."""
    pieces = _GAP.split(head.strip(), maxsplit=_CRUMBS)
    if len(pieces) > 2 and channels.fullmatch(pieces[1]) and is_organ(pieces[0]) and not is_media(pieces[0]):
        return pieces[0]
    return ""


_EXCLAIMED = 10  # an exclaimed headline, not a tag ('速查看！' before '我区…服务指南')


def leading_title(line: str) -> str:
    """Title at the head of a line whose line breaks were lost ('TITLE 文号 各…： body…').

    Args: the document's first line. Returns: the title or ''. The breaks survive as gaps, so
    the line is read gap by gap up to the first piece that is body (a sentence, 文号, addressee):
    among those pieces the title is the one naming a document ('关于…', '…的通知'), continued
    over wrapped pieces and preceded by the organs that issue it ('财政部 税务总局关于…');
    failing that, a news headline (`headline`). Organs' names alone are no title.
    """
    pieces = []
    split = _GAP.split(line.strip(), maxsplit=16)
    if len(split) > 1 and _DOC_NUMBER_RE.fullmatch(split[0]):
        split = split[1:]  # the page opens on the 文号: '成银发〔2020〕15号 关于…的通知'
    crumbs = [i for i, piece in enumerate(split[:_CRUMBS]) if _CHANNEL.fullmatch(piece)]
    if crumbs and len(split) > crumbs[-1] + 1:
        split = split[crumbs[-1] + 1:]  # the site and its channel ('山东省人民政府 政策解读') precede the title
    for i, piece in enumerate(split):
        if not _title_piece(piece, first=i == 0):
            break
        pieces.append(piece)
    if not pieces:
        return ""
    core = next((i for i, p in enumerate(pieces) if "关于" in p or _NAMES_DOC.search(p)), None)
    # (never over a notice's own title: one addressed to its readers, or after a breadcrumb)
    addressed = re.search(r"(?:^|\s)各[^。\s]{1,60}[：:]", line[:_HEAD_CHARS])
    if core and not addressed and not _BREADCRUMB.match(pieces[0]) and (
            len(pieces[0]) >= _EXCLAIMED and re.search(r"[！!？?]", pieces[0])
            or "关于" not in pieces[core] and re.search(r"[，,：:]", pieces[0])):
        # a headline with its punctuation comes first: '市场监管总局：…复产 采取多项应急措施', '…请注意！
        # “国家保障”来了！ … 国务院办公厅转发…的通知' (a page promoting the notice it links)
        core = None
    if core is None:
        title = headline(pieces)
    else:
        end = next((j for j in range(core, min(core + 4, len(pieces)))
                    if _NAMES_DOC.search(pieces[j])), core)
        if end + 1 < len(pieces) and _NUMBER_PIECE.fullmatch(pieces[end + 1]):
            end += 1  # '…指挥部公告 （第6号）'
        title = _issued_title(pieces[:core], "".join(pieces[core:end + 1]))
    return "" if ORGAN_RE.fullmatch(title) or split_organs(title) else title


def _issued_title(before: list[str], core: str) -> str:
    """The title with what precedes it on its line: the issuers printed before it ('财政部
    税务总局' + '关于…'), or the first part of its issuer's name when the name is wrapped
    ('四川省应对新型冠状病毒肺炎' + '疫情应急指挥部公告'). Stops at a repeat: pages print the
    issuers both above and inside the title. Args: the pieces before the title, the title.
    Returns: the title."""
    issuers: list[str] = []
    for piece in reversed(before):
        if piece in " ".join([*issuers, core]):
            break
        if not issuers and _wraps_into(piece, core):
            core = piece + core
        elif ORGAN_RE.fullmatch(piece):
            issuers.insert(0, piece)
        else:
            break
    return "".join([*issuers, core])


def _wraps_into(piece: str, title: str) -> bool:
    """Whether a piece is the start of the issuer's name that the title's line goes on with."""
    m = _ISSUING_PART.match(title)
    return bool(m) and bool(_PLACE_START.match(piece)) and not _PLACE_START.match(m.group(1)) \
        and not is_organ(piece) and is_organ(piece + m.group(1))


def headline(pieces: list[str]) -> str:
    """A news headline from the gap-delimited pieces that open its text: the main line and the
    short lines printed with it ('湖南公布热线电话 受理疫情防控工作问题线索及意见建议'), joined by a
    space as the page prints them.

    Args: the leading pieces that can be part of a title (`_title_piece`). Returns: the headline.
    The headline ends where the report starts: a dateline or a reporter ('新华社北京2月1日电'),
    a date, a byline organ, a bullet, a lead in the first person ('我省…'), or a piece that
    repeats the headline (pages print it twice, or a lead restates it).
    """
    lines = [pieces[0]]
    for piece in pieces[1:_HEADLINE_PIECES]:
        if _NEWS_SIGNS.search(piece) or _DAY.search(piece) or _restates(piece, lines) \
                or _LEAD.match(piece) or is_organ(piece) or len(" ".join([*lines, piece])) > _HEADLINE_CHARS:
            break
        lines.append(piece)
    return " ".join(lines)


def _restates(piece: str, lines: list[str]) -> bool:
    """Whether a piece repeats words of the headline so far (a lead, a second printing)."""
    shortest = min(len(piece), _RESTATED)
    return any(piece[i:i + shortest] in line for line in lines for i in range(len(piece) - shortest + 1))


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


def find_issuers(raw_text: str, title: str, signed: list | None = None) -> tuple[str, ...]:
    """发文机关, co-issuers in order: the organs heading the title ('财政部 税务总局关于…', '…局转发…')
    or whose act it is ('德阳市交通运输局通告'), else a decree's organ, a letterhead ('…文件'), the
    organs that sign (the last names before a date, else after the last sentence), a labelled
    field (发文机关/发布机构/来源). Never a function word ('关于') or a piece of a sentence.

    Args: the raw text, the title, its signatures when already found. Returns: () if none.
    """
    title = _TITLE_TAG.sub("", title).strip()
    signed = signatures(raw_text) if signed is None else signed
    headed = letterhead(raw_text)
    for pattern in (_ISSUER_FROM_TITLE, _ISSUER_ACT_TITLE):
        m = pattern.match(title)
        if m and (organs := split_organs(m.group(1))):
            return _whole_names(organs, [*headed, *(o for s in signed for o in s.organs)])
    m = _DECREE_NUMBER.search(raw_text[:200])
    if m and not _CITED.search(raw_text[:m.start()]):  # '广州市人民政府令 第179号' heads a decree
        return (_decree_organ(m),)
    for organs in (headed, *(s.organs for s in reversed(signed)), closing_organs(raw_text)):
        if organs:  # the letterhead, the last organs signing with a date, those signing without
            return organs
    if organ := byline_organ(raw_text, title):
        return (organ,)
    m = _ISSUER_LABEL.search(raw_text[:_HEAD_CHARS]) or _ISSUER_LABEL.search(raw_text[-_HEAD_CHARS:])
    if m:
        name = re.sub(r"[（(](?:加?挂)[^）)]*[）)]$", "", m.group(1).rstrip("。"))
        return split_organs(name)
    return compiler(raw_text, title)


def byline_organ(raw_text: str, title: str) -> str:
    """The organ a page prints alone between its title and the title restated, as a byline
    ('关于《…若干措施》有关事项办理流程 北京市地方金融监督管理局 关于《…若干措施》有关事项办理流程 为…');
    '' when the page has no such line."""
    head = raw_text.lstrip()
    if len(title) < 8 or not head.startswith(title):
        return ""
    m = _ORGAN_LINE.match(head[len(title):])
    return m.group(1) if m and is_organ(m.group(1)) and m.group(2).startswith(title[:8]) else ""


_ORGAN_LINE = re.compile(r"\s+(\S{2,30})\s+(\S.*)", re.DOTALL)


# An unsigned guide or Q&A says in its lead who compiled it: '国家税务总局按照…的原则，…编制了
# 《电子税务局非接触式办税相关问题解答》' heads the 问题解答 it is.
_GUIDE = re.compile(r"(?:问答|解答|指南|指引|清单|须知|手册)$")
_COMPILED = re.compile(r"(?:编制|制作|整理|汇编|编写)了《([^《》]{2,60})》")
_COMPILED_CHARS = 800


def compiler(raw_text: str, title: str) -> tuple[str, ...]:
    """The organ an unsigned guide's lead names as compiling it, when what it compiled is a guide
    of the same kind as the title ('…问题解答' under the title '…清单及问题解答'). Returns: () if none."""
    own = _GUIDE.search(title.strip())
    if not own:
        return ()
    for m in _COMPILED.finditer(raw_text[:_COMPILED_CHARS]):
        if not m.group(1).endswith(own.group(0)):
            continue
        # the subject opens the clause before the verb: '国家税务总局按照…的原则，针对…，编制了《…》'
        sentence = re.split(r"[。；！？\s]", raw_text[:m.start()])[-1]
        for part in re.split(r"[，：]", sentence):
            organ = next((part[:end] for end in range(min(len(part), 30), 1, -1) if is_organ(part[:end])), "")
            if organ:
                return (organ,)
    return ()


def _whole_names(organs: tuple[str, ...], names: list[str]) -> tuple[str, ...]:
    """The organs a title names, each completed from the letterhead or the signature where the
    title printed only the end of its name ('疫情应急指挥部' signed '四川省应对新型冠状病毒肺炎疫情
    应急指挥部', '市人民政府办公厅' under '贵阳市人民政府办公厅文件'): an issuer never starts inside a word."""
    return tuple(next((n for n in names if (n.endswith(o) and len(n) > len(o) or _abbreviates(o, n))
                       and _PLACE_START.match(n)), o) for o in organs)


# An organ named by its level alone: '省发展改革委', '市市场监管委', '市政府' (not 市场监督管理局, 市民…).
_LEVEL_ONLY = re.compile(r"^[省市区县](?![辖直属场域民])")


def _abbreviates(short: str, full: str) -> bool:
    """Whether a level-only name is the short form of a signature's name at its place: '省发展改革委'
    of '贵州省发展和改革委员会', '市政府' of '贵阳市人民政府' — past the place, the full name starts at
    the same level, holds the short one's characters in order and ends as it does (委 for 委员会)."""
    if not _LEVEL_ONLY.match(short):
        return False
    for start in range(2, min(len(full) - 1, 8)):
        rest = full[start:]
        if rest[0] != short[0] or not (rest.endswith(short[-1]) or short.endswith("委") and rest.endswith("委员会")):
            continue
        chars = iter(rest)
        if all(c in chars for c in short):
            return True
    return False


_ISSUED_QUOTE = re.compile(r"(?<=印发|发布|出台|公布|下发|推出|解读)《[^《》]*》|《[^《》]*》(?=\s*(?:的)?解读)")


def document_kind(title: str, raw_text: str, issuers: tuple[str, ...], doc_number: str,
                  source_issuer: str = "") -> str:
    """'notice' for an organ's own document, 'news' for a report about one.

    Args: the title, the raw text, the issuers and 文号 read from it, and the source a page
    names (its meta tag). Returns: 'notice' or 'news'. A report reads like one: a dateline,
    a reporter, a headline verb ('出台', '召开'); a notice names itself as a document type, signs,
    carries a 文号 or addresses its readers ('各…：').
    """
    head = raw_text[:_HEAD_CHARS]
    # What a headline quotes after a verb of issuing is another document's title: '商务部印发
    # 《关于…的通知》' reports a notice, where '省发展改革委印发《…措施》的通知' is one (its own words
    # name a document type), and so is '转发《…的通知》' or '北京市《关于…若干措施》'; a reading of
    # one ('《…的通知》解读') is news.
    if "转发" not in title:
        outside = _ISSUED_QUOTE.sub("《》", title)
        if re.search(r"[\u4e00-\u9fff]", outside):
            title = outside
    names_doc = bool(_NAMES_DOC.search(title) or "关于" in title or _TITLE_NUMBER.search(title)
                     or re.search(r"(?:指引|指南|问答|解答|说明|倡议书|须知|攻略|\d+问)$", title))
    signed = bool(issuers) and not _ISSUER_FROM_TITLE.match(title) or bool(doc_number)
    if _VISIT.search(title) and not signed and "关于" not in title:
        return "news"  # a leader's visit is reported, whatever organs the report names
    if _COLON_HEADLINE.match(title) and not signed and "关于" not in title:
        return "news"  # '市场监管总局：全国检验检测机构…', '黑龙江：…': a report's headline form
    source_issuer = _SOURCE_SUFFIX.sub("", source_issuer.strip())
    if source_issuer and is_media(source_issuer) and not signed:
        return "news"
    reported = bool(_NEWS_SIGNS.search(head) or _BYLINE.search(raw_text[-60:]) or _NEWS_VERBS.search(title)
                    and "关于" not in title)
    if signed or (names_doc and not reported) or re.search(r"(?:^|\s)各[^。\s]{1,60}：", head[:300]) \
            or _CLOSING_FORMULA.search(raw_text):
        return "notice"
    if source_issuer and is_organ(_SOURCE_SUFFIX.sub("", source_issuer.split()[0])) and not reported:
        return "notice"
    return "news"


def read_text_meta(raw_text: str, clean_text: str, known_title: str = "",
                   source_issuer: str = "") -> TextMeta:
    """Read title, 文号, issuers, date and kind from a document's text.

    Args: the text before and after chrome removal; the title when a sidecar or the container
    states it (the issuer is then read from it, not from a cited title in the text); the
    source the container names (a page's issuer meta tag), which only decides the kind.
    Returns: a TextMeta; fields not found are ''. A news report keeps its title and date but
    has no issuer: the organs it names are its subject, not its author.
    """
    raw_text = arabic_dates(raw_text)
    lines = clean_text.split("\n")
    title, title_lines = find_title(lines)
    header = "\n".join(lines[:header_zone(lines)])
    signed = signatures(raw_text)
    issuers = find_issuers(raw_text, known_title or title, signed)
    if not issuers and known_title and title_lines:  # a title line, not a title cited in a sentence
        issuers = find_issuers(raw_text, title, signed)
    doc_number = find_doc_number(raw_text, header, known_title or title)
    posted = () if issuers or known_title else posting_organ(lines)
    kind = document_kind(known_title or title, raw_text, issuers, doc_number, source_issuer or " ".join(posted))
    if kind == "notice" and not issuers:
        issuers = posted  # the site whose channel holds it posted it, as a page's meta tag says
    date = find_date(raw_text, signed, issuers)
    if kind == "news":  # its dates are events it reports, but for a dateline or a 时间 field
        issuers, date = (), news_date(raw_text)
    if doc_number and title.endswith(doc_number):
        title = title.removesuffix(doc_number)
    elif "〔" in doc_number and re.sub(r"\s", "", title).endswith(f"（{doc_number}）"):
        title = re.sub(r"\s*[（(][^（(]*$", "", title)  # '…的通知（国办发明电〔2020〕1号）'
    return TextMeta(
        title=title,
        title_lines=title_lines,
        doc_number=doc_number,
        issuer=" ".join(issuers),
        date=date,
        issuers=issuers,
        kind=kind,
    )

def source_issuers(stated: str) -> tuple[str, ...]:
    """Issuers a page's meta tag or a source line states ('市人力资源社会保障局官网', '市人力资源
    社会保障局、市人力资源市场服务中心'), when they are organs; () for a newspaper or a site."""
    stated = _SOURCE_SUFFIX.sub("", re.sub(r"[（(]加?挂[^）)]*[）)]", "", stated.strip()))
    if not stated or is_media(stated):
        return ()
    organs = split_organs(stated)
    if organs:
        return organs
    # A unit of an organ: '市人力资源社会保障局 社保中心' stays as the page prints it.
    parts = stated.split()
    return (stated,) if parts and is_organ(parts[0]) else ()
