"""Sequence, attention and channels-last models: SC114-SC119 end to end and on hand-built traces."""

import dataclasses
import json
import re

import pytest
from conftest import fixture_path
from helpers import TraceBuilder
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diagnose import diagnose
from shapecheck.diagnose.requests import Rerun
from shapecheck.trace.records import Location, TensorInfo

runner = CliRunner()

# (fixture, input, batch, the lengths and widths of that input: never a layer size in a verified fix)
BROKEN = [
    ("rules/sc114_channels_last.py:SensorConv", "100x12", 1, {100}),
    ("rules/sc114_channels_last.py:TokenNorm", "50x8", 1, {50}),
    ("rules/sc114_channels_last.py:PatchStem", "64x64x3", 1, {64}),
    ("rules/sc115_rnn_input_size.py:ConvGru", "8x60", 1, {60}),
    ("rules/sc116_batch_first.py:Forecaster", "50x32", 4, {50}),
    ("rules/sc116_batch_first.py:Encoder", "30x64", 4, {30}),
]


@pytest.mark.parametrize("fixture, size, batch, lengths", BROKEN, ids=[b[0] for b in BROKEN])
def test_no_verified_fix_sets_a_layer_size_to_a_length(fixture, size, batch, lengths):
    report = shapecheck.check(fixture_path(fixture), size, batch=batch)
    verified = [x for f in report.findings for x in f.fixes if x.verified]
    assert verified, [f.message for f in report.findings]
    for fix in verified:
        if (fix.code or "").startswith("--input"):
            continue  # the input spec, not a layer
        before = set(map(int, re.findall(r"\d+", fix.before or "")))
        added = set(map(int, re.findall(r"\d+", fix.after or fix.code or ""))) - before
        assert not (added & lengths), (fix.description, fix.after or fix.code)


def test_channels_last_conv_is_not_told_to_take_the_length_as_channels():
    report = shapecheck.check(fixture_path("rules/sc114_channels_last.py:SensorConv"), "100x12")
    (f,) = report.findings
    assert f.code == "SC114" and f.layer == "conv" and f.location.line == 16
    assert f.message == "`conv` expects 12 channels in dim 1 but they arrive in the last dim of [1, 100, 12]"
    assert f.fixes[0].after == "h = self.pool(self.conv(series.transpose(1, 2)).relu()).flatten(1)"
    assert f.fixes[0].verified and f.fixes[0].result_shape == (1, 4)
    assert not any("in_channels=100" in (x.code or "") + x.description for x in f.fixes)


def test_batchnorm_on_tokens_moves_channels_there_and_back():
    report = shapecheck.check(fixture_path("rules/sc114_channels_last.py:TokenNorm"), "50x8")
    (f,) = report.findings
    assert f.fixes[0].after == "return self.norm(self.proj(tokens).transpose(1, 2)).transpose(1, 2)"
    assert f.fixes[0].result_shape == (1, 50, 12)
    assert f.labels[0].layer == "proj"


def test_rnn_input_size_names_the_embedding_and_offers_both_sides():
    report = shapecheck.check(fixture_path("rules/sc115_rnn_input_size.py:Tagger"), "20:long")
    (f,) = report.findings
    assert f.message == "`lstm` expects 300 input features but receives 100"
    assert f.labels[0].message == "`embed` makes 100 features"
    afters = [x.after for x in f.fixes]
    assert afters == [
        "self.lstm = nn.LSTM(input_size=100, hidden_size=64, batch_first=True)",
        "self.embed = nn.Embedding(vocab, 300)",
    ]
    assert all(x.verified for x in f.fixes)


def test_conv_features_into_gru_are_transposed_not_resized():
    report = shapecheck.check(fixture_path("rules/sc115_rnn_input_size.py:ConvGru"), "8x60")
    (f,) = report.findings
    assert [x.after for x in f.fixes] == ["out, _ = self.gru(feats.transpose(1, 2))"]
    assert f.fixes[0].verified


def test_silent_batch_first_confusion_is_a_warning_with_the_evidence():
    report = shapecheck.check(fixture_path("rules/sc116_batch_first.py:Forecaster"), "50x32", batch=4)
    (f,) = report.findings
    assert f.code == "SC116" and f.severity == "warning" and report.exit_code() == 0
    assert "its final hidden state h_n is [2, 50, 32]: one for each of 50 sequences" in f.why
    assert "the model returns [50, 5] for a batch of 4" in f.why
    assert f.fixes[0].after == "self.lstm = nn.LSTM(32, 32, num_layers=2, batch_first=True)"
    assert f.fixes[0].safety == "safe" and f.fixes[0].verified and f.fixes[0].result_shape == (4, 5)


