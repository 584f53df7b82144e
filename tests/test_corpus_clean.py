"""Correct models of the corpus families that shapecheck is weakest on (tests/corpus/clean2.py,
tests/corpus/clean3.py): LLM blocks, diffusion UNets, GNNs and index ops, CLIP-like fusion, audio
and sequence losses, written the way their threads' fixes leave them. Each runs in PyTorch, and
shapecheck reports nothing in it: a rule added for the bugs of tests/corpus/families2.py and
families3.py must not flag their correct forms."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

PATHS = [Path(__file__).parent / "corpus" / f"{name}.py" for name in ("clean2", "clean3")]


def _load(path):
    spec = importlib.util.spec_from_file_location(f"corpus_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULES = {path: _load(path) for path in PATHS}
CLEAN = [dict(entry, path=path) for path, module in MODULES.items() for entry in module.CLEAN]
IDS = [f"{e['path'].stem}-{e['model']}" for e in CLEAN]


def _real_inputs(entry):
    torch.manual_seed(0)
    tensors = []
    for spec in entry["inputs"]:
        dims, _, dtype = spec.partition(":")
        shape = (entry["batch"], *(int(d) for d in dims.split("x")))
        tensors.append(torch.randint(0, 30, shape) if dtype == "long" else torch.randn(shape))
    return tensors


@pytest.mark.parametrize("entry", CLEAN, ids=IDS)
def test_each_clean_model_runs_in_pytorch(entry):
    model = getattr(MODULES[entry["path"]], entry["model"])().eval()
    with torch.no_grad():
        out = model(*_real_inputs(entry))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("entry", CLEAN, ids=IDS)
def test_shapecheck_finds_nothing_in_a_clean_model(entry):
    import shapecheck

    report = shapecheck.check(f"{entry['path']}:{entry['model']}", list(entry["inputs"]), batch=entry["batch"])
    assert [f"{f.code} {f.layer}: {f.message}" for f in report.findings] == []
