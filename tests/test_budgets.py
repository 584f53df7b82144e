"""Counted budgets, candidates that raise, and what "verified" means.

Every search of a check counts traces (re-runs of a diagnosis, probes of --symbolic), so a busy
machine gives the report a quiet one gives; time is only a far safety cap, in CPU seconds, and a
report whose search stopped there says so. A candidate fix whose re-run raises is dropped with a
note, never the report's end. A fix is verified only when it also keeps the model's intent: the
batch survives, and the user's input size stays unless the finding is about the input. The unit
tests run on hand-built traces with fake runners; the clock tests on real fixtures.
"""

from __future__ import annotations

import itertools
import time

import pytest
from conftest import fixture_path
from helpers import TraceBuilder

import shapecheck
from shapecheck.diagnose import diagnose, intent, verify_fixes
from shapecheck.diagnose.context import Context, RerunFailed
from shapecheck.diagnose.findings import ERROR, Finding, Fix
from shapecheck.diagnose.requests import Edit, Rerun
from shapecheck.errors import SpecError
from shapecheck.trace import budget
from shapecheck.trace.budget import CapReached, RerunsSpent, SafetyCap
from shapecheck.trace.records import TensorInfo

# -- counted re-runs ---------------------------------------------------------------------------


def _tiny(batch=1, dims=(3, 8, 8)):
    b = TraceBuilder((batch, *dims), batch=batch)
    b.module("conv", "Conv2d", (batch, 4, dims[1], dims[2]), {"in_channels": dims[0], "out_channels": 4})
    return b.trace


def test_a_context_counts_re_runs_not_seconds():
    calls: list[Rerun] = []

    def run(request):
        calls.append(request)
        time.sleep(0.01)  # a slow machine: seconds never enter the budget
        return _tiny(dims=request.dims or (3, 8, 8))

    ctx = Context(_tiny(), runner=run, max_reruns=3, budget_s=0.001)  # 10× 1 ms of CPU: far off
    for size in (8, 16, 24):
        ctx.rerun(Rerun(dims=(3, size, size)))
    ctx.rerun(Rerun(dims=(3, 8, 8)))  # cached: not counted
    with pytest.raises(RerunsSpent):
        ctx.rerun(Rerun(dims=(3, 32, 32)))
    assert isinstance(RerunsSpent("x"), TimeoutError)  # what every rule already catches
    assert len(calls) == 3 and not ctx.cap_reached


def test_the_safety_cap_is_cpu_time_and_says_so():
    ticks = itertools.count(0, 5)  # a clock that moves 5 s per reading
    cap = SafetyCap(12.0, "the re-runs", clock=lambda: float(next(ticks)))
    ctx = Context(_tiny(), runner=lambda r: _tiny(), cap=cap)
    ctx.rerun(Rerun(dims=(3, 16, 16)))  # 5 s
    ctx.rerun(Rerun(dims=(3, 24, 24)))  # 10 s
    with pytest.raises(CapReached):
        ctx.rerun(Rerun(dims=(3, 32, 32)))  # 15 s: past the cap
    assert ctx.cap_reached and "safety cap of 12 s of CPU time" in cap.note


def _sc102(batch, in_features):
    """conv → flatten(1) → Linear: a head written for `in_features`, fed 4·8·8 = 256."""
    b = TraceBuilder((batch, 3, 8, 8), batch=batch)
    root = b.module("Net", "Net", None)
    b.module("conv", "Conv2d", (batch, 4, 8, 8), {"in_channels": 3, "out_channels": 4})
    b.op("torch.flatten", (batch, 256), {"args": ["<tensor>", 1]}, source="x = torch.flatten(x, 1)")
    fits = in_features == 256
    fc = {"in_features": in_features, "out_features": 10}
    b.module("fc", "Linear", (batch, 10) if fits else None, fc, status="ok" if fits else "failed")
    if not fits:
        return b.fail("mat1 and mat2 shapes cannot be multiplied (1x256 and 100x10)")
    root.outputs = [TensorInfo((batch, 10), tid=90, source=0)]
    return b.trace


def test_diagnosis_stopped_by_the_cap_says_so_in_its_notes():
    ticks = itertools.count(0, 100)
    cap = SafetyCap(30.0, "the re-runs that check fixes and probe sizes", clock=lambda: float(next(ticks)))
    d = diagnose(_sc102(1, 100), runner=lambda r: _sc102(1, 100), cap=cap)
    assert d.findings and d.findings[0].code == "SC102"
    assert any("safety cap of 30 s of CPU time" in n for n in d.notes)
    unchecked = [f for f in d.findings[0].fixes if f.rerun is not None]
    assert unchecked and all(f.verified is None for f in unchecked)
    assert all("safety cap" in (f.check_note or "") for f in unchecked)


