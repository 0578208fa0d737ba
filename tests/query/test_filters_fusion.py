"""Filters state their conditions once; fusion picks its method once; the stopword list can be
swapped."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.errors import QueryError
from indexer.index.tokens import Tokenizer
from indexer.query.filters import Filters, document_mask
from indexer.query.fusion import Fusion
from indexer.types import DocumentInfo

DOCS = [DocumentInfo("a", "甲", "", "浙江省科学技术厅", "2015-03-01", 2015, "浙江省", "", "", "浙江省", "", 3),
        DocumentInfo("b", "乙", "", "嵊泗县人民政府", "2023-04-23", 2023, "浙江省", "舟山市", "嵊泗县",
                     "浙江省·舟山市·嵊泗县", "", 4),
        DocumentInfo("c", "丙", "", "郴州市人民政府", "", None, "湖南省", "郴州市", "", "湖南省·郴州市", "", 2)]


@pytest.mark.parametrize("filters, expected", [
    (Filters(), None),
    (Filters(region="浙江省"), [True, True, False]),
    (Filters(region="舟山"), [False, True, False]),  # part of a region label
    (Filters(issuer="人民政府"), [False, True, True]),
    (Filters(documents=("a", "c")), [True, False, True]),
    (Filters(year_from=2016), [False, True, False]),  # no year never matches a range
    (Filters(region="浙江省", year_to=2020), [True, False, False]),
])
def test_document_mask(filters, expected):
    mask = document_mask(filters, DOCS)
    assert (mask is None and expected is None) or mask.tolist() == expected


@pytest.mark.parametrize("filters, words", [
    (Filters(region="火星"), "unknown region"),
    (Filters(issuer="不存在的局"), "unknown issuer"),
    (Filters(documents=("zzz",)), "unknown document id"),
    (Filters(year_from=2020, year_to=2010), "after the end year"),
])
def test_a_value_that_matches_nothing_is_an_error_not_an_empty_result(filters, words):
    with pytest.raises(QueryError, match=words):
        document_mask(filters, DOCS)


def test_fusion_refuses_an_unknown_method_when_built():
    with pytest.raises(ValueError, match="unknown fusion mode"):
        Fusion(mode="hybird")


def test_fusion_methods():
    dense, lexical = np.array([0.9, 0.5, 0.1], np.float32), np.array([0.0, 2.0, 4.0], np.float32)
    assert Fusion(mode="dense").combine(dense, lexical, 1.0).argmax() == 0
    assert Fusion(mode="lexical").combine(dense, lexical, 1.0).argmax() == 2
    assert np.allclose(Fusion().combine(dense, lexical, 0.0), [1.0, 0.5, 0.0])  # nothing covered: dense only
    rrf = Fusion(mode="rrf").combine(dense, lexical, 1.0)
    assert rrf[1] == pytest.approx(1 / 62 + 1 / 62)


def test_the_stopword_list_can_be_swapped():
    assert "工作" not in Tokenizer().tokens("科技工作")
    assert "工作" in Tokenizer(stopwords=()).tokens("科技工作")
