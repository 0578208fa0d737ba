"""Responsibility stated in prose: who a role verb or an inline key makes responsible, what is
no responsibility at all, how spellings of one unit meet, and how prose joins a clause's note."""
from __future__ import annotations

import functools
import re
import time
from pathlib import Path

import pytest

from indexer.parse.documents import load_document
from indexer.parse.prose_roles import (
    merge_responsibility,
    normalise_unit,
    prose_responsibility,
)
from indexer.types import Document, Responsibility

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@functools.cache
def seed(name: str) -> Document:
    return load_document(CORPUS / f"{name}.txt", CORPUS)


def roles(text: str) -> tuple[list[str], list[str], list[str]]:
    found = prose_responsibility(text)
    return list(found.lead), list(found.cooperating), list(found.persons)


# ----------------------------------------------------------------------------- what binds a unit

@pytest.mark.parametrize("text, lead, cooperating", [
    ("该项工作由市商务局负责，各区政府配合。", ["市商务局"], ["各区政府"]),
    ("由市商务局负责，各区政府配合。", ["市商务局"], ["各区政府"]),
    ("具体由县科技局牵头，确保按期完成。", ["县科技局"], []),
    ("所需经费由市财政局承担。", ["市财政局"], []),
    ("并由县海洋与渔业局组织实施。", ["县海洋与渔业局"], []),
    ("由市发改委会同市财政局、市科技局负责。", ["市发改委"], ["市财政局", "市科技局"]),
    ("市商务局负责做好外贸企业服务工作。", ["市商务局"], []),
    ("（一）市商务局负责统筹协调。", ["市商务局"], []),
    ("市科技局牵头，市财政局、市教育局参与。", ["市科技局"], ["市财政局", "市教育局"]),
    ("市科技局牵头、市财政局协助，年底前完成。", ["市科技局"], ["市财政局"]),
    ("市科技局牵头，各有关部门配合。", ["市科技局"], ["各有关部门"]),
    ("由各县（市、区）人民政府负责组织实施。", ["各县（市、区）人民政府"], []),
    ("由市经济和信息化局和市科技局负责。", ["市经济和信息化局", "市科技局"], []),
    ("由市科技局、市财政局等部门负责。", ["市科技局", "市财政局"], []),
    ("市督办督查局要牵头组织相关部门加大督查力度。", ["市督办督查局"], []),
    ("对于名单内的中小企业，市经信委将牵头为其提供贴息支持。", ["市经信委"], []),
    ("我们要负责任地做好工作。", [], []),
    # a role in brackets after the measure, with the 〔〕 of a county list inside it
    ("企业不得解除劳动合同（市人社局牵头，市工信局、卫健委、各县〔市、区〕人民政府配合）",
     ["市人社局"], ["市工信局", "卫健委", "各县〔市、区〕人民政府"]),
    ("加强监测（数据由各地报送）。", [], []),
    # one role closed in its bracket, and a bracket that is a unit's other name
    ("推进5G融合应用。（省发展改革委、省工业和信息化厅负责）", ["省发展改革委", "省工业和信息化厅"], []),
    ("稳定企业用工（市人社局牵头）。", ["市人社局"], []),
    ("县经信局（县科技局）牵头，县财政局配合。", ["县经信局（县科技局）"], ["县财政局"]),
])
def test_role_verbs_bind_organs(text, lead, cooperating):
    assert roles(text) == (lead, cooperating, [])


@pytest.mark.parametrize("text, lead", [
    ("领导小组办公室设在综合计划科，负责日常工作。", ["综合计划科"]),
    ("领导小组下设办公室，设在市科技局。", ["市科技局"]),
    ("工作专班设在县发改局，负责日常工作。", ["县发改局"]),
])
def test_the_office_is_housed_in_its_lead(text, lead):
    assert roles(text) == (lead, [], [])


def test_contact_office_and_person_without_the_phone_number():
    lead, cooperating, persons = roles("对接部门：区国资委；联系人：杨晓美，电话：020-83123456")
    assert (lead, cooperating, persons) == (["区国资委"], [], ["杨晓美"])
    assert not any(re.search(r"\d", name) for name in lead + persons)


def test_a_contact_person_and_the_next_field():
    assert roles("联系人：张三，电话：0571-12345678") == ([], [], ["张三"])
    assert roles("联系人：张三、李四同志，联系电话：0571-12345678") == ([], [], ["张三", "李四"])


def test_inline_keys_in_prose():
    assert roles("本项目主管部门：市科技局。") == (["市科技局"], [], [])
    assert roles("项目责任部门：市发改委，配合部门：市财政局和县海洋与渔业局。") == \
        (["市发改委"], ["市财政局", "县海洋与渔业局"], [])
    # The value runs on into the sentence: names are kept only up to the first non-name.
    assert roles("主管部门：市科技局，负责全市项目管理。") == (["市科技局"], [], [])


