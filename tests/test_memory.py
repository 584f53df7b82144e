"""Memory (`--memory`, `--fit`): the arithmetic on hand-built figures, the options, and the
measured figures against torch's fake-tensor memory tracker on real models
(benchmarks/memory_check.py runs eight torchvision models at two batch sizes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.errors import SpecError
from shapecheck.spec import parse_bytes
from shapecheck.trace.records import MemoryUse

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
MiB = 2**20


def _use(**kw) -> MemoryUse:
    figures = dict(
        weight_bytes=100 * MiB,
        trainable_bytes=100 * MiB,
        saved_fixed=0,
        saved_per_sample=30 * MiB,
        live_fixed=0,
        live_per_sample=5 * MiB,
        # a stem that keeps a lot and has few weights, then a head with most of the weights
        segments=[("stem", 0, 20 * MiB, 1 * MiB), ("body", 0, 10 * MiB, 9 * MiB), ("head", 0, 0, 90 * MiB)],
    )
    figures.update(kw)
    return MemoryUse(**figures)


def test_a_training_step_peaks_where_kept_activations_and_made_gradients_add_up_most():
    use = _use()
    # batch 1: weights 100 and Adam 200, and the worst moment is the body's backward: its and
    # the stem's 30 kept, the head's and its 99 of gradients (backward starts at 30, the head's
    # backward is 30 + 90, the optimizer step 100)
    assert use.training(1) == (100 + 200 + 129) * MiB
    # batch 10: 300 kept; in the body's backward 300 + 99
    assert use.training(10) == (100 + 200 + 399) * MiB
    assert use.training(10, optimizer_states=0) == (100 + 399) * MiB
    assert use.inference(10) == (100 + 50) * MiB


def test_the_largest_batch_is_the_last_one_that_fits():
    use = _use()
    budget = 1 * 2**30
    largest = use.largest_batch(budget, training=True)
    assert use.training(largest) <= budget < use.training(largest + 1)
    largest = use.largest_batch(budget, training=False)
    assert use.inference(largest) <= budget < use.inference(largest + 1)
    assert use.largest_batch(200 * MiB, training=True) == 0  # weights and Adam alone are 300
    fixed = _use(saved_per_sample=0, live_per_sample=0, segments=[], batch_dim=False)
    assert fixed.largest_batch(budget, training=False, limit=64) is None  # the search's end is no answer


@pytest.mark.parametrize(
    "text, size",
    [("16GiB", 16 * 2**30), ("16G", 16 * 2**30), ("80GB", 80 * 10**9), ("512 MiB", 512 * MiB), ("1.5GiB", 3 * 2**29)],
)
def test_memory_sizes_read_like_nvidia_smi_prints_them(text, size):
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["16XB", "GiB", "-1G", "0", "１６G"])
def test_a_memory_size_that_is_not_one_is_refused(text):
    with pytest.raises(SpecError):
        parse_bytes(text)


def test_bad_fit_and_a_memory_column_without_memory_are_one_line_exit_2():
    result = runner.invoke(app, ["resnet18", "-i", "3x32x32", "--fit", "16XB"])
    assert result.exit_code == 2 and result.stderr.startswith("error: '16XB' is not a memory size")
    result = runner.invoke(app, ["resnet18", "-i", "3x32x32", "--columns", "output,saved_bytes"])
    assert result.exit_code == 2 and "needs --memory" in result.stderr


def test_fit_states_the_largest_batches_and_the_table_what_each_layer_keeps():
    result = runner.invoke(
        app, ["resnet18", "-i", "3x224x224", "--fit", "16GiB", "--depth", "1", "--columns", "output,saved_bytes"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Kept for backward" in out and "layer1" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("largest batch in 16.0 GiB"))
    report = shapecheck.check("resnet18", "3x224x224", fit=16 * 2**30)
    use = report.trace.memory
    train, infer = use.largest_batch(16 * 2**30, True), use.largest_batch(16 * 2**30, False)
    assert f"training {train:,}, inference {infer:,}" in line
    assert 500 < train < infer  # about 21 MiB per sample kept for training, 7 alive in inference


def test_json_carries_the_memory_and_validates():
    import jsonschema

    result = runner.invoke(app, ["resnet18", "-i", "3x64x64", "--fit", "8GiB", "-f", "json", "--batch", "4"])
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads((ROOT / "shapecheck" / "report.schema.json").read_text()))
    memory = doc["memory"]
    assert [row["batch"] for row in memory["by_batch"]] == [1, 4, 8, 32, 128]
    assert memory["fit"]["budget"] == 8 * 2**30 and memory["fit"]["largest_batch"]["training"] > 0
    assert sum(memory["kept_for_backward"].values()) == doc["training_memory"]["activations"]
    plain = json.loads(runner.invoke(app, ["resnet18", "-i", "3x64x64", "-f", "json"]).stdout)
    assert plain["memory"] is None


def test_without_a_batch_dim_fit_says_whether_the_one_size_fits():
    result = runner.invoke(app, ["resnet18", "-i", "1x3x64x64", "--no-batch", "--fit", "1GiB"])
    assert result.exit_code == 0, result.output
    assert "in 1.0 GiB (no batch dim): training fits, inference fits" in result.stdout
    assert "  as given    " in result.stdout and "\n    128 " not in result.stdout
    small = runner.invoke(app, ["resnet18", "-i", "1x3x64x64", "--no-batch", "--fit", "100MiB"])
    assert "training does not fit, inference fits" in small.stdout


def test_a_model_that_fails_gets_a_note_not_a_figure():
    import torch.nn as nn

    report = shapecheck.check(nn.Sequential(nn.Flatten(), nn.Linear(10, 2)), "3x32x32", memory=True)
    assert report.errors
    assert report.trace.memory is None
    assert any(n.startswith("memory not measured: the forward pass fails") for n in report.notes)


def _small_transformer():
    import torch.nn as nn

    class Tokens(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(64, 256)
            layer = nn.TransformerEncoderLayer(256, 8, 1024, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
            self.head = nn.Linear(256, 10)

        def forward(self, x):
            return self.head(self.encoder(self.proj(x)).mean(1))

    return Tokens()


@pytest.mark.slow  # 12 s; benchmarks/memory_check.py measures eight more
@pytest.mark.parametrize(
    "build, dims", [("resnet18", (3, 224, 224)), (_small_transformer, (128, 64))], ids=["resnet18", "transformer"]
)
def test_measured_peaks_are_within_15_percent_of_torchs_fake_tensor_memory_tracker(build, dims):
    pytest.importorskip("torch.distributed._tools.mem_tracker")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from memory_check import tracker_peaks

    spec = "x".join(map(str, dims))
    for batch in (4, 16):
        model = build if isinstance(build, str) else build()
        use = shapecheck.check(model, spec, batch=batch, memory=True).trace.memory
        want_train, want_infer = tracker_peaks(build, batch, dims)
        assert abs(use.training(batch) - want_train) / want_train < 0.15, (batch, use.training(batch), want_train)
        assert abs(use.inference(batch) - want_infer) / want_infer < 0.15, (batch, use.inference(batch), want_infer)
