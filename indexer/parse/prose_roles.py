"""Responsibility stated in prose (正文中的责任分工): '由市商务局负责，各区政府配合',
'领导小组办公室设在综合计划科', '对接部门：区国资委；联系人：杨晓美'.

The notes that close an item ('（责任处室：农村处）', a '责任单位：…' line) are read by
`indexer.parse.responsibility`; this module reads the rest of a clause's text. Precision comes
before recall: a name counts only when a role verb or a key binds it and it is shaped like an
organ's name, so '各地要切实负责' and '负责人要…' give nothing.
"""
from __future__ import annotations

import re
from dataclasses import replace
from itertools import takewhile

from indexer.parse.headings import match_label
from indexer.parse.responsibility import (
    ROLE_OF_KEY,
    is_note_line,
    normalize_unit,
    split_units,
    trailing_note,
)
from indexer.types import Responsibility

ROLES = ("lead", "cooperating", "persons")
# Keys written inline in prose besides the note keys: 主管部门 is in charge, 对接部门 is the
# office to deal with, 联系人 the person to call.
PROSE_KEYS = {**ROLE_OF_KEY, "主管部门": "lead", "主管单位": "lead", "对接部门": "lead",
              "对接单位": "lead", "联系人": "persons"}
_KEYS = "|".join(sorted(PROSE_KEYS, key=len, reverse=True))
# The value stops before the next key; a colon right after it means its last piece is the label
# of some other field ('联系人：张三，电话：…').
_KEY_VALUE = re.compile(rf"({_KEYS})\s*[:：]((?:(?!{_KEYS})[^；;。\n:：]){{1,80}})([:：])?")
_LAST_PIECE = re.compile(r"[，,、\s][^，,、\s]*$")

# A character of a unit list: CJK, brackets, 、 and ·; never 由, which opens the 由-pattern.
_CH = r"(?:(?!由)[\u4e00-\u9fff（）()〔〕、·])"
# Never '负责人', '负责同志', '负责任地', nor a verb that only describes ('牵头的项目').
_LEAD_VERB = r"(?:负责(?!人|同志|任)|牵头(?!人)|承担(?!者)|组织实施)(?!的)"
_COOP_VERB = r"(?:配合|协助|参与(?!者))(?!的)"
# A modal may stand between the unit and its verb ('市督办督查局要牵头', '市经信委将牵头').
_ADVERB = r"(?:要|将|应当|应|须|必须|需)?(?:具体|主要|统一|共同|分别|积极|全力|密切|协同)?"
# Who X is, bound to a role verb: at the start of a clause ('市商务局负责…') or of a bracket
# ('…用工（市人社局牵头，市工信局配合）'), after 由 anywhere ('…由市商务局负责'), or after a role
# just given ('X牵头、Y协助'). Lazy and bounded, so each
# start position costs at most a few thousand steps whatever the length of the text.
_BOUND = re.compile(
    rf"(?:^|(?<![自理缘经])(?P<by>由)(?![于此])|(?<=牵头、|负责、|承担、|配合、|协助、|参与、))"
    rf"(?P<x>{_CH}{{2,80}}?)(?:会同(?P<y>{_CH}{{2,60}}?))?{_ADVERB}"
    rf"(?P<verb>{_LEAD_VERB}|{_COOP_VERB})")
_COOP = re.compile(_COOP_VERB)
# A bracket that opens a role: left open in its clause ('…用工（市人社局牵头，' before the
# comma split) or closed after one unit and its verb ('…用工（市人社局牵头）'); never the other
# name of a unit ('县经信局（县科技局）牵头'). Each scan stops at the next bracket: linear time.
_OPEN_BRACKET = re.compile(rf"[（(](?=[^（）()]*$|[^（）()]{{2,80}}?(?:{_LEAD_VERB}|{_COOP_VERB}))")
# 领导小组办公室设在综合计划科: the office is housed in (and run by) that unit.
_SEATED = re.compile(r"(?:办公室|办|秘书处|专班|小组)[，,]?设在([\u4e00-\u9fff（）()]{2,40})")
_ROLE_VERB = re.compile(rf"{_LEAD_VERB}|{_COOP_VERB}")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_CLAUSE_END = re.compile(r"[，,]")

