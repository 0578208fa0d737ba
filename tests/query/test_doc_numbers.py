"""The 文号 a question names, in Chinese or in English pinyin, prefers the document whose own
文号 it is (query/doc_numbers.py)."""
from __future__ import annotations

import numpy as np

from indexer.query.doc_numbers import DocumentNumbers, chinese_numbers
from indexer.types import DocumentInfo


def _doc(i: int, number: str) -> DocumentInfo:
    return DocumentInfo(f"d{i}", "某通知", number, "", "2020-02-01", 2020, "北京市", "", "", "", "", 2)


NUMBERS = DocumentNumbers([_doc(0, "京财金融〔2020〕251号"), _doc(1, "银发〔2020〕29号"), _doc(2, ""),
                           _doc(3, "财政部 税务总局公告2020年第8号"), _doc(4, "京财金融〔2020〕251号"),
                           _doc(5, "肺炎机制发〔2020〕5号"), _doc(6, "厦府〔2020〕3号"),
                           _doc(7, "鄂政发〔2020〕5号"), _doc(8, "京财金融〔2020〕252号、京金融〔2020〕50号")])


def test_a_documents_own_number_is_read_in_its_real_forms():
    assert chinese_numbers("根据京财金融〔2020〕251号") == [("根据京财金融", 2020, 251, "根据京财金融〔2020〕251号")]
    assert chinese_numbers("肺炎机制发﹝2020﹞21号")[0][:3] == ("肺炎机制发", 2020, 21)
    assert chinese_numbers("财政部 税务总局公告2020年第8号")[0][:3] == ("财政部税务总局公告", 2020, 8)
    assert chinese_numbers("2020年2月8日") == []


def test_a_chinese_question_names_a_number_and_prefers_its_documents_and_their_copies():
    names, mask = NUMBERS.named("按照京财金融〔2020〕251号通知，哪些银行放贷？")
    assert names == ("京财金融〔2020〕251号",) and list(np.flatnonzero(mask)) == [0, 4]
    names, mask = NUMBERS.named("财政部 税务总局公告2020年第8号说了什么")
    assert list(np.flatnonzero(mask)) == [3]


def test_an_english_question_names_a_number_in_pinyin():
    named = NUMBERS.named("Under Beijing's emergency notice (Jing Cai Jin Rong [2020] No. 251), which banks lend?")
    assert named is not None and list(np.flatnonzero(named[1])) == [0, 4]
    named = NUMBERS.named("under the notice Yin Fa (2020) No. 29, how many times may a company apply?")
    assert named is not None and list(np.flatnonzero(named[1])) == [1]


def test_another_issuers_number_ending_alike_names_nothing_but_a_lead_in_word_may_stand_before():
    assert NUMBERS.named("济银发〔2020〕29号的规定") is None  # 济南's 银发, not 人民银行's
    assert list(np.flatnonzero(NUMBERS.named("根据银发〔2020〕29号的规定")[1])) == [1]
    assert NUMBERS.named("He Zheng Fa [2020] No. 5") is None  # 'hezhengfa' ends with 鄂政发's 'ezhengfa'
    assert list(np.flatnonzero(NUMBERS.named("notice E Zheng Fa [2020] No. 5")[1])) == [7]


def test_a_character_of_several_readings_and_a_joint_number_are_read_every_way():
    assert list(np.flatnonzero(NUMBERS.named("under Xia Fu [2020] No. 3")[1])) == [6]  # 厦 xia, not only sha
    names, mask = NUMBERS.named("京金融〔2020〕50号")  # the second of a joint number
    assert names == ("京金融〔2020〕50号",) and list(np.flatnonzero(mask)) == [8]


def test_a_number_asked_another_number_or_another_prefix_names_nothing():
    assert NUMBERS.named("肺炎机制发〔2020〕几号文件") is None
    assert NUMBERS.named("银发〔2020〕30号") is None  # no document has it
    assert NUMBERS.named("沪财金融〔2020〕251号") is None  # another issuer's 251号
    assert NUMBERS.named("Hu Cai Jin Rong [2020] No. 251") is None
    assert NUMBERS.named("which banks lend in Beijing") is None


def test_the_document_a_question_numbers_gains_the_bonus_in_fusion(server_engine, monkeypatch):
    """A seed document given a 文号: a question naming it lists it as preferred, and fusion adds
    NUMBER_BONUS to that document's clauses alone, which moves its best clause up."""
    from dataclasses import replace

    from indexer.query.engine import candidate_rows, with_numbers
    from indexer.query.filters import Filters

    engine = server_engine
    question = "测试发〔2020〕77号对科技特派员的工作要求"
    parsed = engine.parse_query(question, 10, Filters())
    lexical = engine.lexical_stage(parsed)
    qvec = engine.query_vector(parsed)
    dense = engine.dense_stage(qvec, parsed)
    evidence = engine.evidence(qvec, candidate_rows(dense, lexical, engine.table.row_of_fid), dense, lexical)
    plain = engine.fuse(evidence, lexical.fusion_coverage, None)
    doc_of = engine.table.doc_of_row
    first = doc_of[plain[0][0]]
    other = next(int(doc_of[row]) for row, _ in plain if doc_of[row] != first)
    numbered = [replace(d, doc_number="测试发〔2020〕77号" if i == other else "")
                for i, d in enumerate(engine.table.documents)]
    monkeypatch.setattr(engine, "numbers", DocumentNumbers(numbered))
    named = engine.numbers.named(question)
    assert named is not None and list(np.flatnonzero(named[1])) == [other]
    boosted = dict(engine.fuse(evidence, lexical.fusion_coverage, with_numbers(None, named)))
    before = dict(plain)
    for row, score in before.items():
        gain = engine.number_bonus if doc_of[row] == other else 0.0
        assert abs(boosted[row] - score - gain) < 1e-6 + engine.place_bonus  # the place tie-breaker too
    rank = [r for r, _ in plain].index(next(r for r, _ in plain if doc_of[r] == other))
    ranked = sorted(boosted, key=lambda r: -boosted[r])
    assert ranked.index(next(r for r in ranked if doc_of[r] == other)) <= rank
    found = engine.search(question, k=10)
    assert "测试发〔2020〕77号" in found.preferred
    # a 文号 is no place: its words stay the question's subject, which relevance judges
    preference = with_numbers(None, named)
    assert preference.names == () and preference.numbers == ("测试发〔2020〕77号",)
