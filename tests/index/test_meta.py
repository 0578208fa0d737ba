"""meta.sqlite has one owner (indexer/index/meta.py): rows are written by column name, and the
clause table reads the same values whether it holds them in memory or reads them on demand."""
from __future__ import annotations

import sqlite3

import pytest

from indexer.index import meta, table
from indexer.types import Clause, Heading, Responsibility


def document(doc_id: str = "d1") -> dict:
    row = dict.fromkeys(meta.DOCUMENT_COLUMNS, "")
    row.update(id=doc_id, year=2020, warnings="[]", clause_count=2)
    return row


def clause(fid: int, doc_id: str = "d1") -> dict:
    c = Clause(id=f"{doc_id}:h{fid}", document_id=doc_id, text=f"第{fid}条正文", label=f"{fid}．", start=fid * 10, end=fid * 10 + 5,
               section=(Heading("一、", "总则"),), responsibility=Responsibility(("县科技局",), ("县财政局",)))
    return meta.clause_record(fid, doc_id, fid - 1, c, f"hash{fid}")


def test_rows_are_written_by_name_and_read_back_in_both_modes(tmp_path):
    with meta.MetaWriter(tmp_path) as writer:
        writer.add_documents([document()])
        writer.add_clauses([clause(1), clause(2)])
    eager, lazy = table.ClauseTable(tmp_path), table.ClauseTable(tmp_path, lazy_above=0)
    assert not eager.lazy and lazy.lazy
    assert eager.values([0, 1]) == lazy.values([1, 0])
    assert lazy.texts[1] == "第2条正文" and lazy.spans[0] == (10, 15)
    assert lazy.responsibility[0] == Responsibility(("县科技局",), ("县财政局",))
    assert [c.units for c in lazy.candidates([1])] == [c.units for c in eager.candidates([1])]
    assert lazy.row_of_id["d1:h2"] == eager.row_of_id["d1:h2"] == 1
    assert meta.clause_hashes(tmp_path) == {"d1:h1": (1, "hash1"), "d1:h2": (2, "hash2")}
    lazy.close()


def test_an_unknown_or_missing_column_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ValueError, match="no column 'colour'"), meta.MetaWriter(tmp_path) as writer:
        writer.add_documents([document()])
        writer.add_clauses([{**clause(1), "colour": "red"}])
    conn = sqlite3.connect(tmp_path / meta.FILE)
    assert conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)  # rolled back
    conn.close()
    (tmp_path / meta.FILE).unlink()
    row = clause(1)
    del row["text_hash"]
    with pytest.raises(KeyError, match="text_hash"), meta.MetaWriter(tmp_path) as writer:
        writer.add_clauses([row])
