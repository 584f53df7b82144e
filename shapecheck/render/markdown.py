"""`--format markdown`: the table and the findings, for a PR comment or a job summary."""

from __future__ import annotations

from typing import TextIO

from ..apply import edit_lines, edit_of
from ..trace.records import OP
from .common import codes_by_row, count, shape_text, visible_rows

_PIPE = "\\|"


def _text(text: str) -> str:
    """Names and messages from a model or a file, as plain text in GitHub markdown: no HTML,
    no @mention that pings someone, no line break that starts a new block."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u200b").replace("\r", " ").replace("\n", " ")


def _cell(text: str) -> str:
    return _text(text).replace("|", _PIPE)


def _longest_backticks(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def _code(text: str, cell: bool = False) -> str:
    """A code span that holds any text: fenced with more backticks than it contains (and with
    its pipes escaped in a table cell, which GitHub splits on before reading spans)."""
    text = text.replace("\r", " ").replace("\n", " ")
    longest = _longest_backticks(text)
    fence, pad = "`" * (longest + 1), " " if longest else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return span.replace("|", _PIPE) if cell else span


def _fence(lines: list[str]) -> str:
    """A code block fence longer than any run of backticks in the block."""
    return "`" * max(3, max((_longest_backticks(line) for line in lines), default=0) + 1)


def report_markdown(name: str, report, depth: int | None) -> str:
    t = report.trace
    codes = codes_by_row(report)
    ok = set(report.diagnosis.ok_rows)
    lines = [
        f"### {_code(name)}",
        "",
        f"input {', '.join(shape_text(i) for i in report.inputs)} · {report.engine} engine · "
        f"{count(t.total_params)} params",
        "",
        "| Layer | Type | Input | Output | Params | Notes |",
        "| --- | --- | --- | --- | ---: | --- |",
    ]
    for row in visible_rows(report, depth):
        notes = (["✓ boundary OK"] if row.index in ok else []) + codes.get(row.index, [])
        output = (
            "✗" if row.failed else ("…" if row.status == "aborted" else ", ".join(shape_text(o) for o in row.outputs))
        )
        name_cell = "&nbsp;" * (2 * row.depth) + _code(row.name, cell=True)
        lines.append(
            "| "
            + " | ".join(
                [
                    name_cell,
                    _cell(row.type),
                    _cell(", ".join(shape_text(i) for i in row.inputs[:3])),
                    _cell(output),
                    "" if row.kind == OP or not row.params else count(row.params),
                    " ".join(notes),
                ]
            )
            + " |"
        )
    lines.append("")
    if report.accepted is not None:
        lines += [f"**accepted inputs**: {_cell(report.accepted.sentence())}", ""]
    for f in report.findings:
        where = f" — {_code(str(f.location))}" if f.location else ""
        lines.append(f"**{f.severity}[{f.code}]**: {_text(f.message)}{where}")
        lines.append("")
        for w in f.why:
            lines.append(f"- {_text(w)}")
        for n in f.notes:
            lines.append(f"- note: {_text(n)}")
        for fix in f.fixes:
            state = " (verified)" if fix.verified else ""
            lines.append(f"- **help** [{fix.safety}]{state}: {_text(fix.description)}")
            edit = edit_of(fix, f.code)
            change = edit_lines(edit) if edit is not None else None
            if edit is not None and change is not None:  # a line of the user's file: shown as the diff --fix writes
                old, new = change
                fence = _fence([old, *new.splitlines()])
                lines += [
                    "",
                    f"  {fence}diff",
                    f"  --- a/{edit.file}",
                    f"  +++ b/{edit.file}",
                    f"  @@ -{edit.line} +{edit.line},{len(new.splitlines())} @@",
                    f"  -{old}",
                    *[f"  +{c}" for c in new.splitlines()],
                    f"  {fence}",
                ]
                continue
            code = fix.after or fix.code
            if code:
                fence = _fence(code.splitlines())
                lines += ["", f"  {fence}python", *[f"  {c}" for c in code.splitlines()], f"  {fence}"]
        lines.append("")
    if report.suppressed:
        lines.append(f"{len(report.suppressed)} suppressed: " + ", ".join(f.code for f in report.suppressed))
        lines.append("")
    if not report.findings:
        lines.append("✓ no shape problems found")
        lines.append("")
    return "\n".join(lines)


def render_results(results, stream: TextIO, *, depth: int | None = None, **_: object) -> None:
    parts = ["## shapecheck", ""]
    for result in results:
        if result.report is None:
            parts += [f"### {_code(result.name)}", "", f"**error**: {_text(result.error or '')}", ""]
        else:
            parts.append(report_markdown(result.name, result.report, depth))
    stream.write("\n".join(parts).rstrip() + "\n")
