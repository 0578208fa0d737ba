"""The answer card (`answer_card`): who is responsible for a who-question (answers.py), and for
any other question the sentence of the best relevant clause that answers (`answer_span`) and,
for a question asking for a number, the value the clause states (`ValueAnswer`).

Nothing is generated: a span is offsets into the clause's own text, and a value is a target
that parse/targets.py read from that text (its number, unit, year and the phrase that states
it). A clause that states no matching number gives no value answer.

- A sentence ends at 。；;！？!? or a line break, or at a gap between Chinese characters (a
  scraped page's flattened line break: a headline's, a subtitle's, a heading's line); one longer
  than LONG_SENTENCE characters is cut further at its commas (the goals of a work plan are one
  sentence of ten targets), except after a piece that only says when ('从1月28日10时起') or of
  whom ('…需要到窗口现场办理的纳税人'): that piece stays with the act after it. A piece marked that
  only restates the question ('对已经接洽、在谈的合作项目' for '对已经接洽或在谈的外资合作项目，要求通过
  什么方式保持沟通') is marked with the piece after it.
- The lines a gap ends before a clause's first full stop (headline, subtitle, byline) restate
  what the body says: a body sentence answering as well is marked instead, and a value a
  headline states is cited from the body sentence that states it (with the year that sentence
  names); a headline's round figure ('一百余项') gives way to the body's exact one it covers.
- The question's words its answer's document title has weigh TITLE_WORDS when the sentence is
  chosen: they name the notice, and every line repeating its title has them.
- A sentence scores by the IDF-weighted share of the question's tokens it contains (those of
  the question word's own comma-clause weigh double, as do the words an English question
  counts: 'how many rooms', 'what share of the deposit'; words no clause of the corpus has do
  not count, but an English one counts by the Chinese words the dictionary gives for it:
  query/dictionary.py), plus the longest run of the question's characters it shares (over the
  question's length). A question asking a time or a place is answered by a sentence stating
  one (a telephone number, an address: the same): one without it keeps half its score (the
  question's own words are no such form). A signature (organs and a date, the site's editor
  notes) says nothing of its own: it answers last, unless the question asks when a notice was
  issued.
- A value question (多少, 几家, 比重, 多久, how many …) takes the target of the best relevant
  clauses whose metric and surrounding words best cover the question — or the number of a
  measure ('补助9万元', '免收2个月房租') where no target covers it as well — of the kind of unit the
  question asks for (几个月 or 多少天, '10日内' too: a duration; 比例 or 几成: a percentage or
  tenths; 多少钱: money; 几家, 多少例, 几类 or how many: a count), scored by its segment's words
  and a tenth of its sentence's (like segments of two trips, '共9站' and '共19站', differ in the
  sentence before them); of a respective list ('小学、初中、高中分别不超过2小时、4小时、5小时') the
  number of the item the asking sentence names ('初中生…最多多少') is taken, and a number of the
  thing the question counts ('how many rooms': '能提供5754个房间') before one of another ('95个
  集中隔离医学观察点'); under the condition it states ('500万元以上的…') before the opposite. A
  number in an enumeration of one unit is read with its own item and what the items share; a
  question asking a total (总共, 合计, in total) prefers a number stated as one, and a sum
  ('…，合计101万元') is read with its sentence's words; an English question's counted noun ('how
  many customers') takes its Chinese measure words (户, 家, 人, 个) first, and the unit asked is
  read from the question as asked, not from the glossary terms written into it; a
  part stated with 其中 with its sentence when the question names the part ('给湖北预拨了多少');
  a segment sharing nothing with the question that states a parameter ('标准为…80%') with the
  segment before it; a number in a title or a short quoted name ('“三个一批”') is none, nor, for
  a question asking what was added ('又从…拿出多少'), one in the '在…基础上' base. A question
  of fact naming a place is not answered from a notice of another province. Its year is a
  target's year, else the single year a yearly plan's title gives ("2015年工作要点"); a
  measure's, the one year its sentence names, in a date too ('自2020年2月1日起…按95%结算'), but
  not a base year ('比2019年同期') nor a start it counts from ('自2019年5月推出以来'); else none.
- A question asking a telephone number or an address (热线电话是多少) asks no value: the
  sentence stating one is marked. One asking the number of a 文号 ('国办监督函〔2020〕多少号', 'the
  serial number of the notice') is answered by the number of the 文号 with that prefix and year
  in the first relevant clauses (asked without a prefix, their own document's 文号, never one
  they cite): unit 号, the 文号's year.
"""
from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from indexer.index.tokens import fold
from indexer.parse.targets import (
    AMBIGUOUS_MEASURES,
    MULTIPLIERS,
    Target,
    extract_targets,
    quantities,
)
from indexer.query.answers import Answer, build_answer, heading_coverage, on_topic
from indexer.query.doc_numbers import chinese_numbers, numbers_at, same_prefix
from indexer.query.relevance import (
    DAY_ASKED,
    Gloss,
    QueryTerms,
    idf_coverage,
    longest_common_substring,
    plain_text,
    presence,
    subject_terms,
    title_year,
)

if TYPE_CHECKING:
    from indexer.index.table import ClauseTable

# The measure words a count is asked with ('多少家', '几例', '多少节'), one character each; a question
# word and one of them, but 次 ('多少次'), names what it counts (_COUNTED) and the unit answered first
# (_ASKED_CLASSIFIER), as do 人次 and 台次.
_MEASURE_CHARS = "家个户人项名所件次台款间张床条站例类节场份箱盒瓶根艘幢栋趟枚"
# and those that begin other words, read as targets.py reads them: '多少支队伍', not '多少支持资金'
_AMBIGUOUS = "|".join(f"{char}(?![{ends}])" for char, ends in AMBIGUOUS_MEASURES.items())
# 只 counts ('多少只口罩'), but not in 只有, 只要, 只能 'only'
_ONLY = "只(?![有要是能需可])"
_MEASURE = "(?:人份|单位|车次|班次|[" + _MEASURE_CHARS + "]|" + _ONLY + "|" + _AMBIGUOUS + ")"
_MEASURES = "人次|人份|台次|架次|车次|班次|单位|[" + _MEASURE_CHARS.replace("次", "") + "]|" + _ONLY + "|" + _AMBIGUOUS
# 几 asks a number, but not in 这几家 'these few', 近几年, 前几日, 目前几家… (提前几年 asks one),
# nor the day of 几月几日 or 每月几日, a date
_FEW = r"(?<![哪这近])(?<!(?<![提目当此])前)"
_HOW_MANY = _FEW + r"几"
VALUE_QUESTION = re.compile(
    r"多少|" + _HOW_MANY + r"(?:[万亿年天周成秒米克倍]|(?<![月每]几)日(?!期)|" + _MEASURE + r")|多重|多远|多高|多宽|多深|什么(?:费率|利率|税率|比率|底线|上限|下限|门槛)|比重|比例|占比|百分之几|目标[是值为]|达到什么水平|增长率|增幅|多久|多长时间|"
    r"\bhow\s+(?:many|much|large|big|high|low|long|far|quickly|soon)\b|"
    # the number named ('what is the maximum guarantee fee rate', 'to what level is the ratio raised')
    r"\bwhat\s+(?:is|are|was|were|will\s+be)\s+the\s+(?:[\w-]+\s+){0,4}?(?:(?:rate|ratio|percentage|share|proportion|"
    r"amount|cap|ceiling|limit|quota|threshold)s?\b(?!\s+(?:of\s+)?(?:the\s+)?(?:policy|policies|measures?|notice))"
    r"|target\s+for\b)|"  # 'the 2020 target for the increase in…', not 'the target of this notice'
    r"\bto\s+what\s+level\b|\bwhat\s+level\s+(?:is|was|will|should|can|must)\b|"
    r"\b(?:below|above|exceeding)\s+what\b|"  # a bound: 'below what load factor'
    # 'what connection rate did … achieve', 'what capacity utilization rate was reported'
    r"\bwhat\s+(?:[\w()-]+\s+){0,3}?multiple\b(?=\s+(?:is|was|were|did|does|do|of|for|has|had|achieved|reached|recorded)\b|\s*[?,.]|\s*$)|"  # 'what bid-to-cover multiple did…', not 'multiple departments'
    r"\bwhat\s+(?:percentage|share|proportion|number|amount|target|(?:[\w-]+\s+){0,2}?(?:rate|ratio)|(?:\w+\s+)?(?:output|volume))\b|"
    # a sum asked by its name ('what one-off reward…', 'what subsidy per square metre')
    r"\bwhat\s+(?:[\w-]+\s+){0,2}?(?:reward|subsidy|allowance|bonus|fine|fee|price|payment|compensation)s?"
    r"(?=\s+(?:is|are|was|were|per|paid|given|granted|can|will|do|does|for|of|to)\b|\s*[?,.]|$)|"
    r"\bwhat\b[^?]{0,80}?\b(?:reward|subsidy|allowance|bonus|fine|fee|price|payment|compensation|coverage|amount|"
    r"sum|cost)s?\b[^?]{0,40}?\bper\s+(?:person|capita|head|household|family|day|month|year|mu|square\s+met(?:re|er))\b",
    re.IGNORECASE)
# A gap between Chinese characters is a line break the scrape flattened ('…返还政策 原标题： …'):
# a headline, a subtitle or a list line ends there.
_SENTENCE_END = re.compile(r"[。；;！？!?\n]+|(?<=[\u4e00-\u9fff）)》”])[ \u3000\t]+(?=[\u4e00-\u9fff（(《“])")
_COMMA = re.compile(r"[，,]")
# And one that only says of whom ('确有紧急事项需要到窗口现场办理的纳税人、缴费人', '…自助办税服务终端
#无法办理的'): the condition a measure is for, stated by the piece after it ('可通过电话进行提前预约').
_WHO_IF = re.compile(r"的(?:(?:纳税人|缴费人|企业|单位|人员|个人|患者|群众|旅客|学生|职工|商户|市民|居民|家庭|车辆)[、和及]?)*\s*$")
# but not a purpose or a judgement ('为达到这一目的', '形势是可控的')
_NOT_WHOM = re.compile(r"目的$|是[^，,。；;]{0,12}的$")
# A comma-piece that only says when ('从2020年1月28日（正月初四）10时起', '截至2月12日', '即日起'): it
# belongs with the piece after it.
_WHEN_ONLY = re.compile(r"(?:从|自|截至|截止|于|在|到)?(?:\s*(?:(?:19|20)\d{2}\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]"
                        r"|\d{1,2}\s*[时点](?:\d{1,2}分)?|[（(][^，,（()）]{1,8}[）)]|即日|当日|今日|目前|近日|当前|今年|去年"
                        r"|上午|下午|凌晨|晚上))+\s*(?:起|开始|以来|以前|之前|之后|期间|为止|止)?")
