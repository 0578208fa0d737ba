"""Quantitative targets (指标) stated in policy text: '到2027年高新技术企业数量达到10家'.

A target is a metric, a value with its unit, a comparator and the year it is due. Rules:

- Value: Arabic or Chinese numerals (cn2an), times 万/亿/千; a range '4-6个' keeps its lower bound;
  an approximate one ('300多名', '10余万元') its number; two digits side by side ('七八成', '五一节')
  are no number. Units include cases (例), kinds after a digit or 等/共 (类; not the grade
  '二类医疗器械'), tenths (成), lessons, events, copies (节, 场, 份).
  Money keeps the unit '元' and puts the multiplier in the value ('100亿元' -> 1e10, '元').
  Percent is unit '%' ('2.5%' -> 2.5); '2个百分点' is unit '个百分点', '50个基点' '个基点';
  '300万以上山区居民' has no unit ('').
- Comparator: the verb just before the value as written ('达到', '累计超过', '不低于'); '力争'
  is intent, not comparison, so '力争达到' -> '达到'. A trailing 以上/左右 is appended
  ('达到…以上'), or stands alone ('以上') when there is no verb; '' when nothing is said.
- Year: the latest year cue in the paragraph before the value ('到2027年', '至2027年',
  '力争2015年', '到“十四五”末' -> 2025, '到期末' -> end of the last range '2023—2027年');
  a list introduced by '到2014年…目标:' carries its year to the next top-level heading 'X、'.
  Annual quantities (每年, 年均) have no year.
- Cue: a number is a target only with a comparator, 以上/左右, a plan word (力争, 目标, 新增,
  培育, 建设…) before it in its clause, 力争/目标 earlier in its sentence, a deadline ahead
  ('2月底前', '一季度'), '…的目标' after it, or a future year cue (到/至 YYYY年) in force.
- Not targets: numbers in a clause about subsidies (补助, 贴息, 给予, 按…: policy parameters), the
  past or forecasts (已, 目前, 一直, 预计, a reported day '2月17日的'), requirements (须); a bare
  '一' (一次办成, 一个不漏); numbers inside “…” or 《…》; counts of measures ('4项措施'); rates
  ('20个课时/班', '每新增1人'); norms (不少于/不低于/不超过/不高于 with 每天/每人…, or qualifying a
  noun: '不低于50万元的保险'); conditions ('30人以上的，'). Dates, 文号, '第19次' carry no unit.
- Metric: the text before the comparator within the clause, trimmed of connectives (力争, 到,
  全省, years…); with no comparator and a verb before the value ('培育3个以上高新技术企业') the
  noun after it, as when the text before the value ends in a verb ('提供不少于50亿元优惠贷款').
  A base year goes with its 较 ('成本较2019年下降50个基点'). '占GDP比重' borrows the metric
  before it ('R&D经费支出占GDP比重').
  '甲和乙分别达到2万家和6万家' yields one target per metric, in order.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass

import cn2an

# one-to-one so offsets survive: full-width digits, percent and point
MAX_CLAUSE_CHARS = 400  # characters of one comma-clause read (real ones are far shorter)
_HALFWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
_UNITS = ("个百分点", "个基点", "平方米", "人年", "人次", "人份", "台次", "辆次", "批次", "车次", "班次", "公里", "元", "%", "家",
          "个", "项", "人", "名", "件", "所", "台", "次", "户", "套", "座", "吨", "辆", "只", "亩",
          "款", "间", "张", "床", "条", "站", "例", "场", "份", "箱", "盒", "瓶", "摄氏度", "℃",
          # weights, lengths, volumes and seconds, the longer names first ('5厘米' is not 5 米);
          # 方面 counts aspects ('从三方面'), 根 sticks and lines
          "千克", "公斤", "毫克", "克", "千米", "厘米", "毫米", "米", "毫升", "秒", "方面", "根",
          # trips, pieces, units of blood ('1250单位悬浮红细胞': 单位 right after its number)
          "趟", "枚", "单位")
_LESSONS = r"节(?![日假前后期庆])"
# Measure words that begin other words, and the characters that make them do: 种 counts sorts
# ('8种外语', '三种渠道'), not 种植, 种子, 种类; 位 persons, not 位于, 两位数, 两位小数; 支 teams, not
# 支持, 支付; 轮 rounds, not 三轮车, 轮流; 头 head, not 头部; 起 cases, not 起草, 起征; 架 planes, not
# 框架's 架构. The question's side reads them so too (query/spans.py).
AMBIGUOUS_MEASURES = {"种": "植子类族苗养田地", "位": "一数小置于", "支": "持付出撑柱", "轮": "车驱流换岗班",
                      "头": "部条像", "起": "征步来草诉始点", "架": "构子设空",
                      # 副 pairs of goggles, not 副市长; 双 pairs, not 双方; 剂 doses, not 剂量; 顶 tents
                      "副": "市省州县区局主长秘部总院食作产业本职科处品高书组队团镇乡所厅校教董经巡", "双": "方向休创拥百周重语节胞边",
                      "剂": "量型", "顶": "层级端尖部", "袋": "装子鼠", "粒": "子径", "桶": "装"}
# Buildings counted ('聚集着30幢商务楼宇'), not a building's number in an address ('3栋2单元', '12幢101室';
# after an estate's name too: '幸福小区5栋', _ADDRESSED).
_BUILDINGS = r"[栋幢](?!\s*\d)"
_ADDRESSED = re.compile(r"(?:小区|花园|家园|新村|苑|号院|社区)\s*$")  # estates (not 公寓, 大厦: '新建人才公寓3栋')


def _addressed(text: str, match: re.Match) -> bool:
    """Whether a number of buildings is a building's number in an estate ('幸福小区5栋')."""
    return match["unit"] in ("栋", "幢") and _ADDRESSED.search(text, max(0, match.start() - 8), match.start()) is not None
