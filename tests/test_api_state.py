"""The API leaves the caller's module exactly as it was, and two threads can check at once."""

import hashlib
import threading

import pytest
import torch
import torch.nn as nn
from conftest import fixture_path

import shapecheck
from shapecheck.errors import SpecError


class Frozen(nn.Module):
    """A model in training mode whose BatchNorm is frozen (eval), with a hook of the caller's."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x)).mean((2, 3)))


def _state(model):
    digest = hashlib.sha256()
    for key, value in model.state_dict().items():
        digest.update(key.encode())
        digest.update(value.detach().cpu().numpy().tobytes())
    return (
        digest.hexdigest(),
        [(n, m.training) for n, m in model.named_modules()],
        sorted({str(t.device) for t in model.state_dict().values()}),
        [(n, len(m._forward_hooks), len(m._forward_pre_hooks)) for n, m in model.named_modules()],
    )


@pytest.mark.parametrize(
    "options",
    [
        dict(engine="real", train=True),
        dict(engine="real", train=False),
        dict(engine="meta", train=True),
        dict(engine="auto", train=True, symbolic=True),
    ],
)
def test_check_leaves_the_callers_module_as_it_was(options):
    model = Frozen().train()
    model.bn.eval()
    model.fc.register_forward_hook(lambda *a: None)
    before = _state(model)
    report = shapecheck.check(model, "3x16x16", batch=4, **options)
    assert report.ok
    assert _state(model) == before


def test_a_failing_real_run_leaves_the_module_too():
    model = Frozen()
    before = _state(model)
    report = shapecheck.check(model, "1x16x16", engine="real", train=True)
    assert report.errors and _state(model) == before


def test_the_meta_device_is_refused_as_a_device():
    model = Frozen()
    with pytest.raises(SpecError, match="unknown device 'meta'"):
        shapecheck.check(model, "3x16x16", engine="real", device="meta")
    assert {str(p.device) for p in model.parameters()} == {"cpu"}


def test_counts_are_fresh_after_the_module_changed():
    model = Frozen()
    first = shapecheck.check(model, "3x16x16").trace.total_params
    model.fc = nn.Linear(8, 100)
    second = shapecheck.check(model, "3x16x16")
    assert second.trace.total_params == first - (8 * 4 + 4) + (8 * 100 + 100)
    assert second.layer("fc").params == 8 * 100 + 100
    model.conv.weight.requires_grad_(False)
    assert shapecheck.check(model, "3x16x16").trace.trainable_params == second.trace.total_params - 8 * 3 * 3 * 3


def test_two_threads_checking_at_once_leave_torch_as_it_was():
    hub_loader = torch.hub.load_state_dict_from_url
    errors, reports = [], []

    def work(target, spec):
        try:
            for _ in range(3):
                reports.append(shapecheck.check(target, spec))
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(fixture_path("vgg_adaptive.py"), "3x64x64")),
        threading.Thread(target=work, args=("resnet18", "3x64x64")),
        threading.Thread(target=work, args=(Frozen(), "3x16x16")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(reports) == 9 and all(r.ok for r in reports)
    assert nn.Linear(3, 3).weight.device.type == "cpu"
    assert torch.empty(2).device.type == "cpu"
    assert torch.hub.load_state_dict_from_url is hub_loader
    assert torch.backends.mha.get_fastpath_enabled()


def test_grad_mode_comes_back_even_when_a_pass_is_cut_off_while_unwinding():
    """A time budget that rang while `no_grad` was exiting once left gradients off for the
    caller (seen on torch 2.15 under load). Whatever a context does on its way out, the pass
    restores the caller's grad mode."""
    import contextlib

    from shapecheck.trace.budget import BudgetSpent
    from shapecheck.trace.engines import recorded_pass
    from shapecheck.trace.recorder import Recorder
    from shapecheck.trace.records import Trace

    @contextlib.contextmanager
    def cut_off_on_exit():
        yield
        torch.set_grad_enabled(False)  # what an interrupted `no_grad().__exit__` leaves behind
        raise BudgetSpent()

    model = nn.Linear(3, 2)
    trace = Trace(model="Linear", inputs=[], engine="meta")
    assert torch.is_grad_enabled()
    with pytest.raises(BudgetSpent):
        recorded_pass(
            model, Recorder(model, meta=False), trace, False, lambda: model(torch.zeros(1, 3)), [cut_off_on_exit()]
        )
    assert torch.is_grad_enabled()
    assert [r.type for r in trace.layers] == ["Linear"]