_WHEN_LONGEST = 40  # characters: a longer piece says more than when
LONG_SENTENCE = 80
VALUE_DEPTH = 3  # relevant clauses searched for a value
# What a number loses for each rank its clause stands below the first relevant one: a lower
# clause's number needs clearly better words to beat the top clause's (0.05 before session 7;
# 0.1 to 0.25 measured alike on the NCP factual development sets, docs/BENCHMARKS.md).
VALUE_RANK_PENALTY = 0.1
SENTENCE_WEIGHT = 0.1  # the number's whole sentence, beside its own segment
# What a question's word its answer's document title has weighs when a sentence is chosen (0.3
# chosen on the NCP factual sets ncp…ncp4, checked on ncp5–ncp11: docs/BENCHMARKS.md, session 12).
TITLE_WORDS = 0.3
_FULL_STOPS = "。；;！？!?\n"
_EVERY_YEAR = re.compile(r"每年|年均|逐年")
# The kind of number a question asks for and the units that answer it: first the measure word
# it asks with ('多少家', '几个月', '多少钱'), else the words of its subject (比例, 资金, 期限); a
# question of none of them takes any unit.
_DURATION_UNITS = frozenset({"个月", "个工作日", "个自然日", "天", "日", "周", "年", "小时", "分钟"})
_TEMPERATURE_UNITS = frozenset({"℃", "摄氏度"})
_PERCENT_UNITS = frozenset({"%", "个百分点", "个基点", "成"})
_MONEY_UNITS = frozenset({"元"})
_COUNT_UNITS = frozenset({"家", "个", "户", "人", "人次", "项", "名", "所", "件", "次", "台", "台次", "套", "座",
                          "辆", "只", "批次", "款", "间", "张", "床", "条", "站", "例", "类", "节", "场",
                          "份", "箱", "盒", "瓶", "根", "方面", "架次", "艘", "幢", "栋", "趟", "枚", "单位", "人份",
                          "车次", "班次", *AMBIGUOUS_MEASURES})
_WEIGHT_UNITS = frozenset({"千克", "公斤", "克", "毫克", "吨"})
_LENGTH_UNITS = frozenset({"米", "千米", "公里", "厘米", "毫米"})
_TAXES = "(?:税款|税额|减免税|减税|退税)"  # an amount of tax, asked beside 多少: '享受多少减免税'
_ASKED_UNITS = (
    (re.compile(r"(?:多少|" + _HOW_MANY + r")个?(?:月|天|年|周|(?<![月每]几)日(?!期)|工作日|小时|分钟)"
                r"|\bhow many (?:(?:working|business|calendar|natural)\s+)?(?:months|days|years|weeks|hours|minutes)\b",
                re.IGNORECASE), _DURATION_UNITS),
    (re.compile(r"百分之几|多少个?百分点|几成|多少成"), _PERCENT_UNITS),
    # a weight, a length, seconds ('每人每天多少克', '保持多少米距离', '几秒')
    (re.compile(r"(?:多少|几)(?:千克|公斤|毫克|克|吨)|多重|\bhow\s+heavy\b"
                r"|\bhow many (?:grams|kilograms|kilos|milligrams|tonnes|tons|metric tons)\b",
                re.IGNORECASE), _WEIGHT_UNITS),
    # a rate's height is a percentage ('覆盖率有多高'), before a length's
    (re.compile(r"(?:(?<![效汇频速积功])率(?![先领])|比例|比重|占比)[^，,。；;？?]{0,4}多[高大]"), _PERCENT_UNITS),
    (re.compile(r"(?:多少|几)(?:千米|公里|厘米|毫米|米)|多远|(?<!率)(?<!率有)多高|多宽|多深"
                r"|\bhow\s+(?:far|high|tall|wide|deep)\b|\bhow many (?:metres|meters|kilometres|kilometers|centimetres|centimeters)\b",
                re.IGNORECASE), _LENGTH_UNITS),
    (re.compile(r"(?:多少|几)秒|\bhow many seconds\b", re.IGNORECASE), frozenset({"秒"})),
    # a multiple ('认购倍数达到多少倍', 'what multiple'), a score ('多少分才算优秀', not 多少分钟)
    (re.compile(r"(?:多少|几)倍|倍数[^，,。；;？?]{0,4}(?:多少|几)|\bwhat\s+(?:[\w()-]+\s+){0,3}?multiple\b(?=\s+(?:is|was|were|did|does|do|of|for|has|had|achieved|reached|recorded)\b|\s*[?,.]|\s*$)"
                r"|\bhow many times (?:higher|more|larger|greater|bigger|over)\b", re.IGNORECASE), frozenset({"倍"})),
    (re.compile(r"(?:多少|几)分(?![钟之支行会店厂部公院局区所队中组站别类批期析配担解散布享流成子开离钱秒])|\bhow many points\b", re.IGNORECASE), frozenset({"分"})),
    (re.compile(r"(?:多少|几)(?:块)?钱|多少[万亿]?元"), _MONEY_UNITS),
    (re.compile(r"(?:多少|几)大?" + _MEASURE), _COUNT_UNITS),
    # a temperature: '超过多少度', '体温…多少' (not '多少个体温检测点', a count asked above)
    (re.compile(r"(?:多少|几)(?:摄氏)?度|(?:体温|温度)[^，,。；;]{0,8}(?:多少|几)|\bwhat temperature\b|\bhow many degrees\b",
                re.IGNORECASE), _TEMPERATURE_UNITS),
    (re.compile(r"多久|多长时间|多长|期限|\bhow (?:long|often|quickly|soon)\b", re.IGNORECASE), _DURATION_UNITS),
    (re.compile(r"比例|比重|占比|(?<![效汇频速])率(?![先领])|增幅|增速|增长|\bpercent|\brate\b|\bproportion\b|\bshare\b|\bratio\b",
                re.IGNORECASE), _PERCENT_UNITS),
    (re.compile(r"金额|资金|补贴|补助|奖励|贷|(?<!免)费|租金|(?:多少|几)[^，,。；;？?]{0,3}" + _TAXES
                + r"|" + _TAXES + r"[^，,。；;？?]{0,4}(?:多少|几)|\bhow much\b|\byuan\b|\bmoney\b|\bfunding\b"
                r"|\b(?:reward|subsid[yi]|allowance|bonus|fine|fee|payment|compensation|coverage)", re.IGNORECASE),
     _MONEY_UNITS),
    (re.compile(r"\bhow many\b", re.IGNORECASE), _COUNT_UNITS),  # 'how many yuan' asks money, above
)
# The year a measure's sentence names, in a date or a fiscal year too ('自2020年2月1日起至6月30日止',
# '2020年度发生的亏损'); not one of several, and not a start the number counts from ('自2019年5月推出以来').
_STATED_YEAR = re.compile(r"(?<![\d较比与从同])((?:19|20)\d{2})\s*年")  # not a base year: 比2019年同期
_SINCE = re.compile(r"以来")


@dataclass(frozen=True)
class ValueAnswer:
    """A number the best clauses state: value (万/亿 multiplied out), unit, target year, the
    sentence stating it (`text`; the clause's own words), the metric and comparator as the
    target reads them, and the clause it was read from, with the sentence's offsets in it."""

    value: float
    unit: str
    year: int | None
    text: str
    metric: str
    comparator: str
    clause: str
    span: tuple[int, int]
    kind: str = "value"
    date: str | None = None  # a day or month asked: as much of it as written, 'YYYY-MM-DD', 'MM-DD', 'YYYY-MM', 'MM'

    def to_dict(self) -> dict:
        value = int(self.value) if float(self.value).is_integer() else self.value
        out = {"kind": self.kind, "value": value, "unit": self.unit, "year": self.year,
               "text": self.text, "metric": self.metric, "comparator": self.comparator,
               "clause": self.clause, "span": list(self.span)}
        if self.date is not None:
            out["date"] = self.date
        return out


def subject_coverage(table: ClauseTable, terms: QueryTerms, places: Sequence[str], hits: Sequence) -> list[float]:
    """Each hit's IDF-weighted coverage of the question's subject words (subject_terms)."""
    tokens, idf = subject_terms(terms, places)
    return [idf_coverage(fold("".join(table.texts.take(list(h.members)))), tokens, idf) for h in hits]


def answer_card(table: ClauseTable, question: str, who: bool, terms: QueryTerms, hits: list,
                as_of: str | None = None,
                places: Sequence[str] = (), elsewhere: Sequence[bool] = ()) -> tuple[list, Answer | ValueAnswer | None]:
    """The answer card of a search, and the answering sentence marked in its clause.

    A who-question gets who is responsible, per document, from the hits that are relevant and
    on its subject (answers.on_topic), and the sentence that makes a unit responsible marked
    when the prose does ("办公室设在…"). Any other question gets its answering sentence marked
    in the best relevant hit, and a question asking for a number the value that hit (or the
    next relevant ones) states.

    Args: the clause table, the question as searched, whether it is a who-question, its terms,
    the judged hits best first, the day validity is
    judged on (answers.build_answer orders expired documents last), the places and organs
    the question names (their words do not make a clause on topic: subject_terms), and for each
    hit whether its document is of another province than every place named (such a clause
    answers no question of fact: '郑州…多少家发热门诊' is not answered by 武汉's notice). Returns:
    (the hits, one of them with `answer_span` set, the answer or None).
    """
    if not hits:
        return hits, None
    if who:
        tokens, idf = subject_terms(terms, places)
        texts = ["".join(table.texts.take(list(h.members))) for h in hits]
        coverage = [topic_coverage(table.document_of(h.row).title or "", t, tokens, idf) for h, t in zip(hits, texts)]
        topical = on_topic(hits, coverage, [heading_coverage(t, tokens, idf) for t in texts])
        answer = build_answer(hits, table.document_of, topical, as_of)
        if answer is not None:
            return _mark_who(table, hits, topical, answer)
        # no unit answers it ('留观区应设在哪里' asks for a place, not an office): its sentence is marked
    away = {h.clause_id for h, other in zip(hits, elsewhere) if other}
    relevant = [h for h in hits if h.relevant and h.clause_id not in away]
    if not relevant:
        return hits, None
    texts = {h.clause_id: "".join(table.texts.take(list(h.members))) for h in relevant[:VALUE_DEPTH]}
    tokens, idf = terms.findable()
    value = None
    if is_value_question(question):
        first = [(h, table.document_of(h.row)) for h in relevant[:VALUE_DEPTH]]
        value = value_answer(terms.text, tokens, idf, [(h.clause_id, texts[h.clause_id], doc.title) for h, doc in first],
                             question, [doc.doc_number or "" for _, doc in first], [doc.date or "" for _, doc in first])
    target = next(h for h in relevant if h.clause_id == value.clause) if value else relevant[0]
    text = texts[target.clause_id]
    if value:
        lines = sentences(text)
        read = next(((s, e) for s, e in lines if s <= value.span[0] < e), value.span)
        if value.date is not None:
            # the sentence that answers a date asked, where it writes the same date ('…截止日期早于3月31日的…，
            # 统一延长至3月31日': the second, which the ask's form marks)
            title = fold(table.document_of(target.row).title or "")
            answering = answer_span(text, terms.text, tokens, _named_by_title(tokens, idf, title))
            if answering and any(_same_date(m, value) for m in _DATE.finditer(text, *answering)):
                read = answering
        span = _body_statement(text, lines, value, read)
        # Quoted whole: the target's own phrase can mislead ("甲和乙分别达到2万家" without "和6万家").
        # A headline's value cited from the body takes the year the body's sentence names
        # ('…70亿元财政资金帮扶' -> '…大约70亿元，将在2020年预算中予以保障').
        year = value.year if value.year is not None or span == read else _stated_year(text[span[0]:span[1]])
        value = replace(value, text=text[span[0]:span[1]], span=span, year=year)
    else:
        # a who-question no unit answers ('留观区应设在哪里' asks a place) is searched by its topic,
        # without the words that ask: its sentence is chosen by the question as asked
        title = fold(table.document_of(target.row).title or "")
        span = answer_span(text, question if who else terms.text, tokens, _named_by_title(tokens, idf, title))
    return [replace(h, answer_span=span) if h is target else h for h in hits], value


