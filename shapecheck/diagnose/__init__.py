"""Rules over a trace: each finds one kind of shape error and proposes fixes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TypeVar

from ..saved.records import CheckpointReport
from ..trace.budget import DEFAULT_RERUN_S, MAX_RERUNS, CapReached, SafetyCap
from ..trace.records import Trace
from ..trace.requests import SourceNotPatched
from . import repair, rules, spelling  # noqa: F401 - rules registers the rules
from .boundaries import find_boundaries
from .context import Context, RerunFailed, Runner
from .findings import DISPLAY_ONLY, ERROR, SAFE, UNSAFE, WARNING, Diagnosis, Finding, Fix, FixKind
from .layers import groups_whole_samples
from .owners import owner_argument, shared_first_argument
from .provenance import rerun_any
from .registry import CHECKS, CODES, INTENT_CHECKED
from .requests import SAME, Edit, EditAction, Rerun
from .roles import is_library_file

_T = TypeVar("_T")

BATCH_CAUSES = ("SC106", "SC116", "SC119", "SC122")  # rules whose finding explains a lost batch


def diagnose(
    trace: Trace,
    runner: Runner | None = None,
    budget_s: float = DEFAULT_RERUN_S,
    domain=None,
    verify: bool = True,
    meta_runner: Runner | None = None,
    max_reruns: int = MAX_RERUNS,
    cap: SafetyCap | None = None,
    checkpoint: CheckpointReport | None = None,
) -> Diagnosis:
    """Run every active rule over a trace.

    `runner` traces again with changes (other input sizes, a fix applied); without it, rules
    work from the trace alone and fixes stay unchecked. `meta_runner` serves dim provenance
    alone, for a trace the real engine made. `domain` (AcceptedInputs, from
    --symbolic) gives rules exact size ranges instead of probes. `checkpoint` (from --weights) is
    what SC110 compares with the model; diagnoses of fixed models, nested in this one, have none.

    Re-runs are counted: at most `max_reruns` (each diagnosis nested in this one, to check a
    fix, counts its own). Time is only the safety cap, `cap` (shared with the nested ones), or
    10× `budget_s` CPU seconds; when a search stops there, `Diagnosis.notes` says so.
    """
    ctx = Context(
        trace,
        runner=runner,
        budget_s=budget_s,
        domain=domain,
        meta_runner=meta_runner,
        max_reruns=max_reruns,
        cap=cap,
        checkpoint=checkpoint,
    )
    ctx.boundaries = find_boundaries(trace)
    findings = _findings(ctx)
    if verify:  # a finished diagnosis: a failure that shows only at a larger batch, said here
        findings += _at_larger_batch(ctx, findings)
    ok_rows = _pooled_to_fit(ctx)
    if verify:  # a finished diagnosis, not one made to check a fix
        _check_fixes(ctx, findings)
    notes = [ctx.cap.note] if verify and ctx.cap is not None and ctx.cap.reached else []
    return Diagnosis(findings, ok_rows, notes=notes)


def _pooled_to_fit(ctx: Context) -> list[int]:
    """The Linear rows an adaptive pool and a flatten size for any input: checked, and fine."""
    return [b.linear.index for b in ctx.boundaries if b.flattened and b.adaptive and not b.linear.failed]


def _findings(ctx: Context) -> list[Finding]:
    """Every rule's findings, errors first and in row order; SC100 for a failure no rule explains."""
    findings = _once(_loss_warnings_read(_batch_said_once(_rule_findings(ctx))))
    _errors_at_the_failure(ctx.trace, findings)
    explained = {f.row for f in findings if f.is_error and f.row is not None}
    # A model that could not be built has no rows: a rule that reads why explains it.
    not_built = ctx.trace.construction is not None and any(f.is_error for f in findings)
    findings = ([] if not_built else CHECKS["SC100"](ctx, explained)) + findings
    findings.sort(key=lambda f: (not f.is_error, f.row if f.row is not None else -1))
    return findings


def _rule_findings(ctx: Context) -> list[Finding]:
    """Every rule's findings but SC100's, in code order."""
    return [finding for code in sorted(CHECKS) if code != "SC100" for finding in CHECKS[code](ctx)]


def _batch_said_once(findings: list[Finding]) -> list[Finding]:
    """An output that lost the batch (SC126) is said by the rule that names the cause, when one does."""
    if any(f.code in BATCH_CAUSES for f in findings):
        return [f for f in findings if f.code != "SC126"]
    return findings


