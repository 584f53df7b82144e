"""Mult-Adds, bytes and shared weights: the summary columns people use torchinfo for."""

import json

import pytest
import torch
import torch.nn as nn
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.trace.costs import leaves, memory_estimate, row_macs, total_macs

# torchinfo 1.8.0's total_mult_adds and total_params at input (2, 3, 224, 224), measured once:
# for convolution, Linear and normalisation layers shapecheck counts as torchinfo does.
TORCHINFO = [
    ("alexnet", 1429365328, 61100840),
    ("vgg11", 15233050576, 132863336),
    ("vgg13", 22641436624, 133047848),
    ("vgg16", 30967642064, 138357544),
    ("vgg19", 39293847504, 143667240),
    ("vgg11_bn", 15233061584, 132868840),
    ("squeezenet1_0", 1646541648, 1248424),
    ("squeezenet1_1", 703482576, 1235496),
    ("resnet18", 3628167888, 11689512),
    ("resnet34", 7327558864, 21797672),
    ("resnet50", 8178476752, 25557032),
    ("resnet101", 15603023568, 44549160),
    ("resnext50_32x4d", 8461098192, 25028904),
    ("wide_resnet50_2", 22796180688, 68883240),
    ("mobilenet_v2", 601618768, 3504872),
    ("mobilenet_v3_small", 113054848, 2542856),
    ("densenet121", 5668492624, 7978856),
    ("efficientnet_b0", 771734216, 5288548),
    ("regnet_y_400mf", 803752416, 4344144),
    ("googlenet", 2996783504, 13004888),
    ("shufflenet_v2_x1_0", 289850344, 2278604),
    ("mnasnet0_5", 208955184, 2218512),
]


@pytest.mark.parametrize("name, macs, params", TORCHINFO, ids=[t[0] for t in TORCHINFO])
def test_mult_adds_and_params_equal_torchinfo_on_cnns(name, macs, params):
    report = shapecheck.check(name, "3x224x224", batch=2)
    assert total_macs(report.trace) == macs
    assert report.trace.total_params == params


def test_vit_is_higher_than_torchinfo_by_exactly_the_per_token_and_attention_work():
    report = shapecheck.check("vit_b_16", "3x224x224", batch=2)
    batch, tokens, width, hidden, layers = 2, 197, 768, 3072, 12
    conv = batch * width * 14 * 14 * (3 * 16 * 16) + batch * width * 14 * 14  # patchify, with bias
    head = batch * (width * 1000 + 1000)  # on the class token
    norms = (2 * layers + 1) * batch * 2 * width  # scale and shift, once per sample
    mlp = 2 * width * hidden + hidden + width  # one token through the MLP, biases included
    attention = (
        4 * width * width + 4 * width  # q, k, v and out projections of one token, biases included
    ) * tokens + 2 * tokens * tokens * width  # q·kᵀ and the weighted sum of v
    # torchinfo 1.8.0 prints 346,465,232 at batch 2: each Linear once per sample, and nothing for
    # nn.MultiheadAttention (its projections are called functionally, out of its hooks' sight).
    torchinfo = conv + head + norms + layers * batch * mlp
    assert torchinfo == 346_465_232
    # shapecheck counts the MLP for every token and the attention: exactly that much more.
    extra = layers * batch * ((tokens - 1) * mlp + attention)
    assert total_macs(report.trace) == torchinfo + extra == 35_160_716_240


# torchinfo 1.8.0's totals at batch 2 (torchinfo.summary(model, input_size=(2, 3, 224, 224))).
TRANSFORMERS_TORCHINFO = [("vit_b_16", 346_465_232), ("swin_t", 68_736_464)]


@pytest.mark.parametrize("name, theirs", TRANSFORMERS_TORCHINFO, ids=[t[0] for t in TRANSFORMERS_TORCHINFO])
def test_the_difference_from_torchinfo_is_exactly_the_work_it_leaves_out(name, theirs):
    """torchinfo counts a Linear module once per sample (its parameters × batch) and no
    functional linear, matmul or attention; shapecheck counts each per token. Taking exactly
    that away from shapecheck's rows gives torchinfo's total."""
    report = shapecheck.check(name, "3x224x224", batch=2)
    left_out = 0
    for row in leaves(report.trace):
        work = row_macs(row)
        if row.kind == "module" and row.type == "Linear":
            left_out += work - row.params * 2
        elif not (row.kind == "module" and (row.type.startswith("Conv") or "Norm" in row.type)):
            left_out += work  # F.linear, matmul, nn.MultiheadAttention
    assert left_out > 0
    assert total_macs(report.trace) - left_out == theirs


