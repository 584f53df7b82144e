"""Formatting shared by the renderers."""

from __future__ import annotations

from ..trace.records import TensorInfo


def shape_text(t: TensorInfo) -> str:
    return "[" + ", ".join(str(d) for d in t.shape) + "]"


def shapes_text(tensors: list[TensorInfo], limit: int = 3) -> str:
    if not tensors:
        return ""
    keyed = len(tensors) > 1
    parts = [(f"{t.key.rstrip('=')}: " if keyed and t.key else "") + shape_text(t) for t in tensors[:limit]]
    if len(tensors) > limit:
        parts.append(f"+{len(tensors) - limit} more")
    return "\n".join(parts) if keyed else parts[0]


def count(n: int) -> str:
    return f"{n:,}"


def seconds(s: float) -> str:
    return f"{s:.2f} s"


def visible_rows(report, depth: int | None):
    """The rows at or above `depth`, and the failing row wherever it is."""
    failing = report.trace.error.layer if report.trace.error else None
    for row in report.layers:
        if depth is None or row.depth <= depth or row.index == failing:
            yield row


def codes_by_row(report) -> dict[int, list[str]]:
    """row index → the codes of the findings on that row, in finding order."""
    codes: dict[int, list[str]] = {}
    for f in report.findings:
        if f.row is not None:
            codes.setdefault(f.row, []).append(f.code)
    return codes