def _errors_at_the_failure(trace: Trace, findings: list[Finding]) -> None:
    """A rule that names what is wrong on the row that raised explains the failure: it is an
    error there, even one that warns where the shapes still run (a loss that broadcasts). A
    warning about the batch on a row that feeds the failing one is the failure's cause (a sum
    that paired every sample with every other, then a reshape that cannot hold it): an error,
    and first, as it comes first in the rows."""
    failing = trace.failing
    if failing is None:
        return
    feeding = {r.index for r in trace.upstream(failing)}
    for f in findings:
        cause = f.row in feeding and f.code in BATCH_CAUSES
        if f.row is not None and (f.row == failing.index or cause) and not f.is_error:
            f.severity = ERROR


# Warnings about the input size alone: one on the row that fails at batch + 2 does not explain it.
_INPUT_SIZE_ONLY = ("SC103",)


def _at_larger_batch(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """The model runs at the traced batch and fails at batch + 2 (the trace provenance makes):
    a mask, weight or view that lines up only at batch 1. That failure, diagnosed on its own
    trace, is a warning here, its fixes checked at batch + 2. Not when a finding already
    explains the batch, or the row that fails there."""
    trace, runner = ctx.trace, ctx.runner
    if trace.batch is None or runner is None or not _batch_unexplained(trace, findings):
        return []
    at = trace.batch + 2
    other = _failing_at(ctx, at, findings)
    if other is None:
        return []
    try:
        there = diagnose(
            other,
            runner=lambda request: runner(request if request.batch != SAME else replace(request, batch=at)),
            budget_s=ctx.budget_s,
            verify=False,
            max_reruns=ctx.max_reruns,
            cap=ctx.cap,
        )
    except (LookupError, TimeoutError):
        return []
    return [_said_at(trace, other, at, finding) for finding in there.findings if finding.is_error]


def _batch_unexplained(trace: Trace, findings: list[Finding]) -> bool:
    """A model that runs at the traced batch, with no finding that already explains the batch."""
    if trace.error is not None or trace.image_list:
        return False
    return not any(f.is_error or f.code in (*BATCH_CAUSES, "SC126") for f in findings)


def _failing_at(ctx: Context, at: int, findings: list[Finding]) -> Trace | None:
    """The trace at batch `at` when the model fails there, at a row no finding names, and not
    where whole samples go in groups (a batch that is no multiple of k is not the design)."""
    try:
        other = ctx.rerun(Rerun(batch=at))
    except (LookupError, TimeoutError):
        return None
    failing = other.failing
    if other.error is None or failing is None:
        return None
    if any(f.row == failing.index and f.code not in _INPUT_SIZE_ONLY for f in findings):
        return None
    same = ctx.trace.row(_same_row(ctx.trace, other, failing.index))
    if groups_whole_samples(failing) or (same is not None and groups_whole_samples(same)):
        return None
    return other


def _said_at(trace: Trace, other: Trace, at: int, finding: Finding) -> Finding:
    """An error of the trace at batch `at`, said as a warning about this trace's rows."""
    finding.severity = WARNING
    finding.message = f"at batch {at}, {finding.message}"
    finding.row = _same_row(trace, other, finding.row)  # a row of this trace, or none
    finding.why.insert(0, f"the model runs at batch {trace.batch}; traced at batch {at} it fails here")
    # what PyTorch prints there, not at the batch the user traced
    finding.notes = [f"at batch {at}, {n}" if n.startswith("PyTorch reports:") else n for n in finding.notes]
    for fix in finding.fixes:
        _fix_at(fix, at)
    return finding


def _fix_at(fix: Fix, at: int) -> None:
    """An edit is checked at batch `at`; an input size or an argument, read there, is not checked."""
    if fix.kind != FixKind.EDIT:
        fix.rerun = None
        fix.check_note = f"not checked: found at batch {at}"
        return
    rerun = fix.rerun or _as_written(fix)
    if rerun is not None:
        fix.rerun = replace(rerun, batch=at) if rerun.batch == SAME else rerun


def _same_row(trace: Trace, other: Trace, index: int | None) -> int | None:
    """Row `index` of `other` as a row of `trace`: the same call at the same place, or None."""
    if index is None or index >= len(trace.layers) or index >= len(other.layers):
        return None
    a, b = trace.layers[index], other.layers[index]
    return index if (a.name, a.type, a.call) == (b.name, b.type, b.call) else None


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a shared module called twice (a siamese encoder) gives the same finding,
    at the same line, at each call."""
    seen: set = set()
    kept = []
    for f in findings:
        where = (f.location.file, f.location.line) if f.location is not None else None
        key = (f.code, f.message, where)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def _loss_warnings_read(findings: list[Finding]) -> list[Finding]:
    """PyTorch's size warning from a loss (SC123) is said by SC125 where SC125 reads that loss,
    with the shapes and a fix; where it does not, the warning stays."""
    read = [f for f in findings if f.code == "SC125"]
    rows = {f.row for f in read if f.row is not None}
    lines = {(f.location.file, f.location.line) for f in read if f.location is not None}

    def said(f: Finding) -> bool:
        where = (f.location.file, f.location.line) if f.location is not None else None
        return f.code == "SC123" and (f.row in rows or where in lines)

    return [f for f in findings if not said(f)]


def _check_fixes(ctx: Context, findings: list[Finding]) -> None:
    """Verify each fix by tracing the fixed model, search for more for the first error, and write
    each fix in the names its file imports."""
    for finding in findings:
        verify_fixes(ctx, finding)
    # The repair search, for the first error: its fixes are verified as they are found.
    first = next((f for f in findings if f.is_error), None)
    if first is not None and (ctx.runner is not None or ctx.meta_runner is not None):
        repair.search(ctx, first, repair.size_locked(ctx, first))
    _after_lost_batch(findings)
    _in_the_files_names(findings)


def _in_the_files_names(findings: list[Finding]) -> None:
    """Each fix written in the names its file imports (`nn.Linear` or `Linear`), where the file is the user's."""
    for finding in findings:
        for fix in finding.fixes:
            where = fix.location or finding.location
            if where is not None and not is_library_file(where.file):
                spelling.apply(fix, where.file)


def _after_lost_batch(findings: list[Finding]) -> None:
    """A layer resized to fit what arrives after the batch was mixed (SC106: `view(64, -1)` on a
    batch of 36) runs, but on rows that are not samples: such a fix is not verified."""
    causes = [f for f in findings if f.code in BATCH_CAUSES and f.is_error and f.row is not None]
    for finding in findings:
        if finding in causes or finding.row is None:
            continue
        cause = next((c for c in causes if c.row is not None and c.row < finding.row), None)
        if cause is not None:
            _mixed_before(finding, cause)


def _mixed_before(finding: Finding, cause: Finding) -> None:
    """`finding`'s verified fixes that resize a layer are not verified: `cause` mixed the batch before it."""
    where = f" (line {cause.location.line})" if cause.location is not None else ""
    for fix in finding.fixes:
        if fix.verified and fix.safety != SAFE:
            fix.verified = False
            fix.runs_but = f"the batch is already mixed by `{cause.layer}`{where}: {cause.code} fixes that"
            fix.check_note = f"runs, but {fix.runs_but}"


def _nested(ctx: Context, after: Trace, runner: Runner) -> Diagnosis:
    """A whole diagnosis of a fixed model, re-runs included: its own count, the same cap."""
    return diagnose(after, runner=runner, budget_s=ctx.budget_s, verify=False, max_reruns=ctx.max_reruns, cap=ctx.cap)


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
    only moves the failure to a later layer starts a chain (`_chain`). A fix is verified only
    when the model then runs, the finding is gone and the fix keeps the model's intent
    (`intent.broken`); one that runs but breaks an invariant says which (`Fix.runs_but`). A fix
    whose re-run raises is dropped, with a note on the finding: a candidate never ends a report."""
    chained: list[Fix] = []
    own = list(finding.fixes)  # the rule's own fixes: whether it names the input as the cause
    dropped: list[Fix] = []
    owners: list[Fix] = []  # written where the layer's owner is built, for a fix on a shared line
    for fix in finding.fixes:
        owned, chain = _verify_fix(ctx, finding, fix, own, dropped, chains)
        if owned is not None:
            owners.append(owned)
        if chain is not None:
            chained.append(chain)
            chains = False  # one chain per finding: the first fix that needs one
    finding.fixes[:] = [f for f in finding.fixes if all(f is not d for d in dropped)] + owners
    finding.fixes[:0] = chained
    # Verified safe, then verified unsafe, then the rest.
    was_first = finding.fixes[0] if finding.fixes else None
    finding.fixes.sort(key=lambda f: (f.verified is not True, f.safety != SAFE if f.verified else False))
    _first_reads_first(finding.fixes, was_first)


def _verify_fix(
    ctx: Context, finding: Finding, fix: Fix, own: list[Fix], dropped: list[Fix], chains: bool
) -> tuple[Fix | None, Fix | None]:
    """Check one fix (`verify_fixes`): (the same change written where the layer's owner is
    built, when the fix's line is shared; the chain the fix starts, when it moves the failure)."""
    if not _checkable(ctx, fix):
        return None, None
    traced = _retraced(ctx, finding, fix, dropped)
    if traced is None:
        return None, None
    after, again = traced
    if after.error is not None or any(f.code == finding.code for f in again.findings):
        return None, _still_fails(ctx, finding, fix, after, again, own, chains)
    silent = _silent_at_the_line(finding, fix, again)
    if silent is not None:  # the error is gone, and the same line now holds a silent bug
        fix.verified, fix.runs_but, fix.check_note = False, silent, f"runs, but {silent}"
        return None, None
    return _runs(ctx, finding, fix, after, own), None


# Findings of a model that runs but computes across what it means to keep apart: a view that
# regroups dims, samples mixed or lost, a reduction or broadcast over the batch.
SILENT_AFTER = {"SC106", "SC119", "SC120", "SC121", "SC122", "SC126"}


def _silent_at_the_line(finding: Finding, fix: Fix, again: Diagnosis) -> str | None:
    """`the line then regroups …: SC121 …` when the fixed model runs but its diagnosis finds a
    silent bug at the very line that failed (SC111's `view` made a `reshape` that still regroups
    [B, T, D] into [B, H, T, hd]): the fix moved the error out of sight, not its cause."""
    where = finding.location
    if where is None:
        return None
    for found in again.findings:
        at = found.location
        if found.code in SILENT_AFTER and at is not None and (at.file, at.line) == (where.file, where.line):
            return f"line {where.line} then has {found.code}: {found.message}"
    return None


def _first_reads_first(fixes: list[Fix], was_first: Fix | None) -> None:
    """A fix written as the other reading (`or pool …`) that the re-trace put first drops its
    `or`, and the one it put after itself takes it."""
    if not fixes or not fixes[0].description.startswith(("or, ", "or ")):
        return
    fixes[0].description = fixes[0].description.removeprefix("or, ").removeprefix("or ")
    if was_first is not None and was_first is not fixes[0] and not was_first.description.startswith("or"):
        was_first.description = "or " + was_first.description


def _as_written(fix: Fix) -> Rerun | None:
    """A fix that is one changed line of the user's code, and no edit of its own: checked as
    written, by compiling the method that holds the line again with it (`source_line`)."""
    where = fix.location
    if where is None or is_library_file(where.file) or not _one_line_edit(fix):
        return None
    params = (("file", where.file), ("line", where.line), ("before", fix.before), ("after", fix.after))
    return Rerun(edits=(Edit("source_line", params=params),))


def _one_line_edit(fix: Fix) -> bool:
    """An edit that changes one line into another, with no placeholder to fill in."""
    if fix.kind != FixKind.EDIT or fix.safety == DISPLAY_ONLY or not fix.before or not fix.after:
        return False
    if "\n" in fix.after or fix.before.strip() == fix.after.strip():
        return False
    return not any(mark in fix.after for mark in ("...", "…", "<", "TODO"))


def _written(fix: Fix) -> bool:
    return fix.rerun is not None and any(e.action == "source_line" for e in fix.rerun.edits)


def _checkable(ctx: Context, fix: Fix) -> bool:
    """A fix with a re-run, and a runner to make it; otherwise its note says why not."""
    runner = ctx.runner or ctx.meta_runner  # a real-engine trace's fixes are checked on meta
    if fix.rerun is None and runner is not None:
        fix.rerun = _as_written(fix)
    if fix.rerun is None:
        if fix.check_note is None:
            fix.check_note = "not checked: this fix is a change of code shapecheck cannot apply"
        return False
    if runner is None:
        fix.check_note = "not checked: the model ran on the real engine"
        return False
    return True


def _retraced(ctx: Context, finding: Finding, fix: Fix, dropped: list[Fix]):
    """(the trace with the fix applied, its diagnosis), or None with the fix's note set, or the
    fix added to `dropped` with a note on the finding when its re-run raised."""
    runner = ctx.runner or ctx.meta_runner
    assert fix.rerun is not None and runner is not None  # _checkable
    try:
        after = rerun_any(ctx, fix.rerun)
        if finding.code in INTENT_CHECKED:
            # Re-runs included: the batch must still reach each layer where it belongs.
            return after, _nested(ctx, after, _with_fix(runner, fix.rerun))
        return after, diagnose(after)
    except TimeoutError as exc:
        fix.check_note = _unchecked(exc, ctx)
    except SourceNotPatched as exc:  # the line could not be put into the copy: not checked
        fix.rerun = None
        fix.check_note = f"not checked: {exc}"
    except RerunFailed as exc:
        if _written(fix):  # the user's line as the fix writes it raised: said, not dropped
            fix.rerun = None
            fix.check_note = f"not checked: with this line the model raised {exc}"
            return None
        dropped.append(fix)
        finding.notes.append(f"a candidate fix was dropped: with it the model raised {exc} ({_short(fix)})")
    except LookupError as exc:
        fix.verified = False
        fix.check_note = f"could not apply: {type(exc).__name__}: {exc}"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # checking a candidate never ends the report
        dropped.append(fix)
        finding.notes.append(
            f"a candidate fix was dropped: checking it raised {type(exc).__name__}: {exc} ({_short(fix)})"
        )
    return None


def _runs(ctx: Context, finding: Finding, fix: Fix, after: Trace, own: list[Fix]) -> Fix | None:
    """The fixed model runs and the finding is gone: verified, unless it breaks the model's intent
    or, written on a line other layers share, it breaks them (then the same change written
    where the layer's owner is built is returned, checked as written)."""
    assert fix.rerun is not None  # _checkable
    why = _intent_broken(ctx, finding, fix.rerun, after, own)
    if why is not None:
        fix.verified = False
        fix.runs_but = why
        fix.check_note = f"runs, but {why}"
        return None
    shared, unwritten = _written_elsewhere(ctx, fix.rerun, fix.steps or [fix], after)
    if shared is not None or unwritten is not None:
        # breaks the other layers the line builds, or could not be checked as written: not verified
        fix.verified = False if shared is not None else None
        fix.check_note = shared or unwritten
        return _owner_fix(ctx, finding, fix, after)
    fix.verified = True
    shape = _root_shape(after)
    if shape is not None:
        fix.result_shape = shape
    return None


def _failure(trace: Trace) -> str | None:
    """What a re-traced model meets: its first error finding (`SC104 …`), else the exception it
    raised; None when it runs with no error."""
    first = next((f for f in diagnose(trace, verify=False).findings if f.is_error), None)
    if first is not None:
        return f"{first.code} {first.message}"
    return f"{trace.error.type}: {trace.error.message}" if trace.error is not None else None


def _owner_line(owner) -> Fix:
    """The owner's line with the argument written in (checked as written with `_as_written`)."""
    return Fix(
        description="",
        code=owner.after,
        location=owner.location,
        before=(owner.location.source or "").strip(),
        after=owner.after,
    )


def _owner_as_written(ctx: Context, rerun: Rerun, owner) -> tuple[str | None, str | None]:
    """The owner's line with its argument, put into the model built again from its file: (what
    then fails, or None; a note when it cannot be built again so)."""
    written = _as_written(_owner_line(owner))
    unwritten = "checked by editing the layers; the line as written could not be put into the model"
    if written is None:
        return None, unwritten
    try:
        said = _failure(ctx.rerun(replace(rerun, edits=written.edits)))
    except SourceNotPatched:
        return None, unwritten
    except (LookupError, TimeoutError) as exc:
        return f"written at line {owner.location.line}, the model raised {exc}", None
    return (f"written at line {owner.location.line}, the model then fails: {said}", None) if said else (None, None)


def _owner_fix(ctx: Context, finding: Finding, fix: Fix, after: Trace) -> Fix | None:
    """A fix whose line builds other layers too, written instead as the argument it edits, where
    the module that passes it is built (`self.inc = DoubleConv(32, 64)` rather than `cin` → 32
    inside `DoubleConv`), and checked as written; None when no owner takes that argument."""
    owner = owner_argument([fix], after)
    if owner is None or fix.rerun is None or fix.location is None:
        return None
    candidate = _owner_line(owner)
    candidate.description = (
        f"build `{owner.owner}` with {owner.parameter}={owner.value}: line {fix.location.line} "
        f"builds other layers too, so the size goes where `{owner.owner}` is built"
    )
    candidate.safety = fix.safety
    written = _as_written(candidate)
    if written is None:
        return None
    candidate.rerun = replace(fix.rerun, edits=written.edits)
    try:
        owned = ctx.rerun(candidate.rerun)
    except (LookupError, TimeoutError) as exc:
        candidate.check_note = f"not checked: {exc}"
        return candidate
    said = _failure(owned)
    candidate.verified = said is None
    if said is None:
        candidate.result_shape = _root_shape(owned)
    else:
        candidate.check_note = f"with this fix: {said}"
    return candidate


def _shared_lines(traced: Trace, steps: list[Fix]) -> dict[tuple[str, int], list[str]]:
    """For each step written on a line that builds more than one layer of the edited layer's type
    (a line in a block's `__init__`), those layers (in `traced`, the fixed model's trace, which
    runs them all): an edit checked on one of them changes them all."""
    built: dict[tuple[str, int], dict[str, str]] = {}
    for row in traced.layers:
        if row.kind == "module" and row.defined_at is not None:
            built.setdefault((row.defined_at.file, row.defined_at.line), {})[row.name] = row.type
    shared = {}
    for step in steps:
        where = step.location
        if where is None or not step.before or not step.after:
            continue
        names = _built_together(step, where, built.get((where.file, where.line), {}))
        if names:
            shared[(where.file, where.line)] = names
    return shared


def _built_together(step: Fix, where, here: dict[str, str]) -> list[str]:
    """The layers of the edited type that `step`'s line builds (`here`: name → type), when it
    builds more of them than it has calls of their type: one call built several (a block's line
    run once per instance), not `nn.Sequential(nn.Linear(…), nn.Linear(…))`; else none."""
    targets = {e.target for e in step.rerun.edits} if step.rerun is not None else set()
    types = {here[t] for t in targets if t in here} or set(here.values())
    names = [name for name, kind in here.items() if kind in types]
    calls = sum(where.source.count(f"{kind}(") for kind in types) if where.source else 0
    return names if len(names) > max(calls, 1) else []


def _written_elsewhere(
    ctx: Context, rerun: Rerun | None, steps: list[Fix], after: Trace
) -> tuple[str | None, str | None]:
    """A fix checked on one layer whose line builds others too is checked again as written, every
    step's line put into the model (built again from its file). Returns (what then fails, or
    None when it runs; why it could not be checked as written: a live model, a line in another
    file than the model's)."""
    # a line that passes a library's option: the library changes only what it builds for it
    if rerun is None or rerun.library_option is not None or ctx.runner is None:
        return None, None
    shared = _shared_lines(after, steps)
    edits = _lines_as_written(steps)
    if not shared or edits is None:
        return None, None
    where = _builds_several(shared)
    try:
        written_after = ctx.rerun(replace(rerun, edits=edits))
    except SourceNotPatched as exc:
        return None, f"not checked as written: {where}, and each gets this change ({exc})"
    except (LookupError, TimeoutError) as exc:
        return f"{where}; written there, the model raised {exc}", None
    said = _failure(written_after)
    return (f"{where}; written there, it changes every one, and then {said}", None) if said else (None, None)


def _builds_several(shared: dict[tuple[str, int], list[str]]) -> str:
    """`line 12 builds 4 layers (`a`, `b`, `c`, …)`: the first shared line and the layers it builds."""
    (_, line), names = next(iter(shared.items()))
    listed = ", ".join(f"`{n}`" for n in names[:3]) + (", …" if len(names) > 3 else "")
    return f"line {line} builds {len(names)} layers ({listed})"


def _lines_as_written(steps: list[Fix]) -> tuple[Edit, ...] | None:
    """The edits that put every step's line into the model, one per line (two steps on a line a
    block's instances share write it once); None when a step is not one line as written."""
    edits: list[Edit] = []
    for step in steps:
        written = _as_written(step)
        if written is None:
            return None
        edits.extend(written.edits)
    return tuple(dict.fromkeys(edits))


def _still_fails(
    ctx: Context, finding: Finding, fix: Fix, after: Trace, again: Diagnosis, own: list[Fix], chains: bool
) -> Fix | None:
    """The fixed model still fails or still has the finding: not verified, and the note says what
    it meets. With `chains`, a fix that moved the failure to another layer starts a chain."""
    fix.verified = False
    first = next((f for f in again.findings if f.is_error), None)
    if first is not None:
        fix.check_note = f"with this fix: {first.code} {first.message}"
    else:
        fix.check_note = f"with this fix {finding.code} is still found"
    moved = first is not None and (first.layer, first.location) != (finding.layer, finding.location)
    if not (chains and after.error is not None and moved):
        return None
    return _chain(ctx, finding, fix, after, own)


def _unchecked(exc: BaseException, ctx: Context) -> str:
    if isinstance(exc, CapReached) and ctx.cap is not None:
        return f"not checked: the re-runs reached their safety cap ({ctx.cap.seconds:g} s of CPU time)"
    return f"not checked: the re-run budget ({ctx.max_reruns} re-traces) was spent"


def _intent_broken(ctx: Context, finding: Finding, rerun: Rerun, after, own: list[Fix]) -> str | None:
    """What `intent.broken` finds against a fix that runs; None when nothing, or when it could not
    be checked (no budget left: the report says so when it is the safety cap)."""
    from . import intent

    try:
        return intent.broken(ctx, finding, rerun, after, lambda r: rerun_any(ctx, r), own)
    except (LookupError, TimeoutError):
        return None


MAX_CHAIN = 8  # fixes applied in a row before a chain gives up


def _chain(ctx: Context, finding: Finding, fix: Fix, after, own: list[Fix]) -> Fix | None:
    """A fix that leaves a later failure: apply it, fix that failure the same way, and go on
    until the model runs (at most MAX_CHAIN steps). One Fix with every step's edit, verified
    by the last trace when it keeps the model's intent (`intent.broken`); None when a step has
    no fix of its own, the chain does not end, or a step raises."""
    if fix.rerun is None or ctx.runner is None:
        return None
    followed = _follow(ctx, fix, fix.rerun, after)
    if followed is None:
        return None
    steps, rerun, after = followed
    if after.error is not None or len(steps) < 2:
        return None
    return _chained_fix(ctx, finding, steps, rerun, after, own)


def _follow(ctx: Context, fix: Fix, rerun: Rerun, after) -> tuple[list[Fix], Rerun, Trace] | None:
    """The steps of a chain, the re-run with all their edits and its trace, once the model runs
    with no error left; None when a step has no fix of the same kind, a step raises, or the
    chain is still going after MAX_CHAIN steps."""
    assert ctx.runner is not None  # _chain checks
    steps = [fix]
    for _ in range(MAX_CHAIN - 1):
        # a chain that cannot be checked is no candidate
        again = _unless_raised(partial(_nested, ctx, after, _with_fix(ctx.runner, rerun)))
        if again is None:
            return None
        failing = next((f for f in again.findings if f.is_error), None)
        if after.error is None and failing is None:
            return steps, rerun, after
        nxt = _same_kind(failing, fix) if failing is not None else None
        if nxt is None or nxt.rerun is None:
            return None
        rerun = _extended(rerun, nxt.rerun)
        steps.append(nxt)
        after = _unless_raised(partial(ctx.rerun, rerun))  # a step that raises ends the chain, not the report
        if after is None:
            return None
    return None


def _unless_raised(call: Callable[[], _T]) -> _T | None:
    """`call()`, or None when it raises anything but an interrupt."""
    try:
        return call()
    except KeyboardInterrupt:
        raise
    except BaseException:
        return None


def _same_kind(failing: Finding, fix: Fix) -> Fix | None:
    """The failing finding's first fix with the same kind of edit as `fix` (in_channels after
    in_channels, resize after resize) and the same safety: a different kind would be a second
    guess at intent, not the same fix carried through."""
    action = _first_action(fix)
    if action is None:
        return None
    if action == EditAction.SOURCE_LINE:  # a line as written: the next step's line as written too
        return next((_written_step(f) for f in failing.fixes if f.safety == fix.safety and _as_written(f)), None)
    return next((f for f in failing.fixes if _first_action(f) == action and f.safety == fix.safety), None)


def _first_action(fix: Fix) -> EditAction | str | None:
    """The action of the fix's first edit; None when its re-run makes none."""
    return fix.rerun.edits[0].action if fix.rerun is not None and fix.rerun.edits else None


def _written_step(fix: Fix) -> Fix:
    """A chain's step as the line it writes: checked by putting that line into the model."""
    fix.rerun = _as_written(fix)
    return fix


def _extended(rerun: Rerun, step: Rerun) -> Rerun:
    """`rerun` with the next step's edits after its own, and the step's input changes where it
    makes them."""
    return Rerun(
        dims=step.dims if step.dims is not None else rerun.dims,
        dtype=step.dtype or rerun.dtype,
        batch=step.batch if step.batch != SAME else rerun.batch,
        train=step.train if step.train != SAME else rerun.train,
        edits=(*rerun.edits, *step.edits),
        args=(*rerun.args, *step.args),
    )


def _chained_fix(ctx: Context, finding: Finding, steps: list[Fix], rerun: Rerun, after, own: list[Fix]) -> Fix:
    """One Fix for a chain that ends with the model running: every step's edit, verified when
    the fixed model keeps its intent."""
    broken = _intent_broken(ctx, finding, rerun, after, own)
    owner = owner_argument(steps, after)
    if broken is None:
        verified, note = _chain_as_written(ctx, rerun, steps, after, owner)
    else:
        verified, note = False, f"runs, but {broken}"
    one = _one_line(steps) if owner is None else None
    code, before, after_line = _chain_lines(steps, one, owner)
    return Fix(
        description=_chain_description(steps, after, one, owner),
        code=code,
        before=before,
        after=after_line,
        safety=SAFE if all(s.safety == SAFE for s in steps) else UNSAFE,
        location=owner.location if owner else steps[0].location,
        rerun=rerun,
        verified=verified,
        steps=steps,
        result_shape=_root_shape(after) if broken is None else None,
        runs_but=broken,
        check_note=note,
    )


def _chain_description(steps: list[Fix], after, one: Fix | None, owner) -> str:
    """What a chain does: one argument where the owner is built, one line every step writes, or
    each step's edit in turn (with the argument they share, when they do)."""
    lines = [f"{s.location.line}" if s.location else "" for s in steps]
    parts = "; ".join(_short(s) + (f" at line {line}" if line else "") for s, line in zip(steps, lines, strict=True))
    if owner is not None:  # one argument to paste where the owner is built, not each layer
        return (
            f"build `{owner.owner}` with {owner.parameter}={owner.value}: its {len(steps)} layers take their size "
            f"from that argument ({parts})"
        )
    why = _shared_cause(steps, after)
    said = f" — {why}" if why else ""
    if one is not None:  # every step writes the same line (where the block is built): one edit
        return f"one edit at line {lines[0]} sizes all {len(steps)} layers: {parts}{said}"
    return f"{len(steps)} edits, each revealed by the one before: {parts}{said}"


def _chain_lines(steps: list[Fix], one: Fix | None, owner) -> tuple[str, str | None, str | None]:
    """A chain's (code, before, after): the one line, the owner's line, or every step's line."""
    if one is not None:
        return one.after or one.code, one.before, one.after
    if owner is not None:
        return owner.after, (owner.location.source.strip() if owner.location.source else None), owner.after
    return "\n".join(s.after or s.code for s in steps if (s.after or s.code)), None, None


def _root_shape(trace: Trace) -> tuple[int, ...] | None:
    """The model's output shape: the first output of the root row, None when it has none."""
    root = trace.layers[0] if trace.layers else None
    return root.outputs[0].shape if root is not None and root.outputs else None


def _one_line(steps: list[Fix]) -> Fix | None:
    """The first step, when every step is the same edit of the same line (a block's argument
    that sizes several of its layers, set where the block is built)."""
    first = steps[0]
    if first.location is None or not first.after or len(steps) < 2:
        return None
    same = all(
        s.location is not None
        and (s.location.file, s.location.line) == (first.location.file, first.location.line)
        and s.after == first.after
        for s in steps
    )
    return first if same else None


def _chain_as_written(ctx: Context, rerun: Rerun, steps: list[Fix], after, owner) -> tuple[bool | None, str | None]:
    """(verified, the note) of a chain that runs and keeps its intent, checked as it is written:
    the owner's argument, or else the steps' lines. False when that breaks the model; None when
    the steps' lines could not be put into it (not verified, and said)."""
    if owner is not None:
        shared, covered = _owner_as_written(ctx, rerun, owner)
        return shared is None, shared or covered
    shared, unwritten = _written_elsewhere(ctx, rerun, steps, after)
    if shared is not None:
        return False, shared
    return (None, unwritten) if unwritten is not None else (True, None)


def _short(fix: Fix) -> str:
    """`set in_channels=64 on `c2``, without the reason after it."""
    return fix.description.split(" to match ")[0].split(" (")[0].split(": ")[0]


def _shared_cause(steps: list[Fix], after) -> str | None:
    """ "all 3 lines pass `input_nc`": the same argument text in every edited constructor line,
    and what each should likely pass instead: the output-size argument of the layer feeding it
    (`ngf`, `ngf * 2`), read from that layer's own line in the last trace."""
    first = shared_first_argument(steps)
    if first is None:
        return None
    text = f"all {len(steps)} lines pass `{first}` as the first argument: the edits come from that one argument"
    intended = []
    for step in steps:
        second = _feeder_output(step, after)
        if second is None:
            return text
        intended.append(second)
    return (
        text
        + "; the likely intent is "
        + ", ".join(f"`{t}`" for t in intended)
        + " (what each layer before it was built to output)"
    )


def _feeder_output(step: Fix, after) -> str | None:
    """The second argument on the construction line of the layer a step is sized to match (`ngf * 2`
    of `nn.Conv2d(ngf, ngf * 2, 3)`): what that layer was built to output."""
    import re

    feeder = re.search(r"to match `([^`]+)`", step.description)
    row = next((r for r in after.layers if feeder and r.name == feeder.group(1) and r.defined_at), None)
    second = re.search(r"\w+\(\s*[^,()]+?\s*,\s*([^,()]+?)\s*[,)]", row.defined_at.source) if row else None
    return second.group(1) if second is not None else None


__all__ = ["CODES", "Context", "Diagnosis", "Finding", "Fix", "diagnose"]