def test_a_hand_counted_model():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8 * 6 * 6, 5))
    report = shapecheck.check(model, "3x8x8", batch=2)
    conv = 2 * 8 * 6 * 6 * (3 * 3 * 3) + 2 * 8 * 6 * 6  # weights per output element, plus the bias
    norm = 2 * 16  # torchinfo's convention: the scale and shift once per sample
    linear = 2 * 5 * 288 + 2 * 5
    assert total_macs(report.trace) == conv + norm + linear
    matmul = shapecheck.check(nn.Identity(), "4x6", batch=3)
    assert total_macs(matmul.trace) == 0

    class Attend(nn.Module):
        def forward(self, x):
            return torch.nn.functional.scaled_dot_product_attention(x, x, x) @ x.transpose(-1, -2)

    attend = shapecheck.check(Attend(), "10x16", batch=2)
    assert total_macs(attend.trace) == 2 * 10 * 10 * (16 + 16) + 2 * 10 * 10 * 16


def test_tied_weights_are_counted_once_and_the_reusing_row_says_so():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 16)
            self.head = nn.Linear(16, 100, bias=False)
            self.head.weight = self.embed.weight

        def forward(self, ids):
            return self.head(self.embed(ids))

    report = shapecheck.check(Tied(), "8:long")
    assert report.trace.total_params == 1600
    assert report.layer("head").attrs["shares_weights_with"] == "embed"
    assert "embed" not in report.layer("embed").attrs.get("shares_weights_with", "")


def test_memory_estimate_states_its_parts():
    report = shapecheck.check("resnet18", "3x224x224", batch=4)
    memory = memory_estimate(report.trace)
    assert memory["weights"] == 4 * 11689512 and memory["adam_state"] == 2 * memory["gradients"]
    assert memory["total"] == memory["weights"] + memory["gradients"] + memory["adam_state"] + memory["activations"]
    assert memory["activations"] > 4 * 4 * 64 * 112 * 112  # at least conv1's output


def test_columns_on_the_command_line_and_in_json():
    result = CliRunner().invoke(
        app,
        ["vgg16", "--input", "3x224x224", "--columns", "input_size,num_params,mult_adds,kernel_size", "--depth", "1"],
    )
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0].split()
    assert header == ["Layer", "Input", "Params", "Mult-Adds", "Kernel", "Notes"]
    assert "15,483,821,032" in result.stdout and "15.48 G Mult-Adds" in result.stdout
    bad = CliRunner().invoke(app, ["vgg16", "--columns", "flops"])
    assert bad.exit_code == 2 and "unknown column 'flops'" in bad.stderr
    doc = json.loads(CliRunner().invoke(app, ["vgg16", "--input", "3x224x224", "--format", "json"]).stdout)
    assert doc["total_mult_adds"] == 15483821032 and doc["layers"][0]["mult_adds"] == 15483821032
    assert doc["training_memory"]["weights"] == 4 * 138357544


def test_summary_takes_torchinfos_arguments():
    import torchvision

    model = torchvision.models.resnet18()
    result = shapecheck.summary(
        model,
        input_size=(2, 3, 224, 224),
        depth=1,
        verbose=0,
        col_names=("input_size", "output_size", "num_params", "mult_adds"),
    )
    assert (result.total_params, result.trainable_params, result.total_mult_adds) == (11689512, 11689512, 3628167888)
    text = str(result)
    assert text.splitlines()[0].split() == ["Layer", "Input", "Output", "Params", "Mult-Adds", "Notes"]
    assert "layer4" in text and "layer4.0" not in text
    by_data = shapecheck.summary(model, input_data=torch.randn(1, 3, 64, 64), verbose=0)
    assert by_data.summary_list[0].outputs[0].shape == (1, 1000)
    assert all(p.device.type == "cpu" for p in model.parameters())

    class Pair(nn.Module):
        def forward(self, inputs):
            return inputs["left"] @ inputs["right"]

    pair = shapecheck.summary(
        Pair(), input_data={"inputs": {"left": torch.randn(2, 3, 4), "right": torch.randn(2, 4, 5)}}, verbose=0
    )
    assert pair.total_mult_adds == 2 * 3 * 5 * 4
    assert pair.summary_list[0].outputs[0].shape == (2, 3, 5)


def test_addmm_is_counted_like_the_linear_it_stands_for():
    class Conv1D(nn.Module):  # transformers' GPT-2 layer: bias + x @ w
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(6, 4))
            self.bias = nn.Parameter(torch.zeros(4))

        def forward(self, x):
            return torch.addmm(self.bias, x.view(-1, 6), self.weight).view(x.shape[0], -1, 4)

    report = shapecheck.check(Conv1D(), "5x6", batch=2)
    assert total_macs(report.trace) == 2 * 5 * 4 * 6 + 2 * 5 * 4
    linear = shapecheck.check(nn.Linear(6, 4), "5x6", batch=2)
    assert total_macs(linear.trace) == total_macs(report.trace)
