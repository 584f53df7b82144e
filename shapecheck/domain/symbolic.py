"""Trace with symbolic input dims: every size an expression of B, C, H, W, and the guards on them.

PyTorch's FakeTensorMode with a ShapeEnv runs the model on tensors whose sizes are symbols.
Each branch a kernel or the model takes on a size is recorded as a guard (`H//32 ≥ 1`), and a
size the model pins (`conv1` needs C = 3) becomes a constant. These are private APIs: when they
are missing or behave differently, `Unavailable` says so and the caller probes instead.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import dataclass, field, replace

import sympy
import torch
from torch import nn

from ..spec import InputSpec
from ..trace import budget
from ..trace.budget import BudgetSpent
from ..trace.engines import make_inputs, no_fastpath, recorded_pass, split_call
from ..trace.meta import meta_state
from ..trace.recorder import Recorder
from ..trace.records import Trace
from .expressions import to_formula, to_text
from .formulas import Formula
from .records import SYMBOLIC, dim_names


class Unavailable(Exception):
    """This torch lacks (or changed) the private APIs a symbolic trace needs."""


def _api():
    try:
        from torch._subclasses.fake_tensor import FakeTensorMode
        from torch.fx.experimental.symbolic_shapes import DimDynamic, ShapeEnv, StatelessSymbolicContext
    except ImportError as exc:  # pragma: no cover - present in every tested torch
        raise Unavailable(f"torch {torch.__version__} has no {exc.name}") from None
    return FakeTensorMode, ShapeEnv, StatelessSymbolicContext, DimDynamic


@dataclass
class Guard:
    """A condition the traced path needs, over the input's symbols, and the row that added it."""

    expr: object  # sympy boolean
    row: int | None


@dataclass
class SymbolicRun:
    trace: Trace
    names: list[str]  # dim names of input 0: B, C, H, W …
    hints: tuple[int, ...]  # the sizes the symbols stood for
    symbols: dict  # name → sympy Symbol, for dims that were symbolic
    fixed: dict  # name → int, for dims a layer pinned to one size
    guards: list[Guard] = field(default_factory=list)
    budget_spent: bool = False
    projected: float | None = None  # when it stopped early: the seconds it would have needed
    exprs: dict = field(default_factory=dict)  # placeholder of a size (`#3`) → sympy expression
    failing_inputs: list = field(default_factory=list)  # the failing row's input sizes, as expressions


class _Shapes:
    """What the recorder needs from symbolic sizes: hints, printable expressions, no new guards."""

    def __init__(self, env):
        self.env = env
        self.exprs: dict[str, object] = {}
        self._keys: dict = {}

    def hints(self, sizes) -> tuple[int, ...]:
        out = []
        for d in sizes:
            if isinstance(d, torch.SymInt):
                hint = d.node.hint
                if hint is None:
                    hint = self.env.size_hint(d.node.expr, allow_none=True)
                out.append(int(hint) if hint is not None else -1)
            else:
                out.append(int(d))
        return tuple(out)

    def texts(self, sizes) -> tuple[str, ...]:
        """Placeholders (`#3`) for the expressions, printed once the trace is over: printing
        sympy as it goes cost densenet121 2 s."""
        out = []
        for d in sizes:
            if isinstance(d, torch.SymInt):
                expr = d.node.expr
                key = self._keys.get(expr)
                if key is None:
                    key = self._keys[expr] = f"#{len(self._keys)}"
                    self.exprs[key] = expr
                out.append(key)
            else:
                out.append(str(int(d)))
        return tuple(out)

    def quiet(self):
        return self.env.suppress_guards()


_POOLS_1D = {
    "max_pool1d": ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
    "avg_pool1d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
}


def _one_d_pools(name: str, func, args, kwargs):
    """1-D pooling as 2-D pooling over a height of 1, the same result.

    PyTorch's 1-D pools read their input length as a plain int, which pins the sequence
    length L to the traced size; the 2-D kernels keep it symbolic.
    """
    short = name.rsplit(".", 1)[-1].lstrip("_")
    if short not in _POOLS_1D or not args or not isinstance(args[0], torch.Tensor):
        return func, args, kwargs
    if "with_indices" in name:
        return func, args, kwargs
    params = dict(zip(_POOLS_1D[short], args[1:], strict=False))
    params.update(kwargs)
    if params.get("return_indices"):
        return func, args, kwargs
    x = args[0]

    def pair(value, default):
        value = default if value is None else value
        value = value[0] if isinstance(value, (list, tuple)) else value
        return value

    k = pair(params.get("kernel_size"), 1)
    stride = pair(params.get("stride"), k) or k
    padding = pair(params.get("padding"), 0)
    ceil_mode = bool(params.get("ceil_mode", False))
    if short == "max_pool1d":
        dilation = pair(params.get("dilation"), 1)

        def pooled(*_, **__):
            return torch.nn.functional.max_pool2d(
                x.unsqueeze(-2), (1, k), (1, stride), (0, padding), (1, dilation), ceil_mode=ceil_mode
            ).squeeze(-2)
    else:
        include = bool(params.get("count_include_pad", True))

        def pooled(*_, **__):
            return torch.nn.functional.avg_pool2d(
                x.unsqueeze(-2), (1, k), (1, stride), (0, padding), ceil_mode=ceil_mode, count_include_pad=include
            ).squeeze(-2)

    return pooled, args, kwargs


