"""The repair search, the intent invariant, SC125 and the other mechanisms of the corpus round,
on hand-built traces: a fake runner answers each re-run with the trace a model of known shapes
gives, so no torch run is involved. The end-to-end numbers are in test_corpus.py."""

from __future__ import annotations

import pytest
from helpers import TraceBuilder

import shapecheck
from shapecheck.diagnose import diagnose, repair
from shapecheck.diagnose.context import Context
from shapecheck.diagnose.intent import batch_survives
from shapecheck.diagnose.layers import view_fits
from shapecheck.diagnose.requests import Edit, Rerun
from shapecheck.diagnose.rules.sc121_view_regroups import merge_suggestion


def _view_model(batch, dims):
    """Conv with stride 32 and 96 channels, then reshape(B, 49, 96): written for 224×224."""
    c, h, w = dims
    b = TraceBuilder((batch, c, h, w), batch=batch)
    b.module(
        "to_q",
        "Conv2d",
        (batch, 96, h // 32, w // 32),
        {"in_channels": 3, "out_channels": 96, "kernel_size": [32, 32], "stride": [32, 32]},
    )
    fits = (h // 32) * (w // 32) == 49
    b.op(
        "Tensor.reshape",
        (batch, 49, 96) if fits else None,
        {"args": ["<tensor>", batch, 49, 96]},
        line=20,
        source="x = x.reshape(B, 49, 96)",
    )
    if not fits:
        return b.fail("shape '[1, 49, 96]' is invalid")
    return b.trace


def _runner(build, base_batch, base_dims, calls=None):
    def run(request):
        if calls is not None:
            calls.append(request)
        batch = base_batch if request.batch == "same" else request.batch
        dims = request.dims if request.dims is not None else base_dims
        return build(batch, dims)

    return run


def test_input_candidates_nearest_first_and_never_a_sequence_feature_dim():
    cands = repair.input_candidates((3, 112, 112))
    assert cands[0] in {(3, 112, 120), (3, 120, 112), (3, 104, 112), (3, 112, 104), (3, 120, 120), (3, 104, 104)}
    assert (3, 224, 224) in cands and (3, 112, 112) not in cands
    assert all(c[0] == 3 for c in cands)  # the channels never change
    # a square input stays square before a non-square one of the same distance
    assert cands.index((3, 120, 120)) < cands.index((3, 112, 128)) or (3, 112, 128) not in cands
    assert repair.input_candidates((50, 64)) == []  # [L, features]: nothing to search
    assert repair.input_candidates((784,)) == []


def test_the_search_finds_the_size_a_view_was_written_for():
    trace = _view_model(1, (3, 112, 112))
    d = diagnose(trace, runner=_runner(_view_model, 1, (3, 112, 112)))
    first = d.findings[0]
    assert first.code == "SC113"
    assert first.fixes[0].code == "--input 3x224x224"
    assert first.fixes[0].verified is True and first.fixes[0].result_shape is not None
    assert "written for another input size" in first.fixes[0].description


def test_the_search_is_bounded():
    calls: list = []

    def never(batch, dims):
        return _view_model(batch, (3, 1, 1))  # no size makes it run

    d = diagnose(_view_model(1, (3, 112, 112)), runner=_runner(never, 1, (3, 112, 112), calls))
    assert not any(f.code and f.code.startswith("--input") for f in d.findings[0].fixes)
    searched = [c for c in calls if c.dims is not None and c.edits == () and c.stop is None]
    assert len(searched) <= repair.MAX_TRIES + 4  # the search, plus the rules' own probes


def _batch_folding(batch, dims, fixed=False):
    """view(-1, 400) that folds samples at this input: the output rows do not follow the batch."""
    rows = max(batch * 64 // 400, 1) if not fixed else batch
    b = TraceBuilder((batch, *dims), batch=batch)
    b.module("Net", "Net", (rows, 10))  # the root row: the model's output
    b.module("conv", "Conv2d", (batch, 16, 2, 2), {"in_channels": 3, "out_channels": 16})
    b.op("Tensor.view", (rows, 400), {"args": ["<tensor>", -1, 400]}, line=5)
    b.module("fc", "Linear", (rows, 10), {"in_features": 400, "out_features": 10})
    return b.trace


def test_batch_survives_rejects_a_fix_that_folds_the_batch():
    b = TraceBuilder((6, 3, 21, 21), batch=6)
    b.module("Net", "Net", None)
    b.module("conv", "Conv2d", (6, 16, 2, 2), {"in_channels": 3, "out_channels": 16})
    b.op("Tensor.view", None, {"args": ["<tensor>", -1, 400]}, line=5)
    ctx = Context(b.fail("shape '[-1, 400]' is invalid for input of size 384"))  # what the user ran
    folded = _batch_folding(6, (3, 21, 21))
    assert not batch_survives(ctx, Rerun(), folded, lambda r: _batch_folding(r.batch, (3, 21, 21)))
    kept = _batch_folding(6, (3, 21, 21), fixed=True)
    assert batch_survives(ctx, Rerun(), kept, lambda r: _batch_folding(r.batch, (3, 21, 21), fixed=True))


def test_batch_survives_says_nothing_against_a_scalar_output():
    b = TraceBuilder((4, 8), batch=4)
    b.module("Loss", "Loss", ())
    b.module("fc", "Linear", (4, 1), {"in_features": 8, "out_features": 1})
    assert batch_survives(Context(b.trace), Rerun(), b.trace, lambda r: b.trace)


def test_a_scalar_output_must_still_run_at_a_second_batch():
    """A loss: its output says nothing about rows, but a fix that squeezes the size-1 batch of a
    batch-1 trace (`[1, 1].squeeze(-2)`) runs at batch 1 only."""

    def loss_at(batch, fixed=True):
        b = TraceBuilder((batch, 8), batch=batch)
        runs = fixed and batch == 1
        b.module("Loss", "Loss", () if runs else None)
        b.module("fc", "Linear", (batch, 1), {"in_features": 8, "out_features": 1})
        if runs:
            return b.trace
        b.module("loss", "BCEWithLogitsLoss", None, status="failed")
        return b.fail("Target size must be the same as input size")

    def rerun(request):
        return loss_at(1 if request.batch == "same" else request.batch, fixed=bool(request.edits))

    squeeze = Rerun(edits=(Edit("op_squeeze_arg", "loss"),))
    ctx = Context(loss_at(1, fixed=False))
    assert not batch_survives(ctx, squeeze, loss_at(1), rerun)
    kept = Rerun(edits=(Edit("op_squeeze_arg", "loss"),))
    assert batch_survives(ctx, kept, loss_at(1), lambda r: loss_at(1) if r.edits else rerun(r))


def test_sc125_squeezes_the_size_1_dim_that_is_not_the_batch(tmp_path):
    """Traced at batch 1, [1, 1] against target [1] could squeeze either dim: the fix squeezes
    the last, which holds at every batch."""
    model = tmp_path / "bce.py"
    model.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(20, 1)\n        self.loss = nn.BCEWithLogitsLoss()\n\n"
        "    def forward(self, x, y):\n        return self.loss(self.fc(x), y)\n"
    )
    report = shapecheck.check(f"{model}:Net", inputs=["20", "scalar"])
    fix = next(f for f in report.findings if f.code == "SC125").fixes[0]
    assert fix.after.strip() == "return self.loss(self.fc(x).squeeze(-1), y)"
    assert fix.verified is True


def _loss(batch, squeeze=False):
    b = TraceBuilder((batch, 3), batch=batch)
    b.module("net", "Linear", (batch, 1), {"in_features": 3, "out_features": 1})
    pred = b.last
    target = b.tensor((batch,))
    b.op(
        "F.mse_loss",
        (),
        {"category": "loss"},
        line=9,
        source="return F.mse_loss(prediction, u0)",
        inputs=[pred if not squeeze else b.tensor((batch,)), target],
    )
    return b.trace


def test_sc125_loss_with_target_of_other_shape():
    d = diagnose(_loss(16))
    f = next(f for f in d.findings if f.code == "SC125")
    assert "[16, 1]" in f.message and "[16]" in f.message and "[16, 16]" in f.message
    assert f.fixes[0].after == "return F.mse_loss(prediction.squeeze(-1), u0)"
    assert not [f for f in diagnose(_loss(16, squeeze=True)).findings if f.code == "SC125"]


def test_sc121_writes_the_permute_from_provenance():
    before, after = (2, 3, 8, 16, 16), (16, 3, 16, 16)
    follows_in = [frozenset({"batch"}), frozenset(), frozenset({"dim 1"}), frozenset({"dim 2"}), frozenset({"dim 3"})]
    follows_out = [frozenset({"batch", "dim 1"}), frozenset(), frozenset({"dim 2"}), frozenset({"dim 3"})]
    b = TraceBuilder(before, batch=2)
    row = b.op("Tensor.view", after, source="x = x.view(b * t, c, d1, d2)")
    code = merge_suggestion(row, before, after, [0, 1, 2], [0, 1], follows_in, follows_out)
    assert code == "x = x.transpose(1, 2).reshape(b * t, c, d1, d2)"
    # without provenance the sizes alone allow it too (2·8 = 16, then 3)
    assert merge_suggestion(row, before, after, [0, 1, 2], [0, 1]) == code


@pytest.mark.parametrize(
    ("have", "asked", "fits"),
    [((1, 1089, 512), (1, 34, 34, 512), False), ((1, 1089, 512), (1, 33, 33, 512), True), ((4, 6), (-1, 8), True)],
)
def test_sc111_leaves_a_size_that_does_not_fit_to_sc113(have, asked, fits):
    assert view_fits(have, asked) is fits


def test_sibling_norm_after_a_conv1d():
    b = TraceBuilder((2, 256, 32), batch=2)
    b.module("att.0", "Conv1d", (2, 32, 32), {"in_channels": 256, "out_channels": 32, "kernel_size": [1]})
    b.module("att.1", "BatchNorm2d", None, {"num_features": 32})
    d = diagnose(b.fail("expected 4D input (got 3D input)"))
    f = d.findings[0]
    assert f.code == "SC105"
    assert f.fixes[0].description.startswith("use `nn.BatchNorm1d(32)`")


def test_construction_groups_name_the_line_and_the_divisor(tmp_path):
    model = tmp_path / "gn.py"
    model.write_text(
        "from torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.norm = nn.GroupNorm(32, 48)\n\n    def forward(self, x):\n        return self.norm(x)\n"
    )
    report = shapecheck.check(f"{model}:Net", "48x8x8")
    (f,) = report.findings
    assert f.code == "SC104" and "48 channels do not split into 32 groups" in f.message
    assert f.location is not None and (f.location.line, f.location.source) == (7, "self.norm = nn.GroupNorm(32, 48)")
    # 48 is written on the layer's own line: the groups that divide it, then the channels 32 divides
    assert [(x.after, x.verified) for x in f.fixes[:2]] == [
        ("self.norm = nn.GroupNorm(24, 48)", True),
        ("self.norm = nn.GroupNorm(48, 48)", True),
    ]


def test_size_locked_reads_in_features_as_channels_times_a_square():
    b = TraceBuilder((1, 3, 256, 256))
    b.module("body", "Conv2d", (1, 512, 16, 16), {"in_channels": 3, "out_channels": 512})
    b.op("torch.flatten", (1, 131072), {"args": ["<tensor>", 1]})
    b.module("fc", "Linear", None, {"in_features": 25088, "out_features": 512})
    trace = b.fail("mat1 and mat2 shapes cannot be multiplied (1x131072 and 25088x512)")
    d = diagnose(trace, verify=False)
    ctx = Context(trace)
    from shapecheck.diagnose.boundaries import find_boundaries

    ctx.boundaries = find_boundaries(trace)
    sc102 = next(f for f in d.findings if f.code == "SC102")
    assert repair.size_locked(ctx, sc102)  # 25088 = 512·7·7, the map is 16×16
    b2 = TraceBuilder((1, 1, 28, 28))
    b2.module("conv", "Conv2d", (1, 32, 7, 7), {"in_channels": 1, "out_channels": 32})
    b2.op("torch.flatten", (1, 1568), {"args": ["<tensor>", 1]})
    b2.module("out", "Linear", None, {"in_features": 1050, "out_features": 10})
    t2 = b2.fail()
    ctx2 = Context(t2)
    ctx2.boundaries = find_boundaries(t2)
    sc102b = next(f for f in diagnose(t2, verify=False).findings if f.code == "SC102")
    assert not repair.size_locked(ctx2, sc102b)  # 1050 is no 32·s·s: in_features is what is wrong


def _lost(batch, dims, lose=True):
    """[B, T, F] → mean over dim 0 (or 1) → Linear: the hand-built trace of SC126's fixture."""
    t, f = dims
    b = TraceBuilder((batch, t, f), batch=batch)
    b.module("Net", "Net", (t, 4) if lose else (batch, 4))
    b.op(
        "Tensor.mean",
        (t, f) if lose else (batch, f),
        {"category": "reduce", "dim": 0 if lose else 1},
        line=8,
        inputs=[b.trace.inputs[0]],
    )
    b.module("fc", "Linear", (t, 4) if lose else (batch, 4), {"in_features": f, "out_features": 4})
    return b.trace


def test_sc126_names_the_row_where_the_batch_went():
    d = diagnose(_lost(4, (10, 16)), runner=_runner(_lost, 4, (10, 16)))
    f = next(f for f in d.findings if f.code == "SC126")
    assert f.layer == "mean" and "drops it" in f.message
    assert any("batch 4 and 6" in w for w in f.why)
    kept = diagnose(_lost(4, (10, 16), lose=False), runner=_runner(lambda b, d: _lost(b, d, False), 4, (10, 16)))
    assert not [f for f in kept.findings if f.code == "SC126"]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_mm_on_a_batch_gets_matmul_verified(tmp_path):
    model = _write(
        tmp_path,
        "scores.py",
        "import torch\nfrom torch import nn\n\n\nclass Scores(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.q = nn.Linear(16, 16)\n\n    def forward(self, x):\n"
        "        return torch.mm(self.q(x), x.transpose(1, 2))\n",
    )
    report = shapecheck.check(f"{model}:Scores", "10x16", batch=2)
    fix = report.findings[0].fixes[0]
    assert fix.after == "return torch.matmul(self.q(x), x.transpose(1, 2))"
    assert fix.verified is True and fix.result_shape == (2, 10, 10)


def test_a_conv_in_channels_attribute_set_after_construction_is_read_from_its_weight(tmp_path):
    model = _write(
        tmp_path,
        "gray.py",
        "from torch import nn\n\n\ndef Gray():\n    conv = nn.Conv2d(3, 8, 3)\n    conv.in_channels = 1\n"
        "    return nn.Sequential(conv, nn.ReLU())\n",
    )
    report = shapecheck.check(f"{model}:Gray", "1x16x16")
    (finding,) = report.errors
    assert finding.code == "SC104" and "expects 3 input channels but receives 1" in finding.message
    assert any("attribute says 1, but its weight takes 3" in w for w in finding.why)


def test_a_failing_einsum_names_the_subscript_whose_sizes_disagree():
    b = TraceBuilder((4, 64, 40), batch=4)
    context = b.tensor((4, 77, 32))
    b.op(
        "torch.einsum",
        None,
        {"category": "matmul", "args": ["b i d, b j d -> b i j", "<tensor>", "<tensor>"]},
        source='return torch.einsum("b i d, b j d -> b i j", q, context)',
        inputs=[b.trace.inputs[0], context],
    )
    d = diagnose(b.fail("einsum(): subscript d has size 32 for operand 1"))
    why = d.findings[0].why
    assert "subscript `d` is 40 in operand 0 and 32 in operand 1" in why
    assert not any("subscript `b`" in w for w in why)
