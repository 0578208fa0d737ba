"""Policy intelligence over the whole index: units (责任矩阵: /api/units, /units), and targets
(指标: /api/targets, /targets). Each page answers ?format=json with its /api/ twin's body;
?format=csv (and xlsx for a unit's tasks) downloads the same rows as a sheet.

Lineage (引用/被引用) has no route of its own: /api/documents/<id> carries `cites` and
`cited_by` (payloads.document_payload). The words of these pages are in i18n.UI, said by
`t()` in the reader's language.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.query.targets_view import metric_key, target_sheet, targets_of
from indexer.query.units import task_rows, unit_detail, unit_summary, unit_url, units_of

from . import i18n, params, payloads
from .context import engine
from .exports import FORMATS, page_format, sheet_response

bp = Blueprint("intel", __name__)

# ----- units -------------------------------------------------------------------------------------

def units_payload(q: str) -> dict:
    """Units whose name contains q, most tasks first. Args: the filter. Returns: the /api/units body."""
    found = units_of(engine()).find(q)
    return {"q": q, "count": len(found), "units": [unit_summary(u) for u in found]}


@bp.get("/api/units")
def api_units():
    return jsonify(units_payload(params.text_param(request.args, "q")))


@bp.get("/api/units/<path:name>")
def api_unit(name: str):
    detail = unit_detail(units_of(engine()), name)
    fmt = page_format(request.args)
    if fmt in FORMATS:
        return sheet_response(fmt, f"{detail['name']}-tasks", *task_rows(detail))
    return jsonify(detail)


@bp.get("/units")
def units_page():
    q = params.text_param(request.args, "q")
    payload = units_payload(q)
    if page_format(request.args) == "json":
        return jsonify(payload)
    return render_template("units.html", payload=payload, q=q, total=len(units_of(engine())),
                           json_url=_twin("/api/units", request.args))


@bp.get("/units/<path:name>")
def unit_page(name: str):
    detail = unit_detail(units_of(engine()), name)
    fmt = page_format(request.args)
    if fmt == "json":
        return jsonify(detail)
    if fmt in FORMATS:
        return sheet_response(fmt, f"{detail['name']}-tasks", *task_rows(detail))
    api = "/api" + unit_url(detail["name"])
    return render_template("unit.html", unit=detail, json_url=api,
                           exports={fmt: f"{api}?format={fmt}" for fmt in FORMATS})


# ----- targets -----------------------------------------------------------------------------------

def targets_payload(args: MultiDict) -> dict:
    """Targets matching q (metric), region and year. Args: the request args.
    Returns: the /api/targets body. Raises: QueryError for a bad year or an unknown region."""
    q, region = params.text_param(args, "q"), params.text_param(args, "region")
    year = params.year_param(args, "year")
    table = targets_of(engine())
    return {"q": q, "filters": {"region": region, "year": year},
            "targets": table.as_dicts(table.select(q, region, year))}


@bp.get("/api/targets")
def api_targets():
    payload = targets_payload(request.args)
    if page_format(request.args) == "csv":
        return sheet_response("csv", "targets", *target_sheet(payload["targets"]))
    return jsonify(payload)


@bp.get("/targets")
def targets_page():
    """The targets table and chart; a bad year or region is said on the page (400)."""
    args = request.args
    fmt = page_format(args)
    form = {name: args.get(name, "") for name in ("q", "region", "year")}
    context = {"form": form, "facets": payloads.facets(engine()), "groups": [], "payload": None, "error": None,
               "json_url": _twin("/api/targets", args), "csv_url": _twin("/api/targets", args, fmt="csv")}
    try:
        payload = targets_payload(args)
    except QueryError as exc:
        if fmt != "html":
            raise
        return render_template("targets.html", **{**context, "error": i18n.error_message(exc)}), exc.status
    if fmt == "json":
        return jsonify(payload)
    if fmt == "csv":
        return sheet_response("csv", "targets", *target_sheet(payload["targets"]))
    return render_template("targets.html", **{**context, "payload": payload, "groups": chart_groups(payload["targets"])})


# The chart's drawing units. Rows are two lines (label, then bar and value), so a label never
# shares the width with its bar; the page caps the chart at CHART_MAX_PX (app.css), so 1 unit
# is at most ~1.1 px and text of 16 units reads at ~12 px on a 390 px phone, ~17 px at most.
CHART_WIDTH, VALUE_WIDTH, ROW_HEIGHT, BAR_HEIGHT, LABEL_SIZE = 480, 110, 46, 14, 16


def chart_groups(targets: list[dict]) -> list[dict]:
    """Targets grouped for the comparison view: one group per metric and unit (values in 家 and
    in % are not drawn on one axis), each with its bars for an SVG drawn by the template.

    Args: target dicts (sorted by metric, region). Returns: [{"metric", "unit", "targets",
    "bars": [{"y", "width", "value_x", "label", "value", "target"}], "height", "chart_width",
    "bar_height", "label_size"}] in order of first appearance; bars scale to the group's largest
    value (at least 2 units, so a small value stays visible).
    """
    groups: dict[tuple[str, str], dict] = {}
    for t in targets:
        key = (metric_key(t["metric"]), t["unit"])
        groups.setdefault(key, {"metric": t["metric"], "unit": t["unit"], "targets": []})["targets"].append(t)
    bar_space = CHART_WIDTH - VALUE_WIDTH
    for group in groups.values():
        numbers = [t["value"] for t in group["targets"] if _is_number(t["value"])]
        peak = max(map(abs, numbers), default=0)
        group["bars"] = []
        for i, t in enumerate(group["targets"]):
            width = round(max(2.0, bar_space * abs(t["value"]) / peak), 1) if peak and _is_number(t["value"]) else 2
            group["bars"].append({"y": i * ROW_HEIGHT, "label": _bar_label(t), "target": t,
                                  "value": _number(t["value"]), "width": width, "value_x": width + 6})
        group.update(height=ROW_HEIGHT * len(group["targets"]), chart_width=CHART_WIDTH,
                     bar_height=BAR_HEIGHT, label_size=LABEL_SIZE)
    return list(groups.values())


def _bar_label(target: dict) -> str:
    doc = target["document"]
    region = doc["region"].split("·")[-1] if doc["region"] else i18n.t("unknown_region")
    year = target["year"] if target["year"] is not None else i18n.t("no_year")
    label = f"{region} · {year}"
    return label if len(label) <= 24 else label[:23] + "…"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value) -> str:
    """A value as the page prints it: thousands grouped, no trailing .0."""
    if not _is_number(value):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


# ----- shared ------------------------------------------------------------------------------------

def _twin(path: str, args: MultiDict, fmt: str = "") -> str:
    """The API twin of a page: the same non-empty parameters, without format and lang."""
    pairs = [(k, v) for k, v in args.items(multi=True) if v and k not in ("format", "lang")]
    if fmt:
        pairs.append(("format", fmt))
    return f"{path}?{urlencode(pairs)}" if pairs else path


# Every template (a unit chip in _macros.html, the answer card) may link a name to its unit page.
bp.add_app_template_global(unit_url, "unit_url")