def _named_by_title(tokens: Sequence[str], idf: np.ndarray, title: str) -> np.ndarray:
    """The tokens' weights for choosing a sentence of a document titled `title` (lower-cased):
    a word of its title weighs TITLE_WORDS times less. Such words name the notice ('武汉防控指挥部
    第11号通告说…'); the lines that repeat the title have them all, and the sentence that answers
    is told from its neighbours by the question's other words ('…可以跨区就诊吗')."""
    if not title:
        return idf
    return np.asarray([w * (TITLE_WORDS if presence(t, title) > 0 else 1.0) for t, w in zip(tokens, idf)], dtype=float)


def topic_coverage(title: str, text: str, tokens: Sequence[str], idf: np.ndarray) -> float:
    """A clause's IDF-weighted coverage of a who-question's subject words, its document's title
    included: the title states what every clause is about ('中山延期开学期间在线学习方案' over
    '全市在线学习工作由市教育和体育局负责指导')."""
    return idf_coverage(fold(title + " " + text), tokens, idf)


def _mark_who(table: ClauseTable, hits: list, topical: list[bool], answer: Answer) -> tuple[list, Answer]:
    """The hits with the sentence marked that makes the answer's first unit responsible in
    prose (none for a note), and the answer."""
    target = next(h for h, ok in zip(hits, topical) if ok and h.clause_id in answer.clauses)
    text = "".join(table.texts.take(list(target.members)))
    named = [n for n in target.responsibility.from_text if n in text]
    span = next(((s, e) for s, e in sentences(text) if named and named[0] in text[s:e]), None)
    return [replace(h, answer_span=span) if h is target else h for h in hits], answer


# A telephone number or an address an English question names: the nouns, not the verbs ('must
# phone in a report within how many minutes', 'measures to address the shortage'); a plural is
# counted ('how many hotlines were opened'), not called.
_ENGLISH_PHONE = (r"\b(?:tele)?phone\b(?!\s+(?:in|to|the|them|him|her|us|ahead|back)\b)|\bhotline\b"
                  r"|\bcontact\s+(?:numbers?|details|information)\b")
_ENGLISH_ADDRESS = (r"\b(?:the|an|its|their|his|her|our|your|mailing|postal|office|registered|e-?mail|contact|what|which)"
                    r"\s+address(?:es)?\b")
# A question for a telephone number or an address ('热线电话是多少') asks no value.
_CONTACT_ASK = re.compile(r"(?:电话|号码|热线|联系方式|地址)[^，,。？?]{0,3}(?:是|为)?(?:多少|什么|哪)"
                          r"|" + _ENGLISH_PHONE + "|" + _ENGLISH_ADDRESS, re.IGNORECASE)


def is_value_question(query: str) -> bool:
    """True when the question asks for a number (多少, 几家, 比重, how many …, the number of a 文号:
    _NUMBER_ASKED), not a telephone number or an address ('热线电话是多少': the sentence stating one is
    marked instead). An English question that counts something else names its hotline only to
    say whose count it asks ('In how many foreign languages does Beijing's 12345 hotline offer
    service')."""
    if _NUMBER_ASKED.search(query) or _DAY_ASKED.search(query) or _MONTH_ASKED.search(query):
        return True
    if not VALUE_QUESTION.search(query):
        return False
    if not _CONTACT_ASK.search(query):
        return True
    counted = _english_focus(query)
    return bool(counted) and not re.search(_ENGLISH_PHONE + "|" + _ENGLISH_ADDRESS, counted, re.IGNORECASE)


def _english_focus(question: str, per: bool = False) -> str:
    """What an English question counts: the words after its ask up to the verb that follows
    ('How many rooms in total can …' -> ' rooms in total '), or with `per` and no ask, after
    its 'per' ('what subsidy per square metre is paid'); "" without either."""
    english = _ENGLISH_ASK.search(question) or (_ENGLISH_PER.search(question) if per else None)
    if english is None:
        return ""
    verb = _ENGLISH_VERB.search(question, english.end())
    return question[english.end():verb.start() if verb else len(question)]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a text, long sentences cut at their commas; the ends
    exclude the closing punctuation and surrounding spaces."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        if end - start > LONG_SENTENCE:
            piece_start = start
            for c in [*_COMMA.finditer(text, start, end), None]:
                piece_end = c.start() if c else end
                if c is not None and _only_when_or_whom(text[piece_start:piece_end].strip()):
                    continue  # '从1月28日10时起，' says when the next piece's act starts: one piece
                out.append((piece_start, piece_end))
                piece_start = c.end() if c else end
        else:
            out.append((start, end))
        start = m.end() if m else len(text)
    return [_trim(text, s, e) for s, e in out if text[s:e].strip()]


def _only_when_or_whom(piece: str) -> bool:
    """Whether a comma-piece (stripped) only says of whom (_WHO_IF) or when (_WHEN_ONLY) the next
    piece's act is: one piece with it."""
    if not piece:
        return False
    if _WHO_IF.search(piece) and not _NOT_WHOM.search(piece):
        return True
    return len(piece) <= _WHEN_LONGEST and _WHEN_ONLY.fullmatch(piece) is not None


def answer_span(text: str, question: str, tokens: Sequence[str], idf: np.ndarray) -> tuple[int, int] | None:
    """The sentence of `text` that best answers the question.

    Args: the clause text, the question as searched, its distinct tokens and their IDF.
    Returns: (start, end) offsets into text, or None when no sentence scores above 0 (shares no
    token with it, or only a headline line does, weakly).
    """
    best, best_score = None, 0.0
    idf = focus_weights(question, tokens, idf)
    total = _total(tokens, idf)
    plain_q = plain_text(question)
    forms = [form for asked, form in _SPAN_ASKS if asked.search(question)]
    changed = bool(_CHANGE_ASKED.search(question)) and bool(_SPAN_ASKS[0][0].search(question))
    asks_issued = bool(_ISSUED_ASK.search(question))  # a signature's date answers 'when was it issued'
    lead = _first_stop(text)
    pieces = sentences(text)
    for start, end in pieces:
        score = _sentence_score(text[start:end], plain_q, tokens, idf, total)
        if forms and score > 0:
            # a time asked is answered by a sentence stating one, a place by one that sets it;
            # the question's own words are no such form ('隔离区域设立在什么位置' — '全面设立隔离区')
            if any(m.group(0) not in question for form in forms for m in form.finditer(text, start, end)):
                score += _FORM_BONUS
                if changed and _CHANGED_UNTIL.search(text, start, end):
                    score += _FORM_BONUS  # '延长到了哪一天': '统一延长至2020年3月31日', not '早于3月31日的'
            else:
                score *= _FORMLESS
        if _headline(text, end, lead):
            score -= _HEADLINE_PENALTY  # a headline or heading restates; the body states
        if not asks_issued and _SIGNATURE.match(text[start:end]):
            score *= _SIGNED  # '铜川市交通运输局 2020年2月10日 [网络编辑：…]' signs; it says nothing
        if score > best_score:
            best, best_score = (start, end), score
    return _with_what_follows(text, pieces, best, plain_q)


_RESTATED = 0.75  # share of a comma-piece's Chinese characters the question's bigrams cover


def _with_what_follows(text: str, pieces: list[tuple[int, int]], span: tuple[int, int] | None,
                       plain_q: str) -> tuple[int, int] | None:
    """`span`, with the next comma-piece of its sentence when the span only restates the question
    ('…对已经接洽或在谈的外资合作项目，要求通过什么方式保持沟通' marks '对已经接洽、在谈的合作项目', whose
    answer is the piece after it: '通过邮件、视频和电话等方式…'): at least _RESTATED of its Chinese
    characters are in a two-character word of the question."""
    if span is None or text[span[1]:span[1] + 1] not in ("，", ","):
        return span
    later = next(((s, e) for s, e in pieces if s > span[1]), None)
    if later is None or _SENTENCE_END.search(text, span[1], later[0]):
        return span
    piece = fold(text[span[0]:span[1]])
    chars = [i for i, ch in enumerate(piece) if "\u4e00" <= ch <= "\u9fff"]
    if len(chars) < 4:
        return span
    pairs = {plain_q[i:i + 2] for i in range(len(plain_q) - 1)}
    covered = {j for i in range(len(piece) - 1) if piece[i:i + 2] in pairs for j in (i, i + 1)}
    if sum(i in covered for i in chars) < _RESTATED * len(chars):
        return span
    return span[0], later[1]


