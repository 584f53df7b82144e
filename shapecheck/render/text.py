"""The terminal report: a per-layer table, a summary line, findings written like rustc's."""

from __future__ import annotations

import os
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..diagnose.findings import Finding, Fix
from ..report import Report
from ..trace.records import OP, RowStatus
from .common import (
    DEFAULT_COLUMNS,
    binary_bytes,
    codes_by_row,
    count,
    quantity,
    seconds,
    shape_text,
    shapes_text,
    visible_rows,
)


def make_console(stream: TextIO | None = None, color: str = "auto") -> Console:
    force = {"always": True, "never": False}.get(color)
    width = None
    is_tty = bool(getattr(stream, "isatty", lambda: False)()) if stream is not None else None
    if not is_tty and not os.environ.get("COLUMNS"):
        width = 200  # files and pipes: wide enough that names and shapes do not wrap
    return Console(
        file=stream,
        # Rich shows output through IPython's display() in a notebook, whatever the file: a
        # report written to a stream must go to that stream (one block, no ANSI), not be shown.
        force_jupyter=False if stream is not None else None,
        force_terminal=force,
        no_color=(color == "never") or None,
        width=width,
        highlight=False,
        soft_wrap=False,
    )


def _shown_at(report: Report, index: int, visible: set[int]) -> int:
    """The row itself, or its nearest visible ancestor when --depth folds it away."""
    row = report.layers[index]
    while row.index not in visible and row.parent is not None:
        row = report.layers[row.parent]
    return row.index


def _own_name(report: Report, row) -> str:
    """`conv1` for `layer1.0.conv1` under `layer1.0`; the whole name at the top."""
    parent = report.layers[row.parent] if row.parent is not None else None
    if parent is not None and parent.parent is not None and row.name.startswith(parent.name + "."):
        return row.name[len(parent.name) + 1 :]
    return row.name


def layer_table(report: Report, depth: int | None = None, width: int = 120, columns=None) -> Table:
    """The per-layer table; narrow terminals lose the Type, then the Params column. `columns`
    (from `--columns`) chooses them instead."""
    rows = list(visible_rows(report, depth))
    visible = {r.index for r in rows}
    codes = _codes_shown(report, visible)
    ok_rows = {_shown_at(report, i, visible) for i in report.diagnosis.ok_rows}
    symbolic = report.accepted is not None
    order = list(columns) if columns is not None else _default_columns(report, width, symbolic)
    cost = _costs(report) if {"mult_adds", "output_bytes"} & set(order) else {}
    table = _empty_table(order, width, symbolic)
    # A narrow terminal shows a nested layer by its own part of the name (`conv1` under
    # `layer1.0`): indentation says where it sits, and names are never split over lines.
    short = width < 100
    for row in rows:
        name = "  " * row.depth + (_own_name(report, row) if short else row.name)
        cells = [escape(name), *_value_cells(report, row, order, cost, symbolic)]
        cells.append(" ".join(_notes(report, row, row.index in ok_rows, codes.get(row.index, []))))
        table.add_row(*cells, style="red" if row.failed else ("dim" if row.kind == OP else None))
    return table


def _value_cells(report: Report, row, order: list[str], cost: dict, symbolic: bool) -> list[str]:
    """A row's cells in the chosen columns; with sizes as expressions, a symbolic output after
    the output."""
    cells = []
    for column in order:
        cells.append(_cell(report, row, column, cost))
        if column == "output" and symbolic:
            cells.append("" if row.failed or row.status == RowStatus.ABORTED else escape(symbolic_text(row.outputs)))
    return cells


def _codes_shown(report: Report, visible: set[int]) -> dict[int, list[str]]:
    """The finding codes of each shown row, a folded row's codes on the row that shows it."""
    codes: dict[int, list[str]] = {}
    for index, row_codes in codes_by_row(report).items():
        target = codes.setdefault(_shown_at(report, index, visible), [])
        target.extend(c for c in row_codes if c not in target)
    return codes


