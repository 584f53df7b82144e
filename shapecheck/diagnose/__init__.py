"""Rules over a trace: each finds one kind of shape error and proposes fixes."""

from __future__ import annotations

from ..trace.records import Trace
from . import repair, rules, spelling  # noqa: F401 - rules registers the rules
from .boundaries import find_boundaries
from .context import Context, Runner
from .findings import ERROR, SAFE, Diagnosis, Finding, Fix
from .registry import CHECKS, CODES, INTENT_CHECKED
from .requests import SAME, Rerun
from .roles import is_library_file

BATCH_CAUSES = ("SC106", "SC116", "SC119", "SC122")  # rules whose finding explains a lost batch


def diagnose(
    trace: Trace,
    runner: Runner | None = None,
    budget_s: float = 3.0,
    domain=None,
    verify: bool = True,
    meta_runner: Runner | None = None,
) -> Diagnosis:
    """Run every active rule over a trace.

    `runner` traces again with changes (other input sizes, a fix applied); without it, rules
    work from the trace alone and fixes stay unchecked. `meta_runner` serves dim provenance
    alone, for a trace the real engine made. `domain` (AcceptedInputs, from
    --symbolic) gives rules exact size ranges instead of probes.
    """
    ctx = Context(trace, runner=runner, budget_s=budget_s, domain=domain, meta_runner=meta_runner)
    ctx.boundaries = find_boundaries(trace)
    findings: list[Finding] = []
    for code in sorted(CHECKS):
        if code == "SC100":
            continue
        findings.extend(CHECKS[code](ctx))
    # An output that lost the batch (SC126) is said by the rule that names the cause, when one does.
    if any(f.code in BATCH_CAUSES for f in findings):
        findings = [f for f in findings if f.code != "SC126"]
    # A rule that names what is wrong on the row that raised explains the failure: it is an
    # error there, even one that warns where the shapes still run (a loss that broadcasts).
    failing = trace.failing.index if trace.failing is not None else None
    for f in findings:
        if f.row is not None and f.row == failing and not f.is_error:
            f.severity = ERROR
    explained = {f.row for f in findings if f.is_error and f.row is not None}
    findings = CHECKS["SC100"](ctx, explained) + findings
    ok_rows = [b.linear.index for b in ctx.boundaries if b.flattened and b.adaptive and not b.linear.failed]
    findings.sort(key=lambda f: (not f.is_error, f.row if f.row is not None else -1))
    if verify:  # a finished diagnosis, not one made to check a fix
        for finding in findings:
            verify_fixes(ctx, finding)
        # The repair search, for the first error: its fixes are verified as they are found.
        first = next((f for f in findings if f.is_error), None)
        if first is not None and (ctx.runner is not None or ctx.meta_runner is not None):
            repair.search(ctx, first, repair.size_locked(ctx, first))
        for finding in findings:
            for fix in finding.fixes:
                where = fix.location or finding.location
                if where is not None and not is_library_file(where.file):
                    spelling.apply(fix, where.file)
    return Diagnosis(findings, ok_rows)


def _with_fix(runner: Runner, fix: Rerun) -> Runner:
    """A runner for the model with `fix` applied: every later request keeps the fix."""

    def run(request: Rerun):
        return runner(
            Rerun(
                dims=request.dims if request.dims is not None else fix.dims,
                dtype=request.dtype or fix.dtype,
                batch=request.batch if request.batch != SAME else fix.batch,
                train=request.train if request.train != SAME else fix.train,
                stop=request.stop,
                edits=(*fix.edits, *request.edits),
            )
        )

    return run


def verify_fixes(ctx: Context, finding: Finding, chains: bool = True) -> None:
    """Apply each fix to a copy (on meta: free), trace again, and keep what happened. A fix that
    only moves the failure to a later layer starts a chain (`_chain`)."""
    chained: list[Fix] = []
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
        except Exception as exc:
            fix.verified = False
            fix.check_note = f"could not apply: {type(exc).__name__}: {exc}"
            continue
        if finding.code in INTENT_CHECKED:
            # Re-runs included: the batch must still reach each layer where it belongs.
            again = diagnose(after, runner=_with_fix(ctx.runner, fix.rerun), budget_s=ctx.budget_s, verify=False)
        else:
            again = diagnose(after)
        same = any(f.code == finding.code for f in again.findings)
        if after.error is None and not same and not _keeps_batch(ctx, fix.rerun, after):
            fix.verified = False
            fix.check_note = "with this fix the model runs, but its output no longer has the batch as a dim"
            continue
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
            moved = first is not None and (first.layer, first.location) != (finding.layer, finding.location)
            if chains and after.error is not None and moved:
                chain = _chain(ctx, finding, fix, after)
                if chain is not None:
                    chained.append(chain)
                    chains = False  # one chain per finding: the first fix that needs one
    finding.fixes[:0] = chained
    # Verified safe, then verified unsafe, then the rest.
    finding.fixes.sort(key=lambda f: (f.verified is not True, f.safety != SAFE if f.verified else False))


