"""Whether a hit answers the question: a calibrated relevance in [0, 1] for each hit.

The fused score (fusion.py) is min-max normalised per query, so the first hit of any query,
even gibberish, scores 1.00: it ranks, it does not judge. Relevance judges each hit on
evidence that keeps its meaning across queries, and a logistic regression fitted on labelled
searches (bench/fit_relevance.py; coefficients in calibration.json) turns that evidence into
an estimated probability that the clause answers the question. `relevant` is relevance at or
above the threshold chosen there. The engine puts the relevant hits among the first ten first,
by relevance (relevance_order); the others keep fusion's order.

The evidence (FEATURES), per hit:
- cosine: the embedding cosine of question and clause (the best piece of a passage);
- cosine_gap: that cosine minus the mean cosine of the dense candidates, the query's
  background (any question is ~0.8 from every clause under e5);
- cosine_lead: that cosine minus the best candidate's;
- bm25_share: the BM25 score over the most the query's tokens could score (their IDF x (k1 + 1)),
  so a clause matching only common words stays low;
- term_coverage: the IDF-weighted share of the query's tokens found in the clause text (a token
  the corpus never uses weighs as the rarest word: gibberish covers nothing; a part of a longer
  question word the corpus knows is not counted again: QueryTerms.heads);
- phrase: the longest common substring of question and clause over the question's length (0
  when the question has no word but function words);
- coverage: the share of query tokens the corpus vocabulary knows (fusion.py's BM25 weight);
- log_rank and gap_next: where the hit stands, and how far the fused score falls to the next;
- ask_met: the hit has the form of answer the question asks for, where it asks for one (ASKS:
  a price or a pay needs an amount of money, a phone question a number, an address question
  an address, opening hours a time, a sum of money asked a sum, an area an area, a year or a
  day a date, the holder of an office a name beside it), read from the question as asked (a
  who-question's `text` is its topic); 1 for the many questions that ask for no such form;
- best_coverage, best_phrase, best_gap, best_ask_met: the query's best term_coverage, phrase,
  cosine_gap and ask_met over its first BEST_DEPTH hits (fitted at k = 10; the same whatever k
  is asked), whether the question has an answer here at all (a linear model cannot otherwise
  say "a good hit, of a question the corpus answers");
- covered_terms (term_coverage x coverage) and phrase_terms (phrase x term_coverage): the
  hit's words matching when the corpus knows the question's words, and a phrase that is more
  than one common word;
- subject_coverage: term_coverage of the question's words outside the places and organs of the
  index it names (subject_terms: '明天郴州会下雨吗' is about rain, not 郴州), and its best over
  the first BEST_DEPTH hits in the answerable part (best_subject_coverage).

A hit of a single year's plan of another year than the one year the question names fails the
answer form too (year_met: '科技厅2016年工作要点' is not answered by the 2015 work points).

Relevance is the product of two logistic regressions: whether the question is answered in this
index at all (the `answerable` part, over QUERY_FEATURES: the evidence of the best hits, the
same for every hit of a query) and whether this hit is the answer (over FEATURES). One linear
model over both cannot say "a weak best hit of a question nothing answers" and "a weak hit of a
question something answers" apart; the product can, and each part stays a plain regression.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.index.tokens import fold

CALIBRATION = Path(__file__).with_name("calibration.json")
FEATURES = ("cosine", "cosine_gap", "cosine_lead", "bm25_share", "term_coverage", "phrase", "coverage",
            "log_rank", "gap_next", "ask_met", "best_coverage", "best_phrase", "best_gap", "best_ask_met",
            "covered_terms", "phrase_terms", "subject_coverage")
QUERY_FEATURES = ("best_gap", "log_best_gap", "best_coverage", "best_phrase", "coverage", "top_cosine",
                  "top_bm25_share", "best_covered_terms", "best_ask_met", "best_subject_coverage")
_HIT_FEATURES = 10
# A sum of money as notices state it: in 元, or in 万/亿 alone ('每年配套安排专项资金200万'), or a
# waiver ('免收', '全额').
# A bare 万/亿 only where nothing follows it: '100万只' is a count, '10万平方米' an area.
_SUM = re.compile(r"\d\s*(?:[万亿千百])?\s*元|\d(?:\.\d+)?\s*[万亿](?=[，,。；;、）)\s]|$)"
                  r"|[零〇一二两三四五六七八九十百千]+[万亿]?元|免费|免收|减免|全额|\d\s*(?:yuan|rmb)\b", re.IGNORECASE)
# '几号' asking a day: before a start, an end or the question's end ('从几号开始', '几号截止', '开学是几号？'),
# not a number's ('第几号令', '几号文件', '几号床', '电话是几号', '文号是几号').
DAY_ASKED = (r"几月几[号日]|(?<![第字])(?<!电话)(?<!电话是)(?<!号码)(?<!号码是)(?<!文号是)(?<!字号是)几号"
             r"(?=\s*(?:开始|起|前|之前|以前|截止|为止|到|至|结束|[？?]|$))")
# What a question asks for, where the answer has a form of its own: a price or a pay (an amount
# of money), a phone number, an address or the way somewhere, opening hours, a sum asked of a
# money word, an area, a year or a day, the holder of an office. A clause that
# names the subject without that form does not answer it ('科技特派员工资多少' against clauses
# on how many commissioners are sent). Each pair: the question's ask, the answer's form.
ASKS = (
    (re.compile(r"(?:多少|几块)钱|价格(?:是|为)?多少|价格\s*[?？]?\s*$|什么价格?|价钱|票价|(?:工资|薪酬|薪资)(?:标准)?(?:是|有|为)?多少"
                r"|how much\b.*\bcost|\bprices? (?:of|for)\b|\bwhat (?:is|are) the prices?\s*[?？]?\s*$"
                r"|\bsalar(?:y|ies)\b|\bwages?\b", re.IGNORECASE),
     _SUM),
    # the number itself is asked for ('咨询电话是多少', '办公地址和电话'), not a hotline's work
    # ('开通热线后，领导小组办公室收到问题线索会怎么处理')
    (re.compile(r"(?:(?<!视)电话(?!会)|联系方式|热线)(?:号码)?(?:是|为)?(?:多少|什么|(?:几号)?\s*[?？]?\s*$)"
                r"|\b(?:tele)?phone number\b|\bhotline number\b|\b(?:phone|hotline)\s*[?？]?\s*$", re.IGNORECASE),
     re.compile(r"(?<!\d)(?:0\d{2,3}[-－—]?)?(?!(?:19|20)\d{2}[01]\d[0-3]\d(?!\d))\d{7,8}(?!\d)"
                r"|(?<!\d)1\d{10}(?!\d)|(?<!\d)12345(?!\d)")),
    (re.compile(r"地址|在哪儿|怎么去|怎么走|如何前往|\baddress\b|how (?:do I|to) get to", re.IGNORECASE),
     re.compile(r"地址|地点|[路街道巷]\d+号|\d+号楼|[楼层室]\d|位于")),
    (re.compile(r"营业时间|开放时间|办公时间|(?<![哪这那])几点|opening hours", re.IGNORECASE),
     re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*[点时]")),
    # an amount of money ('每个月有多少补贴', '总投资多少'): a sum, in 元 or in 万/亿 alone ('专项资金200万')
    # (not a count or a duration of them: '多少企业获得补贴', '补贴能领几个月')
    (re.compile(r"(?:多少|几)(?:[万亿]?元|钱)|(?:补贴|补助|资金|投资|经费|奖励|奖补|费用|金额|租金|额度)(?:标准)?"
                r"(?:是|有|为|共|一共|总共|总额|总计)?(?:多少|几)(?![个家人户项名次天月年周])"
                r"|多少(?:补贴|补助|资金|投资|经费|奖励)"
                r"|how much (?:money|funding|subsid)", re.IGNORECASE),
     _SUM),
    # an area ('占地面积有多大'): square metres, mu, hectares
    (re.compile(r"(?:面积|占地)[^，。？?,]{0,6}(?:多大|多少)|多大的?地"), re.compile(r"\d\s*(?:万|千)?\s*(?:平方米|平方公里|平米|亩|公顷|㎡)")),
    # a year or a day ('哪一年成立', '几月份举办', '从几号开始', 'when'): a date (or a time or a period
    # from now: '9:00-17:00', '即日起', '5个工作日内')
    (re.compile(r"哪一?年|何时|什么时候|哪天|几月份?|" + DAY_ASKED + r"|^\s*when\b|\bwhich year\b|\bwhat year\b",
                re.IGNORECASE),
     re.compile(r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月|年底|年初|上半年|下半年|之日|[一二三四五六七八九十]+月"
                r"|\d{1,2}\s*[:：]\s*\d{2}|即日|工作日|\d+\s*日内|\d+\s*天内")),
    # a person in an office ('科技局局长是谁'): a name beside the office, or a contact
    (re.compile(r"(?:局长|主任|书记|负责人|厅长|县长|市长|院长)是谁|who is the (?:director|head|mayor|chief)", re.IGNORECASE),
     re.compile(r"(?:局长|主任|书记|负责人|联系人|厅长|县长|市长|院长)[：:\s]?[\u4e00-\u9fff]{2,3}(?:[，,、\s（(]|$)|联系人")),
)
# What is left of a hit's relevance when the question asks for a form of answer (ASKS) that the
# hit does not have: '郴州的科技特派员每个月有多少补贴' is not answered by a clause on the
# commissioners that states no sum. Not fitted: the regression weighs ask_met as one feature
# among many and let such hits through (docs/BENCHMARKS.md, session 7).
UNMET_ASK = 0.05
BEST_DEPTH = 10  # the hits the query's best_* features are taken over (bench/fit_relevance.py: k=10)
_NOT_TEXT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Evidence:
    """The candidates of one search, in the order fusion saw them: their rows, raw cosines and
    raw BM25 scores, how many of the candidates came from the dense search (the first ones), and
    the BM25 scores fusion weighs when an English question's words were read through the
    dictionary (engine.lexical_glosses; relevance judges `bm25`, as it was fitted)."""

    rows: np.ndarray
    cosine: np.ndarray
    bm25: np.ndarray
    dense_count: int
    glossed_bm25: np.ndarray | None = None

    @property
    def fusion_bm25(self) -> np.ndarray:
        return self.bm25 if self.glossed_bm25 is None else self.glossed_bm25


class Gloss(str):
    """An English word of a question that its corpus never uses, with the Chinese words the
    dictionary gives for it that the corpus does (query/dictionary.py), each with its share of
    the word's weight: its IDF over the highest of them ('rooms': 房间 1.0, 地方 0.5)."""

    alternatives: tuple[tuple[str, float], ...]

    def __new__(cls, word: str, alternatives) -> Gloss:  # noqa: PYI034 (typing.Self is 3.11+)
        self = super().__new__(cls, word)
        self.alternatives = tuple(alternatives)
        return self

    def found_in(self, text: str) -> float:
        """The share of the word's weight a text (lower-cased) earns: its best word's."""
        return max((share for word, share in self.alternatives if word in text), default=0.0)


