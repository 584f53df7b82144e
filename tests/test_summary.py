"""`shapecheck.summary` called as torchinfo's `summary` is: every argument it takes."""

from __future__ import annotations

import warnings
from collections import namedtuple

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import shapecheck
from shapecheck.errors import SpecError


class Mnist(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv2(F.max_pool2d(self.conv1(x), 2)), 2)
        return self.fc2(self.fc1(x.view(-1, 320)))


def _quiet(*args, **kwargs):
    return shapecheck.summary(*args, verbose=0, **kwargs)


def test_no_input_is_a_table_of_parameters():
    result = _quiet(Mnist())
    assert (result.total_params, result.trainable_params, result.total_mult_adds) == (21840, 21840, 0)
    assert [(r.name, r.params) for r in result.summary_list] == [
        ("Mnist", 21840),
        ("conv1", 260),
        ("conv2", 5020),
        ("fc1", 16050),
        ("fc2", 510),
    ]
    assert "no input, parameters only" in str(result)
    lazy = nn.Module()
    lazy.param = nn.UninitializedParameter()
    assert _quiet(lazy).total_params == 0
    act = nn.ReLU()
    assert len(_quiet(nn.Sequential(act, nn.Identity(), act)).summary_list) == 4  # reused: at each place


def test_non_tensor_forward_arguments_are_passed_as_they_are():
    class Scaled(nn.Module):
        def forward(self, x, scale_factor):
            return scale_factor * (x[256] + x[512][0])

    data = {256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}
    for result in (
        _quiet(Scaled(), input_data={"x": data, "scale_factor": 5}),
        _quiet(Scaled(), input_data=[data], scale_factor=5),
    ):
        assert result.summary_list[0].outputs[0].shape == (10, 1)

    class Chosen(nn.Module):
        def __init__(self):
            super().__init__()
            self.choices = nn.ModuleDict({"conv": nn.Conv2d(10, 10, 3), "pool": nn.MaxPool2d(3)})

        def forward(self, x, layer_type, extra=None):
            assert extra is None
            return self.choices[layer_type](x)

    pooled = _quiet(Chosen(), input_data=torch.randn(1, 10, 3, 3), layer_type="pool", extra=None)
    assert pooled.summary_list[-1].name == "choices.pool"

    class Optional(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 1)

        def forward(self, inputs):
            return self.linear(inputs["foo"] if inputs else torch.ones(3))

    assert _quiet(Optional(), input_data=[{}]).summary_list[-1].outputs[0].shape == (1,)

    Point = namedtuple("Point", ["x", "y"])

    class Sized(nn.Module):
        def forward(self, x, y, z):
            return x + torch.ones(z.x)

    sized = _quiet(Sized(), input_size=[(2, 1, 4, 4), (2, 1, 4, 4)], z=Point((2, 1, 4, 4), (2, 1, 4, 4)))
    assert sized.summary_list[0].outputs[0].shape == (2, 1, 4, 4)