def _python_dispatcher():
    """Decompositions written in Python handle symbolic sizes that C++ kernels reject (interpolate)."""
    try:
        from torch._dispatch.python import enable_python_dispatcher
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return enable_python_dispatcher()


@contextlib.contextmanager
def _alarm(deadline: float | None):
    """Interrupt a single op that runs past the deadline (sympy can grind for minutes). The
    deadline is on the safety caps' clock, this process's CPU time (budget.cpu_clock), and so is
    the timer: ITIMER_PROF, which busy neighbours on the machine do not advance."""
    usable = (
        deadline is not None and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    )
    if usable and signal.getitimer(signal.ITIMER_PROF) != (0.0, 0.0):
        usable = False  # the caller's timer (a sampling profiler): left alone
    if not usable or deadline is None:
        yield
        return

    def ring(signum, frame):
        raise BudgetSpent()

    previous = signal.signal(signal.SIGPROF, ring)
    signal.setitimer(signal.ITIMER_PROF, max(deadline - budget.cpu_clock(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def run(
    model: nn.Module,
    specs: list[InputSpec],
    *,
    batch: int | None,
    train: bool = False,
    as_list: bool = False,
    label: str | None = None,
    def_sites=None,
    deadline: float | None = None,
    python_dispatcher: bool | None = None,
    expected_rows: int | None = None,
) -> SymbolicRun:
    """Trace once with every dim of input 0 symbolic (other inputs keep their sizes).

    A batch of 1 is traced as 2: PyTorch treats sizes 0 and 1 as constants, and a symbolic
    batch is what shows a batch dim that vanishes or is folded into another dim.

    Some C++ kernels reject symbolic sizes (`F.interpolate(size=…)`); their Python
    decompositions accept them but make every op slower (densenet121: 1 s → 5 s). So the
    trace runs without them first and once more with them when it fails (None: both).

    `deadline` is a value of budget.cpu_clock (CPU seconds): the safety cap, far from what a
    trace needs. With `expected_rows` (the rows of the concrete trace), a pass whose pace so far
    projects to well past it stops early, leaving the time to probes.
    """
    options = dict(batch=batch, train=train, as_list=as_list, label=label, def_sites=def_sites)
    options.update(deadline=deadline, expected_rows=expected_rows)
    if python_dispatcher is None:
        first = run(model, specs, python_dispatcher=False, **options)
        if first.trace.error is None or first.budget_spent or first.trace.error.engine_limit:
            return first
        again = run(model, specs, python_dispatcher=True, **options)
        return first if again.budget_spent else again
    return _run(model, specs, python_dispatcher=python_dispatcher, **options)


def _run(
    model: nn.Module,
    specs: list[InputSpec],
    *,
    batch: int | None,
    train: bool,
    as_list: bool,
    label: str | None,
    def_sites,
    deadline: float | None,
    python_dispatcher: bool,
    expected_rows: int | None,
) -> SymbolicRun:
    """One symbolic trace, with or without the Python decompositions (`run`)."""
    FakeTensorMode, ShapeEnv = _api()[:2]
    if as_list:
        raise Unavailable("models that take a list of images are not traced symbolically")
    try:
        env = ShapeEnv(duck_shape=False)
        mode = FakeTensorMode(shape_env=env)
    except TypeError as exc:  # pragma: no cover - an older or newer signature
        raise Unavailable(f"torch {torch.__version__}: {exc}") from None
    hint_batch = None if batch is None else max(batch, 2)
    plain = make_inputs(specs, hint_batch, device="meta", as_list=False)
    names = dim_names(plain[0].dim(), batch is not None)
    shapes = _Shapes(env)
    rec = Recorder(model, meta=True, def_sites=def_sites, shapes=shapes, deadline=deadline)
    guard_rows: list[tuple[int, int | None]] = []  # (number of guards at a mark, the row they belong to)

    def row_done(index: int | None) -> None:
        guard_rows.append((len(env.guards), index))

    rec.row_done = row_done
    rec.substitute = _one_d_pools
    state = meta_state(model, requires_grad=False)  # shapes only, made before the fake mode is entered
    trace = Trace(model=label or type(model).__name__, inputs=[], engine=SYMBOLIC, training=train, batch=hint_batch)
    inputs, fake_state = _fake_inputs(mode, plain, state, rec, trace)
    symbols, fixed = _dims(names, inputs[0])

    contexts = [mode] + ([_python_dispatcher()] if python_dispatcher else []) + [torch.device("meta"), no_fastpath()]
    spent = False
    if expected_rows and deadline is not None:
        rec.pace = (budget.cpu_clock(), expected_rows)
    args, kwargs = split_call(specs, inputs)
    try:
        recorded_pass(
            model,
            rec,
            trace,
            train,
            lambda: torch.func.functional_call(model, fake_state, args, kwargs, strict=False),
            contexts,
            inner=[_alarm(deadline)],  # armed only around the forward pass, not while modes unwind
        )
    except BudgetSpent:
        spent = True

    fixed.update(_settled_by_guards(symbols, env))
    out = SymbolicRun(
        trace=trace,
        names=names,
        hints=tuple(int(d) for d in plain[0].shape),
        symbols=symbols,
        fixed=fixed,
        guards=_guards(env, guard_rows, trace),
        budget_spent=spent,
        exprs=shapes.exprs,
        projected=rec.projected,
        failing_inputs=_input_expressions(shapes.exprs, trace.failing),
    )
    _finish_texts(out, env)
    return out


def _fake_inputs(mode, plain: list, state: dict, rec: Recorder, trace: Trace) -> tuple[list, dict]:
    """The inputs as fake tensors, the first with every dim symbolic and the others fixed, and
    the model's state as fake tensors; the inputs tagged and listed on the trace."""
    StatelessSymbolicContext, DimDynamic = _api()[2:]
    try:
        with mode:
            dynamic = StatelessSymbolicContext(dynamic_sizes=[DimDynamic.DYNAMIC] * plain[0].dim())
            inputs = [mode.from_tensor(plain[0], symbolic_context=dynamic)]
            inputs += [mode.from_tensor(t, static_shapes=True) for t in plain[1:]]
            fake_state = _fake_state(mode, state)
        rec.tag_inputs(inputs)
        trace.inputs = [rec.info("", t) for t in inputs]
    except Exception as exc:
        raise Unavailable(f"torch {torch.__version__}: {type(exc).__name__}: {exc}") from None
    return inputs, fake_state


def _settled_by_guards(symbols: dict, env) -> dict[str, int]:
    """The dims the trace's guards replaced by a number: they take no other size."""
    settled = {}
    for sym_name in list(symbols):
        value = env.replacements.get(symbols[sym_name])
        if value is not None and getattr(value, "is_Integer", False):
            settled[sym_name] = int(value)
    return settled


def _fake_state(mode, state: dict) -> dict:
    """The model's parameters and buffers as fake tensors of fixed size (parameters stay
    parameters, without gradients)."""
    fake_state = {}
    for key, value in state.items():
        fake = mode.from_tensor(value, static_shapes=True)
        fake_state[key] = nn.Parameter(fake, requires_grad=False) if isinstance(value, nn.Parameter) else fake
    return fake_state


def _dims(names: list[str], first) -> tuple[dict, dict[str, int]]:
    """Input 0's dims by name: the symbolic ones (name → expression), and those PyTorch kept as
    numbers (name → size)."""
    symbols, fixed = {}, {}
    for name, size in zip(names, first.shape, strict=False):
        if isinstance(size, torch.SymInt):
            symbols[name] = size.node.expr
        else:
            fixed[name] = int(size)
    return symbols, fixed


def _guards(env, guard_rows: list[tuple[int, int | None]], trace: Trace) -> list[Guard]:
    """Each guard the trace made, with the row it belongs to: the row whose mark comes after it,
    or the failing row for guards made after the last mark."""
    guards = []
    marks = iter(guard_rows)
    mark = next(marks, None)
    failing = trace.error.layer if trace.error is not None else None
    for i, g in enumerate(env.guards):
        while mark is not None and mark[0] <= i:
            mark = next(marks, None)
        guards.append(Guard(g.expr, mark[1] if mark is not None else failing))
    return guards


def _input_expressions(exprs: dict, row) -> list:
    """The row's input sizes as expressions (a number where a size is not symbolic); [] without a row."""
    if row is None:
        return []
    return [
        tuple(exprs[k] if k in exprs else sympy.Integer(int(k)) for k in info.symbolic or ()) for info in row.inputs
    ]


def _finish_texts(run: SymbolicRun, env) -> None:
    """Print every recorded size with the dim names, after all replacements are known."""
    names = {sym: name for name, sym in run.symbols.items()}
    cache: dict[str, tuple[str, Formula]] = {}

    def printed(raw: str) -> tuple[str, Formula]:
        if raw not in cache:
            expr = run.exprs.get(raw)
            if expr is None:
                cache[raw] = (raw, int(raw)) if raw.lstrip("-").isdigit() else (raw, ("unknown",))
            else:
                try:
                    expr = env.simplify(expr)
                except Exception:
                    pass
                cache[raw] = (to_text(expr, names), to_formula(expr, names))
        return cache[raw]

    def fix(info):
        if info.symbolic is None:
            return info
        both = [printed(t) for t in info.symbolic]
        return replace(info, symbolic=tuple(t for t, _ in both), formula=tuple(f for _, f in both))

    run.trace.inputs = [fix(i) for i in run.trace.inputs]
    for row in run.trace.layers:
        row.inputs = [fix(i) for i in row.inputs]
        row.outputs = [fix(o) for o in row.outputs]