def presence(token: str, text: str) -> float:
    """1 when a text (lower-cased) holds the token, a Gloss's share for one of its words, else 0."""
    return token.found_in(text) if isinstance(token, Gloss) else float(token in text)


@dataclass(frozen=True)
class QueryTerms:
    """What of the question a clause may contain: its text as searched (glossary terms written
    in for the words they stand for), its distinct tokens and their IDF, and the most BM25
    could score for it (sum of IDF x (k1 + 1) over its tokens, repeats included)."""

    text: str
    tokens: tuple[str, ...]
    idf: np.ndarray
    bm25_ceiling: float
    coverage: float
    heads: tuple[str, ...] = ()  # the tokens without the parts of a longer one the corpus knows
    head_idf: np.ndarray | None = None
    unknown: frozenset[str] = frozenset()  # the tokens the corpus never uses
    asked: str = ""  # the question as asked (`text` of a who-question is its topic, without '是谁')
    glosses: tuple[Gloss, ...] = ()  # unknown English words the dictionary gives corpus words for
    gloss_idf: np.ndarray | None = None  # their weights

    def words(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The heads and their IDF (the tokens when the heads were not given)."""
        return (self.heads, self.head_idf) if self.head_idf is not None else (self.tokens, self.idf)

    def findable(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The words a sentence is scored by, and their IDF: the heads (a word the corpus knows
        counts once, not again in its parts: '毕业生' is not also 毕业 and 业生), without the
        tokens the corpus never uses (an English question's words left after the glossary,
        'how', 'access', are in no Chinese sentence: they would only shrink every sentence's
        share of the question) — all of them when the corpus knows none and the dictionary
        gives none —, and in their place the glosses of those the dictionary gives words for."""
        tokens, idf = self.words()
        keep = [i for i, t in enumerate(tokens) if t not in self.unknown]
        if not self.glosses and (not keep or len(keep) == len(tokens)):
            return tuple(tokens), idf
        glossed = np.asarray(self.gloss_idf if self.gloss_idf is not None else np.ones(len(self.glosses)), dtype=float)
        return (tuple(tokens[i] for i in keep) + self.glosses,
                np.concatenate([np.asarray(idf, dtype=float)[keep], glossed]))


def features(terms: QueryTerms, evidence: Evidence, hits: Sequence, texts: Sequence[str],
             places: Sequence[str] = (), titles: Sequence[str] = ()) -> np.ndarray:
    """The FEATURES of each hit.

    Args: the query's terms, the candidates' evidence, the hits best first (anything with
    `members` and `score`), each hit's shown text, the places and organs of the index the
    question names (their words are not its subject: subject_terms), and each hit's document
    title (a yearly plan of another year than the one asked does not answer: year_met).
    Returns: an array hits x FEATURES.
    """
    out = np.zeros((len(hits), _HIT_FEATURES), dtype=np.float64)
    if not hits:
        return np.zeros((0, len(FEATURES)))
    at = {int(r): i for i, r in enumerate(evidence.rows)}
    background = evidence.cosine[:evidence.dense_count] if evidence.dense_count else evidence.cosine
    mean_cos, best_cos = float(background.mean()), float(evidence.cosine.max())
    query = plain_text(terms.text)
    question = terms.asked or terms.text
    asks, year = asks_of(question), asked_year(question)
    heads, head_idf = terms.words()
    subject, subject_idf = _without_places(terms.text, heads, head_idf, places)
    subject_covered = np.zeros(len(hits))
    idf_total = float(terms.idf.sum())
    scores = [h.score for h in hits]
    for i, (hit, text) in enumerate(zip(hits, texts)):
        found = [at[r] for r in hit.members if r in at]
        cos = float(evidence.cosine[found].max()) if found else mean_cos
        bm25 = float(evidence.bm25[found].max()) if found else 0.0
        lowered = fold(text)
        subject_covered[i] = idf_coverage(lowered, subject, subject_idf)
        out[i] = (
            cos,
            cos - mean_cos,
            cos - best_cos,
            min(1.0, bm25 / terms.bm25_ceiling) if terms.bm25_ceiling > 0 else 0.0,
            idf_coverage(lowered, heads, head_idf),
            # a question of function words alone ("the", "的") has no phrase to match
            longest_common_substring(query, plain_text(lowered)) / len(query) if query and idf_total > 0 else 0.0,
            terms.coverage,
            np.log(i + 1),
            scores[i] - scores[i + 1] if i + 1 < len(scores) else 0.0,
            ask_met(asks, text) * year_met(year, titles[i] if i < len(titles) else "", text),
        )
    # The query's best over its first BEST_DEPTH hits, as fitted: a hit's relevance does not
    # depend on how many hits were asked for.
    gap, coverage, phrase, met = out[:, 1], out[:, 4], out[:, 5], out[:, 9]
    top = slice(0, BEST_DEPTH)
    best = np.broadcast_to([coverage[top].max(), phrase[top].max(), gap[top].max(), met[top].max()], (len(hits), 4))
    return np.column_stack([out, best, coverage * terms.coverage, phrase * coverage, subject_covered])


def asks_of(question: str) -> tuple[re.Pattern[str], ...]:
    """The answer forms a question asks for (ASKS): none for most questions."""
    return tuple(form for ask, form in ASKS if ask.search(question))


def ask_met(forms: Sequence[re.Pattern[str]], text: str) -> float:
    """1 when the text has every form the question asks for (or it asks for none), else 0."""
    return float(all(form.search(text) for form in forms))


# a year, not a number ('每人补贴2000元', '1998家'): followed by 年, or by no digit, unit or measure word
_ASKED_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*年|(?![\d.])(?!\s*[万亿千百元%个家人项件次名所户台天多余]))")


