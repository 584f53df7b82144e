"""`shapecheck diff` as a table, JSON (`shapecheck-diff/1`) or Markdown."""

from __future__ import annotations

import json
from typing import TextIO

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..diff import LayerChange, LayerSide, ModelDiff
from .common import count, quantity
from .escape import markdown_cell, markdown_code, markdown_text

DIFF_SCHEMA = "shapecheck-diff/1"
_MARK = {"changed": "~", "added": "+", "removed": "-"}


def _shapes(side: LayerSide | None) -> str:
    if side is None:
        return ""
    if side.failed:
        return "✗"
    return "  ".join("[" + ", ".join(map(str, shape)) + "]" for shape in side.outputs[:3]) or "…"


def _arrow(change: LayerChange, aspect: str, fmt) -> str:
    a = getattr(change.a, aspect) if change.a else None
    b = getattr(change.b, aspect) if change.b else None
    if change.kind == "changed" and aspect not in change.differs:
        return fmt(a) if a else ""
    if not a and not b:
        return ""
    return f"{_side(change.a, a, fmt)} → {_side(change.b, b, fmt)}"


def _side(side: LayerSide | None, value, fmt) -> str:
    """One side of a change: its value, 0 when it has none, — when the layer is not on that side."""
    if value:
        return fmt(value)
    return "—" if side is None else "0"


def _delta(a: int, b: int, fmt=count) -> str:
    if a == b:
        return "same"
    change = f" ({(b - a) / a:+.1%})" if a else ""
    return f"{fmt(a)} → {fmt(b)}{change}"


def summary_line(diff: ModelDiff) -> str:
    kinds = {k: sum(c.kind == k for c in diff.changes) for k in _MARK}
    if diff.same:
        head = f"no layer differs ({diff.compared} compared)"
    else:
        head = f"{len(diff.changes)} layer{'s' * (len(diff.changes) != 1)} differ: " + ", ".join(
            f"{n} {k}" for k, n in kinds.items() if n
        )
    return (
        f"{head} · params {_delta(diff.a.total_params, diff.b.total_params)} · "
        f"Mult-Adds {_delta(diff.a.total_mult_adds, diff.b.total_mult_adds, quantity)}"
    )


def _depth(change: LayerChange) -> int:
    return 0 if change.name == "(model)" else change.name.count(".") + 1


def shown(diff: ModelDiff, depth: int | None) -> list[LayerChange]:
    """The changes at `depth` or above (those below are inside a shown row's figures)."""
    return [c for c in diff.changes if depth is None or _depth(c) <= depth]


def _label(change: LayerChange) -> str:
    name = change.name + (f" (call {change.call})" if change.call > 1 else "")
    if change.kind == "changed" and "type" in change.differs and change.a and change.b:
        kind = f"{change.a.type} → {change.b.type}"
    else:
        kind = (change.a or change.b).type  # type: ignore[union-attr]
    inside = f", +{change.inside} inside" if change.inside else ""
    return f"{name} ({kind}{inside})"


def render_table(diff: ModelDiff, stream: TextIO | None = None, color: str = "auto", depth: int | None = None) -> None:
    from .text import make_console

    console = make_console(stream, color)
    console.print(Text(f"A: {diff.a.label}\nB: {diff.b.label}"), soft_wrap=True)
    for side, summary in (("A", diff.a), ("B", diff.b)):
        if summary.error:
            console.print(Text(f"{side}'s forward pass failed: {summary.error}", style="red"), soft_wrap=True)
    rows = shown(diff, depth)
    if rows:
        table = Table(show_edge=False, pad_edge=False, header_style="bold", box=None)
        table.add_column("")
        table.add_column("Layer", no_wrap=True)
        table.add_column("Output A", overflow="fold")
        table.add_column("Output B", overflow="fold")
        table.add_column("Params", justify="right", no_wrap=True)
        table.add_column("Mult-Adds", justify="right", no_wrap=True)
        for change in rows:
            table.add_row(
                _MARK[change.kind],
                escape(_label(change)),
                escape(_shapes(change.a)),
                escape(_shapes(change.b)),
                _arrow(change, "params", count),
                _arrow(change, "mult_adds", quantity),
                style={"added": "green", "removed": "red"}.get(change.kind),
            )
        console.print()
        console.print(table)
    console.print()
    console.print(Text(summary_line(diff), style="green" if diff.same else "yellow"), soft_wrap=True)


def _side_dict(side: LayerSide | None) -> dict | None:
    if side is None:
        return None
    return {
        "type": side.type,
        "outputs": [list(s) for s in side.outputs],
        "failed": side.failed,
        "params": side.params,
        "mult_adds": side.mult_adds,
    }


def to_dict(diff: ModelDiff) -> dict:
    def model(summary) -> dict:
        return {
            "model": summary.label,
            "total_params": summary.total_params,
            "total_mult_adds": summary.total_mult_adds,
            "error": summary.error,
        }

    return {
        "schema": DIFF_SCHEMA,
        "same": diff.same,
        "a": model(diff.a),
        "b": model(diff.b),
        "compared": diff.compared,
        "layers": [
            {
                "name": c.name,
                "call": c.call,
                "change": c.kind,
                "differs": c.differs,
                "inside": c.inside,
                "a": _side_dict(c.a),
                "b": _side_dict(c.b),
            }
            for c in diff.changes
        ],
    }


def render_json(diff: ModelDiff, stream: TextIO) -> None:
    json.dump(to_dict(diff), stream, indent=2)
    stream.write("\n")


def render_markdown(diff: ModelDiff, stream: TextIO, depth: int | None = None) -> None:
    lines = [
        f"**shapecheck diff** {markdown_code(diff.a.label)} → {markdown_code(diff.b.label)}: "
        f"{markdown_text(summary_line(diff))}",
        "",
    ]
    for side, summary in (("A", diff.a), ("B", diff.b)):
        if summary.error:
            lines += [f"{side}'s forward pass failed: {markdown_code(summary.error)}", ""]
    if shown(diff, depth):
        lines += ["| | Layer | Output A | Output B | Params | Mult-Adds |", "| --- | --- | --- | --- | ---: | ---: |"]
        for c in shown(diff, depth):
            cells = [
                _MARK[c.kind],
                markdown_code(_label(c), cell=True),
                markdown_cell(_shapes(c.a)),
                markdown_cell(_shapes(c.b)),
                markdown_cell(_arrow(c, "params", count)),
                markdown_cell(_arrow(c, "mult_adds", quantity)),
            ]
            lines.append(f"| {' | '.join(cells)} |")
    stream.write("\n".join(lines) + "\n")
