"""Shape expressions and guards from a symbolic trace: print them for people, evaluate them fast.

PyTorch records sizes as sympy expressions (`FloorDiv(s36, 32)`). Here they are printed with
the input's dim names (`H//32`) and compiled into plain Python closures, so a guard can be
checked at thousands of sizes in milliseconds instead of one symbolic trace per size.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from .formulas import OPERATIONS, Formula

# Node classes come from torch's sympy helpers; look them up by name so a renamed or missing
# class only disables its own case.
_FUNCS = {}
try:  # pragma: no cover - the names exist on every tested torch
    from torch.utils._sympy import functions as _tf

    _FUNCS = {
        name: getattr(_tf, name)
        for name in (
            "FloorDiv",
            "CeilDiv",
            "CleanDiv",
            "IntTrueDiv",
            "FloatTrueDiv",
            "Mod",
            "PythonMod",
            "ModularIndexing",
            "Max",
            "Min",
            "PowByNatural",
            "CeilToInt",
            "FloorToInt",
            "TruncToInt",
            "Identity",
            "Where",
        )
        if hasattr(_tf, name)
    }
except ImportError:  # pragma: no cover
    pass

_REL = {
    sympy.Eq: operator.eq,
    sympy.Ne: operator.ne,
    sympy.Ge: operator.ge,
    sympy.Gt: operator.gt,
    sympy.Le: operator.le,
    sympy.Lt: operator.lt,
}
_REL_TEXT = {sympy.Eq: "=", sympy.Ne: "≠", sympy.Ge: "≥", sympy.Gt: ">", sympy.Le: "≤", sympy.Lt: "<"}


def _is(node, name: str) -> bool:
    cls = _FUNCS.get(name)
    return cls is not None and isinstance(node, cls)


_CALLS = {name: fn for name, fn in OPERATIONS.items() if name not in ("Add", "Mul", "Pow")}


def compile_expr(expr) -> Callable[[dict], Any]:
    """A closure computing `expr` for {symbol: int}; unknown nodes fall back to sympy itself."""
    leaf = _compiled_leaf(expr)
    if leaf is not None:
        return leaf
    args = [compile_expr(a) for a in expr.args]
    return _compiled_arithmetic(expr, args) or _compiled_logic(expr, args) or _compiled_call(expr, args)


def _compiled_leaf(expr) -> Callable[[dict], Any] | None:
    """A constant or a symbol; None for a node with arguments."""
    if isinstance(expr, (bool, int)):
        return lambda env: expr
    if isinstance(expr, BooleanTrue):
        return lambda env: True
    if isinstance(expr, BooleanFalse):
        return lambda env: False
    if isinstance(expr, sympy.Symbol):
        return lambda env: env[expr]
    if isinstance(expr, sympy.Integer):
        value = int(expr)
        return lambda env: value
    if isinstance(expr, (sympy.Rational, sympy.Float)):
        fraction = float(expr)
        return lambda env: fraction
    return None


def _compiled_arithmetic(expr, args: list[Callable[[dict], Any]]) -> Callable[[dict], Any] | None:
    if isinstance(expr, sympy.Add):
        return lambda env: sum(a(env) for a in args)
    if isinstance(expr, sympy.Mul):

        def mul(env):
            out = 1
            for a in args:
                out *= a(env)
            return out

        return mul
    if isinstance(expr, sympy.Pow):
        base, exp = args
        return lambda env: base(env) ** exp(env)
    return None


def _compiled_logic(expr, args: list[Callable[[dict], Any]]) -> Callable[[dict], Any] | None:
    """A comparison, And, Or, Not."""
    for cls, op in _REL.items():
        if isinstance(expr, cls):
            lhs, rhs = args
            return lambda env: op(lhs(env), rhs(env))
    if isinstance(expr, sympy.And):
        return lambda env: all(a(env) for a in args)
    if isinstance(expr, sympy.Or):
        return lambda env: any(a(env) for a in args)
    if isinstance(expr, sympy.Not):
        inner = args[0]
        return lambda env: not inner(env)
    return None


def _compiled_call(expr, args: list[Callable[[dict], Any]]) -> Callable[[dict], Any]:
    """A function of formulas.OPERATIONS (FloorDiv, Mod, Max…); sympy itself for any other node."""
    for name, fn in _CALLS.items():
        if _is(expr, name):
            return lambda env: fn(*(a(env) for a in args))

    def fallback(env):  # a node this module does not know: let sympy evaluate it
        value = expr.xreplace({s: sympy.Integer(v) for s, v in env.items()})
        if value in (sympy.true, sympy.false):
            return bool(value)
        return int(value) if value.is_integer else float(value)

    return fallback


def to_formula(expr, names: dict) -> Formula:
    """`512*FloorDiv(s36, 32)` → `("Mul", 512, ("FloorDiv", "H", 32))` with names {s36: "H"}.

    A node with no entry in formulas.OPERATIONS keeps its sympy name, so `readable` says no.
    """
    leaf = _leaf_formula(expr, names)
    if leaf is not None:
        return leaf
    args = tuple(to_formula(a, names) for a in expr.args)
    return (_operation(expr), *args)


def _leaf_formula(expr, names: dict) -> Formula | None:
    """A number or an input dim's name; None for an operation."""
    if isinstance(expr, (bool, sympy.Integer)):
        return int(expr)
    if isinstance(expr, int):
        return expr
    if isinstance(expr, sympy.Symbol):
        return names.get(expr, str(expr))
    if isinstance(expr, (sympy.Rational, sympy.Float)):
        return float(expr)
    return None