def asked_year(question: str) -> str | None:
    """The one year a question names ('浙江省科技厅2016年工作要点…' -> '2016'); None for none or
    several."""
    asked = set(_ASKED_YEAR.findall(question))
    return asked.pop() if len(asked) == 1 else None


def year_met(year: str | None, title: str, text: str) -> float:
    """0 when the question names one year (asked_year) and the hit is of a yearly plan of
    another year that does not name it ('浙江省科技厅2016年工作要点有哪些内容' is not answered by
    the 2015 work points), else 1."""
    if year is None:
        return 1.0
    planned = title_year(title)
    return 0.0 if planned is not None and str(planned) != year and year not in text else 1.0


def query_features(x: np.ndarray) -> np.ndarray:
    """The QUERY_FEATURES of one search from its hits' FEATURES, in any order (the rows of
    fusion's first hit and first BEST_DEPTH hits are found by their log_rank): how well the best
    hits match at all. Returns: a vector of len(QUERY_FEATURES) (zeros without hits)."""
    if len(x) == 0:
        return np.zeros(len(QUERY_FEATURES))
    at = {name: i for i, name in enumerate(FEATURES)}
    rank = x[:, at["log_rank"]]
    top = x[int(np.argmin(rank))]
    first = rank < np.log(BEST_DEPTH + 0.5)
    best_gap = float(top[at["best_gap"]])
    return np.array([best_gap, np.log(max(best_gap, 0.0) + 0.005), top[at["best_coverage"]], top[at["best_phrase"]],
                     top[at["coverage"]], top[at["cosine"]], top[at["bm25_share"]],
                     top[at["best_coverage"]] * top[at["coverage"]], top[at["best_ask_met"]],
                     float(x[first, at["subject_coverage"]].max())])