# What a question of fact asks for, and the form of a sentence that answers it: a time
# ('最晚可以拖到什么时候' — '可延长到12月31日前申请', '延长至疫情解除后两个月内'), a place ('留观区应设在哪里' —
# '後两排设置“留观区”').
_SPAN_ASKS = (
    (re.compile(r"什么时候|何时|哪天|哪一天|" + DAY_ASKED + r"|截止|最晚|最迟|\bwhen\b|\bdeadline\b"
                r"|\b(?:what|which)\s+(?:date|day)\b(?!-)", re.IGNORECASE),
     # a day of the month, or of every month ('于每月10日报送')
     re.compile(r"(?:\d{1,2}|每)\s*月\s*\d{1,2}\s*[日号]|\d{4}\s*年\s*\d{1,2}\s*月|月底|年底|之日|(?:结束|解除|终止)之?后")),
    (re.compile(r"哪里|在哪|何处|什么地方|什么位置|哪个位置|\bwhere\b", re.IGNORECASE),
     re.compile(r"设在|设置|设立|位于|地点|地址|放在|安排在")),
    # a telephone number ('石家庄市未成年人保护中心0311-966008'), an address ('运河东大街57号院5号楼318室')
    (re.compile(r"电话|热线|号码|联系方式|" + _ENGLISH_PHONE, re.IGNORECASE),
     re.compile(r"(?:(?<!\d)0\d{2,3}\s*[-－—]\s*\d{5,8}|(?<![\d.])\d{7,8}|(?<!\d)1[3-9]\d{9}"
                r"|(?<![\d.])(?:1\d{4}|9\d{4,5}))(?![\d.])(?!\s*(?:[万亿千元%人家个户名例条件次台辆吨]|多|余))")),
    (re.compile(r"地址|" + _ENGLISH_ADDRESS, re.IGNORECASE),
     re.compile(r"[路街道巷]\s*\d+\s*号|\d+\s*号[院楼]|\d+\s*室|地址[:：]")),
    # a yes or no ('可以跨区就诊吗', '是否需要每期重复申请'): a sentence that allows, requires or forbids
    # ('只申请一次'; not the measure word of '100万只')
    (re.compile(r"吗\s*[？?]?\s*$|是否|能否|可否|可不可以|能不能|需不需要|要不要|用不用"),
     re.compile(r"不得|不能|不可|可以|允许|禁止|不予|无需|不需要?|不必|必须|只(?:需|能|限|可|要|申请)|仅|不再|一律|免于")),
    # a change ('申报缴税周期做了什么调整'): what it is changed to ('将全部个体“双定户”调整为按季申报缴纳')
    # (not a reason: '为什么调整限行政策'; nor a way: '如何调整工作时间')
    (re.compile(r"(?<!为)(?:什么|哪些|怎样的?)(?:样的)?(?:调整|改变|变更)|(?:调整|改变|变更)(?:成|为)?了(?:什么|哪些)"
                r"|改(?:成|为)了?什么"),
     re.compile(r"(?:调整|改|变更|改变)(?:为|成|至|到)")),
)
_FORM_BONUS = 0.15
# A time asked of a change ('截止日期延长到了哪一天') is the change's end: the date after 延长至/推迟到, or
# the end of the epidemic ('延长至宣布疫情解除后两个月内').
_CHANGE_ASKED = re.compile(r"延长|推迟|延期|顺延|延后|放宽|\bextended\b|\bpostponed\b|\bdelayed\b", re.IGNORECASE)
_CHANGED_UNTIL = re.compile(r"(?:延长|推迟|延期|顺延|延后|放宽)\s*(?:至|到)\s*(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月"
                            r"|[^，,。；;]{0,12}?(?:结束|解除|终止)之?后)")
_FORMLESS = 0.5  # what a sentence without the form asked keeps of its score
# The lines before a clause's first full stop that a gap ends are its headline, subtitle, byline
# or heading ('重庆出台援企稳岗返还政策 原标题：… 预计返还资金十六亿元 …'): what they say, the
# body says in a sentence, and that sentence is marked when it answers as well.
_HEADLINE_PENALTY = 0.1
# A signature: organs and the date, and perhaps the site's editor notes after it.
_SIGNATURE = re.compile(r"^[^，,；;：:]{2,60}?(?:局|委|厅|部|办|办公室|政府|会|院|中心|公司|组|处|署|所|站)"
                        r"[\s\u3000]*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s\u3000]*(?:[\[【（(][^\]】）)]*[\]】）)][\s\u3000]*)*$")
_SIGNED = 0.1
_ISSUED_ASK = re.compile(r"(?:什么时候|何时|哪天|哪一天|什么日期)[^，,。？?]{0,6}(?:发布|印发|出台|下发|签发|公布|发出)"
                         r"|(?:发布|印发|出台|下发|签发|公布|成文)[^，,。？?]{0,4}(?:时间|日期)"
                         r"|落款(?:日期|时间)|\b(?:when|what\s+date|which\s+day)\b[^?]{0,60}\b(?:issued|published|released|signed)\b",
                         re.IGNORECASE)
_FULL_STOP = re.compile(r"[。！？!?]")


def _body_statement(text: str, lines: list[tuple[int, int]], value: ValueAnswer,
                    span: tuple[int, int]) -> tuple[int, int]:
    """The sentence of the body that states a value a headline line states ('…预计返还资金十六亿元 …
    预计返还资金16亿元，稳定就业岗位70多万个。'): that sentence, else `span`. Args: the clause
    text, its sentences, the value and the sentence it was read from."""
    lead = _first_stop(text)
    if not _headline(text, span[1], lead):
        return span
    for q in quantities(text):
        if q.unit != value.unit or abs(q.value - value.value) >= 1e-9:
            continue
        stated = next(((s, e) for s, e in lines if s <= q.start < e), span)
        if not _headline(text, stated[1], lead):
            return stated
    return span


def _headline(text: str, end: int, lead: int) -> bool:
    """Whether the line ending at `end` is a headline's: a gap ends it before the first full stop."""
    return end < lead and text[end:end + 1] in (" ", "\u3000", "\t")


def _first_stop(text: str) -> int:
    """The offset of a text's first full stop (its length when it has none)."""
    m = _FULL_STOP.search(text)
    return m.start() if m else len(text)

# The words a question asks with stand in the clause of its question word: in '天津市商务局和中国银行
# 天津市分行的专属金融服务，对小微企业新贷款利率作了什么承诺' the subject is named first and the ask
# ('贷款利率', '承诺') last. Those words weigh double when the answering sentence is chosen.
_QUESTION_WORD = re.compile(r"什么|多少|哪|如何|怎么|怎样|是否|能否|可否|几|多久|多长|何时|吗")
_FOCUS = 2.0


# An English question names what it counts right after asking: 'How many rooms in total can …
# provide' counts rooms, 'what share of their … deposit can …' a share of the deposit. Those
# words, up to the verb that follows them, weigh double.
_ENGLISH_ASK = re.compile(r"\bhow\s+(?:many|much)\b|\b(?:below|above|exceeding)\s+what\b|\bwhat\s+(?:percentage|share|proportion|number|amount|"
                          r"(?:interest\s+)?rate|ratio|(?:\w+\s+)?(?:output|volume))\b(?:\s+of\b)?"
                          # a rate named by what it is of: 'what connection rate did …' counts 'connection rate'
                          r"|\bwhat(?=\s+(?:[\w-]+\s+){1,2}?(?:rate|ratio)\b)", re.IGNORECASE)
# Without such an ask, what a sum is reckoned by: 'what subsidy per square metre is paid' (its 'subsidy'
# already written 补贴 by the glossary); not 'as per the notice'.
_ENGLISH_PER = re.compile(r"(?<!\bas )\bper\b", re.IGNORECASE)
_ENGLISH_VERB = re.compile(r"\b(?:is|are|was|were|do|does|did|can|could|will|would|has|have|had|should|must|may|might)\b"
                           r"|[,;?.]", re.IGNORECASE)


def focus_weights(question: str, tokens: Sequence[str], idf: np.ndarray) -> np.ndarray:
    """The tokens' IDF with those of the question word's own comma-clause weighted _FOCUS times
    (for an English question, the words it counts: _ENGLISH_ASK). Args: the question, its tokens
    and their IDF. Returns: the weights (unchanged for a question without a question word, or
    whose only clause holds it)."""
    m = _QUESTION_WORD.search(question)
    if m is None:
        focus = fold(_english_focus(question, per=True))
        if not focus.strip():
            return idf
        words = set(re.findall(r"[a-z0-9]+|[^\sa-z0-9]+", focus))
        return np.asarray([w * (_FOCUS if (t in words if t.isascii() else t in focus) else 1.0)
                           for t, w in zip(tokens, idf)], dtype=float)
    start = max(question.rfind(c, 0, m.start()) for c in "，,；;：:") + 1
    end = min((i for i in (question.find(c, m.end()) for c in "，,；;？?。") if i >= 0), default=len(question))
    if start == 0 and end == len(question):
        return idf
    focus = fold(question[start:end])
    return np.asarray([w * (_FOCUS if t in focus else 1.0) for t, w in zip(tokens, idf)], dtype=float)


def value_answer(question: str, tokens: Sequence[str], idf: np.ndarray,
                 clauses: Sequence[tuple[str, str, str]], asked: str | None = None,
                 own_numbers: Sequence[str] = (), own_dates: Sequence[str] = ()) -> ValueAnswer | None:
    """The target that answers a value question, from the best relevant clauses.

    Args: the question as searched, its tokens and their IDF, (clause id, clause text,
    document title) of the relevant hits best first, and the question as asked (the unit asked
    is read from it: the glossary's terms written into an English question name things, they do
    not ask — 'how much cash reward … for cutting lending rates' asks money, though its searched
    text, '…how much cash 奖励 … for cutting 贷款利率', has the 率 of a percentage). Returns: a
    ValueAnswer, or None when none of the first VALUE_DEPTH clauses states a target about the
    question's words. `own_numbers`: each clause's document's own 文号, for the number of a 文号
    asked without its prefix ('the serial number of the notice'); `own_dates`: each clause's
    document's date (ISO, '' when unknown), for the day a notice was issued.
    """
    as_asked = question if asked is None else asked
    numbered = _NUMBER_ASKED.search(as_asked)
    if numbered:
        return _document_number(numbered, clauses, own_numbers)
    month = _MONTH_ASKED.search(as_asked)
    # a number asked beside the date is the answer ('从几月份起，最低工资标准调整为多少元': the sum)
    rest = _MONTH_ASKED.sub("", _DAY_ASKED.sub("", as_asked))
    if (_DAY_ASKED.search(as_asked) or month) and not (VALUE_QUESTION.search(rest) and asked_units(rest) is not None):
        return _date_answer(question, tokens, idf, clauses, month=month is not None and not _DAY_ASKED.search(as_asked),
                            issued=_ISSUED_ASK.search(as_asked) is not None, own_dates=own_dates)
    units = asked_units(rest)
    # '降到了多少' asks the level reached, not the change: '降低0.5个百分点，即由10.5%降至10%' answers 10%.
    excluded = _DELTA_UNITS if _ASKS_LEVEL.search(question) else frozenset()
    # The measure word asked is the one answered first: '多少个发热门诊' by '200个', not by '五项措施'.
    classifier = _ASKED_CLASSIFIER.search(question)
    tries = [frozenset({classifier.group(1)})] if classifier and units is not None and classifier.group(1) in units else []
    english = _english_classifiers(as_asked) if units is _COUNT_UNITS else None
    tries += [english & units] if english else []
    # And a number of the thing it counts before one of another: 'how many rooms' by '能提供5754个房间',
    # not by '设置了95个集中隔离医学观察点'.
    counted = _counted(question, tokens)
    for unit_set in (*tries, units):
        for only in ((counted, ()) if counted else ((),)):
            found = _best_value(question, tokens, idf, clauses, unit_set, excluded, only)
            if found is not None:
                return found
    return None


