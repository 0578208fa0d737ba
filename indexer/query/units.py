"""Units (责任单位) as entities: every unit and person a clause names as lead (牵头/责任单位),
cooperating (配合单位) or responsible person (责任人), in a note or in the prose, with its
spellings and the tasks it has across documents — the responsibility matrix (责任矩阵), the
inverse of a who-question.

One unit is one `normalise_unit` key (indexer/parse/prose_roles.py): '县经信局 (县科技局)' and
'县经信局（县科技局）' are the same unit. The directory is built once per engine from the clause
table (`units_of`) and is read-only afterwards, so request threads share it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from indexer.errors import NotFoundError
from indexer.index.table import ClauseTable
from indexer.parse.prose_roles import normalise_unit
from indexer.query.shapes import citation, clause_url, document_url
from indexer.types import DocumentInfo, Responsibility

ROLES = ("lead", "cooperating", "person")  # a task's role; `person` = 责任人
_FIELD_OF_ROLE = {"lead": "lead", "cooperating": "cooperating", "person": "persons"}

T = TypeVar("T")


def per_engine(engine: object, key: str, build: Callable[[], T]) -> T:
    """A value derived from an engine's index, built on first use and kept on the engine (a
    reload opens a new engine, so the value never outlives its index version).

    Args:
        engine: the SearchEngine (any object with a __dict__), shared by request threads.
        key: the attribute name to keep the value under.
        build: makes the value; called at most once per engine, under the engine's lock.
    Returns:
        The value.
    """
    found = engine.__dict__.get(key)
    if found is not None:
        return found
    lock = engine.__dict__.setdefault("_intel_lock", threading.Lock())  # setdefault is atomic
    with lock:
        if engine.__dict__.get(key) is None:
            engine.__dict__[key] = build()
        return engine.__dict__[key]


@dataclass(frozen=True)
class Task:
    """One clause a unit is named in: the table row, the role, where the name stands (`note`
    or `text`: the clause's prose), and the name as this clause spells it."""

    row: int
    role: str
    source: str
    spelling: str


@dataclass(frozen=True)
class Unit:
    """A unit or person: its canonical name, the spellings the documents use, its tasks in
    table order, whether it is named as a responsible person (责任人), and in how many documents."""

    name: str
    spellings: tuple[str, ...]
    tasks: tuple[Task, ...]
    person: bool
    documents: int

    def count(self, role: str) -> int:
        """How many tasks of one role. Args: a role of ROLES. Returns: the count."""
        return sum(t.role == role for t in self.tasks)


class UnitDirectory:
    """Every unit of an index version, by canonical name.

    Args: the clause table (its rows' responsibility is read once, here).
    """

    def __init__(self, table: ClauseTable):
        self.table = table
        found: dict[str, list[Task]] = {}
        spellings: dict[str, dict[str, None]] = {}
        for row, resp in enumerate(table.responsibility.take(range(len(table)))):
            for task in _tasks_of(row, resp):
                key = normalise_unit(task.spelling)
                if key:
                    found.setdefault(key, []).append(task)
                    spellings.setdefault(key, {})[task.spelling] = None
        self.units = {key: Unit(key, tuple(spellings[key]), tuple(tasks), any(t.role == "person" for t in tasks),
                                len({int(table.doc_of_row[t.row]) for t in tasks}))
                      for key, tasks in found.items()}

    def __len__(self) -> int:
        return len(self.units)

    def find(self, q: str = "") -> list[Unit]:
        """Units whose name or a spelling contains `q`, most tasks first.

        Args: a part of a name, any spelling ('' lists all). Returns: the units, sorted by task
        count (descending), then name.
        """
        key = normalise_unit(q) if q.strip() else ""
        chosen = [u for u in self.units.values()
                  if not key or key in u.name or any(q.strip() in s for s in u.spellings)]
        return sorted(chosen, key=lambda u: (-len(u.tasks), u.name))

    def get(self, name: str) -> Unit:
        """One unit by any spelling. Args: the name. Returns: the Unit.
        Raises: NotFoundError when no clause names it."""
        unit = self.units.get(normalise_unit(name))
        if unit is None:
            raise NotFoundError("no_unit", value=name.strip())
        return unit


def _tasks_of(row: int, resp: Responsibility) -> list[Task]:
    """The tasks one clause gives: one per party it names, in note order."""
    return [Task(row, role, resp.source_of(name), name)
            for role in ROLES for name in getattr(resp, _FIELD_OF_ROLE[role])]


def units_of(engine: object) -> UnitDirectory:
    """The engine's unit directory, built on first use (see `per_engine`).

    Args: an engine with a `table`. Returns: its UnitDirectory.
    """
    return per_engine(engine, "_units", lambda: UnitDirectory(engine.table))


# ----- shapes ------------------------------------------------------------------------------------

def document_brief(doc: DocumentInfo) -> dict:
    """What a unit's or target's listing says of a document.

    Args: the document. Returns: its metadata (id, title, 文号, issuer, region, date), year and url.
    """
    return {**doc.to_dict(), "year": doc.year, "url": document_url(doc.id)}


def unit_summary(unit: Unit) -> dict:
    """A unit as /api/units lists it.

    Args: the unit. Returns: name, spellings, lead/cooperating/person counts, whether it is a
    person, how many documents name it, and its API and page paths.
    """
    return {"name": unit.name, "spellings": list(unit.spellings), "tasks": len(unit.tasks),
            "lead": unit.count("lead"), "cooperating": unit.count("cooperating"),
            "person_tasks": unit.count("person"), "person": unit.person,
            "documents": unit.documents,
            "url": unit_url(unit.name), "api_url": "/api" + unit_url(unit.name)}


def unit_url(name: str) -> str:
    """The unit page of a unit. Args: its canonical name. Returns: the path."""
    return f"/units/{quote(name, safe='')}"


def unit_detail(directory: UnitDirectory, name: str) -> dict:
    """A unit's tasks grouped by document: the /api/units/<name> body.

    Args: the directory, the unit's name in any spelling. Returns: name, spellings, counts and
    `documents`: [{"document", "tasks": [{"clause", "citation", "url", "text", "role", "source",
    "spelling", "co_units"}]}], newest document first, tasks in reading order.
    Raises: NotFoundError for a name no clause gives.
    """
    unit = directory.get(name)
    table = directory.table
    values = table.values([t.row for t in unit.tasks])
    groups: dict[int, list[dict]] = {}
    for task in sorted(unit.tasks, key=lambda t: values.spans[t.row][0]):
        r = task.row
        doc = table.document_of(r)
        groups.setdefault(int(table.doc_of_row[r]), []).append({
            "clause": values.clause_ids[r], "citation": citation(doc, values.sections[r], values.pages[r]),
            "url": clause_url(doc.id, values.clause_ids[r]), "text": values.texts[r],
            "role": task.role, "source": task.source, "spelling": task.spelling,
            "co_units": _co_units(values.responsibility[r], unit.name)})
    docs = sorted(groups, key=lambda d: (table.documents[d].date or str(table.documents[d].year or ""),
                                         table.documents[d].id), reverse=True)
    return {**unit_summary(unit), "documents": [{"document": document_brief(table.documents[d]),
                                                 "tasks": groups[d]} for d in docs]}


def _co_units(resp: Responsibility, own: str) -> list[dict]:
    """The other parties of a clause, with their roles (the unit itself left out)."""
    return [{"name": name, "role": role} for role in ROLES for name in getattr(resp, _FIELD_OF_ROLE[role])
            if normalise_unit(name) != own]


def task_rows(detail: dict) -> tuple[list[str], list[Sequence]]:
    """A unit's tasks as a sheet (任务清单) for CSV or XLSX export.

    Args: a `unit_detail` dict. Returns: the header and one row per task: unit, role, document,
    文号, region, date, clause id, citation, text, co-units.
    """
    header = ["单位 unit", "角色 role", "文件 document", "文号 doc_number", "地区 region", "日期 date",
              "条款 clause", "引用 citation", "条文 text", "协同单位 co_units"]
    rows = []
    for group in detail["documents"]:
        doc = group["document"]
        for task in group["tasks"]:
            rows.append([detail["name"], ROLE_LABELS[task["role"]], doc["title"], doc["doc_number"], doc["region"],
                         doc["date"] or (doc["year"] or ""), task["clause"], task["citation"], task["text"],
                         "、".join(f"{c['name']}（{ROLE_LABELS[c['role']]}）" for c in task["co_units"])])
    return header, rows


ROLE_LABELS = {"lead": "牵头", "cooperating": "配合", "person": "责任人"}