_CONNECTIVE = re.compile(r"^(?:并且|并|同时|另外|此外|其中|主要|具体|统一(?!战线))+")
_AND = re.compile(r"(以及|和|及|与)")
# The left side of 和/与 inside one organ's name starts with its level (县海洋与渔业局).
_NAME_HEAD = re.compile(r"^(?:国家|中共|各)|[省市县区州盟旗镇乡](?!场)")
_ETC_TAIL = re.compile(r"等(?:有关|相关)?(?:部门|单位|机构|处室)?$")
_COLLECTIVE = re.compile(r"^(?:(?:各|其他各?|各?有关|各?相关|各成员)(?:部门|单位|处室|科室)|各地|各成员单位)$")
# How an organ's name ends, before an optional other name in brackets ('县经信局（县科技局）').
_ORGAN_END = re.compile(
    r"(?:局|厅|委|办|处|科|室|中心|部|部门|院|政府|站|所|队|公司|集团|银行|小组|街道|乡镇|署|海关|"
    r"科协|妇联|残联|侨联|文联|工商联|委员会|协会|商会|工会|联合会|理事会|管委会|董事会|基金会|"
    r"红十字会|研究会|促进会)(?:（[^（）]*）)*$")
# Words that end like an organ but are none (全部, 格局, 好处, 团队, 网站…).
_FALSE_END = re.compile(
    r"(?:全|内|外|干|局|东|西|南|北|中|基|底|顶)部$|(?:格|布|大|结|全|开|当|变)局$|"
    r"(?:好|益|用|长|难|出|之|到|各|此|深)处$|(?:场|住|处|厕)所$|(?:团|梯|排)队$|"
    r"(?:兴|举|承|创|协|主|督|代|帮|领|开|筹|申|合|包|查|照|首|试)办$|"
    r"(?:网|车)站$|(?:学|本|专|工|理|文|百)科$|(?:大|展|餐|客)厅$|(?:教|卧|居|温|密)室$")
_FALSE_START = re.compile(
    r"^(?:我|这|那|该|此|其(?!他)|如|若|凡|对|在|从|向|为|以|通过|根据|按照|将|把|要|应(?!急)|"
    r"被|加强|做好|建立|完善|推进|推动|开展|明确|落实|积极|切实|认真|进一步|组织(?!部)|鼓励|支持|"
    r"引导|争取|确保|实施|成立|设立|涉及|会同|[（(、])")
_FALSE_ANY = re.compile(r"[的了是把被要\dA-Za-z。，,；;：:！!？?“”\"]|应(?!急)|(?<!高)等|会同")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_NOT_PERSON = re.compile(r"电话|手机|邮箱|传真|地址|联系|负责|领导|部门|单位|办公")
_MAX_UNIT = 30


def prose_responsibility(text: str) -> Responsibility:
    """Units and persons that a clause's own text makes responsible (责任分工 in prose).

    Args: a clause's text; its closing note and any '责任单位：…' note line are skipped.
    Returns: a Responsibility: lead (负责/牵头/承担/设在, 主管部门/对接部门), cooperating
    (配合/协助/参与, 会同's object) and persons (联系人/责任人); a unit is listed once, as lead
    when it is both.
    """
    found: dict[str, list[str]] = {role: [] for role in ROLES}
    for line in _prose_lines(text):
        for m in _KEY_VALUE.finditer(line):
            value = _LAST_PIECE.sub("", m.group(2)) if m.group(3) else m.group(2)
            role = PROSE_KEYS[m.group(1)]
            names = split_units(value) if role == "persons" else _conjoined(value)
            check = _person if role == "persons" else _unit
            # The value may run on into the sentence: keep names only up to the first non-name.
            found[role] += takewhile(bool, map(check, names))
        for m in _SEATED.finditer(line):
            found["lead"] += _units(_ROLE_VERB.split(m.group(1))[0])
        for sentence in _SENTENCE_END.split(line):
            _bound_roles(sentence, found)
    return _dedupe(found["lead"], found["cooperating"], found["persons"])


def _bound_roles(sentence: str, found: dict[str, list[str]]) -> None:
    """Add to `found` the units a role verb binds in one sentence. Only '由X承担' counts
    ('科研院所承担…项目' describes), and '参与' only after a lead ('X牵头，Y参与')."""
    led = False
    # A bracket that opens a role starts a clause: '…用工（市人社局牵头，市工信局配合）'.
    clauses = (part for clause in _CLAUSE_END.split(sentence) for part in _OPEN_BRACKET.split(clause))
    for clause in clauses:
        for m in _BOUND.finditer(clause):
            verb = m.group("verb")
            if verb == "承担" and not m.group("by") or verb == "参与" and not led:
                continue
            role = "cooperating" if _COOP.fullmatch(verb) else "lead"
            units = _units(m.group("x"))
            found[role] += units
            led = led or (role == "lead" and bool(units))
            if m.group("y"):
                found["cooperating"] += _units(m.group("y"))


