"""torchinfo's own test calls, run through `shapecheck.summary`, compared with torchinfo.

The models and calls follow torchinfo's tests/torchinfo_test.py, tests/torchinfo_xl_test.py
(its torchvision and transformers models, built with weights=None) and tests/fixtures/models.py
(the architectures and the arguments of each `summary` call, written again here). Each call runs
through `shapecheck.summary` with the same arguments; with torchinfo installed (a dev-only
tool: `pip install torchinfo`) it runs there too, and the totals are compared: parameters,
trainable parameters, Mult-Adds, the model's (first) output shape and each layer row's class and
output shape. Each difference is listed with
whose number is right and why (`WHY` below); a difference without an entry there is marked
"unexplained" and makes the script exit 1.

    python benchmarks/torchinfo_suite.py            # the table, as in docs/models.md
    python benchmarks/torchinfo_suite.py --verbose  # and each call's error in full
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import time
import warnings
from collections import namedtuple

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune
from torch.nn.utils.rnn import pack_padded_sequence

import shapecheck

# -- the models ------------------------------------------------------------------------------------


class TwoConvNet(nn.Module):  # torchinfo's SingleInputNet: an MNIST CNN
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(0.3)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2).relu()
        x = F.max_pool2d(self.conv2_drop(self.conv2(x)), 2).relu()
        x = self.fc1(x.view(-1, 320)).relu()
        return F.log_softmax(self.fc2(x), dim=1)


class ThreeLinear(nn.Module):  # LinearModel
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))

    def forward(self, x):
        return self.layers(x)


class LateParameter(nn.Module):  # UninitializedParameterModel
    def __init__(self):
        super().__init__()
        self.param = nn.UninitializedParameter()

    def forward(self, x):
        self.param = nn.Parameter(torch.zeros(128))
        return x


class TwoDtypes(nn.Module):  # MultipleInputNetDifferentDtypes
    def __init__(self):
        super().__init__()
        self.fc1a, self.fc1b = nn.Linear(300, 50), nn.Linear(50, 10)
        self.fc2a, self.fc2b = nn.Linear(300, 50), nn.Linear(50, 10)

    def forward(self, x1, x2):
        a = self.fc1b(self.fc1a(x1).relu())
        b = self.fc2b(self.fc2a(x2.type(torch.float)).relu())
        return F.log_softmax(torch.cat((a, b), 0), dim=1)


class EmbedLSTM(nn.Module):  # LSTMNet: embedding, a 2-layer LSTM (time first), a decoder
    def __init__(self, vocab=20, embed=300, hidden=512, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.encoder = nn.LSTM(embed, hidden, num_layers=layers)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, hidden = self.encoder(self.embedding(x))
        out = self.decoder(out)
        return out.view(-1, out.size(2)), hidden


class SameConvSixTimes(nn.Module):  # RecursiveNet
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(64, 64, 3, 1, 1)

    def forward(self, x, args1=None, args2=None):
        for _ in range(6):
            x = self.conv1(x)
        return x


class ReturnsWeight(nn.Module):  # CustomParameter
    def __init__(self, input_size, attention_size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(attention_size, input_size))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x):
        return self.weight


class HoldsParameterList(nn.Module):  # ParameterListModel
    def __init__(self):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(torch.zeros(100, 100)), nn.Parameter(torch.zeros(100, 200))])

    def forward(self, x):
        return x


class Siamese(nn.Module):  # SiameseNets
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 64, 10), nn.Conv2d(64, 128, 7)
        self.conv3, self.conv4 = nn.Conv2d(128, 128, 4), nn.Conv2d(128, 256, 4)
        self.pooling = nn.MaxPool2d(2, 2)
        self.fc1, self.fc2 = nn.Linear(256, 4096), nn.Linear(4096, 1)
        self.dropout = nn.Dropout(0.5)

    def branch(self, x):
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = self.pooling(F.relu(conv(x)))
        return self.fc1(x.view(x.size(0), -1))

    def forward(self, x1, x2):
        return torch.sigmoid(self.fc2(self.dropout(torch.abs(self.branch(x1) - self.branch(x2)))))


class DictOfConvOutputs(nn.Module):  # ReturnDictLayer
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, kernel_size=5), nn.Conv2d(10, 20, kernel_size=5)
        self.fc1, self.fc2 = nn.Linear(320, 50), nn.Linear(50, 10)

    def forward(self, x):
        out = {"conv1": self.conv1(x)}
        x = F.relu(F.max_pool2d(out["conv1"], 2))
        out["conv2"] = self.conv2(x)
        x = F.relu(F.max_pool2d(out["conv2"], 2))
        out["fc1"] = F.relu(self.fc1(x.view(-1, 320)))
        out["fc2"] = self.fc2(out["fc1"])
        out["output"] = F.log_softmax(out["fc2"], dim=1)
        return out


class ReturnsDict(nn.Module):  # ReturnDict
    def __init__(self):
        super().__init__()
        self.return_dict = DictOfConvOutputs()

    def forward(self, x, y):
        return self.return_dict(x)


class ScaledDictSum(nn.Module):  # DictParameter
    def __init__(self):
        super().__init__()
        self.constant = 5

    def forward(self, x, scale_factor):
        return scale_factor * (x[256] + x[512][0]) * self.constant


class ChosenByName(nn.Module):  # ModuleDictModel
    def __init__(self):
        super().__init__()
        self.choices = nn.ModuleDict({"conv": nn.Conv2d(10, 10, 3), "pool": nn.MaxPool2d(3)})
        self.activations = nn.ModuleDict({"lrelu": nn.LeakyReLU(), "prelu": nn.PReLU()})

    def forward(self, x, layer_type, activation_type):
        return self.activations[activation_type](self.choices[layer_type](x))


class Holder:  # ObjectWithTensors
    def __init__(self, tensors):
        self.tensors = tensors


class NestedDictOut(nn.Module):  # HighlyNestedDictModel
    def __init__(self):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(10, 10), nn.Linear(10, 10)

    def forward(self, x):
        return {"foo": ({"bar": [Holder(F.softmax(self.lin2(self.lin1(x)), dim=0))]},)}


class IndexableInt(int):  # IntWithGetitem
    def __init__(self, tensor):
        super().__init__()
        self.tensor = tensor

    def __getitem__(self, i):
        return self.tensor * i


class EmptyDictIn(nn.Module):  # EdgecaseInputOutputModel
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs):
        x = inputs["foo"] if inputs else torch.ones(3)
        return {"foo": IndexableInt(self.linear(x))}


class PointInput(nn.Module):  # NamedTuple
    Point = namedtuple("Point", ["x", "y"])

    def forward(self, x, y, z):
        return self.Point(x, y).x + torch.ones(z.x)


class PackedLSTM(nn.Module):  # PackPaddedLSTM
    def __init__(self, vocab=60, embed=128, out=18, hidden=32):
        super().__init__()
        self.hidden_size = hidden
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=1)
        self.hidden2out = nn.Linear(hidden, out)
        self.dropout_layer = nn.Dropout(p=0.2)

    def forward(self, batch, lengths):
        h0 = torch.ones(1, batch.size(-1), self.hidden_size, device=batch.device)
        c0 = torch.ones(1, batch.size(-1), self.hidden_size, device=batch.device)
        packed = pack_padded_sequence(self.embedding(batch), lengths)
        _, (ht, _) = self.lstm(packed, (h0, c0))
        return F.log_softmax(self.hidden2out(self.dropout_layer(ht[-1])), dim=1)


class ChildOfList(nn.Module):  # ContainerChildModule
    def __init__(self):
        super().__init__()
        self._sequential = nn.Sequential(nn.Linear(5, 5), nn.Linear(5, 5))
        self._between = nn.Linear(5, 5)

    def forward(self, x):
        out = self._between(self._sequential(x))
        for layer in self._sequential:
            out = layer(out)
        out = self._sequential(x)
        for layer in self._sequential:
            out = layer(out)
        return out


class ListWithNone(nn.Module):  # ContainerModule
    def __init__(self):
        super().__init__()
        self._layers = nn.ModuleList([nn.Linear(5, 5), ChildOfList(), nn.Linear(5, 5)])
        self._layers.append(None)  # type: ignore[arg-type]

    def forward(self, x):
        for layer in self._layers:
            if layer is not None:
                x = layer(x)
        return x


class NoLayers(nn.Module):  # EmptyModule
    def __init__(self):
        super().__init__()
        self.parameter = torch.rand(3, 3, requires_grad=True)

    def forward(self):
        return {"loss": self.parameter.sum()}


class PoolUnpool(nn.Module):  # AutoEncoder
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2, 2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2, 2)
        self.decode = nn.Sequential(nn.Conv2d(16, 3, 3, padding=1), nn.ReLU())

    def forward(self, x):
        x = self.encoder(x)
        size = x.size()
        x, indices = self.pool(x)
        return self.decode(self.unpool(x, indices=indices, output_size=size))


class HalfJit(nn.Module):  # PartialJITModel
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(0.3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.fc1 = torch.jit.script(nn.Linear(320, 50))
            self.fc2 = torch.jit.script(nn.Linear(50, 10))

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.log_softmax(self.fc2(F.relu(self.fc1(x.view(-1, 320)))), dim=1)


class HalfFrozen(nn.Module):  # MixedTrainableParameters
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(10), requires_grad=True)
        self.b = nn.Parameter(torch.empty(10), requires_grad=False)

    def forward(self, x):
        return self.w * x + self.b


class ThreeFreezes(nn.Module):  # MixedTrainable
    def __init__(self):
        super().__init__()
        self.fully_trainable = nn.Conv1d(1, 1, 1)
        self.partially_trainable = nn.Conv1d(1, 1, 1, bias=True)
        self.partially_trainable.bias.requires_grad = False
        self.non_trainable = nn.Conv1d(1, 1, 1, 1, bias=True)
        self.non_trainable.weight.requires_grad = False
        self.non_trainable.bias.requires_grad = False
        self.dropout = nn.Dropout()

    def forward(self, x):
        return self.dropout(self.non_trainable(self.partially_trainable(self.fully_trainable(x))))


def reused_linear(extended: bool = False) -> nn.Module:  # ReuseLinear, ReuseLinearExtended
    class Reuse(nn.Module):
        def __init__(self):
            super().__init__()
            linear = nn.Linear(10, 10)
            if extended:
                self.linear = linear
            self.model = nn.Sequential(*[m for _ in range(4) for m in (linear, nn.ReLU(True))])

        def forward(self, x):
            return self.model(x)

    return Reuse()


class ReusedReLU(nn.Module):  # ReuseReLU
    def __init__(self):
        super().__init__()
        act = nn.ReLU(True)
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(4, 1, kernel_size=1), nn.BatchNorm2d(1), act]
        for i in range(3):
            layers += [
                nn.Conv2d(2**i, 2 ** (i + 1), kernel_size=1, stride=2, padding=1),
                nn.BatchNorm2d(2 ** (i + 1)),
                act,
            ]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class OrigSuffix(nn.Module):  # PrunedLayerNameModel, FakePrunedLayerModel
    def __init__(self, input_size, attention_size, with_mask=False):
        super().__init__()
        self.weight_orig = nn.Parameter(torch.ones(attention_size, input_size))
        if with_mask:
            self.weight_mask = nn.Parameter(torch.zeros(attention_size, input_size))

    def forward(self, x):
        return self.weight_orig


class WeightedBlocks(nn.Sequential):  # RegisterParameter
    def __init__(self, *blocks):
        super().__init__(*blocks)
        self.register_parameter("weights", nn.Parameter(torch.zeros(len(blocks))))

    def forward(self, x):
        for k, block in enumerate(self):
            x = x + self.weights[k] * block(x)
        return x


class MatrixNet(nn.Module):  # ParameterFCNet
    def __init__(self, input_dim=128, hidden_dim=64, output_dim=None):
        super().__init__()
        self.output_dim = output_dim
        self.a = nn.Parameter(torch.randn(input_dim, hidden_dim))
        self.b = nn.Parameter(torch.randn(hidden_dim))
        if output_dim is not None:
            self.fc2 = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h = torch.mm(x, self.a) + self.b
        return h if self.output_dim is None else self.fc2(h)


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.l_1 = nn.Linear(1, 1)
        self.param_1 = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.l_1(x) * self.param_1


class Outer(nn.Module):  # InsideModel
    def __init__(self):
        super().__init__()
        self.l_0 = nn.Linear(2, 1)
        self.param_0 = nn.Parameter(torch.ones(2))
        self.inside = Inner()

    def forward(self, x):
        return self.inside(self.l_0(x)) * self.param_0


class DilatedDicts(nn.Module):  # RecursiveWithMissingLayers
    def __init__(self):
        super().__init__()
        self.out_conv0, self.out_bn0 = nn.Conv2d(3, 8, 5, padding="same"), nn.BatchNorm2d(8)
        self.block0 = nn.ModuleDict()
        for i in range(1, 4):
            self.block0[f"in_conv{i}"] = nn.Conv2d(8, 8, 3, padding="same", dilation=2**i)
            self.block0[f"in_bn{i}"] = nn.BatchNorm2d(8)
        self.block1 = nn.ModuleDict()
        for i in range(4, 7):
            self.block1[f"in_conv{i}"] = nn.Conv2d(8, 8, 3, padding="same", dilation=2 ** (7 - i))
            self.block1[f"in_bn{i}"] = nn.BatchNorm2d(8)
        self.out_conv7, self.out_bn7 = nn.Conv2d(8, 1, 1, padding="same"), nn.BatchNorm2d(1)

    def forward(self, x):
        x = torch.relu(self.out_bn0(self.out_conv0(x)))
        for i in range(1, 4):
            x = torch.relu(self.block0[f"in_bn{i}"](self.block0[f"in_conv{i}"](x)))
        for i in range(4, 7):
            x = torch.relu(self.block1[f"in_bn{i}"](self.block1[f"in_conv{i}"](x)))
        return torch.relu(self.out_bn7(self.out_conv7(x)))


class ConvReluPool(nn.Module):  # ConvLayerA / ConvLayerB (B builds relu first)
    def __init__(self, relu_first=False):
        super().__init__()
        if relu_first:
            self.relu = nn.ReLU()
        self.conv = nn.Conv1d(1, 1, 1)
        if not relu_first:
            self.relu = nn.ReLU()
        self.pool = nn.MaxPool1d(1)

    def forward(self, x):
        return self.pool(self.relu(self.conv(x)))


class FiveInAList(nn.Module):  # CNNModuleList
    def __init__(self, relu_first=False):
        super().__init__()
        self.ml = nn.ModuleList([ConvReluPool(relu_first) for _ in range(5)])

    def forward(self, x):
        for layer in self.ml:
            x = layer(x)
        return x


class CellLoop(nn.Module):  # SimpleRNN: an LSTMCell called 4 times
    def __init__(self, repeat_outside_loop=False):
        super().__init__()
        self.repeat_outside_loop = repeat_outside_loop
        self.lstm = nn.LSTMCell(3, 2)
        self.activation = nn.Tanh()
        self.projection = nn.Linear(2, 3)

    def forward(self, x):
        hx, cx = torch.randn(x.size(0), 2, device=x.device), torch.randn(x.size(0), 2, device=x.device)
        for _ in range(4):
            hx, cx = self.lstm(x, (hx, cx))
            hx = self.activation(hx)
        if self.repeat_outside_loop:
            hx = self.activation(self.projection(hx))
        return hx


class TensorKernel(nn.Module):  # TensorKernelSizeConv
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel_size=3, padding=1)
        self.kernel_size = torch.tensor(3)

    def forward(self, x):
        return self.conv(x)


class OneParameter(nn.Module):  # ParameterA / ParameterB
    def __init__(self, with_conv=False):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1024))
        if with_conv:
            self.conv = nn.Conv2d(3, 6, 3)


def pruned() -> nn.Module:
    model = TwoConvNet()
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            prune.l1_unstructured(module, "weight", 0.5)
    return model


def scripted(model: nn.Module) -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.jit.script(model)


def hooked() -> nn.Module:
    model = reused_linear(extended=True)
    model.linear.register_forward_pre_hook(lambda m, i: None)
    model.linear.register_forward_hook(lambda m, i, o: None)
    return model


def _tv(name: str, **kwargs):
    def build():
        import torchvision

        return torchvision.models.get_model(name, weights=None, **kwargs)

    return build


def _frozen_resnet18() -> nn.Module:
    model = _tv("resnet18")()
    for index, param in enumerate(model.parameters()):
        param.requires_grad = index >= 30
    return model


def _bert() -> nn.Module:
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig())


LENGTHS = [13, 12] + [11] * 8 + [10] * 14 + [9] * 14 + [8] * 9 + [7] * 19 + [6] * 27 + [5] * 20 + [4] * 15


def _a(*args, **kwargs):
    return args, kwargs


ALL_COLUMNS = ("input_size", "output_size", "num_params", "params_percent", "kernel_size", "mult_adds", "trainable")

# (test function, model factory, arguments factory): one entry per `summary` call
CALLS = [
    ("basic_summary", TwoConvNet, lambda: _a()),
    ("string_result", TwoConvNet, lambda: _a(input_size=(16, 1, 28, 28))),
    ("single_input", TwoConvNet, lambda: _a((2, 1, 28, 28))),
    ("input_tensor", TwoConvNet, lambda: _a(input_data=torch.randn(5, 1, 28, 28))),
    ("batch_size_optimization", TwoConvNet, lambda: _a((1, 28, 28), batch_dim=0)),
    ("single_linear_layer/1", lambda: nn.Linear(2, 5), lambda: _a()),
    ("single_linear_layer/2", lambda: nn.Linear(2, 5), lambda: _a(input_size=(1, 2))),
    ("training_mode", lambda: nn.Linear(2, 5), lambda: _a(input_data=torch.zeros(1, 2), mode="train")),
    ("uninitialized_tensor/1", LateParameter, lambda: _a()),
    ("uninitialized_tensor/2", LateParameter, lambda: _a(input_data=torch.randn(2, 2))),
    (
        "multiple_input_types",
        TwoDtypes,
        lambda: _a(input_size=[(1, 300), (1, 300)], dtypes=[torch.FloatTensor, torch.LongTensor]),
    ),
    (
        "single_input_all_cols",
        TwoConvNet,
        lambda: _a(input_data=torch.randn(7, 1, 28, 28), depth=1, col_names=ALL_COLUMNS, col_width=20),
    ),
    (
        "groups",
        lambda: nn.Conv2d(16, 32, 3, groups=4),
        lambda: _a(
            input_data=torch.randn(7, 16, 28, 28),
            depth=1,
            col_names=("kernel_size", "groups", "input_size", "output_size", "num_params", "mult_adds"),
            col_width=20,
        ),
    ),
    (
        "linear",
        lambda: nn.Linear(8, 64),
        lambda: _a(input_data=torch.randn(32, 16, 8), depth=1, col_names=ALL_COLUMNS[:2] + ("num_params", "mult_adds")),
    ),
    (
        "single_input_batch_dim",
        TwoConvNet,
        lambda: _a(
            input_size=(1, 28, 28),
            depth=1,
            col_names=("kernel_size", "input_size", "output_size", "num_params", "mult_adds"),
            col_width=20,
            batch_dim=0,
        ),
    ),
    ("pruning", pruned, lambda: _a(input_size=(16, 1, 28, 28))),
    (
        "dict_input",
        TwoDtypes,
        lambda: _a(input_data={"x1": torch.randn(1, 300), "x2": torch.randn(1, 300).long()}),
    ),
    ("row_settings", TwoConvNet, lambda: _a(input_size=(16, 1, 28, 28), row_settings=("var_names",))),
    ("formatting_options", TwoConvNet, lambda: _a(input_size=(16, 1, 28, 28), verbose=0)),
    ("jit/regular", ThreeLinear, lambda: _a(input_data=torch.randn(64, 128))),
    ("jit/scripted", lambda: scripted(ThreeLinear()), lambda: _a(input_data=torch.randn(64, 128))),
    ("partial_jit", lambda: scripted(HalfJit()), lambda: _a(input_data=torch.randn(2, 1, 28, 28))),
    ("custom_parameter", lambda: ReturnsWeight(8, 4), lambda: _a(input_size=(1,))),
    (
        "parameter_list",
        HoldsParameterList,
        lambda: _a(input_size=(100, 100), verbose=2, col_names=ALL_COLUMNS, col_width=20),
    ),
    (
        "dict_parameters_1",
        ScaledDictSum,
        lambda: _a(input_data={"x": {256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}, "scale_factor": 5}),
    ),
    (
        "dict_parameters_2",
        ScaledDictSum,
        lambda: _a(input_data={"x": {256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}}, scale_factor=5),
    ),
    (
        "dict_parameters_3",
        ScaledDictSum,
        lambda: _a(input_data=[{256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}], scale_factor=5),
    ),
    (
        "lstm",
        EmbedLSTM,
        lambda: _a(
            input_size=(1, 100),
            dtypes=[torch.long],
            verbose=2,
            col_width=20,
            col_names=("kernel_size", "output_size", "num_params", "mult_adds"),
            row_settings=("var_names",),
        ),
    ),
    ("lstm_custom_batch_size", EmbedLSTM, lambda: _a((100,), dtypes=[torch.long], batch_dim=1)),
    ("recursive", SameConvSixTimes, lambda: _a(input_size=(1, 64, 28, 28))),
    ("siamese_net", Siamese, lambda: _a(input_size=[(1, 1, 88, 88), (1, 1, 88, 88)])),
    ("container/1", ListWithNone, lambda: _a(input_size=(1, 5), depth=4)),
    ("container/2", ListWithNone, lambda: _a(input_size=(5,))),
    ("empty_module", NoLayers, lambda: _a()),
    ("device/1", TwoConvNet, lambda: _a(input_size=(5, 1, 28, 28), device="cpu")),
    ("device/2", TwoConvNet, lambda: _a(input_data=torch.randn(5, 1, 28, 28))),
    ("device/3", TwoConvNet, lambda: _a(input_data=torch.randn(5, 1, 28, 28), device="cpu")),
    ("device/4", TwoConvNet, lambda: _a(input_data=torch.randn(5, 1, 28, 28).to("cpu"))),
    ("device/5", TwoConvNet, lambda: _a(input_data=torch.randn(5, 1, 28, 28), device=torch.device("cpu"))),
    (
        "pack_padded",
        PackedLSTM,
        lambda: _a(input_data=torch.ones([20, 128]).long(), lengths=torch.tensor(LENGTHS).long(), device="cpu"),
    ),
    (
        "module_dict/1",
        ChosenByName,
        lambda: _a(input_data=torch.randn(1, 10, 3, 3), layer_type="conv", activation_type="lrelu"),
    ),
    (
        "module_dict/2",
        ChosenByName,
        lambda: _a(input_data=torch.randn(1, 10, 3, 3), layer_type="pool", activation_type="prelu"),
    ),
    ("highly_nested_dict_model", NestedDictOut, lambda: _a(input_data=torch.ones(10))),
    ("edgecase_input_output_model", EmptyDictIn, lambda: _a(input_data=[{}])),
    ("model_with_args", SameConvSixTimes, lambda: _a(input_size=(1, 64, 28, 28), args1="args1", args2="args2")),
    ("input_size_possibilities/1", lambda: ReturnsWeight(2, 3), lambda: _a(input_size=[(2,)])),
    ("input_size_possibilities/2", lambda: ReturnsWeight(2, 3), lambda: _a(input_size=((2,),))),
    ("input_size_possibilities/3", lambda: ReturnsWeight(2, 3), lambda: _a(input_size=(2,))),
    ("input_size_possibilities/4", lambda: ReturnsWeight(2, 3), lambda: _a(input_size=[2])),
    (
        "multiple_input_tensor_args",
        TwoDtypes,
        lambda: _a(input_data=torch.randn(1, 300), x2=torch.randn(1, 300).long()),
    ),
    (
        "multiple_input_tensor_dict",
        TwoDtypes,
        lambda: _a(input_data={"x1": torch.randn(1, 300), "x2": torch.randn(1, 300).long()}),
    ),
    (
        "multiple_input_tensor_list",
        TwoDtypes,
        lambda: _a(input_data=[torch.randn(1, 300), torch.randn(1, 300).long()]),
    ),
    (
        "namedtuple",
        PointInput,
        lambda: _a(
            input_size=[(2, 1, 28, 28), (2, 1, 28, 28)],
            z=PointInput.Point((2, 1, 28, 28), (2, 1, 28, 28)),
            device=torch.device("cpu"),
        ),
    ),
    (
        "return_dict",
        ReturnsDict,
        lambda: _a(input_size=[torch.Size([1, 28, 28]), [12]], col_width=65, batch_dim=0),
    ),
    (
        "autoencoder",
        PoolUnpool,
        lambda: _a(input_size=(1, 3, 64, 64), col_names=("output_size", "num_params", "kernel_size")),
    ),
    (
        "reusing_activation_layers/1",
        lambda: nn.Sequential(*[nn.LeakyReLU(True) if i % 2 == 0 else nn.Identity() for i in range(5)]),
        lambda: _a(),
    ),
    ("mixed_trainable_parameters", HalfFrozen, lambda: _a(verbose=2)),
    ("too_many_linear", reused_linear, lambda: _a((2, 10))),
    ("too_many_linear_plus_existing_hooks/1", lambda: reused_linear(True), lambda: _a((2, 10))),
    ("too_many_linear_plus_existing_hooks/2", hooked, lambda: _a((2, 10))),
    ("too_many_relus", ReusedReLU, lambda: _a((4, 4, 64, 64))),
    ("pruned_adversary/1", lambda: OrigSuffix(8, 4), lambda: _a(input_size=(1,))),
    ("pruned_adversary/2", lambda: OrigSuffix(8, 4, with_mask=True), lambda: _a(input_size=(1,))),
    (
        "trainable_column",
        ThreeFreezes,
        lambda: _a(input_size=(1, 1, 1), col_names=("kernel_size", "input_size", "output_size", "trainable")),
    ),
    ("empty_module_list", nn.ModuleList, lambda: _a()),
    ("single_parameter_model/1", OneParameter, lambda: _a()),
    ("single_parameter_model/2", lambda: OneParameter(True), lambda: _a()),
    ("single_parameter_model/3", OneParameter, lambda: _a(verbose=2)),
    ("single_parameter_model/4", lambda: OneParameter(True), lambda: _a(verbose=2)),
    ("register_parameter", lambda: WeightedBlocks(nn.Linear(2, 2), nn.Linear(2, 2)), lambda: _a()),
    (
        "parameters_with_other_layers/1",
        lambda: MatrixNet(128, 64, 32),
        lambda: _a(input_data=torch.randn(3, 128), verbose=2),
    ),
    (
        "parameters_with_other_layers/2",
        lambda: MatrixNet(128, 64),
        lambda: _a(input_data=torch.randn(3, 128), verbose=2),
    ),
    ("nested_leftover_params", Outer, lambda: _a(input_data=[torch.zeros(100, 2)], row_settings=("var_names",))),
    (
        "recursive_with_missing_layers",
        DilatedDicts,
        lambda: _a(input_data=[torch.rand((2, 3, 128, 128))], row_settings=("depth", "var_names")),
    ),
    ("cnn_module_list/1", FiveInAList, lambda: _a(input_size=[1, 1, 10])),
    ("cnn_module_list/2", lambda: FiveInAList(True), lambda: _a(input_size=[1, 1, 10])),
    ("hide_recursive_layers/1", CellLoop, lambda: _a(input_size=(2, 3))),
    (
        "hide_recursive_layers/2",
        CellLoop,
        lambda: _a(input_size=(2, 3), row_settings=("depth", "hide_recursive_layers")),
    ),
    ("hide_recursive_layers_outside_loop/1", lambda: CellLoop(True), lambda: _a(input_size=(2, 3))),
    (
        "hide_recursive_layers_outside_loop/2",
        lambda: CellLoop(True),
        lambda: _a(input_size=(2, 3), row_settings=("depth", "hide_recursive_layers")),
    ),
    ("tensor_kernel_size", TensorKernel, lambda: _a(input_size=(1, 1, 16))),
    # torchinfo_xl_test.py: torchvision and transformers models (weights=None: nothing is downloaded)
    ("ascii_only", _tv("resnet18"), lambda: _a(depth=3, input_size=(1, 3, 64, 64), row_settings=["ascii_only"])),
    (
        "frozen_layers",
        _frozen_resnet18,
        lambda: _a(
            input_size=(1, 3, 64, 64), depth=3, col_names=("output_size", "num_params", "kernel_size", "mult_adds")
        ),
    ),
    ("eval_order_doesnt_matter", _tv("resnet18"), lambda: _a(input_size=(1, 3, 224, 224))),
    *[
        (
            f"resnet18_depth_consistency/{depth}",
            _tv("resnet18"),
            (
                lambda depth=depth: _a(
                    (1, 3, 64, 64),
                    col_names=("output_size", "num_params", "params_percent"),
                    depth=depth,
                    cache_forward_pass=True,
                )
            ),
        )
        for depth in (1, 2)
    ],
    ("resnet50", _tv("resnet50"), lambda: _a(input_size=(2, 3, 224, 224))),
    ("resnet152", _tv("resnet152"), lambda: _a((1, 3, 224, 224), depth=3)),
    ("google/eval", _tv("googlenet", init_weights=False), lambda: _a((1, 3, 112, 112), depth=7)),
    ("google/train", _tv("googlenet", init_weights=False), lambda: _a((1, 3, 112, 112), depth=7, mode="train")),
    (
        "bert",
        _bert,
        lambda: _a(input_size=[(2, 512), (2, 512), (2, 512)], dtypes=[torch.int, torch.int, torch.int], device="cpu"),
    ),
    # the calls torchinfo's other test files make with these models
    ("lstm_half", EmbedLSTM, lambda: _a(input_size=(1, 100), dtypes=[torch.long], cache_forward_pass=True)),
    ("scalar_and_empty_size", lambda: ReturnsWeight(2, 3), lambda: _a(input_size=[[1, 10]])),
]

# Where the totals differ, whose number is right and why (by test name, without "/N").
WHY = {
    "linear": (
        "shapecheck",
        "a Linear on [32, 16, 8] does 32·16·64·8 multiply-adds and 32·16·64 bias adds; torchinfo counts"
        " its parameters once per sample, 32·(512 + 64)",
    ),
    "lstm": (
        "shapecheck",
        "the LSTM agrees (376,832,000); the decoder Linear runs at each of the 100 steps (1,026,000;"
        " torchinfo counts it once, 10,260), and an Embedding lookup is no arithmetic (torchinfo: 6,000)",
    ),
    "lstm_custom_batch_size": (
        "shapecheck",
        "the LSTM and the decoder agree; torchinfo counts the Embedding's parameters once per step (600,000)"
        " for a lookup",
    ),
    "lstm_half": ("shapecheck", "as lstm_custom_batch_size: the Embedding lookup"),
    "pack_padded": (
        "shapecheck",
        "the LSTM runs at the 906 packed steps (the lengths' sum), 20,736 multiply-adds each; torchinfo"
        " multiplies its parameters by a size it reads off the packed sequence",
    ),
    "parameters_with_other_layers": (
        "shapecheck",
        "`torch.mm(x, self.a)` is 3·128·64 multiply-adds; torchinfo counts no functional matmul",
    ),
    "hide_recursive_layers": (
        "shapecheck",
        "an LSTMCell(3, 2) at batch 2 does 2·8·(3 + 2) multiply-adds and 2·2·8 bias adds per call,"
        " 448 in its 4 calls; torchinfo's 896 is twice that",
    ),
    "hide_recursive_layers_outside_loop": ("shapecheck", "as hide_recursive_layers, plus the Linear's 18"),
    "pruning": (
        "torchinfo",
        "for the pruned model's work: torchinfo counts the weights pruning kept (weight_orig less the zeros"
        " of weight_mask); shapecheck counts every parameter held, as model.parameters() does",
    ),
    "pruned_adversary": (
        "shapecheck",
        "forward returns its own parameter: no arithmetic (torchinfo counts parameters × output rows);"
        " a parameter named `weight_mask` is a parameter (torchinfo skips it; its own test says"
        " 'should be 64')",
    ),
    "custom_parameter": (
        "shapecheck",
        "forward returns its own parameter: no arithmetic (torchinfo counts parameters × output rows)",
    ),
    "input_size_possibilities": ("shapecheck", "as custom_parameter"),
    "scalar_and_empty_size": ("shapecheck", "as custom_parameter"),
    "container": (
        "shapecheck",
        "a 1-d input is one sample: Linear(5, 5) on [5] does 25 + 5 per call; torchinfo reads the first"
        " dim as a batch and multiplies by it",
    ),
    "highly_nested_dict_model": ("shapecheck", "as container: a 1-d input [10] is one sample"),
    "module_dict": (
        "convention",
        "shapecheck counts no activation (as PyTorch's flop counter); torchinfo counts PReLU's 1 parameter"
        " once per sample",
    ),
    "groups": ("shapecheck", "torchinfo 1.8 has no groups column (later versions do)"),
    "resnet18_depth_consistency": (
        "shapecheck",
        "torchinfo's cache_forward_pass keys by class name: it answered with an earlier ResNet's pass at"
        " 224×224 (1.81 G); at 64×64 resnet18 does 148.6 M, as both count for ascii_only",
    ),
    "bert": (
        "shapecheck",
        "every Linear at all 512 tokens, and attention's matmuls; torchinfo counts each Linear once per sample"
        " and no matmul",
    ),
    "tensor_kernel_size": ("shapecheck", "torchinfo 1.8 fails on a kernel_size held as a 0-d tensor"),
}


# Where the model's output shape differs, why.
SHAPE_WHY = {
    "bert": (
        "same",
        "BertModel returns last_hidden_state [2, 512, 768] and pooler_output [2, 768]: shapecheck names the"
        " first, torchinfo the last",
    ),
    "lstm_custom_batch_size": (
        "shapecheck",
        "`out.view(-1, 20)` of the decoder's [100, 1, 20] is [100, 20]; torchinfo shows [100, 1] for the model",
    ),
    "lstm_half": (
        "shapecheck",
        "torchinfo's cache_forward_pass keys its cache by the model's class name, so it answered with the"
        " previous call's pass (input [100, 1]); shapecheck keys by model object, inputs and options",
    ),
}


# Where the layers below the model differ (their classes, count or output shapes), why.
LAYER_WHY = {
    "resnet18_depth_consistency": ("shapecheck", "as its totals: torchinfo's cached pass at another input size"),
    "jit": (
        "torchinfo",
        "a scripted model runs compiled code: shapecheck shows its own row only (its children run inside the"
        " TorchScript interpreter, out of hooks' sight); torchinfo lists the children without running them",
    ),
    "partial_jit": ("torchinfo", "as jit: the whole model is scripted"),
    "lstm_half": ("shapecheck", "as its output: torchinfo answered with the cached pass of an earlier call"),
    "container": (
        "convention",
        "torchinfo adds a row for a Sequential whose layers forward calls one by one"
        " (`for layer in self._sequential`) without calling it; shapecheck lists the calls that ran",
    ),
}


def _run(fn, model, args, kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(model, *args, **kwargs)


def _totals(result) -> tuple:
    return (result.total_params, result.trainable_params, result.total_mult_adds)


def _layers(result) -> list[tuple]:
    """The module rows below the model's own: (class, first output shape or None). Containers
    that forward never calls (ModuleList, ModuleDict) are left out: torchinfo lists them,
    shapecheck lists what ran."""
    out = []
    for row in result.summary_list[1:]:
        if hasattr(row, "outputs"):
            if row.kind != "module":
                continue
            kind, shape = row.type, tuple(row.outputs[0].shape) if row.outputs else None
        else:
            size = row.output_size
            kind, shape = row.class_name, tuple(size) if size and all(isinstance(d, int) for d in size) else None
        if kind not in ("ModuleList", "ModuleDict"):
            out.append((kind, shape))
    return out


def _layer_difference(ours: list, theirs: list) -> str | None:
    if len(ours) != len(theirs):
        return f"{len(ours)} layer rows against torchinfo's {len(theirs)}"
    differ = [
        a for a, b in zip(ours, theirs, strict=True) if a[0] != b[0] or (None not in (a[1], b[1]) and a[1] != b[1])
    ]
    return f"{len(differ)} of {len(ours)} layer rows differ" if differ else None


def _output_shape(result) -> tuple | None:
    """The model's first output shape: shapecheck's rows hold TensorInfos, torchinfo's a list."""
    if not result.summary_list:
        return None
    top = result.summary_list[0]
    if hasattr(top, "outputs"):
        return tuple(top.outputs[0].shape) if top.outputs else None
    size = getattr(top, "output_size", None)
    return tuple(size) if size and all(isinstance(d, int) for d in size) else None


