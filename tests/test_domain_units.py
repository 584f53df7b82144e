"""The accepted-input domain's plain parts, without torch runs: printing and evaluating
expressions, summarising accepted sizes, the sentence, and rules reading expressions."""

import pytest
import sympy
from helpers import TraceBuilder
from torch.utils._sympy import functions as torch_sympy
from torch.utils._sympy.functions import FloorDiv, PythonMod

from shapecheck.diagnose.context import Context
from shapecheck.diagnose.numbers import per_sample_expression, per_sample_range
from shapecheck.diagnose.rules.common import batch_role
from shapecheck.domain.expressions import compile_expr, is_divisibility, to_formula, to_text
from shapecheck.domain.formulas import evaluate, readable, sizes_where, summarize
from shapecheck.domain.records import AcceptedInputs, DimDomain, dim_names
from shapecheck.trace.records import TensorInfo

Max = getattr(torch_sympy, "Max", sympy.Max)  # torch 2.4 sizes use sympy.Max

H, W, B = sympy.symbols("s36 s98 s26", integer=True, positive=True)
NAMES = {H: "H", W: "W", B: "B"}


@pytest.mark.parametrize(
    "expr, text",
    [
        (512 * FloorDiv(H, 32) * FloorDiv(W, 32), "512·(H//32)·(W//32)"),
        (sympy.Eq(512 * FloorDiv(H, 32) * FloorDiv(W, 32), 25088), "512·(H//32)·(W//32) = 25088"),
        (FloorDiv(H - 1, 2) + 1, "(H - 1)//2 + 1"),
        (sympy.Ne(FloorDiv(W - 1, 2) + 1, 1), "(W - 1)//2 + 1 ≠ 1"),
        (sympy.And(FloorDiv(H, 4) >= 1, FloorDiv(W, 4) >= 1), "H//4 ≥ 1 and W//4 ≥ 1"),
        (sympy.Eq(H, 16 * FloorDiv(H, 16)), "H % 16 = 0"),
        (W - H + 3, "W - H + 3"),
        (2 * B * H, "2·B·H"),
    ],
)
def test_expressions_print_with_dim_names(expr, text):
    assert to_text(expr, NAMES) == text


def test_compiled_expressions_agree_with_sympy():
    exprs = [
        512 * FloorDiv(H, 32) * FloorDiv(W, 32),
        FloorDiv(H - 1, 2) + 1,
        PythonMod(H, 16),
        sympy.Eq(H, 16 * FloorDiv(H, 16)),
        sympy.Or(H > 300, sympy.Eq(W, 7)),
    ]
    for expr in exprs:
        f = compile_expr(expr)
        for h, w in [(224, 224), (225, 7), (17, 301), (1, 1)]:
            env = {H: h, W: w}
            expected = expr.xreplace({H: h, W: w})
            assert f(env) == (bool(expected) if expected in (sympy.true, sympy.false) else int(expected))


def test_divisibility_guards_are_told_apart():
    assert is_divisibility(sympy.Eq(H, 16 * FloorDiv(H, 16)))
    assert is_divisibility(sympy.Eq(PythonMod(H, 8), 0))
    assert not is_divisibility(sympy.Eq(H, 224))


def test_sizes_become_formulas_that_evaluate_without_sympy():
    H, W, L = sympy.symbols("s0 s1 s2", integer=True, positive=True)
    names = {H: "H", W: "W", L: "L"}
    f = to_formula(512 * FloorDiv(H, 32) * FloorDiv(W, 32), names)
    assert evaluate(f, {"H": 224, "W": 255}) == 25088 and evaluate(f, {"H": 256, "W": 224}) == 28672
    g = to_formula(FloorDiv(L - 1, 4) + Max(1, L - 3), names)
    assert readable(g) and evaluate(g, {"L": 9}) == 8
    # A node the table does not know keeps its name and is not readable: no guessing.
    assert not readable(to_formula(sympy.Function("Mystery")(H), names))
    assert not readable(("__import__", "os"))


@pytest.mark.parametrize(
    "valid, hi, expected",
    [
        ([], 100, {"min": None}),
        ([224], 1024, {"min": 224, "max": 224, "values": (224,)}),
        (list(range(224, 256)), 1024, {"min": 224, "max": 255, "multiple": 1, "offset": 0}),
        (list(range(32, 1025)), 1024, {"min": 32, "max": None, "multiple": 1, "offset": 0}),
        (list(range(16, 1025, 16)), 1024, {"min": 16, "max": None, "multiple": 16, "offset": 0}),
        ([3, 5, 9], 100, {"min": 3, "max": 9, "values": (3, 5, 9)}),
    ],
)
def test_summarize_accepted_sizes(valid, hi, expected):
    assert summarize(valid, hi) == expected