# The number of a 文号 asked ('文号是国办监督函〔2020〕多少号', '国办发明电〔2020〕第几号', '财政部 税务总局公告2020年
# 第几号', 'what is the serial number of the notice …'): the number of the 文号 with that prefix and
# year in the first relevant clauses, unit 号, year the 文号's; asked in English, without a prefix,
# the number of the clause's own document's 文号 (never one its text cites).
_NUMBER_ASKED = re.compile(r"(?:([\u4e00-\u9fff]{1,16})\s*[〔\[［(（【﹝〖]\s*((?:19|20)\d{2})\s*[〕\]］)）】﹞〗]"
                           r"|([\u4e00-\u9fff][\u4e00-\u9fff ]{0,20}?公告)\s*((?:19|20)\d{2})\s*年)\s*第?\s*(?:多少|几)\s*号"
                           r"|\b(?:serial|document|reference|file)\s+number\s+of\s+(?:the|this|that|its)\b"
                           r"(?=.*\b(?:notice|circular|announcement|opinions|measures|decision|document)\b)", re.IGNORECASE)


def _document_number(asked: re.Match, clauses: Sequence[tuple[str, str, str]],
                     own: Sequence[str] = ()) -> ValueAnswer | None:
    """The number of the 文号 asked (_NUMBER_ASKED) that the first clauses write, None if none does.
    Args: the ask, (clause id, text, title) of the relevant hits best first, and each one's
    document's own 文号 (for an ask without a prefix)."""
    prefix = re.sub(r"\s+", "", asked.group(1) or asked.group(3) or "")
    year = int(asked.group(2) or asked.group(4) or 0)
    for i, (clause_id, text, _) in enumerate(clauses[:VALUE_DEPTH]):
        wanted = [(p, y, n) for p, y, n, _ in chinese_numbers(own[i] if i < len(own) else "")] if not prefix else []
        for written, stated, number, start, end in numbers_at(text):
            if prefix and stated == year and same_prefix(prefix, written) \
                    or any(stated == y and number == n and same_prefix(written, p) for p, y, n in wanted):
                return ValueAnswer(float(number), "号", stated, text[start:end], "", "", clause_id, (start, end))
    return None


# A day or a month asked ('是哪一天印发的', '会议是在当月几号召开的', '在几月份全面完成', 'on what date'): the
# date of the sentence that best answers, as a value (the day 日, or the month 月) with its year
# and the whole date in `date`. Not a number of days ('几日内', '提前几天') nor 第几号.
_DAY_ASKED = re.compile(r"哪一?天|哪一日|什么日期|(?:当月|本月|每月|月)几[号日]|" + DAY_ASKED
                        + r"|\b(?:what|which)\s+(?:date|day)\b(?!-|\s+(?:of\s+the\s+week|care)\b)|\bon\s+what\s+day\b", re.IGNORECASE)
_MONTH_ASKED = re.compile(r"(?<![前近这来头去])几月份?(?![几\d])|哪个月|哪一个月|\b(?:what|which)\s+month\b", re.IGNORECASE)
# A date a text writes: '2020年1月28日', '1月28日', '2月份', '3月底前' (a month alone answers a month asked)
_DATE = re.compile(r"(?:((?:19|20)\d{2})\s*年\s*)?(?:(?<![\d.])(1[0-2]|0?[1-9])|每)\s*月(?!龄)(?:\s*(3[01]|[12]\d|0?[1-9])\s*[日号])?")
_DATE_WORDS = 0.5  # the date's own comma-piece (and half of it the next), beside its whole sentence
_OWN_DATE = 10.0  # above any sentence's score
_END_ASKED = re.compile(r"截止|截至|最晚|最迟|延长|推迟|延期|顺延|延至|到哪|至哪|之前|以前|\b(?:deadline|until|by\s+(?:what|which))\b",
                        re.IGNORECASE)
_START_ASKED = re.compile(r"开始|起|\b(?:start|begin|from\s+(?:what|which))", re.IGNORECASE)
_ENDS_AT = re.compile(r"(?:至|到|截止|截至)\s*$")  # right before the date
_ENDS_BY = re.compile(r"\s*(?:前|之前|以前|止|为止|截止)")
_STARTS_ON = re.compile(r"\s*(?:起|开始|以来)")
_EVERY_YEAR_AT = re.compile(r"每年")


def _date_answer(question: str, tokens: Sequence[str], idf: np.ndarray, clauses: Sequence[tuple[str, str, str]],
                 month: bool, issued: bool, own_dates: Sequence[str] = ()) -> ValueAnswer | None:
    """The date that answers a day (or, with `month`, a month) asked: of the dates the first
    relevant clauses write (a day needs its month and day), the one whose sentence and nearby
    words best match the question, a lower clause's by VALUE_RANK_PENALTY less. Asked when a
    notice was issued, its document's own date wins where the clause writes it (the signature).
    Returns: a ValueAnswer (value the day or month, unit 日 or 月, `date`), or None."""
    weights = focus_weights(question, tokens, idf)
    total = _total(tokens, weights)
    plain_q = plain_text(question)
    ends, starts = _END_ASKED.search(question) is not None, _START_ASKED.search(question) is not None
    best: tuple[float, ValueAnswer] | None = None
    for rank, (clause_id, text, _) in enumerate(clauses[:VALUE_DEPTH]):
        own = own_dates[rank] if rank < len(own_dates) else ""
        lead, lines = _first_stop(text), sentences(text)
        for m in _DATE.finditer(text.translate(_ASCII_DIGITS)):  # one to one: offsets hold
            if m.group(3) is None and not month or m.group(2) is None and month or not _on_calendar(m):
                continue  # a day asked needs the day; a month asked, the month (not 每月); no 2月30日
            if issued and own and not (m.group(2) and m.group(3) and own.endswith(_month_day(m))
                                       and (m.group(1) is None or own.startswith(m.group(1)))):
                continue  # a notice's date is its own: where a clause writes it, else none
            sentence_start = _segment_start(text, m.start(), _FULL_STOPS)
            sentence_end = _segment_end(text, m.end(), _FULL_STOPS)
            piece_end = _segment_end(text, m.end(), "，,。；;\n")
            near_end = min(_segment_end(text, piece_end + 1, "，,。；;\n"), sentence_end)
            piece = text[_segment_start(text, m.start(), "，,。；;\n"):piece_end]
            score = _sentence_score(text[sentence_start:sentence_end], plain_q, tokens, weights, total) \
                + _DATE_WORDS * _sentence_score(piece, plain_q, tokens, weights, total) \
                + _DATE_WORDS / 2 * _sentence_score(text[piece_end:near_end], plain_q, tokens, weights, total) \
                - VALUE_RANK_PENALTY * rank
            # an end asked ('截止日期是哪一天', '延长到哪一天') is a date a range or a deadline ends on
            # ('…至3月31日', '3月31日前'); a start asked, one something starts on ('2月10日起')
            if ends and (_ENDS_AT.search(text[max(0, m.start() - 4):m.start()]) or _ENDS_BY.match(text, m.end())):
                score += _FORM_BONUS
            if starts and _STARTS_ON.match(text, m.end()):
                score += _FORM_BONUS
            if _headline(text, next((e for b, e in lines if b <= m.start() < e), sentence_end), lead):
                score -= _HEADLINE_PENALTY  # a headline's or a dateline's date; the body states
            yearly = _EVERY_YEAR_AT.search(text, max(0, m.start() - 3), m.start() + (m.end(1) - m.start() if m.group(1) else 0))
            year = int(m.group(1)) if m.group(1) else _stated_year(text[sentence_start:sentence_end])
            iso = _month_day(m)
            if issued and m.group(2) and m.group(3) and rank < len(own_dates) and own_dates[rank].endswith(iso) \
                    and (year is None or own_dates[rank].startswith(str(year))):
                score += _OWN_DATE  # the notice's own date, where its signature writes it, wins
                year = int(own_dates[rank][:4])
            if score <= 0.1 or (best and score <= best[0]):
                continue
            value = float(m.group(2)) if month else float(m.group(3))
            every = m.group(2) is None or yearly is not None  # '每月10日', '每年3月31日前': no one date
            best = (score, ValueAnswer(value, "月" if month else "日", None if every else year, text[m.start():m.end()],
                                       "", "", clause_id, (m.start(), m.end()),
                                       date=None if m.group(2) is None else iso if every else (f"{year}-" if year else "") + iso))
    return best[1] if best else None