def _operation(expr) -> str:
    """The name formulas.OPERATIONS knows an operation by (else sympy's own)."""
    for cls in (sympy.Add, sympy.Mul, sympy.Pow, sympy.Max, sympy.Min):  # torch < 2.5 sizes use sympy's Max
        if isinstance(expr, cls):
            return cls.__name__
    called = next((name for name in _CALLS if _is(expr, name)), None)
    return called if called is not None else getattr(expr.func, "__name__", str(expr.func))


# -- printing ------------------------------------------------------------------------------

_ATOM, _MUL, _ADD, _REL_P, _NOT, _AND, _OR = 6, 4, 3, 2, 1.5, 1, 0.5


def to_text(expr, names: dict) -> str:
    """`512*FloorDiv(s36, 32)*FloorDiv(s98, 32)` → `512·(H//32)·(W//32)` with names {s36: "H"}."""
    return _text(expr, names)[0]


def _divisibility(rel):
    """`Eq(H, 16*FloorDiv(H, 16))` is `H % 16 = 0`: (H, 16), or None for other relations."""
    for a, b in (rel.args, reversed(rel.args)):
        coeff, rest = b.as_coeff_Mul() if isinstance(b, sympy.Mul) else (None, None)
        if coeff is not None and _is(rest, "FloorDiv") and rest.args[0] == a and rest.args[1] == coeff:
            return a, int(coeff)
    return None


def is_divisibility(rel) -> bool:
    return isinstance(rel, (sympy.Eq, sympy.Ne)) and (
        _divisibility(rel) is not None
        or any(_is(n, "Mod") or _is(n, "PythonMod") for n in sympy.preorder_traversal(rel))
    )


def _paren(part: tuple[str, float], above: float, strict: bool = False) -> str:
    text, prec = part
    return f"({text})" if prec < above or (strict and prec == above) else text


Part = tuple[str, float]  # an expression's text, and how tightly it binds (_ATOM … _OR)


def _text(expr, names: dict) -> Part:
    """The expression as people write it, by kind: numbers and names, arithmetic, relations,
    logic, then sympy's and torch's functions."""
    for kind in (_leaf_text, _arithmetic_text, _relation_text, _logic_text, _function_text):
        found = kind(expr, names)
        if found is not None:
            return found
    func = getattr(expr.func, "__name__", str(expr.func))
    return f"{func}({', '.join(_text(a, names)[0] for a in expr.args)})", _ATOM