def _keeps_batch(ctx: Context, rerun: Rerun, after) -> bool:
    from .intent import batch_survives

    try:
        return batch_survives(ctx, rerun, after, ctx.rerun)
    except (LookupError, TimeoutError):
        return True  # not checked: no budget left, which verification already says elsewhere
    except Exception:  # the second trace failing in model code: it says nothing against the fix
        return True


MAX_CHAIN = 8  # fixes applied in a row before a chain gives up


def _chain(ctx: Context, finding: Finding, fix: Fix, after) -> Fix | None:
    """A fix that leaves a later failure: apply it, fix that failure the same way, and go on
    until the model runs (at most MAX_CHAIN steps). One Fix with every step's edit, verified
    by the last trace; None when a step has no fix of its own or the chain does not end."""
    steps, rerun = [fix], fix.rerun
    if rerun is None or ctx.runner is None:
        return None
    for _ in range(MAX_CHAIN - 1):
        runner = _with_fix(ctx.runner, rerun)
        again = diagnose(after, runner=runner, budget_s=ctx.budget_s, verify=False)
        failing = next((f for f in again.findings if f.is_error), None)
        if after.error is None and failing is None:
            break
        if failing is None:
            return None
        # Only the same kind of edit (in_channels after in_channels, resize after resize): a
        # different kind would be a second guess at intent, not the same fix carried through.
        same_kind = [
            f
            for f in failing.fixes
            if f.rerun is not None
            and f.rerun.edits
            and fix.rerun is not None
            and fix.rerun.edits
            and f.rerun.edits[0].action == fix.rerun.edits[0].action
            and f.safety == fix.safety
        ]
        if not same_kind:
            return None
        nxt = same_kind[0]
        assert nxt.rerun is not None  # same_kind keeps fixes with a rerun
        rerun = Rerun(
            dims=nxt.rerun.dims if nxt.rerun.dims is not None else rerun.dims,
            dtype=nxt.rerun.dtype or rerun.dtype,
            batch=nxt.rerun.batch if nxt.rerun.batch != SAME else rerun.batch,
            train=nxt.rerun.train if nxt.rerun.train != SAME else rerun.train,
            edits=(*rerun.edits, *nxt.rerun.edits),
        )
        steps.append(nxt)
        try:
            after = ctx.rerun(rerun)
        except Exception:
            return None
    else:
        return None
    if after.error is not None or len(steps) < 2:
        return None
    lines = [f"{s.location.line}" if s.location else "" for s in steps]
    parts = [f"{_short(s)}" + (f" at line {line}" if line else "") for s, line in zip(steps, lines, strict=True)]
    why = _shared_cause(steps, after)
    root = after.layers[0] if after.layers else None
    return Fix(
        description=f"{len(steps)} edits, each revealed by the one before: "
        + "; ".join(parts)
        + (f" — {why}" if why else ""),
        code="\n".join(s.after or s.code for s in steps if (s.after or s.code)),
        safety=SAFE if all(s.safety == SAFE for s in steps) else "unsafe",
        location=steps[0].location,
        rerun=rerun,
        verified=True,
        steps=steps,
        result_shape=root.outputs[0].shape if root is not None and root.outputs else None,
    )


def _short(fix: Fix) -> str:
    """`set in_channels=64 on `c2``, without the reason after it."""
    return fix.description.split(" to match ")[0].split(" (")[0].split(": ")[0]


def _shared_cause(steps: list[Fix], after) -> str | None:
    """ "all 3 lines pass `input_nc`": the same argument text in every edited constructor line,
    and what each should likely pass instead: the output-size argument of the layer feeding it
    (`ngf`, `ngf * 2`), read from that layer's own line in the last trace."""
    import re

    firsts = []
    for step in steps:
        match = re.search(r"\w+\(\s*([^,()]+?)\s*,", step.before or "")
        if match is None:
            return None
        firsts.append(match.group(1))
    if len(set(firsts)) != 1 or not firsts[0].isidentifier():
        return None
    text = f"all {len(steps)} lines pass `{firsts[0]}` as the first argument: the edits come from that one argument"
    intended = []
    for step in steps:
        feeder = re.search(r"to match `([^`]+)`", step.description)
        row = next((r for r in after.layers if feeder and r.name == feeder.group(1) and r.defined_at), None)
        second = re.search(r"\w+\(\s*[^,()]+?\s*,\s*([^,()]+?)\s*[,)]", row.defined_at.source) if row else None
        if second is None:
            return text
        intended.append(second.group(1))
    return (
        text
        + "; the likely intent is "
        + ", ".join(f"`{t}`" for t in intended)
        + " (what each layer before it was built to output)"
    )


__all__ = ["CODES", "Context", "Diagnosis", "Finding", "Fix", "diagnose"]