_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _on_calendar(m: re.Match) -> bool:
    """Whether a date written (_DATE) is one of the calendar (its year's, else a leap year's)."""
    if m.group(2) is None or m.group(3) is None:
        return True
    try:
        datetime.date(int(m.group(1) or 2020), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def _month_day(m: re.Match) -> str:
    """A date written (_DATE) as 'MM-DD', 'MM' (a month) or '-DD' (a day of every month)."""
    month, day = m.group(2), m.group(3)
    return (f"{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")


def _same_date(m: re.Match, value: ValueAnswer) -> bool:
    """Whether a date written (_DATE) is the date answered: its day (or month) and, where the
    answer has one, its whole date."""
    number = m.group(3) if value.unit == "日" else m.group(2)
    return number is not None and float(number) == value.value and (value.date is None or value.date.endswith(_month_day(m)))


def asked_units(question: str) -> frozenset[str] | None:
    """The units that answer a value question (_ASKED_UNITS; None for any), a word of a condition
    it states not counting: '增长两成以上的企业补贴多少' asks money (补贴), not a percentage (增长)."""
    zones = [(max(0, q.start - _CONDITION_REACH), q.end + 3) for q in quantities(question) if _bound(question, q)]
    for asked, units in _ASKED_UNITS:
        if any(not any(lo <= m.start() < hi for lo, hi in zones) for m in asked.finditer(question)):
            return units
    return None


_CONDITION_REACH = 4  # the verb before a stated condition's number: '增长两成以上'


def _counted(question: str, tokens: Sequence[str]) -> tuple[str, ...]:
    """The question's tokens that name what it counts: the words right after 多少/几 and a measure
    word ('多少个新冠肺炎救治专家团队' -> 救治, 专家团队…), or an English question's after 'how many'
    up to its verb ('How many rooms in total can…' -> rooms, total). Empty when it names none."""
    chinese = _COUNTED.search(question)
    if chinese:
        words = fold(chinese.group(1))
        return tuple(t for t in tokens if not t.isascii() and t in words)
    act = _COUNTED_BEFORE.search(question)
    if act:  # the word that ends right before the ask
        return tuple(t for t in tokens if not t.isascii() and len(t) > 1 and fold(act.group(1)).endswith(t))
    english = _ENGLISH_ASK.search(question)
    if english is None:
        return ()
    verb = _ENGLISH_VERB.search(question, english.end())
    # the glossary's terms are written into it ('How many 发热门诊 across 郑州 are…')
    counted = fold(question[english.end():verb.start() if verb else len(question)])
    words = set(re.findall(r"[a-z0-9]+", counted))
    return tuple(t for t in tokens if t in words or not t.isascii() and t in counted)


def _counts(text: str, number: Target, counted: Sequence[str], numbers: Sequence[Target] = ()) -> bool:
    """Whether a number counts one of the `counted` words: one stands right after it ('5754个房间',
    up to the next of the text's `numbers`: not '10家' of '10家定点医院和65家发热门诊'), or in its
    segment just before it ('惠及一般工商业电力客户152.53万户'), unless another number stands
    between them ('65家发热门诊和10家': those words are 65家's; a date, a year or 'N95' is no such
    number)."""
    end = min((n.start for n in numbers if n.start >= number.end), default=len(text))
    end = min(end, number.end + _COUNT_WINDOW)
    after = re.split(r"[，,。；;\n]", text[number.end:end], maxsplit=1)[0]
    own = _segment_start(text, number.start, "，,。；;\n", restates=False)
    # a part of a whole counts what the whole does ('补助资金80亿元，其中对湖北省预拨35亿元')
    before = "" if any(own <= n.start and n.end <= number.start for n in numbers) else \
        text[max(_segment_start(text, number.start, "，,。；;\n"), number.start - _COUNT_WINDOW):number.start]
    window = fold(before + after)
    return any(presence(t, window) > 0 for t in counted)


_COUNTED = re.compile(r"(?:多少|几)(?:" + _MEASURES + r")?([^，,。；;？?！!]{2,12})")
# A number of times asked at the end of its clause counts the act right before it: '每天要对入住人员
# 访查几次' counts visits (访查), not '2次体温测量'.
_COUNTED_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4})(?:多少|几)次(?=\s*(?:[？?。！!，,；;]|$))")
_COUNT_WINDOW = 12


_GIVEN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])\s*(万亿|亿|万|千)?")  # '197款', '80亿元'
_ASKED_CLASSIFIER = re.compile(r"(?:多少|几)大?(人次|人份|台次|架次|车次|班次|单位|" + _ONLY + "|个(?![月工自小])|[" + _MEASURE_CHARS.replace("个", "").replace("次", "")
                               + "]|" + _AMBIGUOUS + ")")
# The measure words an English question's counted noun takes in Chinese ('how many customers': 户,
# 家, 人 or 个), the first noun of this table within seven words of 'how many' (_english_classifiers):
# '…how many general industrial and commercial electricity customers benefit…' is answered by
# '惠及一般工商业电力客户152.53万户', not by '出台八项举措'.
_PERSONS = frozenset({"人", "名", "人次", "位"})
_ENGLISH_CLASSIFIERS = (
    (("people", "persons", "residents", "citizens", "workers", "employees", "staff", "personnel", "volunteers",
      "doctors", "nurses", "members", "officials", "officers", "students", "pupils", "teachers", "passengers",
      "travellers", "travelers", "visitors", "tourists", "migrants", "individuals", "participants", "experts",
      "cadres", "police", "inspectors", "returnees", "villagers", "applicants", "recipients", "children",
      "graduates", "farmers", "journalists", "professionals", "specialists", "medics", "couriers", "drivers"),
     _PERSONS),
    (("patients", "cases", "infections", "deaths"), frozenset({"例", "人", "名"})),
    (("companies", "enterprises", "firms", "businesses", "hospitals", "institutions", "banks", "shops", "stores",
      "pharmacies", "hotels", "restaurants", "supermarkets", "factories", "clinics", "agencies", "organisations",
      "organizations", "schools", "universities", "kindergartens", "markets", "manufacturers", "suppliers", "units"),
     frozenset({"家", "个", "所"})),
    (("households", "families", "customers", "users", "accounts", "taxpayers", "clients", "subscribers"),
     frozenset({"户", "家", "人", "个"})),
    (("measures", "policies", "items", "tasks", "services", "matters", "projects", "steps", "rules", "provisions",
      "initiatives"), frozenset({"项", "条", "个", "件", "款"})),
    (("times",), frozenset({"次"})),
    (("vehicles", "buses", "cars", "trucks", "taxis"), frozenset({"辆"})),
    (("beds",), frozenset({"张", "床"})),
    (("rooms",), frozenset({"间", "个"})),
    (("teams", "groups"), frozenset({"支", "个"})),
    (("buildings",), frozenset({"栋", "幢", "座"})),
    (("flights",), frozenset({"架次"})),
    (("rounds",), frozenset({"轮"})),
)
_ENGLISH_MEASURES = {noun: units for nouns, units in _ENGLISH_CLASSIFIERS for noun in nouns}
_ENGLISH_COUNTED = re.compile(r"\bhow\s+many\s+((?:[\w'’-]+\s+){0,6}[\w'’-]+)", re.IGNORECASE)


def _english_classifiers(question: str) -> frozenset[str] | None:
    """The measure words of what an English question counts (_ENGLISH_CLASSIFIERS), None for
    others: the first noun of the table within a few words of 'how many', one a possessive
    stands before ('how many hospitals' staff': staff, not hospitals; 'how many people's
    movements': people, movements being no noun of the table)."""
    m = _ENGLISH_COUNTED.search(question)
    if m is None:
        return None
    known = [(word, possessive) for word, possessive in map(_possessive, m.group(1).split()) if word in _ENGLISH_MEASURES]
    chosen = next((word for word, possessive in known if not possessive), known[0][0] if known else None)
    return _ENGLISH_MEASURES.get(chosen) if chosen else None


def _possessive(word: str) -> tuple[str, bool]:
    """An English word lower-cased without its possessive ending, and whether it had one."""
    lowered = word.casefold()
    for ending in ("'s", "’s", "'", "’"):
        if lowered.endswith(ending):
            return lowered[:-len(ending)], True
    return lowered, False


_ASKS_LEVEL = re.compile(r"(?:降|升|提高|提升|增加|下调|上调|调整|减少|降低)(?:到|至|为)了?(?:多少|几|什么水平)")
_DELTA_UNITS = frozenset({"个百分点", "个基点"})


@functools.lru_cache(maxsize=16)
def _numbers(text: str) -> tuple[tuple[Target, ...], tuple[Target, ...]]:
    """A clause's targets and every number it states, read once (value_answer tries up to four
    unit sets over the same clauses)."""
    return tuple(extract_targets(text)), tuple(quantities(text))


def _best_value(question: str, tokens: Sequence[str], idf: np.ndarray,
                clauses: Sequence[tuple[str, str, str]], units: frozenset[str] | None,
                excluded: frozenset[str] = frozenset(), counted: Sequence[str] = ()) -> ValueAnswer | None:
    """The best-scoring number of one of `units` (any unit when None), none of `excluded`, and
    when `counted` is given one counting one of those words (_counts), in the first clauses."""
    idf = focus_weights(question, tokens, idf)
    total = _total(tokens, idf)
    plain_q = plain_text(question)
    # a number the question states is what it knows, not what it asks ('197款…, how many of them…')
    given = {float(n) * MULTIPLIERS.get(mult, 1) for n, mult in _GIVEN.findall(question)}
    conditions = _conditions(question)
    increment = bool(_INCREMENT_ASK.search(question))
    totalled = bool(_TOTAL_ASKED.search(question)) and not increment
    best: tuple[float, ValueAnswer] | None = None
    for rank, (clause_id, text, title) in enumerate(clauses[:VALUE_DEPTH]):
        targets, numbers = _numbers(text)
        taken = [(t.start, t.end) for t in targets]
        # Beside the targets, the numbers of measures ('补助9万元', '免收2个月房租'), a little behind
        # a target on equal words: a plan's goal answers before a figure in passing.
        others = [q for q in numbers if not any(s < q.end and q.start < e for s, e in taken)
                  and not _superseded(text, q) and not _quoted(text, q.start)]
        for target, measure in [*((t, False) for t in targets), *((q, True) for q in others)]:
            if units is not None and target.unit not in units or target.unit in excluded \
                    or target.value in given or _normal(target.value, target.unit) in {c[:2] for c in conditions} \
                    or counted and not _counts(text, target, counted, numbers) or _rounded(text, target, numbers) \
                    or increment and _base(text, target):
                continue  # '免几个月房租' is not answered by '9万元', '增长两成及以上的' by its 20%
            # a target's metric may stand before its number; a measure's words stand on both
            # sides of it ('博士研究生给予每人一次性30000元人才补贴')
            # (in an enumeration, its own item with what the items share: _segment)
            enumerated = "" if measure else _enumerated(text, target, numbers)
            context = _segment(text, target, numbers) if measure else \
                enumerated + target.metric if enumerated else _target_context(text, target)
            own_start = _segment_start(text, target.start, "，,。；;\n", restates=False)
            if measure and text.startswith(_PART_OF, own_start):
                # a part of the whole the sentence states ('…补助资金80亿元，支持各地…，其中对湖北省预拨35亿元')
                # is read with that sentence when the question names the part ('给湖北预拨了多少'): a
                # word of the question its segment has and the sentence before it has not
                whole = fold(text[_segment_start(text, target.start, _FULL_STOPS):own_start])
                part = fold(text[own_start:_segment_end(text, target.end, "，,。；;\n")])
                if any(presence(t, part) > 0 and not presence(t, whole) for t in tokens):
                    context = whole + part
            elif totalled and _SUMMED.match(text, own_start):
                # a sum of what the sentence named before ('…已下拨30万元…，从委管党费中配套71万元，合计101万元'),
                # a measure's or a target's, has the words of that sentence, for a question asking a
                # total (not what was added to a base)
                context = text[_segment_start(text, target.start, _FULL_STOPS):_segment_end(text, target.end, "，,。；;\n")]
            # the sentence up to the number tells apart numbers of like segments ('…1月23日乘坐26路…
            # 上车至下车共19站' beside '…1月22日乘坐38路…共9站')
            sentence = text[_segment_start(text, target.start, _FULL_STOPS):target.end]
            own = _sentence_score(context, plain_q, tokens, idf, total)
            start = _segment_start(text, target.start, "，,。；;\n")
            if own <= 0.0 and start > 0 and text[start - 1] in "，," and _PARAMETER.match(text, start):
                # a segment sharing nothing with the question that states a parameter ('…暂退部分旅游
                # 服务质量保证金，标准为现有交纳数额的80%') is of the measure the segment before it names
                own = _sentence_score(text[_segment_start(text, start - 1, "，,。；;\n"):target.end],
                                      plain_q, tokens, idf, total)
            score = own - VALUE_RANK_PENALTY * rank - 0.02 * measure \
                + SENTENCE_WEIGHT * _sentence_score(sentence, plain_q, tokens, idf, total) \
                + _agreement(question, text[start:target.end],
                             re.split(r"[，,。；;\n]", text[target.end:target.end + 4], maxsplit=1)[0]) \
                + _respective(question, text, target, numbers) + _condition_agreement(conditions, text, target, numbers)
            if score <= 0.1 or (best and score <= best[0]):
                continue
            # The year of a yearly amount is none; a target's, its own or its single-year plan's
            # (the title's); a measure's number, the year its sentence names.
            yearly = _EVERY_YEAR.search(context)
            year = target.year
            if year is None and not yearly:
                if measure:
                    year = _stated_year(_full_sentence(text, target.start))
                else:
                    year = title_year(title)
            best = (score, ValueAnswer(target.value, target.unit, year, target.text, target.metric,
                                       target.comparator, clause_id, (target.start, target.end)))
    return best[1] if best else None