def test_dim_domain_texts_and_membership():
    assert DimDomain("H", 2, 224, min=32).text() == "H ≥ 32"
    assert DimDomain("H", 2, 224, min=1).text() == "any H"
    assert DimDomain("B", 0, 1, min=1).text() == "any batch"
    assert DimDomain("B", 0, 1, min=2).text() == "B ≥ 2"
    fixed = DimDomain("C", 1, 3, min=3, max=3, values=(3,))
    assert fixed.text() == "C = 3" and fixed.accepts(3) and not fixed.accepts(4)
    head = DimDomain("H", 2, 224, min=224, max=255)
    assert head.text() == "H from 224 to 255" and head.accepts(255) and not head.accepts(256)
    unet = DimDomain("H", 2, 100, min=16, multiple=16)
    assert unet.text() == "H a multiple of 16" and unet.nearest(100) == [96, 112]
    assert DimDomain("H", 2, 100, min=32, multiple=16).text() == "H a multiple of 16 (≥ 32)"
    unknown = DimDomain("W", 3, 224, settled=False)
    assert unknown.text() == "W not worked out" and unknown.accepts(224) is None
    assert DimDomain("W", 3, 5, min=None).text() == "no W works"


def test_sentence_lists_batch_last():
    acc = AcceptedInputs(
        [
            DimDomain("B", 0, 1, min=1),
            DimDomain("C", 1, 3, min=3, max=3, values=(3,)),
            DimDomain("H", 2, 224, min=32),
            DimDomain("W", 3, 224, min=32),
        ]
    )
    assert acc.sentence() == "accepts C = 3, H ≥ 32, W ≥ 32, any batch"
    assert AcceptedInputs([DimDomain("H", 0, 1, settled=False)]).sentence() == "not worked out"


def test_dim_names_follow_the_rank():
    assert dim_names(4, True) == ["B", "C", "H", "W"]
    assert dim_names(5, True) == ["B", "C", "T", "H", "W"]
    assert dim_names(3, True) == ["B", "C", "L"]
    assert dim_names(1, False) == ["L"]
    assert dim_names(6, True) == ["B", "D1", "D2", "D3", "D4", "D5"]


def test_sizes_where_an_expression_hits_a_target():
    formulas = (512, ("FloorDiv", "H", 32), ("FloorDiv", "W", 32))
    found, hi = sizes_where(formulas, ["C", "H", "W"], (3, 224, 224), (1, 2), lambda n: n == 25088)
    assert found == list(range(224, 256)) and hi == 1024


def test_batch_role_describes_a_folded_or_vanished_batch():
    assert batch_role(TensorInfo((2, 8), symbolic=("B", "8"))) is None
    assert (
        batch_role(TensorInfo((2, 8), symbolic=("2·B", "8")))
        == "dim 0 is 2·B: the batch B is folded into it ([2·B, 8])"
    )
    assert (
        batch_role(TensorInfo((1, 64), symbolic=("1", "64·B")))
        == "dim 1 is 64·B: the batch B is folded into it ([1, 64·B])"
    )
    assert "the batch was reduced away" in batch_role(TensorInfo((8,), symbolic=("8",)))


def _fixed_head_trace(symbolic=True):
    tb = TraceBuilder((1, 3, 224, 224))
    tb.module("features", "Sequential", (1, 512, 7, 7))
    if symbolic:
        tb.last = TensorInfo(
            (1, 512, 7, 7),
            tid=tb.last.tid,
            source=0,
            symbolic=("B", "512", "H//32", "W//32"),
            formula=("B", 512, ("FloorDiv", "H", 32), ("FloorDiv", "W", 32)),
        )
        tb.trace.layers[0].outputs = [tb.last]
    flat = tb.op("torch.flatten", (1, 25088))
    return tb.trace, flat


def test_size_range_comes_from_the_expression_without_probes():
    trace, flat = _fixed_head_trace()
    ctx = Context(trace)  # no runner: probing is impossible here
    assert per_sample_range(ctx, flat, 25088) == "H = W from 224 to 255"
    assert per_sample_expression(ctx, flat) == "512·(H//32)·(W//32)"
    # The domain's minimum is the floor: sizes below it fail earlier in the model.
    ctx.domain = AcceptedInputs([DimDomain("H", 2, 224, min=240), DimDomain("W", 3, 224, min=240)])
    assert per_sample_range(ctx, flat, 25088) == "H = W from 240 to 255"


def test_without_expressions_or_runner_there_is_no_range():
    trace, flat = _fixed_head_trace(symbolic=False)
    assert per_sample_range(Context(trace), flat, 25088) is None


def test_a_pass_that_cannot_finish_in_time_stops_at_half_time():
    from torch import nn

    from shapecheck.trace.budget import cpu_clock
    from shapecheck.trace.recorder import BudgetSpent, Recorder

    now = cpu_clock()  # the clock the recorder's deadline is read on
    rec = Recorder(nn.Identity(), meta=True, deadline=now + 0.1)
    rec.rows = [object()] * 10
    rec.pace = (now - 0.9, 100)  # 10 of 100 rows in 0.9 s: about 9 s needed, 1 s allowed
    with pytest.raises(BudgetSpent):
        rec.check_deadline()
    assert rec.projected == pytest.approx(9, rel=0.05)
    rec.pace, rec.projected = (now - 0.9, 12), None  # 10 of 12 rows: on time, carry on
    rec.check_deadline()
    assert rec.projected is None
