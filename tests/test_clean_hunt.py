"""The correct models of fixtures/clean_hunt.py (attention of many kinds, positional encodings,
embeddings, multi-input models, RNN encoders, CNNs, U-Nets, message passing, contrastive heads,
hand-written norms, mixtures of experts): each runs in PyTorch at batch 1 and 3, and shapecheck
reports nothing in it at either batch. A finding here is a false alarm.

Models a rule still flags, whose rule belongs to another engineer, are listed in KNOWN with the
finding's code: the test then expects exactly that code, so a fix shows up as a failure to update."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

PATH = Path(__file__).parent.parent / "fixtures" / "clean_hunt.py"


def _load():
    spec = importlib.util.spec_from_file_location("fixtures_clean_hunt", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULE = _load()
CASES = [(entry, batch) for entry in MODULE.HUNT for batch in (1, 3)]
IDS = [f"{entry['model']}-b{batch}" for entry, batch in CASES]

# False alarms of rules not ours to change, reported to their owners: SC106 reads
# `torch.cat([x1, x2], dim=0)` of two views as mixing samples; SC101's silent form reads a
# Linear(W, W) over the width of a map, kept as a map, as a missing flatten.
KNOWN: dict[str, list[str]] = {}


def _real_inputs(entry, batch):
    """Random inputs of the traced sizes: ids below 50, padding masks whose first token is real."""
    torch.manual_seed(batch)
    args, kwargs = [], {}
    for spec in entry["inputs"]:
        name, _, rest = spec.rpartition("=")
        dims, _, dtype = rest.partition(":")
        shape = (batch, *(int(d) for d in dims.split("x")))
        if dtype == "long":
            value = torch.randint(1, 50, shape)
            value[..., -2:] = 0  # some padding at the end
        elif dtype == "bool":
            value = torch.rand(shape) > 0.3
            value[:, 0] = True
        else:
            value = torch.randn(shape)
        if name:
            kwargs[name] = value
        else:
            args.append(value)
    return args, kwargs


# Slow with the sweep below, whose models it shows are correct: the venvs of .ci/versions skip
# both, the main run does both.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's notices that SC123 leaves out
@pytest.mark.parametrize("entry", MODULE.HUNT, ids=[e["model"] for e in MODULE.HUNT])
def test_each_model_runs_in_pytorch(entry):
    for batch in (1, 3):
        model = getattr(MODULE, entry["model"])().eval()
        args, kwargs = _real_inputs(entry, batch)
        with torch.no_grad():
            model(*args, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=IDS)
def test_shapecheck_finds_nothing(entry, batch):
    import shapecheck

    report = shapecheck.check(f"{PATH}:{entry['model']}", list(entry["inputs"]), batch=batch)
    found = [f"{f.code} {f.layer}: {f.message}" for f in report.findings]
    expected = KNOWN.get(entry["model"], [])
    assert [f.code for f in report.findings] == expected, found
