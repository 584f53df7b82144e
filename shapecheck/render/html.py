"""`--format html`: one self-contained page (no script, no external file): a graph of the
model's modules and functional ops as SVG, the findings, and the per-layer table.

The graph shows the rows at the deepest level that keeps it readable (at most `_MOST` boxes),
data flowing from the row that made each tensor to the rows that read it. The row that failed
and the edges into it are red; a run of identical blocks in a row (same type, parameters and
shapes, each feeding the next) is one box marked ×N.

Every fragment is made by `html()` from a template of this module, so each value in it (a
layer's name, a class name, a message) is escaped; nothing else writes markup.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from ..report import Report
from ..trace.records import OP, LayerRecord
from .common import codes_by_row, count, quantity, shape_text, shapes_text
from .escape import Markup, html, html_join

_MOST = 48  # boxes in the graph
_BOX_W, _BOX_H, _STEP, _LEFT, _TOP = 360, 46, 74, 30, 20
INPUT = -1  # the node of the model's inputs


@dataclass
class Node:
    key: int  # the row index it stands for (INPUT for the model's inputs)
    title: str
    detail: str
    output: str
    op: bool = False
    failed: bool = False
    repeat: int = 1
    last: str = ""  # the name of the last block folded into it
    members: list[int] = field(default_factory=list)  # row indices folded into it


@dataclass
class Edge:
    source: int
    target: int
    shape: str
    failing: bool = False


def _graph_depth(report: Report) -> int:
    """The deepest level whose boxes number at most _MOST (repeats folded count once)."""
    deepest = max((r.depth for r in report.layers), default=0)
    for depth in range(deepest, 0, -1):
        if len(_fold(report, _nodes_at(report, depth))[0]) <= _MOST:
            return depth
    return 1


def _nodes_at(report: Report, depth: int) -> list[LayerRecord]:
    """Rows that are boxes at `depth`: those at it, and shallower ones with nothing below."""
    has_child = {r.parent for r in report.layers if r.parent is not None and r.depth <= depth}
    rows = [r for r in report.layers if 0 < r.depth <= depth and (r.depth == depth or r.index not in has_child)]
    return rows or [r for r in report.layers if r.depth == 0]


def _fold(report: Report, rows: list[LayerRecord]) -> tuple[list[Node], dict[int, int]]:
    """Nodes for `rows`, runs of identical blocks folded; and row index → the node's key."""
    nodes: list[Node] = []
    owner: dict[int, int] = {}
    previous: LayerRecord | None = None
    for row in rows:
        if nodes and previous is not None and _repeats(report, row, previous):
            last = nodes[-1]
            last.repeat += 1
            last.last = row.name
            last.members.append(row.index)
            owner[row.index] = last.key
        else:
            nodes.append(_node(row))
            owner[row.index] = row.index
        previous = row
    return nodes, owner


def _repeats(report: Report, row: LayerRecord, previous: LayerRecord) -> bool:
    """Whether `row` is one more of the block before it: the same type, parent, parameters and
    shapes, fed by it (one block after another, not side by side), and not the failing one."""
    if row.kind == OP or row.failed or not _alike(row, previous):
        return False
    return any(t.source is not None and _within(report, t.source, previous.index) for t in row.inputs)


def _alike(row: LayerRecord, other: LayerRecord) -> bool:
    """The same type, parent, parameters and shapes."""
    if (row.type, row.parent, row.params) != (other.type, other.parent, other.params):
        return False
    return _shapes(row.inputs) == _shapes(other.inputs) and _shapes(row.outputs) == _shapes(other.outputs)


def _shapes(tensors) -> list:
    return [t.shape for t in tensors]


def _node(row: LayerRecord) -> Node:
    return Node(
        key=row.index,
        title=row.name,
        detail=row.type + (f" · {count(row.params)} params" if row.kind != OP and row.params else ""),
        output="✗" if row.failed else shapes_text(row.outputs, limit=2).replace("\n", " "),
        op=row.kind == OP,
        members=[row.index],
    )


def _within(report: Report, index: int, ancestor: int) -> bool:
    return any(row.index == ancestor for row in report.trace.ancestors(report.trace.layers[index]))