def relevance_order(relevance: Sequence[float], relevant: Sequence[bool],
                    elsewhere: Sequence[bool] | None = None) -> list[int]:
    """The order results are shown in: the relevant hits among the first BEST_DEPTH first,
    highest relevance first (ties keep their rank), those of another province than every place
    the question names (`elsewhere`, places.CONFLICT) after the other relevant ones however
    relevant; then every other hit as ranked. Relevance weighs what fusion does not (the form
    asked for, the whole question's words, a phrase): so ordered, the first positive rises on
    every labelled set, held out (bench/fit_relevance.py; docs/BENCHMARKS.md, session 8). Below
    the threshold relevance is too small to order by (a whole ordering lost an NCP answer from
    the top 5); only the first BEST_DEPTH, so a page of results or a larger k never reorders
    what a smaller k showed. Returns: hit indices, all of them once."""
    head = min(BEST_DEPTH, len(relevance))
    away = elsewhere if elsewhere is not None else [False] * head
    first = sorted((i for i in range(head) if relevant[i]), key=lambda i: (bool(away[i]), -relevance[i]))
    return [*first, *(i for i in range(len(relevance)) if not (i < head and relevant[i]))]


def subject_terms(terms: QueryTerms, places: Sequence[str] = ()) -> tuple[tuple[str, ...], np.ndarray]:
    """The question's tokens and IDF without those of the places and organs it names: '天津市…
    人身意外保险由哪些部门负责' is about 人身意外保险; 天津 chooses whose documents answer
    (answers.prefer_named), and a clause of 天津's on another measure shares it. A token goes
    only when every occurrence of it in the question lies inside a named place or organ
    ('交通运输部交通运输通行证…' keeps 交通运输). All the tokens when every one would go."""
    return _without_places(terms.text, terms.tokens, terms.idf, places)


