"""Rules over a trace: each finds one kind of shape error and proposes fixes."""

from __future__ import annotations

from . import rules, spelling  # noqa: F401 - rules registers the rules
from .boundaries import find_boundaries
from .context import Context, Runner
from .findings import Diagnosis, Finding, Fix
from .registry import CHECKS, CODES, INTENT_CHECKED
from .roles import is_library_file
from ..trace.records import SAME, Rerun, Trace


def diagnose(trace: Trace, runner: Runner | None = None, budget_s: float = 3.0, domain=None,
             verify: bool = True) -> Diagnosis:
    """Run every active rule over a trace.

    `runner` traces again with changes (other input sizes, a fix applied); without it, rules
    work from the trace alone and fixes stay unchecked. `domain` (AcceptedInputs, from
    --symbolic) gives rules exact size ranges instead of probes.
    """
    ctx = Context(trace, runner=runner, budget_s=budget_s, domain=domain)
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
    if verify:  # a finished diagnosis, not one made to check a fix
        for finding in findings:
            verify_fixes(ctx, finding)
            for fix in finding.fixes:
                where = fix.location or finding.location
                if where is not None and not is_library_file(where.file):
                    spelling.apply(fix, where.file)
    return Diagnosis(findings, ok_rows)


def _with_fix(runner: Runner, fix: Rerun) -> Runner:
    """A runner for the model with `fix` applied: every later request keeps the fix."""

    def run(request: Rerun):
        return runner(Rerun(
            dims=request.dims if request.dims is not None else fix.dims,
            dtype=request.dtype or fix.dtype,
            batch=request.batch if request.batch != SAME else fix.batch,
            train=request.train if request.train != SAME else fix.train,
            stop=request.stop, edits=(*fix.edits, *request.edits)))

    return run


def verify_fixes(ctx: Context, finding: Finding) -> None:
    """Apply each fix to a copy (on meta: free), trace again, and keep what happened."""
    for fix in finding.fixes:
        if fix.rerun is None:
            if fix.check_note is None:
                fix.check_note = "not checked: this fix is a change of code shapecheck cannot apply"
            continue
        if ctx.runner is None:
            fix.check_note = "not checked: the model ran on the real engine"
            continue
        try:
            after = ctx.rerun(fix.rerun)
        except TimeoutError:
            fix.check_note = "not checked: the time budget for re-runs was spent"
            continue
        except Exception as exc:  # noqa: BLE001 - a fix that cannot be built is reported, not raised
            fix.verified = False
            fix.check_note = f"could not apply: {type(exc).__name__}: {exc}"
            continue
        if finding.code in INTENT_CHECKED:
            # Re-runs included: the batch must still reach each layer where it belongs.
            again = diagnose(after, runner=_with_fix(ctx.runner, fix.rerun), budget_s=ctx.budget_s, verify=False)
        else:
            again = diagnose(after)
        same = any(f.code == finding.code for f in again.findings)
        if after.error is None and not same:
            fix.verified = True
            root = after.layers[0] if after.layers else None
            if root is not None and root.outputs:
                fix.result_shape = root.outputs[0].shape
        else:
            fix.verified = False
            first = next((f for f in again.findings if f.is_error), None)
            if first is not None:
                fix.check_note = f"with this fix: {first.code} {first.message}"
            else:
                fix.check_note = f"with this fix {finding.code} is still found"
    finding.fixes.sort(key=lambda f: (f.verified is not True,))


__all__ = ["CODES", "Context", "Diagnosis", "Finding", "Fix", "diagnose"]