def test_given_values_are_used_where_the_model_reads_them():
    class Packed(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(60, 16)
            self.lstm = nn.LSTM(16, 8)

        def forward(self, batch, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(self.embedding(batch), lengths)
            _, (h, _) = self.lstm(packed)
            return h[-1]

    lengths = torch.tensor([5, 4, 4, 2])
    result = _quiet(Packed(), input_data=torch.ones(5, 4).long(), lengths=lengths)
    assert result.report.trace.error is None
    assert result.summary_list[0].outputs[0].shape == (4, 8)
    assert result.report.layer("lstm").inputs[0].shape == (15, 16)  # 5 + 4 + 4 + 2 packed steps


def test_a_script_module_is_summarised():
    model = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.script(model)
    plain, compiled = _quiet(model, input_data=torch.randn(4, 128)), _quiet(scripted, input_data=torch.randn(4, 128))
    assert len(plain.summary_list) == len(compiled.summary_list) == 4
    assert compiled.total_params == plain.total_params == 128 * 64 + 64 + 65
    assert compiled.summary_list[-1].outputs[0].shape == (4, 1)
    assert all(p.device.type == "cpu" for p in scripted.parameters())


def test_old_tensor_types_name_dtypes():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(300, 10), nn.Linear(300, 10)

        def forward(self, x1, x2):
            return torch.cat([self.a(x1), self.b(x2.float())])

    result = _quiet(Two(), input_size=[(1, 300), (1, 300)], dtypes=[torch.FloatTensor, torch.LongTensor])
    assert [t.dtype for t in result.report.inputs] == ["float32", "int64"]
    assert result.total_params == 6020


def test_batch_dim_row_settings_col_width_and_mode():
    result = _quiet(Mnist(), (1, 28, 28), batch_dim=0, col_width=20, row_settings=("var_names",), mode="train")
    assert result.report.inputs[0].shape == (1, 1, 28, 28)
    assert result.report.trace.training
    lstm = _quiet(nn.LSTM(8, 4), (100, 8), batch_dim=1)  # time first: the batch of 1 goes second
    assert lstm.report.inputs[0].shape == (100, 1, 8)
    assert "✓" not in str(_quiet(Mnist(), (2, 1, 28, 28), row_settings=("ascii_only",)))
    for bad in (dict(col_width=0), dict(row_settings=("colour",)), dict(mode="test"), dict(batch_dim=-1)):
        with pytest.raises(SpecError):
            _quiet(Mnist(), (1, 1, 28, 28), **bad)


def test_hide_recursive_layers_folds_repeated_calls():
    class Loop(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(3, 2)

        def forward(self, x):
            h = c = torch.zeros(x.size(0), 2)
            for _ in range(4):
                h, c = self.cell(x, (h, c))
            return h

    full = str(_quiet(Loop(), input_size=(2, 3)))
    folded = _quiet(Loop(), input_size=(2, 3), row_settings=("depth", "hide_recursive_layers"))
    assert full.count("call ") == 3 and "call " not in str(folded)
    assert folded.total_mult_adds == 4 * (2 * 8 * 5 + 2 * 2 * 8)  # every call still counts


def test_cache_forward_pass_reuses_the_trace():
    model = Mnist()
    first = _quiet(model, (2, 1, 28, 28), cache_forward_pass=True)
    again = _quiet(model, (2, 1, 28, 28), cache_forward_pass=True)
    other = _quiet(model, (2, 1, 28, 28))
    assert again.report is first.report and other.report is not first.report


def test_groups_column_and_input_sizes_that_torchinfo_takes():
    conv = _quiet(nn.Conv2d(16, 32, 3, groups=4), input_data=torch.randn(7, 16, 28, 28), col_names=("groups",))
    assert str(conv).splitlines()[0].split() == ["Layer", "Groups", "Notes"]
    assert str(conv).splitlines()[1].split() == ["Conv2d", "4"]

    class Two(nn.Module):
        def forward(self, x, scale):
            return x * scale

    # an empty size is a 0-dim tensor: no StopIteration from inside summary
    both = _quiet(Two(), input_size=[[1, 10], []])
    assert [t.shape for t in both.report.inputs] == [(1, 10), ()]

    class Weight(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(3, 2))

        def forward(self, x):
            return self.w

    for size in ([(2,)], ((2,),), (2,), [2], torch.Size([2])):
        assert _quiet(Weight(), input_size=size).report.inputs[0].shape == (2,)
    with pytest.raises(SpecError, match="takes 1 inputs"):
        _quiet(Weight(), input_size=[[1, 10], []])


def test_a_memory_budget_as_text_prints(capsys):
    result = shapecheck.summary(nn.Linear(3, 4), input_size=(2, 3), fit="16GiB")
    assert "largest batch in 16.0 GiB" in capsys.readouterr().out
    assert result.report.trace.memory.budget == 16 * 2**30


def test_a_module_with_scripted_layers_is_traced_around_them():
    class HalfScripted(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.fc = torch.jit.script(nn.Linear(4 * 6 * 6, 10))

        def forward(self, x):
            return self.fc(self.conv(x).flatten(1))

    result = _quiet(HalfScripted(), input_data=torch.randn(2, 1, 8, 8))
    assert result.report.trace.error is None and result.summary_list[0].outputs[0].shape == (2, 10)
    assert [r.name for r in result.summary_list if r.kind == "module"] == ["HalfScripted", "conv"]  # fc: compiled
    assert result.total_params == 40 + 1450


def test_torchinfos_byte_totals():
    class Inside(nn.Module):
        def __init__(self):
            super().__init__()
            self.l_1 = nn.Linear(1, 1)
            self.param_1 = nn.Parameter(torch.ones(1))

        def forward(self, x):
            return self.l_1(x) * self.param_1

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.l_0 = nn.Linear(2, 1)
            self.param_0 = nn.Parameter(torch.ones(2))
            self.inside = Inside()

        def forward(self, x):
            return self.inside(self.l_0(x)) * self.param_0

    result = _quiet(Outer(), input_data=[torch.zeros(100, 2)])
    assert (result.total_params, result.total_param_bytes) == (8, 32)  # held by non-leaf modules too
    assert result.total_input == 100 * 2 * 4 and result.float_to_megabytes(result.total_input) == 0.0008
    assert result.total_output_bytes > 0
    half = _quiet(nn.Linear(4, 4).half(), input_size=(2, 4), dtypes=[torch.float16])
    assert half.total_param_bytes == 20 * 2