# -- a candidate never kills a report ----------------------------------------------------------


class _Raised(BaseException):
    """What a model may raise that is no Exception (a library's own control flow)."""


@pytest.mark.parametrize("error", [ValueError("bad edit"), SystemExit(3), _Raised("odd")])
def test_a_candidate_that_raises_is_dropped_with_a_note(error):
    def run(request):
        if request.edits:
            raise error
        return _sc102(1 if request.batch == "same" else request.batch, 100)

    d = diagnose(_sc102(1, 100), runner=run)  # every edit raises: the report still comes
    finding = d.findings[0]
    assert finding.code == "SC102"
    assert all(not f.rerun or not f.rerun.edits for f in finding.fixes)
    assert any(n.startswith("a candidate fix was dropped") and type(error).__name__ in n for n in finding.notes)

    def interrupted(request):  # but Ctrl-C still stops the check
        if request.edits:
            raise KeyboardInterrupt
        return run(request)

    with pytest.raises(KeyboardInterrupt):
        diagnose(_sc102(1, 100), runner=interrupted)


def test_a_failed_re_run_is_cached_and_reads_as_lookup_error():
    calls = []

    def run(request):
        calls.append(request)
        raise SystemExit(1)

    ctx = Context(_tiny(), runner=run)
    for _ in range(2):
        with pytest.raises(RerunFailed) as raised:
            ctx.rerun(Rerun(dims=(3, 16, 16)))
        assert isinstance(raised.value, LookupError) and isinstance(raised.value.error, SystemExit)
    assert len(calls) == 1


# -- verified keeps the batch ------------------------------------------------------------------


def _folding(batch, in_features, flatten_dim=0):
    """conv → flatten(x) over every dim (the batch folded into the features) → Linear."""
    b = TraceBuilder((batch, 3, 8, 8), batch=batch)
    root = b.module("Net", "Net", None)
    b.module("conv", "Conv2d", (batch, 4, 4, 4), {"in_channels": 3, "out_channels": 4})
    flat = (batch * 64,) if flatten_dim == 0 else (batch, 64)
    b.op("torch.flatten", flat, {"args": ["<tensor>", flatten_dim]}, source=f"x = torch.flatten(x, {flatten_dim})")
    fits = in_features == flat[-1]
    out = flat[:-1] + (10,)
    fc = {"in_features": in_features, "out_features": 10}
    b.module("fc", "Linear", out if fits else None, fc, status="ok" if fits else "failed")
    if not fits:
        return b.fail(f"mat1 and mat2 shapes cannot be multiplied ({flat[-1]} and {in_features}x10)")
    root.outputs = [TensorInfo(out, tid=90, source=0)]
    return b.trace


def _folding_runner(request):
    batch = 1 if request.batch == "same" else request.batch
    in_features, flatten_dim = 100, 0
    for edit in request.edits:
        if edit.action == "replace":
            in_features = edit.param("in_features")
        if edit.action == "op_flatten":
            flatten_dim = 1
    return _folding(batch, in_features, flatten_dim)


def _finding_with(*fixes):
    return Finding("SC102", ERROR, "fc", "`fc` expects 100 input features but receives 64", row=3, fixes=list(fixes))


def test_a_fix_that_folds_the_batch_runs_but_is_not_verified():
    """flatten(x) over dim 0 at batch 1 gives [64]; in_features=64 makes it run, with an output
    of [10]: one row for the whole batch. At batch 3 it fails where the model itself gets past
    the flatten: not verified, and said so."""
    resize = Fix(
        "set in_features=64 on `fc`",
        rerun=Rerun(edits=(Edit("replace", "fc", "Linear", (("in_features", 64), ("out_features", 10))),)),
    )
    flatten = Fix(
        "flatten everything but the batch, and set in_features=64",
        rerun=Rerun(
            edits=(
                Edit("op_flatten", "torch.flatten@model.py:10"),
                Edit("replace", "fc", "Linear", (("in_features", 64), ("out_features", 10))),
            )
        ),
    )
    finding = _finding_with(resize, flatten)
    verify_fixes(Context(_folding(1, 100), runner=_folding_runner), finding, chains=False)
    assert flatten.verified is True and flatten.result_shape == (1, 10)
    assert resize.verified is False
    assert resize.runs_but is not None and resize.runs_but.startswith("output has lost the batch dim")
    assert resize.check_note == f"runs, but {resize.runs_but}"
    assert finding.fixes[0] is flatten  # the verified one first