_ONE = r"(?<!(?<![一二两三四五六七八九十\d])一)"  # 一种, 一起: an article, 'together'
# and what may not stand before some of them in a text: 两头 'both ends'; 10万起, 2020起 'from'
_NOT_AFTER = {"种": _ONE, "头": r"(?<!两)", "起": _ONE + r"(?<![万千亿])(?<!(?:19|20)\d\d)"}
_COUNTERS = "架次|艘|" + "|".join(f"{_NOT_AFTER.get(char, '')}{char}(?![{ends}])"
                                  for char, ends in AMBIGUOUS_MEASURES.items())
# 成 is a tenth ('产能恢复到六成以上'), not the verb of 成立, 成为, 成都, 一成不变; 类 a count of kinds
# after digits, or a one-character numeral after 等/共 ('8类生活必需品', '7大类', '等四类人员'), not a grade
# ('二类医疗器械', '一类地区'; but '分为六大类' counts); 节 lessons, not a holiday (节日, 节假日).
_TENTHS = r"成(?![员本果交为功熟都立效绩型品就不])"
_KINDS = (r"(?:(?<=\d)|(?<=\d\s)|(?<=[等共][一二两三四五六七八九十])|(?<=分[为成][一二两三四五六七八九十]))"
          r"大?类")  # '7大类' is 7 类; '分为六大类' 6
# 倍 a multiple ('认购倍数达11.85倍'), not 倍数, 倍增; 分 points of a score after digits ('得分90分以上为优秀'),
# not 分钟, 分之, 分别…, nor 十分 'very', nor the minutes of a time of day ('12时30分')
_TIMES = r"倍(?![数增])"
_POINTS = r"(?:(?<=\d)|(?<=\d\s))(?<![点时:：元角]\d)(?<![点时:：元角]\d\d)(?<![点时]\s\d)(?<![点时]\s\d\d)分(?![钟之别类批期局区行院公管会析配担解散布享流成子部开离钱秒])"
_VALUE_RE = re.compile(
    r"(?P<num>(?<![\d.第每A-Za-z])\d+(?:\.\d+)?|"
    r"(?<![第每零〇一二两三四五六七八九十百千万亿])(?:[一二两三四五六七八九](?![一二两三四五六七八九](?![十百千]))|十)"
    r"[零〇一二两三四五六七八九十百千]{0,6})"
    r"(?:\s{0,3}[-—~～]\s{0,3}\d+(?:\.\d+)?)?(?P<approx>[多余])?\s{0,3}(?P<mult>万亿|亿|万|千)?(?P<approx2>[多余])?\s{0,3}"
    r"(?:(?P<unit>" + "|".join(map(re.escape, _UNITS)) + "|" + _TENTHS + "|" + _KINDS + "|" + _LESSONS + "|" + _TIMES + "|" + _POINTS + "|" + _COUNTERS
    + "|" + _BUILDINGS + r")(?![月日号性式龙])|(?<=[万亿])(?=以上))(?P<suffix>以上|左右)?")  # not 一站式, 一条龙