def test_notes_are_left_to_the_note_reader():
    assert roles("加大科技投入。（责任人:邱飞章,牵头单位:高新处,配合单位:有关处室）") == ([], [], [])
    assert roles("打造创新平台。\n\n责任单位:县经信局(县科技局)、县发改局") == ([], [], [])


def test_a_unit_that_leads_is_not_also_cooperating():
    assert roles("由市科技局负责，市科技局、市财政局配合。") == (["市科技局"], ["市财政局"], [])


# ----------------------------------------------------------------------------- what binds nothing

@pytest.mark.parametrize("text", [
    "各地要切实负责。",
    "负责人要认真履行职责。",
    "市科技局负责人要亲自抓。",
    "市政府办公室负责同志出席会议。",
    "加强组织领导，明确责任分工。",
    "各县（市、区）科技局要加强指导，做好协调配合。",
    "市科技局成立领导小组，负责统筹全市科技资源。",
    "由于市场变化，企业负责自身风险。",
    "所需资金由企业和政府共同承担。",
    "由高校和科研院所负责。",
    "科研院所承担的国家重大项目给予配套。",
    "科研院所参与企业技术创新。",
    "鼓励科技人员领办和参与创办科技型中小微企业。",
    "市商务局负责的项目优先支持。",
    "我们负责，这要加强。",
    "建立完善政府引导投入、社会资金广泛参与的多元化科技投入机制。",
])
def test_no_organ_no_responsibility(text):
    assert not prose_responsibility(text)


def test_long_text_is_read_in_linear_time():
    text = "由市商务局负责，各区政府配合。" * 700
    started = time.perf_counter()
    assert roles(text) == (["市商务局"], ["各区政府"], [])
    for worst in (" " * 10_000, "由市" * 5_000, "市科技局会同" * 2_000, "对接部门" + " " * 10_000):
        assert not prose_responsibility(worst)
    assert time.perf_counter() - started < 1.0


# ----------------------------------------------------------------------------- one unit, many spellings

def test_bracket_width_spaces_and_punctuation_do_not_make_a_new_unit():
    spellings = ["县经信局（县科技局）", "县经信局(县科技局)", "县经信局 （县科技局）",
                 "县经信局\u3000(县科技局)；", "县经信局（县科技局）。"]
    assert {normalise_unit(s) for s in spellings} == {"县经信局（县科技局）"}
    assert normalise_unit("市商务局") != normalise_unit("市商务厅")


def test_merge_keeps_the_note_first_and_marks_what_only_the_prose_says():
    note = Responsibility(("县经信局（县科技局）",), ("市财政局",), ("邱飞章",))
    prose = Responsibility(("县经信局(县科技局)", "市商务局"), ("县经信局 （县科技局）", "各区政府"),
                           ("邱飞章", "杨晓美"))
    merged, from_text = merge_responsibility(note, prose)
    assert merged.lead == ("县经信局（县科技局）", "市商务局")
    assert merged.cooperating == ("市财政局", "各区政府")
    assert merged.persons == ("邱飞章", "杨晓美")
    assert from_text == merged.from_text == ("市商务局", "各区政府", "杨晓美")
    assert (merged.source_of("市商务局"), merged.source_of("县经信局（县科技局）")) == ("text", "note")


def test_merge_of_a_unit_both_leading_and_cooperating_keeps_it_leading_from_the_note():
    merged, from_text = merge_responsibility(Responsibility(cooperating=("市财政局",)),
                                             Responsibility(lead=("市财政局",)))
    assert (merged.lead, merged.cooperating, from_text) == (("市财政局",), (), ())


def test_merge_of_nothing_from_prose_changes_nothing():
    note = Responsibility(("农村处",), (), ())
    merged, from_text = merge_responsibility(note, prose_responsibility("加强组织领导。"))
    assert (merged.lead, merged.cooperating, merged.persons, from_text) == (("农村处",), (), (), ())


# ----------------------------------------------------------------------------- the seed documents

SEED_PROSE = {
    "chenzhou-2012-county-tech-action-plan:h5.n1": (("综合计划科",), (), ()),
}


def test_seed_prose_responsibility_is_what_a_reader_finds():
    found = {}
    for path in sorted(CORPUS.glob("*.txt")):
        for clause in seed(path.stem).clauses:
            prose = prose_responsibility(clause.text)
            if prose:
                found[clause.id] = (prose.lead, prose.cooperating, prose.persons)
    assert found == SEED_PROSE
