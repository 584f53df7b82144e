"""Correct models of the corpus families that shapecheck is weakest on (tests/corpus/clean2.py):
LLM blocks, a diffusion UNet, a GNN, CLIP-like fusion and sequence losses, written the way their
threads' fixes leave them. Each runs in PyTorch, and shapecheck reports nothing in it: a rule
added for the bugs of tests/corpus/families2.py must not flag their correct forms."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

PATH = Path(__file__).parent / "corpus" / "clean2.py"
_spec = importlib.util.spec_from_file_location("corpus_clean2", PATH)
assert _spec is not None and _spec.loader is not None
CLEAN_MODULE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CLEAN_MODULE)
CLEAN = CLEAN_MODULE.CLEAN


def _real_inputs(entry):
    torch.manual_seed(0)
    tensors = []
    for spec in entry["inputs"]:
        dims, _, dtype = spec.partition(":")
        shape = (entry["batch"], *(int(d) for d in dims.split("x")))
        tensors.append(torch.randint(0, 30, shape) if dtype == "long" else torch.randn(shape))
    return tensors


@pytest.mark.parametrize("entry", CLEAN, ids=[e["model"] for e in CLEAN])
def test_each_clean_model_runs_in_pytorch(entry):
    model = getattr(CLEAN_MODULE, entry["model"])().eval()
    with torch.no_grad():
        out = model(*_real_inputs(entry))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("entry", CLEAN, ids=[e["model"] for e in CLEAN])
def test_shapecheck_finds_nothing_in_a_clean_model(entry):
    import shapecheck

    report = shapecheck.check(f"{PATH}:{entry['model']}", list(entry["inputs"]), batch=entry["batch"])
    assert [f"{f.code} {f.layer}: {f.message}" for f in report.findings] == []
