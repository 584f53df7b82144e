"""A program's gradient calls (`loss.backward()`, `torch.autograd.grad`): a replay runs without
gradients, so they are reduced to PyTorch's own shape checks (loading/program.py) and are never the
"last call" a correct training script is replayed up to (loading/script.py)."""

import pytest
import torch
from typer.testing import CliRunner

from shapecheck.cli import app
from shapecheck.loading.program import _gradients_checked

TRAINING = """\
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    x = torch.randn(16, 20)
    y = torch.randint(0, 4, (16,))
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    opt.step()
"""


def _check(path):
    result = CliRunner().invoke(app, [str(path), "--depth", "1"])
    return result.exit_code, result.output


def test_a_correct_training_script_that_calls_backward_is_no_finding(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAINING)
    code, out = _check(script)
    assert code == 0, out
    assert "✓ no shape problems found" in out
    assert "does not require grad" not in out and "error[" not in out


def test_backward_of_a_loss_per_element_gets_pytorchs_own_message(tmp_path):
    script = tmp_path / "per_element.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nmodel = nn.Linear(20, 4)\nx = torch.randn(16, 20)\n"
        "loss = (model(x) - 1) ** 2\nloss.backward()\n"
    )
    code, out = _check(script)
    assert code == 1, out
    assert "grad can be implicitly created only for scalar outputs" in out
    assert "does not require grad" not in out


def test_the_checks_are_pytorchs_and_no_gradient_is_computed():
    weight = torch.nn.Parameter(torch.ones(3, 2))
    out = weight * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        _gradients_checked(torch.Tensor.backward, (out,), {})
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of torch.Size\(\[2, 3\]\)"):
        _gradients_checked(torch.Tensor.backward, (out, torch.ones(2, 3)), {})
    assert _gradients_checked(torch.Tensor.backward, (out.sum(),), {}) is not None
    assert weight.grad is None  # checked, not computed
    grads = _gradients_checked(torch.autograd.grad, (out.sum(), [weight]), {})
    assert [g.shape for g in grads] == [weight.shape]
    assert _gradients_checked(torch.add, (out, out), {}) is None  # any other function: not ours