def _unit(match: re.Match) -> str:
    """The unit of a _VALUE_RE match: '大类' is 类."""
    return "类" if match["unit"] == "大类" else match["unit"] or ""


_CLAUSE_RE = re.compile(r"[^，,；;。：:！？!?]+")
_YEAR = r"(?:19|20)\d{2}\s*年(?![\d\s]*月|\s*[-—–~～至])"
# Spaces bounded ({0,3}): an unbounded \s* before the year would be tried from every space of a
# long run (quadratic on a line of spaces).
_YEAR_RE = re.compile(r"(?:(?P<cue>到|至|截至|力争|争取)\s{0,3})?(?<![-—–~～\d])(?P<y>(?:19|20)\d{2})\s{0,3}年"
                      r"(?![\d\s]{0,8}月|\s{0,3}[-—–~～至])")
_PLAN_END_RE = re.compile(r"(?:到|至)“?十([一二三四五六])五”?(?:规划)?期?末")
_PERIOD_END_RE = re.compile(r"(?:到|至)(?:规划)?期末")
_RANGE_RE = re.compile(r"(?:19|20)\d{2}\s{0,3}年?\s{0,3}[-—–~～至]\s{0,3}((?:19|20)\d{2})\s{0,3}年")
_HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]+、")
_COMPARATOR_RE = re.compile(
    r"(?:累计|分别|至少|同比|年均)?(?:达到|达|超过|超|突破|不低于|不少于|不超过|不高于|控制在|保持在|"
    r"稳定在|增至|降至|高于|低于|(?:提高|提升|增长|增加|降低|下降|减少)(?:到|至)?)\s*$")
_RELATIVE_RE = re.compile(r"(高于|低于)[^，,]{1,10}$")
# 计划 plans ("计划完成投资"), but 计划项目 and “万人计划” name programmes
_CUE_RE = re.compile(r"力争|争取|确保|目标|计划(?![项单”》）)(])|至少|新增|新建|引进|培育|创建|建设|建成|转化|推广|"
                     r"带动|惠及|组织|派遣")
_VERB_END_RE = re.compile(r"(?:培育|新建|新增|引进|建设|建成|创建|转化|推广|应用|组织|带动|惠及|成立|"
                          r"获得|实现|开发|打造|认定|派遣|提供|拿出|投放|下达|拨付|发放|安排|筹措)$")
_PARAMETER_RE = re.compile(r"补助|补贴|资助|奖励|贴息|给予|减免|返还|按")
_PAST_RE = re.compile(r"已|目前|截至目前|现有|共计|一直|预计|预测")
# Cues the whole sentence lends to its later clauses ('一、工作目标 … 实现…2000万个（其中：…100万个）').
_SENTENCE_CUE_RE = re.compile(r"力争|争取|目标")
# A deadline ahead ('2月底前', '年底前', '一季度') plans what follows it.
_DEADLINE_RE = re.compile(r"\d{1,2}月(?:\d{1,2}日|上旬|中旬|下旬)?底?前|年底前|年内|[一二三四]季度")
# '…10万件的目标': the cue follows the numbers.
_TAIL_CUE_RE = re.compile(r"[^，,；;。]{0,12}?的(?:目标|任务)")
# Rules, not targets: a norm per day/person ('每天不少于2次'), a threshold qualifying a noun
# ('不低于50万元的保险', '30人以上的，'), a rate ('20个课时/班'), a count of measures ('4项措施').
_NORM_COMPARATORS = ("不少于", "不低于", "不超过", "不高于")
_PER_UNIT_RE = re.compile(r"每(?:天|日|次|人|个人|周|班|批|新增|增加)")
_ATTRIBUTE_RE = re.compile(r"的(?!目标|任务)")
_RATE_RE = re.compile(r"[^，,；;。]{0,3}/")
_MEASURES_RE = re.compile(r"(?:具体|政策)?(?:措施|举措)")
_REQUIRED_RE = re.compile(r"须")
_PER_BASIS_RE = re.compile(r"每(?:新增|增加)$")
# A day reported ('2月17日的产能利用率达110%'), unlike a deadline ('2月20日前').
_REPORT_DATE_RE = re.compile(r"\d{1,2}月\d{1,2}日(?![前起])")
_NO_YEAR_RE = re.compile(r"每年|年均|每月|每日|每天|[两三四五]年")
_LEAD_RE = re.compile(
    r"(?:[\s、和及与的“”）)]|要求|力争|争取|确保|实现|计划|尽快|其中|即|将|到|至|在|截至|每年|"
    r"[一二三四两]季度|[两三四五]年|年底前|年内|\d{1,2}月(?:\d{1,2}日)?底?前|"
    r"全省|全县|全市|全区|全国|我省|我市|我县|我区|各县市区|各地|" + _YEAR + r")+")