class Remembers(nn.Module):
    """Keeps its last activation in an attribute and in a list: what feature extractors and
    debugging code do."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.last = None
        self.history = []

    def forward(self, x):
        self.last = self.fc(x)
        self.history.append(self.last)
        return self.last


@pytest.mark.parametrize("engine", ["meta", "real", "auto"])
def test_check_never_runs_the_callers_module(engine):
    """Attributes assigned in forward, lists it appends to and the caller's hook captures stay
    as they were, so the caller's next real run (the next test, the next cell) works."""
    model = Remembers()
    captured = []
    handle = model.fc.register_forward_hook(lambda module, args, out: captured.append(out))
    report = shapecheck.check(model, "4", batch=2, engine=engine)
    assert report.ok and report.layer("fc").outputs[0].shape == (2, 3)
    assert model.last is None and model.history == [] and captured == []
    assert len(model.fc._forward_hooks) == 1 and model.fc.weight.device.type == "cpu"
    out = model(torch.randn(5, 4))
    assert out.shape == (5, 3) and captured[0] is out and model.history == [out]
    handle.remove()


def test_check_runs_a_module_whose_attributes_cannot_be_copied():
    model = Remembers()
    model.lock = threading.Lock()  # deepcopy fails on it: the copy shares it instead
    report = shapecheck.check(model, "4", batch=2)
    assert report.ok and model.last is None and model.history == []


def test_torchs_own_hooks_stay_on_the_copy_and_the_callers_do_not():
    """weight_norm's pre-hook computes the weight each call: it is part of the model."""
    import warnings

    from shapecheck.trace.meta import callers_copy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = nn.Sequential(torch.nn.utils.weight_norm(nn.Linear(4, 6)), nn.Linear(6, 2))
    model[0].register_forward_pre_hook(lambda module, args: None)
    clone = callers_copy(model)
    kinds = [type(h).__name__ for h in clone[0]._forward_pre_hooks.values()]
    assert kinds == ["WeightNorm"] and len(model[0]._forward_pre_hooks) == 2
    assert clone[1].weight.device.type == "meta" and model[1].weight.device.type == "cpu"
    report = shapecheck.check(model, "4", batch=3)
    assert report.ok and report.layer("1").outputs[0].shape == (3, 2)


def test_a_symbolic_check_leaves_torchs_log_levels_as_they_were():
    """In a fresh process (shapecheck used to set them as its modules were imported)."""
    import subprocess
    import sys

    code = (
        "import logging, signal\n"
        "names = ('torch._subclasses.fake_tensor', 'torch.fx.experimental.symbolic_shapes',\n"
        "         'torch.fx.experimental.sym_node', 'torch.utils._sympy.interp')\n"
        "for n in names: logging.getLogger(n).setLevel(logging.INFO)\n"
        "import shapecheck\n"
        "shapecheck.check('resnet18', '3x64x64', symbolic=True)\n"
        "print([logging.getLogger(n).level for n in names], signal.getitimer(signal.ITIMER_REAL))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "[20, 20, 20, 20] (0.0, 0.0)", out.stderr[-2000:]


def test_torchs_fake_tensor_errors_stay_out_of_stderr_when_the_model_resets_torchs_logging(capfd):
    """torch sets its loggers' levels again when a model first imports torch._dynamo
    (transformers 4.46's T5 did, then failed an op on fake tensors: 40 lines of `E1203 …
    fake_tensor.py` on stderr before the report)."""
    import logging

    import torch

    class ResetsLogging(torch.nn.Module):
        def forward(self, x):
            torch._logging.set_logs()  # what torch does on its first dynamo import
            logging.getLogger("torch._subclasses.fake_tensor").error("failed while attempting to run meta")
            return x * 2

    report = shapecheck.check(ResetsLogging(), "4")
    assert report.ok
    assert "failed while attempting" not in capfd.readouterr().err
    assert logging.getLogger("torch._subclasses.fake_tensor").filters == []
