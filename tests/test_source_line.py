"""Fixes written as one changed line of the user's forward are checked as written: the method
that holds the line is compiled again with it, on a copy (trace/edits' `source_line`)."""

import textwrap

import pytest
import torch
from conftest import fixture_path
from torch import nn

import shapecheck
from shapecheck.trace.edits import apply
from shapecheck.trace.requests import Edit, SourceNotPatched


def test_a_positional_table_fix_written_as_a_line_is_verified():
    report = shapecheck.check(fixture_path("rules/sc119_batch_broadcast.py:TutorialBatchFirst"), ["50x64"], batch=4)
    (finding,) = report.findings
    fix = finding.fixes[0]
    assert fix.after is not None and "x.size(1)" in fix.after
    assert fix.verified is True, fix.check_note
    assert fix.result_shape is not None and fix.result_shape[0] == 4


def _module(tmp_path, source: str, name: str):
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent(source))
    namespace: dict = {"__name__": "net_under_test"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace[name], str(path)


SOURCE = """
import torch
from torch import nn

class Base(nn.Module):
    def forward(self, x):
        return x * 2

class Net(Base):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = super().forward(x)
        return self.fc(x).sum(1)
"""


def test_the_line_is_changed_on_a_copy_with_super_still_working(tmp_path):
    cls, path = _module(tmp_path, SOURCE, "Net")
    model = cls()
    line = SOURCE.splitlines().index("        return self.fc(x).sum(1)") + 1
    edit = Edit(
        "source_line",
        params=(("file", path), ("line", line), ("before", "return self.fc(x).sum(1)"), ("after", "return self.fc(x)")),
    )
    changed, _ = apply(model, (edit,))
    assert changed is not model and "forward" not in vars(model)  # the caller's object is untouched
    out = changed(torch.empty(2, 4, device="meta"))
    assert out.shape == (2, 3)
    assert model(torch.ones(2, 4)).shape == (2,)


@pytest.mark.parametrize(
    "line_text, before, why",
    [
        ("        self.fc = nn.Linear(4, 3)", "self.fc = nn.Linear(4, 3)", "constructor"),
        ("        return self.fc(x).sum(1)", "return self.fc(x).mean(1)", "no longer reads"),
        ("        return self.fc(x).sum(1)", "return self.fc(x).sum(1)", "does not compile"),
    ],
)
def test_a_line_that_cannot_be_put_in_says_why(tmp_path, line_text, before, why):
    cls, path = _module(tmp_path, SOURCE, "Net")
    line = SOURCE.splitlines().index(line_text) + 1
    after = "return self.fc(x" if why == "does not compile" else "pass"
    edit = Edit("source_line", params=(("file", path), ("line", line), ("before", before), ("after", after)))
    with pytest.raises(SourceNotPatched, match=why):
        apply(cls(), (edit,))


def test_a_line_no_module_holds_is_not_patched(tmp_path):
    cls, path = _module(tmp_path, SOURCE, "Net")
    edit = Edit("source_line", params=(("file", path + "x"), ("line", 3), ("before", "a"), ("after", "b")))
    with pytest.raises(SourceNotPatched, match="no method"):
        apply(cls(), (edit,))
    assert isinstance(nn.Module, type)