_TRAIL_WORDS = ("的目标", "较上年", "比上年", "分别", "累计", "目标", "全省", "全市", "全县", "全区", "将", "均")
_BASE_RE = re.compile(r"较$")  # '成本较2019年下降': the base year goes, so does its 较
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
    return value * MULTIPLIERS.get(match["mult"] or "", 1.0)


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
    return _BASE_RE.sub("", _YEAR_RE.sub("", text)).strip()


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


def _not_a_target(text: str, match: re.Match[str], head: str, comparator: str, hi: int) -> bool:
    """Whether the number is a rule, a slogan or a count rather than a target (指标).

    Args:
        text: the text; match: the `_VALUE_RE` match; head: its clause up to the number;
        comparator: the comparator before it; hi: where its clause ends.
    Returns:
        True for '一个不漏', numbers inside “…” or 《…》, '4项措施', '20个课时/班', '每新增1人',
        '每天不少于2次', '不低于50万元的保险', '30人以上的，' and requirements with 须.
    """
    end = match.end()
    if match["num"] == "一" and not match["mult"]:  # 一次办成, 一网通办, 一个不漏: idioms, not counts
        return True
    if head.rfind("“") > head.rfind("”") or head.rfind("《") > head.rfind("》"):
        return True
    if _MEASURES_RE.match(text, end) or _RATE_RE.match(text, end, hi) or _PER_BASIS_RE.search(head[-4:]):
        return True
    if comparator in _NORM_COMPARATORS and (_PER_UNIT_RE.search(head) or _ATTRIBUTE_RE.match(text, end, hi)):
        return True
    if match["suffix"] and _ATTRIBUTE_RE.match(text, end, hi) and end + 1 == hi:
        return True
    return bool(_REQUIRED_RE.search(head))


def _cued(text: str, match: re.Match[str], head: str, sentence: str, hi: int) -> bool:
    """Whether a plan cue stands around the number: in its clause, its sentence or just after it."""
    return bool(_CUE_RE.search(head) or _DEADLINE_RE.search(head) or _SENTENCE_CUE_RE.search(sentence)
                or _TAIL_CUE_RE.match(text, match.end(), hi))


