"""A live diagnosis (`shapecheck run`, `watch()`, the IPython extension, the pytest plugin) as
the terminal shows it, as Markdown, and as JSON data."""

from __future__ import annotations

import io

from ..report import CheckResult, LiveDiagnosis

# How deep the table of a live diagnosis goes by default (the failing row always shows).
LIVE_DEPTH = 1


def live_text(found: LiveDiagnosis, color: str = "never", depth: int | None = LIVE_DEPTH) -> str:
    """The diagnosis as the terminal shows it: the table folded to the model's own layers (the
    failing row is shown wherever it is), since it comes before a traceback."""
    from .text import render

    out = io.StringIO()
    out.write(f"shapecheck: {found.error}\n")
    out.writelines(_where_raised(found))
    if found.link:
        out.write(f"  {found.link}\n")
    if found.report is not None:
        out.write("\n")
        render(found.report, out, color=color, depth=depth)
    if found.finding is not None:
        from .text import finding_text, make_console

        out.write("\n")
        make_console(out, color).print(finding_text(found.finding), end="", soft_wrap=True)
    elif found.note:
        out.write(f"  note: {found.note}\n")
    if found.command:
        out.write(f"\nto check it on its own (in CI): {found.command}\n")
    return out.getvalue()


def _where_raised(found: LiveDiagnosis) -> list[str]:
    """The user's line that raised, or the failing call with its operands."""
    call = found.call
    if call is None:
        return [f"  raised at {found.raised_at}\n"] if found.raised_at else []
    by = "" if call.call == call.source else f"by {call.call} "  # a C op: no callee to name
    return [
        f"  raised {by}at {call.file}:{call.line}: {call.source}\n",
        *(f"    {name}: {list(shape)} {dtype}\n" for name, shape, dtype in call.operands),
    ]


def live_markdown(found: LiveDiagnosis) -> str:
    from . import renderer

    lines = ["## shapecheck run", "", f"`{found.error}`", ""]
    if found.raised_at:
        lines += [f"raised at `{found.raised_at}`", ""]
    if found.link:
        lines += [found.link, ""]
    if found.finding is not None:
        f = found.finding
        lines += [f"`{f.severity}[{f.code}]` at `{f.location}`: {f.message}", ""]
    if found.note:
        lines += [f"note: {found.note}", ""]
    out = io.StringIO()
    if found.report is not None:
        renderer("markdown")([CheckResult(found.model or "model", found.report)], out)
    if found.command:
        out.write(f"\nTo check it on its own (in CI): `{found.command}`\n")
    return "\n".join(lines) + out.getvalue()


def live_dict(found: LiveDiagnosis) -> dict:
    from .json import _finding, to_dict

    call = found.call
    return {
        "error": found.error,
        "raised_at": found.raised_at,
        "model": found.model,
        "report": to_dict(found.report) if found.report is not None else None,
        "call": None
        if call is None
        else {
            "file": call.file,
            "line": call.line,
            "source": call.source,
            "call": call.call,
            "operands": [{"name": n, "shape": list(s), "dtype": d} for n, s, d in call.operands],
        },
        "link": found.link,
        "command": found.command,
        "note": found.note,
        "finding": _finding(found.finding) if found.finding is not None else None,
    }