def normalise_unit(name: str) -> str:
    """The canonical spelling of a unit: the key that tells two spellings are one unit.

    Args: a unit as written ('县经信局 (县科技局)；'). Returns: it without spaces (\\u3000
    included) or trailing punctuation, brackets in full width ('县经信局（县科技局）').
    """
    return normalize_unit(re.sub(r"[\s。.，,；;、！!？?：:]+$", "", name))


def merge_responsibility(note: Responsibility,
                         prose: Responsibility) -> tuple[Responsibility, tuple[str, ...]]:
    """Union of a clause's note and its prose: the note first, each unit once.

    Args: what the note says and what `prose_responsibility` read. Returns: the merged
    Responsibility (a unit in lead is not also cooperating; the note's spelling wins) and the
    names that came only from the prose (their source is "text", every other's "note").
    """
    in_note = {normalise_unit(name) for role in ROLES for name in getattr(note, role)}
    merged = _dedupe(note.lead + prose.lead, note.cooperating + prose.cooperating,
                     note.persons + prose.persons)
    from_text = tuple(name for role in ROLES for name in getattr(merged, role)
                      if normalise_unit(name) not in in_note)
    return replace(merged, from_text=from_text), from_text


def _prose_lines(text: str):
    """Lines of `text` without their heading label and closing note; note lines dropped."""
    for line in text.splitlines():
        # Stripped first: is_note_line backtracks quadratically over leading spaces.
        line = line.strip()
        if is_note_line(line):
            continue
        note = trailing_note(line)
        if note is not None:
            line = line[:note[0]]
        label = match_label(line)
        yield line[label.end:] if label else line


def _units(listed: str) -> list[str]:
    """Units of a list bound to one role ('市科技局、市财政局和县海洋与渔业局'); [] when any
    piece is not shaped like an organ's name: one bad piece means the binding was misread."""
    checked = [_unit(name) for name in _conjoined(listed)]
    return checked if checked and all(checked) else []


def _conjoined(listed: str) -> list[str]:
    """Split a list at 、，and at 和/及/与 unless the left side is the head of one organ's name:
    县海洋与渔业局 and 市经济和信息化局 stay whole, '市科技局和市财政局' and '企业和政府' are two."""
    names: list[str] = []
    for piece in split_units(listed):
        parts = _AND.split(_ETC_TAIL.sub("", piece))
        name = parts[0]
        for joiner, part in zip(parts[1::2], parts[2::2]):
            if _unit(name) or not _NAME_HEAD.search(name):
                names.append(name)
                name = part
            else:
                name += joiner + part
        names.append(name)
    return names


def _unit(name: str) -> str:
    """`name` cleaned of connectives ('并由…', '同时…') and normalised, or '' when it does not
    look like an organ's name (at most 30 characters, an organ's ending or a collective such as
    各有关部门, no function word or verb)."""
    name = _CONNECTIVE.sub("", normalise_unit(name))
    if _COLLECTIVE.match(name):
        return name
    shaped = 3 <= len(name) <= _MAX_UNIT and _ORGAN_END.search(name) and not _FALSE_END.search(name)
    clean = not (_FALSE_START.search(name) or _FALSE_ANY.search(name))
    return name if shaped and clean and name.count("（") == name.count("）") else ""


def _person(name: str) -> str:
    """A person's name ('杨晓美', '杨晓美同志'), or '' (a phone number, a label such as 电话)."""
    name = normalise_unit(name).removesuffix("同志")
    return name if _PERSON.match(name) and not _NOT_PERSON.search(name) else ""


def _dedupe(lead, cooperating, persons) -> Responsibility:
    """A Responsibility with each name once by `normalise_unit`, first spelling kept; a unit
    that leads is dropped from cooperating."""
    seen: set[str] = set()
    kept: list[tuple[str, ...]] = []
    for names in (lead, cooperating, persons):
        out = []
        for name in names:
            key = normalise_unit(name)
            if key and key not in seen:
                seen.add(key)
                out.append(name)
        kept.append(tuple(out))
    return Responsibility(*kept)
