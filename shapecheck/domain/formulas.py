"""Evaluate the shape formulas of a symbolic trace (`512·(H//32)·(W//32)`) at other input sizes.

A formula is plain data, so rules stay free of torch and sympy and the trace pickles: an int, a
dim name (`"H"`), a float for a fraction, or a tuple `(operation, *arguments)` whose operation is
a key of `OPERATIONS`. `expressions.to_formula` builds them from PyTorch's sympy sizes; nothing
is printed and read back.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable
from typing import Any

from .records import size_limit

Formula = int | float | str | tuple


def _floordiv(a, b):
    return a // b


def _ceildiv(a, b):
    return -((-a) // b)


def _mod(a, b):
    return a % b


def _modular_indexing(base, divisor, modulus):
    return (base // divisor) % modulus


def _where(condition, a, b):
    return a if condition else b


# One table of what every operation computes, used by formulas here and by
# expressions.compile_expr for guards: named as torch's sympy functions are.
OPERATIONS: dict[str, Callable[..., Any]] = {
    "Add": lambda *xs: sum(xs),
    "Mul": lambda *xs: math.prod(xs),
    "Pow": operator.pow,
    "FloorDiv": _floordiv,
    "CleanDiv": _floordiv,
    "CeilDiv": _ceildiv,
    "IntTrueDiv": operator.truediv,
    "FloatTrueDiv": operator.truediv,
    "Mod": _mod,
    "PythonMod": _mod,
    "ModularIndexing": _modular_indexing,
    "Max": lambda *xs: max(xs),
    "Min": lambda *xs: min(xs),
    "PowByNatural": operator.pow,
    "CeilToInt": math.ceil,
    "FloorToInt": math.floor,
    "TruncToInt": math.trunc,
    "Identity": lambda x: x,
    "Where": _where,
}


def evaluate(formula: Formula, env: dict[str, int]) -> Any:
    """The value of `formula` with the dims of `env`; KeyError for a name env lacks."""
    if isinstance(formula, tuple):
        operation, *arguments = formula
        return OPERATIONS[operation](*(evaluate(a, env) for a in arguments))
    if isinstance(formula, str):
        return env[formula]
    return formula


def readable(formula: Formula) -> bool:
    """Whether every operation in `formula` is one `evaluate` knows."""
    if isinstance(formula, tuple):
        return formula[0] in OPERATIONS and all(readable(a) for a in formula[1:])
    return isinstance(formula, (int, float, str))


def summarize(valid: list[int], hi: int) -> dict:
    """min/max/multiple/offset/values for a sorted list of accepted sizes found up to `hi`."""
    if not valid:
        return {"min": None}
    if len(valid) == 1:
        return {"min": valid[0], "max": valid[0], "values": (valid[0],)}
    step = math.gcd(*(b - a for a, b in itertools.pairwise(valid)))
    top = None if valid[-1] > hi - step else valid[-1]
    if len(valid) == (valid[-1] - valid[0]) // step + 1:
        return _regular(valid, step, top)
    if len(valid) <= 8:
        return {"min": valid[0], "max": valid[-1], "values": tuple(valid)}
    gap = next(a + 1 for a, b in itertools.pairwise(valid) if b != a + 1)
    return {"min": valid[0], "max": top, "note": f"not every size in between: {gap} fails"}


def _regular(valid: list[int], step: int, top: int | None) -> dict:
    """Every size from the first to the last, in steps of `step`: a few of them listed too."""
    out: dict[str, object] = {"min": valid[0], "max": top, "multiple": step, "offset": valid[0] % step}
    if top is not None and len(valid) <= 4 and step > 1:
        out["values"] = tuple(valid)
    return out


def sizes_where(
    formulas: tuple[Formula, ...],
    names: list[str],
    given: tuple[int, ...],
    axes: tuple[int, ...],
    test: Callable[[int], bool],
    floor: int = 1,
) -> tuple[list[int], int] | None:
    """The sizes s ≥ floor (given to every dim in `axes`, others as given) where test(∏ dims) holds.

    `formulas` are the per-sample dims of a tensor in terms of the input dims `names`.
    Returns (sizes, largest size tried), or None when a formula has an unknown operation.
    """
    if not all(readable(f) for f in formulas):
        return None
    env = dict(zip(names, given, strict=False))
    hi = size_limit(max(given[a] for a in axes))
    found: list[int] = []
    for s in range(max(floor, 1), hi + 1):
        for a in axes:
            env[names[a]] = s
        try:
            total = int(math.prod(evaluate(f, env) for f in formulas))
        except (ZeroDivisionError, ValueError, TypeError, KeyError, OverflowError):
            continue
        if test(total):
            found.append(s)
    return found, hi