# A segment stating a parameter of the measure named before it: '标准为…', '保险额度为每人…', '按…'.
_PARAMETER = re.compile(r"(?:其|该|此)?[^，,。；;]{0,6}?(?:标准|额度|金额|比例|期限|上限|下限|最高|最多|不超过|按|为)")
_CHANGED_TO = re.compile(r"[^，,。；;]{0,8}?(?:(?:提高|提升|增加|扩大|降低|下调|上调|调整|延长|缩短|减少|放宽)(?:到|至|为)"
                         r"|[降升增减]至|[降升]为)")


# A question asking what was added ('…基础上，又从委管党费中拿出多少钱', '再给予多少') is not answered by
# the base a sentence builds on ('在省委已下拨30万元中管党费…的基础上，从委管党费中配套71万元').
_INCREMENT_ASK = re.compile(r"基础上|(?:又|再)(?:从|拿出|给予|增加|安排|下拨|追加|新增|投入|补助|奖励|发放|提供|配套|筹集)"
                            r"|另外|额外|追加")
_BASE = re.compile(r"在[^，,。；;]{0,40}?基础上")


def _base(text: str, number: Target) -> bool:
    """Whether a number stands in a '在…基础上' phrase: the base of what the sentence adds."""
    start = _segment_start(text, number.start, "，,。；;\n")
    return any(m.start() <= number.start < m.end() for m in _BASE.finditer(text, start, _segment_end(text, number.end, "，,。；;\n")))


_ROUGHLY_BEFORE = ("约", "近")
_NOT_ROUGHLY = "签预节制合最附临邻靠就将接"  # 签约, 预约, 最近, 附近 are words (将近, 接近: _ROUGHLY_WORDS)
_ROUGHLY_WORDS = ("大约", "将近", "接近")
_BIGRAM = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


def _rounded(text: str, number: Target, numbers: Sequence[Target]) -> bool:
    """Whether a number is a headline's round figure ('上海：一百余项防控规范…', '近1000家') of one the
    body states exactly ('…先后形成了136项疫情防控行业规范'): of the same unit, within what the
    round figure covers (100余 or 100多: 100 up to 200, at the last digit written: 12000余 up to
    13000, 1.5万余 up to 1.6万; 近, 约, 左右: within a fifth of it), and sharing a word with it.
    Only a clause with a body (a full stop after its headline lines) has one."""
    value = number.value
    if number.comparator in ("余", "多") and value > 0:
        step = _written_step(number)

        def within(x: float) -> bool:
            return value <= x < value + step
    elif _roughly(text, number):
        def within(x: float) -> bool:
            return abs(x - value) <= 0.2 * value
    else:
        return False
    headlines = _headline_lines(text)
    line = next(((s, e) for s, e in headlines if s <= number.start < e), None)
    if line is None:
        return False
    words = set(_BIGRAM.findall(text, *line))
    for other in numbers:
        if other.unit != number.unit or other.start <= number.end or other.comparator or not within(other.value) \
                or any(s <= other.start < e for s, e in headlines):
            continue
        start = max(_segment_start(text, other.start, _FULL_STOPS), headlines[-1][1])  # the body's words
        if words & set(_BIGRAM.findall(text, start, _segment_end(text, other.end, _FULL_STOPS))):
            return True
    return False


def _written_step(number: Target) -> float:
    """The place of the last digit a number is written to, in the 万 or 亿 it is written in:
    '12000余' 1000, '1.5万余' 1000, '一百余' 100, '70多万' 10万."""
    scale = 100_000_000 if "亿" in number.text else 10_000 if "万" in number.text else 1
    written = round(number.value / scale, 6)
    if written != int(written):
        decimals = len(repr(written).split(".")[1])
        return 10 ** -decimals * scale
    n, zeros = int(written), 0
    while n and n % 10 == 0:
        n, zeros = n // 10, zeros + 1
    return 10 ** zeros * scale


def _roughly(text: str, number: Target) -> bool:
    """Whether a number is said to be about so much: 近, 约, 大约, 将近, 接近 before it (not the 约 of
    签约 or the 近 of 最近), 左右 after it."""
    before = text[max(0, number.start - 3):number.start].rstrip()
    if before.endswith(_ROUGHLY_WORDS) or text.startswith("左右", number.end):
        return True
    return before.endswith(_ROUGHLY_BEFORE) and not before[:-1].endswith(tuple(_NOT_ROUGHLY))


@functools.lru_cache(maxsize=16)
def _headline_lines(text: str) -> tuple[tuple[int, int], ...]:
    """The headline lines (_headline) of a text that has a body: none when no full stop follows."""
    lead = _first_stop(text)
    if lead >= len(text):
        return ()
    return tuple((s, e) for s, e in sentences(text[:lead + 1]) if _headline(text, e, lead))


def _superseded(text: str, number: Target) -> bool:
    """Whether a number is the old value of a change: '比例由…50%提高到100%' states 100%."""
    before = text[max(0, number.start - 16):number.start]
    return "由" in re.split(r"[，,。；;]", before)[-1] and bool(_CHANGED_TO.match(text, number.end))


def _segment(text: str, target: Target, numbers: Sequence[Target] = ()) -> str:
    """The comma-segment of `text` a number stands in, on both sides of it. In an enumeration of
    numbers of one unit ('对养殖蛋鸡5000只、肉鸡10000只以上的规模禽场', '对获评国家级、省级的分别给予
    30万元、20万元奖励'), its own item with what the items share: the words before the first
    number and after the last one. In an aside of clauses of its own ('（…，…）'), the aside, commas
    and all. `numbers`: the text's quantities (read if not given)."""
    aside = _aside(text, target.start)
    if aside is not None and _CLAUSE_OF_ITS_OWN.search(text, aside[0] + 1, aside[1]):
        # a number in an aside of clauses of its own is read with the aside alone: '…发生人员发热
        # （两次体温检测中间间隔5分钟，体温均超过37.3℃的）…项目负责人要在15分钟内…报告' — 5 minutes is no
        # time to report in; a short one belongs to the words before it ('给予一次性吸纳就业补贴（每人1000元）')
        return text[aside[0] + 1:aside[1]]
    stops = "，,。；;\n"
    start, end = _segment_start(text, target.start, stops), _segment_end(text, target.end, stops)
    return _enumerated(text, target, numbers) or text[start:end]


_CLAUSE_OF_ITS_OWN = re.compile(r"[，,；;]")


def _aside(text: str, at: int) -> tuple[int, int] | None:
    """The bracket pair (its offsets) that offset `at` stands inside within its sentence; the
    end of the sentence when the bracket is not closed there. None outside any."""
    sentence = max(text.rfind(c, 0, at) for c in _FULL_STOPS) + 1
    opened = max(text.rfind("（", sentence, at), text.rfind("(", sentence, at))
    if opened < 0 or max(text.rfind("）", opened, at), text.rfind(")", opened, at)) >= 0:
        return None
    end = _segment_end(text, at, _FULL_STOPS)
    closed = [i for i in (text.find("）", at, end), text.find(")", at, end)) if i >= 0]
    return opened, min(closed) if closed else end


def _enumerated(text: str, target: Target, numbers: Sequence[Target] = ()) -> str:
    """A number's item in an enumeration of numbers of one unit in its comma-segment, with what
    the items share (_segment); '' when it stands in none."""
    stops = "，,。；;\n"
    start = _segment_start(text, target.start, stops)
    end = _segment_end(text, target.end, stops)
    listed = sorted([q for q in (numbers or quantities(text)) if start <= q.start and q.end <= end
                     and q.unit == target.unit], key=lambda q: q.start)
    # a 、 between the number and another of the list: the widest span on each side holds any
    before = [q for q in listed if q.start < target.start]
    after = [q for q in listed if q.start > target.start]
    if not ((before and "、" in text[min(q.end for q in before):target.start])
            or (after and "、" in text[target.end:max(q.start for q in after)])):
        return ""
    items = stops + "、"
    own = text[_segment_start(text, target.start, items):_segment_end(text, target.end, items)]
    return text[start:listed[0].start] + own + text[listed[-1].end:end]


def _segment_end(text: str, at: int, stops: str) -> int:
    """Where the segment holding offset `at` ends (at the first of `stops` from `at`)."""
    found = [i for i in (text.find(c, at) for c in stops) if i >= 0]
    return min(found) if found else len(text)


_RESTATES = ("即", "也就是", "亦即", "其中")  # '…补助资金80亿元，其中对湖北省预拨35亿元'
_PART_OF = ("其中",)

