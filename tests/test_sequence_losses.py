"""Sequence-loss contracts (SC125): CTC's time-first log_probs, class-index losses over tokens
whose labels are not flattened or not shifted like next-token scores; and CTC traced on meta.
Unit tests on hand-built traces, then the real models of tests/corpus/sequences.py and correct
variants that must stay silent."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import torch
from helpers import TraceBuilder
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diagnose import diagnose
from shapecheck.trace.edits import _call_method, _rewrite_arg_method
from shapecheck.trace.records import TensorInfo

CORPUS = Path(__file__).parent / "corpus" / "sequences.py"


def _long(b, shape, source=None):
    t = b.tensor(shape, source)
    return TensorInfo(t.shape, dtype="int64", tid=t.tid, source=source)


def _sc125(trace):
    return [f for f in diagnose(trace, verify=False).findings if f.code == "SC125"]


def test_ctc_with_batch_first_log_probs_gets_transpose_0_1():
    b = TraceBuilder((25, 37), batch=4)
    scores = b.tensor((4, 25, 37), source=None)
    lengths = _long(b, (4,))
    b._add(
        "criterion",
        "CTCLoss",
        "module",
        [scores, _long(b, (4, 5)), lengths, _long(b, (4,))],
        None,
        called_at=__import__("shapecheck.trace.records", fromlist=["Location"]).Location(
            "m.py", 9, "return self.criterion(preds, text, preds_size, length)"
        ),
    )
    (f,) = _sc125(b.fail("input_lengths must be of size batch_size"))
    assert "time first" in f.message and "[25, 4, 37]" in f.message
    assert f.fixes[0].after == "return self.criterion(preds.transpose(0, 1), text, preds_size, length)"


def test_ctc_time_first_is_left_alone():
    b = TraceBuilder((25, 37), batch=4)
    b._add("criterion", "CTCLoss", "module", [b.tensor((25, 4, 37)), _long(b, (4, 5)), _long(b, (4,))], None)
    assert not _sc125(b.trace)


def test_flattened_scores_with_unflattened_labels_get_view():
    b = TraceBuilder((12,), batch=2)
    loss = b.op(
        "F.cross_entropy",
        None,
        source="return F.cross_entropy(logits.view(-1, 9), tags)",
        inputs=[b.tensor((24, 9)), _long(b, (2, 12))],
    )
    (f,) = _sc125(b.fail())
    assert f.row == loss.index
    assert f.fixes[0].after == "return F.cross_entropy(logits.view(-1, 9), tags.view(-1))"


def _per_position(maker, out):
    b = TraceBuilder((16, 32), batch=2)
    head = b.module("head", maker, out, {"in_features": 32, "out_features": 10})
    source = "return F.cross_entropy(logits, y)"
    b.op("F.cross_entropy", None, source=source, inputs=[b.tensor(out, source=head.index), _long(b, (2,))])
    return _sc125(b.fail("Expected target size [2, 10], got [2]"))


def test_scores_for_every_position_against_one_label_per_sample_are_pooled():
    """[N, L, C] from a Linear over every token against [N]: the loss reads L as the classes."""
    (f,) = _per_position("Linear", (2, 16, 10))
    assert "scores for each of 16 positions" in f.message
    pool, first = f.fixes
    assert pool.after == "return F.cross_entropy(logits.mean(1), y)"
    assert first.after == "return F.cross_entropy(logits[:, 0], y)"
    assert f.notes == ["PyTorch reports: Expected target size [2, 10], got [2]"]


def test_scores_from_a_conv_keep_their_classes_in_dim_1():
    (f,) = _per_position("Conv1d", (2, 10, 16))
    assert f.fixes[0].after == "return F.cross_entropy(logits.mean(2), y)"


def test_scores_cut_for_next_token_get_shifted_labels():
    b = TraceBuilder((16,), batch=2)
    b.op(
        "F.cross_entropy",
        None,
        source="return F.cross_entropy(scores, input_ids)",
        inputs=[b.tensor((2, 64, 15)), _long(b, (2, 16))],
    )
    (f,) = _sc125(b.fail())
    assert f.fixes[0].after == "return F.cross_entropy(scores, input_ids[:, 1:])"
    assert dict(f.fixes[0].rerun.edits[0].params)["args"] == (1, 1, 15)
    # the same lengths, or labels two longer: not a shift by one
    b = TraceBuilder((16,), batch=2)
    b.op("F.cross_entropy", None, inputs=[b.tensor((2, 64, 14)), _long(b, (2, 16))])
    assert not _sc125(b.fail())


def test_classes_last_and_unshifted_get_both_edits():
    b = TraceBuilder((16,), batch=2)
    b.op(
        "F.cross_entropy",
        None,
        source="loss = F.cross_entropy(logits, labels)",
        inputs=[b.tensor((2, 15, 64)), _long(b, (2, 16))],
    )
    (f,) = _sc125(b.fail())
    assert f.fixes[0].after == "loss = F.cross_entropy(logits.transpose(1, 2), labels[:, 1:])"
    assert len(f.fixes[0].rerun.edits) == 2


def test_classes_moved_to_dim_1_by_the_code_stay_silent_when_two_dims_are_equal():
    """DETR's [B, Q, C] scores with Q = C queries and classes, given as `logits.transpose(1, 2)`:
    both readings of [2, 6, 6] fit; the code put the classes in dim 1. Without the transpose the
    same shapes still read as classes last."""
    b = TraceBuilder((6, 6), batch=2)
    moved = b.op("Tensor.transpose", (2, 6, 6), source="loss = F.cross_entropy(logits.transpose(1, 2), target)")
    b.op("F.cross_entropy", (), inputs=[moved.outputs[0], _long(b, (2, 6))])
    assert not _sc125(b.trace)
    b = TraceBuilder((6, 6), batch=2)
    scores = b.module("head", "Linear", (2, 6, 6), {"in_features": 6, "out_features": 6})
    b.op(
        "F.cross_entropy",
        (),
        source="loss = F.cross_entropy(logits, target)",
        inputs=[scores.outputs[0], _long(b, (2, 6))],
    )
    (f,) = _sc125(b.trace)
    assert "with the classes last" in f.message


def test_a_conv_taggers_scores_are_channels_first_when_classes_equal_steps():
    """A temporal conv net scores [B, C, T] with as many classes as steps (6 and 6): the conv's
    out_channels are dim 1, where the loss takes the classes."""
    b = TraceBuilder((6, 6), batch=2)
    scores = b.module("head", "Conv1d", (2, 6, 6), {"in_channels": 6, "out_channels": 6})
    b.op("F.cross_entropy", (), inputs=[scores.outputs[0], _long(b, (2, 6))])
    assert not _sc125(b.trace)


def test_flattened_unshifted_labels_are_sliced_before_their_view():
    b = TraceBuilder((20,), batch=2)
    line = "return F.nll_loss(pred.view(-1, pred.size(2)), question.view(-1))"
    scores = b.op("Tensor.view", (38, 100), source=line, inputs=[b.tensor((2, 19, 100))])
    flat = b.op("Tensor.view", (40,), source=line, inputs=[_long(b, (2, 20))])
    flat.call = 2
    flat.outputs = [TensorInfo((40,), dtype="int64", tid=99, source=flat.index)]
    b.op("F.nll_loss", None, source=line, inputs=[scores.outputs[0], flat.outputs[0]])
    (f,) = _sc125(b.fail())
    assert f.fixes[0].after == "return F.nll_loss(pred.view(-1, pred.size(2)), question[:, 1:].contiguous().view(-1))"
    assert dict(f.fixes[0].rerun.edits[0].params)["integer"] is True


def test_arg_method_chain_and_integer_guard():
    x = torch.zeros(128, 128)
    assert _call_method(x, "chain", (("narrow", (-2, 0, 16)), ("narrow", (-1, 0, 16)))).shape == (16, 16)
    rewrite = _rewrite_arg_method(0, "narrow", (1, 1, 3), integer=True)
    _, (scores,), _ = rewrite(None, (torch.zeros(2, 4, 5),), {})
    _, (labels,), _ = rewrite(None, (torch.zeros(2, 4, dtype=torch.long),), {})
    assert scores.shape == (2, 4, 5) and labels.shape == (2, 3)


@pytest.mark.parametrize(
    ("model", "inputs", "after"),
    [
        ("CrnnCtc", ["1x32x100", "5:long"], "self.criterion(preds.transpose(0, 1), text, preds_size, length)"),
        ("QuestionDecoder", ["20:long"], "question[:, 1:].contiguous().view(-1)"),
        ("TaggerUnflattenedTarget", ["12:long", "12:long"], "tags.view(-1))"),
        ("NextTokenLoss", ["16:long"], "input_ids[:, 1:])"),
    ],
)
def test_corpus_sequence_losses_get_verified_fixes(model, inputs, after):
    report = shapecheck.check(f"{CORPUS}:{model}", inputs, batch=2)
    (f,) = [f for f in report.findings if f.code == "SC125"]
    assert after in f.fixes[0].after
    assert f.fixes[0].verified is True


CORRECT = textwrap.dedent(
    """
    import torch
    import torch.nn.functional as F
    from torch import nn


    class Ctc(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(16, 10)
            self.ctc = nn.CTCLoss()

        def forward(self, x, y):
            p = self.fc(x).log_softmax(2).transpose(0, 1)
            n, t = x.size(0), x.size(1)
            return self.ctc(p, y, torch.full((n,), t, dtype=torch.long), torch.full((n,), y.size(1), dtype=torch.long))


    class PooledTokens(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(30, 8)
            self.head = nn.Linear(8, 5)

        def forward(self, ids, y):
            return F.cross_entropy(self.head(self.embed(ids)).mean(1), y)


    class Lm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(30, 8)
            self.head = nn.Linear(8, 30)

        def forward(self, ids):
            logits = self.head(self.embed(ids))[:, :-1]
            return F.cross_entropy(logits.reshape(-1, 30), ids[:, 1:].reshape(-1))
    """
)


SILENT = [("Ctc", ["12x16", "4:long"]), ("Lm", ["10:long"]), ("PooledTokens", ["10:long", "scalar:long"])]


@pytest.mark.parametrize(("model", "inputs"), SILENT)
def test_correct_sequence_losses_stay_silent(tmp_path, model, inputs):
    path = tmp_path / "ok.py"
    path.write_text(CORRECT)
    report = shapecheck.check(f"{path}:{model}", inputs, batch=3)
    assert not report.findings
    assert report.engine == "meta"  # CTC has a meta shape now: no fall back to the real engine


def test_a_head_run_on_every_token_against_one_label_gets_a_verified_pooling(tmp_path):
    path = tmp_path / "vit.py"
    path.write_text(CORRECT.replace("self.head(self.embed(ids)).mean(1)", "self.head(self.embed(ids))"))
    (f,) = shapecheck.check(f"{path}:PooledTokens", ["10:long", "scalar:long"], batch=3).findings
    assert f.code == "SC125" and f.is_error
    assert [x.after.strip() for x in f.fixes] == [
        "return F.cross_entropy(self.head(self.embed(ids)).mean(1), y)",
        "return F.cross_entropy(self.head(self.embed(ids))[:, 0], y)",
    ]
    assert all(x.verified for x in f.fixes)


SEQUENCE_LABEL = textwrap.dedent(
    """
    import torch.nn.functional as F
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(50, 16)
            self.lstm = nn.LSTM(16, 32, batch_first=True)
            self.fc = nn.Linear(32, 5)

        def forward(self, x, y):
            h, _ = self.lstm(self.emb(x))
            out = self.fc(h)
            return F.cross_entropy(out.view(-1, 5), y)
    """
)


def test_every_step_flattened_against_one_label_per_sample_gets_both_readings(tmp_path):
    """[4, 12, 5] viewed as [48, 5] against [4]: one row per sample (last step or mean, both
    checked as written), or, if the data has a label per step, the targets to give."""
    path = tmp_path / "seq.py"
    path.write_text(SEQUENCE_LABEL)
    (f,) = shapecheck.check(f"{path}:Net", ["12:long", "scalar:long"], batch=4).findings
    assert f.code == "SC125" and "48 rows of scores and 4 targets" in f.message
    last, mean, tagging = f.fixes
    assert last.after.strip() == "return F.cross_entropy(out[:, -1], y)" and last.verified is True
    assert mean.after.strip() == "return F.cross_entropy(out.mean(1), y)" and mean.verified is True
    assert tagging.verified is not True and "[4, 12] flattened" in tagging.description


FUNCTIONAL_CTC = textwrap.dedent(
    """
    import torch
    import torch.nn.functional as F
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(40, 64, batch_first=True, bidirectional=True)
            self.fc = nn.Linear(128, 29)

        def forward(self, feats, targets):
            h, _ = self.rnn(feats)
            log_probs = self.fc(h).log_softmax(-1)
            b, t = feats.shape[0], feats.shape[1]
            lengths = torch.full((b,), t, dtype=torch.long)
            return F.ctc_loss(log_probs, targets, lengths, torch.full((b,), targets.shape[1], dtype=torch.long))
    """
)


def test_functional_ctc_batch_first_is_one_finding_and_its_fix_is_applied(tmp_path):
    """`F.ctc_loss` is a recorded op (a call site a fix can rewrite), not an elementwise one: no
    SC112 beside SC125, and the transpose is applied in the re-trace and verified."""
    path = tmp_path / "ctc.py"
    path.write_text(FUNCTIONAL_CTC)
    (f,) = shapecheck.check(f"{path}:Net", ["50x40", "8:long"], batch=4).findings
    assert f.code == "SC125" and "batch first" in f.message
    assert "log_probs.transpose(0, 1)" in f.fixes[0].after and f.fixes[0].verified is True


CLASS_TOKEN = textwrap.dedent(
    """
    import torch
    import torch.nn.functional as F
    from torch import nn


    class Net(nn.Module):
        def __init__(self, dim=32):
            super().__init__()
            self.patch = nn.Conv2d(3, dim, 8, 8)
            self.cls = nn.Parameter(torch.zeros(1, 1, dim))
            self.head = nn.Linear(dim, 10)

        def forward(self, x, y):
            x = self.patch(x).flatten(2).transpose(1, 2)
            x = torch.cat([self.cls.expand(x.size(0), -1, -1), x], dim=1)
            logits = self.head(x)
            return F.cross_entropy(logits, y)
    """
)


def test_scores_for_every_token_of_a_model_with_a_class_token_score_that_token_first(tmp_path):
    path = tmp_path / "vit.py"
    path.write_text(CLASS_TOKEN)
    (f,) = shapecheck.check(f"{path}:Net", ["3x32x32", "scalar:long"], batch=4).findings
    first, pooled = f.fixes
    assert first.after.strip() == "return F.cross_entropy(logits[:, 0], y)" and first.verified is True
    assert pooled.after.strip() == "return F.cross_entropy(logits.mean(1), y)"
    assert any("puts a learned token first among the 17 positions" in line for line in f.why)


def test_cli_names_the_ctc_layout():
    result = CliRunner().invoke(app, ["check", f"{CORPUS}:CrnnCtc", "--input", "1x32x100", "--input", "5:long"])
    assert result.exit_code == 1
    assert "SC125" in result.output and "preds.transpose(0, 1)" in result.output
