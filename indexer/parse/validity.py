"""Whether a document is in force (时效): the dates it takes effect and ceases to, read from what
the document says of itself, with the phrase that decided them.

Trust, highest first: a web capture's own fields (时效性：现行有效/已失效, 废止日期：…) and
statements ('本文件已废止'); the document's sentences about itself ('本意见自2015年8月1日起
正式施行', '有效期5年', '有效期至2025年12月31日'); the period its title names ('（2023—2027年）',
'十四五', '三年行动计划', '2015年工作要点'). A sentence about another document (one that quotes
《…》) or a measure's own term ('注册费零收费执行期限为…') says nothing about this one.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from indexer.parse.dates import DATE_PATTERN as _DATE
from indexer.parse.dates import DATE_RE, arabic_dates, iso_date

_QUOTE = re.compile(r"《[^《》\n]{0,150}》")
# Sentences end at '。；' or a line break, or at a gap where a page lost its line breaks ('四、其他 本意见…').
_SENTENCE_END = re.compile(r"[。；;\n]|(?<=[\u4e00-\u9fff）)])[ \u3000]+(?=[\u4e00-\u9fff（(])")
_NUMBERING = re.compile(r"^[\s\u3000]*(?:第[一二三四五六七八九十百零〇\d]{1,5}条|[一二三四五六七八九十]{1,3}、|"
                        r"[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,3}[.．、])?[\s\u3000]*")
# A sentence about the document itself: '本意见…', '本通知明确的政策措施…'. One that opens on a
# term ('有效期为三年', '自2020年3月1日起施行') is too; one that opens on '执行期限' is a measure's.
_SELF = re.compile(r"^(?:本|此|以上|上述)[\u4e00-\u9fff]{0,6}?(?:意见|通知|办法|方案|规划|计划|决定|条例|规定|纲要|细则|要点|"
                   r"通告|公告|法|指引|指南|措施|规则|政策|文件|批复|函)")
_TAKES_EFFECT = ("施行", "执行", "实施", "生效")
_BASIS_CHARS = 80
_FROM_DATE = re.compile(rf"自\s*{_DATE}\s*(?:起[^。，,]{{0,6}}?(?:施行|执行|实施|生效)|至)")
_FROM_ISSUE = re.compile(r"自(?:[\u4e00-\u9fff]{0,4}?(?:发布|印发|公布|颁布|下发|发文|签发|即日)之?日|即日)起"
                         r"(?:正式)?(?:施行|执行|实施|生效)?")
_UNTIL_DATE = re.compile(rf"(?:有效期|执行期|实施期|施行期|期限)[^。，,]{{0,16}}?至\s*{_DATE}")
_UNTIL_YEAR_END = re.compile(r"(?:有效期|执行期|实施期|施行期|期限)[^。，,]{0,16}?至\s*((?:19|20)\d{2})\s*年\s*底")
_TERM = re.compile(r"(?:有效期|执行期|实施期|施行期)(?:限)?(?:暂定)?(?:为|是)?\s*([\d一二两三四五六七八九十]{1,3})\s*(个月|年)"
                   r"|之日起的?\s*([\d一二两三四五六七八九十]{1,3})\s*(个月|年)")
_STATUS_FIELD = re.compile(r"(?:时效性|有效性|效力状态|时效状态)\s*[:：\]】]\s{0,12}(现行有效|有效|已失效|失效|已废止|废止)")
_REPEAL_DATE = re.compile(rf"(?:废止|失效)(?:日期|时间)\s*[:：\]】]\s{{0,12}}{_DATE}")
_REPEALED = re.compile(r"(?:本|该|此)(?:文件|文|件|通知|办法|意见|规定|政策|公告|通告|决定)?(?:已经|已)(?:被)?(?:宣布)?"
                       r"(?:废止|失效)")
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*(?:——|[—–\-－~～至到])\s*((?:19|20)\d{2})\s*年?(?![\d月])")
_FIVE_YEAR_PLAN = re.compile(r"十([一二三四五])五")
_N_YEAR_PLAN = re.compile(r"([两二三四五])年(?:行动)?(?:计划|方案)")
_YEARLY = re.compile(r"((?:19|20)\d{2})\s*年度?[\u4e00-\u9fff]{0,12}?(?:工作要点|工作计划|工作安排)")
_YEAR_STARTED = re.compile(r"(?:从|自)\s*((?:19|20)\d{2})\s*年(?:起|开始)")
_CN = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}
_HEAD_CHARS = 300  # a plan states its period in its title or its opening lines
_MAX_PERIOD_YEARS = 30


@dataclass(frozen=True)
class Validity:
    """When a document is in force: ISO dates ('' when unknown, `effective_to` inclusive), the
    phrase that decided them (`basis`, for display), and what a web capture's field states
    (`stated`: 'in_force', 'expired' or '') when no date goes with it."""

    effective_from: str = ""
    effective_to: str = ""
    basis: str = ""
    stated: str = ""

    def status(self, as_of: str) -> str:
        """Whether the document is in force on a day.

        Args:
            as_of: an ISO date 'YYYY-MM-DD'.
        Returns:
            'not_yet' before `effective_from`, 'expired' after `effective_to` (or when a capture
            says so without a date), 'in_force' when a date or a capture says so, else 'unknown'.
        Raises:
            ValueError: `as_of` is no calendar date.
        """
        if not is_day(as_of):
            raise ValueError(f"as_of must be an ISO date 'YYYY-MM-DD', not {as_of!r}")
        if self.effective_from and as_of < self.effective_from:
            return "not_yet"
        if self.effective_to and as_of > self.effective_to or self.stated == "expired" and not self.effective_to:
            return "expired"
        if self.effective_from or self.effective_to or self.stated == "in_force":
            return "in_force"
        return "unknown"

    def to_dict(self, as_of: str) -> dict:
        """JSON-ready data. Args: the day the status is for (ISO). Returns: the fields and `status`."""
        return {"effective_from": self.effective_from, "effective_to": self.effective_to,
                "basis": self.basis, "status": self.status(as_of)}


def validity_of(title: str, text: str, date: str) -> Validity:
    """When a document is in force, from its title, its text and its own date.

    Args:
        title: the document's title.
        text: its text (a web capture keeps its 时效性/废止日期 fields).
        date: its own ISO date (成文/发布), '' when unknown; invalid dates count as ''.
    Returns:
        A Validity; no date at all (and status 'unknown') when the document states no term,
        period or status — its own date alone says nothing of how long it stays in force.
    """
    date = date if _valid(date) else ""
    text = arabic_dates(text or "")
    start, end, basis = _own_term(text, date)
    if not (start and end):
        p_start, p_end, p_basis = _period(title or "", text, date)
        if p_start or p_end:
            start, end = start or p_start, end or p_end
            basis = [*basis, p_basis]
    stated = ""
    if m := _STATUS_FIELD.search(text) or _REPEALED.search(text):
        stated = "in_force" if m.group(0).endswith("有效") else "expired"
        basis.append(m.group(0).replace("\n", " "))
    repealed = _REPEAL_DATE.search(text)
    if iso_date(repealed):
        end, stated = iso_date(repealed), stated or "expired"
        basis.append(repealed.group(0))
    elif stated == "expired":
        end = end or date
    said = [b for b in dict.fromkeys(basis) if b]
    return Validity(start, end, "；".join(b for b in said if not any(b != o and b in o for o in said)), stated)


def _own_term(text: str, date: str) -> tuple[str, str, list[str]]:
    """Start, end and the sentences that gave them, from what a document says of itself (the
    last such sentence wins: the term closes a document)."""
    start = end = start_said = end_said = ""
    for sentence in _SENTENCE_END.split(text):
        said = _NUMBERING.sub("", sentence, count=1).strip()
        s = _QUOTE.sub(_blank, said)  # the dates in a cited title are that document's
        own = bool(_SELF.match(s))
        if not (own or s.startswith(("自", "有效期"))):
            continue
        m = _FROM_DATE.search(s)
        if iso_date(m) and (own or m.group(0).endswith(_TAKES_EFFECT)):
            start, start_said = iso_date(m), _phrase(said, m)
        elif (m := _FROM_ISSUE.search(s)) and date and (own or m.group(0).endswith(_TAKES_EFFECT)):
            start, start_said = date, _phrase(said, m)
        if not own and not s.startswith("有效期"):
            continue
        if iso_date(m := _UNTIL_DATE.search(s)):
            end, end_said = iso_date(m), _phrase(said, m)
        elif (m := _UNTIL_YEAR_END.search(s)) and (y := _year(m.group(1))):
            end, end_said = f"{y}-12-31", _phrase(said, m)
        elif (m := _TERM.search(s)) and (start or date):
            n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if n := _count(n):
                end, end_said = _add(start or date, n, unit), _phrase(said, m)
    return start, end, [start_said, end_said]


def _blank(m: re.Match[str]) -> str:
    """A quoted title emptied, its length kept: positions in the sentence stay those printed."""
    return "《" + "\u3000" * (len(m.group(0)) - 2) + "》"


def _phrase(said: str, m: re.Match[str]) -> str:
    """What a basis shows: the clause of the sentence from its start to the end of the match
    ('本意见自2015年8月1日起正式施行', '有效期至2020年底')."""
    start = max(said.rfind("，", 0, m.start()), said.rfind(",", 0, m.start())) + 1
    return said[start:m.end()][-_BASIS_CHARS:]


def _period(title: str, text: str, date: str) -> tuple[str, str, str]:
    """The period a plan covers: '（2023—2027年）' in the title or its opening lines, '十四五',
    'N年行动计划' from its first year, a yearly '2015年工作要点'. Returns: start, end, phrase."""
    head = _QUOTE.sub(lambda m: " " * len(m.group(0)), text[:_HEAD_CHARS])
    for where in (title, head):
        for m in _PERIOD.finditer(where):
            first, last = _year(m.group(1)), _year(m.group(2))
            if first and last and 0 <= last - first <= _MAX_PERIOD_YEARS:
                return f"{first}-01-01", f"{last}-12-31", m.group(0)
    if m := _FIVE_YEAR_PLAN.search(title):
        first = 2006 + 5 * (_CN[m.group(1)] - 1)
        return f"{first}-01-01", f"{first + 4}-12-31", m.group(0)
    if m := _YEARLY.search(title):
        return f"{m.group(1)}-01-01", f"{m.group(1)}-12-31", m.group(0)
    if m := _N_YEAR_PLAN.search(title):
        years = re.search(r"(?:19|20)\d{2}", title)
        started = _YEAR_STARTED.search(head)
        first = int(years.group(0)) if years else int(date[:4]) if date else \
            int(started.group(1)) if started else 0
        said = f"{m.group(0)}，{started.group(0)}" if started and not years and not date else m.group(0)
        if _year(str(first)):
            return f"{first}-01-01", f"{first + _CN[m.group(1)] - 1}-12-31", said
    return "", "", ""


def is_day(iso: str) -> bool:
    """A calendar day written YYYY-MM-DD, any year ('2026-02-30', '0000-00-00' are not): the days
    validity may be asked about (dates read from a text are held to 1949–2100, see `_valid`)."""
    try:
        return len(iso) == 10 and datetime.date.fromisoformat(iso).isoformat() == iso
    except ValueError:
        return False


def _valid(iso: str) -> bool:
    return bool(iso) and len(iso) == 10 and iso_date(DATE_RE.fullmatch(iso)) == iso


def _year(digits: str) -> int:
    """A year a document can be in force (1949–2100), else 0."""
    return int(digits) if 1949 <= int(digits) <= 2100 else 0


def _count(numeral: str) -> int:
    """'5', '五', '两', '十二' -> the number."""
    if numeral.isdigit():
        return int(numeral)
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        return _CN.get(numeral, 0)
    return (_CN.get(tens, 0) if tens else 1) * 10 + (_CN.get(units, 0) if units else 0)


def _add(iso: str, n: int, unit: str) -> str:
    """The last day of a term of `n` years or months starting on `iso`: 2020-03-01 + 5 years ->
    2025-02-28. A day the target month lacks rolls to the next month's first, then back a day."""
    d = datetime.date.fromisoformat(iso)
    months = d.month - 1 + (n * 12 if unit == "年" else n)
    year, month = d.year + months // 12, months % 12 + 1
    try:
        after = datetime.date(year, month, d.day)
    except ValueError:
        after = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (after - datetime.timedelta(days=1)).isoformat()
