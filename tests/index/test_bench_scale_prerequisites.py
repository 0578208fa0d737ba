"""bench/bench_scale.py from a fresh clone (issue #17): it names what to build before a long run,
and an optional plot never costs the results."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_scale(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_scale_under_test", REPO / "bench" / "bench_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ncp = tmp_path / "shared" / "datasets" / "ncp-policy-qa"
    (ncp / "docs").mkdir(parents=True)
    (ncp / "questions.dev.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setattr(module, "NCP", ncp)
    monkeypatch.setattr(module, "NCP_INDEX", tmp_path / "no-ncp-index")
    monkeypatch.setattr(module, "OUT", tmp_path / "scale")
    return module


def test_a_missing_ncp_index_is_named_with_the_command_that_builds_it(bench_scale, tmp_path):
    missing = bench_scale.check_prerequisites()
    assert missing and "policy-search index" in missing and str(tmp_path / "no-ncp-index") in missing


def test_a_missing_dataset_is_named(bench_scale, tmp_path, monkeypatch):
    monkeypatch.setattr(bench_scale, "NCP", tmp_path / "nowhere")
    assert "NCP dataset" in bench_scale.check_prerequisites()


def test_main_stops_before_any_work_when_a_prerequisite_is_missing(bench_scale, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench_scale.py", "--n", "1000000", "--e2e", "ivf-sq8:32"])
    monkeypatch.setattr(bench_scale, "real_base", lambda: pytest.fail("started the run"))
    assert bench_scale.main() == 2
    assert "policy-search index" in capsys.readouterr().err


def test_without_matplotlib_the_plot_is_skipped_with_a_note(bench_scale, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    bench_scale.plot([{"bench": "bm25", "n": 1000, "p50_ms": 1.0, "top_p50_ms": 1.0}])
    assert "plot skipped" in capsys.readouterr().err