def _theirs(name, factory, call):
    try:
        from torchinfo import summary as torchinfo_summary
    except ImportError:
        return None, "torchinfo not installed"
    args, kwargs = call()
    try:
        result = _run(torchinfo_summary, factory(), args, kwargs)
        return (*_totals(result), _output_shape(result), _layers(result)), None
    except Exception as exc:  # torchinfo's own failures are listed, not fatal
        return None, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:80] if str(exc).strip() else ''}"


def main(verbose: bool = False) -> int:
    rows, failed, unexplained = [], 0, 0
    start = time.perf_counter()
    for name, factory, call in CALLS:
        args, kwargs = call()
        try:
            result = _run(shapecheck.summary, factory(), args, kwargs)
            ours, error = (*_totals(result), _output_shape(result), _layers(result)), None
        except Exception as exc:
            ours, error = None, f"{type(exc).__name__}: {exc}"
            failed += 1
        theirs, their_error = _theirs(name, factory, call)
        base = name.split("/")[0]
        if ours is None:
            verdict = f"FAILS: {error if verbose else error.splitlines()[0][:100]}"
        elif theirs is None and base in WHY:
            verdict = f"torchinfo fails ({their_error}); {WHY[base][1]}"
        elif theirs is None:
            verdict = f"torchinfo: {their_error}"
        else:
            parts = []
            if None not in (ours[3], theirs[3]) and ours[3] != theirs[3]:
                parts.append(_said(SHAPE_WHY, base, f"output {list(ours[3])} against torchinfo's {list(theirs[3])}"))
            if ours[:3] != theirs[:3]:
                parts.append(_said(WHY, base, "totals differ"))
            unexplained += sum(part.startswith("unexplained") for part in parts)
            verdict = "; ".join(parts) or "same"
        layers = _layer_difference(ours[4], theirs[4]) if ours is not None and theirs is not None else None
        if layers is not None:
            if base in LAYER_WHY:
                who, why = LAYER_WHY[base]
                said = f"{layers}: {who} is right: {why}" if who != "convention" else f"{layers}: {why}"
            else:
                said = f"unexplained: {layers}"
                unexplained += 1
            verdict = said if verdict == "same" else f"{verdict}; {said}"
        rows.append((name, ours, theirs, verdict))
    print("| call | shapecheck params / trainable / Mult-Adds | torchinfo | verdict |")
    print("|---|---|---|---|")
    for name, ours, theirs, verdict in rows:
        print(f"| {name} | {_cell(ours)} | {_cell(theirs)} | {verdict} |")
    ran = len(CALLS) - failed
    same = sum(1 for r in rows if r[3] == "same")
    print(
        f"\n{ran} of {len(CALLS)} calls run; {same} agree with torchinfo on every total and layer row; "
        f"{unexplained} unexplained differences ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 1 if failed or unexplained else 0


def _said(reasons: dict, base: str, what: str) -> str:
    """`shapecheck is right: …` from a table of reasons; `unexplained: …` when it has none."""
    if base not in reasons:
        return f"unexplained: {what}"
    who, why = reasons[base]
    if who in ("same", "convention"):
        return f"{what}: {why}" if what != "totals differ" else why
    return f"{who} is right: {why}" if what == "totals differ" else f"{who} is right: {what}: {why}"


def _cell(totals) -> str:
    return "" if totals is None else " / ".join(f"{n:,}" for n in totals[:3])


if __name__ == "__main__":
    sys.exit(main("--verbose" in sys.argv))