# A question asking for a bound ('最多能贷多少', 'at most') is answered by a number stated as that
# bound ('单户最高可贷500万元'), and one asking for a rise not by a fall ('贷款至少增长多少' is not
# answered by '融资成本至少降低0.5个百分点').
# Each bound: what asks for it, what states it before the number, and the word that states it
# right after the number ('500万元以内', '20%以上'; not '…。以上政策').
_BOUNDS = (
    (re.compile(r"最多|最高|上限|不超过|至多|封顶|\bmaximum\b|\bat most\b|\bup to\b|\bcap\b|\bhow high\b", re.IGNORECASE),
     re.compile(r"最高|最多|不超过|不高于|上限|以内|封顶|至多"), "以内"),
    (re.compile(r"最少|至少|最低|下限|不低于|底线|门槛|\bminimum\b|\bat least\b|\bhow low\b", re.IGNORECASE),
     re.compile(r"至少|不低于|不少于|最低|下限"), "以上"),
)
_UP = re.compile(r"增长|提高|增加|上升|提升|上调|扩大|\bincrease|\brise\b|\bgrow", re.IGNORECASE)
_DOWN = re.compile(r"降低|下降|减少|下调|压降|缩减|降至|\breduc|\bcut\b|\blower", re.IGNORECASE)
_BOUND_BONUS, _DIRECTION_PENALTY = 0.15, 0.15
_TOTALLED = re.compile(r"累计|累积|合计|共计|总计")
# A question asking for a total ('总共有多少万元', 'in total') is answered by a number stated as one
# ('合计101万元', '共有12家'; 共 only before 有, 计 or a number: not 中共, 共同), not by a part
# ('从委管党费中配套71万元').
_TOTAL_ASKED = re.compile(r"总共|一共|合计|共计|总计|累计|总数|总额|总量|\bin total\b|\baltogether\b|\btotal\b"
                          r"|\bcombined\b|\bcumulative", re.IGNORECASE)
_TOTAL_STATED = re.compile(r"累计|累积|合计|共计|总计|总共|一共|总额|总数|总量|共(?=[有计\d一二两三四五六七八九十])")
_TOTAL_BONUS = 0.15
_SUMMED = re.compile(r"\s*(?:合计|共计|总计)")


def _agreement(question: str, around: str, after: str = "") -> float:
    """A bonus when a number is stated as the bound the question asks for, a penalty when it
    moves the other way than the question asks. Args: the question; the number's segment up to
    its end; the characters right after it, up to the segment's end. Returns: a score adjustment."""
    score = 0.0
    for asked, stated, word in _BOUNDS:
        if asked.search(question) and (stated.search(around) or around.endswith(word) or after.startswith(word)):
            score += _BOUND_BONUS
    if _BOUNDS[0][0].search(question) and _TOTALLED.search(around):
        score -= _BOUND_BONUS  # a running total is no bound ('最多能贷多少': not '累计投放贷款16.2亿元')
    if _TOTAL_ASKED.search(question) and _TOTAL_STATED.search(around):
        score += _TOTAL_BONUS
    up, down = bool(_UP.search(question)), bool(_DOWN.search(question))
    if up != down and (_DOWN if up else _UP).search(around) and not (_UP if up else _DOWN).search(around):
        score -= _DIRECTION_PENALTY
    return score


# 'A、B和C分别…X、Y、Z': the items named before 分别, one per number after it, in order.
_RESPECTIVELY = "分别"
_ITEM_SPLIT = re.compile(r"[、和及与]")
_RESPECTIVE_BONUS = 0.15
_LIST_LEAD = re.compile(r"^(?:其中|对于|对|给予|按照|按|为)")


def _respective(question: str, text: str, number: Target, numbers: Sequence[Target] = ()) -> float:
    """A bonus for the number of a respective list ('其中小学、初中、高中分别不超过2小时、4小时、5小时')
    whose item the question names ('初中生…最多多少'), a penalty for the other numbers of that list.
    Nothing when the sentence has no such list, the items and numbers do not pair one to one, or
    the question names no single item. The items are those of the segment of 分别 (not the
    segment before it), the numbers those after 分别 up to that segment's end. Args: the
    question, the clause text, the number, and the text's quantities (read if not given)."""
    stops = "，,。；;：:\n"
    at = text.rfind(_RESPECTIVELY, 0, number.start)
    end = _segment_end(text, at, stops) if at >= 0 else 0
    if at < 0 or end < number.start:
        return 0.0
    head_start = _segment_start(text, at, stops, restates=False)  # 其中 starts the list
    items = [i.strip() for i in _ITEM_SPLIT.split(text[head_start:at]) if i.strip()]
    listed = sorted([q for q in (numbers or quantities(text)) if at <= q.start and q.end <= end
                     and q.unit == number.unit], key=lambda q: q.start)
    if len(items) < 2 or len(listed) != len(items):
        return 0.0
    # the items as the list names them ('其中小学' is 小学), looked for in the sentence that asks
    # ('…中小学…有什么时长要求？初中生…最多多少' names 初中), else the whole question
    items = [_LIST_LEAD.sub("", i) for i in items]
    asking = next((p for p in reversed(re.split(r"[？?。！!]", question)) if _QUESTION_WORD.search(p)), question)
    named = [k for k, item in enumerate(items) if item and item in asking] \
        or [k for k, item in enumerate(items) if item and item in question]
    position = next((k for k, q in enumerate(listed) if q.start <= number.start < q.end), None)
    if len(named) != 1 or position is None:
        return 0.0
    return _RESPECTIVE_BONUS if named[0] == position else -_RESPECTIVE_BONUS


_SHORT_QUOTE = 8  # “三个一批”, “一人一策”: a name; a longer quotation cites words ('“暂停用电不得小于15天”')


def _quoted(text: str, at: int) -> bool:
    """Whether offset `at` is inside a title (《…》) or a short quoted name ('“三个一批”工作') of
    its sentence: a name, not a measure."""
    head = text[_segment_start(text, at, _FULL_STOPS):at]
    if head.rfind("《") > head.rfind("》"):
        return True
    opened = head.rfind("“")
    if opened <= head.rfind("”"):
        return False
    closed = text.find("”", at)
    return closed >= 0 and closed - (at - len(head) + opened) - 1 <= _SHORT_QUOTE


# A number stated with a bound: '500万元以上', '增长两成及以上', '20%以下', '500万元及以下', '3天以内'.
_ABOVE = re.compile(r"[及或]?以上")
_BELOW = re.compile(r"[及或]?以下|以内")
_CONDITION_BONUS = 0.15


def _normal(value: float, unit: str) -> tuple[float, str]:
    """A value comparable across notations: tenths as a percentage (两成 is 20%)."""
    return (round(value * 10, 6), "%") if unit == "成" else (round(value, 6), unit)


def _bound(text: str, number: Target) -> str | None:
    """'以上' or '以下' when the number is stated as a bound ('500万元以上', '20%及以下'), else None."""
    after = text[number.end:number.end + 3]
    if number.text.endswith("以上") or _ABOVE.match(after):
        return "以上"
    return "以下" if _BELOW.match(after) else None


def _conditions(question: str) -> list[tuple[float, str, str]]:
    """The numbers a question states as bounds, normalised, with their bound: '单户担保金额500万元以上的…'
    -> (5000000.0, '元', '以上')."""
    return [(*_normal(q.value, q.unit), bound) for q in quantities(question) if (bound := _bound(question, q))]


def _condition_agreement(conditions: Sequence[tuple[float, str, str]], text: str, number: Target,
                         numbers: Sequence[Target] = ()) -> float:
    """For each condition the question states, the last statement of its number before this
    number in the sentence: a bonus when it is stated with the bound the question states
    ('…500万元以上的小微企业…降至1.5%以内' for '500万元以上的…费率上限'), a penalty when with the
    opposite one ('500万元及以下的…1%以内'; '增长20%以下的…30%' for '增长两成及以上').
    `numbers`: the text's quantities (read if not given)."""
    if not conditions:
        return 0.0
    start = _segment_start(text, number.start, "。；;\n！？!?", restates=False)
    stated = sorted([q for q in (numbers or quantities(text)) if start <= q.start and q.end <= number.start],
                    key=lambda q: q.start)
    score = 0.0
    for value, unit, bound in conditions:
        same = [q for q in stated if _normal(q.value, q.unit) == (value, unit)]
        if same:
            found = _bound(text, same[-1])
            score += _CONDITION_BONUS if found == bound else -_CONDITION_BONUS if found else 0.0
    return score


def _segment_start(text: str, at: int, stops: str, restates: bool = True) -> int:
    """Where the segment holding offset `at` starts (after one of `stops`), taking in the segment
    before it when it restates that one ('单位缴费比例降低0.5个百分点，即由10.5%降至10%'; not with
    `restates` False)."""
    start = max(text.rfind(c, 0, at) for c in stops) + 1
    if restates and start > 0 and text[start - 1] in "，," and text.startswith(_RESTATES, start):
        start = max(text.rfind(c, 0, start - 1) for c in stops) + 1
    return start


def _stated_year(sentence: str) -> int | None:
    """The one year a sentence names (none for several, or for a sentence counting since then)."""
    years = set(_STATED_YEAR.findall(sentence))
    return int(years.pop()) if len(years) == 1 and not _SINCE.search(sentence) else None


def _full_sentence(text: str, at: int) -> str:
    """The sentence of `text` that holds offset `at`, ended as `sentences` ends them (a full stop,
    a line break, a headline's or byline's gap) but not cut at its commas as a long one is for
    marking ('文件发布之日至2020年6月30日，…允许企业在12%以内…')."""
    start, end = 0, len(text)
    for m in _SENTENCE_END.finditer(text):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            end = m.start()
            break
    return text[start:end]


def _target_context(text: str, target: Target) -> str:
    """The words a target stands among: from the start of its comma-segment to its end (the
    metric may be named before the number, '技术市场交易额达150亿元')."""
    return text[_segment_start(text, target.start, "，,。；;、\n"):target.end] + target.metric


def _total(tokens: Sequence[str], idf: np.ndarray) -> float:
    """What a sentence's coverage is a share of: the weights of the question's own words. A
    gloss (a guess at an English word's Chinese) adds to the sentence that holds one and takes
    nothing from the others: a long English question's many glossed words would otherwise sink
    every number below the bar a Chinese question's clear."""
    own = float(sum(w for t, w in zip(tokens, idf) if not isinstance(t, Gloss)))
    return own or float(np.sum(idf)) or 1.0


def _sentence_score(sentence: str, plain_q: str, tokens: Sequence[str], idf: np.ndarray, total: float) -> float:
    lowered = fold(sentence)
    present = np.fromiter((presence(t, lowered) for t in tokens), dtype=float, count=len(tokens))
    coverage = float(np.dot(idf, present)) / total if len(tokens) else 0.0
    phrase = longest_common_substring(plain_q, plain_text(lowered)) / len(plain_q) if plain_q else 0.0
    return coverage + 0.5 * phrase


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \u3000\t\r\n":
        start += 1
    while end > start and text[end - 1] in " \u3000\t\r\n":
        end -= 1
    return start, end