def build_graph(report: Report) -> tuple[list[Node], list[Edge]]:
    depth = _graph_depth(report)
    nodes, owner = _fold(report, _nodes_at(report, depth))

    def node_of(index: int | None) -> int | None:
        row = report.trace.row(index)
        while row is not None and row.index not in owner:
            row = report.trace.row(row.parent)
        return owner[row.index] if row is not None else None

    failing = report.trace.failing
    if failing is not None:
        for node in nodes:
            if node.key == node_of(failing.index):
                node.failed = True
                node.output = "✗"
    edges = _edges(report, node_of)
    if report.inputs:
        shapes = ", ".join(shape_text(i) for i in report.inputs[:3])
        nodes.insert(0, Node(INPUT, "input", f"{report.trace.batch or 'no'} batch", shapes))
    return nodes, edges


def _edges(report: Report, node_of: Callable[[int | None], int | None]) -> list[Edge]:
    """An edge for each tensor a box reads from another box (or the model's input); the one
    into the failing row is marked, with the shape that did not fit."""
    made = _made(report)
    failing = report.trace.failing
    edges: dict[tuple[int, int], Edge] = {}
    for row in report.trace.layers:
        target = node_of(row.index)
        if target is None:
            continue
        for t in row.inputs:
            source = _source(report, t, row, made, node_of)
            if source is None or source == target:
                continue
            edge = edges.setdefault((source, target), Edge(source, target, shape_text(t)))
            if failing is not None and row.index == failing.index:
                edge.failing = True
                edge.shape = shape_text(t)
    return list(edges.values())


def _made(report: Report) -> dict[int | None, list[int]]:
    """The rows that returned each tensor, in order."""
    made: dict[int | None, list[int]] = {}
    for row in report.trace.layers:
        for t in row.outputs:
            made.setdefault(t.tid, []).append(row.index)
    return made


def _source(report: Report, t, reader: LayerRecord, made: dict, node_of) -> int | None:
    """The box a tensor comes from: its producer's, INPUT for the model's input, else None."""
    made_by = _producer(report, made, t, reader) if t.tid is not None else t.source
    if made_by is not None:
        return node_of(made_by)
    return INPUT if report.trace.is_model_input(t) else None


def _producer(report: Report, made: dict, t, reader: LayerRecord) -> int | None:
    """A tensor's producer, for a row that reads it: the last row before it that returned it (an
    in-place ReLU returns the tensor the BatchNorm before it made), not counting enclosing rows."""
    before = made.get(t.tid, [])[: bisect.bisect_left(made.get(t.tid, []), reader.index)]
    for index in reversed(before):
        if not _within(report, reader.index, index):
            return index
    return t.source


def svg(report: Report) -> Markup:
    nodes, edges = build_graph(report)
    place = {node.key: i for i, node in enumerate(nodes)}
    parts, width = _edges_svg(edges, place)
    parts += [_node_svg(node, _TOP + i * _STEP) for i, node in enumerate(nodes)]
    height = _TOP + len(nodes) * _STEP
    markers = [
        html(
            '<marker id="{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
            'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>',
            name,
            fill,
        )
        for name, fill in (("arrow", "#57606a"), ("arrow-failing", "#cf222e"))
    ]
    return html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'viewBox="0 0 {width} {height}" role="img" aria-label="graph of the model"><defs>{defs}</defs>{parts}</svg>',
        width=width,
        height=height,
        defs=html_join(markers),
        parts=html_join(parts),
    )


def _edges_svg(edges: list[Edge], place: dict[int, int]) -> tuple[list[Markup], int]:
    """The edges, top to bottom, and the width they need: one to the next box is a straight
    line down with its shape beside it; a longer one curves out to the right, in the first
    lane free from its source on."""
    lanes: list[int] = []  # the lowest row each lane is busy until, for long edges
    parts: list[Markup] = []
    width = _LEFT + _BOX_W + 40
    for edge in sorted(edges, key=lambda e: (place.get(e.source, 0), place.get(e.target, 0))):
        if edge.source not in place or edge.target not in place:
            continue
        a, b = place[edge.source], place[edge.target]
        if b == a + 1:
            parts += _next_edge(edge, a, b)
            continue
        lane = next((i for i, busy in enumerate(lanes) if busy <= a), len(lanes))
        if lane == len(lanes):
            lanes.append(b)
        lanes[lane] = b
        drawn, needed = _long_edge(edge, a, b, lane)
        parts += drawn
        width = max(width, needed)
    return parts, width


