"""Lines that are not the document: web-capture chrome and the document's own frame.

Two different things live here:
- *chrome* (当前位置 breadcrumbs, 索引号 tables, 打印/关闭, 浏览次数, 字体, "Baidu map", a trailing
  "xxx.pdf" attachment name) is dropped from the document text altogether;
- *frame* (title, addressee line, signature, date, 抄送) stays in the text a reader sees but
  never becomes a clause.
"""
from __future__ import annotations

import re

from indexer.parse.metadata import DOC_NUMBER, INLINE_SIGNATURE, ORGAN_RE

_INFO_LABELS = ("索引号|信息索引号|主题分类|组配分类|体裁分类|服务对象|发文机关|发布机构|成文日期|生成日期|"
                "发文字号|文号|废止时间|公开方式|公开时限|公开范围|文件登记号|有效性|发布时间|发布日期|"
                "信息来源|来源|访问次数|浏览次数|点击数|阅读次数|字体大小|字号|字体|日期|作者|责任编辑|"
                "所属机构|时效|实施日期")
_LABELLED = re.compile(rf"^\s*[•·●]?\s*(?:{_INFO_LABELS})\s*[:：]\s*(.*)$")
_LABEL_SPACE = re.compile(rf"^\s*(?:{_INFO_LABELS})\s+\S")
_CHROME = re.compile(
    r"^\s*(?:当前位置|您当前的位置|您的位置|首页\s*[>＞»]|[>＞»]\s)"
    r"|^\s*(?:【?打印】?|【?关闭】?|【?关闭窗口】?|分享到?|收藏|返回顶部|扫一扫.*|Baidu|map|百度地图|"
    r"打印\s*关闭|【打印本页】|【关闭窗口】|\[\s*\]|字体\s*[:：]?\s*[\[【]?\s*[大中小].*)\s*$"
    r"|^\s*\S+\.(?:pdf|docx?|wps|ofd|xlsx?|zip|rar)\s*$",
    re.IGNORECASE,
)
_MAX_CHROME_LINE = 90


def strip_chrome(text: str) -> str:
    """Drop web-capture chrome lines, keeping every other line (and so the reading order).

    Args: normalised document text. Returns: the text without chrome lines.
    """
    lines = text.split("\n")
    kept: list[str] = []
    skip_value = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if len(stripped) <= _MAX_CHROME_LINE:
            labelled = _LABELLED.match(stripped)
            if labelled:
                skip_value = not labelled.group(1).strip()
                continue
            if _LABEL_SPACE.match(stripped) or _CHROME.match(stripped):
                skip_value = False
                continue
        if skip_value:
            # The value of a label printed on the line after it ("• 文号:" / "嵊政办发〔2023〕28号").
            skip_value = False
            if len(stripped) <= 40 and "。" not in stripped:
                continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印发|发布)?\s*$")
_ADDRESSEE = re.compile(r"^\s*各[^。]{1,150}[：:]\s*$")
_FRAME = re.compile(r"^\s*(?:[（(]此件[^）)]*[）)]|抄送[:：].*|[^。]{0,80}(?:印发|签发)\s*$|附件[:：]?\s*\S{0,40})\s*$")
_TRANSMITTAL = re.compile(r".{0,100}(?:印发给你们|现予印发|现予发布|现印发给)[^。]{0,40}。?")
_DOC_NUMBER_LINE = re.compile(rf"^\s*{DOC_NUMBER}\s*$")


def is_frame_line(line: str) -> bool:
    """True for a line that belongs to the document's frame, not its content.

    Args: one line. Returns: whether it is an addressee, signature, date, transmittal or 抄送 line.
    """
    stripped = line.strip()
    if not stripped:
        return True
    if _DATE_LINE.match(stripped) or _ADDRESSEE.match(stripped) or _FRAME.match(stripped) or \
            _DOC_NUMBER_LINE.match(stripped):
        return True
    if all(ORGAN_RE.fullmatch(organ) for organ in stripped.split()):  # signed by one or several
        return True
    return bool(len(stripped) <= 160 and _TRANSMITTAL.fullmatch(stripped))


# Where line breaks were lost, the frame trails the last item on the same line. Each pattern
# starts only at the first space of a run (the lookbehind): otherwise a search retries the
# run from every position in it, quadratic on a long run of spaces.
_INLINE_CHROME = re.compile(r"(?<![ \u3000])[ \u3000]+(?:【\s*打印本页\s*】|【\s*关闭窗口\s*】|扫一扫在手机打开当前页|"
                            r"责任编辑\s*[:：]|抄送\s*[:：])")
_INLINE_ANNEX = re.compile(r"(?<![ \u3000])[ \u3000]+附件\s*\d*\s*[:：]")
_LAST_PIECE = re.compile(r"(?<![ \u3000])[ \u3000]+(\S+)$")
_MAX_ANNEX_LIST = 300


_BODY_AFTER = 3  # sentences after a signature that make it no trailing frame


def frame_tail(line: str) -> int:
    """Where the frame that trails a line's content begins, for lines that lost their breaks.

    Args: one line. Returns: the offset of the first character of a trailing signature
    ('… 国家税务总局河南省税务局 2020年2月7日'), the attachment list just before it ('附件：
    1.… 2.…'), 抄送 or page chrome ('【打印本页】'); len(line) when the line has none. A
    signature followed by sentences signs a forwarding notice ('…印发给你们… 铁岭市人民政府
    2020年2月7日 …（一）全力支持企业复工。…'): the document it forwards is content.
    """
    end = len(line)
    chrome = _INLINE_CHROME.search(line)
    if chrome:
        end = chrome.start()
    signatures = list(INLINE_SIGNATURE.finditer(line, 0, end))
    if signatures and line.count("。", signatures[-1].end(), end) >= _BODY_AFTER:
        signatures = []  # a forwarding notice's signature, then the document it forwards
    if signatures:
        end = len(line[:signatures[-1].start()].rstrip())
        # Co-issuers sign one after another: '财政部 税务总局 2020年2月6日'.
        while (piece := _LAST_PIECE.search(line, 0, end)) and ORGAN_RE.fullmatch(piece.group(1)):
            end = piece.start()
    for annex in _INLINE_ANNEX.finditer(line, 0, end):
        listed = line[annex.end():end]
        if "。" not in listed and len(listed) <= _MAX_ANNEX_LIST:
            return annex.start()
    return end
