"""Dim provenance and the rules built on it, on hand-built traces: a fake runner answers each
re-run with the trace a model of known shapes would give, so no torch run is involved."""

import pytest
from helpers import TraceBuilder

from shapecheck.diagnose import diagnose
from shapecheck.diagnose.context import Context
from shapecheck.diagnose.provenance import BATCH, provenance, regrouped
from shapecheck.trace.records import Location, TraceWarning


@pytest.mark.parametrize(
    ("before", "after", "mixed"),
    [
        ((2, 8, 50, 8), (2, 50, 64), ([1, 2, 3], [1, 2])),  # heads merged without moving them
        ((2, 50, 8, 8), (2, 50, 64), None),  # heads next to the head size: a merge
        ((2, 50, 64), (2, 50, 8, 8), None),  # a split
        ((2, 64, 7, 7), (2, 3136), None),  # flatten
        ((2, 3, 224, 224), (2, 3, 14, 16, 14, 16), None),  # patchify: two splits
        ((4, 1, 50, 1, 8), (4, 50, 8), None),  # size-1 dims do not count
        ((6, 4), (4, 6), ([0, 1], [0, 1])),  # a view that looks like a transpose
        ((2, 12), (2, 12), None),
    ],
)
def test_regrouped(before, after, mixed):
    assert regrouped(before, after) == mixed


def _model(batch, dims):
    """A model of [B, T, F] input: a Linear to 10 features, then F.softmax over dim 0."""
    t, f = dims
    b = TraceBuilder((batch, t, f), batch=batch)
    b.module("fc", "Linear", (batch, t, 10), {"in_features": f, "out_features": 10})
    b.op(
        "F.softmax",
        (batch, t, 10),
        {"category": "softmax", "args": ["<tensor>"], "dim": 0},
        line=12,
        source="return F.softmax(self.fc(x), dim=0)",
    )
    return b.trace


def _runner(build, base_batch, base_dims):
    def run(request):
        batch = base_batch if request.batch == "same" else request.batch
        dims = request.dims if request.dims is not None else base_dims
        return build(batch, dims)

    return run


@pytest.mark.parametrize(
    ("before", "after", "found"),
    [
        ((2, 8, 50, 8), (2, 50, 64), (1, [2])),  # the sequence length moved by a view
        ((2, 64, 7, 7), (2, 49, 64), (1, [2, 3])),  # view(B, -1, C) instead of a permute
        ((1444, 8), (5776, 2), None),  # split a dim, merge a piece with its neighbour: fine
    ],
)
def test_misplaced(before, after, found):
    from shapecheck.diagnose.provenance import misplaced

    ins, outs = regrouped(before, after)
    assert misplaced(before, after, ins, outs) == found


def test_each_dim_follows_what_changes_it():
    trace = _model(4, (20, 32))
    ctx = Context(trace, runner=_runner(_model, 4, (20, 32)))
    prov = provenance(ctx)
    fc = trace.layers[0]
    assert prov.sources == [BATCH, "dim 0", "dim 1"]
    assert prov.dims(fc, "outputs") == [{BATCH}, {"dim 0"}, set()]
    assert prov.dims(fc, "inputs") == [{BATCH}, {"dim 0"}, {"dim 1"}]
    assert prov.describe(fc) == "[4 (batch), 20 (dim 0), 10 (fixed)]"
    assert prov.follows_exactly(fc, 1, "dim 0")


def test_equal_sizes_are_told_apart():
    """Batch 4, 4 steps, 4 features: only changing each alone says which dim is which."""
    trace = _model(4, (4, 4))
    ctx = Context(trace, runner=_runner(_model, 4, (4, 4)))
    assert provenance(ctx).dims(trace.layers[0], "inputs") == [{BATCH}, {"dim 0"}, {"dim 1"}]


def test_without_a_runner_nothing_is_known():
    assert provenance(Context(_model(4, (20, 32)))) is None


def test_sc120_softmax_over_the_batch_with_a_verified_shape_of_fix():
    trace = _model(4, (20, 32))
    d = diagnose(trace, runner=_runner(_model, 4, (20, 32)), verify=False)
    (finding,) = [f for f in d.findings if f.code == "SC120"]
    assert finding.message == "`F.softmax` at line 12 normalises over the batch dim (dim 0)"
    # two dims are left (time and features): no single fix is offered
    assert finding.fixes == []


def test_sc120_not_raised_when_the_batch_dim_is_unknown():
    trace = _model(4, (20, 32))
    assert [f.code for f in diagnose(trace, verify=False).findings] == []


def _pairs(batch, dims):
    (f,) = dims
    b = TraceBuilder((batch, f), batch=batch)
    out = b.module("fc", "Linear", (batch, 1), {"in_features": f, "out_features": 1})
    y = b.tensor((batch,), source=0)
    b.op(
        "Tensor.__sub__",
        (batch, batch),
        {"category": "elementwise"},
        line=18,
        source="return ((out - y) ** 2).mean()",
        inputs=[out.outputs[0], y],
    )
    return b.trace


def test_sc122_pairs_samples_and_fixes_in_the_users_names():
    trace = _pairs(4, (8,))
    d = diagnose(trace, runner=_runner(_pairs, 4, (8,)), verify=False)
    (finding,) = [f for f in d.findings if f.code == "SC122"]
    assert finding.message.endswith("[4, 1] and [4] broadcast to [4, 4]")
    assert finding.fixes[0].after == "return ((out.squeeze(1) - y) ** 2).mean()"


def test_sc123_reports_a_warning_at_the_model_line():
    b = TraceBuilder((4, 8), batch=4)
    b.module("fc", "Linear", (4, 1), {"in_features": 8, "out_features": 1})
    at = Location("model.py", 13, "return F.mse_loss(out, target)")
    b.trace.warnings.append(
        TraceWarning(
            "UserWarning",
            "Using a target size (torch.Size([4])) that is different to the input "
            "size (torch.Size([4, 1])). This will likely lead to incorrect results.",
            0,
            at,
        )
    )
    (finding,) = diagnose(b.trace, verify=False).findings
    assert finding.code == "SC123" and finding.location == at
    assert finding.message == (
        "a UserWarning was raised while `fc` ran: using a target size (torch.Size([4])) that is different "
        "to the input size (torch.Size([4, 1]))"
    )


def _weights(batch, dims):
    """Labels [B, 1] (the input) times per-sample weights [B] computed from them: [B, B]."""
    (f,) = dims
    b = TraceBuilder((batch, f), batch=batch)
    w = b.tensor((batch,), source=0)
    b.op(
        "Tensor.__mul__",
        (batch, batch) if f == 1 else (batch, f),
        {"category": "elementwise"},
        line=9,
        source="w = sample_w * y",
        inputs=[w, b.trace.inputs[0]],
    )
    return b.trace


def test_a_dim_that_also_follows_a_size_one_source_is_the_batch_with_ones():
    trace = _weights(4, (1,))
    ctx = Context(trace, runner=_runner(_weights, 4, (1,)))
    mul = trace.layers[-1]
    assert provenance(ctx).dims(mul) == [{BATCH}, {BATCH, "dim 0"}]
    assert provenance(ctx).batch_dims(mul) == [0]
    assert provenance(ctx).batch_dims(mul, ones=True) == [0, 1]
