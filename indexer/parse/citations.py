"""Documents a text cites (引用文件): a quoted title 《…》 with or without its 文号, a bare 文号
('根据浙政办发〔2019〕11号文件精神'), and the issuers printed before a title ('省委、省政府《…》');
then which corpus document each citation refers to.

A 文号 is compared in one canonical form (`normalise_doc_number`): brackets 〔〕, no spaces, no
'第' before the number, no leading zeros, ASCII digits — the forms offices print for the same
number all compare equal.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace

from indexer.parse.metadata import DOC_NUMBER, normalize_doc_number
from indexer.parse.organs import split_organs

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # same length: offsets stay valid
_LEADING_ZEROS = re.compile(r"(?<=〕)0+(?=\d)")
# 'The title names a document': what separates 《关于…的意见》 from 《人民日报》 or 《科技之窗》.
_DOC_WORD = re.compile(r"意见|通知|办法|方案|规划|计划|决定|条例|规定|纲要|细则|要点|通告|公告|法|指引|指南|"
                       r"措施|规则|目录|清单")
# A short name standing for a title cited before ('以下简称《意见》'): no document of its own.
_SHORT_NAME = re.compile(rf"(?:实施|指导|若干|工作|行动|管理|暂行)?(?:{_DOC_WORD.pattern})")
# Numbers without 〔year〕, only taken in brackets after a title: '（国家税务总局公告2020年第4号）'.
_ANNOUNCEMENT = r"[\u4e00-\u9fff ]{0,24}(?:公告|令)\s*(?:(?:19|20)\d{2}\s*年\s*)?第\s*\d{1,5}\s*号"
_QUOTED = re.compile(rf"《([^《》\n]{{1,150}})》(?:\s{{0,2}}[（(［\[【]\s{{0,2}}({DOC_NUMBER}|{_ANNOUNCEMENT})"
                     rf"\s{{0,2}}[）)］\]】]?)?")
_NUMBER = re.compile(DOC_NUMBER)
# Words a 文号's prefix never holds: where a sentence ends and the number starts
# ('根据浙政办发〔2019〕11号' -> '浙政办发〔2019〕11号').
_LEAD_WORDS = re.compile(r"根据|按照|依据|依照|参照|遵照|贯彻|落实|执行|转发|印发|下发|详见|参见|学习|结合|对照|"
                         r"关于|文件|通知|意见|精神|要求|规定|办法|以及|[见和及与或的了是为在将把]")
# The verb of a sentence citing a title ('为深入贯彻省委、省政府《…》'): the issuers follow it.
_CITING_VERB = re.compile(r"根据|按照|依据|依照|参照|遵照|贯彻|落实|执行|转发|学习|结合|对照|认真|深入|全面|"
                          r"公布|发布|出台|制定|[为是在将把了]")
_CITING_BEFORE = re.compile(r"(?:根据|按照|依据|依照|参照|遵照|贯彻|落实|执行|转发|印发|详见|参见|见|据|依|按)$")
_CITING_AFTER = re.compile(r"\s?(?:文件|文|等|精神|要求|规定|[、，,和及）)])")
_OPEN = re.compile(r"[〔\[［(（【﹝〖]")
_ISSUER_LOOKBACK = 30
_CLAUSE_END = re.compile(r"[。；;，,：:！？!?\n\s（()）《》“”\"]")
_TITLE_SPAN = re.compile(r"(?:关于印发|印发|关于|转发|下发|的)$")
_TITLE_NOISE = str.maketrans({"(": "（", ")": "）", "-": "—", "–": "—", "－": "—", "《": None, "》": None,
                              " ": None, "\u3000": None, "\t": None, "\n": None})
_ISSUED_AS = re.compile(r"关于印发(.{8,})的通知$")  # the document a 印发 notice carries
_MIN_SUFFIX = 8  # a title matched by its end must keep this many characters


@dataclass(frozen=True)
class Citation:
    """A document a text cites: as printed, its title (without 《》), its 文号 (canonical), and
    where the citation stands in the text (`text[start:end]`)."""

    text: str
    title: str
    doc_number: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """The citation as JSON-ready data. Returns: a dict of its five fields."""
        return asdict(self)


def normalise_doc_number(s: str) -> str:
    """One canonical form of a 文号: '浙政办发[2019]11号', '浙政办发（2019）11 号' and
    '浙政办发〔2019〕第011号' all give '浙政办发〔2019〕11号'.

    Args:
        s: a 文号 as printed (any bracket style, spaces, full-width digits, '第').
    Returns:
        The 文号 with 〔〕, no whitespace, no '第', no leading zeros; '' for blank input. '第' is
        dropped everywhere, so '公告2020年第9号' reads '公告2020年9号' on every side of a comparison.
    """
    return _LEADING_ZEROS.sub("", normalize_doc_number(s.translate(_DIGITS)))


def extract_citations(text: str) -> list[Citation]:
    """The documents a text cites, in order of first mention, each once.

    Args:
        text: a document's text (any length; '' gives []).
    Returns:
        Citations: quoted titles that name a document (with the 文号 in brackets after them and
        the issuers printed before them), then bare 文号 a sentence cites. A title or 文号 cited
        again is merged into its first citation (which takes the 文号 if it lacked one).
    """
    text = text.translate(_DIGITS)
    found: list[Citation] = []
    covered: list[tuple[int, int]] = []
    for m in _QUOTED.finditer(text):
        covered.append(m.span())
        title = m.group(1).strip()
        if not _DOC_WORD.search(title) or _SHORT_NAME.fullmatch(title):
            continue
        start = m.start() - len(_issuers_before(text, m.start()))
        number = normalise_doc_number(m.group(2) or "")
        found.append(Citation(text[start:m.end()], title, number, start, m.end()))
    starts = [a for a, _ in covered]  # quoted titles do not overlap: sorted by start and by end
    for m in _NUMBER.finditer(text):
        at = bisect.bisect_right(starts, m.start()) - 1
        if at >= 0 and m.start() < covered[at][1]:
            continue
        cited = _bare_number(text, m)
        if cited is not None:
            found.append(cited)
    return _merged(sorted(found, key=lambda c: c.start))


def _bare_number(text: str, m: re.Match[str]) -> Citation | None:
    """A 文号 outside any quoted title, when a sentence cites it: after a citing verb
    ('根据…', '按照…') or before '文件', '精神', '等'. The document's own 文号, standing on its
    line or between gaps at the head, cites nothing."""
    raw = m.group(0)
    prefix = raw[:_OPEN.search(raw).start()]
    cut = max((w.end() for w in _LEAD_WORDS.finditer(prefix)), default=0)
    if cut == len(prefix):
        return None
    start = m.start() + cut
    cited = _CITING_BEFORE.search(prefix[:cut] or text[max(0, start - 4):start]) \
        or _CITING_AFTER.match(text, m.end())
    if not cited:
        return None
    return Citation(text[start:m.end()], "", normalise_doc_number(text[start:m.end()]), start, m.end())


def _issuers_before(text: str, quote: int) -> str:
    """The issuers printed right before a quoted title, as printed there ('省委、省政府',
    '浙江省人民政府关于印发'); '' when none. Only organs' names count: the verb of the sentence
    ('为深入贯彻…') is cut off first."""
    window = text[max(0, quote - _ISSUER_LOOKBACK):quote]
    ends = list(_CLAUSE_END.finditer(window))
    clause = window[ends[-1].end():] if ends else window
    core = clause
    while (trimmed := _TITLE_SPAN.sub("", core)) != core:
        core = trimmed
    cut = max((w.end() for w in _CITING_VERB.finditer(core)), default=0)
    core = core[cut:]
    for i in range(len(core) - 1):
        if split_organs(core[i:]):
            return clause[clause.rindex(core[i:]):]
    return ""



def _merged(citations: list[Citation]) -> list[Citation]:
    """Each cited document once: the first citation of a title or 文号, completed by the 文号
    a later citation of the same title gives."""
    kept: list[Citation] = []
    by_number: dict[str, int] = {}
    by_title: dict[str, int] = {}
    for c in citations:
        key = _title_key(c.title)
        same = by_number.get(c.doc_number) if c.doc_number else None
        if same is None and key:
            same = by_title.get(key)
        if same is None:
            same = len(kept)
            kept.append(c)
        elif c.doc_number and not kept[same].doc_number:
            kept[same] = replace(kept[same], doc_number=c.doc_number)
        if kept[same].doc_number:
            by_number.setdefault(kept[same].doc_number, same)
        if key:
            by_title.setdefault(key, same)
    return kept


def cites_itself(citation: Citation, title: str, doc_number: str) -> bool:
    """Whether a citation names the citing document itself: its own title or 文号, or, for a
    '关于印发X的通知', the X it issues (quoted in its text, it is not a reference to another).

    Args: the citation, the citing document's title and 文号. Returns: True for a self-citation.
    """
    own = _title_key(title)
    titles = {own, *(m.group(1) for m in [_ISSUED_AS.search(own)] if m)}
    if citation.title and _title_key(citation.title) in titles:
        return True
    return bool(citation.doc_number and doc_number
                and normalise_doc_number(citation.doc_number) == normalise_doc_number(doc_number))


def _title_key(title: str) -> str:
    """A title compared without 《》, spaces, and with one form of brackets and dashes."""
    return title.translate(_TITLE_NOISE)


def _field(doc: object, name: str) -> str:
    value = doc.get(name, "") if isinstance(doc, Mapping) else getattr(doc, name, "")
    return str(value or "")


@dataclass(frozen=True)
class Catalogue:
    """The corpus as citations are resolved against it: ids by canonical 文号, by title key, and
    by the last `_MIN_SUFFIX` characters of the title key (where a title matched by its end is)."""

    by_number: Mapping[str, tuple[str, ...]]
    by_tail: Mapping[str, tuple[tuple[str, str], ...]]


def catalogue(documents: Iterable[object]) -> Catalogue:
    """Index documents once for many `resolve` calls.

    Args:
        documents: objects or dicts with id, title and doc_number.
    Returns:
        A Catalogue. A '关于印发X的通知' is also found under X, the document it carries.
    """
    by_number: dict[str, list[str]] = {}
    by_tail: dict[str, list[tuple[str, str]]] = {}
    for doc in documents:
        doc_id = _field(doc, "id")
        number = normalise_doc_number(_field(doc, "doc_number"))
        if number:
            by_number.setdefault(number, []).append(doc_id)
        key = _title_key(_field(doc, "title"))
        keys = {key} | {m.group(1) for m in [_ISSUED_AS.search(key)] if m}
        for k in keys:
            if len(k) >= _MIN_SUFFIX:
                by_tail.setdefault(k[-_MIN_SUFFIX:], []).append((k, doc_id))
    return Catalogue({k: tuple(v) for k, v in by_number.items()},
                     {k: tuple(v) for k, v in by_tail.items()})


def resolve(citations: Iterable[Citation], documents: Iterable[object] | Catalogue,
            self_id: str | None = None) -> list[str | None]:
    """The corpus document each citation refers to.

    Args:
        citations: from `extract_citations`.
        documents: objects or dicts with id, title, doc_number, or a `catalogue` of them.
        self_id: the citing document's id: a citation never resolves to it.
    Returns:
        One id or None per citation: by canonical 文号 first, else by title — equal, or one title
        ending with the other ('浙江省人民政府办公厅关于…' and '关于…') when the shorter keeps at
        least 8 characters. Two different documents matching a title equally leave it None.
    """
    cat = documents if isinstance(documents, Catalogue) else catalogue(documents)
    return [_resolve_one(c, cat, self_id) for c in citations]


def _resolve_one(c: Citation, cat: Catalogue, self_id: str | None) -> str | None:
    if c.doc_number:
        ids = [i for i in cat.by_number.get(c.doc_number, ()) if i != self_id]
        if ids:
            return ids[0]
    key = _title_key(c.title)
    if len(key) < _MIN_SUFFIX:
        return None
    candidates = [(k, i) for k, i in cat.by_tail.get(key[-_MIN_SUFFIX:], ())
                  if i != self_id and (k.endswith(key) or key.endswith(k))]
    exact = {i for k, i in candidates if k == key}
    ids = exact or {i for _, i in candidates}
    return next(iter(ids)) if len(ids) == 1 else None
