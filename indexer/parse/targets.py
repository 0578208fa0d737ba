"""Quantitative targets (指标) stated in policy text: '到2027年高新技术企业数量达到10家'.

A target is a metric, a value with its unit, a comparator and the year it is due. Rules:

- Value: Arabic or Chinese numerals (cn2an), times 万/亿/千; a range '4-6个' keeps its lower bound.
  Money keeps the unit '元' and puts the multiplier in the value ('100亿元' -> 1e10, '元').
  Percent is unit '%' ('2.5%' -> 2.5); '2个百分点' is unit '个百分点'.
- Comparator: the verb just before the value as written ('达到', '累计超过', '不低于'); '力争'
  is intent, not comparison, so '力争达到' -> '达到'. A trailing 以上/左右 is appended
  ('达到…以上'), or stands alone ('以上') when there is no verb; '' when nothing is said.
- Year: the latest year cue in the paragraph before the value ('到2027年', '至2027年',
  '力争2015年', '到“十四五”末' -> 2025, '到期末' -> end of the last range '2023—2027年');
  a list introduced by '到2014年…目标:' carries its year to the next top-level heading 'X、'.
  Annual quantities (每年, 年均) have no year.
- Cue: a number is a target only with a comparator, 以上/左右, a plan word (力争, 目标, 新增,
  培育, 建设…) before it in its clause, or a future year cue (到/至 YYYY年) in force. Numbers in a
  clause about subsidies (补助, 贴息, 给予, 按…: policy parameters, not targets) or about the
  past (已, 目前) are never targets. Dates, 文号, '第19次' and section numbers carry no unit.
- Metric: the text before the comparator within the clause, trimmed of connectives (力争, 到,
  全省, years…); with no comparator and a verb before the value ('培育3个以上高新技术企业') the
  noun after it. '占GDP比重' borrows the metric before it ('R&D经费支出占GDP比重').
  '甲和乙分别达到2万家和6万家' yields one target per metric, in order.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass

import cn2an

# one-to-one so offsets survive: full-width digits, percent and point
_HALFWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
_UNITS = ("个百分点", "平方米", "人年", "人次", "台次", "批次", "元", "%", "家", "个", "项", "人",
          "名", "件", "所", "台", "次", "户", "套", "座")
_VALUE_RE = re.compile(
    r"(?P<num>(?<![\d.第每A-Za-z])\d+(?:\.\d+)?|"
    r"(?<![第每零〇一二两三四五六七八九十百千万亿])[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]{0,6})"
    r"(?:\s*[-—~～]\s*\d+(?:\.\d+)?)?\s*(?P<mult>万亿|亿|万|千)?\s*"
    r"(?P<unit>" + "|".join(map(re.escape, _UNITS)) + r")(?![月日号])(?P<suffix>以上|左右)?")
_CLAUSE_RE = re.compile(r"[^，,；;。：:！？!?]+")
_YEAR = r"(?:19|20)\d{2}\s*年(?![\d\s]*月|\s*[-—–~～至])"
# Spaces bounded ({0,3}): an unbounded \s* before the year would be tried from every space of a
# long run (quadratic on a line of spaces).
_YEAR_RE = re.compile(r"(?:(?P<cue>到|至|截至|力争|争取)\s{0,3})?(?<![-—–~～\d])(?P<y>(?:19|20)\d{2})\s{0,3}年"
                      r"(?![\d\s]{0,8}月|\s{0,3}[-—–~～至])")
_PLAN_END_RE = re.compile(r"(?:到|至)“?十([一二三四五六])五”?(?:规划)?期?末")
_PERIOD_END_RE = re.compile(r"(?:到|至)(?:规划)?期末")
_RANGE_RE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~～至]\s*((?:19|20)\d{2})\s*年")
_HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]+、")
_COMPARATOR_RE = re.compile(
    r"(?:累计|分别|至少|同比|年均)?(?:达到|达|超过|超|突破|不低于|不少于|不超过|不高于|控制在|保持在|"
    r"稳定在|增至|降至|高于|低于|(?:提高|提升|增长|增加|降低|下降|减少)(?:到|至)?)\s*$")
_RELATIVE_RE = re.compile(r"(高于|低于)[^，,]{1,10}$")
_CUE_RE = re.compile(r"力争|争取|确保|目标|至少|新增|新建|引进|培育|创建|建设|建成|转化|推广|"
                     r"带动|惠及|组织|派遣")
_VERB_END_RE = re.compile(r"(?:培育|新建|新增|引进|建设|建成|创建|转化|推广|应用|组织|带动|惠及|成立|"
                          r"获得|实现|开发|打造|认定|派遣)$")
_PARAMETER_RE = re.compile(r"补助|补贴|资助|奖励|贴息|给予|减免|返还|按")
_PAST_RE = re.compile(r"已|目前|截至目前|现有|共计")
_NO_YEAR_RE = re.compile(r"每年|年均|每月|每日|每天|[两三四五]年")
_LEAD_RE = re.compile(
    r"(?:[\s、和及与的“”]|要求|力争|争取|确保|实现|计划|尽快|其中|即|将|到|至|在|截至|每年|"
    r"[一二三四两]季度|[两三四五]年|年底前|年内|\d{1,2}月(?:\d{1,2}日)?底?前|"
    r"全省|全县|全市|全区|全国|我省|我市|我县|我区|各县市区|各地|" + _YEAR + r")+")
_TRAIL_WORDS = ("的目标", "较上年", "比上年", "分别", "累计", "目标", "全省", "全市", "全县", "全区", "将", "均")
_TRAIL_CHARS = "、，,和及与的“"


@dataclass(frozen=True)
class Target:
    """One quantitative target (指标) and where it stands in the text."""

    metric: str
    value: float
    unit: str
    comparator: str
    year: int | None
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        """The target as plain JSON-ready data.

        Returns:
            A dict with every field of the target.
        """
        return asdict(self)


def _number(match: re.Match[str]) -> float | None:
    """The value a `_VALUE_RE` match holds, multiplier applied; None for an unreadable numeral."""
    num = match["num"]
    try:
        value = float(num) if num[0].isdigit() else float(cn2an.cn2an(num, "smart"))
    except ValueError:
        return None
    return value * _MULTIPLIERS.get(match["mult"] or "", 1.0)


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """The span [lo, hi) of `text` without leading and trailing connectives."""
    while lo < hi and (lead := _LEAD_RE.match(text, lo, hi)) and lead.end() > lo:
        lo = lead.end()
    # Trailing connectives stripped from the right, one at a time (a `(...)+$` search would be
    # quadratic on a long run of spaces).
    while hi > lo:
        if text[hi - 1].isspace() or text[hi - 1] in _TRAIL_CHARS:
            hi -= 1
            continue
        word = next((w for w in _TRAIL_WORDS if text.endswith(w, lo, hi)), None)
        if word is None:
            break
        hi -= len(word)
    return lo, hi


def _clean(text: str) -> str:
    """A metric as printed: years dropped from its middle ('全省2020年小微企业' -> '全省小微企业')."""
    return _YEAR_RE.sub("", text).strip()


class _YearScope:
    """Which year is in force at a position of the text: cues by paragraph, list intros carried."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.carried: int | None = None
        self.range_end: int | None = None
        self.cues: list[tuple[int, int, bool]] = []

    def line(self, start: int, end: int) -> None:
        """Enter the paragraph text[start:end]: read its year cues, update the carried year.

        Args:
            start: where the paragraph starts; end: where it ends.
        """
        line = self.text[start:end]
        if _HEADING_RE.match(line):
            self.carried = None
        for rng in _RANGE_RE.finditer(line):
            self.range_end = int(rng[1])
        self.cues = self._cues(start, end)
        if line.rstrip().endswith((":", "：")) and self.cues and self.cues[-1][2]:
            self.carried = self.cues[-1][1]

    def _cues(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """(position, year, is-future-cue) for every year expression in text[start:end]."""
        found = []
        for y in _YEAR_RE.finditer(self.text, start, end):
            if self.text[y.start() - 1:y.start()] not in ("较", "比", "从", "与"):  # base years
                found.append((y.start(), int(y["y"]), bool(y["cue"])))
        for plan in _PLAN_END_RE.finditer(self.text, start, end):
            found.append((plan.start(), 1955 + 5 * (10 + "一二三四五六".index(plan[1]) + 1), True))
        for period in _PERIOD_END_RE.finditer(self.text, start, end):
            if self.range_end:
                found.append((period.start(), self.range_end, True))
        return sorted(found)

    def at(self, pos: int) -> tuple[int | None, bool]:
        """The year in force at `pos` of the current paragraph, and whether a future cue sets it.

        Args:
            pos: an offset inside the paragraph last entered with `line`.
        Returns:
            (year or None, True when a 到/至/力争 year or a carried list year is in force).
        """
        before = bisect.bisect_left(self.cues, (pos,))
        if before:
            future = any(c[2] for c in self.cues[:before]) or self.carried is not None
            return self.cues[before - 1][1], future
        return self.carried, self.carried is not None


def _comparator(pre: str) -> tuple[str, int]:
    """The comparator ending `pre` and where it starts; ('', len(pre)) when there is none."""
    if (comp := _COMPARATOR_RE.search(pre)) is not None:
        return comp[0].strip().removeprefix("分别"), comp.start()
    if (rel := _RELATIVE_RE.search(pre)) is not None:
        return rel[1], rel.start()
    return "", len(pre)


def _clause_targets(text: str, lo: int, hi: int, scope: _YearScope, line_start: int,
                    previous: str) -> list[Target]:
    """The targets of the clause text[lo:hi]; `previous` is the metric of the clause before."""
    matches = list(_VALUE_RE.finditer(text, lo, hi))
    found: list[Target] = []
    consumed_to = lo
    shared: list[str] = []
    shared_comparator = ""
    for i, match in enumerate(matches):
        value = _number(match)
        pre_lo = consumed_to
        pre = text[pre_lo:match.start()]
        post_hi = matches[i + 1].start() if i + 1 < len(matches) else hi
        consumed_to = match.end()
        head = text[lo:match.start()]
        if value is None or _PARAMETER_RE.search(head) or _PAST_RE.search(head):
            continue
        year, future = scope.at(match.start())
        comparator, comp_at = _comparator(_YEAR_RE.sub(lambda m: " " * len(m[0]), pre))
        suffix = match["suffix"] or ""
        if not (comparator or suffix or _CUE_RE.search(head) or future):
            continue
        m_lo, m_hi = _trim(text, pre_lo, pre_lo + comp_at)
        if not comparator and (m_lo == m_hi or _VERB_END_RE.search(text, m_lo, m_hi)):
            p_lo, p_hi = _trim(text, match.end(), post_hi)
            if p_lo < p_hi:
                m_lo, m_hi, consumed_to = p_lo, p_hi, post_hi
        metric = _clean(text[m_lo:m_hi])
        if "分别" in pre and comparator:  # 甲和乙分别达到X和Y: one metric per value, one verb
            shared, shared_comparator = [p for p in re.split(r"[和及与、]", metric) if p], comparator
        if shared and (not metric or "分别" in pre):
            metric, comparator = shared.pop(0), shared_comparator
        if not metric:
            metric = previous
        elif metric.startswith("占") and found:
            metric = found[-1].metric + metric
        if _NO_YEAR_RE.search(text, text.rfind("。", line_start, match.start()) + 1, match.start()):
            year = None
        if suffix:
            comparator = f"{comparator}…{suffix}" if comparator else suffix
        start = min(m_lo, pre_lo + comp_at) if m_lo < match.start() else pre_lo + comp_at
        end = max(match.end(), m_hi)
        found.append(Target(metric, value, "元" if match["unit"] == "元" else match["unit"],
                            comparator, year, start, end, text[start:end]))
    return found


def extract_targets(text: str) -> list[Target]:
    """Every quantitative target (指标) the text states, in reading order.

    Args:
        text: policy text, one clause or a whole document; paragraphs are lines.
    Returns:
        The targets; offsets index `text` itself, so text[t.start:t.end] == t.text.
    """
    if not text:
        return []
    norm = text.translate(_HALFWIDTH)
    scope = _YearScope(norm)
    targets: list[Target] = []
    for line in re.finditer(r"[^\n]+", norm):
        scope.line(line.start(), line.end())
        previous = ""
        for clause in _CLAUSE_RE.finditer(norm, line.start(), line.end()):
            found = _clause_targets(norm, clause.start(), clause.end(), scope, line.start(), previous)
            targets.extend(t if t.text == text[t.start:t.end] else
                           Target(**{**asdict(t), "text": text[t.start:t.end]}) for t in found)
            lo, hi = _trim(norm, clause.start(), clause.end())
            previous = _clean(norm[lo:hi])
    return targets