def test_a_one_dim_output_must_still_follow_the_batch():
    ctx = Context(_folding(1, 100), runner=_folding_runner)
    folded = _folding(1, 64)
    assert intent.output_shape(folded) == (10,)
    lost = intent.batch_lost(ctx, Rerun(), folded, lambda r: _folding(r.batch if r.batch != "same" else 1, 64))
    assert lost == "output has lost the batch dim: it runs at batch 1, and at batch 3 it fails"


def test_a_model_locked_to_its_batch_says_nothing_against_a_fix():
    """When the model itself fails at the second batch before its own failure, a fix cannot be
    judged by it: the batch invariant says nothing."""

    def locked(request):
        batch = 1 if request.batch == "same" else request.batch
        if batch != 1:  # a view(1, -1) near the input: fails at once
            b = TraceBuilder((batch, 3, 8, 8), batch=batch)
            b.module("Net", "Net", None)
            b.module("conv", "Conv2d", None, {"in_channels": 3, "out_channels": 4}, status="failed")
            return b.fail("shape '[1, -1]' is invalid")
        return _folding_runner(request)

    ctx = Context(_folding(1, 100), runner=locked)
    assert intent.batch_lost(ctx, Rerun(), _folding(1, 64), locked) is None


# -- verified keeps the user's input size unless the finding is about it -----------------------