def test_transformer_batch_first_fix_goes_on_the_layer_line_once():
    report = shapecheck.check(fixture_path("rules/sc116_batch_first.py:Encoder"), "30x64", batch=4)
    (f,) = report.findings  # one finding for the two cloned layers
    fix = f.fixes[0]
    assert fix.location.line == 35
    assert fix.after == "layer = nn.TransformerEncoderLayer(d_model, 4, 128, batch_first=True)"
    assert fix.verified and fix.result_shape == (4, 3)


def test_strict_fails_on_the_silent_warning():
    result = runner.invoke(
        app, [fixture_path("rules/sc116_batch_first.py:Forecaster"), "-i", "50x32", "--batch", "4", "--strict"]
    )
    assert result.exit_code == 1, result.output
    assert "warning[SC116]" in result.output


def test_attention_embed_dim_in_a_transformer_points_at_the_layer_and_the_embedding():
    report = shapecheck.check(fixture_path("rules/sc117_attention_shape.py:TextEncoder"), "20:long")
    (f,) = report.findings
    assert f.message == "`encoder.layers.0.self_attn` expects embed_dim 512 but the query has 256 features"
    by_text = {x.after: x for x in f.fixes}
    assert by_text["self.embed = nn.Embedding(100, 512)"].verified
    changed = "self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(256, 8, batch_first=True), 2)"
    # checked as written: the model built again from the file with the line changed
    assert changed in by_text and by_text[changed].verified is True


def test_transposed_padding_mask():
    report = shapecheck.check(
        fixture_path("rules/sc117_attention_shape.py:MaskedAttend"), ["10x16", "10:bool"], batch=2
    )
    (f,) = report.findings
    assert f.message == "`key_padding_mask` of `attn` is [10, 2] but must be [N, S] = [2, 10] (it is transposed)"


def test_float_ids_from_the_input_and_from_code():
    (f,) = shapecheck.check(fixture_path("rules/sc118_embedding_input.py:Bag"), "10").findings
    assert f.fixes[0].code == "--input 10:long" and f.fixes[0].verified
    (g,) = shapecheck.check(fixture_path("rules/sc118_embedding_input.py:ScaledIds"), "10:long").findings
    assert g.fixes[0].after == "return self.embed(buckets.long())"
    assert not g.labels or g.labels[0].layer != "input"  # the input is int64: the division made floats


def test_tutorial_positional_encoding_with_batch_first_data():
    report = shapecheck.check(fixture_path("rules/sc119_batch_broadcast.py:TutorialBatchFirst"), "50x64", batch=4)
    (f,) = report.findings
    assert f.code == "SC119" and f.location.line == 27
    assert f.fixes[0].after == "return x + self.pe[:x.size(1)].transpose(0, 1)"
    # the suggested line is what the correct form runs: it is clean
    assert (
        shapecheck.check(
            fixture_path("rules/sc119_batch_broadcast.py:TutorialBatchFirstCorrect"), "50x64", batch=4
        ).findings
        == []
    )


@pytest.mark.parametrize(
    "fixture, size, code",
    [
        ("rules/sc115_rnn_input_size.py:Tagger", "20:long", "SC115"),
        ("rules/sc117_attention_shape.py:Attend", "10x16", "SC117"),
        ("rules/sc118_embedding_input.py:Bag", "10", "SC118"),
    ],
)
def test_quoted_pytorch_message_is_what_a_real_run_prints(fixture, size, code):
    meta = shapecheck.check(fixture_path(fixture), size, engine="meta")
    (note,) = [n for n in meta.findings[0].notes if n.startswith("PyTorch reports: ")]
    real = shapecheck.check(fixture_path(fixture), size, engine="real")
    assert real.findings[0].code == code
    assert note[len("PyTorch reports: ") :] in real.trace.error.message


# -- rules on hand-built traces (no torch) ------------------------------------------------------


def test_sc114_on_a_hand_built_trace():
    b = TraceBuilder((2, 100, 12), batch=2)
    b.module(
        "conv",
        "Conv1d",
        None,
        {"in_channels": 12, "out_channels": 8, "kernel_size": [3]},
        defined_at=Location("m.py", 3, "self.conv = nn.Conv1d(12, 8, 3)"),
        called_at=Location("m.py", 7, "return self.conv(x)"),
    )
    trace = b.fail()
    (f,) = diagnose(trace).findings
    assert f.code == "SC114"
    assert f.fixes[0].after == "return self.conv(x.transpose(1, 2))"
    assert f.fixes[0].verified is None  # no runner: not checked


def test_sc114_stays_quiet_when_the_last_dim_is_not_the_channel_count():
    b = TraceBuilder((2, 100, 7), batch=2)
    b.module("conv", "Conv1d", None, {"in_channels": 12, "out_channels": 8, "kernel_size": [3]})
    codes = [f.code for f in diagnose(b.fail()).findings]
    assert "SC114" not in codes and "SC104" in codes


