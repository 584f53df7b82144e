"""Helpers for a project's own tests: `assert_shapes` fails a test with the table and findings."""

from __future__ import annotations

from .api import check
from .render.text import to_text
from .report import Report


def assert_shapes(model, inputs=None, expect: dict | None = None, **options) -> Report:
    """Check a model in a test: raise AssertionError (with the table and findings) when a layer's
    output shape differs from `expect` ({"fc": [1, 10]}) or when there is an error finding."""
    report = check(model, inputs, **options)
    problems = [p for name, want in (expect or {}).items() if (p := _unexpected(report, name, want)) is not None]
    if report.errors:
        problems.append(f"{len(report.errors)} error finding(s): " + ", ".join(f.code for f in report.errors))
    if problems:
        raise AssertionError("\n".join(problems) + "\n\n" + to_text(report))
    return report


def _unexpected(report: Report, name: str, want) -> str | None:
    """What is wrong with a layer's output against the shape expected of it; None when it matches."""
    row = report.layer(name)
    if row is None:
        names = ", ".join(r.name for r in report.layers if r.kind == "module")
        return f"no layer named `{name}` (layers: {names})"
    if not row.outputs:
        return f"`{name}` produced no output ({row.status})"
    if list(row.outputs[0].shape) != list(want):
        return f"`{name}` outputs {list(row.outputs[0].shape)}, expected {list(want)}"
    return None
