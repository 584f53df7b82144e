"""Rules over a trace: each finds one kind of shape error and proposes fixes."""

from __future__ import annotations

from . import rules  # noqa: F401 - registers the rules
from .boundaries import find_boundaries
from .context import Context, Probe
from .findings import Diagnosis, Finding, Fix
from .registry import CHECKS, CODES
from ..trace.records import Trace


def diagnose(trace: Trace, probe: Probe | None = None, budget_s: float = 2.0) -> Diagnosis:
    """Run every active rule over a trace. `probe` re-traces at other input sizes (optional)."""
    ctx = Context(trace, probe=probe, budget_s=budget_s)
    ctx.boundaries = find_boundaries(trace)
    findings: list[Finding] = []
    for code in sorted(CHECKS):
        if code == "SC100":
            continue
        findings.extend(CHECKS[code](ctx))
    explained = {f.row for f in findings if f.is_error and f.row is not None}
    findings = CHECKS["SC100"](ctx, explained) + findings
    ok_rows = [b.linear.index for b in ctx.boundaries if b.flattened and b.adaptive and not b.linear.failed]
    findings.sort(key=lambda f: (not f.is_error, f.row if f.row is not None else -1))
    return Diagnosis(findings, ok_rows)


__all__ = ["CODES", "Context", "Diagnosis", "Finding", "Fix", "diagnose"]
