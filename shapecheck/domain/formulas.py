"""Evaluate the printed shape expressions (`512·(H//32)·(W//32)`) at other input sizes.

Rules read expressions as text from the trace (`TensorInfo.symbolic`), so they stay free of
torch and sympy; the text comes from `expressions.to_text` and uses only names, integers,
+ - · // % ^, max, min and ceil(a/b).
"""

from __future__ import annotations

import math
import re
from typing import Callable

_SAFE = re.compile(r"^[A-Za-z0-9_+\-*/%(), ]*$")
_NAMESPACE = {"__builtins__": {}, "max": max, "min": min, "ceil": math.ceil}


def size_function(text: str) -> Callable[[dict], int] | None:
    """`512·(H//32)·(W//32)` → f({"H": 224, "W": 224}) = 25088; None for text it cannot read."""
    source = text.replace("·", "*").replace("^", "**")
    if not _SAFE.match(source):
        return None
    try:
        code = compile(source, "<shape>", "eval")
    except SyntaxError:
        return None

    def value(env: dict) -> int:
        return int(eval(code, _NAMESPACE, dict(env)))  # noqa: S307 - our own printer's output, checked above

    return value


def summarize(valid: list[int], hi: int) -> dict:
    """min/max/multiple/offset/values for a sorted list of accepted sizes found up to `hi`."""
    if not valid:
        return {"min": None}
    if len(valid) == 1:
        return {"min": valid[0], "max": valid[0], "values": (valid[0],)}
    step = 0
    for a, b in zip(valid, valid[1:], strict=False):
        step = math.gcd(step, b - a)
    regular = len(valid) == (valid[-1] - valid[0]) // step + 1
    top = None if valid[-1] > hi - step else valid[-1]
    if regular:
        out = {"min": valid[0], "max": top, "multiple": step, "offset": valid[0] % step}
        if top is not None and len(valid) <= 4 and step > 1:
            out["values"] = tuple(valid)
        return out
    if len(valid) <= 8:
        return {"min": valid[0], "max": valid[-1], "values": tuple(valid)}
    gap = next(a + 1 for a, b in zip(valid, valid[1:], strict=False) if b != a + 1)
    return {"min": valid[0], "max": top, "note": f"not every size in between: {gap} fails"}


def sizes_where(texts: tuple[str, ...], names: list[str], given: tuple[int, ...], axes: tuple[int, ...],
                test: Callable[[int], bool], floor: int = 1) -> tuple[list[int], int] | None:
    """The sizes s ≥ floor (given to every dim in `axes`, others as given) where test(∏ dims) holds.

    `texts` are the per-sample dims of a tensor as expressions of the input dims `names`.
    Returns (sizes, largest size tried), or None when an expression cannot be read.
    """
    functions = [size_function(t) for t in texts]
    if any(f is None for f in functions):
        return None
    env = dict(zip(names, given, strict=False))
    hi = max(1024, 4 * max(given[a] for a in axes))
    found = []
    for s in range(max(floor, 1), hi + 1):
        for a in axes:
            env[names[a]] = s
        try:
            total = math.prod(f(env) for f in functions)
        except (ZeroDivisionError, ValueError, TypeError, NameError):
            continue
        if test(total):
            found.append(s)
    return found, hi
