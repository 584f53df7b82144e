"""The template table of `shapecheck explain` and its corpus of real messages.

Every template is filled with its example values and must be read back as its own family; the
corpus (tests/explain_corpus.py, 209 messages from public threads) must keep its score. The
time `explain` takes is measured by benchmarks/explain_score.py, not here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck.explain import explain
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED
from shapecheck.explain.families import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.text[:50] for t in TEMPLATES])
def test_every_template_filled_with_its_example_is_read_back(template):
    message = template.fill()
    context = template.example.get("_context", "  ...")  # the code line a template reads with its message
    e = explain(f"Traceback (most recent call last):\n{context}\nRuntimeError: {message}")
    assert e is not None and e.title != UNDECODED, message
    assert e.code == template.code, (message, e.code, e.title)
    assert e.raised_by and (e.causes or e.fixes)


def test_templates_tolerate_how_messages_get_pasted():
    stack = next(t for t in TEMPLATES if t.text.startswith("stack expects"))
    wanted = stack.fill()
    for variant in (
        wanted.upper(),
        wanted.replace(", ", ",").replace(" at ", "  at  "),
        wanted.replace("(", "（").replace(")", "）"),
    ):
        assert explain(variant) is not None and explain(variant).code == "SC109", variant
    assert explain("mat1 and mat2 shapes cannot be multiplied (2×1568 and 1050×10)").code == "SC102"
    assert (
        explain("Given input size :(256*56*52).Calculated output size:(256*1*0).Output size is too small").code
        == "SC107"
    )


def test_messages_that_are_not_about_shapes_say_so():
    e = explain(
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
    )
    assert e is not None and e.code == NOT_SHAPE
    text = e.text()
    assert text.startswith("not a shape problem") and "shapecheck rule" not in text
    assert explain("RuntimeError: expected scalar type Float but found Double").code == NOT_SHAPE


def test_a_batch_sized_row_count_gets_both_readings():
    e = explain("mat1 and mat2 shapes cannot be multiplied (128x784 and 100352x128)")
    readings = [c for c in e.causes if not c.startswith("how the numbers relate")]
    assert e.code == "SC102" and len(readings) == 2
    assert any("unbatched" in c or "without a batch dim" in c for c in readings)
    assert any("skipped" in c for c in readings)


def test_the_corpus_of_real_messages_keeps_its_score():
    from explain_corpus import FAMILIES, MESSAGES
    from explain_score import score

    assert len(MESSAGES) >= 243
    for family, message, source in MESSAGES:
        assert family in FAMILIES and message.strip()
        assert re.match(r"https?://[\w.-]+\.\w+/\S+$", source), source
    results, _ = score()
    recognised = sum(r["recognised"] for r in results)
    right = sum(r["right"] for r in results)
    wrong = [r["message"] for r in results if r["wrong"]]
    assert recognised >= 241 and right >= 241
    assert not wrong


def test_explain_never_imports_torch():
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from explain_score import score\n"
        "score()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks"), str(ROOT / "tests")], check=True, cwd=ROOT)


def _real_failures():
    """Shape errors raised by the installed PyTorch on CPU, with the rule each one belongs to."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    r = torch.randn
    return [
        ("SC102", lambda: nn.Linear(1050, 10)(r(2, 1568))),
        ("SC101", lambda: nn.Linear(25088, 100)(r(1, 512, 7, 7))),
        ("SC104", lambda: nn.Conv2d(3, 8, 3)(r(2, 1, 16, 16))),
        ("SC104", lambda: F.batch_norm(r(2, 128, 4, 4), torch.zeros(64), torch.ones(64))),
        ("SC105", lambda: nn.BatchNorm2d(8)(r(8, 4, 4))),
        ("SC105", lambda: nn.Conv2d(3, 8, 3)(r(2, 2, 3, 8, 8))),
        ("SC105", lambda: nn.Conv1d(3, 8, 3)(r(2, 2, 3, 8))),
        ("SC105", lambda: F.conv2d(r(1, 3, 8, 8), r(4, 3, 3, 3, 3))),
        ("SC131", lambda: r(2, 3).softmax(dim=2)),
        ("SC105", lambda: r(2, 3).permute(0, 1, 2)),
        ("SC105", lambda: nn.LSTM(4, 8)(r(3, 4, 4, 4))),
        ("SC107", lambda: nn.MaxPool2d(2)(r(1, 8, 1, 1))),
        ("SC107", lambda: nn.Conv2d(8, 8, 5)(r(1, 8, 3, 3))),
        ("SC108", lambda: nn.BatchNorm1d(8).train()(r(1, 8))),
        ("SC109", lambda: torch.cat([r(2, 3, 4), r(2, 3, 5)], 1)),
        ("SC109", lambda: torch.stack([r(3, 4), r(3, 5)])),
        ("SC111", lambda: r(2, 3, 4).transpose(1, 2).view(2, 12)),
        ("SC112", lambda: r(2, 3) + r(2, 4)),
        ("SC112", lambda: r(3, 1).expand(4, 2)),
        ("SC112", lambda: torch.einsum("bij,bjk->bik", r(2, 3, 4), r(3, 4, 5))),
        ("SC113", lambda: r(2, 3, 5).view(-1, 4)),
        ("SC104", lambda: F.group_norm(r(2, 64, 4, 4), 3)),
        ("SC104", lambda: nn.GroupNorm(3, 64)),
        ("SC104", lambda: nn.Conv2d(10, 6, 3, groups=4)),
        ("SC104", lambda: F.layer_norm(r(2, 5, 7), (8,))),
        ("SC104", lambda: F.pixel_shuffle(r(1, 5, 4, 4), 2)),
        ("SC106", lambda: F.cross_entropy(r(8, 10), torch.zeros(4, dtype=torch.long))),
        ("SC110", lambda: nn.Linear(512, 10).load_state_dict({"weight": r(1000, 512), "bias": r(1000)})),
        ("SC115", lambda: nn.LSTM(128, 8, batch_first=True)(r(2, 5, 300))),
        ("SC116", lambda: nn.RNNCell(4, 8)(r(3, 4), r(2, 8))),
        ("SC116", lambda: nn.LSTM(4, 8)(r(5, 3, 4), (r(1, 2, 8), r(1, 2, 8)))),
        ("SC116", lambda: nn.GRU(4, 8)(r(5, 3, 4), r(2, 3, 8))),
        ("SC117", lambda: nn.MultiheadAttention(10, 3)),
        ("SC118", lambda: F.embedding(r(3), r(10, 4))),
        ("SC124", lambda: nn.Embedding(10, 4)(torch.tensor([12]))),
        ("SC125", lambda: F.binary_cross_entropy_with_logits(r(4, 1), r(4))),
        ("SC125", lambda: F.nll_loss(r(2, 3, 4, 4), torch.zeros(2, 4, dtype=torch.long))),
    ]


def test_what_the_installed_pytorch_prints_is_read():
    """The templates against real messages: each op fails in plain PyTorch here, and `explain`
    must read what it printed as the right family (a wording change in a release fails this)."""
    import warnings

    unread = []
    for code, fail in _real_failures():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fail()
            except Exception as err:  # any error PyTorch raises is a message to read
                message = f"{type(err).__name__}: {err}"
            else:
                raise AssertionError(f"did not fail: {code}")
        e = explain(message)
        if e is None or e.code != code:
            unread.append((code, e.code if e else None, message.splitlines()[0][:160]))
    assert not unread, unread