def _next_edge(edge: Edge, a: int, b: int) -> list[Markup]:
    x = _LEFT + _BOX_W // 2
    y1, y2 = _TOP + a * _STEP + _BOX_H, _TOP + b * _STEP
    return [
        html(
            '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#{})"/>',
            "edge failing" if edge.failing else "edge",
            x,
            y1,
            x,
            y2 - 2,
            "arrow-failing" if edge.failing else "arrow",
        ),
        html(
            '<text class="{}" x="{}" y="{}">{}</text>',
            "shape failing" if edge.failing else "shape",
            x + 8,
            (y1 + y2) // 2 + 4,
            edge.shape,
        ),
    ]


def _long_edge(edge: Edge, a: int, b: int, lane: int) -> tuple[list[Markup], int]:
    """The curve from box `a` to box `b` in `lane`, and the width it needs."""
    right = _LEFT + _BOX_W
    out = right + 18 + 16 * lane
    ya, yb = _TOP + a * _STEP + _BOX_H // 2, _TOP + b * _STEP + _BOX_H // 2
    parts = [
        html(
            '<path class="{cls}" d="M{right},{ya} C{out},{ya} {out},{yb} {end},{yb}" '
            'marker-end="url(#{arrow})"><title>{shape}</title></path>',
            cls="edge failing" if edge.failing else "edge",
            right=right,
            ya=ya,
            out=out,
            yb=yb,
            end=right + 2,
            arrow="arrow-failing" if edge.failing else "arrow",
            shape=edge.shape,
        )
    ]
    if not edge.failing:
        return parts, out + 20
    # the tensor that does not fit, named where it arrives
    parts.append(html('<text class="shape failing" x="{}" y="{}">{}</text>', out + 8, yb + 4, edge.shape))
    return parts, max(out + 20, out + 30 + 8 * len(edge.shape))


def _node_svg(node: Node, y: int) -> Markup:
    """A box: its title, its type and parameters, its output; a stack when blocks were folded."""
    cls = (
        "node" + (" op" if node.op else "") + (" failed" if node.failed else "") + (" io" if node.key == INPUT else "")
    )
    title = html("{} – {} (×{})", node.title, node.last, node.repeat) if node.repeat > 1 else node.title
    box: list[Markup] = []
    if node.repeat > 1:  # a stack: the folded copies behind
        box.append(
            html('<rect class="behind" x="{}" y="{}" width="{}" height="{}" rx="6"/>', _LEFT + 5, y - 5, _BOX_W, _BOX_H)
        )
    box.append(html('<rect x="{}" y="{}" width="{}" height="{}" rx="6"/>', _LEFT, y, _BOX_W, _BOX_H))
    box.append(
        html(
            '<text class="title" x="{x}" y="{top}">{title}</text>'
            '<text class="detail" x="{x}" y="{bottom}">{detail}</text>'
            '<text class="out" x="{right}" y="{bottom}" text-anchor="end">{output}</text>',
            x=_LEFT + 10,
            top=y + 18,
            bottom=y + 36,
            right=_LEFT + _BOX_W - 10,
            title=title,
            detail=node.detail,
            output=node.output,
        )
    )
    return html('<g class="{}">{}</g>', cls, html_join(box))


_STYLE = Markup("""
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.summary { color: #57606a; } .ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.warn { color: #9a6700; font-weight: 600; }
.node rect { fill: #f6f8fa; stroke: #8c959f; } .node.op rect { fill: #ffffff; stroke-dasharray: 4 3; }
.node.io rect { fill: #ddf4ff; stroke: #54aeff; }
.node.failed rect { fill: #ffebe9; stroke: #cf222e; stroke-width: 2.5; }
.node rect.behind { fill: #eaeef2; }
.node .title { font: 600 13px ui-monospace, monospace; } .node .detail { font-size: 12px; fill: #57606a; }
.node .out { font: 12px ui-monospace, monospace; } .node.failed .out { fill: #cf222e; font-weight: 700; }
.edge { stroke: #57606a; stroke-width: 1.5; fill: none; } .edge.failing { stroke: #cf222e; stroke-width: 3.5; }
.shape { font: 11px ui-monospace, monospace; fill: #57606a; } .shape.failing { fill: #cf222e; font-weight: 700; }
table { border-collapse: collapse; font: 12px ui-monospace, monospace; }
th, td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; white-space: pre; }
td.num { text-align: right; } tr.failed td { color: #cf222e; } tr.op td { color: #57606a; }
pre.finding { background: #f6f8fa; padding: 10px; border-left: 4px solid #cf222e; white-space: pre-wrap; }
pre.finding.warning { border-left-color: #bf8700; }
""")