def _lstm_trace(batch, batch_first):
    b = TraceBuilder((batch, 50, 32), batch=batch)
    b.module(
        "lstm",
        "LSTM",
        (batch, 50, 32),
        {"input_size": 32, "hidden_size": 32, "batch_first": batch_first},
        defined_at=Location("m.py", 3, "self.lstm = nn.LSTM(32, 32)"),
        called_at=Location("m.py", 7, "out, _ = self.lstm(x)"),
    )
    return b.trace


@pytest.mark.parametrize("batch_first, found", [(False, True), (True, False)])
def test_sc116_reads_the_batch_dim_from_a_second_trace(batch_first, found):
    trace = _lstm_trace(4, batch_first)
    twin = _lstm_trace(6, batch_first)

    def fake_runner(request: Rerun):
        assert request.batch == 6 or request.edits
        return twin

    findings = diagnose(trace, runner=fake_runner).findings
    assert [f.code for f in findings] == (["SC116"] if found else [])


def test_sc119_needs_a_tensor_from_weights_to_follow_the_batch():
    def trace_at(batch, from_input):
        b = TraceBuilder((batch, 50, 64), batch=batch)
        x = TensorInfo((batch, 50, 64), tid=1, from_input=True)
        table = TensorInfo((5000, 1, 64), tid=2, from_input=from_input)  # the registered buffer
        sliced = b.op(
            "Tensor.__getitem__",
            (batch, 1, 64),
            {"args": ["<tensor>", f"slice(None, {batch}, None)"]},
            line=9,
            source="return x + self.pe[:x.size(0)]",
            inputs=[table],
        )
        pe = sliced.outputs[0] = dataclasses.replace(sliced.outputs[0], from_input=from_input)
        b.op(
            "Tensor.add",
            (batch, 50, 64),
            {"category": "elementwise"},
            source="return x + self.pe[:x.size(0)]",
            inputs=[x, pe],
        )
        return b.trace

    for from_input, expected in ((False, ["SC119"]), (True, [])):
        trace, twin = trace_at(4, from_input), trace_at(6, from_input)
        codes = [f.code for f in diagnose(trace, runner=lambda request, t=twin: t).findings]
        assert codes == expected


# -- input mistakes are explained, not traced into ------------------------------------------------


def test_forward_with_more_inputs_than_given_names_them(tmp_path):
    model = tmp_path / "two.py"
    model.write_text(
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(8, 8)\n\n"
        "    def forward(self, x, mask):\n        return self.fc(x) * mask\n"
    )
    result = runner.invoke(app, [f"{model}:Net", "--input", "8"])
    assert result.exit_code == 2, result.output
    assert "forward(x, mask) needs 2 inputs, --input gave 1 (missing: mask)" in result.stderr
    assert "SC100" not in result.output and "Traceback" not in result.output
    assert runner.invoke(app, [f"{model}:Net", "--input", "8", "--input", "8"]).exit_code == 0