def _leaf_text(expr, names: dict) -> Part | None:
    if isinstance(expr, (bool, BooleanTrue, BooleanFalse)):
        return ("true" if bool(expr) else "false"), _ATOM
    if isinstance(expr, int):
        return str(expr), _ATOM
    if isinstance(expr, sympy.Symbol):
        return names.get(expr, str(expr)), _ATOM
    if isinstance(expr, sympy.Integer):
        return str(int(expr)), (_ATOM if int(expr) >= 0 else _ADD)
    if isinstance(expr, sympy.Number):
        return str(expr), _ATOM
    return None


def _arithmetic_text(expr, names: dict) -> Part | None:
    if isinstance(expr, sympy.Add):
        return _sum_text(expr, names), _ADD
    if isinstance(expr, sympy.Mul):
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            return "-" + _paren(_text(rest, names), _MUL), _ADD
        factors = sorted(sympy.Mul.make_args(expr), key=lambda t: (not t.is_number, sympy.default_sort_key(t)))
        return "·".join(_paren(_text(f, names), _MUL, strict=True) for f in factors), _MUL
    if isinstance(expr, sympy.Pow):
        return f"{_paren(_text(expr.args[0], names), _ATOM)}^{_paren(_text(expr.args[1], names), _ATOM)}", _ATOM
    return None


def _sum_text(expr, names: dict) -> str:
    """Terms with names first and numbers last, each negative one written with a minus."""
    terms = sorted(expr.args, key=lambda t: (t.is_number, t.could_extract_minus_sign(), sympy.default_sort_key(t)))
    out = ""
    for i, term in enumerate(terms):
        neg = term.could_extract_minus_sign()
        body = _text(-term if neg else term, names)
        piece = _paren(body, _ADD, strict=False) if body[1] > _ADD else f"({body[0]})"
        if i == 0:
            out = ("-" + _paren(body, _MUL)) if neg else piece
        else:
            out += (" - " if neg else " + ") + (_paren(body, _MUL) if neg else piece)
    return out


def _relation_text(expr, names: dict) -> Part | None:
    for cls, sign in _REL_TEXT.items():
        if isinstance(expr, cls):
            divides = _divisibility(expr) if cls in (sympy.Eq, sympy.Ne) else None
            if divides is not None:
                value, k = divides
                return f"{_paren(_text(value, names), _ATOM)} % {k} {sign} 0", _REL_P
            lhs, rhs = (_text(a, names) for a in expr.args)
            return f"{lhs[0]} {sign} {rhs[0]}", _REL_P
    return None


def _logic_text(expr, names: dict) -> Part | None:
    if isinstance(expr, sympy.And):
        return " and ".join(_paren(_text(a, names), _AND, strict=True) for a in expr.args), _AND
    if isinstance(expr, sympy.Or):
        return " or ".join(_paren(_text(a, names), _OR, strict=True) for a in expr.args), _OR
    if isinstance(expr, sympy.Not):
        return "not " + _paren(_text(expr.args[0], names), _ATOM), _NOT
    return None


def _function_text(expr, names: dict) -> Part | None:
    """Floor, ceiling and modulo divisions, max and min, and the identity torch wraps sizes in."""
    if _is(expr, "Identity"):
        return _text(expr.args[0], names)
    extreme = next((name for name in ("Max", "Min") if _is(expr, name)), None)
    if extreme is not None:
        return f"{extreme.lower()}({', '.join(_text(a, names)[0] for a in expr.args)})", _ATOM
    if _is(expr, "CeilDiv"):
        a, b = (_text(x, names) for x in expr.args)
        return f"ceil({a[0]}/{b[0]})", _ATOM
    operator = next((op for name, op in _DIVISIONS.items() if _is(expr, name)), None)
    if operator is None:
        return None
    a, b = (_text(x, names) for x in expr.args)
    return f"{_paren(a, _ATOM)}{operator}{_paren(b, _ATOM)}", _MUL


# Floor and modulo divisions (sympy's and torch's), and how each is written.
_DIVISIONS = {"FloorDiv": "//", "CleanDiv": "//", "Mod": " % ", "PythonMod": " % "}
