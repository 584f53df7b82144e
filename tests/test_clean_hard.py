"""The hard correct models of fixtures/clean_hard.py (diffusion UNets, GNNs, LLM blocks, ViTs,
sequence losses, multimodal fusion, sets pooled over the batch, StyleGAN2's grouped conv): each
runs in PyTorch at the batches it lists, and shapecheck reports nothing in it at those batches. A
finding here is a false alarm (issue 30)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

PATH = Path(__file__).parent.parent / "fixtures" / "clean_hard.py"


def _load():
    spec = importlib.util.spec_from_file_location("fixtures_clean_hard", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULE = _load()
CASES = [(entry, batch) for entry in MODULE.CLEAN_HARD for batch in ([None] if entry["no_batch"] else entry["batches"])]
IDS = [f"{entry['model']}-b{batch}" for entry, batch in CASES]


def _real_inputs(entry, batch):
    """Random inputs of the traced sizes: ids below 4, masks with some padding, `scalar` as [B]."""
    torch.manual_seed(0)
    args, kwargs = [], {}
    for spec in entry["inputs"]:
        name, _, rest = spec.rpartition("=")
        dims, _, dtype = rest.partition(":")
        per_sample = () if dims == "scalar" else tuple(int(d) for d in dims.split("x"))
        shape = per_sample if batch is None else (batch, *per_sample)
        if dtype == "long":
            value = torch.randint(0, 4, shape)
        elif dtype == "bool":
            value = torch.rand(shape) > 0.3
        else:
            value = torch.randn(shape)
        if name:
            kwargs[name] = value
        else:
            args.append(value)
    return args, kwargs


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=IDS)
def test_each_model_runs_in_pytorch(entry, batch):
    model = getattr(MODULE, entry["model"])().eval()
    args, kwargs = _real_inputs(entry, batch)
    with torch.no_grad():
        model(*args, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=IDS)
def test_shapecheck_finds_nothing(entry, batch):
    import shapecheck

    report = shapecheck.check(
        f"{PATH}:{entry['model']}", list(entry["inputs"]), batch=batch or 1, no_batch=entry["no_batch"]
    )
    assert [f"{f.code} {f.layer}: {f.message}" for f in report.findings] == []