def test_keyword_inputs_reach_forward_by_name(tmp_path):
    model = tmp_path / "kw.py"
    model.write_text(
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(8, 8)\n\n"
        "    def forward(self, x, *, scale, bias=None):\n        return self.fc(x) * scale\n"
    )
    ok = runner.invoke(app, [f"{model}:Net", "--input", "8", "--input", "scale=8"])
    assert ok.exit_code == 0, ok.output
    assert "input [1, 8] float32, scale [1, 8] float32" in ok.stdout
    cases = [
        (["--input", "8"], "needs 2 inputs, --input gave 1 (missing: scale)", "--input scale=DIMS"),
        (["--input", "8", "--input", "scal=8"], "has no parameter 'scal'", None),
        (["--input", "8", "--input", "x=8", "--input", "scale=8"], "gives 'x' a second time", None),
        (["--input", "scale=8", "--input", "8"], "comes after the keyword input", "positional inputs first"),
    ]
    for args, message, hint in cases:
        result = runner.invoke(app, [f"{model}:Net", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output
        if hint:
            assert hint in result.stderr


@pytest.mark.parametrize(
    "spec, batch, fix", [("1x3x224x224", "1", "--input 3x224x224"), ("8x3x224x224", "8", "--input 3x224x224 --batch 8")]
)
def test_input_that_includes_the_batch_gets_the_per_sample_form(spec, batch, fix):
    result = runner.invoke(app, ["resnet18", "--input", spec, "--format", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "SC105" and "includes the batch" in finding["message"]
    assert finding["fixes"][0]["code"] == fix and finding["fixes"][0]["verified"] is True
    assert finding["fixes"][0]["result_shape"] == [int(batch), 1000]


@pytest.mark.parametrize("spec", ["3,224,224", "(3, 224, 224)", "[3, 224, 224]"])
def test_input_written_with_commas_gets_the_x_form(spec):
    result = runner.invoke(app, ["resnet18", "--input", spec])
    assert result.exit_code == 2
    assert "--input 3x224x224" in result.stderr and "Traceback" not in result.output


def test_heads_that_do_not_divide_embed_dim_are_named_at_construction(tmp_path):
    model = tmp_path / "heads.py"
    model.write_text(
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.attn = nn.MultiheadAttention(100, 8, batch_first=True)\n\n"
        "    def forward(self, x):\n        return self.attn(x, x, x)[0]\n"
    )
    result = runner.invoke(app, [str(model), "--input", "10x100"])
    assert result.exit_code == 1, result.output
    assert "error[SC117]: `MultiheadAttention(embed_dim=100, num_heads=8)` cannot be built" in result.stdout
    assert "100 = 8·12 + 4" in result.stdout and "heads.py:6" in result.stdout
    # the head counts that divide 100 are verified; the widths 8 divides are not what reaches it
    assert "+ self.attn = nn.MultiheadAttention(100, 5, batch_first=True)" in result.stdout
    assert "num_heads=10: 100 = 10·10 [safe · verified" in result.stdout
    assert "embed_dim=96 = 8·12 [unsafe · does not fix it]" in result.stdout


# -- an RNN's initial state (SC115) -------------------------------------------------------------


def _rnn_with_state(type_, x, states, **attrs):
    b = TraceBuilder(x, batch=x[0])
    base = {"input_size": x[-1], "hidden_size": 20, "num_layers": 1, "batch_first": True, "bidirectional": False}
    base.update(attrs)
    row = b.module(
        "rnn",
        type_,
        None,
        base,
        defined_at=Location("m.py", 3, f"self.rnn = nn.{type_}(10, 20)"),
        called_at=Location(
            "m.py", 7, "out, _ = self.rnn(x, (h0, c0))" if type_ == "LSTM" else "out, _ = self.rnn(x, h0)"
        ),
    )
    row.inputs = [row.inputs[0]] + [b.tensor(s) for s in states]
    return diagnose(b.fail()).findings


def test_sc115_batch_first_initial_state():
    (f,) = _rnn_with_state("GRU", (4, 7, 10), [(4, 2, 20)], num_layers=2)
    assert f.code == "SC115" and "[2, 4, 20]" in f.message
    assert "batch first" in f.why[1]
    assert f.fixes[0].code.startswith("h0 = h0.transpose(0, 1).contiguous()")
    assert f.notes == ["PyTorch reports: Expected hidden size (2, 4, 20), got [4, 2, 20]"]


def test_sc115_state_made_for_another_batch_names_the_input():
    (f,) = _rnn_with_state("LSTM", (3, 7, 10), [(1, 8, 20), (1, 8, 20)])
    assert "made for a batch of 8" in f.why[1]
    assert f.fixes[0].code == "h0 = torch.zeros(1, x.size(0), 20)"
    assert f.notes == ["PyTorch reports: Expected hidden[0] size (1, 3, 20), got [1, 8, 20]"]


def test_sc115_bidirectional_needs_two_states_per_layer():
    (f,) = _rnn_with_state("LSTM", (4, 7, 10), [(2, 4, 20), (2, 4, 20)], num_layers=2, bidirectional=True)
    assert "the layer has 4" in f.why[1]
    assert f.fixes[0].code == "h0 = torch.zeros(4, 4, 20)"


def test_sc115_quiet_on_a_state_that_fits():
    b = TraceBuilder((4, 7, 10), batch=4)
    row = b.module(
        "rnn", "GRU", (4, 7, 20), {"input_size": 10, "hidden_size": 20, "num_layers": 1, "batch_first": True}
    )
    row.inputs = [row.inputs[0], b.tensor((1, 4, 20))]
    row.status = "failed"  # even on a failing row: the state is not what failed
    assert [f.code for f in diagnose(b.trace).findings if f.code == "SC115"] == []


STATE_SCRIPT = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(10, 20, batch_first=True)

    def forward(self, seq, hidden):
        out, _ = self.rnn(seq, hidden)
        return out


enc = Encoder()
seq = torch.randn(3, 7, 10)
hidden = (torch.zeros(1, 8, 20), torch.zeros(1, 8, 20))
enc(seq, hidden)
"""


def test_run_names_the_state_a_script_made_for_another_batch(tmp_path):
    script = tmp_path / "encode.py"
    script.write_text(STATE_SCRIPT)
    result = CliRunner().invoke(app, ["run", str(script)])
    assert "error[SC115]" in result.output, result.output
    assert "encode.py:11" in result.output  # the line that calls the LSTM
    assert "hidden = (torch.zeros(1, seq.size(0), 20), torch.zeros(1, seq.size(0), 20))" in result.output