def _decoder(batch, dims, table=False):
    """An autoencoder whose decoder gives (H // 8)·8: at 28 it is 4 pixels short of its input.
    With `table`, the output is held against a fixed 32×32 buffer instead (a model written for
    one input size)."""
    c, h, w = dims
    b = TraceBuilder((batch, c, h, w), batch=batch)
    root = b.module("AE", "AE", None)
    x = b.trace.inputs[0]
    b.module("enc", "Conv2d", (batch, 8, h // 2, w // 2), {"in_channels": c, "out_channels": 8})
    oh, ow = h // 8 * 8, w // 8 * 8
    dec = b.module("dec", "ConvTranspose2d", (batch, c, oh, ow), {"in_channels": 8, "out_channels": c})
    other = TensorInfo((batch, c, 32, 32), tid=99, from_input=False) if table else x
    ok = (oh, ow) == other.shape[2:]
    out = (batch, c, oh, ow)
    b.op("torch.sub", out if ok else None, {"category": "elementwise"}, line=12, inputs=[dec.outputs[0], other])
    if not ok:
        return b.fail(f"The size of tensor a ({ow}) must match the size of tensor b ({other.shape[3]})")
    root.outputs = [TensorInfo(out, tid=50, source=0)]
    return b.trace


def _decoder_runner(table):
    def run(request):
        return _decoder(1 if request.batch == "same" else request.batch, request.dims or (1, 28, 28), table)

    return run


def test_a_decoder_short_of_its_input_is_not_fixed_by_another_input_size():
    d = diagnose(_decoder(1, (1, 28, 28)), runner=_decoder_runner(False))
    finding = d.findings[0]
    sizes = [f for f in finding.fixes if f.code.startswith("--input")]
    assert sizes and all(f.verified is not True for f in sizes)
    assert sizes[0].runs_but == "changes your input from 1x28x28 to 1x32x32, and the finding is not about the input"
    assert finding.fixes[-1] is sizes[0]  # shown, after every other fix
    # A model written for one input size (a fixed 32×32 buffer) is fixed by that size.
    d = diagnose(_decoder(1, (1, 28, 28), table=True), runner=_decoder_runner(True))
    first = d.findings[0].fixes[0]
    assert first.code == "--input 1x32x32" and first.verified is True and first.runs_but is None


def test_about_the_input_from_the_rule_the_stem_or_a_fixed_size():
    ctx = Context(_decoder(1, (1, 28, 28)))
    shorter = Finding("SC112", ERROR, "sub", "…", row=3)
    assert not intent.about_input(ctx, shorter)  # the model's result against its own input
    own = Fix("resize the input", rerun=Rerun(dims=(1, 32, 32)))
    assert intent.about_input(ctx, Finding("SC109", ERROR, "sub", "…", row=3, fixes=[own]))  # the rule says so
    stem = Finding("SC104", ERROR, "enc", "…", row=1)
    assert intent.about_input(ctx, stem)  # the layer reads the input, against its own sizes
    table = Context(_decoder(1, (1, 28, 28), table=True))
    assert intent.about_input(table, Finding("SC112", ERROR, "sub", "…", row=3))  # a fixed 32×32 buffer
    # a reshape of the same values is no change of the input's size
    assert intent.input_change(ctx, Rerun(dims=(28, 28, 1))) is None
    assert intent.input_change(ctx, Rerun(dims=(784,))) is None
    assert intent.input_change(ctx, Rerun(dims=(1, 32, 32))) == (0, (1, 28, 28), (1, 32, 32))


# -- the old keywords ---------------------------------------------------------------------------


def test_old_time_keywords_are_accepted_and_only_set_the_cap():
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300", probe_budget_s=0.5)
    assert report.findings[0].fixes[0].verified is True  # 0.5 s once stopped this; now a cap of 5 s CPU
    with pytest.raises(SpecError):
        shapecheck.check(fixture_path("vgg_view.py"), "3x300x300", max_reruns=-1)


def test_a_counted_budget_of_zero_leaves_fixes_unchecked_and_says_why():
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300", max_reruns=0)
    fixes = [f for f in report.findings[0].fixes if f.rerun is not None]
    assert fixes and all(f.verified is None for f in fixes)
    assert all(f.check_note == "not checked: the re-run budget (0 re-traces) was spent" for f in fixes)


# -- a slow clock changes nothing ---------------------------------------------------------------


def _summary(report) -> dict:
    """Findings, fixes with their verified marks, accepted ranges and notes: what must not move."""
    out: dict = {
        "findings": [
            (
                f.code,
                f.layer,
                f.message,
                tuple(f.why),
                tuple(f.notes),
                tuple(
                    (x.description, x.code, x.verified, x.result_shape, x.check_note, getattr(x, "runs_but", None))
                    for x in f.fixes
                ),
            )
            for f in report.findings
        ],
        "notes": tuple(report.notes),
    }
    if report.accepted is not None:
        acc = report.accepted
        out["accepted"] = (
            acc.sentence(),
            acc.method,
            tuple(acc.notes),
            tuple((d.name, d.min, d.max, d.multiple, d.values, d.settled, d.note) for d in acc.dims),
        )
    return out


CHECKS = [
    (fixture_path("vgg_view.py"), "3x300x300", {}),
    (fixture_path("rules", "sc113_invalid_view.py:LeNet"), "3x20x20", {}),
    (fixture_path("rules", "sc109_concat_mismatch.py:UNet"), "3x100x100", {"symbolic": True}),
    (fixture_path("vgg_view.py"), "3x224x224", {"symbolic": True}),
]


@pytest.mark.parametrize(("model", "spec", "options"), CHECKS, ids=["vgg-300", "lenet-20", "unet-sym", "vgg-sym"])
def test_a_slow_wall_clock_gives_the_same_report(monkeypatch, model, spec, options):
    """The wall clock moves a second on every reading (a machine 1000× busier than this one):
    findings, fixes, verified marks, accepted ranges and notes stay as they were."""
    quiet = _summary(shapecheck.check(model, spec, **options))
    assert any(x[2] is True for f in quiet["findings"] for x in f[5]) or "accepted" in quiet
    for name in ("perf_counter", "monotonic"):
        real = getattr(time, name)
        offset = itertools.count(1)
        monkeypatch.setattr(time, name, lambda real=real, offset=offset: real() + float(next(offset)))
    busy = _summary(shapecheck.check(model, spec, **options))
    assert busy == quiet


def test_a_slow_runner_gives_the_same_report(monkeypatch):
    """Each re-run takes 100 ms longer (a loaded CI runner): the same fixes, the same marks."""
    from shapecheck import api

    quiet = _summary(shapecheck.check(fixture_path("vgg_view.py"), "3x300x300"))
    made = api._runner

    def slow_runner(*args, **kwargs):
        run = made(*args, **kwargs)

        def slowly(request):
            time.sleep(0.1)
            return run(request)

        return slowly

    monkeypatch.setattr(api, "_runner", slow_runner)
    assert _summary(shapecheck.check(fixture_path("vgg_view.py"), "3x300x300")) == quiet


def test_when_the_cpu_cap_is_reached_the_report_says_so(monkeypatch):
    ticks = itertools.count(0, 10)
    monkeypatch.setattr(budget, "cpu_clock", lambda: float(next(ticks)))
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300")
    assert any("reached the safety cap of 30 s of CPU time" in n for n in report.notes)
    assert report.findings[0].code == "SC102"  # the finding stands; its fixes are left unchecked
    assert all(f.verified is not True for f in report.findings[0].fixes)
