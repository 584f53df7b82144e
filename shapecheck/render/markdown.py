"""`--format markdown`: the table and the findings, for a PR comment or a job summary."""

from __future__ import annotations

from typing import TextIO

from ..apply import edit_lines, edit_of
from ..trace.records import OP, RowStatus
from .common import codes_by_row, count, shape_text, visible_rows
from .escape import markdown_cell, markdown_code, markdown_fence, markdown_text, one_line


def report_markdown(name: str, report, depth: int | None) -> str:
    t = report.trace
    lines = [
        f"### {markdown_code(name)}",
        "",
        f"input {', '.join(shape_text(i) for i in report.inputs)} · {report.engine} engine · "
        f"{count(t.total_params)} params",
        "",
        *_layer_table(report, depth),
        "",
    ]
    if report.accepted is not None:
        lines += [f"**accepted inputs**: {markdown_cell(report.accepted.sentence())}", ""]
    for f in report.findings:
        lines += _finding_lines(f)
    if report.suppressed:
        lines.append(f"{len(report.suppressed)} suppressed: " + ", ".join(f.code for f in report.suppressed))
        lines.append("")
    if not report.findings:
        lines.append("✓ no shape problems found")
        lines.append("")
    return "\n".join(lines)


def _layer_table(report, depth: int | None) -> list[str]:
    codes = codes_by_row(report)
    ok = set(report.diagnosis.ok_rows)
    lines = ["| Layer | Type | Input | Output | Params | Notes |", "| --- | --- | --- | --- | ---: | --- |"]
    for row in visible_rows(report, depth):
        notes = (["✓ boundary OK"] if row.index in ok else []) + codes.get(row.index, [])
        output = (
            "✗"
            if row.failed
            else ("…" if row.status == RowStatus.ABORTED else ", ".join(shape_text(o) for o in row.outputs))
        )
        cells = [
            "&nbsp;" * (2 * row.depth) + markdown_code(row.name, cell=True),
            markdown_cell(row.type),
            markdown_cell(", ".join(shape_text(i) for i in row.inputs[:3])),
            markdown_cell(output),
            "" if row.kind == OP or not row.params else count(row.params),
            " ".join(notes),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _finding_lines(f) -> list[str]:
    where = f" — {markdown_code(str(f.location))}" if f.location else ""
    lines = [f"**{f.severity}[{f.code}]**: {markdown_text(f.message)}{where}", ""]
    lines += [f"- {markdown_text(w)}" for w in f.why]
    lines += [f"- note: {markdown_text(n)}" for n in f.notes]
    for fix in f.fixes:
        state = " (verified)" if fix.verified else ""
        lines.append(f"- **help** [{fix.safety}]{state}: {markdown_text(fix.description)}")
        lines += _fix_block(fix, f.code)
    lines.append("")
    return lines


def _fix_block(fix, code: str) -> list[str]:
    """A line of the user's file as the diff --fix writes; else the fix's code, fenced."""
    edit = edit_of(fix, code)
    change = edit_lines(edit) if edit is not None else None
    if edit is not None and change is not None:
        old, new = change
        file = one_line(edit.file)
        fence = markdown_fence([old, *new.splitlines(), file])
        return [
            "",
            f"  {fence}diff",
            f"  --- a/{file}",
            f"  +++ b/{file}",
            f"  @@ -{edit.line} +{edit.line},{len(new.splitlines())} @@",
            f"  -{old}",
            *[f"  +{c}" for c in new.splitlines()],
            f"  {fence}",
        ]
    text = fix.after or fix.code
    if not text:
        return []
    fence = markdown_fence(text.splitlines())
    return ["", f"  {fence}python", *[f"  {c}" for c in text.splitlines()], f"  {fence}"]


def render_results(results, stream: TextIO, *, depth: int | None = None, **_: object) -> None:
    parts = ["## shapecheck", ""]
    for result in results:
        if result.report is None:
            parts += [f"### {markdown_code(result.name)}", "", f"**error**: {markdown_text(result.error or '')}", ""]
        else:
            parts.append(report_markdown(result.name, result.report, depth))
    stream.write("\n".join(parts).rstrip() + "\n")