def _clause_targets(text: str, lo: int, hi: int, scope: _YearScope, line_start: int,
                    previous: str, listed: str = "") -> list[Target]:
    """The targets of the clause text[lo:hi]; `previous` is the metric of the clause before, and
    `listed` the unit of the target that clause ended on, in the same sentence: a list of targets
    goes on without repeating its cue ('创建省级以上技术创新平台10家，市级技术创新平台50家')."""
    # A clause (between commas) longer than MAX_CLAUSE_CHARS is no target sentence: only its
    # start is read, so a hostile run of numbers costs linear time (each number reads its head).
    hi = min(hi, lo + MAX_CLAUSE_CHARS)
    matches = list(_VALUE_RE.finditer(text, lo, hi))
    found: list[Target] = []
    consumed_to = lo
    shared: list[str] = []
    shared_comparator = ""
    for i, match in enumerate(matches):
        value = None if _addressed(text, match) else _number(match)
        pre_lo = consumed_to
        pre = text[pre_lo:match.start()]
        post_hi = matches[i + 1].start() if i + 1 < len(matches) else hi
        consumed_to = match.end()
        head = text[lo:match.start()]
        if (value is None or _PARAMETER_RE.search(head) or _PAST_RE.search(head)
                or _REPORT_DATE_RE.search(head)):
            continue
        year, future = scope.at(match.start())
        comparator, comp_at = _comparator(_YEAR_RE.sub(lambda m: " " * len(m[0]), pre))
        suffix = match["suffix"] or ""
        if _not_a_target(text, match, head, comparator, hi):
            continue
        sentence_start = text.rfind("。", max(line_start, match.start() - MAX_CLAUSE_CHARS), match.start()) + 1
        sentence = text[max(sentence_start, match.start() - MAX_CLAUSE_CHARS):match.start()]
        continues = i == 0 and listed and _unit(match) == listed and not _VERB_END_RE.search(head)
        if not (comparator or suffix or future or continues or _cued(text, match, head, sentence, hi)):
            continue
        m_lo, m_hi = _trim(text, pre_lo, pre_lo + comp_at)
        # the verb is read before and after trimming: '惠及' loses its 及, '组织全省' its 全省
        if ((not comparator and m_lo == m_hi) or _VERB_END_RE.search(text, m_lo, m_hi)
                or _VERB_END_RE.search(text, m_lo, pre_lo + comp_at)):
            p_lo, p_hi = _trim(text, match.end(), post_hi)
            if p_lo < p_hi:
                m_lo, m_hi, consumed_to = p_lo, p_hi, post_hi
        metric = _clean(text[m_lo:m_hi])
        if "分别" in pre and comparator:  # 甲和乙分别达到X和Y: one metric per value, one verb
            shared, shared_comparator = [p for p in re.split(r"[和及与、]", metric) if p], comparator
        if shared and (not metric or "分别" in pre):
            metric, comparator = shared.pop(0), shared_comparator
        if not metric and "由" in head:  # '贷款额度由15万元提高到30万元': the words before 由
            metric = _clean(head[:head.rindex("由")])
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
        found.append(Target(metric, value, _unit(match),
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
        previous = listed = ""
        for clause in _CLAUSE_RE.finditer(norm, line.start(), line.end()):
            found = _clause_targets(norm, clause.start(), clause.end(), scope, line.start(), previous, listed)
            targets.extend(t if t.text == text[t.start:t.end] else
                           Target(**{**asdict(t), "text": text[t.start:t.end]}) for t in found)
            lo, hi = _trim(norm, clause.start(), clause.end())
            ends_sentence = norm[clause.end():clause.end() + 1] in ("。", "；", ";", "！", "？", "!", "?", "")
            previous = "" if ends_sentence else _clean(norm[lo:hi])  # a metric never crosses a sentence end
            listed = found[-1].unit if found and found[-1].end >= hi - 1 and not ends_sentence else ""
    return targets


# A duration a measure grants or sets: '免收2个月房租', '放宽1年', '延长至30天'. Never a year or
# a date ('2020年', '2月15日'): at most three digits, and no word after it that makes it a time
# of year (年底, 年度, 月份).
# A period, not a name or an age: never '建党100周年', '2周岁', '上半年' or '一二三年'.
# '10日内' is a period of days; '2月10日' a date (no 月 before the number).
_DURATION_RE = re.compile(r"(?<![\d.上下一二两三四五六七八九十])(?P<num>\d{1,3}(?:\.\d+)?|[二三四五六七八九]?十?[一二两三四五六七八九十]|半)\s{0,2}"
                          r"(?P<unit>个月|个工作日|个自然日|个?小时|分钟|天|日(?=\s{0,2}(?:内|以内|之内))|周(?![年岁])|年)"
                          r"(?![级度底初末份])")


def quantities(text: str) -> list[Target]:
    """Every number with a unit the text states, targets or not: the parameters of measures
    ('补助9万元', '比例提高到60%', '免收2个月房租'), counts and durations, in reading order.
    Metric, comparator and year are left empty (extract_targets reads those for targets).

    Args: any text. Returns: Targets whose offsets index `text` (text[t.start:t.end] == t.text).
    """
    norm = text.translate(_HALFWIDTH)
    found: list[Target] = []
    for m in _VALUE_RE.finditer(norm):
        if m["num"] == "一" and not m["mult"] and m["unit"] not in ("例", "成"):
            continue  # 'a': 一场特殊的签约仪式, 一个不漏, 一份承诺 (as extract_targets reads them); 一例 counts
        if _addressed(norm, m):
            continue  # '幸福小区5栋': the building's number
        value = _number(m)
        if value is not None and m["unit"]:
            # an approximate number ('300多名', '10余万元') keeps its 多/余 as its comparator
            found.append(Target("", value, _unit(m), m["approx"] or m["approx2"] or "", None, m.start(), m.end(),
                                text[m.start():m.end()]))
    for m in _DURATION_RE.finditer(norm):
        num = m["num"]
        if m["unit"] == "日" and norm[:m.start()].rstrip().endswith("月"):
            continue  # a date: '2月10日内', '2月 10日内'
        try:
            value = 0.5 if num == "半" else float(num) if num[0].isdigit() else float(cn2an.cn2an(num, "smart"))
        except ValueError:
            continue
        unit = m["unit"].removeprefix("个") if m["unit"].endswith("小时") else m["unit"]
        found.append(Target("", value, unit, "", None, m.start(), m.end(), text[m.start():m.end()]))
    return sorted(found, key=lambda t: t.start)
