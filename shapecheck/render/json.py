"""`--format json`: one document, schema "shapecheck/1"."""

from __future__ import annotations

import json
from typing import TextIO

from ..diagnose.findings import Finding
from ..report import SCHEMA, Report
from ..trace.records import Location
from .common import codes_by_row
from .memory import memory_dict

RUN_SCHEMA = "shapecheck-run/1"


def _location(loc: Location | None) -> dict | None:
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "source": loc.source}


def _finding(f: Finding) -> dict:
    return {
        "code": f.code,
        "severity": f.severity,
        "layer": f.layer,
        "location": _location(f.location),
        "message": f.message,
        "why": f.why,
        "notes": f.notes,
        "related": [{"layer": x.layer, "message": x.message, "location": _location(x.location)} for x in f.labels],
        "fixes": [
            {
                "description": x.description,
                "code": x.code,
                "safety": x.safety,
                "location": _location(x.location),
                "before": x.before,
                "after": x.after,
                "verified": x.verified,
                "result_shape": list(x.result_shape) if x.result_shape else None,
                "check_note": x.check_note,
                "imports": x.imports,
            }
            for x in f.fixes
        ],
    }


def to_dict(report: Report) -> dict:
    t = report.trace
    from ..trace.costs import memory_estimate, total_macs

    return {
        "schema": SCHEMA,
        "model": report.model,
        "inputs": [
            {"shape": list(i.shape), "dtype": i.dtype, "name": i.key if i.key.isidentifier() else None}
            for i in report.inputs
        ],
        "batch": t.batch,
        "engine": report.engine,
        "engine_note": report.engine_note,
        "training": t.training,
        "ok": report.ok,
        "total_params": t.total_params,
        "trainable_params": t.trainable_params,
        "total_mult_adds": total_macs(t),
        "training_memory": memory_estimate(t),
        "memory": memory_dict(report),
        "seconds": round(report.seconds, 4),
        "notes": report.notes,
        "layers": _layers(report),
        "findings": [_finding(f) for f in report.findings],
        "suppressed": [_finding(f) for f in report.suppressed],
        "error": _error(report),
        "accepted_inputs": report.accepted.to_dict() if report.accepted is not None else None,
    }


def _layers(report: Report) -> list[dict]:
    """One entry per row: its shapes, costs and status, and the codes of the findings on it."""
    from ..trace.costs import subtree_macs, tensor_bytes

    codes = codes_by_row(report)
    ok_rows = set(report.diagnosis.ok_rows)
    symbolic = report.accepted is not None
    macs = subtree_macs(report.trace)
    return [
        {
            "index": row.index,
            "name": row.name,
            "type": row.type,
            "kind": row.kind,
            "depth": row.depth,
            "parent": row.parent,
            "call": row.call,
            "input_shapes": [list(i.shape) for i in row.inputs],
            "input_dtypes": [i.dtype for i in row.inputs],
            "output_shapes": [list(o.shape) for o in row.outputs],
            "output_dtypes": [o.dtype for o in row.outputs],
            "symbolic_output_shapes": (
                [list(o.symbolic) if o.symbolic is not None else None for o in row.outputs] if symbolic else None
            ),
            "params": row.params,
            "mult_adds": macs.get(row.index, 0),
            "output_bytes": sum(tensor_bytes(o) for o in row.outputs),
            "status": row.status,
            "location": _location(row.location),
            "boundary_ok": row.index in ok_rows,
            "codes": codes.get(row.index, []),
            "attrs": row.attrs,
        }
        for row in report.trace.layers
    ]


def _error(report: Report) -> dict | None:
    t = report.trace
    if t.error is None:
        return None
    failing = t.failing
    return {"type": t.error.type, "message": t.error.message, "layer": failing.name if failing is not None else None}


def run_dict(results, strict: bool = False) -> dict:
    from ..report import run_exit_code

    return {
        "schema": RUN_SCHEMA,
        "ok": run_exit_code(results, strict) == 0,
        "exit_code": run_exit_code(results, strict),
        "checks": [
            {
                "name": r.name,
                "exit_code": r.exit_code(strict),
                "error": None if r.report is not None else {"message": r.error, "hint": r.hint},
                "report": to_dict(r.report) if r.report is not None else None,
            }
            for r in results
        ],
    }


def stopped_dict(result) -> dict:
    """A report document (schema shapecheck/1) for one model whose check stopped before a trace
    (a model that does not load, an input spec that does not parse): every key is there, with
    nothing traced, and `error` says why."""
    return {
        "schema": SCHEMA,
        "model": result.name,
        "inputs": [],
        "batch": None,
        "engine": None,
        "engine_note": None,
        "training": False,
        "ok": False,
        "total_params": 0,
        "trainable_params": 0,
        "total_mult_adds": 0,
        "training_memory": None,
        "memory": None,
        "seconds": 0.0,
        "notes": [],
        "layers": [],
        "findings": [],
        "suppressed": [],
        "error": {"type": "ShapecheckError", "message": result.error or "", "layer": None, "hint": result.hint},
        "accepted_inputs": None,
    }


def render_results(results, stream: TextIO, *, strict: bool = False, config_run: bool = False, **_: object) -> None:
    """One report document for one model (also when its check stopped); a run document for a
    config run."""
    single = len(results) == 1 and not config_run
    if single:
        doc = to_dict(results[0].report) if results[0].report is not None else stopped_dict(results[0])
    else:
        doc = run_dict(results, strict)
    json.dump(doc, stream, indent=2)
    stream.write("\n")