def _table(report: Report) -> Markup:
    codes = codes_by_row(report)
    rows = [
        html(
            "<table><tr><th>Layer</th><th>Type</th><th>Input</th><th>Output</th><th>Params</th><th>Mult-Adds</th>"
            "<th>Notes</th></tr>"
        )
    ]
    from ..trace.costs import subtree_macs

    macs = subtree_macs(report.trace)
    for row in report.layers:
        cls = "failed" if row.failed else ("op" if row.kind == OP else "")
        output = "✗" if row.failed else shapes_text(row.outputs)
        params = count(row.params) if row.kind != OP and row.params else ""
        cost = quantity(macs.get(row.index, 0)) if macs.get(row.index) else ""
        rows.append(
            html(
                '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>',
                cls,
                "  " * row.depth + row.name,
                row.type,
                shapes_text(row.inputs),
                output,
                params,
                cost,
                "; ".join(_notes(report, row, codes)),
            )
        )
    rows.append(html("</table>"))
    return html_join(rows, "\n")


def _notes(report: Report, row: LayerRecord, codes: dict[int, list[str]]) -> list[str]:
    """The table's Notes, as the terminal shows them: the row's codes, a boundary found fine,
    a repeated call, weights shared with another layer, an op's line."""
    notes = list(codes.get(row.index, []))
    if row.index in report.diagnosis.ok_rows:
        notes.append("✓ boundary OK")
    if row.call > 1:
        notes.append(f"call {row.call}")
    if row.attrs.get("shares_weights_with"):
        notes.append(f"weights of {row.attrs['shares_weights_with']}")
    if row.kind == OP and row.called_at is not None:
        notes.append(f"{os.path.basename(row.called_at.file)}:{row.called_at.line}")
    return notes


def report_html(report: Report) -> Markup:
    from .text import finding_text, status_line, summary

    status = status_line(report).plain
    cls = "ok" if not report.findings else ("bad" if report.errors else "warn")
    parts = [
        html("<h1>{}</h1>", report.model),
        html('<p class="summary">{}</p>', summary(report).plain),
        html('<p class="{}">{}</p>', cls, status),
    ]
    if report.trace.error is not None and not report.findings:
        parts.append(html('<p class="bad">{}: {}</p>', report.trace.error.type, report.trace.error.message))
    # the findings first: what a reader came for, above a graph that can be pages tall
    if report.findings:
        parts.append(html("<h2>Findings</h2>"))
        for f in report.findings:
            level = "finding" if f.is_error else "finding warning"
            parts.append(html('<pre class="{}">{}</pre>', level, finding_text(f).plain))
    parts.append(html("<h2>Graph</h2>"))
    parts.append(svg(report))
    parts.append(html("<h2>Layers</h2>"))
    parts.append(_table(report))
    return html_join(parts, "\n")


def page(sections: list[Markup], title: str) -> Markup:
    return html(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>{title}</title><style>{style}</style></head><body>\n{body}\n</body></html>\n",
        title=title,
        style=_STYLE,
        body=html_join(sections, html("\n<hr>\n")),
    )


def render_results(results, stream: TextIO, **_: object) -> None:
    sections = []
    for result in results:
        if result.report is None:
            hint = html("<p>hint: {}</p>", result.hint) if result.hint else html("")
            sections.append(html('<h1>{}</h1><p class="bad">error: {}</p>{}', result.name, result.error or "", hint))
        else:
            sections.append(report_html(result.report))
    stream.write(page(sections, "shapecheck: " + ", ".join(r.name for r in results[:3])))
