"""The corpus of real bugs (tests/corpus/): each entry is what its thread reports, checked by a
real CPU run, and shapecheck's score on it does not fall below what was measured.

The score itself comes from `benchmarks/corpus_score.py` (a table per family in docs/rules.md);
here, every entry is checked to fail (or, for a silent bug, to run) in plain PyTorch the way its
thread says, so the corpus measures shapecheck, not bugs of its own.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

from bugs import CONSTRUCTION, ERROR, FAMILIES, SILENT, all_bugs, load_family

BUGS = all_bugs()
MODULES = {family: load_family(family) for family in FAMILIES}


def _real_inputs(bug):
    torch.manual_seed(0)
    tensors = []
    for spec in bug.inputs:
        dims, _, dtype = spec.partition(":")
        shape = (bug.batch, *(int(d) for d in dims.split("x")))
        if dtype == "long":
            tensors.append(torch.randint(0, 30, shape))
        else:
            tensors.append(torch.randn(shape))
    return tensors


def test_the_corpus_has_80_bugs_each_from_a_thread():
    assert len(BUGS) >= 80
    assert len({b.id for b in BUGS}) == len(BUGS)
    for bug in BUGS:
        assert re.match(r"https://[\w.-]+\.\w+/\S+$", bug.source), bug.id
        assert bug.kind in (ERROR, SILENT, CONSTRUCTION)
        assert bug.layer and bug.inputs


@pytest.mark.parametrize("bug", BUGS, ids=[b.id for b in BUGS])
def test_each_bug_does_in_pytorch_what_its_thread_says(bug):
    cls = getattr(MODULES[bug.family], bug.model)
    if bug.kind == CONSTRUCTION:
        with pytest.raises(ValueError, match="divisible"):
            cls(**bug.args)
        return
    model = cls(**bug.args).eval()
    names = {module: name for name, module in model.named_modules()}
    running: list[str] = []

    def enter(module, args):
        running.append(names[module])

    def leave(module, args, out):
        running.pop()

    for module in model.modules():
        module.register_forward_pre_hook(enter)
        module.register_forward_hook(leave)
    with torch.no_grad():
        if bug.kind == SILENT:
            model(*_real_inputs(bug))
            return
        with pytest.raises((RuntimeError, IndexError, ValueError, AssertionError)):
            model(*_real_inputs(bug))
    # The entry names the layer PyTorch failed in (or an op row inside the one that was running).
    if bug.layer in names.values() and bug.layer:
        assert running[-1] == bug.layer or running[-1].startswith(bug.layer + "."), running


@pytest.mark.slow
def test_the_score_on_the_corpus_does_not_fall():
    """shapecheck on every entry, in this process: the floors are the numbers measured when the
    corpus round ended (docs/rules.md, "Measured on real bugs"); a change that loses a bug, or
    makes a first fix wrong, fails here."""
    import importlib.util

    path = Path(__file__).parent.parent / "benchmarks" / "corpus_score.py"
    spec = importlib.util.spec_from_file_location("corpus_score", path)
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    results = [scorer.score(bug) for bug in BUGS]
    count = {key: sum(1 for r in results if r.get(key)) for key in ("found", "placed", "right", "wrong")}
    lost = [r["id"] for r in results if not r["found"]]
    assert count["found"] >= FLOOR["found"], lost
    assert count["placed"] >= FLOOR["placed"]
    assert count["right"] >= FLOOR["right"], [r["id"] for r in results if not r["right"]]
    assert count["wrong"] <= FLOOR["wrong"], [r["id"] for r in results if r["wrong"]]


FLOOR = {"found": 130, "placed": 128, "right": 102, "wrong": 2}