def _without_places(question: str, tokens: Sequence[str], idf: np.ndarray,
                    places: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """subject_terms of any of the question's tokens (its tokens, or its heads)."""
    spans = [(m.start(), m.end()) for name in places for m in re.finditer(re.escape(name), question)]

    def named(token: str) -> bool:
        found = [m.start() for m in re.finditer(re.escape(token), question)]
        return bool(found) and all(any(a <= at and at + len(token) <= b for a, b in spans) for at in found)

    keep = [i for i, t in enumerate(tokens) if not named(t)] if spans else list(range(len(tokens)))
    if not keep or len(keep) == len(tokens):
        return tuple(tokens), idf
    return tuple(tokens[i] for i in keep), np.asarray(idf)[keep]


_SINGLE_YEAR_TITLE = re.compile(r"(?<![\d—\-－～~至到])((?:19|20)\d{2})年(?:度)?[^—\-－～~至到\d]{0,12}"
                                r"(?:工作要点|工作计划|计划|要点|任务)")
_YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}")


def title_year(title: str) -> int | None:
    """The year of a single-year plan's title ('省科技厅2015年工作要点' -> 2015); None for a
    period ('2023—2027年', '2023年至2025年'), several years, or no year."""
    years = _YEAR_IN_TITLE.findall(title)
    m = _SINGLE_YEAR_TITLE.search(title)
    return int(m.group(1)) if m and len(set(years)) == 1 else None