def _default_columns(report: Report, width: int, symbolic: bool) -> list[str]:
    shown = set(DEFAULT_COLUMNS)
    if width < (130 if symbolic else 100):
        shown.discard("type")
    if width < 70:
        shown.discard("params")
    if symbolic and width < 150:
        shown.discard("input")
    order = [c for c in DEFAULT_COLUMNS if c in shown]
    if report.trace.memory is not None and width >= 100:
        order.append("saved_bytes")
    return order


def _empty_table(order: list[str], width: int, symbolic: bool) -> Table:
    no_wrap = "params" in order or "mult_adds" in order
    table = Table(show_edge=False, pad_edge=False, header_style="bold", box=None)
    table.add_column("Layer", no_wrap=True, min_width=min(16, width // 4))
    for column in order:
        title, right = _TITLES[column]
        table.add_column(title, justify="right" if right else "left", no_wrap=no_wrap or right, overflow="fold")
        if column == "output" and symbolic:
            table.add_column("Symbolic output", overflow="fold")
    table.add_column("Notes", overflow="fold")
    return table


def _notes(report: Report, row, boundary_ok: bool, codes: list[str]) -> list[str]:
    notes = ["[green]✓ boundary OK[/]"] if boundary_ok else []
    notes += [f"[{_code_style(report, code)}]{code}[/]" for code in codes]
    if row.call > 1:
        notes.append(f"call {row.call}")
    if row.attrs.get("shares_weights_with"):
        notes.append(escape(f"weights of {row.attrs['shares_weights_with']}"))
    if row.kind == OP and row.called_at is not None:
        notes.append(escape(f"{os.path.basename(row.called_at.file)}:{row.called_at.line}"))
    return notes


def _code_style(report: Report, code: str) -> str:
    """Red for a code with an error finding, yellow for warnings only."""
    return "red" if any(f.code == code and f.is_error for f in report.findings) else "yellow"


_TITLES = {
    "type": ("Type", False),
    "input": ("Input", False),
    "output": ("Output", False),
    "params": ("Params", True),
    "params_percent": ("Params %", True),
    "mult_adds": ("Mult-Adds", True),
    "kernel": ("Kernel", False),
    "groups": ("Groups", True),
    "trainable": ("Trainable", False),
    "param_bytes": ("Param bytes", True),
    "output_bytes": ("Output bytes", True),
    "saved_bytes": ("Kept for backward", True),
}


def _costs(report: Report) -> dict:
    from ..trace.costs import subtree_macs, tensor_bytes

    return {
        "macs": subtree_macs(report.trace),
        "bytes": {r.index: sum(tensor_bytes(t) for t in r.outputs) for r in report.trace.layers},
    }


def _cell(report: Report, row, column: str, cost: dict) -> str:
    """One cell of the table: the row's value in `column`, as rich markup."""
    if column == "output":
        if row.failed:
            return "[red bold]✗[/]"
        return "[dim]…[/]" if row.status == RowStatus.ABORTED else escape(shapes_text(row.outputs))
    params = 0 if row.kind == OP else row.params
    if column in _PARAM_CELLS:
        return _PARAM_CELLS[column](report, params) if params else ""
    if column in _COST_CELLS:
        return _COST_CELLS[column](row, cost)
    return _ATTR_CELLS[column](report, row) if column in _ATTR_CELLS else ""


_PARAM_CELLS = {
    "params": lambda report, params: count(params),
    "params_percent": lambda report, params: (
        f"{100 * params / report.trace.total_params:.2f}%" if report.trace.total_params else ""
    ),
    "param_bytes": lambda report, params: quantity(4 * params, "B"),
}


def _mult_adds_cell(row, cost: dict) -> str:
    macs = cost["macs"].get(row.index, 0)
    return count(macs) if macs else ""


def _output_bytes_cell(row, cost: dict) -> str:
    size = cost["bytes"].get(row.index, 0)
    return quantity(size, "B") if size and not row.failed else ""


_COST_CELLS = {"mult_adds": _mult_adds_cell, "output_bytes": _output_bytes_cell}


def _saved_bytes_cell(report: Report, row) -> str:
    if row.kind == OP or report.trace.memory is None:
        return ""
    from .memory import subtree_saved

    size = subtree_saved(report.trace.memory, "" if row.depth == 0 else row.name, report.trace.batch or 1)
    return binary_bytes(size) if size else ""


def _kernel_cell(report: Report, row) -> str:
    k = row.attrs.get("kernel_size")
    return "×".join(map(str, k)) if isinstance(k, list) else (str(k) if k else "")


def _groups_cell(report: Report, row) -> str:
    groups = row.attrs.get("groups") if row.kind != OP else None
    return str(groups) if groups else ""


def _trainable_cell(report: Report, row) -> str:
    if row.kind == OP or not row.params:
        return ""
    return "yes" if row.trainable == row.params else ("no" if not row.trainable else "partly")


_ATTR_CELLS = {
    "type": lambda report, row: escape(row.type),
    "input": lambda report, row: escape(shapes_text(row.inputs)),
    "saved_bytes": _saved_bytes_cell,
    "kernel": _kernel_cell,
    "groups": _groups_cell,
    "trainable": _trainable_cell,
}


def symbolic_text(tensors) -> str:
    """`[B, 512, H//32, W//32]` for each output that has expressions."""
    parts = ["[" + ", ".join(t.symbolic) + "]" for t in tensors[:3] if t.symbolic is not None]
    return "\n".join(parts)


def accepted_text(accepted) -> Text:
    """The accepted input sizes: one sentence, a small table of dims, the constraints behind it."""
    out = Text()
    how = "from the symbolic trace" if accepted.method == "symbolic" else "from probes"
    out.append("accepted inputs: ", style="bold")
    out.append(accepted.sentence())
    out.append(f"  ({how}, {seconds(accepted.seconds)})\n", style="dim")
    header, *lines = _aligned(
        [("dim", "given", "accepts", "set by")]
        + [(d.name, str(d.given), _accepts(d), d.imposed_by or "") for d in accepted.dims]
    )
    out.append(header + "\n", style="dim")
    for line in lines + _needs(accepted.constraints):
        out.append(line + "\n")
    for d in accepted.dims:
        if d.note:
            out.append(f"  {d.name}: {d.note}\n", style="dim")
    for note in accepted.notes:
        out.append(f"  note: {note}\n", style="dim")
    return out


def _needs(constraints) -> list[str]:
    """The constraints a dim's range does not say: exact sizes, multiples, and those over several dims."""
    return [
        f"  needs {c.text}" + (f"  ({c.layer})" if c.layer else "")
        for c in constraints
        if c.kind in ("exact", "multiple") or len(c.dims) > 1
    ]


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells as lines, indented, each column as wide as its widest cell."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in rows]


def _accepts(dim) -> str:
    text = dim.text()
    return text[len(dim.name) + 1 :] if text.startswith(dim.name + " ") else text


def _inputs_text(inputs: list) -> str:
    """`x [1, 3, 224, 224] float32, mask [1, 16] bool, +2 more`: the first three inputs, named when named."""
    text = ", ".join(
        f"{i.key + ' ' if i.key and i.key.isidentifier() else ''}{shape_text(i)} {i.dtype}" for i in inputs[:3]
    )
    return text + (f", +{len(inputs) - 3} more" if len(inputs) > 3 else "")


def summary(report: Report) -> Text:
    inputs = _inputs_text(report.inputs)
    t = report.trace
    text = Text()
    text.append(report.model, style="bold")
    if report.engine == "none":  # summary() without an input: nothing ran
        text.append(" · no input, parameters only")
    elif inputs:
        text.append(f" · input {inputs} · {report.engine} engine")
    else:
        text.append(f" · no input · {report.engine} engine")
    if t.training:
        text.append(" · train mode")
    text.append(f" · {count(t.total_params)} params ({count(t.trainable_params)} trainable)")
    from ..trace.costs import total_macs

    macs = total_macs(t)
    if macs:
        text.append(f" · {quantity(macs)} Mult-Adds")
    text.append(f" · {seconds(report.seconds)} (trace {seconds(t.seconds)})")
    return text


def suppressed_text(report: Report) -> str:
    if not report.suppressed:
        return ""
    codes = ", ".join(sorted({f.code for f in report.suppressed}))
    return f" ({len(report.suppressed)} suppressed: {codes})"


def status_line(report: Report) -> Text:
    errors, warnings = len(report.errors), len(report.warnings)
    if not report.findings:
        return Text("✓ no shape problems found" + suppressed_text(report), style="green")
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return Text("found " + " and ".join(parts) + suppressed_text(report), style="red" if errors else "yellow")


def shape_text_of(dims) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


def _gutter(n: int | str, width: int) -> str:
    return f"{n!s:>{width}} | "


def finding_text(f: Finding) -> Text:
    color = "red" if f.is_error else "yellow"
    out = Text()
    out.append(f"{f.severity}[{f.code}]", style=f"bold {color}")
    out.append(f": {f.message}\n", style="bold")
    width = _gutter_width(f)
    pad = " " * width
    if f.location:
        out.append(_location_text(f.location, width))
    labels = [f"{label.message} ({label.location})" if label.location else label.message for label in f.labels]
    for kind, entries in (("from", labels), ("why", f.why), ("note", f.notes)):
        for entry in entries:
            out.append(f"{pad} = ", style="blue")
            out.append(f"{kind}: {entry}\n")
    for fix in f.fixes:
        out.append(fix_text(fix, width))
    return out


def _gutter_width(f: Finding) -> int:
    """Wide enough for the largest line number shown (the finding's and its fixes'), at least 3."""
    locations = [f.location, *(x.location for x in f.fixes)]
    lines = [loc.line for loc in locations if loc]
    return max(3, len(str(max(lines)))) if lines else 3


def _location_text(location, width: int) -> Text:
    """`--> file:line`, then the line itself in the gutter when its source is known."""
    pad = " " * width
    out = Text()
    out.append(f"{pad}--> {location}\n", style="blue")
    if location.source:
        out.append(f"{pad} |\n", style="blue")
        out.append(_gutter(location.line, width), style="blue")
        out.append(f"{location.source}\n")
        out.append(f"{pad} |\n", style="blue")
    return out


def fix_text(fix: Fix, width: int) -> Text:
    pad = " " * width
    out = Text()
    out.append("help", style="bold cyan")
    out.append(f": {fix.description} ")
    out.append(f"[{fix.safety}", style="dim")
    verdict = _verdict(fix)
    if verdict is not None:
        out.append(" · ", style="dim")
        out.append(*verdict)
    out.append("]\n", style="dim")
    out.append(_fix_body(fix, width))
    for line in fix.imports:
        out.append(f"{pad} = ", style="blue")
        out.append(f"add at the top of the file: {line}\n")
    if fix.verified is False and fix.check_note:
        out.append(f"{pad} = note: {fix.check_note}\n", style="dim")
    return out


def _verdict(fix: Fix) -> tuple[str, str] | None:
    """How checking the fix ended, as (words, style); None when it was not checked."""
    if fix.verified:
        shape = f": output {shape_text_of(fix.result_shape)}" if fix.result_shape else ""
        return f"verified{shape}", "green"
    if fix.verified is False:
        return ("runs, but breaks intent", "yellow") if fix.runs_but else ("does not fix it", "red")
    return None


def _fix_body(fix: Fix, width: int) -> Text:
    pad = " " * width
    out = Text()
    loc = fix.location
    if loc:
        out.append(f"{pad}--> {loc}\n", style="blue")
    if fix.before is not None and fix.after is not None and loc:
        out.append(f"{loc.line:>{width}} - ", style="red")
        out.append(f"{fix.before}\n", style="red")
        out.append(f"{loc.line:>{width}} + ", style="green")
        out.append(f"{fix.after}\n", style="green")
        return out
    lines = fix.code.splitlines()
    if loc and lines and lines[-1].strip() == loc.source.strip():
        out.append(_insertion(lines, loc.line, width))
    else:
        for line in lines:
            out.append(f"{pad} | ", style="blue")
            out.append(f"{line}\n")
    return out


def _insertion(lines: list[str], at: int, width: int) -> Text:
    """Lines put in front of line `at` (the code's last line, shown as it is): each marked +."""
    out = Text()
    for line in lines[:-1]:
        out.append(f"{'':>{width}} + ", style="green")
        out.append(f"{line}\n", style="green")
    out.append(_gutter(at, width), style="blue")
    out.append(f"{lines[-1]}\n")
    return out


def render(
    report: Report, stream: TextIO | None = None, *, depth: int | None = None, color: str = "auto", columns=None
) -> None:
    console = make_console(stream, color)
    if report.trace.construction is None:
        console.print(layer_table(report, depth, console.width, columns))
    else:
        console.print(Text("no layers: the model could not be built", style="red"))
    console.print()
    console.print(summary(report), soft_wrap=True)
    for note in report.notes + ([report.engine_note] if report.engine_note else []):
        console.print(Text(f"note: {note}", style="dim"), soft_wrap=True)
    _print_analyses(console, report)
    if report.trace.error is not None and not report.findings:
        err = report.trace.error
        console.print(Text(f"the forward pass raised {err.type}: {err.message}", style="red"))
    for f in report.findings:
        console.print()
        console.print(finding_text(f), end="", soft_wrap=True)
    console.print()
    console.print(status_line(report))


def _print_analyses(console: Console, report: Report) -> None:
    """What --memory and --symbolic worked out, each after a blank line."""
    if report.trace.memory is not None:
        from .memory import memory_lines

        console.print()
        for line in memory_lines(report):
            console.print(Text(line), soft_wrap=True)
    if report.accepted is not None:
        console.print()
        console.print(accepted_text(report.accepted), end="", soft_wrap=True)


def render_results(
    results,
    stream: TextIO | None = None,
    *,
    depth: int | None = None,
    color: str = "auto",
    strict: bool = False,
    columns=None,
    **_: object,
) -> None:
    """The table report of each check; with several checks, a header each and a closing summary."""
    console = make_console(stream, color)
    many = len(results) > 1
    for result in results:
        if many:
            console.rule(Text(result.name, style="bold"), align="left")
        if result.report is None:
            console.print(Text(f"error: {result.error}", style="red"), soft_wrap=True)
            if result.hint:
                console.print(Text(f"  hint: {result.hint}"), soft_wrap=True)
        else:
            render(result.report, stream, depth=depth, color=color, columns=columns)
        if many:
            console.print()
    if many:
        console.print(_runs_summary(results, strict), soft_wrap=True)


def _runs_summary(results, strict: bool) -> Text:
    """ "3 checks: 2 passed, 1 failed · 1 error, 0 warnings, 0 suppressed", red when the run fails."""
    from ..report import run_exit_code

    failed = sum(r.exit_code(strict) != 0 for r in results)
    findings = [f for r in results if r.report for f in r.report.findings]
    errors = sum(f.is_error for f in findings)
    suppressed = sum(len(r.report.suppressed) for r in results if r.report)
    text = (
        f"{len(results)} checks: {len(results) - failed} passed, {failed} failed · {errors} error"
        f"{'s' * (errors != 1)}, {len(findings) - errors} warning{'s' * (len(findings) - errors != 1)}, "
        f"{suppressed} suppressed"
    )
    return Text(text, style="red" if run_exit_code(results, strict) else "green")


def to_text(report: Report) -> str:
    """The table report as plain text (no colour), as the terminal shows it."""
    import io

    out = io.StringIO()
    render(report, out, color="never")
    return out.getvalue()


Report.as_text = to_text  # how a report shows in IPython and Jupyter (report.py names the hook)