def idf_coverage(text: str, tokens: Sequence[str], idf: np.ndarray) -> float:
    """The IDF-weighted share of the tokens found in a text (already lower-cased): the
    term_coverage of a hit, or of a part of it. 0 for no tokens."""
    total = float(np.sum(idf))
    if total <= 0:
        return 0.0
    present = np.fromiter((t in text for t in tokens), dtype=bool, count=len(tokens))
    return float(np.asarray(idf)[present].sum()) / total


def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest string found in both a and b. A substring test per length (in C),
    binary-searched: a length that occurs implies every shorter one does."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if any(a[s:s + mid] in b for s in range(len(a) - mid + 1)):
            lo = mid
        else:
            hi = mid - 1
    return lo


def plain_text(text: str) -> str:
    """Text compared without case, punctuation or spaces (letters, digits, CJK only)."""
    return _NOT_TEXT.sub("", fold(text))


@dataclass(frozen=True)
class Calibration:
    """A logistic regression over standardised FEATURES and the threshold of `relevant`,
    optionally times a query-level one (`answerable`, over QUERY_FEATURES of the same hits).

    Args: feature names (must be FEATURES), their training mean and scale, coefficients,
    intercept, threshold, the embedding model the cosines came from, and the answerable part.
    """

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    model: str = ""
    answerable: Calibration | None = None

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> Calibration:
        """Read calibration.json. Raises: ValueError when its features are not FEATURES."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError(f"{path} was fitted on features {names}, the engine computes {FEATURES}: "
                             "refit with bench/fit_relevance.py")
        answerable = None
        if "answerable" in data:
            part = data["answerable"]
            if tuple(part["features"]) != QUERY_FEATURES:
                raise ValueError(f"{path} was fitted on query features {part['features']}, the engine computes "
                                 f"{QUERY_FEATURES}: refit with bench/fit_relevance.py")
            answerable = cls(QUERY_FEATURES, np.asarray(part["mean"]), np.asarray(part["scale"]),
                             np.asarray(part["coef"]), float(part["intercept"]), 0.5)
        return cls(names, np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["coef"]),
                   float(data["intercept"]), float(data["threshold"]), data.get("model", ""), answerable)

    def to_dict(self) -> dict:
        out = {"features": list(self.names), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
               "coef": _rounded(self.coef), "intercept": round(self.intercept, 6),
               "threshold": round(self.threshold, 4), "model": self.model}
        if self.answerable is not None:
            a = self.answerable
            out["answerable"] = {"features": list(a.names), "mean": _rounded(a.mean), "scale": _rounded(a.scale),
                                 "coef": _rounded(a.coef), "intercept": round(a.intercept, 6)}
        return out

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Relevance of each row of x (hits x FEATURES, best hit first), in [0, 1]."""
        if len(x) == 0:
            return np.zeros(0)
        scale = np.where(self.scale > 0, self.scale, 1.0)  # a feature constant when fitted has weight 0
        z = np.nan_to_num(((x - self.mean) / scale) @ self.coef + self.intercept)  # no NaN spreads
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        if self.answerable is not None:
            p = p * float(self.answerable.probabilities(query_features(x)[None])[0])
        if "ask_met" in self.names:  # a hit without the form of answer asked for does not answer
            p = p * np.where(x[:, self.names.index("ask_met")] > 0, 1.0, UNMET_ASK)
        return p


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method on standardised x.

    Args: features (already standardised), 0/1 labels, the penalty on the coefficients (not
    the intercept). Returns: (coefficients, intercept).
    """
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]
